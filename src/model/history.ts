import { z } from 'zod'
import { ParticipantSchema } from './actor.js'
import { JsonObjectSchema } from './json.js'

/** What happened to an interaction; later features add their own kinds (`reassigned`, `escalated`…). */
export const HistoryEventTypeSchema = z.enum([
  'created',
  'claimed',
  'released',
  'responded',
  'completed',
  'expired',
  'cancelled',
  'reassigned',
  'claim_lapsed',
  'reminded',
  'escalated',
])
/** What happened to an interaction, as its history names it. */
export type HistoryEventType = z.infer<typeof HistoryEventTypeSchema>

/** One entry of an interaction's history, numbered from 1 without gaps in the order it happened. */
export const HistoryEventSchema = z.strictObject({
  seq: z.int().min(1),
  type: HistoryEventTypeSchema,
  at: z.iso.datetime(),
  /** Who acted, when an actor did; a sweep's expiry has none. */
  actor: ParticipantSchema.optional(),
  /** What the event adds to the record's own fields, e.g. a cancel's reason. */
  data: JsonObjectSchema().optional(),
})
/** One entry of an interaction's append-only history. */
export type HistoryEvent = z.infer<typeof HistoryEventSchema>

/** An event as a decision writes it; the store numbers it after the record's last one. */
export type NewHistoryEvent = Omit<HistoryEvent, 'seq'>
