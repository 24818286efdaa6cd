import { z } from 'zod'
import { IdentifierSchema, ParticipantSchema } from './actor.js'
import { InteractionSchema } from './interaction.js'
import { lazyShape } from './lazily.js'

/** Why people are told about an interaction: each kind is derived from one kind of history event. */
const NOTIFICATION_KINDS = ['assigned', 'reminder', 'escalated', 'reassigned', 'claim_lapsed'] as const
/** Why a notification is sent. */
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/** What a notifier receives: whom to tell about which interaction, and why. */
export const InteractionNotificationSchema = z.strictObject(
  lazyShape({
    /**
     * Stable idempotency key, `<interaction id>:<kind>:<version>:<n>`: the record's version after the
     * write that caused it and the position of the causing event among that write's events. A version
     * is written once, so a retried delivery carries the same key and receivers drop one they have seen.
     */
    id: () => z.string(),
    kind: () => z.enum(NOTIFICATION_KINDS),
    project: () => IdentifierSchema,
    /** The record as the change left it. */
    interaction: () => InteractionSchema,
    /** Who to tell, each once. */
    recipients: () => z.array(ParticipantSchema).min(1),
  }),
)
/** What a notifier is asked to tell the people an interaction now waits for. */
export type InteractionNotification = z.infer<typeof InteractionNotificationSchema>
