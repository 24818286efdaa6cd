import {
  callbackSignals,
  createInteractions,
  isSignalEntry,
  memoryStore,
  type InteractionStore,
  type Participant,
  type SignalEntry,
} from '@hitl/interactions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// fast-check's scheduler decides the order in which every store call returns, so concurrent
// calls on one interaction interleave in every way it cares to try; the invariants hold in each.
const RUNS = Number(process.env.FC_RUNS ?? 100)
const [a, b, c] = (['a', 'b', 'c'] as const).map((id): Participant => ({ type: 'member', id }))
const DEADLINE = '2026-04-21T10:00:00.000Z'

/** A store whose every call resolves when the scheduler says so. */
function scheduledStore(store: InteractionStore, s: fc.Scheduler): InteractionStore {
  const scheduled = Object.fromEntries(
    Object.entries(store).map(([key, value]) => [key, typeof value === 'function' ? s.scheduleFunction(value.bind(store)) : value]),
  )
  return scheduled as unknown as InteractionStore
}

/** Creates the interaction at 09:00, then moves the clock to `now` for the racing calls. */
async function setup(s: fc.Scheduler, routing: 'first_responder' | 'all_members', now: string) {
  let clock = '2026-04-21T09:00:00.000Z'
  const base = memoryStore()
  const delivered: string[] = []
  const make = (store: InteractionStore) =>
    createInteractions({
      store,
      clock: () => new Date(clock),
      signals: callbackSignals((signal) => void delivered.push(signal.idempotency_key)),
      directory: { membersOf: async () => [a!, b!, c!] },
    })
  const created = await make(base).create('p', {
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: { type: 'group', id: 'g' },
    routing_policy: routing,
    run_id: 'run_1',
    topic: 'gate',
    expires_at: DEADLINE,
  })
  clock = now
  return { base, delivered, created, interactions: make(scheduledStore(base, s)) }
}

async function outboxOf(store: InteractionStore, id: string) {
  const entries = await Promise.all((['pending', 'delivered', 'dead'] as const).map((status) => store.outbox.list({ status, limit: 100 })))
  return entries.flat().filter((entry): entry is SignalEntry => isSignalEntry(entry) && entry.signal.interaction_id === id)
}

let interleavings = 0

describe('interleavings', () => {
  it('first_responder: concurrent claims, releases and responses leave at most one response and one signal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        interleavings++
        const { base, delivered, created, interactions } = await setup(s, 'first_responder', '2026-04-21T09:00:00.000Z')
        const calls = [
          interactions.claim('p', created.id, a!),
          interactions.respond('p', created.id, { actor: b!, value: { confirmed: true } }),
          interactions.respond('p', created.id, { actor: c!, value: { confirmed: false } }),
          interactions.release('p', created.id, a!),
          interactions.respond('p', created.id, { actor: a!, value: { confirmed: true } }),
        ]
        const results = await s.waitFor(Promise.allSettled(calls))
        const record = (await base.get({ project: 'p', id: created.id }))!
        const succeeded = results.filter((r) => r.status === 'fulfilled').length
        expect(record.responses.length).toBeLessThanOrEqual(1)
        expect(record.status === 'completed').toBe(record.responses.length === 1)
        if (record.status === 'completed') expect(record.claimed_by).toEqual(record.responses[0]!.actor)
        // Every successful change moved the version by one; failed calls moved nothing.
        expect(record.version).toBeLessThanOrEqual(1 + succeeded)
        expect((await outboxOf(base, created.id)).length).toBe(record.status === 'completed' ? 1 : 0)
        expect(delivered.length).toBe(record.status === 'completed' ? 1 : 0)
      }),
      { numRuns: RUNS },
    )
  }, 120_000)

  it('all_members: concurrent responses, one repeated, land once each and complete once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        interleavings++
        const { base, delivered, created, interactions } = await setup(s, 'all_members', '2026-04-21T09:00:00.000Z')
        const results = await s.waitFor(
          Promise.allSettled(
            [a, b, c, a].map((actor) => interactions.respond('p', created.id, { actor: actor!, value: { confirmed: true } })),
          ),
        )
        const record = (await base.get({ project: 'p', id: created.id }))!
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
        expect(record.responses.map((r) => r.actor.id).sort()).toEqual(['a', 'b', 'c'])
        expect(record).toMatchObject({ status: 'completed', version: 4 })
        expect((await outboxOf(base, created.id)).length).toBe(1)
        expect(delivered).toEqual([`${created.id}:completed`])
      }),
      { numRuns: RUNS },
    )
  }, 120_000)

  it('at the deadline: sweeper, responses and reads race; it expires once with no response', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        interleavings++
        const { base, delivered, created, interactions } = await setup(s, 'first_responder', DEADLINE)
        const results = await s.waitFor(
          Promise.allSettled([
            interactions.expireDue(),
            interactions.respond('p', created.id, { actor: a!, value: { confirmed: true } }),
            interactions.get('p', created.id),
            interactions.claim('p', created.id, b!),
            interactions.expireDue(),
          ]),
        )
        const record = (await base.get({ project: 'p', id: created.id }))!
        expect(record).toMatchObject({ status: 'expired', version: 2, responses: [] })
        expect(results[1]!.status).toBe('rejected')
        const sweeps = [results[0], results[4]].map((r) => (r as PromiseFulfilledResult<{ expired: number }>).value.expired)
        expect(sweeps.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(1)
        expect((await outboxOf(base, created.id)).map((e) => e.signal.status)).toEqual(['expired'])
        expect(delivered).toEqual([`${created.id}:expired`])
      }),
      { numRuns: RUNS },
    )
    console.info(`interleavings: ${interleavings} scheduled runs`)
  }, 120_000)
})
