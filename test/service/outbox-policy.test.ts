import { callbackSignals, memoryStore, type InteractionStore, type Signal, type SignalOutcome } from '@hitl/interactions'
import { describe, expect, it, vi } from 'vitest'
import { alice, deployGate, harness, rejection } from '../support/harness.js'

const respondYes = { actor: alice, value: { confirmed: true } }

/** A receiver that refuses the first delivery of every signal with `failure`, and accepts the ones after. */
function refusesFirstAttempt(failure: () => unknown = () => new Error('receiver busy')) {
  const seen = new Set<string>()
  const received: Signal[] = []
  const signals = callbackSignals((signal) => {
    if (!seen.has(signal.idempotency_key)) {
      seen.add(signal.idempotency_key)
      throw failure()
    }
    received.push(signal)
  })
  return { signals, received }
}

/** A service whose receiver refused the first delivery of `count` completed gates, so each waits in the outbox. */
async function withWaitingSignals(count: number, failure?: () => unknown) {
  const receiver = refusesFirstAttempt(failure)
  const service = harness({ signals: receiver.signals, random: () => 0 })
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const gate = await service.interactions.create('acme', deployGate)
    await service.interactions.respond('acme', gate.id, respondYes)
    ids.push(`${gate.id}:completed`)
  }
  return { ...service, receiver, ids: ids.sort() }
}

describe('deliverSignals options', () => {
  it('deliverSignals — delivers at most 100 signals a pass by default, the rest on the next pass', async () => {
    const { interactions, clock, receiver } = await withWaitingSignals(101)
    clock.advance(1_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 100, retrying: 0, dead: 0 })
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(receiver.received).toHaveLength(101)
  })

  it('deliverSignals — delivers at most `limit` signals a pass, from 1 to 10 000', async () => {
    const { interactions, clock } = await withWaitingSignals(3)
    clock.advance(1_000)
    expect(await interactions.deliverSignals({ limit: 1 })).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(await interactions.deliverSignals({ limit: 10_000 })).toEqual({ delivered: 2, retrying: 0, dead: 0 })
  })

  it.each([0, 10_001, 2.5, '10', null])('deliverSignals — a limit of %j is validation_failed naming limit', async (limit) => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.deliverSignals({ limit } as never))
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toEqual([['limit']])
  })

  it('deliverSignals — an unknown option is validation_failed, and the message names the call', async () => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.deliverSignals({ limt: 5 } as never))
    expect(error.code).toBe('validation_failed')
    expect(error.message).toMatch(/^Invalid deliverSignals options: /)
  })

  it('deliverSignals — a pass whose lease ran out during a slow delivery cannot record it; the pass holding the lease does', async () => {
    const store = memoryStore()
    const attempts: (() => void)[] = []
    // The first delivery fails, so the entry waits in the outbox; later ones wait until the test lets them finish.
    const signals = callbackSignals(() => {
      if (attempts.push(() => {}) === 1) throw new Error('receiver busy')
      return new Promise<void>((resolve) => (attempts[attempts.length - 1] = resolve))
    })
    const { interactions, clock } = harness({ store, signals, random: () => 0, delivery: { leaseMs: 10_000 } })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    clock.advance(1_000)
    const first = interactions.deliverSignals()
    await vi.waitFor(() => expect(attempts).toHaveLength(2))
    clock.advance(10_000)
    const second = interactions.deliverSignals()
    await vi.waitFor(() => expect(attempts).toHaveLength(3))
    attempts[1]!()
    await first
    expect(await store.outbox.list({ status: 'delivered', limit: 10 })).toEqual([])
    clock.advance(500)
    attempts[2]!()
    expect(await second).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(await store.outbox.list({ status: 'delivered', limit: 10 })).toMatchObject([
      { id: `${gate.id}:completed`, delivered_at: clock.now().toISOString() },
    ])
  })
})

describe('the outbox entry of a failed delivery', () => {
  it('respond — a refused first delivery leaves the entry pending with its attempt, the error and the time of the retry', async () => {
    const { interactions, store, clock, ids } = await withWaitingSignals(1)
    const [entry] = await store.outbox.list({ status: 'pending', limit: 10 })
    const respondedAt = clock.now().getTime()
    // random() = 0: half the 1 s base delay.
    expect(entry).toMatchObject({ id: ids[0], status: 'pending', attempts: 1, last_error: 'Error: receiver busy' })
    expect(entry!.created_at).toBe(new Date(respondedAt).toISOString())
    expect(entry!.next_attempt_at).toBe(new Date(respondedAt + 500).toISOString())
    clock.advance(499)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
  })

  it('deliverSignals — a delivered entry records when it was delivered', async () => {
    const { interactions, store, clock, ids } = await withWaitingSignals(1)
    clock.advance(1_234)
    await interactions.deliverSignals()
    const [entry] = await store.outbox.list({ status: 'delivered', limit: 10 })
    expect(entry).toMatchObject({ id: ids[0], status: 'delivered', attempts: 2, delivered_at: clock.now().toISOString() })
  })

  it.each([
    ['undefined', () => undefined, 'undefined'],
    ['null', () => null, 'null'],
    ['a string', () => 'rate limited', 'rate limited'],
    ['an error whose permanent flag is not true', () => Object.assign(new Error('flagged'), { permanent: 'yes' }), 'Error: flagged'],
  ])('deliverSignals — a receiver that throws %s is retried, its error kept as text', async (_, failure, text) => {
    const { interactions, store, ids } = await withWaitingSignals(1, failure)
    expect(await store.outbox.list({ status: 'pending', limit: 10 })).toMatchObject([{ id: ids[0], attempts: 1, last_error: text }])
    expect(await interactions.failedSignals()).toEqual([])
  })

  it('deliverSignals — hands the store a dead outcome with the error for a permanent failure', async () => {
    const base = memoryStore()
    const outcomes: SignalOutcome[] = []
    const store: InteractionStore = {
      ...base,
      outbox: { ...base.outbox, settle: (query) => (outcomes.push(query.outcome), base.outbox.settle(query)) },
    }
    const signals = callbackSignals(() => {
      throw Object.assign(new Error('bad request'), { permanent: true })
    })
    const { interactions } = harness({ store, signals })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    expect(outcomes).toEqual([{ status: 'dead', error: 'Error: bad request' }])
  })

  it('deliverSignals — dead-letters at the attempt that reaches maxAttempts, not before', async () => {
    const attempts: Signal[] = []
    const signals = callbackSignals((signal) => {
      attempts.push(signal)
      throw new Error(`down ${attempts.length}`)
    })
    const { interactions, clock } = harness({ signals, random: () => 0, delivery: { maxAttempts: 2, baseMs: 100, maxMs: 100 } })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, respondYes)
    expect(await interactions.failedSignals()).toEqual([])
    clock.advance(50)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 1 })
    expect(await interactions.failedSignals()).toMatchObject([
      { id: `${gate.id}:completed`, status: 'dead', attempts: 2, last_error: 'Error: down 2' },
    ])
  })
})

