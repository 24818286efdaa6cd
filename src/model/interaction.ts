import { z } from 'zod'
import type { ValidationIssue } from '../errors.js'
import { ActorSchema, IdentifierSchema, ParticipantSchema } from './actor.js'
import { addDuration, DurationSchema } from './duration.js'
import { FallbackSchema } from './fallback.js'
import { JsonObjectSchema, JsonValueSchema } from './json.js'
import { lazily, lazyShape } from './lazily.js'
import { LIMITS } from './limits.js'
import { InteractionResponseSchema, RejectionReasonSchema } from './response.js'
import { MODES_BY_TYPE, SpecSchema } from './spec.js'

/** The three interaction types; each fixes which spec modes are allowed. */
const InteractionTypeSchema = () => z.enum(['approval', 'review', 'input'])

/** How a group interaction is routed to its members. */
const RoutingPolicySchema = () => z.enum(['first_responder', 'all_members', 'quorum'])
/** How a group interaction is routed: one claimant, every member, or a quorum. */
export type RoutingPolicy = z.infer<ReturnType<typeof RoutingPolicySchema>>

/** How many members must answer a quorum interaction; at most the members who may respond, checked at creation. */
const QuorumSchema = () => z.strictObject({ required: z.int().min(1).max(LIMITS.members) })

/** The running count of a quorum interaction's answers, kept with each response so no reader recounts them. */
const TallySchema = () =>
  z.strictObject({
    approvals: z.int().min(0),
    rejections: z.int().min(0),
    responses: z.int().min(0),
    required: z.int().min(1),
  })
/** A quorum interaction's running count of approvals, rejections and responses. */
export type Tally = z.infer<ReturnType<typeof TallySchema>>

/** What a completed approval decided, by its routing policy's rule. */
export const OutcomeSchema = lazily(() => z.enum(['approved', 'rejected']))
/** What a completed approval decided. */
export type Outcome = z.infer<ReturnType<typeof OutcomeSchema>>

const STATUSES = ['pending', 'completed', 'expired', 'cancelled'] as const
/** Where an interaction is in its lifecycle. */
export type InteractionStatus = (typeof STATUSES)[number]

const [EARLIEST_TIME, LATEST_TIME] = [Date.parse(LIMITS.earliestTime), Date.parse(LIMITS.latestTime)]

/** True for an instant (in ms) from `LIMITS.earliestTime` to `LIMITS.latestTime`: one every store keeps and orders. */
export const isStorableTime = (time: number): boolean => time >= EARLIEST_TIME && time <= LATEST_TIME

/**
 * An ISO 8601 date-time with an offset, e.g. `2026-04-22T10:00:00Z`, whose UTC instant lies within
 * years 1 to 9999: `9999-12-31T23:59:59-05:00` is refused, since in UTC it falls in year 10000.
 */
const TimestampSchema = () =>
  z.iso.datetime({ offset: true }).superRefine((value, ctx) => {
    const time = Date.parse(value)
    if (Number.isNaN(time) || isStorableTime(time)) return
    const range = `${LIMITS.earliestTime} and ${LIMITS.latestTime}`
    ctx.addIssue({ code: 'custom', message: `must be between ${range} in UTC (got ${value}, ${new Date(time).toISOString()} in UTC)` })
  })

/**
 * One step of an escalation, run once when `after` (a duration from creation) has passed: `remind`
 * records a reminder; `reassign` makes `to` the target of a member or agent interaction; `add_members`
 * appends to a group's snapshot those of `members` not in it yet.
 */
const EscalationStepSchema = () =>
  z.discriminatedUnion('action', [
    z.strictObject({ after: DurationSchema(), action: z.literal('remind') }),
    z.strictObject({ after: DurationSchema(), action: z.literal('reassign'), to: ParticipantSchema }),
    z.strictObject({
      after: DurationSchema(),
      action: z.literal('add_members'),
      members: z.array(ParticipantSchema).min(1).max(LIMITS.members),
    }),
  ])
/** One step of an interaction's escalation: a reminder, a reassignment or added members, after a delay. */
export type EscalationStep = z.infer<ReturnType<typeof EscalationStepSchema>>

