import { isApproved, isInteractionError, type Actor, type CreateInteractionInput, type Participant } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { alice, bob, carol, harness, rejection } from '../support/harness.js'
import { describeEachStore } from '../support/each-store.js'

const dave = { type: 'member', id: 'user_dave' } as const
const erin = { type: 'member', id: 'user_erin' } as const
const board = { type: 'group', id: 'group_board' } as const
const groups: Record<string, Actor[]> = { group_board: [alice, bob, carol], group_five: [alice, bob, carol, dave, erin] }
const yes = { confirmed: true }
const no = { confirmed: false }

const vote = (required: number, extra: Partial<CreateInteractionInput> = {}): CreateInteractionInput => ({
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: board,
  routing_policy: 'quorum',
  quorum: { required },
  run_id: 'run_vote',
  topic: 'vote',
  ...extra,
})

describeEachStore('quorum and veto', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore(), groups })
  const answer = (svc: Awaited<ReturnType<typeof service>>, id: string, actor: Participant, value: object) =>
    svc.interactions.respond('acme', id, { actor, value: value as never })

  it('quorum — an approval completes approved when N members confirmed; the tally runs with each answer and the signal carries every response', async () => {
    const svc = await service()
    const ask = await svc.interactions.create('acme', vote(2))
    expect(ask.tally).toEqual({ approvals: 0, rejections: 0, responses: 0, required: 2 })
    const first = await answer(svc, ask.id, alice, yes)
    expect(first).toMatchObject({ status: 'pending', tally: { approvals: 1, rejections: 0, responses: 1, required: 2 } })
    const done = await answer(svc, ask.id, carol, yes)
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      tally: { approvals: 2, rejections: 0, responses: 2, required: 2 },
    })
    expect(isApproved(done)).toBe(true)
    expect(svc.delivered).toHaveLength(1)
    expect(svc.delivered[0]).toMatchObject({ status: 'completed', outcome: 'approved' })
    expect(svc.delivered[0]!.responses.map((r) => r.actor.id)).toEqual(['user_alice', 'user_carol'])
    // The member who did not answer is left with nothing to do.
    expect((await svc.interactions.inbox('acme', bob)).items).toEqual([])
    expect((await rejection(() => answer(svc, ask.id, bob, yes))).code).toBe('not_pending')
  })

  it('veto — one rejection among three when three are required rejects at once', async () => {
    const svc = await service()
    const ask = await svc.interactions.create('acme', vote(3))
    await answer(svc, ask.id, alice, yes)
    const vetoed = await answer(svc, ask.id, bob, no)
    expect(vetoed).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      tally: { approvals: 1, rejections: 1, responses: 2, required: 3 },
    })
    expect(svc.delivered.map((s) => s.outcome)).toEqual(['rejected'])
    expect((await svc.interactions.inbox('acme', carol)).items).toEqual([])
  })

  it('quorum — stays open while N can still be reached, and rejects as soon as it cannot', async () => {
    const svc = await service()
    const ask = await svc.interactions.create('acme', vote(2))
    expect(await answer(svc, ask.id, alice, no)).toMatchObject({ status: 'pending' })
    expect(await answer(svc, ask.id, bob, yes)).toMatchObject({ status: 'pending', tally: { approvals: 1, rejections: 1, responses: 2 } })
    expect(await answer(svc, ask.id, carol, no)).toMatchObject({ status: 'completed', outcome: 'rejected' })
  })

  it('quorum — a review completes when N members have answered, whatever they chose, with no outcome', async () => {
    const svc = await service()
    const spec = {
      mode: 'select' as const,
      options: [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
    }
    const ask = await svc.interactions.create('acme', { ...vote(2), type: 'review', spec })
    await answer(svc, ask.id, alice, { value: 'a' })
    const done = await answer(svc, ask.id, bob, { value: 'b' })
    expect(done).toMatchObject({ status: 'completed', tally: { approvals: 0, rejections: 0, responses: 2, required: 2 } })
    expect(done).not.toHaveProperty('outcome')
  })

  it('quorum — each member answers once: a second answer is already_responded and changes nothing', async () => {
    const svc = await service()
    const ask = await svc.interactions.create('acme', vote(3))
    const first = await answer(svc, ask.id, alice, yes)
    expect((await rejection(() => answer(svc, ask.id, alice, yes))).code).toBe('already_responded')
    expect(await svc.interactions.get('acme', ask.id)).toEqual(first)
    expect((await svc.interactions.inbox('acme', alice)).items).toEqual([])
    expect((await svc.interactions.inbox('acme', bob)).items.map((i) => i.id)).toEqual([ask.id])
  })

  it('quorum — create refuses a quorum above the members, none, or one without the policy, naming quorum', async () => {
    const svc = await service()
    const refused = async (input: unknown) => {
      const error = await rejection(() => svc.interactions.create('acme', input as never))
      expect(error.code).toBe('validation_failed')
      return error.issues.map((issue) => issue.path)
    }
    expect(await refused(vote(4))).toEqual([['quorum', 'required']])
    expect(await refused(vote(0))).toEqual([['quorum', 'required']])
    expect(await refused({ ...vote(2), quorum: undefined })).toEqual([['quorum']])
    expect(await refused({ ...vote(2), routing_policy: 'all_members' })).toEqual([['quorum']])
    expect((await svc.interactions.inbox('acme', alice)).items).toEqual([])
  })

  it('quorum — concurrent votes around the threshold: one completion, the right outcome, one signal', async () => {
    const svc = await service()
    const ask = await svc.interactions.create('acme', vote(3, { target_actor: { type: 'group', id: 'group_five' } }))
    const results = await Promise.allSettled([alice, bob, carol, dave, erin].map((actor) => answer(svc, ask.id, actor, yes)))
    const final = await svc.interactions.get('acme', ask.id)
    expect(final).toMatchObject({ status: 'completed', outcome: 'approved', tally: { approvals: 3, responses: 3 } })
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    const late = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(late.every((r) => isInteractionError(r.reason, 'not_pending'))).toBe(true)
    expect(svc.delivered).toHaveLength(1)
    expect(svc.delivered[0]!.responses).toHaveLength(3)
  })

  it('veto — a rejection racing the last approval: exactly one completion, one signal, the outcome its tally gives', async () => {
    for (let round = 0; round < 5; round++) {
      const svc = await service()
      const ask = await svc.interactions.create('acme', vote(2))
      await answer(svc, ask.id, alice, yes)
      await Promise.allSettled([answer(svc, ask.id, bob, yes), answer(svc, ask.id, carol, no)])
      const final = await svc.interactions.get('acme', ask.id)
      expect(final.status).toBe('completed')
      expect(final.outcome).toBe(final.tally!.approvals >= 2 ? 'approved' : 'rejected')
      // The tally counts what the record holds.
      expect(final.tally!.approvals).toBe(final.responses.filter((r) => 'confirmed' in r.value && r.value.confirmed).length)
      expect(svc.delivered.map((s) => s.outcome)).toEqual([final.outcome])
      expect(final.tally!.responses).toBe(final.responses.length)
    }
  })
})

