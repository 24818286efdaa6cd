import { transition, type StateValue } from 'xstate'
import { isDue } from '../model/eligibility.js'
import { isRunLinked, type Interaction } from '../model/interaction.js'
import type { Signal } from '../model/signal.js'
import { interactionMachine, type InteractionEvent, type Refusal } from './machine.js'

/** What one step decided: the next record, whether it changed, and its effects. */
export interface StepResult {
  record: Interaction
  changed: boolean
  /** Set when this step reached an end state of a run-linked interaction. */
  signal?: Signal
  /** Set when the event was refused; `record` may still have changed by a lazy expiry. */
  refusal?: Refusal
}

/** The machine state a stored record is in. */
export function stateValueOf(record: Interaction): StateValue {
  if (record.status !== 'pending') return record.status
  if (record.target_actor.type !== 'group') return { pending: 'direct' }
  if (record.routing_policy === 'all_members') return { pending: 'collecting' }
  return { pending: record.claimed_by ? 'claimed' : 'unclaimed' }
}

/** The signal a run-linked interaction sends on reaching an end state. */
export function signalOf(record: Interaction): Signal | undefined {
  if (!isRunLinked(record) || record.status === 'pending') return undefined
  return {
    interaction_id: record.id,
    project: record.project,
    run_id: record.run_id,
    topic: record.topic,
    status: record.status,
    responses: record.responses,
    idempotency_key: `${record.id}:${record.status}`,
  }
}

// XState's assign can only set a key to undefined; the stored record leaves unset fields out.
const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T

/**
 * Applies one event to a stored record, purely: expiry first when `expires_at` has passed (so a
 * late event is refused but the expiry is recorded), then the event. With no event, only the
 * lazy expiry runs. The version and `updated_at` move only when the record changed.
 */
export function step(record: Interaction, event: InteractionEvent | undefined, now: Date): StepResult {
  const at = now.toISOString()
  let snapshot = interactionMachine.resolveState({ value: stateValueOf(record), context: record })
  let signaled = false
  let refusal: Refusal | undefined

  const send = (next: InteractionEvent) => {
    if (snapshot.status === 'done') {
      const { refusal: reason } = Object.values(snapshot.getMeta())[0] as { refusal: Refusal }
      refusal = { code: reason.code, message: `interaction ${record.id} ${reason.message}` }
      return
    }
    const [nextSnapshot, actions] = transition(interactionMachine, snapshot, next)
    snapshot = nextSnapshot
    for (const action of actions) {
      if (action.type === 'signal') signaled = true
      if (action.type === 'refuse') refusal = action.params as Refusal
    }
  }

  const lazilyExpired = record.status === 'pending' && isDue(record, now)
  if (lazilyExpired) send({ type: 'expire', at })
  if (event && !(lazilyExpired && event.type === 'expire')) send(event)

  const changed = snapshot.context !== record
  const next = changed ? { ...withoutUndefined(snapshot.context), updated_at: at, version: record.version + 1 } : record
  return { record: next, changed, signal: signaled ? signalOf(next) : undefined, refusal }
}
