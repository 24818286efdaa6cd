import { isInteractionError, type Participant } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { alice, bob, bot, carol, deployGate, harness, rejection } from '../support/harness.js'
import { describeEachStore, snapshot } from '../support/each-store.js'

const ops = { type: 'group', id: 'group_ops' } as const
const approval = { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops } as const
const dave = { type: 'member', id: 'user_dave' } as const
const lead = { type: 'member', id: 'user_lead' } as const
const yes = { confirmed: true }
const no = { confirmed: false }
const T1 = '2026-04-21T09:01:00.000Z'
const T2 = '2026-04-21T09:02:00.000Z'
const everyone: Participant[] = [alice, bob, carol, dave, bot]

describeEachStore('reassign', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })
  /** The ids of the items in each actor's inbox, by actor id. */
  const inboxes = async (interactions: Awaited<ReturnType<typeof service>>['interactions']) =>
    Object.fromEntries(
      await Promise.all(everyone.map(async (actor) => [actor.id, (await interactions.inbox('acme', actor)).items.map((item) => item.id)])),
    )

  it('reassign — a member target: to becomes the target, the inboxes follow in the same write, and the history records it', async () => {
    const { interactions, clock, delivered } = await service()
    const gate = await interactions.create('acme', deployGate)
    expect(await inboxes(interactions)).toMatchObject({ user_alice: [gate.id], user_bob: [] })
    clock.set(T1)
    const moved = await interactions.reassign('acme', gate.id, { by: lead, to: bob, reason: 'Alice is on leave' })
    expect(moved).toMatchObject({ status: 'pending', target_actor: bob, version: 2, updated_at: T1 })
    expect(await interactions.get('acme', gate.id)).toEqual(moved)
    expect(await inboxes(interactions)).toMatchObject({ user_alice: [], user_bob: [gate.id] })
    expect(await interactions.history('acme', gate.id)).toEqual([
      expect.objectContaining({ seq: 1, type: 'created' }),
      { seq: 2, type: 'reassigned', at: T1, actor: lead, data: { from: alice, to: bob, by: lead, reason: 'Alice is on leave' } },
    ])
    expect(delivered).toEqual([])

    expect((await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: yes }))).code).toBe('not_eligible')
    const answered = await interactions.respond('acme', gate.id, { actor: bob, value: yes })
    expect(answered).toMatchObject({ status: 'completed', outcome: 'approved' })
    expect(delivered).toMatchObject([{ status: 'completed', outcome: 'approved', responses: [{ actor: bob, value: yes }] }])
  })

  it('reassign — a member or agent target: a from that is not the target, or a to that is, is a conflict; nothing changes', async () => {
    const { interactions, store } = await service()
    const ask = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: bot })
    const before = await snapshot(store, 'acme', [ask.id], everyone)
    const notTheTarget = await rejection(() => interactions.reassign('acme', ask.id, { by: lead, from: alice, to: bob }))
    const rule = 'is not the target (agent "agent_reviewer")'
    expect(notTheTarget).toMatchObject({ code: 'conflict', issues: [{ path: ['from'], message: rule }] })
    expect(notTheTarget.message).toBe(`cannot reassign interaction ${ask.id} from member "user_alice": ${rule}`)
    for (const input of [
      { by: lead, to: bot },
      { by: lead, from: bot, to: bot },
    ]) {
      expect(await rejection(() => interactions.reassign('acme', ask.id, input))).toMatchObject({
        code: 'conflict',
        issues: [{ path: ['to'], message: 'is already the target' }],
      })
    }
    expect(await snapshot(store, 'acme', [ask.id], everyone)).toBe(before)

    // From an agent to a member, naming the agent; without a reason the history records none.
    const moved = await interactions.reassign('acme', ask.id, { by: bot, from: bot, to: alice })
    expect(moved.target_actor).toEqual(alice)
    const event = (await interactions.history('acme', ask.id)).at(-1)
    expect(event).toMatchObject({ type: 'reassigned', actor: bot, data: { from: bot, to: alice, by: bot } })
    expect(event!.data).not.toHaveProperty('reason')
  })

  it('reassign — a group: to takes the place of from in the snapshot, at the same position, and the inboxes follow', async () => {
    const { interactions, clock } = await service()
    const group = await interactions.create('acme', approval)
    const listed = [group.id]
    expect(await inboxes(interactions)).toMatchObject({ user_alice: listed, user_bob: listed, user_carol: listed, user_dave: [] })
    clock.set(T1)
    const moved = await interactions.reassign('acme', group.id, { by: lead, from: bob, to: dave, reason: 'delegated' })
    expect(moved).toMatchObject({ target_actor: ops, members: [alice, dave, carol], version: 2 })
    expect(await inboxes(interactions)).toMatchObject({ user_alice: listed, user_bob: [], user_carol: listed, user_dave: listed })
    const event = { seq: 2, type: 'reassigned', at: T1, actor: lead, data: { from: bob, to: dave, by: lead, reason: 'delegated' } }
    expect((await interactions.history('acme', group.id)).at(-1)).toEqual(event)
    expect((await rejection(() => interactions.claim('acme', group.id, bob))).code).toBe('not_eligible')
    expect(await interactions.claim('acme', group.id, dave)).toMatchObject({ claimed_by: dave })
  })

  it('reassign — a claim held by from moves to to, as of the reassign; a claim held by another member stays', async () => {
    const { interactions, clock, delivered } = await service()
    const group = await interactions.create('acme', { ...approval, run_id: 'run_1', topic: 'gate' })
    await interactions.claim('acme', group.id, alice)
    clock.set(T1)
    const moved = await interactions.reassign('acme', group.id, { by: lead, from: alice, to: dave })
    expect(moved).toMatchObject({ members: [dave, bob, carol], claimed_by: dave, claimed_at: T1 })
    expect(await inboxes(interactions)).toMatchObject({ user_alice: [], user_bob: [], user_carol: [], user_dave: [group.id] })
    expect((await rejection(() => interactions.respond('acme', group.id, { actor: alice, value: yes }))).code).toBe('not_eligible')
    expect((await rejection(() => interactions.respond('acme', group.id, { actor: bob, value: yes }))).code).toBe('already_claimed')

    clock.set(T2)
    const kept = await interactions.reassign('acme', group.id, { by: lead, from: bob, to: alice })
    expect(kept).toMatchObject({ members: [dave, alice, carol], claimed_by: dave, claimed_at: T1 })
    expect(await inboxes(interactions)).toMatchObject({ user_alice: [], user_dave: [group.id] })
    expect(delivered).toEqual([])
    await interactions.respond('acme', group.id, { actor: dave, value: no })
    expect(delivered).toMatchObject([{ status: 'completed', outcome: 'rejected', responses: [{ actor: dave, value: no }] }])
  })

  it('reassign — all members: a member who has not responded is replaced, and the one who takes over completes it', async () => {
    const { interactions, delivered } = await service()
    const group = await interactions.create('acme', { ...approval, routing_policy: 'all_members', run_id: 'run_1', topic: 'gate' })
    await interactions.respond('acme', group.id, { actor: alice, value: yes })
    await interactions.respond('acme', group.id, { actor: bob, value: yes })
    const moved = await interactions.reassign('acme', group.id, { by: lead, from: carol, to: dave })
    expect(moved).toMatchObject({ status: 'pending', members: [alice, bob, dave] })
    expect(await inboxes(interactions)).toMatchObject({ user_alice: [], user_bob: [], user_carol: [], user_dave: [group.id] })
    expect(delivered).toEqual([])
    expect(await interactions.respond('acme', group.id, { actor: dave, value: yes })).toMatchObject({ outcome: 'approved' })
    const responses = [{ actor: alice }, { actor: bob }, { actor: dave }]
    expect(delivered).toMatchObject([{ status: 'completed', outcome: 'approved', responses }])
  })

  it('reassign — a group refuses a missing from, a from not in the snapshot or who responded, a to in it, changing nothing', async () => {
    const { interactions, store } = await service()
    const group = await interactions.create('acme', { ...approval, routing_policy: 'all_members' })
    await interactions.respond('acme', group.id, { actor: alice, value: yes })
    const before = await snapshot(store, 'acme', [group.id], everyone)
    const cases: [object, string, (string | number)[][]][] = [
      [{ by: lead, to: dave }, 'validation_failed', [['from']]],
      [{ by: lead, from: dave, to: bot }, 'conflict', [['from']]],
      [{ by: lead, from: alice, to: dave }, 'already_responded', []],
      [{ by: lead, from: bob, to: carol }, 'conflict', [['to']]],
      [{ by: lead, from: bob, to: bob }, 'conflict', [['to']]],
    ]
    for (const [input, code, paths] of cases) {
      const error = await rejection(() => interactions.reassign('acme', group.id, input as never))
      expect([error.code, error.issues.map((issue) => issue.path)], JSON.stringify(input)).toEqual([code, paths])
    }
    expect(await snapshot(store, 'acme', [group.id], everyone)).toBe(before)
  })

  it('reassign — to the requester of an approval is not_eligible, unless allow_self_response; nothing changes', async () => {
    const { interactions, store } = await service()
    const gate = await interactions.create('acme', { ...deployGate, requested_by: dave })
    const group = await interactions.create('acme', { ...approval, requested_by: dave })
    const before = await snapshot(store, 'acme', [gate.id, group.id], everyone)
    for (const [id, input] of [
      [gate.id, { by: lead, to: dave }],
      [group.id, { by: lead, from: bob, to: dave }],
    ] as const) {
      const refused = await rejection(() => interactions.reassign('acme', id, input))
      expect([refused.code, refused.issues.map((issue) => issue.path)]).toEqual(['not_eligible', [['to']]])
    }
    expect(await snapshot(store, 'acme', [gate.id, group.id], everyone)).toBe(before)
    const selfServed = await interactions.create('acme', { ...deployGate, requested_by: dave, allow_self_response: true })
    expect(await interactions.reassign('acme', selfServed.id, { by: lead, to: dave })).toMatchObject({ target_actor: dave })
  })

  it('reassign — the place of a requester in the snapshot goes to someone who may answer, and counts', async () => {
    const { interactions } = await service()
    const group = await interactions.create('acme', { ...approval, routing_policy: 'all_members', requested_by: bob })
    expect(await inboxes(interactions)).toMatchObject({ user_bob: [], user_dave: [] })
    const moved = await interactions.reassign('acme', group.id, { by: bob, from: bob, to: dave })
    expect(moved.members).toEqual([alice, dave, carol])
    const listed = [group.id]
    expect(await inboxes(interactions)).toMatchObject({ user_alice: listed, user_bob: [], user_carol: listed, user_dave: listed })
    await interactions.respond('acme', group.id, { actor: alice, value: yes })
    expect(await interactions.respond('acme', group.id, { actor: carol, value: yes })).toMatchObject({ status: 'pending' })
    expect(await interactions.respond('acme', group.id, { actor: dave, value: yes })).toMatchObject({ outcome: 'approved' })
  })

  it('reassign — an ended interaction is not_pending, however it ended; a due one is expired first, and stays expired', async () => {
    const { interactions, clock } = await service()
    const answered = await interactions.create('acme', deployGate)
    await interactions.respond('acme', answered.id, { actor: alice, value: yes })
    const cancelled = await interactions.create('acme', deployGate)
    await interactions.cancel('acme', cancelled.id, { actor: lead })
    for (const { id } of [answered, cancelled]) {
      const error = await rejection(() => interactions.reassign('acme', id, { by: lead, to: bob }))
      expect(error.code).toBe('not_pending')
    }
    const due = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00Z')
    expect(await rejection(() => interactions.reassign('acme', due.id, { by: lead, to: bob }))).toMatchObject({
      code: 'not_pending',
      message: `interaction ${due.id} has expired`,
    })
    expect(await interactions.get('acme', due.id)).toMatchObject({ status: 'expired', target_actor: alice })
    expect((await interactions.history('acme', due.id)).map((e) => e.type)).toEqual(['created', 'expired'])
  })

  it.each([
    ['the reassign starts first', true],
    ['the response starts first', false],
  ])('reassign racing a response by from (%s): exactly one wins, and the other learns why', async (_, reassignFirst) => {
    const { interactions, delivered } = await service()
    const gate = await interactions.create('acme', deployGate)
    const group = await interactions.create('acme', { ...approval, routing_policy: 'all_members' })
    // The direct target's response ends it, so a reassign after it is not_pending; a member's leaves the group pending.
    for (const [id, refusedReassign] of [
      [gate.id, 'not_pending'],
      [group.id, 'already_responded'],
    ] as const) {
      const reassign = () => interactions.reassign('acme', id, { by: lead, from: alice, to: dave })
      const respond = () => interactions.respond('acme', id, { actor: alice, value: yes })
      const [reassigned, responded] = reassignFirst
        ? await Promise.allSettled([reassign(), respond()])
        : await Promise.allSettled([respond(), reassign()]).then(([r, a]) => [a, r] as const)
      expect([reassigned.status, responded.status].filter((status) => status === 'fulfilled')).toHaveLength(1)
      const loser = [reassigned, responded].find((r): r is PromiseRejectedResult => r.status === 'rejected')!
      const types = (await interactions.history('acme', id)).map((event) => event.type)
      if (reassigned.status === 'fulfilled') {
        expect(isInteractionError(loser.reason, 'not_eligible'), String(loser.reason)).toBe(true)
        expect(types).toEqual(['created', 'reassigned'])
        expect((await interactions.get('acme', id)).responses).toEqual([])
      } else {
        expect(isInteractionError(loser.reason, refusedReassign), String(loser.reason)).toBe(true)
        expect(types).not.toContain('reassigned')
        expect((await interactions.get('acme', id)).responses.map((response) => response.actor)).toEqual([alice])
      }
    }
    expect(delivered.length).toBeLessThanOrEqual(1)
  })
})
