import { interactionMachine, type Interaction } from '@hitl/interactions'
import { createActor, type StateValue } from 'xstate'
import { describe, expect, it, vi } from 'vitest'
import { stateValueOf, step, type InteractionEvent } from '../../src/machine/index.js'
import { machineOf } from '../../src/machine/machine.js'
import { memberA, pendingApproval } from '../support/records.js'

// Each microstep costs a transition of its own (snapshots, exit and entry sets), so an event should take no more than it needs.

/** The state after each microstep the machine takes for one event, from the state the record is in. */
function microstepsOf(record: Interaction, event: InteractionEvent): StateValue[] {
  const states: StateValue[] = []
  const snapshot = interactionMachine.resolveState({ value: stateValueOf(record), context: record })
  const actor = createActor(interactionMachine, {
    snapshot,
    // Required by the machine's types; an actor restored from a snapshot does not read it.
    input: record,
    inspect: (inspection) => {
      if (inspection.type === '@xstate.microstep') states.push((inspection.snapshot as typeof snapshot).value)
    },
  })
  actor.start()
  actor.send(event)
  return states
}

const memberB = { type: 'member', id: 'b' } as const
const at = '2026-04-21T09:30:00.000Z'
const allMembers: Interaction = {
  ...pendingApproval,
  target_actor: { type: 'group', id: 'ops' },
  routing_policy: 'all_members',
  members: [memberA, memberB],
}

describe('machine microsteps', () => {
  it('respond — a response that completes a direct interaction reaches completed in one microstep', () => {
    expect(microstepsOf(pendingApproval, { type: 'respond', actor: memberA, value: { confirmed: true }, at })).toEqual(['completed'])
  })

  it('respond — the last response of an all-members group reaches completed in one microstep, an earlier one stays collecting', () => {
    const first = { type: 'respond', actor: memberA, value: { confirmed: true }, at } as const
    expect(microstepsOf(allMembers, first)).toEqual([{ pending: 'collecting' }])
    const answered: Interaction = { ...allMembers, responses: [{ actor: memberA, value: { confirmed: true }, responded_at: at }] }
    expect(microstepsOf(answered, { type: 'respond', actor: memberB, value: { confirmed: true }, at })).toEqual(['completed'])
  })
})

describe('machine snapshots', () => {
  it('step — resolves each state value into a snapshot once, not on every step, and steps each record on its own context', () => {
    const resolve = vi.spyOn(machineOf(), 'resolveState')
    const members = ['a', 'b', 'c'].map((id) => ({ type: 'member', id }) as const)
    const results = members.map((actor) =>
      step(
        { ...pendingApproval, id: `iact_${actor.id}`, target_actor: actor },
        { type: 'respond', actor, value: { confirmed: true }, at },
        new Date(at),
      ),
    )
    expect(results.map((result) => [result.record.id, result.record.status, result.record.responses[0]?.actor])).toEqual(
      members.map((actor) => [`iact_${actor.id}`, 'completed', actor]),
    )
    expect(resolve.mock.calls.length).toBeLessThanOrEqual(1)
    resolve.mockRestore()
  })
})
