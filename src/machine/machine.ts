import { assign, not, setup } from 'xstate'
import { validationError, type InteractionErrorCode, type ValidationIssue } from '../errors.js'
import { sameActor, type Participant } from '../model/actor.js'
import { hasResponded, isDue, isEligible } from '../model/eligibility.js'
import type { Interaction } from '../model/interaction.js'
import { responseValueSchemaFor } from '../model/response.js'

/** Events the machine accepts; `at` is the time the service read from its clock. */
export type InteractionEvent =
  | { type: 'claim'; actor: Participant; at: string }
  | { type: 'release'; actor: Participant; at: string }
  | { type: 'respond'; actor: Participant; value: Record<string, unknown>; comment?: string; at: string }
  | { type: 'expire'; at: string }

/** Why the machine refused an event; the service turns it into an InteractionError. */
export interface Refusal {
  code: InteractionErrorCode
  message: string
  issues?: ValidationIssue[]
}

type ActorEvent = Extract<InteractionEvent, { actor: Participant }>
type RespondEvent = Extract<InteractionEvent, { type: 'respond' }>

const valueIssues = (context: Interaction, event: RespondEvent) =>
  responseValueSchemaFor(context.spec).safeParse(event.value).error?.issues ?? []

const describe = (actor: Participant) => `${actor.type} "${actor.id}"`

type RefusalArgs = { context: Interaction; event: InteractionEvent }

/** A `refuse` action whose message is built from the record and the event. */
const refuse = (code: InteractionErrorCode, message: (args: RefusalArgs) => string) =>
  ({ type: 'refuse', params: (args: RefusalArgs): Refusal => ({ code, message: message(args) }) }) as const

const refuseNotEligible = refuse('not_eligible', ({ context, event }) => `${describe((event as ActorEvent).actor)} is not eligible to act on interaction ${context.id}`)
const refuseAlreadyClaimed = refuse('already_claimed', ({ context }) => `interaction ${context.id} is claimed by ${describe(context.claimed_by!)}`)

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
 * The lifecycle of one interaction. The context is the stored record itself; the service drives the
 * machine with XState's pure `transition()`, so nothing stays alive between calls.
 *
 * Refused events take a transition without a target whose `refuse` action carries the reason; the
 * end states carry theirs in `meta.refusal`, since a final state takes no more events.
 */
export const interactionMachine = setup({
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
    recordClaim: assign(({ event }) => {
      const { actor, at } = event as ActorEvent
      return { claimed_by: actor, claimed_at: at }
    }),
    clearClaim: assign({ claimed_by: undefined, claimed_at: undefined }),
    recordResponse: assign(({ context, event }) => {
      const { actor, value, comment, at } = event as RespondEvent
      const response = { actor, value: value as never, ...(comment === undefined ? {} : { comment }), responded_at: at }
      return { responses: [...context.responses, response] }
    }),
    markCompleted: assign(({ event }) => ({ status: 'completed' as const, completed_at: event.at })),
    markExpired: assign(({ event }) => ({ status: 'expired' as const, expired_at: event.at })),
  },
  guards: {
    isGroup: ({ context }) => context.target_actor.type === 'group',
    isAllMembers: ({ context }) => context.routing_policy === 'all_members',
    isNotEligible: ({ context, event }) => !isEligible(context, (event as ActorEvent).actor),
    isClaimant: ({ context, event }) => context.claimed_by !== undefined && sameActor(context.claimed_by, (event as ActorEvent).actor),
    hasResponded: ({ context, event }) => hasResponded(context, (event as ActorEvent).actor),
    isInvalidValue: ({ context, event }) => valueIssues(context, event as RespondEvent).length > 0,
    // Called only for an eligible member who has not responded yet, so they are one of the missing.
    isLastMissingResponse: ({ context }) => (context.members ?? []).filter((member) => !hasResponded(context, member)).length === 1,
    isDue: ({ context, event }) => isDue(context, event.at),
  },
}).createMachine({
  id: 'interaction',
  context: ({ input }) => input,
  initial: 'pending',
  states: {
    pending: {
      initial: 'routing',
      on: {
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
      },
      states: {
        /** Chooses the sub-state for a new interaction from its target and routing policy. */
        routing: {
          always: [
            { guard: 'isAllMembers', target: 'collecting' },
            { guard: 'isGroup', target: 'unclaimed' },
            { target: 'direct' },
          ],
        },
        /** Routed to one member or agent, who answers directly. */
        direct: {
          on: {
            respond: [
              { guard: 'isNotEligible', actions: refuseNotEligible },
              { guard: 'isInvalidValue', actions: refuseInvalidValue },
              { target: '#interaction.completed', actions: 'recordResponse' },
            ],
          },
        },
        /** First responder: any member may claim, or respond and claim in one step. */
        unclaimed: {
          on: {
            claim: [{ guard: 'isNotEligible', actions: refuseNotEligible }, { target: 'claimed', actions: 'recordClaim' }],
            release: { actions: refuse('not_eligible', ({ context }) => `interaction ${context.id} is not claimed, so there is nothing to release`) },
            respond: [
              { guard: 'isNotEligible', actions: refuseNotEligible },
              { guard: 'isInvalidValue', actions: refuseInvalidValue },
              { target: '#interaction.completed', actions: ['recordClaim', 'recordResponse'] },
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
            release: [
              { guard: 'isClaimant', target: 'unclaimed', actions: 'clearClaim' },
              { actions: refuse('not_eligible', ({ context }) => `only the claimant, ${describe(context.claimed_by!)}, may release interaction ${context.id}`) },
            ],
            respond: [
              { guard: 'isNotEligible', actions: refuseNotEligible },
              { guard: not('isClaimant'), actions: refuseAlreadyClaimed },
              { guard: 'isInvalidValue', actions: refuseInvalidValue },
              { target: '#interaction.completed', actions: 'recordResponse' },
            ],
          },
        },
        /** All members: every snapshotted member responds once; the last response completes it. */
        collecting: {
          on: {
            respond: [
              { guard: 'isNotEligible', actions: refuseNotEligible },
              {
                guard: 'hasResponded',
                actions: refuse('already_responded', ({ context, event }) => `${describe((event as ActorEvent).actor)} has already responded to interaction ${context.id}`),
              },
              { guard: 'isInvalidValue', actions: refuseInvalidValue },
              { guard: 'isLastMissingResponse', target: '#interaction.completed', actions: 'recordResponse' },
              { actions: 'recordResponse' },
            ],
          },
        },
      },
    },
    completed: {
      type: 'final',
      entry: ['markCompleted', 'signal'],
      meta: { refusal: { code: 'not_pending', message: 'is already completed' } },
    },
    expired: {
      type: 'final',
      entry: ['markExpired', 'signal'],
      meta: { refusal: { code: 'expired', message: 'has expired' } },
    },
  },
})
