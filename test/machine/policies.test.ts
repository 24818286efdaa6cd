import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Interaction } from '@hitl/interactions'
import { inboxOf, mayActNow, policyNameOf, step } from '../../src/machine/index.js'

const members = ['a', 'b', 'c'].map((id) => ({ type: 'member', id }) as const)
const outsider = { type: 'agent', id: 'x' } as const
const AT = '2026-04-21T09:30:00.000Z'
const base: Omit<Interaction<'pending'>, 'target_actor'> = {
  id: 'iact_1',
  project: 'acme',
  type: 'approval',
  spec: { mode: 'confirm' },
  status: 'pending',
  responses: [],
  created_at: '2026-04-21T09:00:00.000Z',
  updated_at: '2026-04-21T09:00:00.000Z',
  version: 1,
}

/** Pending records of every policy, in every state a sequence of calls can leave them in. */
const byPolicy = fc.oneof(
  fc.constant<Interaction>({ ...base, target_actor: members[0]! }),
  fc.option(fc.constantFrom(...members), { nil: undefined }).map(
    (claimant): Interaction => ({
      ...base,
      target_actor: { type: 'group', id: 'g' },
      routing_policy: 'first_responder',
      members: [...members],
      ...(claimant && { claimed_by: claimant, claimed_at: AT }),
    }),
  ),
  fc.subarray(members, { maxLength: 2 }).map(
    (answered): Interaction => ({
      ...base,
      target_actor: { type: 'group', id: 'g' },
      routing_policy: 'all_members',
      members: [...members],
      responses: answered.map((actor) => ({ actor, value: { confirmed: true }, responded_at: AT })),
    }),
  ),
  // A quorum of 3 that one approval and any rejection leave open, so the record is still pending.
  fc.subarray(members, { maxLength: 1 }).map(
    (answered): Interaction => ({
      ...base,
      target_actor: { type: 'group', id: 'g' },
      routing_policy: 'quorum',
      quorum: { required: 2 },
      members: [...members],
      responses: answered.map((actor) => ({ actor, value: { confirmed: true }, responded_at: AT })),
      tally: { approvals: answered.length, rejections: 0, responses: answered.length, required: 2 },
    }),
  ),
)

/** Each of those, also as an approval requested by one of its members or by an outsider, who may or may not answer it. */
const pendingRecord = fc
  .tuple(byPolicy, fc.option(fc.constantFrom(...members, outsider), { nil: undefined }), fc.boolean())
  .map(
    ([record, requester, allowed]): Interaction => ({
      ...record,
      ...(requester && { requested_by: requester }),
      ...(allowed && { allow_self_response: true }),
    }),
  )
  // A requester kept from answering never holds the claim: no call leads there.
  .filter((record) => record.allow_self_response === true || !record.claimed_by || record.claimed_by.id !== record.requested_by?.id)

describe('the policy table', () => {
  it('mayActNow — an actor may act now exactly when the machine accepts their valid response, on every policy', () => {
    fc.assert(
      fc.property(pendingRecord, fc.constantFrom(...members, outsider), (record, actor) => {
        const { refusal } = step(record, { type: 'respond', actor, value: { confirmed: true }, at: AT }, new Date(AT))
        expect(mayActNow(record, actor), `${policyNameOf(record)} ${JSON.stringify(record.claimed_by ?? record.responses)}`).toBe(
          refusal === undefined,
        )
      }),
    )
  })

  it('inboxOf — lists a pending record under exactly those who may act now, and an ended one under nobody', () => {
    fc.assert(
      fc.property(pendingRecord, (record) => {
        const mayAct = [...members, outsider].filter((actor) => mayActNow(record, actor)).map((actor) => `${actor.type}:${actor.id}`)
        expect(inboxOf(record).sort()).toEqual(mayAct.sort())
        const ended = step(record, { type: 'respond', actor: members[0]!, value: { confirmed: true }, at: AT }, new Date(AT)).record
        if (ended.status !== 'pending') expect(inboxOf(ended)).toEqual([])
      }),
    )
  })

  it('outcome — an all-members approval is approved only when every member confirmed', () => {
    const vote: Interaction = {
      ...base,
      target_actor: { type: 'group', id: 'g' },
      routing_policy: 'all_members',
      members: members.slice(0, 2),
    }
    const answer = (record: Interaction, actor: (typeof members)[number], confirmed: boolean) =>
      step(record, { type: 'respond', actor, value: { confirmed }, at: AT }, new Date(AT)).record
    expect(answer(answer(vote, members[0]!, true), members[1]!, true)).toMatchObject({ status: 'completed', outcome: 'approved' })
    expect(answer(answer(vote, members[0]!, true), members[1]!, false)).toMatchObject({ status: 'completed', outcome: 'rejected' })
  })

  it('outcome — only an approval carries one', () => {
    const review: Interaction = {
      ...base,
      type: 'review',
      spec: { mode: 'select', options: [{ value: 'ok', label: 'OK' }] },
      target_actor: members[0]!,
    }
    const done = step(review, { type: 'respond', actor: members[0]!, value: { value: 'ok' }, at: AT }, new Date(AT)).record
    expect(done.status).toBe('completed')
    expect(done).not.toHaveProperty('outcome')
  })
})
