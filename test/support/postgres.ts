/**
 * Helpers for tests against the PostgreSQL server that `postgres-global-setup.ts` provides. Each
 * test makes its own schema, so test files and tests never share rows.
 */
import { migrate, postgresStore, type PgPool, type PostgresStoreOptions } from '@hitl/interactions/postgres'
import pg from 'pg'
import { inject } from 'vitest'

/** The connection string of the test database (DATABASE_URL, or the throwaway cluster's). */
export const databaseUrl = (): string => inject('databaseUrl')

/** A schema name no other test uses. */
export const freshSchemaName = (): string => `test_${Math.random().toString(36).slice(2, 10)}`

/** A new pool on the test database; end it with `pool.end()` (or use {@link postgresFixture}). */
export function createPool(options: Omit<pg.PoolConfig, 'connectionString'> = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl(), ...options })
  // An idle client whose backend is terminated reports here; the pool replaces it.
  pool.on('error', () => undefined)
  return pool
}

/**
 * A migrated schema of its own and a way to open pools and stores on it; `close()` ends every pool
 * it opened and drops the schema.
 */
export async function postgresFixture(options: { schema?: string } = {}) {
  const schema = options.schema ?? freshSchemaName()
  const pools: pg.Pool[] = []
  const pool = (config: Omit<pg.PoolConfig, 'connectionString'> = {}) => {
    const created = createPool(config)
    pools.push(created)
    return created
  }
  const main = pool()
  await migrate(main, { schema })
  return {
    schema,
    /** The first pool, for direct SQL in assertions. */
    pool: main,
    /** Opens another pool on the same database: a second service instance. */
    newPool: pool,
    /**
     * A store on the fixture's schema over `on` (the first pool by default). On the services' clock
     * unless told otherwise, since most tests move time by hand.
     */
    store: (on: pg.Pool = main, options: Partial<PostgresStoreOptions> = {}) =>
      postgresStore({ pool: on, schema, clock: 'service', ...options }),
    async close() {
      await main.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)))
    },
  }
}

/** The fixture's type, for helpers that take one. */
export type PostgresFixture = Awaited<ReturnType<typeof postgresFixture>>

/** The SQL text of a statement as a store sends it: a string, or a named statement's `text`. */
export const textOf = (statement: string | { text: string }) => (typeof statement === 'string' ? statement : statement.text)

/**
 * A pool that awaits `before(text, named)` before each statement it or one of its clients sends;
 * `named` tells a named statement from SQL text.
 */
export function watchingPool(pool: pg.Pool, before: (text: string, named: boolean) => Promise<void>): PgPool {
  const watched =
    (db: { query: (...args: never[]) => Promise<unknown> }) => async (statement: string | { text: string }, values?: unknown[]) => {
      await before(textOf(statement), typeof statement !== 'string')
      return (db.query as (statement: unknown, values?: unknown[]) => Promise<pg.QueryResult>)(statement, values)
    }
  return {
    query: watched(pool),
    async connect() {
      const client = await pool.connect()
      return { query: watched(client), release: (error?: Error | boolean) => client.release(error) }
    },
  } as PgPool
}
