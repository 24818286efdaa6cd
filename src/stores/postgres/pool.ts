import { InteractionError } from '../../errors.js'

/** A row as a driver returns it: column name to value. */
export type PgRow = Record<string, unknown>

/** What the store needs of a query result; node-postgres, and most drivers, return more. */
export interface PgQueryResult {
  rows: PgRow[]
  rowCount: number | null
}

/** A named statement as node-postgres takes it: each connection parses and plans it once. */
export interface PgNamedQuery {
  name: string
  text: string
  values: unknown[]
}

/** Anything that runs a parameterised query, like node-postgres's `Pool` and `PoolClient`. */
export interface PgQueryable {
  /**
   * Runs one statement with `$1`-style parameters: given as text, or as a named statement, which the
   * store sends for the statements of every decision unless `postgresStore` is given `prepare: false`.
   */
  query(statement: string | PgNamedQuery, values?: unknown[]): Promise<PgQueryResult>
}

/** A connection checked out of a pool, like node-postgres's `PoolClient`. */
export interface PgClient extends PgQueryable {
  /** Returns the connection to its pool; with an error, the pool discards it instead. */
  release(error?: Error | boolean): void
  /** node-postgres clients emit `error` when their connection drops; we listen while holding one. */
  on?(event: 'error', listener: (error: Error) => void): unknown
  /** Stops listening once the connection is returned. */
  removeListener?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * The shape of node-postgres's `Pool` that the store uses: typed structurally, so `pg` stays an
 * optional peer dependency and any pool with the same shape (a host's own, a wrapper) fits.
 */
export interface PgPool extends PgQueryable {
  /** Checks a connection out, for a transaction. */
  connect(): Promise<PgClient>
}

/** The schema the store uses when none is given. */
export const DEFAULT_SCHEMA = 'hitl'

// Lower-case, unquoted identifiers only: the name is spliced into SQL, and an unquoted name reads
// the same in psql as in the shipped migration file.
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * PostgreSQL's key words that cannot name a schema unquoted (reserved, and reserved but allowed as a
 * function or type name: `pg_get_keywords()` categories R and T) up to PostgreSQL 16, which added `system_user`;
 * a test compares the list with the server's.
 */
const RESERVED_WORDS = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'authorization',
  'binary',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'collation',
  'column',
  'concurrently',
  'constraint',
  'create',
  'cross',
  'current_catalog',
  'current_date',
  'current_role',
  'current_schema',
  'current_time',
  'current_timestamp',
  'current_user',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'freeze',
  'from',
  'full',
  'grant',
  'group',
  'having',
  'ilike',
  'in',
  'initially',
  'inner',
  'intersect',
  'into',
  'is',
  'isnull',
  'join',
  'lateral',
  'leading',
  'left',
  'like',
  'limit',
  'localtime',
  'localtimestamp',
  'natural',
  'not',
  'notnull',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'outer',
  'overlaps',
  'placing',
  'primary',
  'references',
  'returning',
  'right',
  'select',
  'session_user',
  'similar',
  'some',
  'symmetric',
  'system_user',
  'table',
  'tablesample',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'variadic',
  'verbose',
  'when',
  'where',
  'window',
  'with',
])

/** Why PostgreSQL cannot take `schema` unquoted, or undefined when it can. */
function schemaProblem(schema: unknown): string | undefined {
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    const rule = 'must be a lower-case SQL identifier of at most 63 characters (letters, digits, _; not starting with a digit)'
    return `${rule}, got ${JSON.stringify(schema)}`
  }
  if (RESERVED_WORDS.has(schema)) return `"${schema}" is a reserved word in PostgreSQL; choose another name, e.g. "hitl_${schema}"`
  if (schema.startsWith('pg_')) return `"${schema}" starts with pg_, which PostgreSQL keeps for its system schemas; choose another name`
  return undefined
}

/** The schema name, checked so that it can be written into SQL as is. */
export function checkSchema(schema: unknown, caller: string): string {
  const problem = schemaProblem(schema)
  if (problem) {
    throw new InteractionError('configuration', `${caller}: schema ${problem}`, { issues: [{ path: ['schema'], message: problem }] })
  }
  return schema as string
}

/** The pool, checked to have the methods the store calls. */
export function checkPool(pool: unknown, caller: string): PgPool {
  const candidate = pool as Partial<PgPool> | null | undefined
  if (typeof candidate?.query !== 'function' || typeof candidate.connect !== 'function') {
    throw new InteractionError(
      'configuration',
      `${caller} needs a \`pool\`: a node-postgres Pool (new pg.Pool({ connectionString })) or anything with query(text, values), query({ name, text, values }) and connect()`,
    )
  }
  return candidate as PgPool
}

/** A PostgreSQL error code (SQLSTATE), when the error carries one. */
export const sqlState = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined

/** The name of a prepared statement: FNV-1a of its text, with the length, so two texts hardly ever share one. */
export function statementName(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return `hitl_${(hash >>> 0).toString(36)}_${text.length.toString(36)}`
}

/**
 * Runs `work` on one connection checked out of the pool, and returns the connection after. One
 * whose `work` failed is discarded, not reused, unless `keep` vouches for it (it may have dropped
 * mid-statement), as node-postgres's own `pool.query` does.
 */
export async function withConnection<T>(
  pool: PgPool,
  work: (client: PgClient) => Promise<T>,
  keep: (error: unknown) => boolean = () => false,
): Promise<T> {
  const client = await pool.connect()
  // Without a listener, node-postgres rethrows a dropped connection's `error` event and ends the
  // process; the failing query rejects on its own, which is what the caller handles.
  const onError = () => undefined
  client.on?.('error', onError)
  let broken: Error | undefined
  try {
    return await work(client)
  } catch (error) {
    if (!keep(error)) broken = error instanceof Error ? error : new Error(String(error))
    throw error
  } finally {
    client.removeListener?.('error', onError)
    client.release(broken)
  }
}

/**
 * Runs `work` in one transaction on one connection: commits when it returns, rolls back when it
 * throws. A connection whose rollback fails (it dropped mid-transaction) is discarded, not reused.
 */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  let rolledBack = true
  return withConnection(
    pool,
    async (client) => {
      try {
        await client.query('BEGIN')
        const result = await work(client)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => void (rolledBack = false))
        throw error
      }
    },
    () => rolledBack,
  )
}
