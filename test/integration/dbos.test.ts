/**
 * Signals that resume real DBOS 5 workflows, over the PostgreSQL server of the test setup: DBOS's
 * system schema and the store's tables in one database. Each workflow creates its interaction in a
 * step, suspends with `waitForInteraction`, and returns what woke it.
 */
import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk'
import {
  createInteractions,
  isSignalEntry,
  type CreateInteractionInput,
  type Interactions,
  type InteractionStore,
  type Signal,
  type SignalDelivery,
  type SignalEntry,
} from '@hitl/interactions'
import { dbosSignals, waitForInteraction, type DBOSSender, type InteractionOutcome } from '@hitl/interactions/dbos'
import { postgresStore, type PgPool } from '@hitl/interactions/postgres'
import { describeSignalDelivery } from '@hitl/interactions/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { failingCommitPool } from '../support/failing-commit.js'
import { alice, bob, carol, manualClock } from '../support/harness.js'
import { databaseUrl, postgresFixture, type PostgresFixture } from '../support/postgres.js'

const T0 = '2026-04-21T09:00:00.000Z'
const TOPIC = 'deploy-gate'
const LEASE_MS = 60_000

/** The deploy approval from the product description, without its run link (the workflow adds it). */
const deployGate = {
  type: 'approval',
  target_actor: alice,
  message: 'Approve deployment of service-api to production?',
  spec: { mode: 'confirm' },
  expires_at: '2026-04-22T10:00:00Z',
} as const

// --- shared state: DBOS is one runtime per process, so the file launches it once --------------

const clock = manualClock(T0)
const dbosSchema = `dbos_${Math.random().toString(36).slice(2, 10)}`
let fx: PostgresFixture
let client: DBOSClient
/** The run's side: the service the workflows create their interactions with. */
let runSide: Interactions
const background: Promise<unknown>[] = []

const directory = { membersOf: async () => [alice, bob, carol] }

/** A service instance of its own (own pool), as another process would have. */
function instance(options: { store?: InteractionStore; signals?: SignalDelivery } = {}) {
  return createInteractions({
    store: options.store ?? fx.store(fx.newPool({ max: 3 })),
    signals: options.signals ?? dbosSignals({ client }),
    directory,
    clock: clock.now,
    delivery: { leaseMs: LEASE_MS },
  })
}

// --- workflows, registered before launch ---------------------------------------------------------

interface GateRun {
  request: Omit<CreateInteractionInput, 'run_id' | 'topic'>
  /** One `waitForInteraction` per entry, with this timeout in seconds. */
  waits: number[]
}

/** Creates the interaction in a step, publishes its id, and waits on the topic once per `waits`. */
const gate = DBOS.registerWorkflow(
  async (run: GateRun) => {
    const runId = DBOS.workflowID!
    const created = await DBOS.runStep(
      () => runSide.create('acme', { ...run.request, run_id: runId, topic: TOPIC, idempotency_key: `${runId}:${TOPIC}` }),
      { name: 'createInteraction' },
    )
    await DBOS.setEvent('interaction_id', created.id)
    const outcomes: InteractionOutcome[] = []
    for (const timeoutSeconds of run.waits) outcomes.push(await waitForInteraction(TOPIC, { timeoutSeconds }))
    return outcomes
  },
  { name: 'gate' },
)

/** Only waits: for a run whose interaction was created elsewhere. */
const waitOnly = DBOS.registerWorkflow(async (timeoutSeconds: number) => waitForInteraction(TOPIC, { timeoutSeconds }), {
  name: 'waitOnly',
})

/** Receives every signal on `gate` until none comes for a second: the conformance suite's receiver. */
const collect = DBOS.registerWorkflow(
  async () => {
    const seen: Signal[] = []
    for (;;) {
      const outcome = await waitForInteraction('gate', { timeoutSeconds: 1 })
      if (outcome.status === 'timed_out') return seen
      seen.push(outcome.signal)
    }
  },
  { name: 'collect' },
)

/** Starts `gate` as workflow `runId` and waits until its interaction exists. */
async function startGate(runId: string, run: GateRun) {
  const handle = await DBOS.startWorkflow(gate, { workflowID: runId })(run)
  const interactionId = await DBOS.getEvent<string>(runId, 'interaction_id', 10)
  if (!interactionId) throw new Error(`workflow ${runId} did not create its interaction`)
  return { handle, interactionId }
}

