/**
 * The PostgreSQL store on a real server: migrations, the store's semantics against the memory
 * store's, its queues under concurrency, crashes mid-transaction, and several service instances
 * sharing one database.
 */
import { readFile } from 'node:fs/promises'
import {
  callbackSignals,
  createInteractions,
  InteractionSchema,
  memoryStore,
  type Interaction,
  type InteractionStore,
  type OutboxEntry,
  type SignalEntry,
  type Participant,
  type Signal,
} from '@hitl/interactions'
import { actorKey } from '@hitl/interactions/adapter'
import {
  migrate,
  migrationFileName,
  migrationSql,
  MIGRATIONS,
  postgresStore,
  type Migration,
  type PgPool,
} from '@hitl/interactions/postgres'
import { describeInteractionStore } from '@hitl/interactions/testing'
import type pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPool, freshSchemaName, postgresFixture, textOf, watchingPool, type PostgresFixture } from '../support/postgres.js'
import { InteractionFieldsSchema } from '../../src/model/interaction.js'

const alice = { type: 'member', id: 'user_alice' } as const
const bob = { type: 'member', id: 'user_bob' } as const
const carol = { type: 'member', id: 'user_carol' } as const
const bot = { type: 'agent', id: 'agent_reviewer' } as const
const T0 = '2026-04-21T09:00:00.000Z'
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString()

/** What one decision writes (the port's `Write`). */
type Write = Parameters<InteractionStore['create']>[0]
type NewHistoryEvent = Write['events'][number]

let counter = 0
/** A valid pending direct record; override any field. */
function record(overrides: Partial<Interaction> = {}): Interaction {
  counter++
  return {
    id: `iact_${String(counter).padStart(4, '0')}`,
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: alice,
    status: 'pending',
    responses: [],
    created_at: T0,
    updated_at: T0,
    version: 1,
    ...overrides,
  } as Interaction
}

/** What a create writes for `r`: listed in its target's inbox while pending, with a `created` event. */
const creation = (r: Interaction, inbox = r.status === 'pending' ? [actorKey(r.target_actor)] : []): Omit<Write, 'outbox'> => ({
  record: r,
  inbox,
  events: [{ type: 'created', at: r.created_at }],
  ...(r.status === 'pending' && r.expires_at !== undefined && { wakeAt: r.expires_at }),
})

/** An unleased outbox entry for a record, due at `due`. */
function entryFor(r: Interaction, due = T0): SignalEntry {
  const signal: Signal = {
    interaction_id: r.id,
    project: r.project,
    run_id: 'run_1',
    topic: 'gate',
    status: 'completed',
    responses: r.responses,
    idempotency_key: `${r.id}:completed`,
  }
  return { id: signal.idempotency_key, signal, status: 'pending', attempts: 0, next_attempt_at: due, created_at: due }
}

/** Makes `write` the next state of `r`'s record through `modify`, returning what it read. */
async function modifyTo(target: InteractionStore, r: Interaction, write: Write) {
  const seen: Interaction[] = []
  const done = await target.modify({
    project: r.project,
    id: r.id,
    decide: (current) => {
      seen.push(current)
      return { result: undefined, write }
    },
  })
  expect(done).toEqual({ result: undefined })
  return seen[0]!
}

const count = async (pool: pg.Pool, sql: string, values: unknown[] = []) => Number((await pool.query(sql, values)).rows[0].n)

let fx: PostgresFixture
let store: InteractionStore
let conformanceFx: PostgresFixture | undefined
let databaseClockFx: PostgresFixture | undefined
let textFx: PostgresFixture | undefined
beforeAll(async () => {
  fx = await postgresFixture()
  store = fx.store()
})
afterAll(async () => {
  await fx?.close()
  await conformanceFx?.close()
  await databaseClockFx?.close()
  await textFx?.close()
})

// The published conformance suite, on a schema of its own so other tests' outbox entries stay out of
// it: on the services' clock, on the database's (the default), and with SQL text instead of named statements.
describeInteractionStore(
  'postgres on the service clock',
  async () => {
    conformanceFx = await postgresFixture()
    return conformanceFx.store()
  },
  { inboxChanges: true },
)
describeInteractionStore(
  'postgres on the database clock',
  async () => {
    databaseClockFx = await postgresFixture()
    return databaseClockFx.store(databaseClockFx.pool, { clock: 'database' })
  },
  { now: true, inboxChanges: true },
)
describeInteractionStore(
  'postgres without named statements',
  async () => {
    textFx = await postgresFixture()
    return textFx.store(textFx.pool, { prepare: false })
  },
  { inboxChanges: true },
)

