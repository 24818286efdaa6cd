/**
 * @module
 * The PostgreSQL store: interactions, their inbox index and the signal outbox in one database,
 * shared safely by any number of service instances. Pass it a node-postgres `Pool` (or anything of
 * the same shape) and run {@link migrate} once per deploy, or apply the files in `sql/` yourself, in order.
 */
import { InteractionError } from '../../errors.js'
import { isSignalEntry } from '../../model/signal.js'
import type { Decision, InteractionStore, ModifyQuery, OutboxStore, Write } from '../../ports.js'
import {
  checkPool,
  checkSchema,
  DEFAULT_SCHEMA,
  inTransaction,
  sqlState,
  statementName,
  type PgPool,
  type PgQueryable,
  type PgRow,
  withConnection,
} from './pool.js'
import {
  historyParam,
  historyRows,
  historySelect,
  iso,
  interactionColumnNames,
  interactionParams,
  interactionPlaceholders,
  interactionSelect,
  outboxColumnNames,
  outboxParams,
  outboxPlaceholders,
  outboxPlaceholderCount,
  outboxSelect,
  toHistoryEvent,
  toInteraction,
  toOutboxEntry,
} from './rows.js'
import { runWithinTransaction } from './within-transaction.js'
import { batched } from './batched.js'

export { migrate, migrationSql, MIGRATIONS, migrationFileName, type Migration } from './migrations.js'
export type { PgClient, PgNamedQuery, PgPool, PgQueryable, PgQueryResult, PgRow } from './pool.js'

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** A node-postgres `Pool`, or anything with its `query(text, values)`, `query({ name, text, values })` and `connect()`. */
  pool: PgPool
  /** The schema that holds the tables, as given to `migrate`; `hitl` by default. */
  schema?: string
  /**
   * Whose clock decides expiry, timestamps, leases and sweeps. `database` (the default): the
   * server's `clock_timestamp()`, so every instance agrees whatever its own clock says. `service`:
   * each service's `clock` option, for tests that move time by hand.
   */
  clock?: 'database' | 'service'
  /**
   * Whether the statements every decision sends (create, modify's read and write, settling a
   * delivery) go as named statements, which each connection parses and plans once: `true` by
   * default. Set `false` for a pool that cannot keep them from one transaction to the next (a
   * connection pooler in transaction mode without prepared-statement support) or that takes only SQL text.
   */
  prepare?: boolean
}

/** Errors that mean the tables are not there: undefined table, undefined schema. */
const MISSING_RELATION = new Set(['42P01', '3F000'])

/**
 * What a write says when the record changed or another transaction holds its row since the decision
 * was taken: the text of a failed cast, the one way a plain SQL statement can fail on purpose.
 */
const STALE = 'hitl: the interaction changed since it was read'

/** Whether a write failed because its record changed (STALE) or its row was locked (lock_not_available). */
const isStale = (error: unknown) => sqlState(error) === '55P03' || (sqlState(error) === '22P02' && (error as Error).message.includes(STALE))

/** What an unlocked `modify` returns when another writer came first: decide again under the row lock. */
const LOCK_NEEDED = Symbol('lock needed')

/** A statement's text, and its name when it is sent as a named (prepared) statement. */
interface Statement {
  text: string
  name: string | undefined
}

/** `build`, called once per argument: the statements that depend on how many outbox entries a write carries. */
function memoized<V>(build: (key: number) => V): (key: number) => V {
  const built = new Map<number, V>()
  return (key) => {
    if (!built.has(key)) built.set(key, build(key))
    return built.get(key)!
  }
}

/**
 * Creates a store over PostgreSQL with the memory store's semantics: idempotent create, a
 * read-decide-write that writes record, inbox rows, history events and outbox entry in one
 * statement, only on the version it read and under the row lock, and `SKIP LOCKED` queues for expiry sweeps and signal leases.
 *
 * @example
 * import pg from 'pg'
 * import { createInteractions } from '@hitl/interactions'
 * import { migrate, postgresStore } from '@hitl/interactions/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await migrate(pool)
 * const interactions = createInteractions({ store: postgresStore({ pool }) })
 */
