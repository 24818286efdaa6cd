import {
  callbackSignals,
  isSignalEntry,
  LIMITS,
  memoryStore,
  type Actor,
  type InteractionStore,
  type Signal,
  type SignalEntry,
} from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { alice, deployGate, harness, rejection } from '../support/harness.js'

const ask = (target_actor: Actor, extra: object = {}) => ({ type: 'approval', spec: { mode: 'confirm' }, target_actor, ...extra }) as const
const members = (count: number): Actor[] => Array.from({ length: count }, (_, i) => ({ type: 'member', id: `user_${i}` }))

describe('ids', () => {
  it.each([
    ['empty', '', 'validation_failed'],
    ['longer than 256 characters', 'x'.repeat(257), 'validation_failed'],
    ['256 characters and unknown', 'x'.repeat(256), 'not_found'],
  ])('get — an id that is %s is %s', async (_, id, code) => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.get('acme', id))
    expect(error.code).toBe(code)
    if (code === 'validation_failed') expect(error.issues.map((issue) => issue.path)).toEqual([['id']])
    else expect(error.message).toBe(`interaction ${id} not found in project acme`)
  })
})

describe('inbox page size', () => {
  it('inbox — 20 items a page by default, with a cursor to the rest', async () => {
    const { interactions } = harness()
    for (let i = 0; i < 21; i++) await interactions.create('acme', ask(alice))
    const first = await interactions.inbox('acme', alice)
    expect(first.items).toHaveLength(20)
    const second = await interactions.inbox('acme', alice, { cursor: first.next_cursor })
    expect(second.items).toHaveLength(1)
    expect(second.next_cursor).toBeNull()
    expect(await interactions.inbox('acme', alice, { cursor: null, limit: 100 })).toMatchObject({ next_cursor: null })
  })
})

describe('expireDue options', () => {
  it('expireDue — expires at most 100 a sweep by default', async () => {
    const { interactions, clock } = harness()
    for (let i = 0; i < 101; i++) await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    clock.set('2026-04-21T10:00:00Z')
    expect(await interactions.expireDue()).toEqual({ expired: 100 })
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect(await interactions.expireDue({ limit: 10_000 })).toEqual({ expired: 0 })
  })

  it.each([0, 10_001, 1.5])('expireDue — a limit of %j is validation_failed naming limit', async (limit) => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.expireDue({ limit }))
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toEqual([['limit']])
  })

  it('expireDue — a record it cannot write fails the sweep after the rest of the batch is expired', async () => {
    const base = memoryStore()
    const { interactions } = harness({ store: base })
    const stuck = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const other = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const broken: InteractionStore = {
      ...base,
      async modify(query) {
        if (query.id === stuck.id) throw new Error('disk full')
        return base.modify(query)
      },
    }
    const sweeper = harness({ store: broken })
    sweeper.clock.set('2026-04-21T10:00:00Z')
    await expect(sweeper.interactions.expireDue()).rejects.toThrow('disk full')
    expect((await base.get({ project: 'acme', id: other.id }))?.status).toBe('expired')
    expect((await base.get({ project: 'acme', id: stuck.id }))?.status).toBe('pending')
  })

  it('expireDue — interactions another caller completed or expired after the sweep listed them are skipped, not failures', async () => {
    const base = memoryStore()
    const { interactions, clock } = harness({ store: base })
    const answered = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const readLate = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const untouched = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const racing: InteractionStore = {
      ...base,
      async due(query) {
        const due = await base.due(query)
        // Between the listing and the sweep's own step, one is answered in time and one is read (and so expired).
        await interactions.respond('acme', answered.id, { actor: alice, value: { confirmed: true } })
        clock.set('2026-04-21T10:00:00Z')
        await interactions.get('acme', readLate.id)
        return due
      },
    }
    const sweeper = harness({ store: racing })
    sweeper.clock.set('2026-04-21T10:00:00Z')
    expect(await sweeper.interactions.expireDue()).toEqual({ expired: 1 })
    expect((await base.get({ project: 'acme', id: untouched.id }))?.status).toBe('expired')
  })
})