const CreateFieldsSchema = z.strictObject(
  lazyShape({
    type: InteractionTypeSchema,
    spec: () => SpecSchema,
    target_actor: () => ActorSchema,
    routing_policy: () => RoutingPolicySchema().optional(),
    run_id: () => IdentifierSchema.optional(),
    topic: () => IdentifierSchema.optional(),
    title: () => z.string().max(LIMITS.title).optional(),
    message: () => z.string().max(LIMITS.message).optional(),
    metadata: () => JsonObjectSchema().optional(),
    requested_by: () => ActorSchema.optional(),
    /** Lets the requester of an approval answer it: by default nobody approves their own request. */
    allow_self_response: () => z.boolean().optional(),
    quorum: () => QuorumSchema().optional(),
    expires_at: () => TimestampSchema().optional(),
    /** How long a first-responder claim holds before it lapses, e.g. `PT30M`. */
    claim_timeout: () => DurationSchema().optional(),
    escalation: () => z.array(EscalationStepSchema()).max(LIMITS.escalationSteps).optional(),
    idempotency_key: () => IdentifierSchema.optional(),
  }),
)

/**
 * What a caller sends to create an interaction: the request body of `POST /interactions`.
 * Cross-field rules: the spec mode fits the type, `routing_policy` only for groups,
 * `run_id` and `topic` together, `claim_timeout` only for first-responder groups, `reassign` steps
 * only for member or agent targets and `add_members` steps only for groups. That `expires_at` lies
 * ahead, and the escalation's timing, are checked against the clock at creation.
 */
