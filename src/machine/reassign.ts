import { validationError } from '../errors.js'
import { describeActor, sameActor, type Participant } from '../model/actor.js'
import type { Interaction } from '../model/interaction.js'
import type { Refusal } from './machine.js'
import { excludesRequester, hasResponded, placesOf } from './policies.js'

/** Who takes an interaction over (`to`), and whom it is taken from (`from`): its target, or a member of its group. */
export interface Reassignment {
  from: Participant
  to: Participant
}

/** What a reassign asks for: `from` is required for a group, and defaults to the current target otherwise. */
type ReassignRequest = { to: Participant; from?: Participant }

/**
 * The first rule a reassign of a pending record breaks, if any: a group names the member it replaces;
 * `from` is the target or a snapshotted member (`conflict` otherwise, as when someone reassigned it
 * first) who has not responded; `to` is neither, nor the requester of an approval that keeps its
 * requester from answering (`not_eligible`, as a response of theirs would be).
 */
export function reassignmentRefusal(record: Interaction, { from, to }: ReassignRequest): Refusal | undefined {
  const isGroup = record.target_actor.type === 'group'
  if (isGroup && from === undefined) {
    const rule = `is required for group interaction ${record.id}: the member to replace`
    const { message, issues } = validationError('reassign input', [{ path: ['from'], message: rule }])
    return { code: 'validation_failed', message, issues: [...issues] }
  }
  // Places, not who may respond: the requester of an approval holds one in a snapshot, though kept from answering.
  const isAssigned = (actor: Participant) => placesOf(record).some((holder) => sameActor(holder, actor))
  if (from !== undefined && !isAssigned(from)) {
    const rule = isGroup ? 'is not a member of the group snapshot' : `is not the target (${describeActor(record.target_actor)})`
    return {
      code: 'conflict',
      message: `cannot reassign interaction ${record.id} from ${describeActor(from)}: ${rule}`,
      issues: [{ path: ['from'], message: rule }],
    }
  }
  if (from !== undefined && hasResponded(record, from)) {
    const message = `${describeActor(from)} has already responded to interaction ${record.id}, so it stays theirs`
    return { code: 'already_responded', message }
  }
  if (isAssigned(to)) {
    const rule = isGroup ? 'is already a member of the group snapshot' : 'is already the target'
    const message = `cannot reassign interaction ${record.id} to ${describeActor(to)}: ${rule}`
    return { code: 'conflict', message, issues: [{ path: ['to'], message: rule }] }
  }
  if (excludesRequester(record) && sameActor(to, record.requested_by!)) {
    const rule = 'requested the approval, and nobody approves their own request unless allow_self_response is true'
    const message = `cannot reassign interaction ${record.id} to ${describeActor(to)}: ${rule}`
    return { code: 'not_eligible', message, issues: [{ path: ['to'], message: rule }] }
  }
  return undefined
}

/** The reassignment an accepted request makes: from the given `from`, or else from the current target. */
export const reassignmentOf = (record: Interaction, { from, to }: ReassignRequest): Reassignment => ({
  from: from ?? (record.target_actor as Participant),
  to,
})

/**
 * The fields that change when `to` takes `from`'s place at time `at`: a member or agent target
 * becomes `to`; in a group, `to` takes `from`'s position in the snapshot, and a claim `from` holds
 * moves to `to` from `at`, so the new claimant's claim is as fresh as if it had claimed itself.
 */
export function reassignedFields(record: Interaction, { from, to }: Reassignment, at: string): Partial<Interaction> {
  if (record.target_actor.type !== 'group') return { target_actor: to }
  const holdsClaim = record.claimed_by !== undefined && sameActor(record.claimed_by, from)
  return {
    members: (record.members ?? []).map((member) => (sameActor(member, from) ? to : member)),
    ...(holdsClaim && { claimed_by: to, claimed_at: at }),
  }
}
