import { expect, it } from 'vitest'
import { alice, bob, carol, deployGate, harness, rejection } from '../support/harness.js'
import { describeEachStore } from '../support/each-store.js'

const ops = { type: 'group', id: 'group_ops' } as const
const yes = { confirmed: true }
const T0 = '2026-04-21T09:00:00.000Z'
const T1 = '2026-04-21T09:01:00.000Z'

describeEachStore('history', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })

  it('history — a direct approval: created by the requester, responded with its value, completed with its outcome', async () => {
    const { interactions, clock } = await service()
    const gate = await interactions.create('acme', { ...deployGate, requested_by: bob })
    clock.set(T1)
    await interactions.respond('acme', gate.id, { actor: alice, value: yes, comment: 'Ship it' })
    expect(await interactions.history('acme', gate.id)).toEqual([
      { seq: 1, type: 'created', at: T0, actor: bob },
      { seq: 2, type: 'responded', at: T1, actor: alice, data: { value: yes, comment: 'Ship it' } },
      { seq: 3, type: 'completed', at: T1, data: { outcome: 'approved' } },
    ])
  })

  it('history — first responder: every claim and release, then the response that claims and completes', async () => {
    const { interactions } = await service()
    const ask = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops })
    await interactions.claim('acme', ask.id, alice)
    await interactions.claim('acme', ask.id, alice)
    await interactions.release('acme', ask.id, alice)
    await rejection(() => interactions.release('acme', ask.id, alice))
    await interactions.respond('acme', ask.id, { actor: bob, value: { confirmed: false } })
    const events = await interactions.history('acme', ask.id)
    // The repeated claim and the refused release changed nothing, so they left no event.
    expect(events.map((e) => [e.seq, e.type, e.actor?.id])).toEqual([
      [1, 'created', undefined],
      [2, 'claimed', 'user_alice'],
      [3, 'released', 'user_alice'],
      [4, 'claimed', 'user_bob'],
      [5, 'responded', 'user_bob'],
      [6, 'completed', undefined],
    ])
    expect(events[5]!.data).toEqual({ outcome: 'rejected' })
  })

  it('history — all members: one event per response, completed once after the last', async () => {
    const { interactions } = await service()
    const vote = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      routing_policy: 'all_members',
    })
    for (const actor of [carol, alice, bob]) await interactions.respond('acme', vote.id, { actor, value: yes })
    const events = await interactions.history('acme', vote.id)
    expect(events.map((e) => e.type)).toEqual(['created', 'responded', 'responded', 'responded', 'completed'])
    expect(events.filter((e) => e.type === 'responded').map((e) => e.actor!.id)).toEqual(['user_carol', 'user_alice', 'user_bob'])
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
  })

  it('history — a lazy expiry on read is recorded once, however often the record is read', async () => {
    const { interactions, clock } = await service()
    const gate = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00Z')
    // history reads like get: the due interaction expires first, so its history ends with it.
    expect((await interactions.history('acme', gate.id)).map((e) => e.type)).toEqual(['created', 'expired'])
    await interactions.get('acme', gate.id)
    await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: yes }))
    expect(await interactions.history('acme', gate.id)).toEqual([
      { seq: 1, type: 'created', at: T0 },
      { seq: 2, type: 'expired', at: '2026-04-21T10:00:00.000Z' },
    ])
  })

  it('history — a sweep records expired without an actor', async () => {
    const { interactions, clock } = await service()
    const gate = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:30:00Z')
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect((await interactions.history('acme', gate.id)).at(-1)).toEqual({ seq: 2, type: 'expired', at: '2026-04-21T10:30:00.000Z' })
  })

  it('history — refused calls add nothing', async () => {
    const { interactions } = await service()
    const gate = await interactions.create('acme', deployGate)
    await rejection(() => interactions.respond('acme', gate.id, { actor: bob, value: yes }))
    await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: { value: 'x' } }))
    await rejection(() => interactions.claim('acme', gate.id, alice))
    expect((await interactions.history('acme', gate.id)).map((e) => e.type)).toEqual(['created'])
  })

  it("history — an unknown id, or another project's, is not_found; a malformed id is validation_failed", async () => {
    const { interactions } = await service()
    const gate = await interactions.create('acme', deployGate)
    expect((await rejection(() => interactions.history('other', gate.id))).code).toBe('not_found')
    expect((await rejection(() => interactions.history('acme', 'iact_unknown'))).code).toBe('not_found')
    expect((await rejection(() => interactions.history('acme', ''))).code).toBe('validation_failed')
  })

  it('history — an idempotent retry of create adds no second created event', async () => {
    const { interactions } = await service()
    const first = await interactions.create('acme', { ...deployGate, idempotency_key: 'deploy-42' })
    await interactions.create('acme', { ...deployGate, idempotency_key: 'deploy-42' })
    expect((await interactions.history('acme', first.id)).map((e) => e.type)).toEqual(['created'])
  })

  it('history — concurrent responses of an all-members group: numbered 1 to n + 2 without gaps, in the order of the record', async () => {
    const { interactions } = await service()
    const vote = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      routing_policy: 'all_members',
    })
    await Promise.all([alice, bob, carol].map((actor) => interactions.respond('acme', vote.id, { actor, value: yes })))
    const record = await interactions.get('acme', vote.id)
    const events = await interactions.history('acme', vote.id)
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(events.filter((e) => e.type === 'responded').map((e) => e.actor)).toEqual(record.responses.map((r) => r.actor))
  })
})
