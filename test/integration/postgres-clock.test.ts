/**
 * One clock: service instances whose own clocks are minutes apart share one PostgreSQL database,
 * and every decision, timestamp, lease and sweep follows the database's clock, so they agree.
 */
import { callbackSignals, createInteractions, type Interaction, type Signal } from '@hitl/interactions'
import { postgresStore } from '@hitl/interactions/postgres'
import { insertRecord, makeRecord } from '@hitl/interactions/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { alice, rejection } from '../support/harness.js'
import { postgresFixture, watchingPool, type PostgresFixture } from '../support/postgres.js'

const MINUTE = 60_000
const LEASE_MS = 60_000

let fx: PostgresFixture
beforeEach(async () => {
  fx = await postgresFixture()
})
afterEach(() => fx.close())

/** The database's time, as the store reads it. */
const databaseNow = async () => (await fx.store(fx.pool, { clock: 'database' }).now!()).getTime()
const iso = (ms: number) => new Date(ms).toISOString()

/** A service instance with a pool of its own whose clock is `skewMs` off the real time. */
function instance(skewMs: number, deliver: (signal: Signal) => void | Promise<void> = () => undefined) {
  return createInteractions({
    store: fx.store(fx.newPool(), { clock: 'database' }),
    clock: () => new Date(Date.now() + skewMs),
    signals: callbackSignals(deliver),
    delivery: { leaseMs: LEASE_MS },
  })
}
const slow = (deliver?: (signal: Signal) => void | Promise<void>) => instance(-2 * MINUTE, deliver)
const fast = (deliver?: (signal: Signal) => void | Promise<void>) => instance(2 * MINUTE, deliver)

/** Writes a pending run-linked record straight to the store, bypassing the service's checks on expires_at. */
async function insert(overrides: Partial<Interaction>): Promise<Interaction> {
  const created = iso((await databaseNow()) - 10 * MINUTE)
  const record = makeRecord({ project: 'acme', run_id: 'run_clock', topic: 'gate', created_at: created, updated_at: created, ...overrides })
  return insertRecord(fx.store(), record)
}

/** Expects an ISO time within [from, to] (epoch milliseconds). */
const within = (at: string | undefined, from: number, to: number) => {
  expect(at).toBeDefined()
  expect(Date.parse(at!)).toBeGreaterThanOrEqual(from)
  expect(Date.parse(at!)).toBeLessThanOrEqual(to)
}

const runLinked = { type: 'approval', spec: { mode: 'confirm' }, run_id: 'run_1', topic: 'gate' } as const

describe('two instances, two minutes slow and two minutes fast, on one database', () => {
  it('respond — the slow instance refuses a response a minute after expires_at, and records the expiry at the database time', async () => {
    const delivered: Signal[] = []
    const gate = await insert({ expires_at: iso((await databaseNow()) - MINUTE) })
    const before = await databaseNow()
    const responder = slow((signal) => void delivered.push(signal))
    const error = await rejection(() => responder.respond('acme', gate.id, { actor: alice, value: { confirmed: true } }))
    const after = await databaseNow()
    expect(error.code).toBe('expired')
    const stored = (await fx.store().get({ project: 'acme', id: gate.id }))!
    expect(stored).toMatchObject({ status: 'expired', responses: [], version: 2 })
    within(stored.expired_at, before, after)
    expect(delivered.map((s) => s.status)).toEqual(['expired'])
  })

  it('create, respond — timestamps are the database time, whichever instance writes them', async () => {
    const before = await databaseNow()
    const gate = await slow().create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice })
    const done = await fast().respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    const after = await databaseNow()
    within(gate.created_at, before, after)
    within(done.responses[0]!.responded_at, Date.parse(gate.created_at), after)
    within(done.completed_at, Date.parse(gate.created_at), after)
    expect(done.updated_at).toBe(done.completed_at)
  })

  it('create — expires_at must be after the database time: the slow instance refuses a past one, the fast accepts a future one', async () => {
    const now = await databaseNow()
    const input = { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice } as const
    const error = await rejection(() => slow().create('acme', { ...input, expires_at: iso(now - MINUTE) }))
    expect(error).toMatchObject({ code: 'validation_failed', issues: [{ path: ['expires_at'] }] })
    expect(await fast().create('acme', { ...input, expires_at: iso(now + MINUTE) })).toMatchObject({ status: 'pending' })
  })

  it('inbox, get — the slow instance shows no interaction that is overdue by the database time', async () => {
    const overdue = await insert({ expires_at: iso((await databaseNow()) - MINUTE) })
    expect((await slow().inbox('acme', alice)).items).toEqual([])
    expect(await slow().get('acme', overdue.id)).toMatchObject({ status: 'expired' })
  })

  it('get, inbox, expireDue, respond — the fast instance expires nothing early', async () => {
    const gate = await insert({ expires_at: iso((await databaseNow()) + MINUTE) })
    const early = fast()
    expect(await early.expireDue()).toEqual({ expired: 0 })
    expect(await early.get('acme', gate.id)).toMatchObject({ status: 'pending', version: 1 })
    expect((await early.inbox('acme', alice)).items.map((r) => r.id)).toEqual([gate.id])
    expect(await early.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).toMatchObject({ status: 'completed' })
  })

  it('expireDue — the slow instance sweeps what is due by the database time, and claims it for a lease from that time', async () => {
    const gate = await insert({ expires_at: iso((await databaseNow()) - MINUTE) })
    const before = await databaseNow()
    // The hold ends with the write that expires it, so the sweep's claim is read where it is asked for.
    const store = fx.store(fx.newPool(), { clock: 'database' })
    const claims: string[] = []
    const sweeper = createInteractions({
      store: { ...store, due: (query) => (claims.push(query.claimUntil), store.due(query)) },
      clock: () => new Date(Date.now() - 2 * MINUTE),
      signals: callbackSignals(() => undefined),
      delivery: { leaseMs: LEASE_MS },
    })
    expect(await sweeper.expireDue()).toEqual({ expired: 1 })
    expect(Date.parse(claims[0]!)).toBeGreaterThanOrEqual(before + LEASE_MS)
    expect((await fx.store().get({ project: 'acme', id: gate.id }))!.status).toBe('expired')
  })

  it('deliverSignals — the fast instance does not re-lease a signal the slow one is still delivering', async () => {
    const sent: string[] = []
    let entered!: () => void
    const delivering = new Promise<void>((resolve) => (entered = resolve))
    let finish!: () => void
    const held = new Promise<void>((resolve) => (finish = resolve))
    const responder = slow(async (signal) => {
      entered()
      await held
      sent.push(signal.idempotency_key)
    })
    const dispatcher = fast((signal) => void sent.push(signal.idempotency_key))
    const gate = await responder.create('acme', { ...runLinked, target_actor: alice })
    const responding = responder.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    await delivering
    expect(await dispatcher.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    finish()
    await responding
    expect(sent).toEqual([`${gate.id}:completed`])
    expect(await dispatcher.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
  })
})

