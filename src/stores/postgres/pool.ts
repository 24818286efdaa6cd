import { InteractionError } from '../../errors.js'

/** A row as a driver returns it: column name to value. */
export type PgRow = Record<string, unknown>

/** What the store needs of a query result; node-postgres, and most drivers, return more. */
export interface PgQueryResult {
  rows: PgRow[]
  rowCount: number | null
}

/** Anything that runs a parameterised query, like node-postgres's `Pool` and `PoolClient`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>
}

/** A connection checked out of a pool, like node-postgres's `PoolClient`. */
export interface PgClient extends PgQueryable {
  /** Returns the connection to its pool; with an error, the pool discards it instead. */
  release(error?: Error | boolean): void
  /** node-postgres clients emit `error` when their connection drops; we listen while holding one. */
  on?(event: 'error', listener: (error: Error) => void): unknown
  removeListener?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * The shape of node-postgres's `Pool` that the store uses: typed structurally, so `pg` stays an
 * optional peer dependency and any pool with the same shape (a host's own, a wrapper) fits.
 */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>
}

/** The schema the store uses when none is given. */
export const DEFAULT_SCHEMA = 'hitl'

// Lower-case, unquoted identifiers only: the name is spliced into SQL, and an unquoted name reads
// the same in psql as in the shipped migration file.
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/

/** The schema name, checked so that it can be written into SQL as is. */
export function checkSchema(schema: unknown, caller: string): string {
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    throw new InteractionError(
      'configuration',
      `${caller}: schema must be a lower-case SQL identifier of at most 63 characters (letters, digits, _; not starting with a digit), got ${JSON.stringify(schema)}`,
    )
  }
  return schema
}

/** The pool, checked to have the methods the store calls. */
export function checkPool(pool: unknown, caller: string): PgPool {
  const candidate = pool as Partial<PgPool> | null | undefined
  if (typeof candidate?.query !== 'function' || typeof candidate.connect !== 'function') {
    throw new InteractionError(
      'configuration',
      `${caller} needs a \`pool\`: a node-postgres Pool (new pg.Pool({ connectionString })) or anything with query(text, values) and connect()`,
    )
  }
  return candidate as PgPool
}

/** A PostgreSQL error code (SQLSTATE), when the error carries one. */
export const sqlState = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined

/**
 * Runs `work` in one transaction on one connection: commits when it returns, rolls back when it
 * throws. A connection whose rollback fails (it dropped mid-transaction) is discarded, not reused.
 */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // Without a listener, node-postgres rethrows a dropped connection's `error` event and ends the
  // process; the failing query rejects on its own, which is what the caller handles.
  const onError = () => undefined
  client.on?.('error', onError)
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))
    })
    throw error
  } finally {
    client.removeListener?.('error', onError)
    client.release(broken)
  }
}
