import { sameActor, type Participant } from '../model/actor.js'
import type { Interaction, Outcome } from '../model/interaction.js'

/** The sub-states of `pending`, one per way a pending record can be waiting. */
export type PendingState = 'direct' | 'unclaimed' | 'claimed' | 'collecting'

/**
 * One way of routing an interaction, stated once: the machine's guards, the service, the inboxes and
 * the stores read it, and nothing else decides these questions.
 */
export interface Policy {
  /** The sub-state of `pending` a record is in. */
  state(record: Interaction): PendingState
  /** The actors the interaction is routed to at all: its target, or its group's snapshot. */
  participants(record: Interaction): Participant[]
  /** Who may act on the pending record now; the record is listed in exactly their inboxes. */
  mayActNow(record: Interaction): Participant[]
  /** Whether the responses recorded so far complete the interaction. */
  isComplete(record: Interaction): boolean
  /** What a completed approval decided. */
  outcome(record: Interaction): Outcome
}

type RecordedResponse = Interaction['responses'][number]

const confirmed = (response: RecordedResponse | undefined) => response !== undefined && 'confirmed' in response.value && response.value.confirmed
const decidedBy = (response: RecordedResponse | undefined): Outcome => (confirmed(response) ? 'approved' : 'rejected')

/** Whether `actor` has a response recorded. */
export const hasResponded = (record: Interaction, actor: Participant): boolean => record.responses.some((response) => sameActor(response.actor, actor))

// A group's snapshot is always set on a group record; the fallback keeps a malformed one inert.
const membersOf = (record: Interaction): Participant[] => record.members ?? []

/** The policies by name; a record names its own with {@link policyNameOf}. */
export const POLICIES = {
  /** A member or an agent, who answers directly. */
  direct: {
    state: () => 'direct',
    participants: (record) => [record.target_actor as Participant],
    mayActNow: (record) => [record.target_actor as Participant],
    isComplete: (record) => record.responses.length > 0,
    outcome: (record) => decidedBy(record.responses[0]),
  },
  /** A group whose members race to claim it; the one response of the claimant decides. */
  first_responder: {
    state: (record) => (record.claimed_by ? 'claimed' : 'unclaimed'),
    participants: membersOf,
    mayActNow: (record) => (record.claimed_by ? [record.claimed_by] : membersOf(record)),
    isComplete: (record) => record.responses.length > 0,
    outcome: (record) => decidedBy(record.responses[0]),
  },
  /** A group whose every snapshotted member responds once; approved only if every one confirmed. */
  all_members: {
    state: () => 'collecting',
    participants: membersOf,
    mayActNow: (record) => membersOf(record).filter((member) => !hasResponded(record, member)),
    isComplete: (record) => membersOf(record).every((member) => hasResponded(record, member)),
    outcome: (record) => (record.responses.every(confirmed) ? 'approved' : 'rejected'),
  },
} as const satisfies Record<string, Policy>

export type PolicyName = keyof typeof POLICIES

/** The policy that routes a record: `direct` for a member or an agent, the group's `routing_policy` otherwise. */
export const policyNameOf = (record: Interaction): PolicyName =>
  record.target_actor.type === 'group' ? (record.routing_policy ?? 'first_responder') : 'direct'

/** The {@link Policy} of a record. */
export const policyOf = (record: Interaction): Policy => POLICIES[policyNameOf(record)]

/** Whether `actor` may act on the pending record now. */
export const mayActNow = (record: Interaction, actor: Participant): boolean => policyOf(record).mayActNow(record).some((a) => sameActor(a, actor))
