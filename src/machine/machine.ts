import { assertEvent, assign, not, setup } from 'xstate'
import { validationError, type InteractionErrorCode, type ValidationIssue } from '../errors.js'
import { describeActor as describe, sameActor, uniqueActors, type Participant } from '../model/actor.js'
import { fallbackFor } from '../model/fallback.js'
import { lazily } from '../model/lazily.js'
import type { NewHistoryEvent } from '../model/history.js'
import type { EscalationStep, Interaction } from '../model/interaction.js'
import { countResponse, decisionFieldsOf, decisionOf, hasResponded, isRoutedTo, policyOf, type PendingState } from './policies.js'
import { responseValueIssuesOf } from './responses.js'
import { reassignedFields, reassignmentOf, reassignmentRefusal, type Reassignment } from './reassign.js'
import { lapseAtOf, nextEscalationOf } from './timers.js'

/** Events the machine accepts; `at` is the time the service read from its clock. */
export type InteractionEvent =
  | { type: 'claim'; actor: Participant; at: string }
  | { type: 'release'; actor: Participant; at: string }
  | { type: 'respond'; actor: Participant; value: Record<string, unknown>; comment?: string; at: string }
  | { type: 'expire'; at: string }
  | { type: 'lapse'; at: string }
  | { type: 'escalate'; at: string }
  | { type: 'cancel'; actor: Participant; reason?: string; at: string }
  | { type: 'reassign'; actor: Participant; to: Participant; from?: Participant; reason?: string; at: string }

/** Why the machine refused an event; the service turns it into an InteractionError. */
export interface Refusal {
  code: InteractionErrorCode
  message: string
  issues?: ValidationIssue[]
}

type RespondEvent = Extract<InteractionEvent, { type: 'respond' }>

/** Whether `expires_at` has come at time `at`: a response at exactly `expires_at` is late. */
export const isDue = (interaction: Interaction, at: string | Date): boolean =>
  interaction.expires_at !== undefined && new Date(at).getTime() >= Date.parse(interaction.expires_at)

const ACTOR_EVENTS = ['claim', 'release', 'respond', 'cancel'] as const
const actorOf = (event: InteractionEvent) => {
  assertEvent(event, ACTOR_EVENTS)
  return event.actor
}

const valueIssues = (context: Interaction, event: InteractionEvent) => {
  assertEvent(event, 'respond')
  return responseValueIssuesOf(context, event.value)
}

type RecordedFields = Pick<Interaction, 'responses' | 'tally'>
/** The fields each response event recorded, with the context it recorded them on. */
const recordedBy = new WeakMap<InteractionEvent, { on: Interaction; fields: RecordedFields }>()

/**
 * What recording a response changes: the responses, and the tally of a record that keeps one. Made
 * once per event and context, so the guard that asks whether the response completes the record and
 * the action that records it share one copy of a large group's responses.
 */
const withResponse = (context: Interaction, event: InteractionEvent): RecordedFields => {
  const recorded = recordedBy.get(event)
  if (recorded?.on === context) return recorded.fields
  assertEvent(event, 'respond')
  const { actor, value, comment, at } = event
  const response = { actor, value: value as never, ...(comment === undefined ? {} : { comment }), responded_at: at }
  // concat copies the list of a large group as one block, several times faster than a spread.
  const fields = { responses: context.responses.concat([response]), ...(context.tally && { tally: countResponse(context.tally, value) }) }
  recordedBy.set(event, { on: context, fields })
  return fields
}

/** Whether `time` has come at the event's time. */
const hasCome = (time: string | undefined, event: InteractionEvent) => time !== undefined && Date.parse(time) <= Date.parse(event.at)

/** The members an `add_members` step brings in: those not in the snapshot yet, each once. */
const newMembers = (context: Interaction, escalation: Extract<EscalationStep, { action: 'add_members' }>) => {
  const members = context.members ?? []
  return uniqueActors([...members, ...escalation.members]).slice(members.length)
}

/** The escalation step that is due; the `isEscalationDue` guard has checked that there is one. */
const dueEscalation = (context: Interaction) => nextEscalationOf(context)!

type RefusalArgs = { context: Interaction; event: InteractionEvent }

/** A `refuse` action whose message is built from the record and the event. */
const refuse = (code: InteractionErrorCode, message: (args: RefusalArgs) => string) =>
  ({ type: 'refuse', params: (args: RefusalArgs): Refusal => ({ code, message: message(args) }) }) as const

