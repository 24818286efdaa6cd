import { z } from 'zod'
import { IdentifierSchema } from './actor.js'
import { FallbackSchema } from './fallback.js'
import { DecisionFields, OutcomeSchema } from './interaction.js'
import { JsonValueSchema } from './json.js'
import { lazyShape } from './lazily.js'
import { InteractionNotificationSchema } from './notification.js'
import { InteractionResponseSchema } from './response.js'

/** What a suspended run receives when its interaction reaches an end state. */
export const SignalSchema = z.strictObject(
  lazyShape({
    interaction_id: () => z.string(),
    project: () => IdentifierSchema,
    run_id: () => IdentifierSchema,
    topic: () => IdentifierSchema,
    /** The end state reached: every run handles all three, since a cancelled question is not an answer. */
    status: () => z.enum(['completed', 'expired', 'cancelled']),
    responses: () => z.array(InteractionResponseSchema),
    /** Set when a completed approval resumes the run: what it decided. */
    outcome: () => OutcomeSchema().optional(),
    /** Set with the outcome when the approval's spec has a proposal: what the run proposed, beside what was approved. */
    proposed_value: () => JsonValueSchema().optional(),
    ...DecisionFields,
    /** Set when an interaction whose spec has a default expires: that default, for the run to use or not. */
    fallback: () => FallbackSchema().optional(),
    /** Stable for one interaction and end state: receivers drop a signal whose key they have seen. */
    idempotency_key: () => z.string(),
  }),
)
/** What a suspended run receives when its interaction reaches an end state. */
export type Signal = z.infer<typeof SignalSchema>

const OutboxEntryFields = {
  id: () => z.string(),
  /** Where the entry is in its delivery. */
  status: () => z.enum(['pending', 'delivered', 'dead']),
  attempts: () => z.int().min(0),
  next_attempt_at: () => z.iso.datetime(),
  lease_owner: () => z.string().optional(),
  lease_expires_at: () => z.iso.datetime().optional(),
  last_error: () => z.string().optional(),
  created_at: () => z.iso.datetime(),
  delivered_at: () => z.iso.datetime().optional(),
}

/**
 * A signal or a notification waiting for, or done with, delivery; written atomically with the state
 * change. Which one it carries is its discriminating field: `signal` (as every entry did before
 * notifications) or `notification`.
 */
export const OutboxEntrySchema = z.union([
  z.strictObject(lazyShape({ ...OutboxEntryFields, signal: () => SignalSchema })),
  z.strictObject(lazyShape({ ...OutboxEntryFields, notification: () => InteractionNotificationSchema })),
])
/** A signal or a notification waiting for, or done with, delivery. */
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>

/** An outbox entry that carries a signal. */
export type SignalEntry = Extract<OutboxEntry, { signal: Signal }>

/**
 * Whether an outbox entry carries a signal rather than a notification.
 *
 * @example
 * import { isSignalEntry } from '@hitl/interactions'
 * const runs = (await interactions.failedSignals()).filter(isSignalEntry).map((entry) => entry.signal.run_id)
 */
export const isSignalEntry = (entry: OutboxEntry): entry is SignalEntry => 'signal' in entry
