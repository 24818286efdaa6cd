import {
  callbackSignals,
  createInteractions,
  isInteractionError,
  LIMITS,
  memoryStore,
  type InteractionStore,
  type Signal,
} from '@hitl/interactions'
import { webhookSignals } from '@hitl/interactions/webhook'
import { describe, expect, it } from 'vitest'
import { crashable, SimulatedCrash, type CrashPoint } from '../support/crash.js'
import { alice, deployGate, harness, rejection } from '../support/harness.js'

const LEASE_MS = 60_000
type Service = ReturnType<typeof harness>['interactions']
const respondYes = { actor: alice, value: { confirmed: true } }

/** A receiver that fails the next `failures` deliveries, then accepts. */
function flakyReceiver(failures: number, permanent = false) {
  const attempts: Signal[] = []
  const received: Signal[] = []
  const signals = callbackSignals((signal) => {
    attempts.push(signal)
    if (attempts.length <= failures) throw Object.assign(new Error(`receiver down (attempt ${attempts.length})`), { permanent })
    received.push(signal)
  })
  return { signals, attempts, received }
}

describe('signal delivery through the outbox', () => {
  it('deliverSignals — retries a failed delivery with backoff, with the same idempotency key, until it lands', async () => {
    const receiver = flakyReceiver(2)
    const { interactions, clock } = harness({
      signals: receiver.signals,
      random: () => 0.5,
      delivery: { baseMs: 1_000, factor: 2, maxMs: 60_000 },
    })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    expect(receiver.attempts).toHaveLength(1)

    // First retry is due after 1 s × (0.5 + 0.5 × 0.5) = 750 ms.
    clock.advance(749)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(1)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 1, dead: 0 })
    // Second retry after 2 s × 0.75.
    clock.advance(1_499)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(1)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(receiver.received).toHaveLength(1)
    expect(new Set(receiver.attempts.map((s) => s.idempotency_key))).toEqual(new Set([`${gate.id}:completed`]))

    clock.advance(3_600_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
  })

  it('deliverSignals — dead-letters after maxAttempts; failedSignals lists it with its last error; retrySignal revives it', async () => {
    const receiver = flakyReceiver(3)
    const { interactions, clock } = harness({ signals: receiver.signals, delivery: { maxAttempts: 3, baseMs: 10, maxMs: 10 } })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    clock.advance(10)
    expect(await interactions.deliverSignals()).toMatchObject({ retrying: 1 })
    clock.advance(10)
    expect(await interactions.deliverSignals()).toMatchObject({ dead: 1 })

    const [failed] = await interactions.failedSignals()
    expect(failed).toMatchObject({
      id: `${gate.id}:completed`,
      status: 'dead',
      attempts: 3,
      last_error: 'Error: receiver down (attempt 3)',
    })
    clock.advance(3_600_000)
    expect(await interactions.deliverSignals()).toMatchObject({ delivered: 0 })

    expect(await interactions.retrySignal(failed!.id)).toMatchObject({ status: 'pending', attempts: 0 })
    expect(await interactions.failedSignals()).toEqual([])
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(receiver.received.map((s) => s.idempotency_key)).toEqual([`${gate.id}:completed`])
  })

  it('deliverSignals — an error marked permanent dead-letters at once', async () => {
    const receiver = flakyReceiver(1, true)
    const { interactions } = harness({ signals: receiver.signals })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    expect((await interactions.failedSignals()).map((e) => e.attempts)).toEqual([1])
  })

  it('retrySignal — an unknown or live id is not_found', async () => {
    const { interactions } = harness()
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    expect((await rejection(() => interactions.retrySignal(`${gate.id}:completed`))).code).toBe('not_found')
    const unknown = await rejection(() => interactions.retrySignal('nope'))
    expect(unknown).toMatchObject({ code: 'not_found', message: 'no dead-lettered signal with id nope' })
    // A signal id is an interaction id, a colon and a status: up to twice an identifier's length.
    expect((await rejection(() => interactions.retrySignal('x'.repeat(LIMITS.identifier * 2)))).code).toBe('not_found')
    expect((await rejection(() => interactions.retrySignal('x'.repeat(LIMITS.identifier * 2 + 1)))).code).toBe('validation_failed')
  })

  it('failedSignals — pages through dead letters in id order, after a given id', async () => {
    const receiver = flakyReceiver(3, true)
    const { interactions } = harness({ signals: receiver.signals })
    for (let i = 0; i < 3; i++) {
      const gate = await interactions.create('acme', deployGate)
      await interactions.respond('acme', gate.id, respondYes)
    }
    const all = (await interactions.failedSignals()).map((entry) => entry.id)
    expect(all).toEqual([...all].sort())
    expect(all).toHaveLength(3)
    expect((await interactions.failedSignals({ limit: 2 })).map((entry) => entry.id)).toEqual(all.slice(0, 2))
    expect((await interactions.failedSignals({ after: all[0] })).map((entry) => entry.id)).toEqual(all.slice(1))
    expect((await interactions.failedSignals({ limit: 1_000 })).map((entry) => entry.id)).toEqual(all)
  })

  it.each([
    ['deliverSignals', (svc: Service) => svc.deliverSignals({ limit: 0 }), ['limit']],
    ['deliverSignals', (svc: Service) => svc.deliverSignals({ limit: 10_001 }), ['limit']],
    ['failedSignals', (svc: Service) => svc.failedSignals({ limit: 0 }), ['limit']],
    ['failedSignals', (svc: Service) => svc.failedSignals({ limit: 1_001 }), ['limit']],
    ['failedSignals', (svc: Service) => svc.failedSignals({ after: '' }), ['after']],
    ['retrySignal', (svc: Service) => svc.retrySignal(''), ['id']],
  ] as const)('%s — bad options are validation_failed naming the call and the field', async (name, call, path) => {
    const { interactions } = harness()
    const error = await rejection(() => call(interactions))
    expect(error).toMatchObject({ code: 'validation_failed', issues: [expect.objectContaining({ path })] })
    expect(error.message).toContain(name === 'retrySignal' ? 'id' : `${name} options`)
  })

  it('respond — a failing receiver does not fail the decision', async () => {
    const receiver = flakyReceiver(1)
    const { interactions } = harness({ signals: receiver.signals })
    const gate = await interactions.create('acme', deployGate)
    expect((await interactions.respond('acme', gate.id, respondYes)).status).toBe('completed')
  })

  it('deliverSignals — two dispatchers at once deliver each signal once', async () => {
    const store = memoryStore()
    const received: Signal[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    // The first delivery of every signal fails, so each sits in the outbox for the dispatchers.
    const seen = new Set<string>()
    const signals = callbackSignals(async (signal) => {
      if (!seen.has(signal.idempotency_key)) {
        seen.add(signal.idempotency_key)
        throw new Error('first attempt fails')
      }
      await gate
      received.push(signal)
    })
    const one = harness({ store, signals, delivery: { baseMs: 1, maxMs: 1 } })
    const two = harness({ store, signals, delivery: { baseMs: 1, maxMs: 1 } })
    for (let i = 0; i < 10; i++) {
      const created = await one.interactions.create('acme', deployGate)
      await one.interactions.respond('acme', created.id, respondYes)
    }
    one.clock.advance(10)
    two.clock.advance(10)
    const runs = Promise.all([one.interactions.deliverSignals(), two.interactions.deliverSignals()])
    release()
    const [a, b] = await runs
    expect(a.delivered + b.delivered).toBe(10)
    expect(received).toHaveLength(10)
    expect(new Set(received.map((s) => s.idempotency_key)).size).toBe(10)
  })

  it('dispatch — a delivery whose outcome cannot be recorded is not counted as failed, and is delivered again after its lease', async () => {
    const received: Signal[] = []
    const base = memoryStore()
    let settleFailures = 1
    const store = {
      ...base,
      outbox: {
        ...base.outbox,
        async settle(query: Parameters<typeof base.outbox.settle>[0]) {
          if (settleFailures-- > 0) throw new Error('store unreachable')
          return base.outbox.settle(query)
        },
      },
    }
    const { interactions, clock } = harness({ store, signals: callbackSignals((signal) => void received.push(signal)) })
    const gate = await interactions.create('acme', deployGate)
    expect((await interactions.respond('acme', gate.id, respondYes)).status).toBe('completed')
    expect(received).toHaveLength(1)
    expect(await interactions.failedSignals()).toEqual([])
    // No retry was scheduled as if the delivery had failed: the entry waits for its lease to run out.
    clock.advance(5_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(LEASE_MS)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(received.map((s) => s.idempotency_key)).toEqual([`${gate.id}:completed`, `${gate.id}:completed`])
    clock.advance(LEASE_MS)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
  })

  it('get — an instance without a signals adapter that expires a run-linked interaction leaves its signal to one that has it', async () => {
    const store = memoryStore()
    const writer = harness({ store })
    const reader = harness({ store, signals: undefined })
    const gate = await writer.interactions.create('acme', deployGate)
    reader.clock.set('2026-04-23T00:00:00Z')
    expect((await reader.interactions.get('acme', gate.id)).status).toBe('expired')
    writer.clock.set('2026-04-23T00:01:00Z')
    expect(await writer.interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(writer.delivered.map((s) => s.status)).toEqual(['expired'])
  })

  it('deliverSignals — needs a signals adapter', async () => {
    const { interactions } = harness({ signals: undefined })
    expect(await rejection(() => interactions.deliverSignals())).toMatchObject({
      code: 'configuration',
      message: expect.stringContaining('createInteractions needs a `signals` adapter'),
    })
  })
})

describe('a pass and its leases', () => {
  /** A service whose receiver fails each signal's first delivery, with `count` signals waiting in the outbox. */
  async function waiting(count: number, options: { store?: InteractionStore; deliver?: (signal: Signal) => Promise<void> } = {}) {
    const seen = new Set<string>()
    const signals = callbackSignals(async (signal) => {
      if (!seen.has(signal.idempotency_key)) {
        seen.add(signal.idempotency_key)
        throw new Error('first attempt fails')
      }
      await options.deliver?.(signal)
    })
    const delivery = { baseMs: 1_000, maxMs: 1_000 }
    const service = harness({ signals, random: () => 0, delivery, ...(options.store && { store: options.store }) })
    for (let i = 0; i < count; i++) {
      const created = await service.interactions.create('acme', deployGate)
      await service.interactions.respond('acme', created.id, respondYes)
    }
    service.clock.advance(1_000)
    return service
  }

  it('deliverSignals — sends at most limit signals a pass', async () => {
    const { interactions } = await waiting(5)
    expect(await interactions.deliverSignals({ limit: 3 })).toEqual({ delivered: 3, retrying: 0, dead: 0 })
    expect(await interactions.deliverSignals({ limit: 3 })).toEqual({ delivered: 2, retrying: 0, dead: 0 })
  })

  it('deliverSignals — runs eight deliveries at once, each leased when its send starts', async () => {
    const base = memoryStore()
    const leases: { now: string; limit: number }[] = []
    const lease: typeof base.outbox.lease = (query) => (leases.push(query), base.outbox.lease(query))
    const store = { ...base, outbox: { ...base.outbox, lease } }
    let inFlight = 0
    let mostInFlight = 0
    const release: (() => void)[] = []
    const service = await waiting(20, {
      store,
      deliver: async () => {
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        await new Promise<void>((resolve) => release.push(resolve))
        inFlight--
      },
    })
    leases.length = 0
    let done = false
    const pass = service.interactions.deliverSignals().finally(() => (done = true))
    // Each freed slot leases the next entry at the clock's time then, not at the start of the pass.
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      service.clock.advance(1_000)
      for (const resolve of release.splice(0)) resolve()
    }
    expect(await pass).toEqual({ delivered: 20, retrying: 0, dead: 0 })
    expect(mostInFlight).toBe(8)
    expect(leases.every((lease) => lease.limit === 1)).toBe(true)
    expect(new Set(leases.map((lease) => lease.now)).size).toBeGreaterThan(2)
  })

  it.each([
    { recorded: 'yes', report: { delivered: 1, retrying: 1, dead: 1 } },
    { recorded: 'refused', report: { delivered: 0, retrying: 0, dead: 0 } },
    { recorded: 'store unreachable', report: { delivered: 0, retrying: 0, dead: 0 } },
  ])('deliverSignals — counts an outcome only when the store records it (recorded: $recorded)', async ({ recorded, report }) => {
    const base = memoryStore()
    // Every outcome is recorded while the signals are put in the outbox; the pass meets `recorded`.
    let mode = 'yes'
    const settle: typeof base.outbox.settle = async (query) => {
      if (mode === 'store unreachable') throw new Error('store unreachable')
      return (await base.outbox.settle(query)) && mode === 'yes'
    }
    const store = { ...base, outbox: { ...base.outbox, settle } }
    let sent = 0
    const { interactions } = await waiting(3, {
      store,
      deliver: async () => {
        // Accepted, failed for now, failed for good.
        const attempt = sent++
        if (attempt > 0) throw Object.assign(new Error('receiver failed'), { permanent: attempt === 2 })
      },
    })
    mode = recorded
    expect(await interactions.deliverSignals()).toEqual(report)
    expect(sent).toBe(3)
  })

  it('deliverSignals — a failing lease fails the pass with its error', async () => {
    const base = memoryStore()
    const store = { ...base, outbox: { ...base.outbox, lease: async () => Promise.reject(new Error('store unreachable')) } }
    const { interactions } = harness({ store })
    await expect(interactions.deliverSignals()).rejects.toThrow('store unreachable')
  })

  it("createInteractions — a lease no longer than the signals adapter's timeout is a configuration error", () => {
    const deliver = async () => undefined
    let error: unknown
    try {
      createInteractions({ signals: { deliver, timeoutMs: 60_000 } })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toMatchObject({ code: 'configuration', issues: [{ path: ['delivery', 'leaseMs'] }] })
    expect((error as Error).message).toMatch(/leaseMs must be longer than the signals adapter's timeoutMs \(60000 ms\).*\(got 60000 ms\)/)
    const webhook = webhookSignals({ url: 'https://engine.example.com/hook', secret: 'key', timeoutMs: 5_000 })
    expect(() => createInteractions({ signals: webhook, delivery: { leaseMs: 5_000 } })).toThrow(/delivery\.leaseMs must be longer/)
    expect(() => createInteractions({ signals: { deliver, timeoutMs: 59_999 } })).not.toThrow()
    expect(() => createInteractions({ signals: { deliver, timeoutMs: 120_000 }, delivery: { leaseMs: 120_001 } })).not.toThrow()
  })
})

describe('a receiver that asks for a delay (retryAfterMs)', () => {
  /** A service whose receiver fails the first delivery with `failure` fields on its error; backoff is 750 ms then. */
  async function askedToWait(failure: Record<string, unknown>, delivery: { maxMs?: number; maxAttempts?: number } = {}) {
    const receiver = { attempts: 0 }
    const signals = callbackSignals(() => {
      if (receiver.attempts++ === 0) throw Object.assign(new Error('slow down'), failure)
    })
    const service = harness({ signals, random: () => 0.5, delivery: { baseMs: 1_000, factor: 2, maxMs: 3_600_000, ...delivery } })
    const gate = await service.interactions.create('acme', deployGate)
    await service.interactions.respond('acme', gate.id, respondYes)
    return { ...service, receiver }
  }
  /** The delay after which the retry is delivered, probing the pass just before it. */
  async function retriedAfter(service: Awaited<ReturnType<typeof askedToWait>>, ms: number) {
    service.clock.advance(ms - 1)
    expect(await service.interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    service.clock.advance(1)
    expect(await service.interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
  }

  it('deliverSignals — waits as long as asked when that is longer than the backoff', async () => {
    await retriedAfter(await askedToWait({ retryAfterMs: 30_000 }), 30_000)
  })

  it('deliverSignals — keeps the backoff when the receiver asks for less, or for nothing readable', async () => {
    for (const retryAfterMs of [100, 0, -5_000, Number.NaN, Number.POSITIVE_INFINITY, '30000', null]) {
      await retriedAfter(await askedToWait({ retryAfterMs }), 750)
    }
  })

  it('deliverSignals — a thrown value that is not an object (null, undefined, a string) is an ordinary failure', async () => {
    for (const thrown of [null, undefined, 'receiver down']) {
      let attempts = 0
      const signals = callbackSignals(() => {
        if (attempts++ === 0) throw thrown
      })
      const { interactions, clock } = harness({ signals, random: () => 0, delivery: { baseMs: 1_000, maxMs: 1_000 } })
      const gate = await interactions.create('acme', deployGate)
      await interactions.respond('acme', gate.id, respondYes)
      expect(await interactions.failedSignals()).toEqual([])
      clock.advance(500)
      expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    }
  })

  it('deliverSignals — never waits longer than delivery.maxMs', async () => {
    await retriedAfter(await askedToWait({ retryAfterMs: 24 * 3_600_000 }, { maxMs: 60_000 }), 60_000)
  })

  it('deliverSignals — permanent and the last attempt still dead-letter, whatever the wait asked', async () => {
    const permanent = await askedToWait({ retryAfterMs: 1_000, permanent: true })
    expect(await permanent.interactions.failedSignals()).toHaveLength(1)
    const last = await askedToWait({ retryAfterMs: 1_000 }, { maxAttempts: 1 })
    expect(await last.interactions.failedSignals()).toMatchObject([{ last_error: 'Error: slow down' }])
  })
})

describe('retention: pruneSignals', () => {
  const HOUR = 3_600_000

  it('pruneSignals — deletes signals delivered more than olderThan before now, never pending or dead ones', async () => {
    let failure: 'transient' | 'permanent' | undefined
    const signals = callbackSignals(() => {
      if (failure) throw Object.assign(new Error(`receiver failed (${failure})`), { permanent: failure === 'permanent' })
    })
    const { interactions, clock, store } = harness({ signals })
    const respondTo = async (failing?: typeof failure) => {
      failure = failing
      const created = await interactions.create('acme', { ...deployGate, expires_at: undefined })
      await interactions.respond('acme', created.id, respondYes)
      return `${created.id}:completed`
    }
    const retrying = await respondTo('transient')
    const dead = await respondTo('permanent')
    const deliveredEarly = await respondTo()
    clock.advance(HOUR)
    const deliveredLater = await respondTo()
    clock.advance(HOUR)
    const ids = async (status: 'pending' | 'delivered' | 'dead') => (await store.outbox.list({ status, limit: 10 })).map((e) => e.id)
    expect(await ids('delivered')).toEqual([deliveredEarly, deliveredLater].sort())

    // Delivered two hours and one hour ago: one hour is not older than one hour.
    expect(await interactions.pruneSignals({ olderThan: HOUR })).toEqual({ pruned: 1 })
    expect(await ids('delivered')).toEqual([deliveredLater])
    expect(await interactions.pruneSignals({ olderThan: 0 })).toEqual({ pruned: 1 })
    expect(await ids('delivered')).toEqual([])
    // Both written two hours ago, and never pruned.
    expect(await ids('pending')).toEqual([retrying])
    expect(await ids('dead')).toEqual([dead])
  })

  it('pruneSignals — deletes in batches of at most 1 000, up to limit', async () => {
    const base = memoryStore()
    let prunable = 2_345
    const batches: number[] = []
    const store = {
      ...base,
      outbox: {
        ...base.outbox,
        async prune({ limit }: { deliveredBefore: string; limit: number }) {
          batches.push(limit)
          const deleted = Math.min(limit, prunable)
          prunable -= deleted
          return deleted
        },
      },
    }
    const { interactions } = harness({ store })
    expect(await interactions.pruneSignals({ olderThan: 0, limit: 2_100 })).toEqual({ pruned: 2_100 })
    expect(batches).toEqual([1_000, 1_000, 100])
    batches.length = 0
    expect(await interactions.pruneSignals({ olderThan: 0 })).toEqual({ pruned: 245 })
    expect(batches).toEqual([1_000])
    batches.length = 0
    expect(await interactions.pruneSignals({ olderThan: 0 })).toEqual({ pruned: 0 })
    expect(batches).toEqual([1_000])
  })

  it('pruneSignals — passes the cutoff olderThan before the clock to the store', async () => {
    const base = memoryStore()
    const cutoffs: string[] = []
    const store = {
      ...base,
      outbox: { ...base.outbox, prune: async ({ deliveredBefore }: { deliveredBefore: string }) => (cutoffs.push(deliveredBefore), 0) },
    }
    const { interactions } = harness({ store })
    await interactions.pruneSignals({ olderThan: 7 * 24 * HOUR })
    expect(cutoffs).toEqual(['2026-04-14T09:00:00.000Z'])
  })

  it('pruneSignals — takes a retention of up to a century', async () => {
    const { interactions } = harness()
    expect(await interactions.pruneSignals({ olderThan: 100 * 365 * 24 * HOUR })).toEqual({ pruned: 0 })
  })

  it.each([
    ['no options', undefined, []],
    ['olderThan missing', {}, ['olderThan']],
    ['olderThan as a date', { olderThan: new Date('2026-04-01T00:00:00Z') }, ['olderThan']],
    ['olderThan as a string', { olderThan: '7d' }, ['olderThan']],
    ['olderThan negative', { olderThan: -1 }, ['olderThan']],
    ['olderThan a fraction', { olderThan: 1.5 }, ['olderThan']],
    ['olderThan over a century', { olderThan: 100 * 365 * 24 * HOUR + 1 }, ['olderThan']],
    ['limit zero', { olderThan: HOUR, limit: 0 }, ['limit']],
    ['limit over a million', { olderThan: HOUR, limit: 1_000_001 }, ['limit']],
    ['an unknown option', { olderThan: HOUR, before: 'now' }, []],
  ])('pruneSignals — %s is refused with validation_failed, deleting nothing', async (_name, options, path) => {
    const { interactions, store } = harness()
    const gate = await interactions.create('acme', { ...deployGate, expires_at: undefined })
    await interactions.respond('acme', gate.id, respondYes)
    const error = await rejection(() => interactions.pruneSignals(options as never))
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toContainEqual(path)
    expect(error.message).toContain('pruneSignals options')
    expect(await store.outbox.list({ status: 'delivered', limit: 10 })).toHaveLength(1)
  })
})

describe('crashes', () => {
  const scenarios: { point: CrashPoint; written: boolean; deliveredBeforeRecovery: number }[] = [
    { point: 'before-update', written: false, deliveredBeforeRecovery: 0 },
    { point: 'after-update', written: true, deliveredBeforeRecovery: 0 },
    { point: 'during-delivery', written: true, deliveredBeforeRecovery: 0 },
    { point: 'after-delivery-before-settle', written: true, deliveredBeforeRecovery: 1 },
  ]

  it.each(scenarios)(
    'respond crashing $point — state whole or absent, and the signal still arrives',
    async ({ point, written, deliveredBeforeRecovery }) => {
      const received: Signal[] = []
      const crash = crashable(
        memoryStore(),
        callbackSignals((signal) => void received.push(signal)),
      )
      const { interactions, clock } = harness({ store: crash.store, signals: crash.signals })
      const gate = await interactions.create('acme', deployGate)

      crash.crashAt(point)
      const outcome = await interactions.respond('acme', gate.id, respondYes).then(
        () => 'returned',
        (error: unknown) => (error instanceof SimulatedCrash ? 'crashed' : error),
      )
      expect(['returned', 'crashed']).toContain(outcome)

      const stored = await interactions.get('acme', gate.id)
      expect(stored.status).toBe(written ? 'completed' : 'pending')
      expect(stored.responses).toHaveLength(written ? 1 : 0)
      expect(received).toHaveLength(deliveredBeforeRecovery)

      // A new instance takes over once the crashed call's lease has run out.
      clock.advance(LEASE_MS)
      const recovery = harness({ store: crash.store, signals: callbackSignals((signal) => void received.push(signal)) })
      recovery.clock.set(clock.now().toISOString())
      await recovery.interactions.deliverSignals()
      if (!written) {
        expect(received).toEqual([])
        await recovery.interactions.respond('acme', gate.id, respondYes)
      }
      expect(received.length).toBeGreaterThanOrEqual(1)
      expect(new Set(received.map((s) => s.idempotency_key))).toEqual(new Set([`${gate.id}:completed`]))
      recovery.clock.advance(3_600_000)
      const settled = await recovery.interactions.deliverSignals()
      expect(settled.delivered + settled.retrying + settled.dead).toBe(0)
    },
  )

  it('a crashed dispatcher leaves its lease, which returns after leaseMs', async () => {
    const received: Signal[] = []
    const crash = crashable(
      memoryStore(),
      callbackSignals((signal) => void received.push(signal)),
    )
    const { interactions, clock } = harness({ store: crash.store, signals: crash.signals, delivery: { leaseMs: 30_000 } })
    const gate = await interactions.create('acme', deployGate)
    crash.crashAt('during-delivery')
    await interactions.respond('acme', gate.id, respondYes).catch((error: unknown) => {
      if (!(error instanceof SimulatedCrash) && !isInteractionError(error)) throw error
    })
    clock.advance(29_999)
    expect((await interactions.deliverSignals()).delivered).toBe(0)
    clock.advance(1)
    expect((await interactions.deliverSignals()).delivered).toBe(1)
    expect(received).toHaveLength(1)
  })
})