describe('migrate', () => {
  it('migrate — applies every version once, then nothing', async () => {
    const schema = freshSchemaName()
    const pool = createPool()
    try {
      expect(await migrate(pool, { schema })).toEqual({ applied: [1, 2, 3, 4] })
      expect(await migrate(pool, { schema })).toEqual({ applied: [] })
      const { rows } = await pool.query(`SELECT version FROM ${schema}.hitl_migrations ORDER BY version`)
      expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }])
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`)
      await pool.end()
    }
  })

  it('migrate — five instances at once apply it exactly once', async () => {
    const schema = freshSchemaName()
    const pools = Array.from({ length: 5 }, () => createPool({ max: 2 }))
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, { schema })))
      expect(results.filter((r) => r.applied.length === MIGRATIONS.length)).toHaveLength(1)
      expect(results.filter((r) => r.applied.length === 0)).toHaveLength(4)
      const tables = await pools[0]!.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        'hitl_migrations',
        'interaction_history',
        'interaction_inbox',
        'interactions',
        'outbox',
      ])
    } finally {
      await pools[0]!.query(`DROP SCHEMA ${schema} CASCADE`)
      await Promise.all(pools.map((pool) => pool.end()))
    }
  })

  it('migrate — the files in sql/ are what migrate runs, and migrate recognises them when applied by hand', async () => {
    const fileOf = (migration: Migration) => readFile(new URL(`../../sql/${migrationFileName(migration)}`, import.meta.url), 'utf8')
    const files = await Promise.all(MIGRATIONS.map(fileOf))
    expect(files).toEqual(MIGRATIONS.map((migration) => migrationSql(migration, 'hitl')))

    // A team's own tool runs the files in order (here for another schema name, as the header says to).
    const schema = freshSchemaName()
    const pool = createPool()
    try {
      for (const file of files) {
        const forSchema = file.replaceAll('hitl.', `${schema}.`).replaceAll('SCHEMA IF NOT EXISTS hitl', `SCHEMA IF NOT EXISTS ${schema}`)
        await pool.query(`BEGIN; ${forSchema} COMMIT;`)
      }
      expect(await migrate(pool, { schema })).toEqual({ applied: [] })
      expect(await postgresStore({ pool, schema }).create(creation(record()))).toMatchObject({ created: true })
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`)
      await pool.end()
    }
  })

  it('postgresStore — bad configuration and missing tables are clear errors', async () => {
    expect(() => postgresStore({} as never)).toThrow(/needs a `pool`/)
    expect(() => postgresStore({ pool: fx.pool, schema: 'Bad-Name' })).toThrow(/schema must be a lower-case SQL identifier/)
    expect(() => postgresStore({ pool: fx.pool, prepare: 'no' as never })).toThrow(
      expect.objectContaining({ code: 'configuration', message: expect.stringMatching(/prepare must be true or false/) }),
    )
    await expect(migrate(fx.pool, { schema: 'x; DROP TABLE y' })).rejects.toThrow(/schema must be/)
    const unmigrated = postgresStore({ pool: fx.pool, schema: freshSchemaName() })
    await expect(unmigrated.get({ project: 'acme', id: 'x' })).rejects.toMatchObject({
      code: 'configuration',
      message: expect.stringMatching(/run migrate\(pool/),
    })
  })

  it('migrate — statuses and routing policies are not frozen in the schema: a new one is stored as is', async () => {
    const cancelled = {
      ...record({ target_actor: { type: 'group', id: 'group_ops' }, members: [alice] }),
      status: 'cancelled',
      routing_policy: 'quorum',
    }
    await store.create(creation(cancelled as unknown as Interaction, []))
    expect(await store.get({ project: 'acme', id: cancelled.id })).toStrictEqual(cancelled)
  })
})

describe('records', () => {
  it('create / get — every field round-trips, and unset fields stay absent', async () => {
    const full = InteractionSchema.parse(
      record({
        project: 'acme',
        type: 'input',
        spec: {
          mode: 'multi_select',
          options: [
            { value: 'a', label: 'Ä "quoted"', description: 'first' },
            { value: 'b', label: 'B' },
          ],
          min_selections: 1,
        },
        target_actor: { type: 'group', id: 'group_ops' },
        routing_policy: 'first_responder',
        members: [alice, bot],
        claimed_by: bot,
        claimed_at: at(1),
        run_id: 'run_1',
        topic: 'gate',
        title: '',
        message: 'line 1\nline 2 — ✓',
        metadata: { nested: { list: [1, 'two', null, true, 2.5, -0.001] }, emoji: '🚀' },
        requested_by: { type: 'agent', id: 'planner' },
        expires_at: at(60),
        idempotency_key: 'key-full',
        responses: [{ actor: bot, value: { values: ['a'] }, comment: 'ok', responded_at: at(2) }],
        status: 'completed',
        completed_at: at(2),
        updated_at: at(2),
        version: 3,
      }),
    )
    expect(await store.create(creation(full))).toEqual({ interaction: full, created: true })
    expect(await store.get({ project: 'acme', id: full.id })).toStrictEqual(full)

    const minimal = record()
    await store.create(creation(minimal))
    const read = await store.get({ project: 'acme', id: minimal.id })
    expect(read).toStrictEqual(minimal)
    expect(Object.keys(read!).sort()).toEqual(Object.keys(minimal).sort())
    expect(await store.get({ project: 'other', id: minimal.id })).toBeUndefined()
  })

  it('create / modify / get — a field without a column is kept in extra, and reads back in the order of a record the service builds', async () => {
    // `outcome` has no column; `escalated_to` is a field no schema knows yet: both need no SQL change.
    const built = InteractionSchema.parse(record({ status: 'completed', completed_at: at(1), outcome: 'approved' }))
    const unknownField = { escalated_to: { type: 'member', id: 'user_dave' } }
    const withUnknown: Interaction = { ...built, ...unknownField }
    await store.create(creation(withUnknown))
    const read = await store.get({ project: 'acme', id: built.id })
    expect(read).toStrictEqual(withUnknown)
    // Known fields in InteractionSchema's order, then the unknown one.
    expect(Object.keys(read!)).toEqual([...Object.keys(InteractionFieldsSchema.shape).filter((key) => key in built), 'escalated_to'])
    const { rows } = await fx.pool.query(`SELECT extra FROM ${fx.schema}.interactions WHERE id = $1`, [built.id])
    expect(rows[0].extra).toEqual({ outcome: 'approved', escalated_to: { type: 'member', id: 'user_dave' } })

    // A write that drops the field drops it from extra; one with none stores NULL.
    const { escalated_to: _dropped, outcome: _outcome, ...plain } = withUnknown as Interaction & { escalated_to: unknown }
    await modifyTo(store, built, { record: { ...plain, version: 2 }, inbox: [], events: [] })
    expect(await store.get({ project: 'acme', id: built.id })).toStrictEqual({ ...plain, version: 2 })
    expect((await fx.pool.query(`SELECT extra FROM ${fx.schema}.interactions WHERE id = $1`, [built.id])).rows[0].extra).toBeNull()
  })

  it('create — a repeated idempotency key returns the existing record and writes nothing; a repeated id fails', async () => {
    const first = record({ idempotency_key: 'same-key' })
    await store.create(creation(first))
    const repeat = record({ idempotency_key: 'same-key' })
    expect(await store.create(creation(repeat))).toEqual({ interaction: first, created: false })
    expect(await store.history({ project: 'acme', id: repeat.id })).toEqual([])
    expect(await store.history({ project: 'acme', id: first.id })).toHaveLength(1)
    // The key is per project.
    expect((await store.create(creation(record({ project: 'other', idempotency_key: 'same-key' })))).created).toBe(true)
    await expect(store.create(creation({ ...record(), id: first.id }))).rejects.toThrow(/already exists/)
  })

  it('create — 20 concurrent creates with one key, over two pools, make one row', async () => {
    const other = fx.store(fx.newPool())
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).create(creation(record({ idempotency_key: 'race-key' })))),
    )
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(results.map((r) => r.interaction.id)).size).toBe(1)
    expect(await count(fx.pool, `SELECT count(*) AS n FROM ${fx.schema}.interactions WHERE idempotency_key = 'race-key'`)).toBe(1)
  })
})

