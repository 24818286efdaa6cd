/** The store the runnable examples use: the embedded default, or PostgreSQL when DATABASE_URL names a database. */
import { memoryStore, type InteractionStore } from '@hitl/interactions'
import type { PostgresStoreOptions } from '@hitl/interactions/postgres'

/**
 * The memory store, or a PostgreSQL store on DATABASE_URL (in the schema HITL_SCHEMA, `hitl` by
 * default), migrated first; `close` ends its pool.
 */
export async function chooseStore(
  options: Pick<PostgresStoreOptions, 'clock'> = {},
): Promise<{ store: InteractionStore; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL
  if (!url) return { store: memoryStore(), close: async () => {} }
  const { default: pg } = await import('pg')
  const { migrate, postgresStore } = await import('@hitl/interactions/postgres')
  const pool = new pg.Pool({ connectionString: url })
  const schema = process.env.HITL_SCHEMA || undefined
  await migrate(pool, { schema })
  return { store: postgresStore({ pool, schema, ...options }), close: () => pool.end() }
}
