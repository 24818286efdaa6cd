/**
 * @module
 * The PostgreSQL store: interactions, their inbox index and the signal outbox in one database,
 * shared safely by any number of service instances. Pass it a node-postgres `Pool` (or anything of
 * the same shape) and run {@link migrate} once per deploy, or apply the files in `sql/` yourself, in order.
 */
import { InteractionError } from '../../errors.js'
import { actorKey } from '../../model/actor.js'
import type { Interaction } from '../../model/interaction.js'
import type { OutboxEntry } from '../../model/signal.js'
import type { InteractionStore } from '../../ports.js'
import { checkPool, checkSchema, DEFAULT_SCHEMA, inTransaction, sqlState, type PgClient, type PgPool, type PgQueryable } from './pool.js'
import {
  inboxKeys,
  iso,
  interactionColumnNames,
  interactionParams,
  interactionPlaceholders,
  interactionSelect,
  outboxColumnNames,
  outboxParams,
  outboxPlaceholders,
  outboxSelect,
  toInteraction,
  toOutboxEntry,
} from './rows.js'
import { sendWithinTransaction } from './send-in-transaction.js'

export { migrate, migrationSql, MIGRATIONS, migrationFileName, type Migration } from './migrations.js'
export type { PgClient, PgPool, PgQueryable, PgQueryResult, PgRow } from './pool.js'

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** A node-postgres `Pool`, or anything with its `query(text, values)` and `connect()`. */
  pool: PgPool
  /** The schema that holds the tables, as given to `migrate`; `hitl` by default. */
  schema?: string
  /**
   * Delivers a signal inside the transaction that writes its state change, on that transaction's
   * connection (e.g. `dbosSendInTransaction(client)` from `@hitl/interactions/dbos`), so the
   * decision and the message commit together. If it throws, its writes are rolled back to a
   * savepoint, the decision still commits, and the entry stays in the outbox for normal delivery.
   */
  sendInTransaction?: (client: PgClient, entry: OutboxEntry) => Promise<void>
  /**
   * Whose clock decides expiry, timestamps, leases and sweeps. `database` (the default): the
   * server's `clock_timestamp()`, so every instance agrees whatever its own clock says. `service`:
   * each service's `clock` option, for tests that move time by hand.
   */
  clock?: 'database' | 'service'
}

/** Errors that mean the tables are not there: undefined table, undefined schema. */
const MISSING_RELATION = new Set(['42P01', '3F000'])