describe('a signals adapter that sends inside the store transaction', () => {
  /** The memory store, plus a `modify` that runs the hook as a transactional store would, with `tx` as its handle. */
  const transactionalStore = (): InteractionStore => {
    const base = memoryStore()
    return {
      ...base,
      async modify(query) {
        let entry: SignalEntry | undefined
        const modified = await base.modify({
          ...query,
          decide: (current, now) => {
            const decision = query.decide(current, now)
            entry = decision.write?.outbox?.find(isSignalEntry)
            return decision
          },
        })
        // A failed hook leaves the entry pending, as the PostgreSQL store does with its savepoint.
        if (entry && query.withinTransaction) await query.withinTransaction(entry, 'tx').catch(() => undefined)
        return modified
      },
    }
  }

  it('respond — a signal sent in the transaction is not sent again after it', async () => {
    const inTransaction: [Signal, unknown][] = []
    const sent: Signal[] = []
    const signals = {
      ...callbackSignals((signal) => void sent.push(signal)),
      deliverInTransaction: async (signal: Signal, transaction: unknown) => void inTransaction.push([signal, transaction]),
    }
    const { interactions } = harness({ store: transactionalStore(), signals })
    const gate = await interactions.create('acme', deployGate)
    expect((await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).status).toBe('completed')
    expect(inTransaction.map(([signal, transaction]) => [signal.idempotency_key, transaction])).toEqual([[`${gate.id}:completed`, 'tx']])
    expect(sent).toEqual([])
  })

  it('respond — when the send in the transaction fails, the service sends the signal after the write', async () => {
    const sent: Signal[] = []
    const signals = {
      ...callbackSignals((signal) => void sent.push(signal)),
      deliverInTransaction: async () => {
        throw new Error('engine tables are in another database')
      },
    }
    const { interactions } = harness({ store: transactionalStore(), signals })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    expect(sent.map((signal) => signal.idempotency_key)).toEqual([`${gate.id}:completed`])
  })

  it('respond — a store without transactions ignores the hook, and the service sends the signal itself', async () => {
    const sent: Signal[] = []
    const signals = { ...callbackSignals((signal) => void sent.push(signal)), deliverInTransaction: async () => {} }
    const { interactions } = harness({ store: memoryStore(), signals })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    expect(sent.map((signal) => signal.idempotency_key)).toEqual([`${gate.id}:completed`])
  })
})

describe('group size', () => {
  const group = { type: 'group', id: 'group_big' } as const

  it('create — a group of exactly the member limit is accepted', async () => {
    const { interactions } = harness({ groups: { group_big: members(LIMITS.members) } })
    expect((await interactions.create('acme', ask(group))).members).toHaveLength(LIMITS.members)
  })

  it('create — a group over the member limit is validation_failed naming the group and the limit', async () => {
    const { interactions, store } = harness({ groups: { group_big: members(LIMITS.members + 1) } })
    const error = await rejection(() => interactions.create('acme', ask(group)))
    expect(error.code).toBe('validation_failed')
    expect(error.issues).toEqual([{ path: ['target_actor', 'id'], message: expect.stringContaining(`at most ${LIMITS.members}`) }])
    expect(error.message).toContain('group "group_big"')
    expect(await store.inbox({ project: 'acme', actorKey: 'member:user_0', now: '2026-04-21T09:00:00.000Z', limit: 10 })).toEqual([])
  })

  it('create — the directory is asked with the project and the group id', async () => {
    const asked: [string, string][] = []
    const { interactions } = harness({
      directory: {
        membersOf: async (project, groupId) => {
          asked.push([project, groupId])
          return [alice]
        },
      },
    })
    await interactions.create('acme', ask(group))
    expect(asked).toEqual([['acme', 'group_big']])
  })
})
