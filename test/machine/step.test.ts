import { interactionMachine, type Interaction } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { stateValueOf, step } from '../../src/machine/index.js'

const record: Interaction = {
  id: 'iact_1',
  project: 'acme',
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: { type: 'group', id: 'ops' },
  routing_policy: 'first_responder',
  members: [
    { type: 'member', id: 'a' },
    { type: 'member', id: 'b' },
  ],
  run_id: 'run_1',
  topic: 'gate',
  status: 'pending',
  responses: [],
  expires_at: '2026-04-21T10:00:00.000Z',
  created_at: '2026-04-21T09:00:00.000Z',
  updated_at: '2026-04-21T09:00:00.000Z',
  version: 1,
}
const a = { type: 'member', id: 'a' } as const
const before = new Date('2026-04-21T09:30:00.000Z')
const after = new Date('2026-04-21T10:00:00.000Z')

describe('step', () => {
  it('step — derives the machine state from the record', () => {
    expect(stateValueOf(record)).toEqual({ pending: 'unclaimed' })
    expect(stateValueOf({ ...record, claimed_by: a })).toEqual({ pending: 'claimed' })
    expect(stateValueOf({ ...record, routing_policy: 'all_members' })).toEqual({ pending: 'collecting' })
    expect(stateValueOf({ ...record, target_actor: a, routing_policy: undefined })).toEqual({ pending: 'direct' })
    expect(stateValueOf({ ...record, status: 'expired', expired_at: '2026-04-21T09:00:00.000Z' })).toBe('expired')
  })

  it('step — is pure: the input record is not mutated and the same input gives the same output', () => {
    const frozen = structuredClone(record)
    const first = step(record, { type: 'claim', actor: a, at: before.toISOString() }, before)
    const second = step(record, { type: 'claim', actor: a, at: before.toISOString() }, before)
    expect(record).toEqual(frozen)
    expect(first).toEqual(second)
    expect(first.record).toMatchObject({ claimed_by: a, version: 2, updated_at: before.toISOString() })
  })

  it('step — a refused event returns the same record, unchanged, with the refusal', () => {
    const result = step(record, { type: 'claim', actor: { type: 'member', id: 'z' }, at: before.toISOString() }, before)
    expect(result.changed).toBe(false)
    expect(result.record).toBe(record)
    expect(result.refusal?.code).toBe('not_eligible')
    expect(result.signal).toBeUndefined()
  })

  it('step — a late event expires first, then is refused; the signal goes with the expiry', () => {
    const result = step(record, { type: 'respond', actor: a, value: { confirmed: true }, at: after.toISOString() }, after)
    expect(result.changed).toBe(true)
    expect(result.record).toMatchObject({ status: 'expired', responses: [], expired_at: after.toISOString(), version: 2 })
    expect(result.refusal?.code).toBe('expired')
    expect(result.signal).toMatchObject({ status: 'expired', idempotency_key: 'iact_1:expired' })
  })

  it('step — with no event, only the lazy expiry runs', () => {
    expect(step(record, undefined, before).changed).toBe(false)
    expect(step(record, undefined, after).record.status).toBe('expired')
  })

  it('step — an early expire is refused', () => {
    const result = step(record, { type: 'expire', at: before.toISOString() }, before)
    expect(result.changed).toBe(false)
    expect(result.refusal).toMatchObject({ code: 'validation_failed', issues: [{ path: ['expires_at'] }] })
  })

  it('machine — exposes its states for inspection and visualisation', () => {
    expect(Object.keys(interactionMachine.states)).toEqual(['pending', 'completed', 'expired', 'cancelled'])
    expect(Object.keys(interactionMachine.states.pending!.states)).toEqual(['routing', 'direct', 'unclaimed', 'claimed', 'collecting'])
    expect(interactionMachine.states.completed!.type).toBe('final')
    expect(interactionMachine.states.expired!.type).toBe('final')
    expect(interactionMachine.states.cancelled!.type).toBe('final')
  })
})