describe('modify: record, inbox rows, history and outbox entry in one write', () => {
  const inboxRows = async (id: string) =>
    (
      await fx.pool.query(
        `SELECT actor_key, xmin::text AS version FROM ${fx.schema}.interaction_inbox WHERE interaction_id = $1 ORDER BY actor_key`,
        [id],
      )
    ).rows as { actor_key: string; version: string }[]
  const keysOf = async (id: string) => (await inboxRows(id)).map((row) => row.actor_key)

  it('modify — the inbox rows become exactly the list handed in: missing ones added, unlisted ones deleted, listed ones untouched', async () => {
    const group = record({ target_actor: { type: 'group', id: 'group_ops' }, members: [alice, bob, carol] })
    await store.create(creation(group, [alice, bob, carol].map(actorKey)))
    const before = await inboxRows(group.id)
    expect(before.map((row) => row.actor_key)).toEqual(['member:user_alice', 'member:user_bob', 'member:user_carol'])

    await modifyTo(store, group, {
      record: { ...group, version: 2 },
      inbox: ['member:user_bob', 'member:user_carol', 'agent:agent_reviewer'],
      events: [],
    })
    const after = await inboxRows(group.id)
    expect(after.map((row) => row.actor_key)).toEqual(['agent:agent_reviewer', 'member:user_bob', 'member:user_carol'])
    // The rows that stay listed are the same row versions: an unchanged list writes nothing.
    const versionOf = (rows: typeof before, key: string) => rows.find((row) => row.actor_key === key)!.version
    expect(versionOf(after, 'member:user_bob')).toBe(versionOf(before, 'member:user_bob'))

    await modifyTo(store, group, {
      record: { ...group, version: 3 },
      inbox: ['member:user_bob', 'member:user_carol', 'agent:agent_reviewer'],
      events: [],
    })
    expect(await inboxRows(group.id)).toEqual(after)
    await modifyTo(store, group, { record: { ...group, status: 'completed', completed_at: at(1), version: 4 }, inbox: [], events: [] })
    expect(await keysOf(group.id)).toEqual([])
  })

  it('modify — history events are appended after the last, numbered from 1 without gaps, in the order given', async () => {
    const r = record({ requested_by: bot })
    await store.create({ record: r, inbox: ['member:user_alice'], events: [{ type: 'created', at: T0, actor: bot, data: { via: 'api' } }] })
    const events: NewHistoryEvent[] = [
      { type: 'responded', at: at(1), actor: alice },
      { type: 'completed', at: at(1) },
    ]
    await modifyTo(store, r, { record: { ...r, status: 'completed', completed_at: at(1), version: 2 }, inbox: [], events })
    expect(await store.history({ project: 'acme', id: r.id })).toStrictEqual([
      { seq: 1, type: 'created', at: T0, actor: bot, data: { via: 'api' } },
      { seq: 2, type: 'responded', at: at(1), actor: alice },
      { seq: 3, type: 'completed', at: at(1) },
    ])
    expect(await store.history({ project: 'other', id: r.id })).toEqual([])
    expect(await store.history({ project: 'acme', id: 'iact_missing' })).toEqual([])
  })

  it('modify — 40 concurrent writers on one interaction, over two pools, each append one event: seq 1 to 41, no gaps', async () => {
    const r = record()
    await store.create(creation(r))
    const other = fx.store(fx.newPool())
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? store : other).modify({
          project: 'acme',
          id: r.id,
          decide: (current) => ({
            result: undefined,
            write: {
              record: { ...current, version: current.version + 1 },
              inbox: [],
              events: [{ type: 'claimed', at: at(i), data: { writer: i } }],
            },
          }),
        }),
      ),
    )
    const history = await store.history({ project: 'acme', id: r.id })
    expect(history.map((event) => event.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1))
    expect(new Set(history.slice(1).map((event) => event.data?.writer)).size).toBe(40)
    expect(await store.get({ project: 'acme', id: r.id })).toMatchObject({ version: 41 })
  })

  it('modify — with no other writer, one read and one write statement, outside any transaction', async () => {
    const r = record()
    await store.create(creation(r))
    const sent: string[] = []
    const watched = postgresStore({
      pool: watchingPool(fx.pool, async (text) => void sent.push(text)),
      schema: fx.schema,
      clock: 'service',
    })
    await modifyTo(watched, r, { record: { ...r, version: 2 }, inbox: [], events: [{ type: 'claimed', at: at(1) }] })
    expect(sent.map((text) => text.split(/\s/, 2).join(' '))).toEqual(['SELECT i.project,', 'WITH updated'])
    expect(await store.get({ project: 'acme', id: r.id })).toMatchObject({ version: 2 })
  })

  it('postgresStore — the statements of a decision are named statements unless prepare is false', async () => {
    const r = record()
    await store.create(creation(r))
    const sentBy = async (prepare: boolean | undefined, version: number) => {
      const named: boolean[] = []
      const watched = postgresStore({
        pool: watchingPool(fx.pool, async (_text, isNamed) => void named.push(isNamed)),
        schema: fx.schema,
        clock: 'service',
        ...(prepare !== undefined && { prepare }),
      })
      await modifyTo(watched, r, { record: { ...r, version }, inbox: [], events: [] })
      return named
    }
    expect(await sentBy(undefined, 2)).toEqual([true, true])
    expect(await sentBy(false, 3)).toEqual([false, false])
  })

  it('modify — a write that finds the record changed since its read decides again, under the row lock, on the latest record', async () => {
    const r = record()
    await store.create(creation(r))
    // Another instance writes the record between this call's read and its write.
    let competed = false
    const competing = async (text: string) => {
      if (competed || !text.startsWith('WITH updated AS')) return
      competed = true
      await modifyTo(fx.store(), r, {
        record: { ...r, version: 2 },
        inbox: [],
        events: [{ type: 'claimed', at: at(1), data: { by: 'other' } }],
      })
    }
    const seen: number[] = []
    await postgresStore({ pool: watchingPool(fx.pool, competing), schema: fx.schema, clock: 'service' }).modify({
      project: 'acme',
      id: r.id,
      decide: (current) => {
        seen.push(current.version)
        return {
          result: undefined,
          write: {
            record: { ...current, version: current.version + 1 },
            inbox: [],
            events: [{ type: 'claimed', at: at(2), data: { by: 'me' } }],
          },
        }
      },
    })
    expect(seen).toEqual([1, 2])
    expect(await store.get({ project: 'acme', id: r.id })).toMatchObject({ version: 3 })
    const history = await store.history({ project: 'acme', id: r.id })
    expect(history.map((event) => [event.seq, event.data?.by])).toEqual([
      [1, undefined],
      [2, 'other'],
      [3, 'me'],
    ])
  })

  it('modify — a decision that throws, or one without a write, changes nothing; an unknown record is not decided', async () => {
    const r = record({ run_id: 'run_1', topic: 'gate' })
    await store.create(creation(r))
    const done: Interaction = { ...r, status: 'completed', completed_at: at(1), updated_at: at(1), version: 2 }
    await expect(
      store.modify({
        project: 'acme',
        id: r.id,
        decide: () => {
          throw new Error('refused')
        },
      }),
    ).rejects.toThrow('refused')
    expect(await store.modify({ project: 'acme', id: r.id, decide: () => ({ result: 'nothing' }) })).toEqual({ result: 'nothing' })
    let decided = false
    expect(await store.modify({ project: 'other', id: r.id, decide: () => ((decided = true), { result: 1 }) })).toBeUndefined()
    expect(decided).toBe(false)
    expect(await store.get({ project: 'acme', id: r.id })).toEqual(r)
    expect(await store.history({ project: 'acme', id: r.id })).toHaveLength(1)

    await modifyTo(store, r, { record: done, inbox: [], events: [{ type: 'completed', at: at(1) }], outbox: [entryFor(done)] })
    expect(await store.get({ project: 'acme', id: r.id })).toEqual(done)
    expect((await store.outbox.list({ status: 'pending', limit: 1000 })).find((e) => e.id === `${r.id}:completed`)).toEqual(entryFor(done))
  })

  it('modify — a write that fails in the database leaves neither the change nor its event', async () => {
    const r = record()
    await store.create(creation(r))
    // PostgreSQL stores no NUL character, so this write fails in its one statement, after the lock.
    const broken = { ...r, title: 'a\u0000b', version: 2 }
    await expect(modifyTo(store, r, { record: broken, inbox: [], events: [{ type: 'completed', at: at(1) }] })).rejects.toThrow()
    expect(await store.get({ project: 'acme', id: r.id })).toEqual(r)
    expect(await store.history({ project: 'acme', id: r.id })).toEqual([{ seq: 1, type: 'created', at: T0 }])
    expect(await keysOf(r.id)).toEqual(['member:user_alice'])
  })
})

