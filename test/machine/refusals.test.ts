import type { Interaction, Participant } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { step, type InteractionEvent } from '../../src/machine/index.js'
import { memberA, pendingApproval } from '../support/records.js'

// Every refusal the machine can give, with the code, message and issues a caller sees: the message
// names the interaction and the actor, so a host can show it as is.

const a = memberA
const b: Participant = { type: 'member', id: 'b' }
const outsider: Participant = { type: 'agent', id: 'z' }
const AT = '2026-04-21T09:30:00.000Z'
const NOW = new Date(AT)

const direct = pendingApproval
const firstResponder: Interaction = {
  ...direct,
  target_actor: { type: 'group', id: 'ops' },
  routing_policy: 'first_responder',
  members: [a, b],
}
const claimedByA: Interaction = { ...firstResponder, claimed_by: a, claimed_at: AT }
const allMembers: Interaction = { ...firstResponder, routing_policy: 'all_members' }
const answeredByA: Interaction = { ...allMembers, responses: [{ actor: a, value: { confirmed: true }, responded_at: AT }] }

const respond = (actor: Participant, value: Record<string, unknown> = { confirmed: true }): InteractionEvent => ({
  type: 'respond',
  actor,
  value,
  at: AT,
})
const claim = (actor: Participant): InteractionEvent => ({ type: 'claim', actor, at: AT })
const release = (actor: Participant): InteractionEvent => ({ type: 'release', actor, at: AT })
const reassign = (to: Participant, from?: Participant): InteractionEvent => ({
  type: 'reassign',
  actor: b,
  to,
  ...(from && { from }),
  at: AT,
})
const c: Participant = { type: 'member', id: 'c' }

const notClaimable = (target: string) => ({
  code: 'validation_failed',
  message: `claim and release apply only to group interactions with routing_policy "first_responder" (interaction iact_1 targets ${target})`,
  issues: [{ path: ['routing_policy'], message: 'claim and release need routing_policy "first_responder"' }],
})
const notEligible = { code: 'not_eligible', message: 'agent "z" is not eligible to act on interaction iact_1' }
const claimedByOther = { code: 'already_claimed', message: 'interaction iact_1 is claimed by member "a"' }

const cases: { name: string; record: Interaction; event: InteractionEvent; refusal: object }[] = [
  { name: 'respond by an outsider to a direct interaction', record: direct, event: respond(outsider), refusal: notEligible },
  { name: 'respond by an outsider to an unclaimed group', record: firstResponder, event: respond(outsider), refusal: notEligible },
  { name: 'respond by an outsider to a claimed group', record: claimedByA, event: respond(outsider), refusal: notEligible },
  { name: 'respond by an outsider to an all_members group', record: allMembers, event: respond(outsider), refusal: notEligible },
  { name: 'claim by an outsider of an unclaimed group', record: firstResponder, event: claim(outsider), refusal: notEligible },
  { name: 'claim by an outsider of a claimed group', record: claimedByA, event: claim(outsider), refusal: notEligible },
  { name: 'claim by another member', record: claimedByA, event: claim(b), refusal: claimedByOther },
  { name: 'respond by another member', record: claimedByA, event: respond(b), refusal: claimedByOther },
  {
    name: 'release of an unclaimed group',
    record: firstResponder,
    event: release(a),
    refusal: { code: 'not_eligible', message: 'interaction iact_1 is not claimed, so there is nothing to release' },
  },
  {
    name: 'release by another member',
    record: claimedByA,
    event: release(b),
    refusal: { code: 'not_eligible', message: 'only the claimant, member "a", may release interaction iact_1' },
  },
  { name: 'claim of a direct interaction', record: direct, event: claim(a), refusal: notClaimable('a member') },
  { name: 'release of a direct interaction', record: direct, event: release(a), refusal: notClaimable('a member') },
  {
    name: 'claim of an all_members group',
    record: allMembers,
    event: claim(a),
    refusal: notClaimable('a group with routing_policy "all_members"'),
  },
  {
    name: 'a second response from the same member',
    record: answeredByA,
    event: respond(a),
    refusal: { code: 'already_responded', message: 'member "a" has already responded to interaction iact_1' },
  },
  {
    name: 'respond to a completed interaction',
    record: { ...direct, status: 'completed', completed_at: '2026-04-21T09:00:00.000Z' },
    event: respond(a),
    refusal: { code: 'not_pending', message: 'interaction iact_1 is already completed' },
  },
  {
    name: 'respond to an expired interaction',
    record: { ...direct, status: 'expired', expired_at: '2026-04-21T09:00:00.000Z' },
    event: respond(a),
    refusal: { code: 'expired', message: 'interaction iact_1 has expired' },
  },
  {
    name: 'reassign of a direct interaction from someone else',
    record: direct,
    event: reassign(c, b),
    refusal: {
      code: 'conflict',
      message: 'cannot reassign interaction iact_1 from member "b": is not the target (member "a")',
      issues: [{ path: ['from'], message: 'is not the target (member "a")' }],
    },
  },
  {
    name: 'reassign of a direct interaction to its target',
    record: direct,
    event: reassign(a),
    refusal: {
      code: 'conflict',
      message: 'cannot reassign interaction iact_1 to member "a": is already the target',
      issues: [{ path: ['to'], message: 'is already the target' }],
    },
  },
  {
    name: 'reassign of a group without from',
    record: claimedByA,
    event: reassign(c),
    refusal: {
      code: 'validation_failed',
      message: 'Invalid reassign input: from: is required for group interaction iact_1: the member to replace',
      issues: [{ path: ['from'], message: 'is required for group interaction iact_1: the member to replace' }],
    },
  },
  {
    name: 'reassign of a group from an outsider',
    record: firstResponder,
    event: reassign(c, outsider),
    refusal: {
      code: 'conflict',
      message: 'cannot reassign interaction iact_1 from agent "z": is not a member of the group snapshot',
      issues: [{ path: ['from'], message: 'is not a member of the group snapshot' }],
    },
  },
  {
    name: 'reassign of a group from a member who responded',
    record: answeredByA,
    event: reassign(c, a),
    refusal: { code: 'already_responded', message: 'member "a" has already responded to interaction iact_1, so it stays theirs' },
  },
  {
    name: 'reassign of a group to a member',
    record: allMembers,
    event: reassign(a, b),
    refusal: {
      code: 'conflict',
      message: 'cannot reassign interaction iact_1 to member "a": is already a member of the group snapshot',
      issues: [{ path: ['to'], message: 'is already a member of the group snapshot' }],
    },
  },
  // Too late to reassign is not_pending whatever ended it, as for cancel.
  ...(
    [
      ['is cancelled', { ...direct, status: 'cancelled', cancelled_at: AT, cancelled_by: b }],
      ['has expired', { ...direct, status: 'expired', expired_at: AT }],
    ] as [string, Interaction][]
  ).map(([ended, record]) => ({
    name: `reassign of an interaction that ${ended}`,
    record,
    event: reassign(c),
    refusal: { code: 'not_pending', message: `interaction iact_1 ${ended}` },
  })),
  {
    name: 'expire an interaction without expires_at',
    record: direct,
    event: { type: 'expire', at: AT },
    refusal: {
      code: 'validation_failed',
      message: 'interaction iact_1 is not due to expire (expires_at not set)',
      issues: [{ path: ['expires_at'], message: 'has not passed yet' }],
    },
  },
]

