/**
 * The `withinTransaction` hook of the PostgreSQL store's `modify`, without an engine: a send that
 * writes on the transaction's connection commits with the decision, and a send that fails — even
 * with a SQL error that aborts the transaction — rolls back to a savepoint and leaves the decision
 * whole. Through the service, a signals adapter's `deliverInTransaction` is that hook.
 */
import { createInteractions, type Interaction, type Signal, type SignalEntry, type SignalDelivery } from '@hitl/interactions'
import { postgresStore, type PgClient, type PgPool } from '@hitl/interactions/postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failingCommitPool } from '../support/failing-commit.js'
import { alice, deployGate, manualClock } from '../support/harness.js'
import { postgresFixture, type PostgresFixture } from '../support/postgres.js'

let fx: PostgresFixture
beforeAll(async () => {
  fx = await postgresFixture()
  // The engine's side, in the same database: one row per message it accepted.
  await fx.pool.query(`CREATE TABLE ${fx.schema}.engine_messages (key text PRIMARY KEY, run_id text NOT NULL)`)
})
afterAll(() => fx?.close())

type Send = (client: PgClient, signal: Signal) => Promise<void>

const insertMessage: Send = async (client, signal) => {
  await client.query(`INSERT INTO ${fx.schema}.engine_messages (key, run_id) VALUES ($1, $2)`, [signal.idempotency_key, signal.run_id])
}
const failingSql: Send = async (client, signal) => {
  await insertMessage(client, signal)
  await client.query('SELECT 1 / 0')
}
const messages = async (key: string) => (await fx.pool.query(`SELECT run_id FROM ${fx.schema}.engine_messages WHERE key = $1`, [key])).rows
const outboxRow = async (id: string) =>
  (
    await fx.pool.query(
      `SELECT status, attempts, lease_owner, lease_expires_at, delivered_at, last_error FROM ${fx.schema}.outbox WHERE id = $1`,
      [id],
    )
  ).rows[0]
const respondAsAlice = { actor: alice, value: { confirmed: true } }

describe('postgresStore modify withinTransaction', () => {
  let n = 0
  /** A pending run-linked record in the store, and the write that completes it with its outbox entry. */
  async function pendingGate(store = fx.store()) {
    const T0 = '2026-04-21T09:00:00.000Z'
    const record: Interaction = {
      id: `iact_hook_${++n}`,
      project: 'acme',
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: alice,
      run_id: 'run_01abc',
      topic: 'deploy-gate',
      status: 'pending',
      responses: [],
      created_at: T0,
      updated_at: T0,
      version: 1,
    }
    await store.create({ record, inbox: ['member:user_alice'], events: [{ type: 'created', at: T0 }] })
    const done: Interaction = { ...record, status: 'completed', completed_at: T0, version: 2 }
    const signal: Signal = {
      interaction_id: record.id,
      project: 'acme',
      run_id: 'run_01abc',
      topic: 'deploy-gate',
      status: 'completed',
      responses: [],
      idempotency_key: `${record.id}:completed`,
    }
    // Due in a month, so that an entry left pending here is not delivered by the service tests below.
    const later = '2026-05-21T09:00:00.000Z'
    const entry: SignalEntry = {
      id: signal.idempotency_key,
      signal,
      status: 'pending',
      attempts: 1,
      next_attempt_at: later,
      lease_owner: 'me',
      lease_expires_at: later,
      created_at: T0,
    }
    return { record, done, entry }
  }
  const complete = (
    store: ReturnType<typeof fx.store>,
    gate: Awaited<ReturnType<typeof pendingGate>>,
    send: Send,
    outbox: boolean = true,
  ) =>
    store.modify({
      project: 'acme',
      id: gate.record.id,
      decide: () => ({
        result: 'done',
        write: {
          record: gate.done,
          inbox: [],
          events: [{ type: 'completed', at: gate.done.updated_at }],
          ...(outbox && { outbox: [gate.entry] }),
        },
      }),
      withinTransaction: (entry, transaction) => send(transaction as PgClient, entry.signal),
    })

  it('modify — the hook runs on the transaction after the write; its message and the delivered entry commit with the decision', async () => {
    const gate = await pendingGate()
    expect(await complete(fx.store(), gate, insertMessage)).toEqual({ result: 'done' })
    expect(await messages(gate.entry.id)).toEqual([{ run_id: 'run_01abc' }])
    expect(await outboxRow(gate.entry.id)).toEqual({
      status: 'delivered',
      attempts: 1,
      lease_owner: null,
      lease_expires_at: null,
      delivered_at: new Date(gate.entry.created_at),
      last_error: null,
    })
  })

  it('modify — a hook whose SQL fails rolls back to the savepoint: the decision and its event commit, the entry stays pending with the reason', async () => {
    const gate = await pendingGate()
    expect(await complete(fx.store(), gate, failingSql)).toEqual({ result: 'done' })
    expect(await fx.store().get({ project: 'acme', id: gate.record.id })).toEqual(gate.done)
    expect((await fx.store().history({ project: 'acme', id: gate.record.id })).map((event) => event.type)).toEqual(['created', 'completed'])
    expect(await messages(gate.entry.id)).toEqual([])
    expect(await outboxRow(gate.entry.id)).toMatchObject({
      status: 'pending',
      lease_owner: 'me',
      last_error: expect.stringMatching(/^in transaction: .*division by zero/),
    })
  })

  it('modify — no outbox entry, no call of the hook', async () => {
    const gate = await pendingGate()
    let called = false
    await complete(fx.store(), gate, async () => void (called = true), false)
    expect(called).toBe(false)
    expect(await fx.store().get({ project: 'acme', id: gate.record.id })).toEqual(gate.done)
  })

  it('modify — a transaction that does not commit loses the message with the decision', async () => {
    const gate = await pendingGate()
    const failing = postgresStore({ pool: failingCommitPool(fx.newPool({ max: 2 })), schema: fx.schema, clock: 'service' })
    await expect(complete(failing, gate, insertMessage)).rejects.toThrow(/connection lost at COMMIT/)
    expect(await fx.store().get({ project: 'acme', id: gate.record.id })).toEqual(gate.record)
    expect(await fx.store().history({ project: 'acme', id: gate.record.id })).toHaveLength(1)
    expect(await messages(gate.entry.id)).toEqual([])
    expect(await outboxRow(gate.entry.id)).toBeUndefined()
  })
})