const refuseNotEligible = refuse(
  'not_eligible',
  ({ context, event }) => `${describe(actorOf(event))} is not eligible to act on interaction ${context.id}`,
)
const refuseAlreadyClaimed = refuse(
  'already_claimed',
  ({ context }) => `interaction ${context.id} is claimed by ${describe(context.claimed_by!)}`,
)

const refuseInvalidValue = {
  type: 'refuse',
  params: ({ context, event }: { context: Interaction; event: RespondEvent }): Refusal => {
    const { message, issues } = validationError(`response for spec mode "${context.spec.mode}"`, valueIssues(context, event), ['value'])
    return { code: 'validation_failed', message, issues: [...issues] }
  },
} as const

const refuseNotClaimable = {
  type: 'refuse',
  params: ({ context }: { context: Interaction }): Refusal => ({
    code: 'validation_failed',
    message: `claim and release apply only to group interactions with routing_policy "first_responder" (interaction ${context.id} targets a ${context.target_actor.type}${context.routing_policy ? ` with routing_policy "${context.routing_policy}"` : ''})`,
    issues: [{ path: ['routing_policy'], message: 'claim and release need routing_policy "first_responder"' }],
  }),
} as const

/**
 * A `log` action: a history event at the event's time, with the event's actor unless it is an end
 * state's (the actor who ended it is on the event before it).
 */
const logged = (type: NewHistoryEvent['type'], data?: (args: RefusalArgs) => NewHistoryEvent['data']) =>
  ({
    type: 'log',
    params: (args: RefusalArgs): NewHistoryEvent => {
      const { event } = args
      const details = data?.(args)
      const actor = type !== 'completed' && type !== 'expired' && 'actor' in event ? event.actor : undefined
      return { type, at: event.at, ...(actor && { actor }), ...(details && { data: details }) }
    },
  }) as const

/** The `responded` event carries the value and comment, so the history reads on its own. */
const responded = logged('responded', ({ event }) => {
  assertEvent(event, 'respond')
  return { value: event.value as Record<string, never>, ...(event.comment !== undefined && { comment: event.comment }) }
})

/** A reassign's history event: who it moved from and to, who did it and why. */
const reassigned = logged('reassigned', ({ context, event }) => {
  assertEvent(event, 'reassign')
  const { from, to } = reassignmentOf(context, event)
  return { from, to, by: event.actor, ...(event.reason !== undefined && { reason: event.reason }) }
})
/** A `reminded` or `escalated` event for the step that is due, logged before it runs. */
const escalationLogged = {
  type: 'log',
  params: ({ context, event }: RefusalArgs): NewHistoryEvent => {
    const { index: step, escalation } = dueEscalation(context)
    const data: NonNullable<NewHistoryEvent['data']> =
      escalation.action === 'remind'
        ? { step }
        : escalation.action === 'reassign'
          ? { step, action: escalation.action, to: escalation.to }
          : { step, action: escalation.action, members: newMembers(context, escalation) }
    return { type: escalation.action === 'remind' ? 'reminded' : 'escalated', at: event.at, data }
  },
} as const