describe('inbox, runs and expiry', () => {
  it('inbox — the records whose last write listed the actor key, unexpired, in (created_at, id) order, page by page', async () => {
    const fresh = await postgresFixture()
    try {
      const target = fresh.store()
      const group = { type: 'group', id: 'group_ops' } as const
      // Several share a created_at, so the id breaks ties; mixed-case ids check byte order.
      const listed: [Interaction, Participant[]][] = [
        [record({ id: 'iact_b', created_at: at(0) }), [alice]],
        [record({ id: 'iact_B', created_at: at(0) }), [alice]],
        [record({ id: 'iact_a', created_at: at(0), target_actor: bot }), [bot]],
        [record({ id: 'iact_Z', created_at: at(1), target_actor: group, members: [alice, bob] }), [alice, bob]],
        [record({ id: 'iact_y', created_at: at(1), target_actor: group, members: [alice, bob] }), [bob]],
        [record({ id: 'iact_w', created_at: at(3), expires_at: at(30) }), [alice]],
        [record({ id: 'iact_v', created_at: at(3), expires_at: at(90) }), [alice]],
        [record({ id: 'iact_t', created_at: at(0), project: 'other' }), [alice]],
      ]
      for (const [r, actors] of listed) await target.create(creation(r, actors.map(actorKey)))
      const page = (actor: Participant, now: string, limit = 100, after?: { created_at: string; id: string }, project = 'acme') =>
        target.inbox({ project, actorKey: actorKey(actor), now, limit, ...(after && { after }) }).then((items) => items.map((r) => r.id))

      expect(await page(alice, at(10))).toEqual(['iact_B', 'iact_b', 'iact_Z', 'iact_v', 'iact_w'])
      expect(await page(alice, at(30))).toEqual(['iact_B', 'iact_b', 'iact_Z', 'iact_v'])
      expect(await page(bob, at(10))).toEqual(['iact_Z', 'iact_y'])
      expect(await page(alice, at(10), 100, undefined, 'other')).toEqual(['iact_t'])
      expect(await page(carol, at(10))).toEqual([])
      // Pages of two, each resuming after the last item of the one before.
      const pages: string[] = []
      let after: { created_at: string; id: string } | undefined
      for (;;) {
        const items = await target.inbox({ project: 'acme', actorKey: actorKey(alice), now: at(10), limit: 2, ...(after && { after }) })
        pages.push(...items.map((r) => r.id))
        if (items.length < 2) break
        after = items.at(-1)!
      }
      expect(pages).toEqual(['iact_B', 'iact_b', 'iact_Z', 'iact_v', 'iact_w'])
      // The record is read whole, as get returns it.
      const [first] = await target.inbox({ project: 'acme', actorKey: actorKey(bot), now: at(10), limit: 1 })
      expect(first).toStrictEqual(await target.get({ project: 'acme', id: 'iact_a' }))
    } finally {
      await fresh.close()
    }
  })

  it('inbox — the store applies no rule of its own: a listed record shows whatever its claim, responses, policy or status', async () => {
    // The service decides who may act; the store shows what it was handed, so a new policy or status needs no SQL.
    const group = { type: 'group', id: 'group_ops' } as const
    const claimedByBob = record({ target_actor: group, members: [alice, bob], claimed_by: bob, claimed_at: at(1), created_at: at(-100) })
    const answeredByAlice = record({
      target_actor: group,
      routing_policy: 'all_members',
      members: [alice, bob],
      responses: [{ actor: alice, value: { confirmed: true }, responded_at: at(1) }],
      created_at: at(-99),
    })
    const newStatus = { ...record({ created_at: at(-98) }), status: 'on_hold', routing_policy: 'quorum' } as unknown as Interaction
    for (const r of [claimedByBob, answeredByAlice, newStatus]) await store.create(creation(r, [actorKey(alice)]))
    const items = await store.inbox({ project: 'acme', actorKey: actorKey(alice), now: at(10), limit: 3 })
    expect(items.map((r) => r.id)).toEqual([claimedByBob.id, answeredByAlice.id, newStatus.id])
  })

  it('runInteractions — the records of one run in (created_at, id) order, after a position, in one status when asked', async () => {
    const fresh = await postgresFixture()
    try {
      const target = fresh.store()
      const rows = [
        record({ id: 'iact_r3', run_id: 'run_x', topic: 'a', created_at: at(2) }),
        record({ id: 'iact_r1', run_id: 'run_x', topic: 'a', created_at: at(1) }),
        record({ id: 'iact_r2', run_id: 'run_x', topic: 'b', created_at: at(1), status: 'completed', completed_at: at(3) }),
        record({ id: 'iact_r4', run_id: 'run_y', topic: 'a', created_at: at(1) }),
        record({ id: 'iact_r5', run_id: 'run_x', topic: 'a', created_at: at(1), project: 'other' }),
        record({ id: 'iact_r6', created_at: at(1) }),
      ]
      for (const r of rows) await target.create(creation(r))
      const ids = (query: Partial<Parameters<InteractionStore['runInteractions']>[0]>) =>
        target.runInteractions({ project: 'acme', run_id: 'run_x', limit: 100, ...query }).then((found) => found.map((r) => r.id))
      expect(await ids({})).toEqual(['iact_r1', 'iact_r2', 'iact_r3'])
      expect(await ids({ status: 'pending' })).toEqual(['iact_r1', 'iact_r3'])
      expect(await ids({ status: 'completed' })).toEqual(['iact_r2'])
      expect(await ids({ limit: 2 })).toEqual(['iact_r1', 'iact_r2'])
      expect(await ids({ after: { created_at: at(1), id: 'iact_r2' } })).toEqual(['iact_r3'])
      expect(await ids({ status: 'pending', after: { created_at: at(1), id: 'iact_r1' } })).toEqual(['iact_r3'])
      expect(await ids({ project: 'other' })).toEqual(['iact_r5'])
      const [one] = await target.runInteractions({ project: 'acme', run_id: 'run_y', limit: 1 })
      expect(one).toStrictEqual(rows[3])
    } finally {
      await fresh.close()
    }
  })

  it('due — soonest first across projects, skipping a row a writer holds', async () => {
    const fresh = await postgresFixture()
    try {
      const target = fresh.store()
      const records = [
        record({ id: 'iact_3', project: 'b', expires_at: at(3) }),
        record({ id: 'iact_1', project: 'a', expires_at: at(1) }),
        record({ id: 'iact_2', project: 'b', expires_at: at(1) }),
        record({ id: 'iact_4', project: 'a', expires_at: at(2) }),
        record({ id: 'iact_5', project: 'a', expires_at: at(20) }),
        record({ id: 'iact_6', project: 'a' }),
        record({ id: 'iact_7', project: 'a', expires_at: at(1), status: 'completed', completed_at: at(0) }),
      ]
      for (const r of records) await target.create(creation(r))
      expect((await target.due({ now: at(3), limit: 2, claimUntil: at(3) })).map((r) => r.id)).toEqual(['iact_1', 'iact_2'])
      const due = await target.due({ now: at(3), limit: 100, claimUntil: at(3) })
      expect(due).toEqual(['iact_1', 'iact_2', 'iact_4', 'iact_3'].map((id) => records.find((r) => r.id === id)))

      // A writer mid-transaction on iact_1: the sweep does not wait for it, it passes it over.
      const writer = await fresh.pool.connect()
      try {
        await writer.query('BEGIN')
        await writer.query(`SELECT 1 FROM ${fresh.schema}.interactions WHERE id = 'iact_1' FOR UPDATE`)
        const skipped = await Promise.race([
          target.due({ now: at(3), limit: 100, claimUntil: at(3) }),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('due blocked on a locked row')), 5_000)),
        ])
        expect(skipped.map((r) => r.id)).toEqual(['iact_2', 'iact_4', 'iact_3'])
      } finally {
        await writer.query('ROLLBACK')
        writer.release()
      }
    } finally {
      await fresh.close()
    }
  })
})

