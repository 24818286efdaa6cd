import { z } from 'zod'
import { actorKey, ParticipantSchema, type Participant } from '../model/actor.js'
import type { NewHistoryEvent } from '../model/history.js'
import type { Interaction } from '../model/interaction.js'
import type { InteractionNotification, NotificationKind } from '../model/notification.js'
import { policyOf } from './policies.js'

// The data of the events that name their recipients, in the shapes their transitions record.
const ReassignedDataSchema = z.object({ to: ParticipantSchema })
const EscalatedDataSchema = z.object({ to: ParticipantSchema.optional(), members: z.array(ParticipantSchema).optional() })

/** Each actor once, in the order first named. */
const once = (actors: Participant[]): Participant[] => [...new Map(actors.map((actor) => [actorKey(actor), actor])).values()]

/** Who may act on the record now: those a new, reminded or lapsed item is waiting for. */
const mayActNow = (record: Interaction): Participant[] => (record.status === 'pending' ? policyOf(record).mayActNow(record) : [])

/** The notification an event causes, and whom it tells. */
interface Notified {
  kind: NotificationKind
  recipients(record: Interaction, event: NewHistoryEvent): Participant[]
}

/** What each event causes; events that tell nobody are absent. */
const NOTIFIED: Partial<Record<NewHistoryEvent['type'], Notified>> = {
  created: { kind: 'assigned', recipients: mayActNow },
  reminded: { kind: 'reminder', recipients: mayActNow },
  // Those who gain the item; whoever already had it was told when it was assigned to them.
  escalated: {
    kind: 'escalated',
    recipients: (_, event) => {
      const { to, members = [] } = EscalatedDataSchema.parse(event.data)
      return to ? [to, ...members] : members
    },
  },
  // The new holder only: `from` sees the item leave their inbox, and the history records who moved it.
  reassigned: { kind: 'reassigned', recipients: (_, event) => [ReassignedDataSchema.parse(event.data).to] },
  // The item is back in every member's inbox, the lapsed claimant's included.
  claim_lapsed: { kind: 'claim_lapsed', recipients: mayActNow },
}

/**
 * The notifications one write causes, derived from its history events and the record it leaves:
 * `created` tells those the new record waits for (`assigned`), `reminded` those who may act now,
 * `escalated` the new target or added members, `reassigned` the new holder, `claim_lapsed` every
 * member the item is back with. Pure, so the service writes them in the same atomic step.
 */
export function notificationsOf(record: Interaction, events: NewHistoryEvent[]): InteractionNotification[] {
  return events.flatMap((event, position) => {
    const notified = NOTIFIED[event.type]
    if (!notified) return []
    const recipients = once(notified.recipients(record, event))
    if (recipients.length === 0) return []
    const { kind } = notified
    return [{ id: `${record.id}:${kind}:${record.version}:${position}`, kind, project: record.project, interaction: record, recipients }]
  })
}
