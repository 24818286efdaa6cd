import { z } from 'zod'
import { ActorSchema, ParticipantSchema } from '../model/actor.js'
import { HistoryEventSchema } from '../model/history.js'
import { LIMITS } from '../model/limits.js'
import { CreateInteractionInputSchema, InteractionSchema } from '../model/interaction.js'
import { ReassignInputSchema } from '../model/reassign.js'
import { CancelInputSchema, RespondInputSchema } from '../model/response.js'
import { SpecSchema } from '../model/spec.js'

// The bodies are the service's own inputs less the actor, which is always the authenticated caller:
// the strict schemas then refuse an `actor` (or `by`) a client sends, as they refuse any unknown field.

/** The body of `POST …/respond`: the service's respond input without `actor`. */
export const RespondBodySchema = RespondInputSchema.omit({ actor: true })

/** The body of `POST …/cancel` and `POST …/runs/:run_id/cancel`: the service's cancel input without `actor`. */
export const CancelBodySchema = CancelInputSchema.omit({ actor: true })

/** The body of `POST …/reassign`: the service's reassign input without `by`. */
export const ReassignBodySchema = ReassignInputSchema.omit({ by: true })

/** The body of `POST …/claim` and `POST …/release`: nothing, or an empty object. */
export const EmptyBodySchema = z.strictObject({})

/** Everything that happened to an interaction, oldest first. */
export const HistorySchema = z.array(HistoryEventSchema)

/**
 * The query of `GET …/inbox`. Query values arrive as text, so `limit` is checked as digits first: `limit=ten`
 * or `limit=1.5` is a 400 naming `limit`, never a page size guessed from it.
 */
export const InboxQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, `must be a whole number from 1 to ${LIMITS.inboxPage}`)
    .transform(Number)
    .refine((limit) => limit >= 1 && limit <= LIMITS.inboxPage, `must be a whole number from 1 to ${LIMITS.inboxPage}`)
    .optional(),
  cursor: z.string().optional(),
})

/** One page of the caller's inbox. */
export const InboxPageSchema = z.strictObject({
  items: z.array(InteractionSchema),
  next_cursor: z.string().nullable(),
})

/** What `POST …/runs/:run_id/cancel` answers: how many pending interactions of the run it cancelled. */
export const CancelRunResultSchema = z.strictObject({ cancelled: z.int().min(0) })

/** RFC 9457 problem details, with the library's `code` and, for `validation_failed`, every issue. */
export const ProblemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string(),
  issues: z.array(z.strictObject({ path: z.array(z.union([z.string(), z.int()])), message: z.string() })).optional(),
})
/** The body of every refusal the handler answers. */
export type Problem = z.infer<typeof ProblemSchema>

/** The shared models, by the name `components.schemas` gives each in the OpenAPI document. */
export const COMPONENTS = {
  Actor: ActorSchema,
  Participant: ParticipantSchema,
  Spec: SpecSchema,
  CreateInteractionInput: CreateInteractionInputSchema,
  Interaction: InteractionSchema,
  HistoryEvent: HistoryEventSchema,
  History: HistorySchema,
  RespondBody: RespondBodySchema,
  CancelBody: CancelBodySchema,
  ReassignBody: ReassignBodySchema,
  EmptyBody: EmptyBodySchema,
  InboxPage: InboxPageSchema,
  CancelRunResult: CancelRunResultSchema,
  Problem: ProblemSchema,
} as const
