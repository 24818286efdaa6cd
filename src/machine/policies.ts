import { actorKey, sameActor, type Participant } from '../model/actor.js'
import type { ValidationIssue } from '../errors.js'
import type { Interaction, Outcome, Tally } from '../model/interaction.js'
import { sameJson } from '../model/json-schema.js'
import type { ConfirmValue } from '../model/response.js'
import type { Signal } from '../model/signal.js'
import { positionOf } from './lookups.js'

/** The sub-states of `pending`, one per way a pending record can be waiting. */
export type PendingState = 'direct' | 'unclaimed' | 'claimed' | 'collecting'

/**
 * One way of routing an interaction, stated once: the machine's guards, the service, the inboxes and
 * the stores read it, and nothing else decides these questions.
 */
export interface Policy {
  /** The sub-state of `pending` a record is in. */
  state(record: Interaction): PendingState
  /** Who may act on the pending record now; the record is listed in exactly their inboxes. */
  mayActNow(record: Interaction): Participant[]
  /** Whether `actor` may act on the pending record now: whether {@link Policy.mayActNow} lists them, without listing. */
  mayAct(record: Interaction, actor: Participant): boolean
  /** Whether the responses recorded so far complete the interaction. */
  isComplete(record: Interaction): boolean
  /** What a completed approval decided. */
  outcome(record: Interaction): Outcome
  /**
   * Whether one response decides it, so that an approval may carry an edit of its proposal. Where it
   * does not, a response that leaves the record pending only takes its responder out of who may act.
   */
  decidedByOne: boolean
}

type RecordedResponse = Interaction['responses'][number]

const confirmed = (response: RecordedResponse | undefined) =>
  response !== undefined && 'confirmed' in response.value && response.value.confirmed
const decidedBy = (response: RecordedResponse | undefined): Outcome => (confirmed(response) ? 'approved' : 'rejected')

/** Whether `actor` has a response recorded. */
export const hasResponded = (record: Interaction, actor: Participant): boolean => positionOf(record.responses, actor) >= 0

/** Whether the record's requester is kept from answering it: on an approval, unless `allow_self_response`. */
export const excludesRequester = (record: Interaction): boolean =>
  record.type === 'approval' && record.requested_by !== undefined && record.allow_self_response !== true

/** The places an interaction has, each held by one actor: its target, or its group's snapshot, requester included. */
export const placesOf = (record: Interaction): Participant[] =>
  record.target_actor.type === 'group' ? (record.members ?? []) : [record.target_actor as Participant]

/**
 * Who the interaction is routed to: the target, or the group's snapshot, without the requester of an
 * approval, who never approves their own request (unless `allow_self_response`).
 */
const routedTo = (record: Interaction): Participant[] => {
  const actors = placesOf(record)
  return excludesRequester(record) ? actors.filter((actor) => !sameActor(actor, record.requested_by!)) : actors
}
/** Whether the interaction is routed to `actor`: {@link routedTo} without listing it. */
export const isRoutedTo = (record: Interaction, actor: Participant): boolean =>
  positionOf(placesOf(record), actor) >= 0 && !(excludesRequester(record) && sameActor(actor, record.requested_by!))
/** How many actors the interaction is routed to: {@link routedTo} without listing it (the places hold no repeats). */
const routedCount = (record: Interaction): number => {
  const places = placesOf(record)
  return places.length - (excludesRequester(record) && positionOf(places, record.requested_by!) >= 0 ? 1 : 0)
}
/** Those routed to who have not responded: one pass over each list, however large the group. */
const notYetResponded = (record: Interaction) => {
  const responded = new Set(record.responses.map((response) => actorKey(response.actor)))
  return routedTo(record).filter((actor) => !responded.has(actorKey(actor)))
}
const mayAnswerOnce = (record: Interaction, actor: Participant) => isRoutedTo(record, actor) && !hasResponded(record, actor)

/** The tally after one more response with this value. */
export const countResponse = (tally: Tally, value: Record<string, unknown>): Tally => ({
  ...tally,
  approvals: tally.approvals + (value.confirmed === true ? 1 : 0),
  rejections: tally.rejections + (value.confirmed === false ? 1 : 0),
  responses: tally.responses + 1,
})

// A quorum record always has its tally; the fallback keeps a malformed one from completing.
const tallyOf = (record: Interaction): Tally =>
  record.tally ?? { approvals: 0, rejections: 0, responses: 0, required: Number.POSITIVE_INFINITY }
const quorumReached = (record: Interaction) => tallyOf(record).approvals >= tallyOf(record).required