const statusOf = async (runId: string) => (await DBOS.getWorkflowStatus(runId))?.status
/** Messages DBOS holds for a workflow, consumed or not: one per delivered signal after deduplication. */
const messagesFor = async (runId: string) =>
  Number((await fx.pool.query(`SELECT count(*) AS n FROM ${dbosSchema}.notifications WHERE destination_uuid = $1`, [runId])).rows[0].n)
const outboxRow = async (interactionId: string, status: 'completed' | 'expired' = 'completed') =>
  (
    await fx.pool.query(`SELECT status, attempts, lease_owner, delivered_at, last_error FROM ${fx.schema}.outbox WHERE id = $1`, [
      `${interactionId}:${status}`,
    ])
  ).rows[0]

const confirmed = (actor: typeof alice | typeof bob | typeof carol) => ({ actor, value: { confirmed: true } })

beforeAll(async () => {
  fx = await postgresFixture()
  DBOS.setConfig({
    name: 'hitl-dbos-test',
    systemDatabaseUrl: databaseUrl(),
    systemDatabaseSchemaName: dbosSchema,
    logLevel: 'warn',
    systemDatabaseIdleTransactionTimeoutMs: 0,
  })
  await DBOS.launch()
  client = await DBOSClient.create({
    systemDatabaseUrl: databaseUrl(),
    systemDatabaseSchemaName: dbosSchema,
    systemDatabaseIdleTransactionTimeoutMs: 0,
  })
  runSide = instance()
}, 60_000)

afterAll(async () => {
  await Promise.allSettled(background)
  await client?.destroy()
  await DBOS.shutdown({ deregister: true })
  await fx?.pool.query(`DROP SCHEMA IF EXISTS ${dbosSchema} CASCADE`)
  await fx?.close()
}, 60_000)

beforeEach(() => clock.set(T0))

// --- the published conformance suite, against real workflows ---------------------------------------

describeSignalDelivery('dbos', () => {
  let failNext: 'transient' | 'permanent' | undefined
  const collectors = new Map<string, Promise<Signal[]>>()
  // A transient failure as a dropped connection would cause one; the real send otherwise.
  const flaky: DBOSSender = {
    async send(...args) {
      if (failNext !== 'transient') return client.send(...args)
      failNext = undefined
      throw new Error('connection reset')
    },
  }
  const delivery = dbosSignals({ client: flaky })
  return {
    delivery: {
      async deliver(signal) {
        // A permanent failure: the signal's run has no workflow, which is a real DBOS refusal.
        if (failNext === 'permanent') failNext = undefined
        else if (!collectors.has(signal.run_id)) {
          const handle = await DBOS.startWorkflow(collect, { workflowID: signal.run_id })()
          const result = handle.getResult()
          collectors.set(signal.run_id, result)
          background.push(result)
        }
        return delivery.deliver(signal)
      },
    },
    received: async () => (await Promise.all(collectors.values())).flat(),
    failNext: (kind) => void (failNext = kind),
    deduplicates: true,
  }
})

// --- the deploy gate, end to end ------------------------------------------------------------------