describe('failedSignals and retrySignal', () => {
  /** Three dead-lettered signals: every delivery fails permanently. */
  async function withDeadSignals() {
    const signals = callbackSignals(() => {
      throw Object.assign(new Error('bad request'), { permanent: true })
    })
    const service = harness({ signals })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const gate = await service.interactions.create('acme', deployGate)
      await service.interactions.respond('acme', gate.id, respondYes)
      ids.push(`${gate.id}:completed`)
    }
    return { ...service, ids: ids.sort() }
  }

  it('failedSignals — pages in id order with limit and after', async () => {
    const { interactions, ids } = await withDeadSignals()
    expect((await interactions.failedSignals()).map((entry) => entry.id)).toEqual(ids)
    expect((await interactions.failedSignals({ limit: 2 })).map((entry) => entry.id)).toEqual(ids.slice(0, 2))
    expect((await interactions.failedSignals({ limit: 2, after: ids[1] })).map((entry) => entry.id)).toEqual(ids.slice(2))
    expect(await interactions.failedSignals({ limit: 1_000, after: ids[2] })).toEqual([])
  })

  it.each([
    [{ limit: 0 }, ['limit']],
    [{ limit: 1_001 }, ['limit']],
    [{ after: '' }, ['after']],
    [{ after: 'x'.repeat(513) }, ['after']],
  ])('failedSignals — %j is validation_failed naming the option', async (options, path) => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.failedSignals(options))
    expect(error.code).toBe('validation_failed')
    expect(error.message).toMatch(/^Invalid failedSignals options: /)
    expect(error.issues.map((issue) => issue.path)).toEqual([path])
  })

  it('retrySignal — revives a dead signal due now, and the next pass delivers it', async () => {
    const { interactions, clock, ids, store } = await withDeadSignals()
    clock.advance(60_000)
    const revived = await interactions.retrySignal(ids[1]!)
    expect(revived).toMatchObject({ id: ids[1], status: 'pending', attempts: 0, next_attempt_at: clock.now().toISOString() })
    expect((await interactions.failedSignals()).map((entry) => entry.id)).toEqual([ids[0], ids[2]])
    expect((await store.outbox.list({ status: 'pending', limit: 10 })).map((entry) => entry.id)).toEqual([ids[1]])
  })

  it.each([
    ['empty', '', 'validation_failed'],
    ['longer than 512 characters', 'x'.repeat(513), 'validation_failed'],
    ['512 characters and unknown', 'x'.repeat(512), 'not_found'],
  ])('retrySignal — an id that is %s is %s', async (_, id, code) => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.retrySignal(id))
    expect(error.code).toBe(code)
    if (code === 'validation_failed') {
      expect(error.issues.map((issue) => issue.path)).toEqual([['id']])
      expect(error.message).toMatch(/^Invalid id: id: /)
    } else expect(error.message).toBe(`no dead-lettered signal with id ${id}`)
  })
})

describe('without a signals adapter', () => {
  it('create — a run-linked interaction needs a signals adapter, and the error says which option', async () => {
    const { interactions, store } = harness({ signals: undefined })
    const error = await rejection(() => interactions.create('acme', deployGate))
    expect(error.code).toBe('configuration')
    expect(error.message).toContain('`signals`')
    expect(await store.outbox.list({ status: 'pending', limit: 10 })).toEqual([])
  })

  it('get — an instance without one that expires a run-linked interaction does not try to send its signal', async () => {
    const writer = harness()
    const reader = harness({ store: writer.store, signals: undefined })
    const gate = await writer.interactions.create('acme', deployGate)
    reader.clock.set('2026-04-23T00:00:00Z')
    expect((await reader.interactions.get('acme', gate.id)).status).toBe('expired')
    const [entry] = await writer.store.outbox.list({ status: 'pending', limit: 10 })
    expect(entry).toMatchObject({ id: `${gate.id}:expired`, attempts: 1, next_attempt_at: '2026-04-23T00:00:00.000Z' })
    expect(entry!.last_error).toBeUndefined()
  })
})
