import { callbackSignals, memoryStore, type Actor, type InteractionStore, type Signal } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { lockingMemoryStore } from '../support/locking-store.js'
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
      async update(record, options) {
        if (record.id === stuck.id) throw new Error('disk full')
        return base.update(record, options)
      },
    }
    const sweeper = harness({ store: broken })
    sweeper.clock.set('2026-04-21T10:00:00Z')
    await expect(sweeper.interactions.expireDue()).rejects.toThrow('disk full')
    expect((await base.get('acme', other.id))?.status).toBe('expired')
    expect((await base.get('acme', stuck.id))?.status).toBe('pending')
  })

  it('expireDue — interactions another caller completed or expired after the sweep listed them are skipped, not failures', async () => {
    const base = memoryStore()
    const { interactions, clock } = harness({ store: base })
    const answered = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const readLate = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const untouched = await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    const racing: InteractionStore = {
      ...base,
      async dueForExpiry(query) {
        const due = await base.dueForExpiry(query)
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
    expect((await base.get('acme', untouched.id))?.status).toBe('expired')
  })
})

describe('compare-and-swap retries', () => {
  it('respond — a store that loses every compare-and-swap gives conflict after the configured attempts', async () => {
    const base = memoryStore()
    let updates = 0
    const store: InteractionStore = {
      ...base,
      async update() {
        updates++
        return false
      },
    }
    const { interactions } = harness({ store, conflictRetry: { attempts: 3, baseMs: 0, maxMs: 0 } })
    const gate = await interactions.create('acme', ask(alice))
    const error = await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } }))
    expect(error.code).toBe('conflict')
    expect(error.message).toBe(`interaction ${gate.id} changed under 3 concurrent attempts; try again`)
    expect(updates).toBe(3)
    expect((await interactions.get('acme', gate.id)).status).toBe('pending')
  })

  it('respond — a compare-and-swap lost once is retried from a fresh read and succeeds', async () => {
    const base = memoryStore()
    let losses = 1
    const store: InteractionStore = {
      ...base,
      async update(record, options) {
        if (losses-- > 0) return false
        return base.update(record, options)
      },
    }
    const { interactions } = harness({ store, conflictRetry: { baseMs: 0, maxMs: 0 } })
    const gate = await interactions.create('acme', ask(alice))
    expect((await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).status).toBe('completed')
  })
})

describe('a store that delivers inside its transaction', () => {
  it('respond — when the store reports the signal settled, the service does not send it again', async () => {
    const locking = lockingMemoryStore()
    const store: InteractionStore = {
      ...locking,
      async modify(project, id, decide) {
        const decided = await locking.modify!(project, id, decide)
        return decided && { ...decided, outboxSettled: true }
      },
    }
    const sent: Signal[] = []
    const { interactions } = harness({ store, signals: callbackSignals((signal) => void sent.push(signal)) })
    const gate = await interactions.create('acme', deployGate)
    expect((await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).status).toBe('completed')
    expect(sent).toEqual([])
  })

  it('respond — through a locking store the service sends the signal itself', async () => {
    const sent: Signal[] = []
    const { interactions } = harness({ store: lockingMemoryStore(), signals: callbackSignals((signal) => void sent.push(signal)) })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    expect(sent.map((signal) => signal.idempotency_key)).toEqual([`${gate.id}:completed`])
  })

  it('get — through a locking store, an unknown id is not_found', async () => {
    const { interactions } = harness({ store: lockingMemoryStore() })
    expect((await rejection(() => interactions.respond('acme', 'iact_unknown', { actor: alice, value: { confirmed: true } }))).code).toBe('not_found')
  })
})

describe('group size', () => {
  const group = { type: 'group', id: 'group_big' } as const

  it('create — a group of exactly the member limit is accepted', async () => {
    const { interactions } = harness({ groups: { group_big: members(1_000) } })
    expect((await interactions.create('acme', ask(group))).members).toHaveLength(1_000)
  })

  it('create — a group over the member limit is validation_failed naming the group and the limit', async () => {
    const { interactions, store } = harness({ groups: { group_big: members(1_001) } })
    const error = await rejection(() => interactions.create('acme', ask(group)))
    expect(error.code).toBe('validation_failed')
    expect(error.issues).toEqual([{ path: ['target_actor', 'id'], message: expect.stringContaining('at most 1000') }])
    expect(error.message).toContain('group "group_big"')
    expect(await store.inbox({ project: 'acme', actor: { type: 'member', id: 'user_0' }, now: '2026-04-21T09:00:00.000Z', limit: 10 })).toEqual([])
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