describe('DBOS workflows resumed by interactions', () => {
  it("deploy gate — run_01abc suspends on deploy-gate and resumes with Alice's approval", { timeout: 20_000 }, async () => {
    const { handle, interactionId } = await startGate('run_01abc', { request: deployGate, waits: [30] })
    expect(await statusOf('run_01abc')).toBe('PENDING')

    // Alice, from her UI: another service instance, sharing only the database.
    const ui = instance()
    const { items } = await ui.inbox('acme', alice)
    expect(items.map((item) => item.id)).toContain(interactionId)
    await ui.respond('acme', interactionId, { ...confirmed(alice), comment: 'ship it' })

    const [outcome] = await handle.getResult()
    expect(outcome).toEqual({
      status: 'completed',
      signal: {
        interaction_id: interactionId,
        project: 'acme',
        run_id: 'run_01abc',
        topic: TOPIC,
        status: 'completed',
        responses: [{ actor: alice, value: { confirmed: true }, comment: 'ship it', responded_at: T0 }],
        outcome: 'approved',
        idempotency_key: `${interactionId}:completed`,
      },
    })
    expect(await statusOf('run_01abc')).toBe('SUCCESS')
    expect(await outboxRow(interactionId)).toMatchObject({ status: 'delivered', attempts: 1, lease_owner: null })
  })

  it('expiry — nobody answers; after expires_at the sweeper resumes the run with status expired', { timeout: 20_000 }, async () => {
    const { handle, interactionId } = await startGate('run_02expiry', { request: deployGate, waits: [30] })
    const scheduler = instance()
    expect(await scheduler.expireDue()).toEqual({ expired: 0 })
    clock.set('2026-04-22T10:00:01.000Z')
    expect((await scheduler.expireDue()).expired).toBeGreaterThanOrEqual(1)

    const [outcome] = await handle.getResult()
    expect(outcome).toMatchObject({
      status: 'expired',
      signal: { interaction_id: interactionId, run_id: 'run_02expiry', status: 'expired', responses: [] },
    })
    expect(await outboxRow(interactionId, 'expired')).toMatchObject({ status: 'delivered' })
  })

  it('expiry with a default — the run resumes expired, with the default as its fallback', { timeout: 20_000 }, async () => {
    const request = { ...deployGate, spec: { mode: 'confirm', default_confirmed: false } } as const
    const { handle, interactionId } = await startGate('run_02fallback', { request, waits: [30] })
    clock.set('2026-04-22T10:00:01.000Z')
    expect((await instance().expireDue()).expired).toBeGreaterThanOrEqual(1)

    const [outcome] = await handle.getResult()
    expect(outcome).toMatchObject({
      status: 'expired',
      signal: {
        interaction_id: interactionId,
        status: 'expired',
        responses: [],
        fallback: { value: { confirmed: false }, source: 'spec_default' },
      },
    })
  })

  it('all members of a group of three — the run resumes only after the third response, with all three', { timeout: 20_000 }, async () => {
    const request = { ...deployGate, target_actor: { type: 'group', id: 'group_release' }, routing_policy: 'all_members' } as const
    const { handle, interactionId } = await startGate('run_03group', { request, waits: [30] })
    const ui = instance()
    await ui.respond('acme', interactionId, confirmed(alice))
    await ui.respond('acme', interactionId, confirmed(bob))
    expect(await statusOf('run_03group')).toBe('PENDING')
    expect(await messagesFor('run_03group')).toBe(0)

    await ui.respond('acme', interactionId, confirmed(carol))
    const [outcome] = await handle.getResult()
    expect(outcome).toMatchObject({ status: 'completed', signal: { responses: [{ actor: alice }, { actor: bob }, { actor: carol }] } })
  })
})

// --- crashes: at-least-once delivery, one wake-up ------------------------------------------------------

describe('a process that dies after the decision', () => {
  /** A store whose process is gone once the decision is written: it can no longer record a delivery. */
  const dyingStore = (): InteractionStore => {
    const store = fx.store(fx.newPool({ max: 2 }))
    return { ...store, outbox: { ...store.outbox, settle: () => Promise.reject(new Error('process died')) } }
  }

  it('crash before delivery — a new instance delivers after the lease; the run wakes once, a redelivery does not wake it again', {
    timeout: 20_000,
  }, async () => {
    // The second wait proves no second message arrives.
    const { handle, interactionId } = await startGate('run_04crash', { request: deployGate, waits: [30, 2] })
    const doomed = instance({ store: dyingStore(), signals: { deliver: () => Promise.reject(new Error('process died')) } })
    await doomed.respond('acme', interactionId, confirmed(alice))
    expect(await outboxRow(interactionId)).toMatchObject({ status: 'pending', attempts: 1, lease_owner: expect.any(String) })
    expect(await messagesFor('run_04crash')).toBe(0)

    const survivor = instance()
    expect(await survivor.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 }) // the dead process still holds the lease
    clock.advance(LEASE_MS)
    expect(await survivor.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(await outboxRow(interactionId)).toMatchObject({ status: 'delivered', attempts: 2 })

    // The same signal again, as a second dispatcher racing the first would send it.
    const [entry] = (await fx.store().outbox.list({ status: 'delivered', limit: 1_000 })).filter(
      (e): e is SignalEntry => isSignalEntry(e) && e.signal.interaction_id === interactionId,
    )
    await dbosSignals({ client }).deliver(entry!.signal)
    expect(await survivor.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })

    const outcomes = await handle.getResult()
    expect(outcomes.map((o) => o.status)).toEqual(['completed', 'timed_out'])
    expect(outcomes[0]).toMatchObject({ signal: { responses: [{ actor: alice }] } })
    expect(await messagesFor('run_04crash')).toBe(1)
  })

  it('crash after delivery, before recording it — the new instance sends it again, DBOS drops the repeat, the run wakes once', {
    timeout: 20_000,
  }, async () => {
    const { handle, interactionId } = await startGate('run_05sent', { request: deployGate, waits: [30, 2] })
    const doomed = instance({ store: dyingStore() })
    await doomed.respond('acme', interactionId, confirmed(alice))
    expect(await outboxRow(interactionId)).toMatchObject({ status: 'pending', lease_owner: expect.any(String) })
    expect(await messagesFor('run_05sent')).toBe(1)

    clock.advance(LEASE_MS)
    expect(await instance().deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    const outcomes = await handle.getResult()
    expect(outcomes.map((o) => o.status)).toEqual(['completed', 'timed_out'])
    expect(await messagesFor('run_05sent')).toBe(1)
  })
})

