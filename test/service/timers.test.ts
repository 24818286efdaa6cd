import type { CreateInteractionInput, Participant } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { alice, bob, carol, harness, rejection } from '../support/harness.js'
import { describeEachStore } from '../support/each-store.js'

const ops = { type: 'group', id: 'group_ops' } as const
const dave = { type: 'member', id: 'user_dave' } as const
const yes = { confirmed: true }
const MINUTE = 60_000

/** A first-responder approval for group_ops (alice, bob, carol) whose claims hold for 30 minutes. */
const timedClaim = { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops, claim_timeout: 'PT30M' } as const
/** A direct approval for alice: reminded after 4 hours, then reassigned to bob after 24. */
const escalating: CreateInteractionInput = {
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: alice,
  expires_at: '2026-04-23T09:00:00Z',
  escalation: [
    { after: 'PT4H', action: 'remind' },
    { after: 'P1D', action: 'reassign', to: bob },
  ],
}

describeEachStore('claim timeout and escalation', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })
  type Service = Awaited<ReturnType<typeof service>>
  const inboxIds = async ({ interactions }: Service, actor: Participant) =>
    (await interactions.inbox('acme', actor)).items.map((item) => item.id)

  it('get — a claim older than claim_timeout lapses on the next call: back in every inbox, claim_lapsed in the history', async () => {
    const svc = await service()
    const { interactions, clock } = svc
    const ask = await interactions.create('acme', timedClaim)
    clock.advance(10 * MINUTE)
    await interactions.claim('acme', ask.id, alice)
    clock.advance(30 * MINUTE - 1)
    expect((await interactions.get('acme', ask.id)).claimed_by).toEqual(alice)
    expect(await inboxIds(svc, bob)).toEqual([])

    clock.advance(1)
    const lapsed = await interactions.get('acme', ask.id)
    expect(lapsed).not.toHaveProperty('claimed_by')
    expect(lapsed).not.toHaveProperty('claimed_at')
    for (const member of [alice, bob, carol]) expect(await inboxIds(svc, member)).toEqual([ask.id])
    expect((await interactions.history('acme', ask.id)).at(-1)).toEqual({
      seq: 3,
      type: 'claim_lapsed',
      at: '2026-04-21T09:40:00.000Z',
      data: { claimant: alice },
    })
  })

  it('sweep — lapses a claim nobody calls on, once, and reports it', async () => {
    const svc = await service()
    const { interactions, clock } = svc
    const ask = await interactions.create('acme', timedClaim)
    await interactions.claim('acme', ask.id, bob)
    clock.advance(29 * MINUTE)
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 })
    clock.advance(MINUTE)
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 1, reminded: 0, escalated: 0 })
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 })
    for (const member of [alice, bob, carol]) expect(await inboxIds(svc, member)).toEqual([ask.id])
    expect((await interactions.history('acme', ask.id)).filter((event) => event.type === 'claim_lapsed')).toHaveLength(1)
  })

  it('respond and claim — a lapsed claimant may still answer when nobody claimed since', async () => {
    const { interactions, clock } = await service()
    const first = await interactions.create('acme', timedClaim)
    const second = await interactions.create('acme', timedClaim)
    await interactions.claim('acme', first.id, alice)
    await interactions.claim('acme', second.id, alice)
    clock.advance(45 * MINUTE)
    const answered = await interactions.respond('acme', first.id, { actor: alice, value: yes })
    expect(answered).toMatchObject({ status: 'completed', outcome: 'approved' })
    expect(await interactions.claim('acme', second.id, alice)).toMatchObject({ claimed_by: alice, claimed_at: '2026-04-21T09:45:00.000Z' })
    expect((await interactions.history('acme', first.id)).map((event) => event.type)).toEqual([
      'created',
      'claimed',
      'claim_lapsed',
      'claimed',
      'responded',
      'completed',
    ])
  })

  it('respond and claim — a lapsed claimant gets already_claimed once another member claimed', async () => {
    const { interactions, clock } = await service()
    const ask = await interactions.create('acme', timedClaim)
    await interactions.claim('acme', ask.id, alice)
    clock.advance(30 * MINUTE)
    await interactions.claim('acme', ask.id, bob)
    expect((await rejection(() => interactions.respond('acme', ask.id, { actor: alice, value: yes }))).code).toBe('already_claimed')
    expect((await rejection(() => interactions.claim('acme', ask.id, alice))).code).toBe('already_claimed')
    expect(await interactions.get('acme', ask.id)).toMatchObject({ claimed_by: bob, responses: [] })
  })

  it('sweep — runs each escalation step once, in order, at its time, and reassign moves the inbox', async () => {
    const svc = await service()
    const { interactions, clock } = svc
    const gate = await interactions.create('acme', escalating)
    clock.set('2026-04-21T12:59:59.999Z')
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 })
    clock.set('2026-04-21T13:00:00.000Z')
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 1, escalated: 0 })
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 })
    expect(await inboxIds(svc, alice)).toEqual([gate.id])

    clock.set('2026-04-22T09:00:00.000Z')
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 1 })
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 })
    expect(await inboxIds(svc, alice)).toEqual([])
    expect(await inboxIds(svc, bob)).toEqual([gate.id])
    expect(await interactions.get('acme', gate.id)).toMatchObject({ target_actor: bob, escalation_step: 2 })
    expect((await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: yes }))).code).toBe('not_eligible')
    expect((await interactions.history('acme', gate.id)).slice(1)).toEqual([
      { seq: 2, type: 'reminded', at: '2026-04-21T13:00:00.000Z', data: { step: 0 } },
      { seq: 3, type: 'escalated', at: '2026-04-22T09:00:00.000Z', data: { step: 1, action: 'reassign', to: bob } },
    ])
    expect((await interactions.respond('acme', gate.id, { actor: bob, value: yes })).status).toBe('completed')
  })

  it('get — steps whose time has come run lazily on the next call, in order, before expiry', async () => {
    const { interactions, clock } = await service()
    const gate = await interactions.create('acme', escalating)
    clock.set('2026-04-23T09:00:00.000Z')
    expect(await interactions.get('acme', gate.id)).toMatchObject({ status: 'expired', target_actor: bob, escalation_step: 2 })
    const events = await interactions.history('acme', gate.id)
    expect(events.map((event) => [event.type, event.data?.step])).toEqual([
      ['created', undefined],
      ['reminded', 0],
      ['escalated', 1],
      ['expired', undefined],
    ])
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 })
  })

  it('sweep — add_members adds to the snapshot and the inboxes those not in it yet', async () => {
    const svc = await service()
    const { interactions, clock } = svc
    const vote = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      routing_policy: 'all_members',
      escalation: [{ after: 'PT2H', action: 'add_members', members: [carol, dave, dave] }],
    })
    await interactions.respond('acme', vote.id, { actor: alice, value: yes })
    expect(await inboxIds(svc, dave)).toEqual([])
    clock.advance(120 * MINUTE)
    expect(await interactions.sweep()).toEqual({ expired: 0, claims_lapsed: 0, reminded: 0, escalated: 1 })
    expect((await interactions.get('acme', vote.id)).members).toEqual([alice, bob, carol, dave])
    expect(await inboxIds(svc, dave)).toEqual([vote.id])
    expect(await inboxIds(svc, alice)).toEqual([])
    expect((await interactions.history('acme', vote.id)).at(-1)).toMatchObject({
      type: 'escalated',
      data: { step: 0, action: 'add_members', members: [dave] },
    })
  })

  it('sweep — two sweepers at once run each lapse and each escalation step once', async () => {
    const store = await emptyStore()
    const one = harness({ store })
    const two = harness({ store })
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const ask = await one.interactions.create('acme', {
        ...timedClaim,
        escalation: [
          { after: 'PT1H', action: 'remind' },
          { after: 'PT2H', action: 'add_members', members: [dave] },
        ],
      })
      await one.interactions.claim('acme', ask.id, alice)
      ids.push(ask.id)
    }
    const total = { expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 }
    for (const at of ['2026-04-21T09:30:00.000Z', '2026-04-21T10:00:00.000Z', '2026-04-21T11:00:00.000Z']) {
      one.clock.set(at)
      two.clock.set(at)
      const reports = await Promise.all([one, two, one, two].map(({ interactions }) => interactions.sweep({ limit: 4 })))
      // What a sweeper left for the lease of another is due again once that lease ends.
      one.clock.advance(5 * MINUTE)
      reports.push(await one.interactions.sweep())
      for (const report of reports) for (const kind of Object.keys(total) as (keyof typeof total)[]) total[kind] += report[kind]
    }
    expect(total).toEqual({ expired: 0, claims_lapsed: 6, reminded: 6, escalated: 6 })
    for (const id of ids) {
      expect((await one.interactions.history('acme', id)).map((event) => event.type)).toEqual([
        'created',
        'claimed',
        'claim_lapsed',
        'reminded',
        'escalated',
      ])
    }
  })

  it('sweep — a claim that lapsed and an expiry due in one sweep both run, the lapse first, at the sweep time', async () => {
    const { interactions, clock } = await service()
    const ask = await interactions.create('acme', { ...timedClaim, expires_at: '2026-04-21T12:00:00Z' })
    await interactions.claim('acme', ask.id, alice)
    clock.set('2026-04-21T12:00:00.000Z')
    expect(await interactions.sweep()).toEqual({ expired: 1, claims_lapsed: 1, reminded: 0, escalated: 0 })
    expect((await interactions.history('acme', ask.id)).slice(2).map((event) => [event.type, event.at])).toEqual([
      ['claim_lapsed', '2026-04-21T12:00:00.000Z'],
      ['expired', '2026-04-21T12:00:00.000Z'],
    ])
  })
})