describe('signal outbox', () => {
  /** Writes `n` completed records, each with its unleased outbox entry due at T0. */
  async function seedOutbox(target: InteractionStore, n: number, project = 'acme') {
    const entries: OutboxEntry[] = []
    for (let i = 0; i < n; i++) {
      const r = (await target.create(creation(record({ project })))).interaction
      const done: Interaction = { ...r, status: 'completed', completed_at: T0, version: 2 }
      const entry = entryFor(done)
      await modifyTo(target, r, { record: done, inbox: [], events: [{ type: 'completed', at: T0 }], outbox: [entry] })
      entries.push(entry)
    }
    return entries
  }

  // Seeds and leases 200 entries over two fresh pools: seconds on a loaded machine, hence the timeout.
  it('outbox.lease — two pools leasing at once never take the same entry', async () => {
    const fresh = await postgresFixture()
    try {
      const seeded = await seedOutbox(fresh.store(), 200)
      const pools = [fresh.newPool(), fresh.newPool()]
      // Connected before the race, so neither pool leases everything while the other is still connecting.
      await Promise.all(pools.map((pool) => pool.query('SELECT 1')))
      const dispatchers = pools.map((pool) => fresh.store(pool))
      const taken = await Promise.all(
        dispatchers.map(async (dispatcher, n) => {
          const mine: OutboxEntry[] = []
          for (;;) {
            const batch = await dispatcher.outbox.lease({ now: at(1), limit: 7, lease: { owner: `d${n}`, until: at(2) } })
            if (batch.length === 0) return mine
            mine.push(...batch)
          }
        }),
      )
      const ids = taken.flat().map((e) => e.id)
      expect(taken.every((mine) => mine.length > 0)).toBe(true)
      expect(ids).toHaveLength(200)
      expect(new Set(ids)).toEqual(new Set(seeded.map((e) => e.id)))
      expect(taken.flat().every((e) => e.attempts === 1)).toBe(true)
      expect(taken[0]!.every((e) => e.lease_owner === 'd0' && e.lease_expires_at === at(2))).toBe(true)

      // A held lease keeps the entry; an expired one frees it, and the attempt is counted again.
      expect(await dispatchers[0]!.outbox.lease({ now: at(1), limit: 500, lease: { owner: 'd2', until: at(3) } })).toEqual([])
      const retaken = await dispatchers[1]!.outbox.lease({ now: at(2), limit: 500, lease: { owner: 'd3', until: at(4) } })
      expect(retaken).toHaveLength(200)
      expect(retaken.every((e) => e.attempts === 2)).toBe(true)
    } finally {
      await fresh.close()
    }
  }, 30_000)

  it('outbox.settle — deliveries settled while a statement is on its way share the next one; owners are still checked', async () => {
    const fresh = await postgresFixture()
    try {
      const [a, b, c] = await seedOutbox(fresh.store(), 3)
      await fresh.store().outbox.lease({ now: at(1), limit: 10, lease: { owner: 'me', until: at(2) } })
      const sent: string[] = []
      const watched = postgresStore({
        pool: watchingPool(fresh.pool, async (text) => void sent.push(text)),
        schema: fresh.schema,
        clock: 'service',
      })
      const delivered = (id: string, owner = 'me', time = at(1)) =>
        watched.outbox.settle({ id, owner, outcome: { status: 'delivered', at: time } })
      // The first goes at once; the others wait for it, then go together, the repeated one counted once: the first of them.
      expect(
        await Promise.all([
          delivered(a!.id),
          delivered(b!.id),
          delivered(c!.id, 'someone-else'),
          delivered(c!.id),
          delivered(c!.id, 'me', at(2)),
        ]),
      ).toEqual([true, true, false, true, false])
      expect(sent.filter((text) => text.startsWith('UPDATE'))).toHaveLength(2)
      expect((await fresh.store().outbox.list({ status: 'delivered', limit: 10 })).map((entry) => [entry.id, entry.delivered_at])).toEqual(
        [a!, b!, c!].map((entry) => [entry.id, at(1)]).sort(),
      )
    } finally {
      await fresh.close()
    }
  })

  it('modify — a decision that throws gives its connection back to the pool for reuse, not discarded', async () => {
    const fresh = await postgresFixture()
    try {
      const { interaction } = await fresh.store().create(creation(record({ project: 'acme' })))
      const released: unknown[] = []
      const pool = {
        query: fresh.pool.query.bind(fresh.pool),
        async connect() {
          const client = await fresh.pool.connect()
          return {
            query: client.query.bind(client),
            release: (error?: Error | boolean) => {
              released.push(error)
              client.release(error)
            },
          }
        },
      } as unknown as PgPool
      const store = postgresStore({ pool, schema: fresh.schema, clock: 'service' })
      const refusal = new Error('refused by the decision')
      await expect(
        store.modify({
          project: interaction.project,
          id: interaction.id,
          decide: () => {
            throw refusal
          },
        }),
      ).rejects.toBe(refusal)
      expect(released).toEqual([undefined])
    } finally {
      await fresh.close()
    }
  })

  it('outbox.settle, list, revive — the same answers as the memory store; a wrong owner is refused', async () => {
    const fresh = await postgresFixture()
    try {
      const stores = { memory: memoryStore(), pg: fresh.store() }
      const answers: Record<'memory' | 'pg', unknown[]> = { memory: [], pg: [] }
      for (const [name, target] of Object.entries(stores) as ['memory' | 'pg', InteractionStore][]) {
        counter = 1000 // the same ids in both stores
        const [a, b, c] = await seedOutbox(target, 3)
        const log = (value: unknown) => answers[name].push(value)
        log(await target.outbox.lease({ now: at(1), limit: 10, lease: { owner: 'me', until: at(2) } }))
        log(await target.outbox.settle({ id: a!.id, owner: 'someone-else', outcome: { status: 'delivered', at: at(1) } }))
        log(await target.outbox.settle({ id: a!.id, owner: 'me', outcome: { status: 'delivered', at: at(1) } }))
        log(await target.outbox.settle({ id: a!.id, owner: 'me', outcome: { status: 'delivered', at: at(1) } })) // settled already
        log(
          await target.outbox.settle({ id: b!.id, owner: 'me', outcome: { status: 'pending', error: 'HTTP 503', next_attempt_at: at(5) } }),
        )
        log(await target.outbox.settle({ id: c!.id, owner: 'me', outcome: { status: 'dead', error: 'HTTP 400' } }))
        log(await target.outbox.lease({ now: at(4), limit: 10, lease: { owner: 'me2', until: at(6) } })) // b not due yet
        log(await target.outbox.lease({ now: at(5), limit: 10, lease: { owner: 'me2', until: at(6) } }))
        for (const status of ['pending', 'delivered', 'dead'] as const) log(await target.outbox.list({ status, limit: 10 }))
        log(await target.outbox.list({ status: 'pending', limit: 10, after: b!.id }))
        log(await target.outbox.revive({ id: a!.id, now: at(7) })) // not dead
        log(await target.outbox.revive({ id: c!.id, now: at(7) }))
        log(await target.outbox.revive({ id: 'missing', now: at(7) }))
        log(await target.outbox.list({ status: 'pending', limit: 1 }))
      }
      expect(answers.pg).toEqual(answers.memory)
      // Not vacuous: the wrong owner was refused, the right one accepted.
      expect(answers.pg.slice(1, 4)).toEqual([false, true, false])
      expect(answers.pg.at(-3)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: at(7), last_error: 'HTTP 400' })
    } finally {
      await fresh.close()
    }
  })
})