describe('machine refusals', () => {
  it.each(cases)('step — $name is refused with its code and message, and changes nothing', ({ record, event, refusal }) => {
    const result = step(record, event, NOW)
    expect(result.refusal).toStrictEqual(refusal)
    expect(result.changed).toBe(false)
    expect(result.record).toBe(record)
    expect(result.signal).toBeUndefined()
  })

  const invalidValues: {
    name: string
    record: Interaction
    value: Record<string, unknown>
    message: string
    paths: (string | number)[][]
  }[] = [
    {
      name: 'a direct confirm',
      record: direct,
      value: { confirmed: 'yes' },
      message: 'value.confirmed: Invalid input: expected boolean, received string',
      paths: [['value', 'confirmed']],
    },
    {
      name: 'an unclaimed group',
      record: firstResponder,
      value: {},
      message: 'value.confirmed: Invalid input: expected boolean, received undefined',
      paths: [['value', 'confirmed']],
    },
    {
      name: 'a claimed group',
      record: claimedByA,
      value: { confirmed: 1 },
      message: 'value.confirmed: Invalid input: expected boolean, received number',
      paths: [['value', 'confirmed']],
    },
    {
      name: 'an all_members group',
      record: allMembers,
      value: { confirmed: null },
      message: 'value.confirmed: Invalid input: expected boolean, received null',
      paths: [['value', 'confirmed']],
    },
  ]

  it.each(invalidValues)(
    'step — a value that does not fit the spec of $name is validation_failed naming value.*',
    ({ record, value, message, paths }) => {
      const result = step(record, respond(a, value), NOW)
      expect(result.refusal).toMatchObject({ code: 'validation_failed', message: `Invalid response for spec mode "confirm": ${message}` })
      expect(result.refusal?.issues?.map((issue) => issue.path)).toEqual(paths)
      expect(result.changed).toBe(false)
    },
  )

  it('step — a select answer outside the options names the allowed values', () => {
    const review: Interaction = {
      ...direct,
      type: 'review',
      spec: {
        mode: 'select',
        options: [
          { value: 'ship', label: 'Ship' },
          { value: 'hold', label: 'Hold' },
        ],
      },
    }
    const result = step(review, respond(a, { value: 'drop' }), NOW)
    expect(result.refusal).toStrictEqual({
      code: 'validation_failed',
      message: 'Invalid response for spec mode "select": value.value: must be one of: ship, hold',
      issues: [{ path: ['value', 'value'], message: 'must be one of: ship, hold' }],
    })
  })
})