/** The policies by name; a record names its own with {@link policyNameOf}. */
export const POLICIES = {
  /** A member or an agent, who answers directly. */
  direct: {
    state: () => 'direct',
    mayActNow: routedTo,
    mayAct: isRoutedTo,
    isComplete: (record) => record.responses.length > 0,
    outcome: (record) => decidedBy(record.responses[0]),
    decidedByOne: true,
    // Its one response ends it.
  },
  /** A group whose members race to claim it; the one response of the claimant decides. */
  first_responder: {
    state: (record) => (record.claimed_by ? 'claimed' : 'unclaimed'),
    mayActNow: (record) => (record.claimed_by ? [record.claimed_by] : routedTo(record)),
    mayAct: (record, actor) => (record.claimed_by ? sameActor(record.claimed_by, actor) : isRoutedTo(record, actor)),
    isComplete: (record) => record.responses.length > 0,
    outcome: (record) => decidedBy(record.responses[0]),
    decidedByOne: true,
    // Its one response ends it.
  },
  /**
   * A group whose every snapshotted member responds once; approved only if every one confirmed. Only
   * those routed to respond, each once (the guards see to it), so the count of responses tells when all have.
   */
  all_members: {
    state: () => 'collecting',
    mayActNow: notYetResponded,
    mayAct: mayAnswerOnce,
    isComplete: (record) => record.responses.length >= routedCount(record),
    outcome: (record) => (record.responses.every(confirmed) ? 'approved' : 'rejected'),
    decidedByOne: false,
  },
  /**
   * A group of which `quorum.required` members must answer, each once. An approval is approved when
   * that many confirmed, and rejected as soon as that many can no longer confirm (a veto).
   */
  quorum: {
    state: () => 'collecting',
    mayActNow: notYetResponded,
    mayAct: mayAnswerOnce,
    isComplete: (record) => {
      const { approvals, rejections, responses, required } = tallyOf(record)
      if (record.type !== 'approval') return responses >= required
      return approvals >= required || rejections > routedCount(record) - required
    },
    outcome: (record) => (quorumReached(record) ? 'approved' : 'rejected'),
    decidedByOne: false,
  },
} as const satisfies Record<string, Policy>

/**
 * What makes a new record impossible to answer under its policy, checked at creation against the
 * group's snapshot: nobody left to answer once the requester is set aside, a quorum larger than
 * the members who may respond, or an escalation step that would hand an approval to its requester.
 */
export function creationIssues(record: Interaction): ValidationIssue[] {
  const responders = routedCount(record)
  if (responders === 0) {
    const message = 'is the only actor the approval is routed to: nobody approves their own request unless allow_self_response is true'
    return [{ path: ['requested_by'], message }]
  }
  const required = record.quorum?.required
  if (required !== undefined && required > responders) {
    const without =
      excludesRequester(record) && record.members?.some((m) => sameActor(m, record.requested_by!)) ? ', the requester set aside' : ''
    return [
      { path: ['quorum', 'required'], message: `must be at most the ${responders} members who may respond (got ${required}${without})` },
    ]
  }
  // An escalation that hands the approval to its requester would leave nobody who may answer it.
  const toRequester = excludesRequester(record)
    ? (record.escalation ?? []).findIndex((step) => step.action === 'reassign' && sameActor(step.to, record.requested_by!))
    : -1
  if (toRequester >= 0) {
    return [
      {
        path: ['escalation', toRequester, 'to'],
        message: 'is the requester, who may not answer their own approval unless allow_self_response is true',
      },
    ]
  }
  return []
}

/** The name of a routing policy: `direct`, `first_responder`, `all_members` or `quorum`. */
export type PolicyName = keyof typeof POLICIES

/** The policy that routes a record: `direct` for a member or an agent, the group's `routing_policy` otherwise. */
export const policyNameOf = (record: Interaction): PolicyName =>
  record.target_actor.type === 'group' ? (record.routing_policy ?? 'first_responder') : 'direct'

/** The {@link Policy} of a record. */
export const policyOf = (record: Interaction): Policy => POLICIES[policyNameOf(record)]

/** Whether `actor` may act on the pending record now. */
export const mayActNow = (record: Interaction, actor: Participant): boolean => policyOf(record).mayAct(record, actor)

/** The inbox keys of a record: those of the actors its policy lets act now, none once it has ended. */
export function inboxOf(record: Interaction): string[] {
  if (record.status !== 'pending') return []
  return [...new Set(policyOf(record).mayActNow(record).map(actorKey))]
}

/** What a completed approval decided: its outcome by its policy's rule, and what it approved or why it was rejected. */
export type ApprovalDecision = Pick<Interaction, 'outcome' | 'approved_value' | 'edited' | 'rejection_reason'>

/**
 * The decision of an approval whose responses complete it. Approved with a proposal: the edit (only
 * a single decider may send one) or the proposal unchanged, and whether it changed. Rejected: the
 * first reason a rejection gave, in the order the responses came.
 */
export function decisionOf(record: Interaction): ApprovalDecision {
  const outcome = policyOf(record).outcome(record)
  const values = record.responses.map((response) => response.value as ConfirmValue)
  const proposal = record.spec.mode === 'confirm' ? record.spec.proposal : undefined
  if (outcome === 'approved') {
    if (!proposal) return { outcome }
    const edit = values.find((value) => value.confirmed && value.edited !== undefined)
    const approved_value = edit?.confirmed ? edit.edited : proposal.value
    return { outcome, approved_value, edited: !sameJson(approved_value, proposal.value) }
  }
  const rejection_reason = values.find((value) => !value.confirmed && value.reason !== undefined)
  return { outcome, ...(rejection_reason && !rejection_reason.confirmed && { rejection_reason: rejection_reason.reason }) }
}

/**
 * A completed approval's decision without the fields it lacks, and the proposal's value when its
 * spec has one: what its signal and its `completed` history event repeat, so that a run or an audit
 * reads the proposal, what was approved and whether it changed side by side.
 */
export const decisionFieldsOf = (record: Interaction): ApprovalDecision & Pick<Signal, 'proposed_value'> => ({
  ...(record.spec.mode === 'confirm' && record.spec.proposal && { proposed_value: record.spec.proposal.value }),
  outcome: record.outcome,
  ...(record.edited !== undefined && { approved_value: record.approved_value, edited: record.edited }),
  ...(record.rejection_reason && { rejection_reason: record.rejection_reason }),
})
