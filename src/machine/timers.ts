import { addDuration } from '../model/duration.js'
import type { Interaction } from '../model/interaction.js'

/** The events time sends to a pending record, named after what they do. */
export type TimerEvent = 'lapse' | 'escalate' | 'expire'

/** When the current claim lapses: `claim_timeout` after `claimed_at`; undefined without both. */
export const lapseAtOf = (record: Interaction): string | undefined =>
  record.claim_timeout !== undefined && record.claimed_at !== undefined ? addDuration(record.claimed_at, record.claim_timeout) : undefined

/** The escalation step that runs next, and its index, until every step has run. */
export const nextEscalationOf = (record: Interaction) => {
  const index = record.escalation_step ?? 0
  const escalation = record.escalation?.[index]
  return escalation && { index, escalation, at: addDuration(record.created_at, escalation.after) }
}

/** Each timer of a pending record with the time it comes due, in the order timers due at the same time run. */
const timersOf = (record: Interaction): [TimerEvent, string | undefined][] => [
  ['lapse', lapseAtOf(record)],
  ['escalate', nextEscalationOf(record)?.at],
  ['expire', record.expires_at],
]

/** The earliest timer of a pending record and its time, if it has any; the first listed wins a tie. */
export function nextTimerOf(record: Interaction): { event: TimerEvent; at: string } | undefined {
  if (record.status !== 'pending') return undefined
  let next: { event: TimerEvent; at: string } | undefined
  for (const [event, at] of timersOf(record)) {
    if (at !== undefined && (!next || Date.parse(at) < Date.parse(next.at))) next = { event, at }
  }
  return next
}

/** The timer that has come due at `now`, earliest first; undefined when none has. */
export function dueTimerOf(record: Interaction, now: Date): TimerEvent | undefined {
  const next = nextTimerOf(record)
  return next && Date.parse(next.at) <= now.getTime() ? next.event : undefined
}