/** A service whose signals adapter sends with `send` inside the store's transaction, recording what the outbox path delivers. */
function setup(send: Send, options: { pool?: PgPool; outboxFails?: boolean; onDeliver?: (signal: Signal) => Promise<void> } = {}) {
  const clock = manualClock()
  const outboxDelivered: Signal[] = []
  const store = postgresStore({ pool: options.pool ?? fx.pool, schema: fx.schema, clock: 'service' })
  const signals: SignalDelivery = {
    deliver: async (signal) => {
      if (options.outboxFails) throw new Error('engine unreachable')
      await options.onDeliver?.(signal)
      outboxDelivered.push(signal)
    },
    deliverInTransaction: (signal, transaction) => send(transaction as PgClient, signal),
  }
  return { interactions: createInteractions({ store, clock: clock.now, signals }), clock, outboxDelivered }
}

describe('a signals adapter with deliverInTransaction, through the service', () => {
  it('respond — the message and the delivered outbox row commit with the decision; the outbox path does not send it again', async () => {
    const { interactions, outboxDelivered } = setup(insertMessage)
    const created = await interactions.create('acme', deployGate)
    await interactions.respond('acme', created.id, respondAsAlice)
    const key = `${created.id}:completed`
    expect(await messages(key)).toEqual([{ run_id: 'run_01abc' }])
    expect(await outboxRow(key)).toMatchObject({
      status: 'delivered',
      lease_owner: null,
      delivered_at: new Date('2026-04-21T09:00:00.000Z'),
      last_error: null,
    })
    expect(outboxDelivered).toEqual([])
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
  })

  it('expireDue — an expiry is sent in its transaction too', async () => {
    const { interactions, clock, outboxDelivered } = setup(insertMessage)
    const created = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00.000Z')
    await interactions.get('acme', created.id) // lazy expiry goes through the same locked write
    expect(await messages(`${created.id}:expired`)).toHaveLength(1)
    expect(await outboxRow(`${created.id}:expired`)).toMatchObject({ status: 'delivered' })
    expect(outboxDelivered).toEqual([])
  })

  it('respond — a send whose SQL fails rolls back to the savepoint: the decision commits, its own writes do not, and the outbox delivers', async () => {
    const errorsAtDelivery: unknown[] = []
    const onDeliver = async (signal: Signal) => void errorsAtDelivery.push((await outboxRow(signal.idempotency_key)).last_error)
    const { interactions, outboxDelivered } = setup(failingSql, { onDeliver })
    const created = await interactions.create('acme', deployGate)
    const done = await interactions.respond('acme', created.id, respondAsAlice)
    expect(done).toMatchObject({ status: 'completed', responses: [{ actor: alice, value: { confirmed: true } }] })
    expect(await fx.store().get({ project: 'acme', id: created.id })).toEqual(done)
    const key = `${created.id}:completed`
    expect(await messages(key)).toEqual([])
    expect(outboxDelivered.map((s) => s.idempotency_key)).toEqual([key])
    // The outbox path found why the send in the transaction failed; its delivery then cleared it.
    expect(errorsAtDelivery).toEqual([expect.stringMatching(/^in transaction: .*division by zero/)])
    expect(await outboxRow(key)).toMatchObject({ status: 'delivered', attempts: 1, last_error: null })
  })

  it('respond — a send that throws and an outbox that fails too: the decision commits and the entry waits for deliverSignals', async () => {
    const failing = setup(() => Promise.reject(new Error('engine refused')), { outboxFails: true })
    const created = await failing.interactions.create('acme', deployGate)
    await failing.interactions.respond('acme', created.id, respondAsAlice)
    expect((await failing.interactions.get('acme', created.id)).status).toBe('completed')
    const key = `${created.id}:completed`
    expect(await outboxRow(key)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lease_owner: null,
      last_error: 'Error: engine unreachable',
    })

    // Later, a dispatcher whose engine answers delivers it through the normal path.
    const later = setup(insertMessage)
    later.clock.advance(60_000)
    expect(await later.interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(later.outboxDelivered.map((s) => s.idempotency_key)).toEqual([key])
    expect(await outboxRow(key)).toMatchObject({ status: 'delivered', attempts: 2 })
  })

  it('respond — a transaction that does not commit loses the message with the decision', async () => {
    const pool = fx.newPool({ max: 2 })
    const created = await setup(insertMessage).interactions.create('acme', deployGate)
    const broken = setup(insertMessage, { pool: failingCommitPool(pool) })
    await expect(broken.interactions.respond('acme', created.id, respondAsAlice)).rejects.toThrow(/connection lost at COMMIT/)
    expect(await fx.store().get({ project: 'acme', id: created.id })).toMatchObject({ status: 'pending', version: 1 })
    expect(await messages(`${created.id}:completed`)).toEqual([])
    expect(await outboxRow(`${created.id}:completed`)).toBeUndefined()
    expect(broken.outboxDelivered).toEqual([])
  })
})