// --- delivery inside the state-change transaction ---------------------------------------------------

describe('dbosSignals({ inTransaction: true }) — the decision and the message commit together', () => {
  /** A service whose signals send inside the store's transaction; `deliveries` counts the outbox path's sends. */
  function inTransactionInstance(pool: PgPool = fx.newPool({ max: 3 })) {
    let deliveries = 0
    const signals = dbosSignals({ client, inTransaction: true })
    const service = instance({
      store: postgresStore({ pool, schema: fx.schema, clock: 'service' }),
      signals: { ...signals, deliver: (signal) => (deliveries++, signals.deliver(signal)) },
    })
    return { service, deliveries: () => deliveries }
  }

  it('respond — resumes the run, and the outbox row is delivered in the same commit, with no outbox delivery', {
    timeout: 20_000,
  }, async () => {
    const { handle, interactionId } = await startGate('run_06tx', { request: deployGate, waits: [30] })
    const { service, deliveries } = inTransactionInstance()
    await service.respond('acme', interactionId, confirmed(alice))
    expect(await outboxRow(interactionId)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lease_owner: null,
      delivered_at: new Date(T0),
    })
    expect(deliveries()).toBe(0)
    const [outcome] = await handle.getResult()
    expect(outcome).toMatchObject({ status: 'completed', signal: { run_id: 'run_06tx', responses: [{ actor: alice }] } })
  })

  it('a transaction that does not commit — neither the decision nor the message exists; the retry resumes the run once', {
    timeout: 20_000,
  }, async () => {
    const { handle, interactionId } = await startGate('run_07rollback', { request: deployGate, waits: [30, 2] })
    const broken = inTransactionInstance(failingCommitPool(fx.newPool({ max: 2 })))
    await expect(broken.service.respond('acme', interactionId, confirmed(alice))).rejects.toThrow(/connection lost at COMMIT/)
    expect((await runSide.get('acme', interactionId)).status).toBe('pending')
    expect(await outboxRow(interactionId)).toBeUndefined()
    expect(await messagesFor('run_07rollback')).toBe(0)
    expect(await statusOf('run_07rollback')).toBe('PENDING')

    await inTransactionInstance().service.respond('acme', interactionId, confirmed(alice))
    const outcomes = await handle.getResult()
    expect(outcomes.map((o) => o.status)).toEqual(['completed', 'timed_out'])
  })

  it('a run with no workflow — the decision still commits, the entry takes the outbox path and dead-letters; once the workflow exists, retrySignal resumes it', {
    timeout: 20_000,
  }, async () => {
    // Created outside any workflow, for a run id DBOS does not know yet.
    const created = await runSide.create('acme', { ...deployGate, run_id: 'run_08late', topic: TOPIC })
    const { service, deliveries } = inTransactionInstance()
    const done = await service.respond('acme', created.id, confirmed(alice))
    expect(done).toMatchObject({ status: 'completed', responses: [{ actor: alice }] })
    expect(await runSide.get('acme', created.id)).toMatchObject({ status: 'completed', version: 2 })
    expect(deliveries()).toBe(1) // the savepoint fallback handed it to the outbox, which tried once
    const row = await outboxRow(created.id)
    expect(row).toMatchObject({ status: 'dead' })
    expect(row.last_error).toMatch(/run_08late.*does not exist/)
    expect((await service.failedSignals()).map((e) => e.id)).toEqual([`${created.id}:completed`])

    const handle = await DBOS.startWorkflow(waitOnly, { workflowID: 'run_08late' })(30)
    await service.retrySignal(`${created.id}:completed`)
    expect(await service.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(await handle.getResult()).toMatchObject({ status: 'completed', signal: { run_id: 'run_08late', responses: [{ actor: alice }] } })
  })
})
