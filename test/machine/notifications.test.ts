import { InteractionNotificationSchema, type Interaction, type Participant } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { notificationsOf } from '../../src/machine/index.js'
import type { NewHistoryEvent } from '../../src/model/history.js'
import { memberA, pendingApproval } from '../support/records.js'

// Events are built by hand in the shapes their transitions record, so each mapping is checked on its own.

const at = '2026-04-21T10:00:00.000Z'
const member = (id: string): Participant => ({ type: 'member', id })
const [b, c, d] = [member('b'), member('c'), member('d')]
const agent: Participant = { type: 'agent', id: 'bot' }
const group: Interaction<'pending'> = {
  ...pendingApproval,
  target_actor: { type: 'group', id: 'ops' },
  routing_policy: 'first_responder',
  members: [memberA, b, c],
  version: 4,
}
const recipientsOf = (record: Interaction, events: NewHistoryEvent[]) => notificationsOf(record, events).map((n) => [n.kind, n.recipients])

describe('notificationsOf', () => {
  it('created — assigned to the target of a direct interaction, keyed by interaction, kind, version and event', () => {
    const [notification, ...rest] = notificationsOf(pendingApproval, [{ type: 'created', at }])
    expect(rest).toEqual([])
    expect(notification).toEqual({
      id: `${pendingApproval.id}:assigned:1:0`,
      kind: 'assigned',
      project: 'acme',
      interaction: pendingApproval,
      recipients: [memberA],
    })
    expect(InteractionNotificationSchema.parse(notification)).toEqual(notification)
  })

  it('created — assigned to each snapshotted member of a group once, even when the snapshot names one twice', () => {
    const twice = { ...group, members: [memberA, b, memberA, c] }
    expect(recipientsOf(twice, [{ type: 'created', at }])).toEqual([['assigned', [memberA, b, c]]])
    expect(recipientsOf({ ...group, routing_policy: 'all_members' }, [{ type: 'created', at }])).toEqual([['assigned', [memberA, b, c]]])
  })

  it('created — a group with nobody in its snapshot tells nobody', () => {
    expect(notificationsOf({ ...group, members: [] }, [{ type: 'created', at }])).toEqual([])
  })

  it('reminded — a reminder to those who may act now: the claimant of a claim, the members yet to answer', () => {
    const reminded: NewHistoryEvent = { type: 'reminded', at, data: { step: 0 } }
    expect(recipientsOf(group, [reminded])).toEqual([['reminder', [memberA, b, c]]])
    expect(recipientsOf({ ...group, claimed_by: b, claimed_at: at }, [reminded])).toEqual([['reminder', [b]]])
    const answered = { actor: memberA, value: { confirmed: true }, responded_at: at }
    expect(recipientsOf({ ...group, routing_policy: 'all_members', responses: [answered] }, [reminded])).toEqual([['reminder', [b, c]]])
  })

  it('escalated — to the new target of a reassign step, or to the added members', () => {
    const handedOver = { ...pendingApproval, target_actor: agent }
    expect(recipientsOf(handedOver, [{ type: 'escalated', at, data: { step: 1, action: 'reassign', to: agent } }])).toEqual([
      ['escalated', [agent]],
    ])
    const added: NewHistoryEvent = { type: 'escalated', at, data: { step: 2, action: 'add_members', members: [c, d] } }
    expect(recipientsOf({ ...group, members: [memberA, b, c, d] }, [added])).toEqual([['escalated', [c, d]]])
  })

  it('reassigned — to the new holder only', () => {
    const event: NewHistoryEvent = { type: 'reassigned', at, actor: d, data: { from: memberA, to: b, by: d, reason: 'on leave' } }
    expect(recipientsOf({ ...pendingApproval, target_actor: b }, [event])).toEqual([['reassigned', [b]]])
  })

  it('claim_lapsed — to every member the item is back with, the lapsed claimant included', () => {
    expect(recipientsOf(group, [{ type: 'claim_lapsed', at, data: { claimant: b } }])).toEqual([['claim_lapsed', [memberA, b, c]]])
  })

  it('other events cause no notification, and an ended record tells nobody it may act', () => {
    const types = ['claimed', 'released', 'responded', 'completed', 'expired', 'cancelled'] as const
    const events: NewHistoryEvent[] = types.map((type) => ({ type, at }))
    expect(notificationsOf(group, events)).toEqual([])
    const expired: Interaction = { ...pendingApproval, status: 'expired', expired_at: at }
    expect(notificationsOf(expired, [{ type: 'reminded', at, data: { step: 0 } }])).toEqual([])
  })

  it('several events of one write — each its own notification, with a key of its own', () => {
    const events: NewHistoryEvent[] = [
      { type: 'reminded', at, data: { step: 0 } },
      { type: 'reminded', at, data: { step: 1 } },
      { type: 'escalated', at, data: { step: 2, action: 'add_members', members: [d] } },
    ]
    expect(notificationsOf({ ...group, members: [...group.members!, d] }, events).map((n) => n.id)).toEqual([
      `${group.id}:reminder:4:0`,
      `${group.id}:reminder:4:1`,
      `${group.id}:escalated:4:2`,
    ])
  })

  it('escalated and reassigned — nobody is told of an item they cannot act on yet: members added to a claimed group wait', () => {
    const claimed: Interaction = { ...group, members: [memberA, b, c, d], claimed_by: b, claimed_at: at }
    const added: NewHistoryEvent = { type: 'escalated', at, data: { step: 0, action: 'add_members', members: [d] } }
    expect(notificationsOf(claimed, [added])).toEqual([])
  })

  it('each event tells whom the record, as that event left it, waits for: a lapse then a new claim in one write tells every member', () => {
    const lapsed: Interaction = { ...group }
    const claimedAgain: Interaction = { ...group, claimed_by: c, claimed_at: at }
    const events: NewHistoryEvent[] = [
      { type: 'claim_lapsed', at, data: { claimant: b } },
      { type: 'claimed', at, actor: c },
    ]
    expect(notificationsOf(claimedAgain, events, [lapsed, claimedAgain]).map((n) => [n.kind, n.recipients])).toEqual([
      ['claim_lapsed', [memberA, b, c]],
    ])
  })

  it('a write that ends the item tells nobody of a reminder or an escalation that came due before its expiry', () => {
    const expired: Interaction = { ...group, status: 'expired', expired_at: at }
    const events: NewHistoryEvent[] = [
      { type: 'reminded', at, data: { step: 0 } },
      { type: 'escalated', at, data: { step: 1, action: 'add_members', members: [d] } },
      { type: 'expired', at },
    ]
    expect(notificationsOf(expired, events, [group, { ...group, members: [...group.members!, d] }, expired])).toEqual([])
  })

  it('an escalated or reassigned event without its recipients is a bug, and fails the decision rather than tell nobody', () => {
    expect(() => notificationsOf(group, [{ type: 'reassigned', at, data: { from: memberA } }])).toThrow()
  })
})