export function postgresStore(options: PostgresStoreOptions): InteractionStore {
  const pool = checkPool(options?.pool, 'postgresStore')
  const s = checkSchema(options.schema ?? DEFAULT_SCHEMA, 'postgresStore')
  const clock = options.clock ?? 'database'
  if (clock !== 'database' && clock !== 'service') {
    throw new InteractionError('configuration', `postgresStore: clock must be 'database' or 'service', got ${JSON.stringify(clock)}`)
  }
  const select = interactionSelect('i')
  if (options.prepare !== undefined && typeof options.prepare !== 'boolean') {
    throw new InteractionError('configuration', `postgresStore: prepare must be true or false, got ${JSON.stringify(options.prepare)}`)
  }
  const prepare = options.prepare !== false

  /**
   * A statement the store sends on every decision, its text built once; named, when `prepare` is on,
   * after a hash of the text, so each connection parses and plans it once.
   */
  const statement = (text: string): Statement => ({ text, name: prepare ? statementName(text) : undefined })

  const query = (db: PgQueryable, { name, text }: Statement, values: unknown[]) =>
    name === undefined ? db.query(text, values) : db.query({ name, text, values })

  /** Turns "no such table" into an error that says what to do; other errors pass through. */
  async function run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (MISSING_RELATION.has(sqlState(error) ?? '')) {
        throw new InteractionError(
          'configuration',
          `postgresStore: the tables of schema "${s}" are missing (${(error as Error).message}); run migrate(pool, { schema: '${s}' }) from @hitl/interactions/postgres, or apply sql/*.sql in order`,
          { cause: error },
        )
      }
      throw error
    }
  }

  const byIdempotencyKey = async (project: string, key: string) => {
    const { rows } = await pool.query(`SELECT ${select} FROM ${s}.interactions i WHERE i.project = $1 AND i.idempotency_key = $2`, [
      project,
      key,
    ])
    return rows[0] && toInteraction(rows[0])
  }

  /**
   * The statement inserting `count` outbox entries, whose parameters start at `$first`; only when
   * `condition` holds, if given. Insert only, as in the memory store: an entry, once written,
   * changes by leasing and settling alone.
   */
  function outboxInsert(first: number, count: number, condition = '') {
    const rows = Array.from({ length: count }, (_, i) => `(${outboxPlaceholders(first + i * outboxPlaceholderCount).join(', ')})`)
    return `INSERT INTO ${s}.outbox (${outboxColumnNames.join(', ')})
  SELECT * FROM (VALUES ${rows.join(', ')}) AS entry ${condition}
  ON CONFLICT (id) DO NOTHING`
  }

  /** The parameters a write or a create takes after the record's: inbox keys (listed, or removed by a change), history events, wake-up. */
  const writeParams = ({ record, inbox, events, wakeAt }: Write) => [
    ...interactionParams(record),
    Array.isArray(inbox) ? inbox : inbox.remove,
    historyParam(events),
    wakeAt ?? null,
  ]

  /**
   * The statement writing a decision with `entries` outbox entries on the row of version `$n+4`
   * (after the record's `n` parameters and the three of {@link writeParams}), whose inbox keys are
   * the full list or, with `change`, the keys to remove; built once per count.
   */
  const writeStatementOf = (change: boolean) =>
    memoized((entries: number) => {
      const first = interactionColumnNames.length + 1
      const lastSeq = `(SELECT coalesce(max(seq), 0) FROM ${s}.interaction_history WHERE project = $1 AND interaction_id = $2)`
      // The placeholder of a column's new value, e.g. $('created_at') is '$21::timestamptz'.
      const $ = (column: string) => interactionPlaceholders(1)[interactionColumnNames.indexOf(column)]!
      const [keys, history, wake, version] = [
        `$${first}::text[]`,
        `$${first + 1}::jsonb`,
        `$${first + 2}::timestamptz`,
        `$${first + 3}::int`,
      ]
      // A sweeper's hold covers the wake-up it was given for: a new one is due for any sweeper at its time.
      const sweepHold = `sweep_claimed_until = CASE WHEN wake_at IS DISTINCT FROM ${wake} THEN NULL ELSE sweep_claimed_until END`
      const sets = [...interactionColumnNames.slice(2).map((column) => `${column} = ${$(column)}`), `wake_at = ${wake}`, sweepHold]
      const queued = entries > 0 ? `, queued AS (${outboxInsert(first + 4, entries)})` : ''
      const inboxRows = change
        ? `unlisted AS (
  DELETE FROM ${s}.interaction_inbox x WHERE x.project = $1 AND x.interaction_id = $2 AND x.actor_key = ANY(${keys})
)`
        : `unlisted AS (
  DELETE FROM ${s}.interaction_inbox x
  WHERE x.project = $1 AND x.interaction_id = $2 AND NOT (x.actor_key = ANY(${keys}) AND x.created_at = ${$('created_at')})
), listed AS (
  INSERT INTO ${s}.interaction_inbox (project, actor_key, created_at, interaction_id)
  SELECT DISTINCT $1, key, ${$('created_at')}, $2 FROM unnest(${keys}) AS key
  ON CONFLICT DO NOTHING
)`
      // One statement, so the record, its inbox rows, its history and the outbox entry are written
      // together or not at all. The record is written only if it is still the version decided on and
      // no one else holds its row (NOWAIT: a writer that waited would apply a decision taken before
      // the wait); otherwise the final SELECT fails with STALE and the whole statement undoes itself.
      // PostgreSQL runs the sub-statements the final SELECT does not read only after it, so on STALE
      // they never start. A list makes the inbox rows exactly `inbox`: rows not listed go, missing
      // ones come, and listed ones stay untouched (the two sets are disjoint, so the order the
      // sub-statements run in does not matter); a change deletes only the rows of the keys it
      // removes. Events are numbered after the last one; the row lock keeps any other writer of this
      // interaction out until commit, so the numbers have no gaps.
      return statement(`WITH updated AS (
  UPDATE ${s}.interactions SET ${sets.join(', ')}
  WHERE project = $1 AND id = $2 AND version = ${version}
    AND EXISTS (SELECT FROM ${s}.interactions WHERE project = $1 AND id = $2 FOR NO KEY UPDATE NOWAIT)
  RETURNING 1
), ${inboxRows}, appended AS (
  INSERT INTO ${s}.interaction_history (project, interaction_id, seq, type, at, actor, data)
  ${historyRows('$1', '$2', history, lastSeq)}
)${queued}
SELECT (SELECT CASE count(*) WHEN 1 THEN '1' ELSE '${STALE}' END FROM updated)::int`)
    })
  const writeStatements = { list: writeStatementOf(false), change: writeStatementOf(true) }

  /**
   * Writes a decision taken on version `version` of the record: record, inbox rows, history events
   * and outbox entries. Fails with {@link isStale} when the row changed or is locked by another
   * transaction since it was read; never waits for its lock.
   */
  async function write(db: PgQueryable, decided: Write, version: number) {
    const entries = decided.outbox ?? []
    const statementOf = Array.isArray(decided.inbox) ? writeStatements.list : writeStatements.change
    await query(db, statementOf(entries.length), [...writeParams(decided), version, ...entries.flatMap(outboxParams)])
  }

  /** Reads the record with the time of the read; no lock. */
  const readStatement = statement(
    `SELECT ${select}, ${iso('clock_timestamp()', 'read_at')} FROM ${s}.interactions i WHERE i.project = $1 AND i.id = $2`,
  )

  // The time is read by the outer query, which runs once the locked row comes out of the CTE: after
  // any wait for the lock (in the locking query's own select list it would be read before).
  const lockedReadStatement = statement(
    `WITH locked AS MATERIALIZED (SELECT ${select} FROM ${s}.interactions i WHERE i.project = $1 AND i.id = $2 FOR NO KEY UPDATE)
SELECT locked.*, ${iso('clock_timestamp()', 'read_at')} FROM locked`,
  )

  /** The time a read row carries, on the database clock; undefined on the service's. */
  const readAt = (row: PgRow) => (clock === 'database' ? new Date(row.read_at as string) : undefined)

  /**
   * `modify` without a transaction, for the common case where nobody else writes the record: a read,
   * the decision, and a write that applies only to the version read. Returns LOCK_NEEDED when another
   * writer came first or holds the row.
   */
  const modifyUnlocked = <T>({ project, id, decide }: ModifyQuery<T>) => {
    // A decision that throws (a refusal the caller asked for) leaves the connection as healthy as it found it.
    let refused: unknown
    return withConnection(
      pool,
      async (client): Promise<{ result: T } | undefined | typeof LOCK_NEEDED> => {
        const { rows } = await query(client, readStatement, [project, id])
        if (!rows[0]) return undefined
        const current = toInteraction(rows[0])
        let decision: Decision<T>
        try {
          decision = decide(current, readAt(rows[0]))
        } catch (error) {
          refused = error
          throw error
        }
        const { result, write: decided } = decision
        if (!decided) return { result }
        try {
          await write(client, decided, current.version)
        } catch (error) {
          if (isStale(error)) return LOCK_NEEDED
          throw error
        }
        return { result }
      },
      (error) => error === refused,
    )
  }

  /**
   * `modify` in a transaction holding the row lock: concurrent callers queue on it and each decides
   * on the latest record, at the time it got the lock.
   */
  const modifyLocked = <T>({ project, id, decide, withinTransaction }: ModifyQuery<T>) =>
    inTransaction(pool, async (client) => {
      const { rows } = await query(client, lockedReadStatement, [project, id])
      if (!rows[0]) return undefined
      const current = toInteraction(rows[0])
      const { result, write: decided } = decide(current, readAt(rows[0]))
      if (decided) await write(client, decided, current.version)
      const signalEntry = decided?.outbox?.find(isSignalEntry)
      if (signalEntry && withinTransaction) await runWithinTransaction(client, s, signalEntry, withinTransaction)
      return { result }
    })

  /** The statement creating a record with `entries` outbox entries; built once per count. */
  const createStatement = memoized((entries: number) => {
    const first = interactionColumnNames.length + 1
    const [keys, history, wake] = [`$${first}::text[]`, `$${first + 1}::jsonb`, `$${first + 2}::timestamptz`]
    // Only with the record: a repeated idempotency key inserts neither.
    const queued = entries > 0 ? `, queued AS (${outboxInsert(first + 3, entries, 'WHERE EXISTS (SELECT 1 FROM inserted)')})` : ''
    // One statement, so the record, its inbox rows, its first events and its outbox entries appear
    // together or not at all. A repeated idempotency key inserts nothing; a repeated id fails on the primary key, as in memory.
    return statement(`WITH inserted AS (
  INSERT INTO ${s}.interactions AS i (${interactionColumnNames.join(', ')}, wake_at)
  VALUES (${interactionPlaceholders(1).join(', ')}, ${wake})
  ON CONFLICT (project, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING i.*
), listed AS (
  INSERT INTO ${s}.interaction_inbox (project, actor_key, created_at, interaction_id)
  SELECT DISTINCT i.project, key, i.created_at, i.id FROM inserted i, unnest(${keys}) AS key
), appended AS (
  INSERT INTO ${s}.interaction_history (project, interaction_id, seq, type, at, actor, data)
  ${historyRows('i.project', 'i.id', history, '0')}, inserted i
)${queued}
SELECT ${select} FROM inserted i`)
  })

  // Calls that come while a reading is on its way share the next one: each still gets a time read after it asked.
  const databaseTime = batched(async (calls: undefined[]) => {
    const now = (await pool.query(`SELECT ${iso('clock_timestamp()', 'now')}`)).rows[0]!.now as string
    return calls.map(() => new Date(now))
  })

  const settleStatement = statement(`UPDATE ${s}.outbox o
SET status = 'delivered', delivered_at = d.at, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL
FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS d(id, owner, at)
WHERE o.id = d.id AND o.lease_owner = d.owner AND o.status = 'pending'
RETURNING o.id, d.owner`)

  /**
   * Records successful deliveries; those settled while a statement is on its way share the next one,
   * as every decision of a busy instance settles the entry it delivered first. Of identical settles
   * in one statement, the first is the one that settles.
   */
  const settleDelivered = batched(async (settles: { id: string; owner: string; at: string }[]) => {
    const key = ({ id, owner }: { id: string; owner: string }) => JSON.stringify([id, owner])
    const keys = settles.map(key)
    const first = new Map<string, (typeof settles)[number]>()
    settles.forEach((settle, at) => {
      if (!first.has(keys[at]!)) first.set(keys[at]!, settle)
    })
    const unique = [...first.values()]
    const { rows } = await query(pool, settleStatement, [unique.map((u) => u.id), unique.map((u) => u.owner), unique.map((u) => u.at)])
    const settled = new Set(rows.map((row) => key({ id: row.id as string, owner: row.owner as string })))
    return keys.map((settleKey) => settled.delete(settleKey))
  })

  const outbox: OutboxStore = {
    lease: ({ now, limit, lease, kinds }) =>
      run(async () => {
        // The inner SELECT locks the entries it picks and skips those another dispatcher is
        // leasing, so two concurrent calls never take the same entry.
        const { rows } = await pool.query(
          `WITH leased AS (
  UPDATE ${s}.outbox o SET lease_owner = $3, lease_expires_at = $4::timestamptz, attempts = o.attempts + 1
  WHERE o.id IN (
    SELECT id FROM ${s}.outbox
    WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
      AND (lease_expires_at IS NULL OR lease_expires_at <= $1::timestamptz)
      AND ($5::text[] IS NULL OR CASE WHEN signal IS NOT NULL THEN 'signal' ELSE 'notification' END = ANY($5::text[]))
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  RETURNING o.*
)
SELECT ${outboxSelect('o')} FROM leased o ORDER BY o.next_attempt_at, o.id`,
          [now, limit, lease.owner, lease.until, kinds ?? null],
        )
        return rows.map(toOutboxEntry)
      }),

    settle: ({ id, owner, outcome }) =>
      run(async () => {
        if (outcome.status === 'delivered') return settleDelivered({ id, owner, at: outcome.at })
        const [sets, values]: [string, unknown[]] =
          outcome.status === 'pending'
            ? [`last_error = $3, next_attempt_at = $4::timestamptz`, [outcome.error, outcome.next_attempt_at]]
            : [`status = 'dead', last_error = $3`, [outcome.error]]
        const { rowCount } = await pool.query(
          `UPDATE ${s}.outbox SET ${sets}, lease_owner = NULL, lease_expires_at = NULL
WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`,
          [id, owner, ...values],
        )
        return rowCount === 1
      }),

    list: ({ status, limit, after }) =>
      run(async () => {
        const { rows } = await pool.query(
          `SELECT ${outboxSelect('o')} FROM ${s}.outbox o
WHERE o.status = $1 ${after === undefined ? '' : 'AND o.id > $3'}
ORDER BY o.id
LIMIT $2`,
          after === undefined ? [status, limit] : [status, limit, after],
        )
        return rows.map(toOutboxEntry)
      }),

    revive: ({ id, now }) =>
      run(async () => {
        const { rows } = await pool.query(
          `WITH revived AS (
  UPDATE ${s}.outbox SET status = 'pending', attempts = 0, next_attempt_at = $2::timestamptz
  WHERE id = $1 AND status = 'dead'
  RETURNING *
)
SELECT ${outboxSelect('o')} FROM revived o`,
          [id, now],
        )
        return rows[0] && toOutboxEntry(rows[0])
      }),

    prune: ({ deliveredBefore, limit }) =>
      run(async () => {
        // Oldest first along outbox_delivered_idx; SKIP LOCKED leaves rows a concurrent pruner holds.
        const { rows } = await pool.query(
          `WITH pruned AS (
  DELETE FROM ${s}.outbox WHERE id IN (
    SELECT id FROM ${s}.outbox
    WHERE status = 'delivered' AND delivered_at < $1::timestamptz
    ORDER BY delivered_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  RETURNING 1
)
SELECT count(*)::int AS pruned FROM pruned`,
          [deliveredBefore, limit],
        )
        return Number(rows[0]?.pruned ?? 0)
      }),
  }

  return {
    name: 'postgres',
    inboxChanges: true,
    ...(clock === 'database' && { now: () => run(() => databaseTime(undefined)) }),
    outbox,

    create: (created) =>
      run(async () => {
        const { record } = created
        const entries = created.outbox ?? []
        let rows: PgRow[]
        try {
          ;({ rows } = await query(pool, createStatement(entries.length), [...writeParams(created), ...entries.flatMap(outboxParams)]))
        } catch (error) {
          if (sqlState(error) === '23505' && (error as { constraint?: string }).constraint === 'interactions_pkey') {
            throw new Error(`postgresStore: interaction ${record.id} already exists in project ${record.project}`, { cause: error })
          }
          throw error
        }
        if (rows[0]) return { interaction: toInteraction(rows[0]), created: true }
        // The conflicting row is committed (ON CONFLICT waits for an in-flight insert), so this
        // statement's fresh snapshot sees it.
        const existing = await byIdempotencyKey(record.project, record.idempotency_key!)
        if (!existing) throw new Error(`postgresStore: idempotency key ${record.idempotency_key} conflicted but no interaction holds it`)
        return { interaction: existing, created: false }
      }),

    get: ({ project, id }) =>
      run(async () => {
        const { rows } = await pool.query(`SELECT ${select} FROM ${s}.interactions i WHERE i.project = $1 AND i.id = $2`, [project, id])
        return rows[0] && toInteraction(rows[0])
      }),

    findByIdempotencyKey: ({ project, key }) => run(() => byIdempotencyKey(project, key)),

    // A hook needs the transaction; without one, the lock is taken only when another writer is there.
    modify: (modifyQuery) =>
      run(async () => {
        const unlocked = modifyQuery.withinTransaction ? LOCK_NEEDED : await modifyUnlocked(modifyQuery)
        return unlocked === LOCK_NEEDED ? modifyLocked(modifyQuery) : unlocked
      }),

    history: ({ project, id }) =>
      run(async () => {
        const { rows } = await pool.query(
          `SELECT ${historySelect('h')} FROM ${s}.interaction_history h WHERE h.project = $1 AND h.interaction_id = $2 ORDER BY h.seq`,
          [project, id],
        )
        return rows.map(toHistoryEvent)
      }),

    runInteractions: ({ project, run_id, status, limit, after }) =>
      run(async () => {
        const values: unknown[] = [project, run_id, limit, status ?? null]
        const resume = after ? `AND (i.created_at, i.id) > ($5::timestamptz, $6)` : ''
        if (after) values.push(after.created_at, after.id)
        const { rows } = await pool.query(
          `SELECT ${select} FROM ${s}.interactions i
WHERE i.project = $1 AND i.run_id = $2 AND ($4::text IS NULL OR i.status = $4) ${resume}
ORDER BY i.created_at, i.id
LIMIT $3`,
          values,
        )
        return rows.map(toInteraction)
      }),

    inbox: ({ project, actorKey, now, limit, after }) =>
      run(async () => {
        const values: unknown[] = [project, actorKey, now, limit]
        const resume = after ? `AND (x.created_at, x.interaction_id) > ($5::timestamptz, $6)` : ''
        if (after) values.push(after.created_at, after.id)
        // The rows are who may act now, as the last write listed them; only expiry is checked here,
        // since an overdue record keeps its rows until a sweep or a read expires it.
        const { rows } = await pool.query(
          `SELECT ${select}
FROM ${s}.interaction_inbox x
JOIN ${s}.interactions i ON i.project = x.project AND i.id = x.interaction_id
WHERE x.project = $1 AND x.actor_key = $2 ${resume}
  AND (i.expires_at IS NULL OR i.expires_at > $3::timestamptz)
ORDER BY x.created_at, x.interaction_id
LIMIT $4`,
          values,
        )
        return rows.map(toInteraction)
      }),

    due: ({ now, limit, claimUntil }) =>
      run(async () => {
        // Claims what it returns, as outbox.lease does: SKIP LOCKED passes over rows another sweeper
        // or a responder is writing at this moment, and the claim keeps the next sweeper off the
        // rows already handed out, so concurrent sweepers share the work without waiting.
        const { rows } = await pool.query(
          `WITH claimed AS (
  UPDATE ${s}.interactions i SET sweep_claimed_until = $3::timestamptz
  WHERE (i.project, i.id) IN (
    SELECT project, id FROM ${s}.interactions
    WHERE wake_at <= $1::timestamptz
      AND (sweep_claimed_until IS NULL OR sweep_claimed_until <= $1::timestamptz)
    ORDER BY wake_at, project, id
    LIMIT $2
    FOR NO KEY UPDATE SKIP LOCKED
  )
  RETURNING i.*
)
SELECT ${select} FROM claimed i ORDER BY i.wake_at, i.project, i.id`,
          [now, limit, claimUntil],
        )
        return rows.map(toInteraction)
      }),
  }
}