/** Builds the machine; {@link interactionMachine} and {@link machineOf} build it once, on first use. */
const buildMachine = () =>
  setup({
    types: {
      context: {} as Interaction,
      events: {} as InteractionEvent,
      input: {} as Interaction,
    },
    actions: {
      /** Marks the event as refused; executed by the service, never by an actor. */
      refuse: (_, _refusal: Refusal) => {},
      /** Reaching an end state resumes the linked run, if any. */
      signal: () => {},
      /** Appends an event to the history; executed by the service, which writes it with the record. */
      log: (_, _event: NewHistoryEvent) => {},
      recordClaim: assign(({ event }) => {
        assertEvent(event, ACTOR_EVENTS)
        return { claimed_by: event.actor, claimed_at: event.at }
      }),
      clearClaim: assign({ claimed_by: undefined, claimed_at: undefined }),
      runEscalationStep: assign(({ context }) => {
        const { index, escalation } = dueEscalation(context)
        return {
          escalation_step: index + 1,
          ...(escalation.action === 'reassign' && { target_actor: escalation.to }),
          ...(escalation.action === 'add_members' && { members: [...(context.members ?? []), ...newMembers(context, escalation)] }),
        }
      }),
      recordResponse: assign(({ context, event }) => withResponse(context, event)),
      markCompleted: assign(({ context, event }) => ({
        status: 'completed' as const,
        completed_at: event.at,
        ...(context.type === 'approval' && decisionOf(context)),
      })),
      /** Puts `to` where `from` was; kept apart so that any event which hands an interaction over can use it. */
      reassignTo: assign(({ context, event }, reassignment: Reassignment) => reassignedFields(context, reassignment, event.at)),
      // A timeout is not an answer: the default goes beside the responses, never among them.
      markExpired: assign(({ context, event }) => ({
        status: 'expired' as const,
        expired_at: event.at,
        fallback: fallbackFor(context.spec),
      })),
      markCancelled: assign(({ event }) => {
        assertEvent(event, 'cancel')
        return { status: 'cancelled' as const, cancelled_at: event.at, cancelled_by: event.actor, cancel_reason: event.reason }
      }),
    },
    guards: {
      isRoutedTo: ({ context }, state: PendingState) => policyOf(context).state(context) === state,
      isNotEligible: ({ context, event }) => !isRoutedTo(context, actorOf(event)),
      isClaimant: ({ context, event }) => context.claimed_by !== undefined && sameActor(context.claimed_by, actorOf(event)),
      hasResponded: ({ context, event }) => hasResponded(context, actorOf(event)),
      isInvalidValue: ({ context, event }) => valueIssues(context, event).length > 0,
      isComplete: ({ context }) => policyOf(context).isComplete(context),
      isCompletedByResponse: ({ context, event }) => policyOf(context).isComplete(Object.assign({}, context, withResponse(context, event))),
      isDue: ({ context, event }) => isDue(context, event.at),
      isReassignRefused: ({ context, event }) => {
        assertEvent(event, 'reassign')
        return reassignmentRefusal(context, event) !== undefined
      },
      isLapsed: ({ context, event }) => hasCome(lapseAtOf(context), event),
      isEscalationDue: ({ context, event }) => hasCome(nextEscalationOf(context)?.at, event),
    },
  }).createMachine({
    id: 'interaction',
    context: ({ input }) => input,
    initial: 'pending',
    states: {
      pending: {
        initial: 'routing',
        // After any other event that leaves the responses complete under the policy (such as a response
        // that claims), the interaction ends.
        always: { guard: 'isComplete', target: 'completed' },
        on: {
          // A response each sub-state accepts, once its refusals have passed: the one that completes the
          // interaction ends it in the same step, without another pass through `always`.
          respond: [
            { guard: 'isCompletedByResponse', target: 'completed', actions: ['recordResponse', responded] },
            { actions: ['recordResponse', responded] },
          ],
          expire: [
            { guard: 'isDue', target: 'expired' },
            {
              actions: {
                type: 'refuse',
                params: ({ context }): Refusal => ({
                  code: 'validation_failed',
                  message: `interaction ${context.id} is not due to expire (expires_at ${context.expires_at ?? 'not set'})`,
                  issues: [{ path: ['expires_at'], message: 'has not passed yet' }],
                }),
              },
            },
          ],
          claim: { actions: refuseNotClaimable },
          release: { actions: refuseNotClaimable },
          // Sent by time alone, so a step that is not due yet is ignored rather than refused.
          escalate: { guard: 'isEscalationDue', actions: [escalationLogged, 'runEscalationStep'] },
          // Whoever asked may withdraw the question: who is allowed to is the host's decision.
          cancel: { target: 'cancelled' },
          // As with cancel, who may hand an interaction over is the host's decision; the sub-state stays as it was.
          reassign: [
            {
              guard: 'isReassignRefused',
              actions: {
                type: 'refuse',
                params: ({ context, event }) => {
                  assertEvent(event, 'reassign')
                  return reassignmentRefusal(context, event)!
                },
              },
            },
            {
              actions: [
                reassigned,
                {
                  type: 'reassignTo',
                  params: ({ context, event }) => {
                    assertEvent(event, 'reassign')
                    return reassignmentOf(context, event)
                  },
                },
              ],
            },
          ],
        },
        states: {
          /** Enters the sub-state the record's policy names. */
          routing: {
            always: (['direct', 'unclaimed', 'claimed', 'collecting'] as const).map((state) => ({
              guard: { type: 'isRoutedTo', params: state },
              target: state,
            })),
          },
          /** Routed to one member or agent, who answers directly. */
          direct: {
            on: {
              respond: [
                { guard: 'isNotEligible', actions: refuseNotEligible },
                { guard: 'isInvalidValue', actions: refuseInvalidValue },
              ],
            },
          },
          /** First responder: any member may claim, or respond and claim in one step. */
          unclaimed: {
            on: {
              claim: [
                { guard: 'isNotEligible', actions: refuseNotEligible },
                { target: 'claimed', actions: ['recordClaim', logged('claimed')] },
              ],
              release: {
                actions: refuse(
                  'not_eligible',
                  ({ context }) => `interaction ${context.id} is not claimed, so there is nothing to release`,
                ),
              },
              respond: [
                { guard: 'isNotEligible', actions: refuseNotEligible },
                { guard: 'isInvalidValue', actions: refuseInvalidValue },
                { target: 'claimed', actions: ['recordClaim', logged('claimed'), 'recordResponse', responded] },
              ],
            },
          },
          /** First responder: only the claimant may respond, until it releases. */
          claimed: {
            on: {
              claim: [
                { guard: 'isNotEligible', actions: refuseNotEligible },
                // Claiming again is a no-op for the claimant, so a retried request is harmless.
                { guard: 'isClaimant' },
                { actions: refuseAlreadyClaimed },
              ],
              lapse: {
                guard: 'isLapsed',
                target: 'unclaimed',
                actions: [logged('claim_lapsed', ({ context }) => ({ claimant: context.claimed_by! })), 'clearClaim'],
              },
              release: [
                { guard: 'isClaimant', target: 'unclaimed', actions: ['clearClaim', logged('released')] },
                {
                  actions: refuse(
                    'not_eligible',
                    ({ context }) => `only the claimant, ${describe(context.claimed_by!)}, may release interaction ${context.id}`,
                  ),
                },
              ],
              respond: [
                { guard: 'isNotEligible', actions: refuseNotEligible },
                { guard: not('isClaimant'), actions: refuseAlreadyClaimed },
                { guard: 'isInvalidValue', actions: refuseInvalidValue },
              ],
            },
          },
          /** All members: every snapshotted member responds once. */
          collecting: {
            on: {
              respond: [
                { guard: 'isNotEligible', actions: refuseNotEligible },
                {
                  guard: 'hasResponded',
                  actions: refuse(
                    'already_responded',
                    ({ context, event }) => `${describe(actorOf(event))} has already responded to interaction ${context.id}`,
                  ),
                },
                { guard: 'isInvalidValue', actions: refuseInvalidValue },
              ],
            },
          },
        },
      },
      completed: {
        type: 'final',
        entry: ['markCompleted', logged('completed', ({ context }) => context.outcome && decisionFieldsOf(context)), 'signal'],
        meta: { refusal: { code: 'not_pending', message: 'is already completed' } },
      },
      expired: {
        type: 'final',
        entry: ['markExpired', logged('expired', ({ context }) => context.fallback && { fallback: context.fallback }), 'signal'],
        meta: { refusal: { code: 'expired', message: 'has expired' } },
      },
      cancelled: {
        type: 'final',
        entry: [
          'markCancelled',
          logged('cancelled', ({ event }) => {
            assertEvent(event, 'cancel')
            return event.reason === undefined ? undefined : { reason: event.reason }
          }),
          'signal',
        ],
        meta: { refusal: { code: 'not_pending', message: 'is cancelled' } },
      },
    },
  })

