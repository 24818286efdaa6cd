import { describe, expect, it } from 'vitest'
import { alice, bob, carol, harness, rejection } from '../support/harness.js'

const ops = { type: 'group', id: 'group_ops' } as const
const ask = (target_actor: { type: 'member' | 'agent' | 'group'; id: string }, extra: object = {}) =>
  ({ type: 'approval', spec: { mode: 'confirm' }, target_actor, ...extra }) as const

describe('inbox', () => {
  it('inbox — lists what the actor may act on now, oldest first', async () => {
    const { interactions, clock } = harness()
    const direct = await interactions.create('acme', ask(alice))
    clock.advance(1_000)
    const toBob = await interactions.create('acme', ask(bob))
    clock.advance(1_000)
    const group = await interactions.create('acme', ask(ops))
    clock.advance(1_000)
    const vote = await interactions.create('acme', ask(ops, { routing_policy: 'all_members' }))

    expect((await interactions.inbox('acme', alice)).items.map((i) => i.id)).toEqual([direct.id, group.id, vote.id])
    expect((await interactions.inbox('acme', bob)).items.map((i) => i.id)).toEqual([toBob.id, group.id, vote.id])
    expect((await interactions.inbox('acme', { type: 'agent', id: 'user_alice' })).items).toEqual([])
  })

  it('inbox — a claimed first-responder item stays only in the claimant inbox, and returns on release', async () => {
    const { interactions } = harness()
    const group = await interactions.create('acme', ask(ops))
    await interactions.claim('acme', group.id, bob)
    expect((await interactions.inbox('acme', bob)).items.map((i) => i.id)).toEqual([group.id])
    expect((await interactions.inbox('acme', alice)).items).toEqual([])
    await interactions.release('acme', group.id, bob)
    expect((await interactions.inbox('acme', alice)).items.map((i) => i.id)).toEqual([group.id])
  })

  it('inbox — an all-members item leaves a member inbox once that member responded', async () => {
    const { interactions } = harness()
    const vote = await interactions.create('acme', ask(ops, { routing_policy: 'all_members' }))
    await interactions.respond('acme', vote.id, { actor: alice, value: { confirmed: true } })
    expect((await interactions.inbox('acme', alice)).items).toEqual([])
    expect((await interactions.inbox('acme', carol)).items.map((i) => i.id)).toEqual([vote.id])
  })

  it('inbox — completed and expired interactions leave every inbox', async () => {
    const { interactions, clock } = harness()
    const done = await interactions.create('acme', ask(alice))
    await interactions.create('acme', ask(alice, { expires_at: '2026-04-21T10:00:00Z' }))
    await interactions.respond('acme', done.id, { actor: alice, value: { confirmed: true } })
    clock.set('2026-04-21T10:00:00Z')
    await interactions.expireDue()
    expect((await interactions.inbox('acme', alice)).items).toEqual([])
  })

  it('inbox — pages with a cursor through every item exactly once, including equal creation times', async () => {
    const { interactions, clock } = harness()
    const ids: string[] = []
    for (let i = 0; i < 25; i++) {
      if (i % 3 === 0) clock.advance(1_000)
      ids.push((await interactions.create('acme', ask(alice))).id)
    }
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await interactions.inbox('acme', alice, { limit: 7, cursor })
      expect(page.items.length).toBeLessThanOrEqual(7)
      seen.push(...page.items.map((i) => i.id))
      cursor = page.next_cursor
      pages++
    } while (cursor)
    expect(pages).toBe(4)
    expect(new Set(seen).size).toBe(25)
    expect([...seen].sort()).toEqual([...ids].sort())
    const created = await Promise.all(seen.map((id) => interactions.get('acme', id)))
    const times = created.map((i) => i.created_at)
    expect(times).toEqual([...times].sort())
  })

  it('inbox — the last page has no cursor, and an exact fit does not invent one', async () => {
    const { interactions } = harness()
    for (let i = 0; i < 3; i++) await interactions.create('acme', ask(alice))
    expect((await interactions.inbox('acme', alice, { limit: 3 })).next_cursor).toBeNull()
    expect((await interactions.inbox('acme', alice, { limit: 2 })).next_cursor).toEqual(expect.any(String))
  })

  it('inbox — refuses a forged cursor, a bad limit and a group actor, naming the field', async () => {
    const { interactions } = harness()
    const cases = [
      { options: { cursor: 'not-a-cursor' }, path: 'cursor' },
      { options: { cursor: btoa('["yesterday","x"]') }, path: 'cursor' },
      { options: { limit: 0 }, path: 'limit' },
      { options: { limit: 101 }, path: 'limit' },
      { options: { limit: 2.5 }, path: 'limit' },
    ]
    for (const { options, path } of cases) {
      const error = await rejection(() => interactions.inbox('acme', alice, options))
      expect(error.code, JSON.stringify(options)).toBe('validation_failed')
      expect(error.issues[0]!.path).toEqual([path])
    }
    const group = await rejection(() => interactions.inbox('acme', ops as never))
    expect(group.issues[0]!.path).toEqual(['actor', 'type'])
  })
})