describe('postgresStore clock option', () => {
  it('postgresStore — the database clock by default; the service clock on request; anything else is a configuration error', () => {
    expect(typeof postgresStore({ pool: fx.pool, schema: fx.schema }).now).toBe('function')
    expect(postgresStore({ pool: fx.pool, schema: fx.schema, clock: 'service' }).now).toBeUndefined()
    expect(() => postgresStore({ pool: fx.pool, schema: fx.schema, clock: 'local' as never })).toThrow(
      expect.objectContaining({ code: 'configuration', message: expect.stringMatching(/clock must be 'database' or 'service'/) }),
    )
  })
})

describe('now on the database clock', () => {
  it('now — calls made while a reading is on its way share the next one, which starts after they were made', async () => {
    const readings: string[] = []
    const store = postgresStore({ pool: watchingPool(fx.pool, async (text) => void readings.push(text)), schema: fx.schema })
    const first = store.now!()
    const during = Array.from({ length: 7 }, () => store.now!())
    const [firstTime, ...duringTimes] = await Promise.all([first, ...during])
    expect(readings).toHaveLength(2)
    expect(new Set(duringTimes.map((time) => time.getTime())).size).toBe(1)
    expect(duringTimes[0]!.getTime()).toBeGreaterThanOrEqual(firstTime!.getTime())
    // Each caller has a Date of its own.
    expect(new Set(duringTimes).size).toBe(7)
  })

  it('now — a reading that fails fails the calls it was for, and the next calls read again', async () => {
    let failures = 1
    const store = postgresStore({
      pool: watchingPool(fx.pool, async () => {
        if (failures-- > 0) throw new Error('connection refused')
      }),
      schema: fx.schema,
    })
    const first = store.now!()
    const during = Array.from({ length: 3 }, () => store.now!())
    await expect(first).rejects.toThrow('connection refused')
    expect(await Promise.all(during)).toHaveLength(3)
    expect(await store.now!()).toBeInstanceOf(Date)
  })
})

describe('modify on the database clock', () => {
  it('respond — decides at the time it got the row lock, not when it asked: a wait past expires_at is refused', async () => {
    const holder = await fx.pool.connect()
    try {
      const expiresAt = (await databaseNow()) + 1_000
      const gate = await insert({ expires_at: iso(expiresAt) })
      await holder.query('BEGIN')
      await holder.query(`SELECT 1 FROM ${fx.schema}.interactions WHERE id = $1 FOR UPDATE`, [gate.id])
      const outcome = instance(0)
        .respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
        .then(
          () => 'accepted',
          (error: { code: string }) => error.code,
        )
      // The respond waits for the lock from before expires_at until after it.
      for (let waiting = false; !waiting; await new Promise((resolve) => setTimeout(resolve, 10))) {
        const { rows } = await fx.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND query LIKE 'WITH locked AS%' AND query LIKE $1`,
          [`%${fx.schema}.interactions%`],
        )
        waiting = rows[0].n > 0
      }
      expect(await databaseNow()).toBeLessThan(expiresAt)
      while ((await databaseNow()) <= expiresAt) await new Promise((resolve) => setTimeout(resolve, 50))
      await holder.query('ROLLBACK')
      expect(await outcome).toBe('expired')
    } finally {
      holder.release()
    }
  })
})
