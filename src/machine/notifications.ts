import { z } from 'zod'
import { actorKey, ParticipantSchema, uniqueActors, type Participant } from '../model/actor.js'
import type { NewHistoryEvent } from '../model/history.js'
import type { Interaction } from '../model/interaction.js'
import { lazily } from '../model/lazily.js'
import type { InteractionNotification, NotificationKind } from '../model/notification.js'
import { policyOf } from './policies.js'

// The data of the events that name their recipients, in the shapes their transitions record.
const ReassignedDataSchema = lazily(() => z.object({ to: ParticipantSchema }))
const EscalatedDataSchema = lazily(() => z.object({ to: ParticipantSchema.optional(), members: z.array(ParticipantSchema).optional() }))

/** Who may act on the record: those a new, reminded or lapsed item is waiting for. */
const actorsNow = (record: Interaction): Participant[] => (record.status === 'pending' ? policyOf(record).mayActNow(record) : [])

/** Of these actors, those who may act on the record: nobody is told of an item they cannot act on yet. */
const ableAmong = (record: Interaction, actors: Participant[]) => {
  const able = new Set(actorsNow(record).map(actorKey))
  return actors.filter((actor) => able.has(actorKey(actor)))
}

/** The notification an event causes, and whom it tells. */
interface Notified {
  kind: NotificationKind
  recipients(record: Interaction, event: NewHistoryEvent): Participant[]
}

/** What each event causes; events that tell nobody are absent. */
const NOTIFIED: Partial<Record<NewHistoryEvent['type'], Notified>> = {
  created: { kind: 'assigned', recipients: actorsNow },
  reminded: { kind: 'reminder', recipients: actorsNow },
  // Those who gain the item and may act on it; whoever already had it was told when it was assigned to them.
  escalated: {
    kind: 'escalated',
    recipients: (record, event) => {
      const { to, members = [] } = EscalatedDataSchema().parse(event.data)
      return ableAmong(record, to ? [to, ...members] : members)
    },
  },
  // The new holder only, once they may act: `from` sees the item leave their inbox, and the history records who moved it.
  reassigned: { kind: 'reassigned', recipients: (record, event) => ableAmong(record, [ReassignedDataSchema().parse(event.data).to]) },
  // The item is back in every member's inbox, the lapsed claimant's included.
  claim_lapsed: { kind: 'claim_lapsed', recipients: actorsNow },
}

/** Events about an item that is still open: when the same write ends it, nobody is told of them. */
const WHILE_OPEN: ReadonlySet<NewHistoryEvent['type']> = new Set(['reminded', 'escalated', 'reassigned', 'claim_lapsed'])

/**
 * The notifications one write causes, derived from its history events: `created` tells those the new
 * record waits for (`assigned`), `reminded` those who may act, `escalated` the new target or added
 * members who may act, `reassigned` the new holder, `claim_lapsed` every member the item is back
 * with. Each event's recipients come from the record as that event left it (`states`, in the same
 * order; the written record by default), so a lapse followed by a new claim in one call still tells
 * every member. Pure, so the service writes them in the same atomic step.
 */
export function notificationsOf(record: Interaction, events: NewHistoryEvent[], states: Interaction[] = []): InteractionNotification[] {
  return events.flatMap((event, position) => {
    const notified = NOTIFIED[event.type]
    if (!notified || (record.status !== 'pending' && WHILE_OPEN.has(event.type))) return []
    const recipients = uniqueActors(notified.recipients(states[position] ?? record, event))
    if (recipients.length === 0) return []
    const { kind } = notified
    return [{ id: `${record.id}:${kind}:${record.version}:${position}`, kind, project: record.project, interaction: record, recipients }]
  })
}