/**
 * Creates a store over PostgreSQL with the memory store's semantics: idempotent create,
 * compare-and-swap update writing record, inbox rows and outbox entry in one transaction, and
 * `SKIP LOCKED` queues for expiry sweeps and signal leases.
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
  const { sendInTransaction } = options
  if (sendInTransaction !== undefined && typeof sendInTransaction !== 'function') {
    throw new InteractionError('configuration', 'postgresStore: sendInTransaction must be a function (client, entry) => Promise<void>')
  }
  const clock = options.clock ?? 'database'
  if (clock !== 'database' && clock !== 'service') {
    throw new InteractionError('configuration', `postgresStore: clock must be 'database' or 'service', got ${JSON.stringify(clock)}`)
  }
  const select = interactionSelect('i')

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
    const { rows } = await pool.query(`SELECT ${select} FROM ${s}.interactions i WHERE i.project = $1 AND i.idempotency_key = $2`, [project, key])
    return rows[0] && toInteraction(rows[0])
  }

  /** The compare-and-swap write of `update`, on the pool or on a transaction's connection. */
  async function updateWith(db: PgQueryable, record: Interaction, { expectedVersion, outbox }: { expectedVersion: number; outbox?: OutboxEntry }) {
    const params: unknown[] = [...interactionParams(record), expectedVersion, inboxKeys(record)]
    // The placeholder of a column's new value, e.g. $('created_at') is '$21::timestamptz'.
    const $ = (column: string) => interactionPlaceholders(1)[interactionColumnNames.indexOf(column)]!
    const [version, keys] = [`$${params.length - 1}::int`, `$${params.length}::text[]`]
    const sets = interactionColumnNames.slice(2).map((column) => `${column} = ${$(column)}`)
    let signalled = ''
    if (outbox) {
      // Insert only, as in the memory store: an entry, once written, changes by leasing and settling alone.
      signalled = `, signalled AS (
  INSERT INTO ${s}.outbox (${outboxColumnNames.join(', ')})
  SELECT ${outboxPlaceholders(params.length + 1).join(', ')} FROM updated
  ON CONFLICT (id) DO NOTHING
)`
      params.push(...outboxParams(outbox))
    }
    // One statement, so the record, its inbox rows and the outbox entry are written together or
    // not at all, with no transaction to hold open across round trips. `old` locks the row at the
    // expected version: a concurrent writer makes it wait, then find no row, and nothing is written.
    // Inbox rows stay while the record stays pending with the same actors and created_at (every
    // claim, release and all-members response); otherwise rows not in the new set go and missing
    // ones come (the two sets are disjoint, so the order the sub-statements run in does not matter).
    const { rows } = await db.query(
      `WITH old AS (
  SELECT status = 'pending' AS was_pending,
status = 'pending' AND cardinality(${keys}) > 0
  AND (target_type, target_id, members, created_at) IS NOT DISTINCT FROM (${$('target_type')}, ${$('target_id')}, ${$('members')}, ${$('created_at')}) AS rows_fit
  FROM ${s}.interactions WHERE project = $1 AND id = $2 AND version = ${version}
  FOR NO KEY UPDATE
), updated AS (
  UPDATE ${s}.interactions i SET ${sets.join(', ')}
  FROM old WHERE i.project = $1 AND i.id = $2
  RETURNING old.was_pending, old.rows_fit
), unlisted AS (
  DELETE FROM ${s}.interaction_inbox x
  WHERE (SELECT was_pending AND NOT rows_fit FROM updated)
AND x.project = $1 AND x.interaction_id = $2
AND NOT (x.actor_key = ANY(${keys}) AND x.created_at = ${$('created_at')})
), listed AS (
  INSERT INTO ${s}.interaction_inbox (project, actor_key, created_at, interaction_id)
  SELECT $1, key, ${$('created_at')}, $2 FROM updated u, unnest(${keys}) AS key WHERE NOT u.rows_fit
  ON CONFLICT DO NOTHING
)${signalled}
SELECT count(*)::int AS updated FROM updated`,
      params,
    )
    return rows[0]?.updated === 1
  }

  const databaseTime = async () => new Date((await pool.query(`SELECT ${iso('clock_timestamp()', 'now')}`)).rows[0]!.now as string)

  return {
    name: 'postgres',
    ...(clock === 'database' && { now: () => run(databaseTime) }),

    create: (record) =>
      run(async () => {
        const params = interactionParams(record)
        const keysIndex = params.length + 1
        // One statement, so the record and its inbox rows appear together or not at all. A repeated
        // idempotency key inserts nothing; a repeated id fails on the primary key, as in memory.
        const text = `WITH inserted AS (
  INSERT INTO ${s}.interactions AS i (${interactionColumnNames.join(', ')})
  VALUES (${interactionPlaceholders(1).join(', ')})
  ON CONFLICT (project, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING i.*
), inbox AS (
  INSERT INTO ${s}.interaction_inbox (project, actor_key, created_at, interaction_id)
  SELECT i.project, key, i.created_at, i.id FROM inserted i, unnest($${keysIndex}::text[]) AS key
)
SELECT ${select} FROM inserted i`
        let rows
        try {
          ;({ rows } = await pool.query(text, [...params, inboxKeys(record)]))
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

    get: (project, id) =>
      run(async () => {
        const { rows } = await pool.query(`SELECT ${select} FROM ${s}.interactions i WHERE i.project = $1 AND i.id = $2`, [project, id])
        return rows[0] && toInteraction(rows[0])
      }),

    update: (record, options) => run(() => updateWith(pool, record, options)),

    modify: (project, id, decide) =>
      run(() =>
        inTransaction(pool, async (client) => {
          // The row lock makes concurrent callers queue here instead of losing a compare-and-swap. The
          // time is read by the outer query, which runs once the locked row comes out of the CTE: after
          // any wait for the lock (in the locking query's own select list it would be read before).
          const { rows } = await client.query(
            `WITH locked AS MATERIALIZED (SELECT ${select} FROM ${s}.interactions i WHERE i.project = $1 AND i.id = $2 FOR NO KEY UPDATE)
SELECT locked.*, ${iso('clock_timestamp()', 'locked_at')} FROM locked`,
            [project, id],
          )
          if (!rows[0]) return undefined
          const current = toInteraction(rows[0])
          const { result, write } = clock === 'database' ? decide(current, new Date(rows[0].locked_at as string)) : decide(current)
          if (write && !(await updateWith(client, write.record, { expectedVersion: current.version, ...(write.outbox && { outbox: write.outbox }) }))) {
            throw new Error(`postgresStore: interaction ${id} changed while locked`)
          }
          if (!write?.outbox || !sendInTransaction) return { result }
          return (await sendWithinTransaction(client, s, write.outbox, sendInTransaction)) ? { result, outboxSettled: true } : { result }
        }),
      ),

    inbox: ({ project, actor, now, limit, after }) =>
      run(async () => {
        const values: unknown[] = [project, actorKey(actor), now, JSON.stringify({ type: actor.type, id: actor.id }), limit]
        const resume = after ? `AND (x.created_at, x.interaction_id) > ($6::timestamptz, $7)` : ''
        if (after) values.push(after.created_at, after.id)
        // The inbox row stands for "targets the actor" or "the actor is a member"; the rest of
        // canActNow (claim, all-members response) and expiry are checked on the joined record.
        const { rows } = await pool.query(
          `SELECT ${select}
FROM ${s}.interaction_inbox x
JOIN ${s}.interactions i ON i.project = x.project AND i.id = x.interaction_id
WHERE x.project = $1 AND x.actor_key = $2 ${resume}
  AND i.status = 'pending'
  AND (i.expires_at IS NULL OR i.expires_at > $3::timestamptz)
  AND CASE
    WHEN i.target_type <> 'group' THEN true
    WHEN i.routing_policy = 'all_members' THEN NOT i.responses @> jsonb_build_array(jsonb_build_object('actor', $4::jsonb))
    ELSE i.claimed_by IS NULL OR i.claimed_by = $4::jsonb
  END
ORDER BY x.created_at, x.interaction_id
LIMIT $5`,
          values,
        )
        return rows.map(toInteraction)
      }),

    findByIdempotencyKey: (project, key) => run(() => byIdempotencyKey(project, key)),

    dueForExpiry: ({ now, limit, claimUntil }) =>
      run(async () => {
        // Claims what it returns, as leaseSignals does: SKIP LOCKED passes over rows another sweeper
        // or a responder is writing at this moment, and the claim keeps the next sweeper off the
        // rows already handed out, so concurrent sweepers share the work without waiting.
        const { rows } = await pool.query(
          `WITH claimed AS (
  UPDATE ${s}.interactions i SET sweep_claimed_until = $3::timestamptz
  WHERE (i.project, i.id) IN (
    SELECT project, id FROM ${s}.interactions
    WHERE status = 'pending' AND expires_at <= $1::timestamptz
      AND (sweep_claimed_until IS NULL OR sweep_claimed_until <= $1::timestamptz)
    ORDER BY expires_at, project, id
    LIMIT $2
    FOR NO KEY UPDATE SKIP LOCKED
  )
  RETURNING i.*
)
SELECT ${select} FROM claimed i ORDER BY i.expires_at, i.project, i.id`,
          [now, limit, claimUntil],
        )
        return rows.map(toInteraction)
      }),

    leaseSignals: ({ now, limit, lease }) =>
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
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  RETURNING o.*
)
SELECT ${outboxSelect('o')} FROM leased o ORDER BY o.next_attempt_at, o.id`,
          [now, limit, lease.owner, lease.until],
        )
        return rows.map(toOutboxEntry)
      }),

    settleSignal: (id, owner, outcome) =>
      run(async () => {
        const [sets, values]: [string, unknown[]] =
          outcome.status === 'delivered'
            ? [`status = 'delivered', delivered_at = $3::timestamptz, last_error = NULL`, [outcome.at]]
            : outcome.status === 'pending'
              ? [`last_error = $3, next_attempt_at = $4::timestamptz`, [outcome.error, outcome.next_attempt_at]]
              : [`status = 'dead', last_error = $3`, [outcome.error]]
        const { rowCount } = await pool.query(
          `UPDATE ${s}.outbox SET ${sets}, lease_owner = NULL, lease_expires_at = NULL
WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`,
          [id, owner, ...values],
        )
        return rowCount === 1
      }),

    listSignals: ({ status, limit, after }) =>
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

    reviveSignal: (id, now) =>
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

    pruneSignals: ({ deliveredBefore, limit }) =>
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
}
