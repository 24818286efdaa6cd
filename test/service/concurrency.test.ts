import { isInteractionError, memoryStore, type Actor, type InteractionStore } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { harness } from '../support/harness.js'
import { countingStore } from '../support/each-store.js'

const membersOf = (count: number): Actor[] => Array.from({ length: count }, (_, i) => ({ type: 'member', id: `user_${i}` }))

/** A run-linked group approval; `members` answer as group `crowd`. */
function groupApproval(members: Actor[], routing_policy: 'first_responder' | 'all_members', store?: InteractionStore) {
  const service = harness({ groups: { crowd: members }, ...(store && { store }) })
  const created = service.interactions.create('acme', {
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: { type: 'group', id: 'crowd' },
    routing_policy,
    run_id: 'run_race',
    topic: 'gate',
  })
  const respondAll = async () => {
    const { id } = await created
    return Promise.allSettled(
      members.map((actor) => service.interactions.respond('acme', id, { actor: actor as never, value: { confirmed: true } })),
    )
  }
  return { ...service, created, respondAll }
}

describe('concurrency', () => {
  it('respond — 50 members racing on one first_responder interaction: one response, one signal', async () => {
    const { interactions, delivered, created: pending, respondAll } = groupApproval(membersOf(50), 'first_responder')
    const results = await respondAll()
    const created = await pending
    const winners = results.filter((r) => r.status === 'fulfilled')
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(winners).toHaveLength(1)
    expect(losers.every((r) => isInteractionError(r.reason, 'not_pending') || isInteractionError(r.reason, 'already_claimed'))).toBe(true)
    const final = await interactions.get('acme', created.id)
    expect(final.responses).toHaveLength(1)
    expect(final.claimed_by).toEqual(final.responses[0]!.actor)
    expect(delivered).toHaveLength(1)
  })

  it('respond — 200 members of an all_members group at once: 200 responses, one signal', async () => {
    const { interactions, delivered, created: pending, respondAll } = groupApproval(membersOf(200), 'all_members')
    expect((await respondAll()).every((r) => r.status === 'fulfilled')).toBe(true)
    const final = await interactions.get('acme', (await pending).id)
    expect(final.status).toBe('completed')
    expect(new Set(final.responses.map((r) => r.actor.id)).size).toBe(200)
    expect(final.version).toBe(201)
    expect(delivered).toHaveLength(1)
    expect(delivered[0]!.responses).toHaveLength(200)
  })

  it('respond — on the memory store, 200 all_members responses at once each decide once and write once: no retry', async () => {
    const { store, writes } = countingStore(memoryStore())
    const { interactions, delivered, created, respondAll } = groupApproval(membersOf(200), 'all_members', store)
    expect((await respondAll()).every((r) => r.status === 'fulfilled')).toBe(true)
    expect(await interactions.get('acme', (await created).id)).toMatchObject({ status: 'completed', version: 201 })
    expect(writes.modifies).toBe(200)
    // The create, one write per response, and the settled delivery of the one signal.
    expect(writes.count).toBe(1 + 200 + 1)
    expect(delivered).toHaveLength(1)
  })

  it('get — reads without the write path, unless a lazy expiry is due', async () => {
    const { store, writes } = countingStore(memoryStore())
    const { interactions, clock } = harness({ store })
    const created = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'member', id: 'user_0' },
      expires_at: '2026-04-21T10:00:00Z',
    })
    await interactions.get('acme', created.id)
    expect(writes.modifies).toBe(0)
    clock.set('2026-04-21T10:00:00Z')
    expect((await interactions.get('acme', created.id)).status).toBe('expired')
    expect(writes.modifies).toBe(1)
  })

  it('claim — concurrent claims: one claimant, the others already_claimed', async () => {
    const members = membersOf(20)
    const { interactions } = harness({ groups: { crowd: members } })
    const created = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'group', id: 'crowd' },
    })
    const results = await Promise.allSettled(members.map((actor) => interactions.claim('acme', created.id, actor as never)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .every((r) => isInteractionError((r as PromiseRejectedResult).reason, 'already_claimed')),
    ).toBe(true)
  })

  it('respond and expireDue racing at the deadline: exactly one end state, one signal', async () => {
    const { interactions, clock, delivered } = harness()
    const created = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'member', id: 'user_alice' },
      run_id: 'run_1',
      topic: 'gate',
      expires_at: '2026-04-21T10:00:00Z',
    })
    clock.set('2026-04-21T10:00:00Z')
    const [respond, sweep] = await Promise.allSettled([
      interactions.respond('acme', created.id, { actor: { type: 'member', id: 'user_alice' }, value: { confirmed: true } }),
      interactions.expireDue(),
    ])
    expect(respond.status).toBe('rejected')
    expect(isInteractionError((respond as PromiseRejectedResult).reason, 'expired')).toBe(true)
    expect(sweep.status).toBe('fulfilled')
    expect(delivered.map((s) => s.status)).toEqual(['expired'])
  })
})