/** A manual clock shared by the service instances of a test. */
function manualClock(start = T0) {
  let now = new Date(start)
  return { now: () => now, advance: (ms: number) => void (now = new Date(now.getTime() + ms)) }
}

const membersOf = (n: number, prefix = 'user'): Participant[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'member', id: `${prefix}_${i}` }))

/** A service instance over `target`, recording the signals it delivers into `delivered`. */
function service(
  target: InteractionStore,
  clock: ReturnType<typeof manualClock>,
  delivered: Signal[],
  groups: Record<string, Participant[]> = {},
) {
  return createInteractions({
    store: target,
    clock: clock.now,
    signals: callbackSignals((signal) => void delivered.push(structuredClone(signal))),
    directory: { membersOf: async (_project, groupId) => groups[groupId] ?? [] },
  })
}

/**
 * A pool that ends, with pg_terminate_backend, the connection that runs the first statement
 * `strike` matches: just before sending it, or just after it succeeded (the reply is lost).
 */
function killingPool(pool: pg.Pool, admin: pg.Pool, when: 'before' | 'after', strike: RegExp): PgPool {
  let armed = true
  return {
    query: (text, values) => pool.query(text, values as unknown[]),
    async connect() {
      const client = await pool.connect()
      client.on('error', () => undefined)
      const kill = () => admin.query('SELECT pg_terminate_backend($1, 5000)', [(client as unknown as { processID: number }).processID])
      return Object.assign(Object.create(client) as pg.PoolClient, {
        async query(statement: string | pg.QueryConfig, values?: unknown[]) {
          if (!armed || !strike.test(textOf(statement))) return client.query(statement, values)
          armed = false
          if (when === 'before') await kill()
          const result = await client.query(statement, values)
          await kill()
          await client.query('SELECT 1') // fails: the connection is gone
          return result
        },
        release: (error?: Error | boolean) => client.release(error),
      })
    },
  }
}