export const CreateInteractionInputSchema = CreateFieldsSchema.superRefine((input, ctx) => {
  const allowed: readonly string[] = MODES_BY_TYPE[input.type]
  if (!allowed.includes(input.spec.mode)) {
    ctx.addIssue({
      code: 'custom',
      path: ['spec', 'mode'],
      message: `type "${input.type}" requires spec.mode ${allowed.map((m) => `"${m}"`).join(' or ')} (got "${input.spec.mode}")`,
    })
  }
  if (input.routing_policy !== undefined && input.target_actor.type !== 'group') {
    ctx.addIssue({
      code: 'custom',
      path: ['routing_policy'],
      message: `routing_policy applies only to group targets (target_actor.type is "${input.target_actor.type}")`,
    })
  }
  if ((input.quorum !== undefined) !== (input.routing_policy === 'quorum')) {
    const message = input.quorum === undefined ? 'is required with routing_policy "quorum"' : 'applies only with routing_policy "quorum"'
    ctx.addIssue({ code: 'custom', path: ['quorum'], message })
  }
  if ((input.run_id === undefined) !== (input.topic === undefined)) {
    const missing = input.run_id === undefined ? 'run_id' : 'topic'
    const present = missing === 'run_id' ? 'topic' : 'run_id'
    ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required when ${present} is set (a run link needs both)` })
  }
  const isGroup = input.target_actor.type === 'group'
  if (input.claim_timeout !== undefined && !(isGroup && (input.routing_policy ?? 'first_responder') === 'first_responder')) {
    const message = 'claim_timeout applies only to group targets with routing_policy "first_responder"'
    ctx.addIssue({ code: 'custom', path: ['claim_timeout'], message })
  }
  input.escalation?.forEach((escalation, index) => {
    // A group's snapshot has no one target to replace, and a member or agent has no snapshot to add to.
    if (escalation.action === 'reassign' && isGroup) {
      ctx.addIssue({ code: 'custom', path: ['escalation', index, 'action'], message: 'reassign applies only to member or agent targets' })
    }
    if (escalation.action === 'add_members' && !isGroup) {
      ctx.addIssue({ code: 'custom', path: ['escalation', index, 'action'], message: 'add_members applies only to group targets' })
    }
  })
})
/** What a caller sends to create an interaction. */
export type CreateInteractionInput = z.input<typeof CreateInteractionInputSchema>

/**
 * What a completed approval with a proposal or a reason decided beyond its outcome; the record and
 * its signal carry the same fields.
 */
export const DecisionFields = {
  /** Set when an approval with a proposal was approved: the approver's edit, or the proposal unchanged. What the run executes. */
  approved_value: () => JsonValueSchema().optional(),
  /** Set beside `approved_value`: whether the approver changed the proposal. */
  edited: () => z.boolean().optional(),
  /** Set when an approval was rejected with a reason: the first one given, in the order the responses came. */
  rejection_reason: () => RejectionReasonSchema().optional(),
}

/**
 * Every field of a stored record, in the order records are written, each end-state field optional;
 * {@link InteractionSchema} tightens them by status.
 */
export const InteractionFieldsSchema = CreateFieldsSchema.extend(
  lazyShape({
    id: () => z.string(),
    project: () => IdentifierSchema,
    status: () => z.enum(STATUSES),
    members: () => z.array(ParticipantSchema).optional(),
    claimed_by: () => ParticipantSchema.optional(),
    claimed_at: () => z.iso.datetime().optional(),
    /** How many steps of `escalation` have run, in order; absent before the first. */
    escalation_step: () => z.int().min(1).optional(),
    responses: () => z.array(InteractionResponseSchema),
    /** Set on a quorum interaction. */
    tally: () => TallySchema().optional(),
    created_at: () => z.iso.datetime(),
    updated_at: () => z.iso.datetime(),
    completed_at: () => z.iso.datetime().optional(),
    /** Set on a completed approval. */
    outcome: () => OutcomeSchema().optional(),
    ...DecisionFields,
    expired_at: () => z.iso.datetime().optional(),
    /** Set on an expired interaction whose spec has a default: that default, given by nobody. */
    fallback: () => FallbackSchema().optional(),
    cancelled_at: () => z.iso.datetime().optional(),
    /** Who cancelled it. */
    cancelled_by: () => ParticipantSchema.optional(),
    cancel_reason: () => z.string().optional(),
    version: () => z.int().min(1),
  }),
)

const absent = lazily(() => z.undefined().optional())

/**
 * The stored interaction: the single source of truth, returned as is to callers. Its `status` says
 * which end-state fields it has, and narrows its type: a pending one has none of them, a completed
 * one its `completed_at` (and an approval its `outcome`), an expired one `expired_at` (and its
 * `fallback` when the spec has a default), a cancelled one `cancelled_at` and `cancelled_by`.
 */
export const InteractionSchema = z.discriminatedUnion('status', [
  InteractionFieldsSchema.extend(
    lazyShape({
      status: () => z.literal('pending'),
      completed_at: absent,
      outcome: absent,
      approved_value: absent,
      edited: absent,
      rejection_reason: absent,
      expired_at: absent,
      fallback: absent,
      cancelled_at: absent,
      cancelled_by: absent,
      cancel_reason: absent,
    }),
  ),
  InteractionFieldsSchema.extend(lazyShape({ status: () => z.literal('completed'), completed_at: () => z.iso.datetime() })),
  InteractionFieldsSchema.extend(lazyShape({ status: () => z.literal('expired'), expired_at: () => z.iso.datetime() })),
  InteractionFieldsSchema.extend(
    lazyShape({ status: () => z.literal('cancelled'), cancelled_at: () => z.iso.datetime(), cancelled_by: () => ParticipantSchema }),
  ),
])

/**
 * A stored interaction, narrowed by its `status`: `Interaction<'completed'>` has `completed_at`.
 * Without an argument, any of them.
 */
export type Interaction<Status extends InteractionStatus = InteractionStatus> = Extract<
  z.infer<typeof InteractionSchema>,
  { status: Status }
>

/**
 * What is wrong with an escalation's timing for an interaction created at `createdAt`: each step
 * must come after the one before it and before `expires_at`, measured from creation.
 */
export function escalationTimingIssues(input: { escalation?: EscalationStep[]; expires_at?: string }, createdAt: Date): ValidationIssue[] {
  const times = (input.escalation ?? []).map((escalation) => addDuration(createdAt, escalation.after))
  return times.flatMap((time, index) => {
    const path = ['escalation', index, 'after']
    const after = input.escalation![index]!.after
    if (index > 0 && time <= times[index - 1]!) {
      return [{ path, message: `must come after the step before it (${after} is not later than ${input.escalation![index - 1]!.after})` }]
    }
    if (input.expires_at !== undefined && Date.parse(time) >= Date.parse(input.expires_at)) {
      const message = `must come before expires_at (${after} from ${createdAt.toISOString()} is ${time}, expires_at ${input.expires_at})`
      return [{ path, message }]
    }
    return []
  })
}

/** An interaction that resumes a run: one with both `run_id` and `topic`. */
export const isRunLinked = (interaction: Interaction): interaction is Interaction & { run_id: string; topic: string } =>
  interaction.run_id !== undefined && interaction.topic !== undefined