describeEachStore('no self-approval', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore(), groups })
  const ask = (extra: Partial<CreateInteractionInput> = {}): CreateInteractionInput => ({
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: board,
    requested_by: alice,
    ...extra,
  })

  it('self-approval — the requester may neither answer nor claim their own approval, and does not see it in their inbox', async () => {
    const svc = await service()
    const gate = await svc.interactions.create('acme', ask())
    expect((await rejection(() => svc.interactions.respond('acme', gate.id, { actor: alice, value: yes }))).code).toBe('not_eligible')
    expect((await rejection(() => svc.interactions.claim('acme', gate.id, alice))).code).toBe('not_eligible')
    expect((await svc.interactions.inbox('acme', alice)).items).toEqual([])
    expect((await svc.interactions.inbox('acme', bob)).items.map((i) => i.id)).toEqual([gate.id])
    expect(await svc.interactions.get('acme', gate.id)).toEqual(gate)
    expect(await svc.interactions.respond('acme', gate.id, { actor: bob, value: yes })).toMatchObject({
      status: 'completed',
      outcome: 'approved',
    })
  })

  it('self-approval — allow_self_response: true lets the requester answer', async () => {
    const svc = await service()
    const gate = await svc.interactions.create('acme', ask({ allow_self_response: true }))
    expect((await svc.interactions.inbox('acme', alice)).items.map((i) => i.id)).toEqual([gate.id])
    expect(await svc.interactions.respond('acme', gate.id, { actor: alice, value: yes })).toMatchObject({ status: 'completed' })
  })

  it('self-approval — an approval of the requester by themselves alone cannot be created', async () => {
    const svc = await service()
    const error = await rejection(() => svc.interactions.create('acme', ask({ target_actor: alice })))
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toEqual([['requested_by']])
    expect(await svc.interactions.create('acme', ask({ target_actor: alice, allow_self_response: true }))).toMatchObject({
      status: 'pending',
    })
  })

  it('self-approval — the requester does not count toward what a quorum can reach', async () => {
    const svc = await service()
    const error = await rejection(() => svc.interactions.create('acme', ask({ routing_policy: 'quorum', quorum: { required: 3 } })))
    expect(error.issues).toEqual([{ path: ['quorum', 'required'], message: expect.stringContaining('at most the 2 members') }])
    const gate = await svc.interactions.create('acme', ask({ routing_policy: 'quorum', quorum: { required: 2 } }))
    // Two may respond and two are needed: one rejection is a veto.
    expect(await svc.interactions.respond('acme', gate.id, { actor: bob, value: no })).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
    })
  })

  it('self-approval — an escalation step may not hand an approval to its requester', async () => {
    const svc = await service()
    const handover = { after: 'PT1H', action: 'reassign', to: alice } as const
    const error = await rejection(() => svc.interactions.create('acme', ask({ target_actor: bob, escalation: [handover] })))
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toEqual([['escalation', 0, 'to']])
    expect((await svc.interactions.inbox('acme', bob)).items).toEqual([])
    const allowed = await svc.interactions.create('acme', ask({ target_actor: bob, escalation: [handover], allow_self_response: true }))
    expect(allowed.status).toBe('pending')
  })

  it('self-approval — all members completes when everyone but the requester answered', async () => {
    const svc = await service()
    const gate = await svc.interactions.create('acme', ask({ routing_policy: 'all_members' }))
    await svc.interactions.respond('acme', gate.id, { actor: bob, value: yes })
    expect(await svc.interactions.respond('acme', gate.id, { actor: carol, value: yes })).toMatchObject({
      status: 'completed',
      outcome: 'approved',
    })
  })

  it('self-approval — applies to approvals only: the requester of a review may answer it', async () => {
    const svc = await service()
    const spec = { mode: 'select' as const, options: [{ value: 'a', label: 'A' }] }
    const review = await svc.interactions.create('acme', ask({ type: 'review', spec }))
    expect(await svc.interactions.respond('acme', review.id, { actor: alice, value: { value: 'a' } })).toMatchObject({
      status: 'completed',
    })
  })
})
