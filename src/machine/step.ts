import { createActor, type AnyActorScope, type AnyStateMachine, type ExecutableActionObject, type StateValue } from 'xstate'
import { actorKey } from '../model/actor.js'
import type { NewHistoryEvent } from '../model/history.js'
import { withoutUndefined } from '../model/json.js'
import { isRunLinked, type Interaction } from '../model/interaction.js'
import type { Signal } from '../model/signal.js'
import { machineOf, type InteractionEvent, type Refusal } from './machine.js'
import { decisionFieldsOf, policyOf } from './policies.js'
import { dueTimerOf, nextTimerOf } from './timers.js'

/** What one step decided: the next record, whether it changed, and its effects. */
export interface StepResult {
  record: Interaction
  changed: boolean
  /** What happened, in order, for the history; empty when nothing changed. */
  events: NewHistoryEvent[]
  /** The record as each of `events` left it, in the same order: whom an event concerns depends on when it happened. */
  states: Interaction[]
  /** Set when this step reached an end state of a run-linked interaction. */
  signal?: Signal
  /** Set when the event was refused; `record` may still have changed by a lazy expiry. */
  refusal?: Refusal
}

/** The machine state a stored record is in: its status, and while pending the sub-state its policy names. */
export function stateValueOf(record: Interaction): StateValue {
  return record.status === 'pending' ? { pending: policyOf(record).state(record) } : record.status
}

/**
 * The one inbox key a step took the record out of, when that is all it changed for the inboxes: a
 * step whose only event is a response that leaves the record pending, under a policy where that
 * takes only its responder out of who may act now. Undefined when the inboxes must be listed in full.
 */
export function unlistedBy(record: Interaction, events: NewHistoryEvent[]): string | undefined {
  const [event] = events
  if (events.length !== 1 || event?.type !== 'responded' || !event.actor || record.status !== 'pending') return undefined
  return policyOf(record).decidedByOne ? undefined : actorKey(event.actor)
}

/**
 * When the sweep must next look at a record that nobody calls on: the earliest of a pending record's
 * `expires_at`, its claim's lapse and its next escalation step. At or after it, stepping the record
 * with no event always changes it, so a woken record never stays due.
 */
export const wakeAtOf = (record: Interaction): string | undefined => nextTimerOf(record)?.at

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
    ...(record.outcome && decisionFieldsOf(record)),
    ...(record.fallback && { fallback: record.fallback }),
    idempotency_key: `${record.id}:${record.status}`,
  }
}

type Snapshot = ReturnType<ReturnType<typeof machineOf>['resolveState']>
const resolvedStates = new Map<string, Snapshot>()

/**
 * The machine's snapshot of a stored record. XState resolves a state value into its nodes, tags and
 * status, all of which depend on the value alone, so each value is resolved once and a record's
 * snapshot is that one with the record for context: a copy instead of a resolution on every step.
 */
function snapshotOf(record: Interaction): Snapshot {
  // Pending sub-states and end statuses have distinct names, so either names the state alone.
  const key = record.status === 'pending' ? policyOf(record).state(record) : record.status
  let resolved = resolvedStates.get(key)
  if (!resolved) {
    // Resolved without a record, which the cache would otherwise keep alive: every step sets its own.
    resolved = machineOf().resolveState({ value: stateValueOf(record), context: {} as Interaction })
    resolvedStates.set(key, resolved)
  }
  return { ...resolved, context: record }
}

let inertScope: AnyActorScope | undefined
/**
 * An inert scope for one transition, whose `actionExecutor` collects the actions instead of running
 * them: what XState's `transition()` builds, less the new actor (and with it the machine's initial
 * snapshot) it creates on every call, which costs more than the transition. The machine spawns,
 * delays and emits nothing, so one actor, built on first use, serves every transition.
 */
function scopeWith(actionExecutor: (action: ExecutableActionObject) => void): AnyActorScope {
  // Without input, as `transition()` builds its own: the actor is never started, only its system is used.
  const self = inertScope?.self ?? createActor(machineOf() as AnyStateMachine)
  inertScope = { self, id: '', sessionId: '', system: self.system, logger() {}, defer() {}, emit() {}, stopChild() {}, actionExecutor }
  return inertScope
}

/**
 * The record a step writes: the machine's context without the keys XState's assign could only set to
 * undefined (the stored record leaves unset fields out), at its next version. Set on the new object
 * rather than spread with added keys, which Node 20 charges per key.
 */
function nextRecord(context: Interaction, at: string, version: number): Interaction {
  return Object.assign(withoutUndefined(context), { updated_at: at, version })
}

/**
 * Applies one event to a stored record, purely: first every timer that has come due, in the order
 * of their times (a claim's lapse, escalation steps, expiry: so a late event is refused but the
 * expiry is recorded), then the event. With no event, only the timers run. The version and
 * `updated_at` move only when the record changed.
 */
export function step(record: Interaction, event: InteractionEvent | undefined, now: Date): StepResult {
  const at = now.toISOString()
  const machine = machineOf()
  let snapshot = snapshotOf(record)
  let signaled = false
  let refusal: Refusal | undefined
  const events: NewHistoryEvent[] = []
  const states: Interaction[] = []

  const send = (next: InteractionEvent) => {
    if (snapshot.status === 'done') {
      const { refusal: reason } = Object.values(snapshot.getMeta())[0] as { refusal: Refusal }
      // Too late to cancel or reassign is not_pending whatever ended it; only a response learns that it came too late.
      const code = next.type === 'cancel' || next.type === 'reassign' ? 'not_pending' : reason.code
      refusal = { code, message: `interaction ${record.id} ${reason.message}` }
      return
    }
    const actions: ExecutableActionObject[] = []
    snapshot = machine.transition(
      snapshot,
      next,
      scopeWith((action) => actions.push(action)),
    )
    for (const action of actions) {
      if (action.type === 'signal') signaled = true
      if (action.type === 'log') {
        events.push(action.params as NewHistoryEvent)
        states.push(snapshot.context)
      }
      if (action.type === 'refuse') refusal = action.params as Refusal
    }
  }

  let lazilyExpired = false
  // Each due timer changes the record (a lapse clears the claim, a step moves escalation_step, expiry
  // ends it); one that did not, on a record the schemas would refuse, must not loop forever.
  for (let timer = dueTimerOf(record, now); timer; timer = dueTimerOf(snapshot.context, now)) {
    const before = snapshot.context
    send({ type: timer, at })
    lazilyExpired = timer === 'expire'
    if (snapshot.context === before) break
  }
  if (event && !(lazilyExpired && event.type === 'expire')) send(event)

  const changed = snapshot.context !== record
  const next = changed ? nextRecord(snapshot.context, at, record.version + 1) : record
  const signal = signaled ? signalOf(next) : undefined
  return { record: next, changed, events: changed ? events : [], states: changed ? states : [], signal, refusal }
}
