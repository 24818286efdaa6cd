import {
  callbackSignals,
  createInteractions,
  interactionMachine,
  isInteractionError,
  type Interaction,
  type Participant,
} from '@hitl/interactions'
import { transition, type AnyStateNode } from 'xstate'
import { getAdjacencyMap, getShortestPaths, getStateNodes, serializeSnapshot } from 'xstate/graph'
import { describe, expect, it } from 'vitest'
import { stateValueOf, type InteractionEvent } from '../../src/machine/index.js'
import { manualClock } from '../support/harness.js'

// Path coverage with XState's own graph utilities: every transition of the machine is reached by a
// generated path, and every path is replayed through the service on the memory store.

const a: Participant = { type: 'member', id: 'a' }
const b: Participant = { type: 'member', id: 'b' }
const c: Participant = { type: 'member', id: 'c' }
const outsider: Participant = { type: 'member', id: 'z' }
const CREATED = '2026-04-21T09:00:00.000Z'
const EARLY = '2026-04-21T09:30:00.000Z'
// The escalation step comes due at 09:40 and a claim made EARLY lapses at 09:45, so each timer event
// runs its own timer and, at TIMERS, those before it: as the service's sweep does.
const ESCALATION = '2026-04-21T09:40:00.000Z'
const TIMERS = '2026-04-21T09:50:00.000Z'
const LATE = '2026-04-21T10:00:00.000Z'

const events: InteractionEvent[] = [
  { type: 'claim', actor: a, at: EARLY },
  { type: 'claim', actor: b, at: EARLY },
  { type: 'claim', actor: outsider, at: EARLY },
  { type: 'release', actor: a, at: EARLY },
  { type: 'release', actor: b, at: EARLY },
  { type: 'respond', actor: a, value: { confirmed: true }, at: EARLY },
  { type: 'respond', actor: b, value: { confirmed: false }, at: EARLY },
  { type: 'respond', actor: a, value: { confirmed: 'maybe' }, at: EARLY },
  { type: 'respond', actor: outsider, value: { confirmed: true }, at: EARLY },
  { type: 'expire', at: EARLY },
  { type: 'expire', at: LATE },
  { type: 'escalate', at: ESCALATION },
  { type: 'lapse', at: TIMERS },
  { type: 'cancel', actor: b, reason: 'no longer needed', at: EARLY },
  // Reassigns that each rule accepts or refuses somewhere: from a to c; to c without from; from someone not
  // assigned; to someone already assigned (b is a member of a group, and once a is replaced by b, the target).
  { type: 'reassign', actor: b, from: a, to: c, reason: 'on leave', at: EARLY },
  { type: 'reassign', actor: b, to: c, at: EARLY },
  { type: 'reassign', actor: b, from: outsider, to: a, at: EARLY },
  { type: 'reassign', actor: b, from: a, to: b, at: EARLY },
]

/** The events the service's sweep sends, never a caller. */
const TIMED: string[] = ['expire', 'lapse', 'escalate']

const pair = { type: 'group', id: 'pair' } as const
type Variant = Pick<Interaction, 'target_actor' | 'routing_policy' | 'members' | 'claim_timeout' | 'escalation'>
const variants: Record<'direct' | 'first_responder' | 'all_members', Variant> = {
  direct: { target_actor: a, escalation: [{ after: 'PT40M', action: 'reassign', to: b }] },
  first_responder: {
    target_actor: pair,
    routing_policy: 'first_responder',
    members: [a, b],
    claim_timeout: 'PT15M',
    escalation: [{ after: 'PT40M', action: 'remind' }],
  },
  all_members: {
    target_actor: pair,
    routing_policy: 'all_members',
    members: [a, b],
    escalation: [{ after: 'PT40M', action: 'add_members', members: [outsider] }],
  },
}

const recordFor = (variant: keyof typeof variants): Interaction => ({
  id: 'iact_path',
  project: 'acme',
  type: 'approval',
  spec: { mode: 'confirm' },
  run_id: 'run_path',
  topic: 'gate',
  status: 'pending',
  responses: [],
  expires_at: LATE,
  created_at: CREATED,
  updated_at: CREATED,
  version: 1,
  ...variants[variant],
})

/** A key for a transition definition: its source node, event type and position among that event's transitions. */
const keyOf = (source: AnyStateNode, eventType: string, index: number) => `${source.id} ${eventType} #${index}`

function allTransitionKeys() {
  const keys = new Set<string>()
  for (const node of getStateNodes(interactionMachine.root)) {
    for (const [eventType, definitions] of node.transitions) for (const index of definitions.keys()) keys.add(keyOf(node, eventType, index))
  }
  return keys
}

