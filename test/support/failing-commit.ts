import type { PgClient, PgPool } from '@hitl/interactions/postgres'

/**
 * A pool whose transactions never commit: `COMMIT` rolls back instead and throws, as a connection
 * lost at that moment would. Everything else passes through, so whatever a transaction wrote —
 * record, outbox entry, a message sent on its connection — must vanish together.
 */
export function failingCommitPool(pool: PgPool): PgPool {
  return {
    query: (text, values) => pool.query(text, values),
    async connect() {
      const client = await pool.connect()
      const wrapped: PgClient = {
        async query(statement, values) {
          if (typeof statement === 'string' && statement.trim().toUpperCase() === 'COMMIT') {
            await client.query('ROLLBACK')
            throw new Error('connection lost at COMMIT')
          }
          return client.query(statement, values)
        },
        release: (error) => client.release(error),
      }
      return wrapped
    },
  }
}
