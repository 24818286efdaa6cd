import { interactionMachine, type Interaction } from '@hitl/interactions'
import { getInitialSnapshot } from 'xstate'
import { describe, expect, it } from 'vitest'
import { stateValueOf } from '../../src/machine/index.js'
import { memberA, pendingApproval } from '../support/records.js'

// The machine as inspection and visualisation tools read it, and as it starts without a stored state.

describe('machine definition', () => {
  it('machine — is named "interaction" and starts in pending.routing', () => {
    expect(interactionMachine.id).toBe('interaction')
    expect(interactionMachine.config.initial).toBe('pending')
    expect(interactionMachine.states.pending!.config.initial).toBe('routing')
  })

  it.each<[string, Partial<Interaction<'pending'>>]>([
    ['a member', {}],
    ['a first_responder group', { target_actor: { type: 'group', id: 'ops' }, routing_policy: 'first_responder', members: [memberA] }],
    ['an all_members group', { target_actor: { type: 'group', id: 'ops' }, routing_policy: 'all_members', members: [memberA] }],
  ])('machine — started from scratch for %s, it routes to the state stateValueOf reads from the record', (_, fields) => {
    const record = { ...pendingApproval, ...fields }
    expect(getInitialSnapshot(interactionMachine, record).value).toEqual(stateValueOf(record))
  })
})