/** Replays events through the service, moving the clock to each event's time; returns the outcome of the last. */
async function replay(variant: keyof typeof variants, path: InteractionEvent[]) {
  const clock = manualClock(CREATED)
  const signals: unknown[] = []
  const interactions = createInteractions({
    clock: clock.now,
    signals: callbackSignals((signal) => void signals.push(signal)),
    directory: { membersOf: async () => [a, b] },
  })
  const { members: _members, ...input } = { ...recordFor(variant) }
  const created = await interactions.create('acme', {
    type: input.type,
    spec: input.spec,
    target_actor: input.target_actor,
    ...(input.routing_policy && { routing_policy: input.routing_policy }),
    run_id: input.run_id,
    topic: input.topic,
    expires_at: input.expires_at,
    ...(input.claim_timeout && { claim_timeout: input.claim_timeout }),
    escalation: input.escalation,
  })
  let outcome: { record: Interaction } | { code: string } = { record: created }
  for (const event of path) {
    clock.set(event.at)
    const call = () => {
      switch (event.type) {
        case 'claim':
          return interactions.claim('acme', created.id, event.actor)
        case 'release':
          return interactions.release('acme', created.id, event.actor)
        case 'respond':
          return interactions.respond('acme', created.id, { actor: event.actor, value: event.value })
        case 'expire':
        case 'lapse':
        case 'escalate':
          return interactions.sweep().then(() => interactions.get('acme', created.id))
        case 'cancel':
          return interactions.cancel('acme', created.id, { actor: event.actor, reason: event.reason! })
        case 'reassign': {
          const { actor: by, to, from, reason } = event
          return interactions.reassign('acme', created.id, { by, to, ...(from && { from }), ...(reason && { reason }) })
        }
      }
    }
    outcome = await call().then(
      (record) => ({ record }),
      (error: unknown) => {
        if (!isInteractionError(error)) throw error
        return { code: error.code }
      },
    )
  }
  return { outcome, signals }
}

describe('machine paths', () => {
  const covered = new Set<string>()
  const visited = new Set<string>()
  let replayed = 0

  it.each(Object.keys(variants) as (keyof typeof variants)[])(
    'every edge of the %s variant, replayed through the service',
    async (variant) => {
      const input = recordFor(variant)
      const options = { input, events }
      const paths = new Map(getShortestPaths(interactionMachine, options).map((path) => [serializeSnapshot(path.state), path]))
      const adjacency = getAdjacencyMap(interactionMachine, options)

      for (const [stateKey, { state, transitions }] of Object.entries(adjacency)) {
        const path = paths.get(stateKey as never)
        expect(path, stateKey).toBeDefined()
        visited.add(JSON.stringify(state.value))
        for (const { event } of Object.values(transitions) as { event: InteractionEvent }[]) {
          const [next, actions] = transition(interactionMachine, state, event)
          for (const definition of interactionMachine.getTransitionData(state, event)) {
            const siblings = definition.source.transitions.get(definition.eventType)!
            covered.add(keyOf(definition.source, definition.eventType, siblings.indexOf(definition)))
          }
          const refusal = actions.find((action) => action.type === 'refuse')?.params as { code: string } | undefined
          // An ended interaction refuses with its end state's code, except a cancel or a reassign: not_pending whatever ended it.
          const endCode =
            state.status === 'done' ? (Object.values(state.getMeta())[0] as { refusal: { code: string } }).refusal.code : undefined
          const lazyRefusal = endCode && (event.type === 'cancel' || event.type === 'reassign' ? 'not_pending' : endCode)
          const { outcome } = await replay(variant, [
            ...path!.steps.map((s) => s.event as InteractionEvent).filter((e) => (e.type as string) !== 'xstate.init'),
            event,
          ])
          replayed++

          const expectedCode = refusal?.code ?? lazyRefusal
          // The sweeper skips what it cannot expire instead of failing, so a refused expire leaves the record as it was.
          if (expectedCode && !TIMED.includes(event.type)) {
            expect(outcome, `${stateKey} + ${JSON.stringify(event)}`).toEqual({ code: expectedCode })
          } else if ('record' in outcome) {
            expect(stateValueOf(outcome.record)).toEqual(next.status === 'done' ? next.value : stateValueOf(next.context))
            expect(outcome.record.responses.map((r) => r.actor)).toEqual(next.context.responses.map((r) => r.actor))
            // A sweep runs every timer due by then, in time order (an escalation step before a later expiry),
            // where the one machine event runs its own: who holds the interaction is compared for calls only.
            if (!TIMED.includes(event.type)) {
              expect([outcome.record.target_actor, outcome.record.members, outcome.record.claimed_by]).toEqual([
                next.context.target_actor,
                next.context.members,
                next.context.claimed_by,
              ])
            }
          } else {
            expect.fail(`${stateKey} + ${JSON.stringify(event)} was refused with ${outcome.code}`)
          }
        }
      }
      // The timers' fields (claimed_at, escalation_step) multiply the snapshots: hundreds of replays per variant.
    },
    60_000,
  )

  it('covers every state node and every transition of the machine', () => {
    expect([...visited].sort()).toEqual(
      [
        '"cancelled"',
        '"completed"',
        '"expired"',
        '{"pending":"claimed"}',
        '{"pending":"collecting"}',
        '{"pending":"direct"}',
        '{"pending":"unclaimed"}',
      ].sort(),
    )
    const missing = [...allTransitionKeys()].filter((key) => !covered.has(key))
    expect(missing).toEqual([])
    expect(replayed).toBeGreaterThan(50)
    console.info(`machine paths: ${covered.size} transitions covered, ${replayed} paths replayed through the service`)
  })
})