/** The type of the interaction machine. */
type InteractionMachine = ReturnType<typeof buildMachine>

/** The interaction machine itself, built on the first call: what the service steps records with. */
export const machineOf: () => InteractionMachine = lazily(buildMachine)

// Node's inspector formats a proxy's target without its traps: the target shows the machine instead.
const inspectedAsMachine = {
  [Symbol.for('nodejs.util.inspect.custom')]: (_: number, options: object, inspect: (value: unknown, options: object) => string) =>
    inspect(machineOf(), options),
}

/**
 * The lifecycle of one interaction. The context is the stored record itself; the service drives the
 * machine with XState's pure `transition()`, so nothing stays alive between calls.
 *
 * Refused events take a transition without a target whose `refuse` action carries the reason; the
 * end states carry theirs in `meta.refusal`, since a final state takes no more events.
 *
 * Built on first use, since building it adds a few milliseconds to a cold start: the export is a proxy
 * that builds the machine on its first read and forwards every read and write to it, so inspection tools, the
 * visualiser and XState's graph utilities take it for the machine.
 */
export const interactionMachine: InteractionMachine = new Proxy(inspectedAsMachine as unknown as InteractionMachine, {
  get: (_, key) => Reflect.get(machineOf(), key),
  set: (_, key, value) => Reflect.set(machineOf(), key, value),
  has: (_, key) => Reflect.has(machineOf(), key),
  deleteProperty: (_, key) => Reflect.deleteProperty(machineOf(), key),
  defineProperty: (_, key, descriptor) => Reflect.defineProperty(machineOf(), key, descriptor),
  ownKeys: () => Reflect.ownKeys(machineOf()),
  getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(machineOf(), key),
  getPrototypeOf: () => Reflect.getPrototypeOf(machineOf()),
})