describe('crash: a connection terminated in the middle of a respond', () => {
  // Each test on its own schema, so that deliverSignals sees only this test's signal.
  let crashFx: PostgresFixture
  let clock: ReturnType<typeof manualClock>
  let delivered: Signal[]
  let healthy: ReturnType<typeof service>
  let gate: Interaction
  beforeEach(async () => {
    crashFx = await postgresFixture()
    clock = manualClock()
    delivered = []
    healthy = service(crashFx.store(), clock, delivered)
    gate = await healthy.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: alice,
      run_id: 'run_crash',
      topic: 'gate',
    })
  })
  afterEach(() => crashFx.close())

  /** A service whose connection is terminated just before, or just after, its write statement. */
  const killedAround = (when: 'before' | 'after') =>
    service(
      postgresStore({
        pool: killingPool(crashFx.pool, crashFx.newPool(), when, /^WITH updated AS/),
        schema: crashFx.schema,
        clock: 'service',
      }),
      clock,
      delivered,
    )

  /** Nothing of the respond is stored; a retry then completes the interaction and delivers its signal. */
  async function expectUnchangedThenRetry() {
    expect(await crashFx.store().get({ project: 'acme', id: gate.id })).toEqual(gate)
    expect(await crashFx.store().history({ project: 'acme', id: gate.id })).toHaveLength(1)
    expect((await healthy.inbox('acme', alice, { limit: 100 })).items.map((r) => r.id)).toEqual([gate.id])
    expect(await count(crashFx.pool, `SELECT count(*) AS n FROM ${crashFx.schema}.outbox`)).toBe(0)
    expect(await healthy.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    expect(await healthy.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).toMatchObject({
      status: 'completed',
      version: 2,
    })
    expect(delivered.map((s) => s.interaction_id)).toEqual([gate.id])
  }

  it('respond — killed before its write reaches the server: nothing written', async () => {
    const crashing = killedAround('before')
    await expect(crashing.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).rejects.toThrow()
    await expectUnchangedThenRetry()
  })

  it('respond — killed mid-write, after the record, inbox and history writes and before the outbox insert: nothing written', async () => {
    // Another transaction holds an uncommitted outbox row with the signal's id, so the write
    // blocks on its outbox insert after it has written the record, its inbox rows and its events.
    const blocker = await crashFx.pool.connect()
    const admin = crashFx.newPool()
    try {
      await blocker.query('BEGIN')
      await blocker.query(
        `INSERT INTO ${crashFx.schema}.outbox (id, signal, status, attempts, next_attempt_at, created_at) VALUES ($1, '{}', 'dead', 0, now(), now())`,
        [`${gate.id}:completed`],
      )
      const blockerPid = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
      const responding = healthy.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
      const outcome = responding.then(
        () => 'resolved',
        (error: Error) => error.message,
      )
      // The write blocked by the uncommitted row; its other sub-statements, run in order, are done by then.
      let pid: number | undefined
      for (let i = 0; i < 200 && pid === undefined; i++) {
        const { rows } = await admin.query(
          `SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) AND query LIKE 'WITH updated AS%'`,
          [blockerPid],
        )
        pid = rows[0]?.pid
        if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 25))
      }
      expect(pid, 'the write never blocked on the outbox row').toBeDefined()
      await admin.query('SELECT pg_terminate_backend($1, 5000)', [pid])
      expect(await outcome).toMatch(/terminat/i)
    } finally {
      await blocker.query('ROLLBACK')
      blocker.release()
    }
    await expectUnchangedThenRetry()
  })

  it('respond — killed right after its write committed: fully written, and the next deliverSignals after the lease delivers it once', async () => {
    // Nobody else writes the record, so the write is a statement of its own, committed when it returns.
    const crashing = killedAround('after')
    await expect(crashing.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).rejects.toThrow()
    const stored = await crashFx.store().get({ project: 'acme', id: gate.id })
    expect(stored).toMatchObject({ status: 'completed', version: 2, responses: [{ actor: alice, value: { confirmed: true } }] })
    expect((await healthy.inbox('acme', alice, { limit: 100 })).items).toEqual([])
    expect(delivered).toEqual([])

    // The crashed call still holds the lease it took with the write; once it lapses, a dispatcher delivers.
    expect(await healthy.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(60_000)
    expect(await healthy.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(await healthy.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    expect(delivered).toEqual([
      expect.objectContaining({ interaction_id: gate.id, status: 'completed', idempotency_key: `${gate.id}:completed` }),
    ])
  })
})

describe('several service instances, each with its own pool, on one database', { timeout: 60_000 }, () => {
  it('respond — 50 responders through each of two instances on one first_responder interaction: one response, one outbox entry', async () => {
    const clock = manualClock()
    const delivered: Signal[] = []
    const members = membersOf(100, 'fr')
    const [one, two] = [fx.newPool(), fx.newPool()].map((pool) => service(fx.store(pool), clock, delivered, { crowd: members }))
    const gate = await one!.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'group', id: 'crowd' },
      run_id: 'run_fr',
      topic: 'gate',
    })
    const results = await Promise.allSettled(
      members.map((actor, i) => (i % 2 ? one! : two!).respond('acme', gate.id, { actor, value: { confirmed: true } })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []))
    expect(new Set(reasons)).toEqual(new Set(['not_pending']))
    const final = await two!.get('acme', gate.id)
    expect(final.responses).toHaveLength(1)
    expect(final.claimed_by).toEqual(final.responses[0]!.actor)
    expect(await count(fx.pool, `SELECT count(*) AS n FROM ${fx.schema}.outbox WHERE signal->>'interaction_id' = $1`, [gate.id])).toBe(1)
    expect(delivered.filter((s) => s.interaction_id === gate.id)).toHaveLength(1)
  })

  it('respond — 200 all_members responses split across two instances all land', async () => {
    const clock = manualClock()
    const delivered: Signal[] = []
    const members = membersOf(200, 'all')
    // The store's locked `modify` queues the writers on the row lock, so the defaults suffice.
    const [one, two] = [fx.newPool(), fx.newPool()].map((pool) =>
      createInteractions({
        store: fx.store(pool),
        clock: clock.now,
        signals: callbackSignals((signal) => void delivered.push(signal)),
        directory: { membersOf: async () => members },
      }),
    )
    const vote = await one!.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'group', id: 'everyone' },
      routing_policy: 'all_members',
      run_id: 'run_vote',
      topic: 'vote',
    })
    await Promise.all(
      members.map((actor, i) => (i % 2 ? one! : two!).respond('acme', vote.id, { actor, value: { confirmed: i % 3 === 0 } })),
    )
    const final = await one!.get('acme', vote.id)
    expect(final.status).toBe('completed')
    expect(final.version).toBe(201)
    expect(new Set(final.responses.map((r) => r.actor.id)).size).toBe(200)
    expect(delivered.filter((s) => s.interaction_id === vote.id)).toHaveLength(1)
    expect(await count(fx.pool, `SELECT count(*) AS n FROM ${fx.schema}.interaction_inbox WHERE interaction_id = $1`, [vote.id])).toBe(0)
    // 201 writes appended their events under the row lock: numbered 1 to the last without a gap.
    const { rows } = await fx.pool.query(
      `SELECT count(*)::int AS n, max(seq) AS last FROM ${fx.schema}.interaction_history WHERE interaction_id = $1`,
      [vote.id],
    )
    expect(rows[0].n).toBeGreaterThan(200)
    expect(rows[0].last).toBe(rows[0].n)
  })

  it('expireDue — four sweeps on two instances share the due interactions and expire each once', async () => {
    const fresh = await postgresFixture()
    try {
      const clock = manualClock()
      const delivered: Signal[] = []
      const [one, two] = [fresh.newPool(), fresh.newPool()].map((pool) => service(fresh.store(pool), clock, delivered))
      const due = []
      for (let i = 0; i < 60; i++) {
        due.push(
          await one!.create('acme', {
            type: 'approval',
            spec: { mode: 'confirm' },
            target_actor: alice,
            run_id: `run_${i}`,
            topic: 'gate',
            expires_at: at(10 + (i % 5)),
          }),
        )
      }
      await one!.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice, expires_at: at(120) })
      clock.advance(30 * 60_000)
      // Four sweepers of 25 share the 60 due items in one round: each claims its own share.
      const sweeps = await Promise.all([one!, two!, one!, two!].map((sweeper) => sweeper.expireDue({ limit: 25 })))
      expect(sweeps.reduce((sum, r) => sum + r.expired, 0)).toBe(60)
      expect(await Promise.all([one!.expireDue(), two!.expireDue()])).toEqual([{ expired: 0 }, { expired: 0 }])
      expect(
        await count(fresh.pool, `SELECT count(*) AS n FROM ${fresh.schema}.interactions WHERE status = 'expired' AND version = 2`),
      ).toBe(60)
      expect(await count(fresh.pool, `SELECT count(*) AS n FROM ${fresh.schema}.outbox`)).toBe(60)
      expect(new Set(delivered.map((s) => s.idempotency_key)).size).toBe(60)
      expect(delivered).toHaveLength(60)
    } finally {
      await fresh.close()
    }
  })

  it('deliverSignals — two dispatchers at once deliver each signal once', async () => {
    const fresh = await postgresFixture()
    try {
      const clock = manualClock()
      let down = true
      const delivered: Signal[] = []
      const instance = (pool: pg.Pool) =>
        createInteractions({
          store: fresh.store(pool),
          clock: clock.now,
          signals: callbackSignals(async (signal) => {
            if (down) throw new Error('engine unavailable')
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 5))
            delivered.push(signal)
          }),
        })
      const [one, two] = [instance(fresh.newPool()), instance(fresh.newPool())]
      for (let i = 0; i < 80; i++) {
        const gate = await one.create('acme', {
          type: 'approval',
          spec: { mode: 'confirm' },
          target_actor: alice,
          run_id: `run_${i}`,
          topic: 'gate',
        })
        await one.respond('acme', gate.id, { actor: alice, value: { confirmed: true } }) // delivery fails: left for retry
      }
      expect(delivered).toHaveLength(0)
      down = false
      clock.advance(60 * 60_000)
      const drain = async (dispatcher: typeof one) => {
        let sent = 0
        for (;;) {
          const report = await dispatcher.deliverSignals({ limit: 6 })
          if (report.delivered + report.retrying + report.dead === 0) return sent
          sent += report.delivered
        }
      }
      const [a, b] = await Promise.all([drain(one), drain(two)])
      expect(a + b).toBe(80)
      expect(a > 0 && b > 0).toBe(true)
      expect(delivered).toHaveLength(80)
      expect(new Set(delivered.map((s) => s.idempotency_key)).size).toBe(80)
      expect(await count(fresh.pool, `SELECT count(*) AS n FROM ${fresh.schema}.outbox WHERE status = 'delivered' AND attempts = 2`)).toBe(
        80,
      )
    } finally {
      await fresh.close()
    }
  })
})
