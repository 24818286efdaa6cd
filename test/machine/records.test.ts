import type { Interaction, Participant } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { signalOf, step } from '../../src/machine/index.js'
import { memberA, pendingApproval } from '../support/records.js'

// What an accepted event writes into the stored record, field by field: the record is the state.

const a = memberA
const b: Participant = { type: 'agent', id: 'b' }
const c: Participant = { type: 'member', id: 'c' }
const CREATED = pendingApproval.created_at
const EXPIRES = '2026-04-21T10:00:00.000Z'
const EARLY = '2026-04-21T09:30:00.000Z'
const LATE = '2026-04-21T10:30:00.000Z'

const direct: Interaction = { ...pendingApproval, run_id: 'run_1', topic: 'gate', expires_at: EXPIRES, version: 3 }
const group: Interaction = { ...direct, target_actor: { type: 'group', id: 'ops' }, routing_policy: 'first_responder', members: [a, b, c] }
const allMembers: Interaction = { ...group, routing_policy: 'all_members' }

describe('records written by step', () => {
  it('step — a claim records the claimant and the time, and moves version and updated_at', () => {
    const { record, changed } = step(group, { type: 'claim', actor: b, at: EARLY }, new Date(EARLY))
    expect(changed).toBe(true)
    expect(record).toStrictEqual({ ...group, claimed_by: b, claimed_at: EARLY, updated_at: EARLY, version: 4 })
  })

  it('step — a claim repeated by the claimant changes nothing', () => {
    const claimed = { ...group, claimed_by: b, claimed_at: CREATED }
    const result = step(claimed, { type: 'claim', actor: b, at: EARLY }, new Date(EARLY))
    expect(result).toStrictEqual({ record: claimed, changed: false, events: [], states: [], signal: undefined, refusal: undefined })
  })

  it('step — a release leaves no claimed_by or claimed_at key behind', () => {
    const claimed = { ...group, claimed_by: b, claimed_at: CREATED }
    const { record } = step(claimed, { type: 'release', actor: b, at: EARLY }, new Date(EARLY))
    expect(record).toStrictEqual({ ...group, updated_at: EARLY, version: 4 })
    expect(Object.keys(record)).not.toContain('claimed_by')
    expect(Object.keys(record)).not.toContain('claimed_at')
  })

  it('step — a response with a comment records actor, value, comment and time; the interaction completes and signals', () => {
    const result = step(
      direct,
      { type: 'respond', actor: a, value: { confirmed: false }, comment: 'not today', at: EARLY },
      new Date(EARLY),
    )
    const response = { actor: a, value: { confirmed: false }, comment: 'not today', responded_at: EARLY }
    expect(result.record).toStrictEqual({
      ...direct,
      status: 'completed',
      completed_at: EARLY,
      outcome: 'rejected',
      responses: [response],
      updated_at: EARLY,
      version: 4,
    })
    expect(result.signal).toStrictEqual({
      interaction_id: 'iact_1',
      project: 'acme',
      run_id: 'run_1',
      topic: 'gate',
      status: 'completed',
      responses: [response],
      outcome: 'rejected',
      idempotency_key: 'iact_1:completed',
    })
    expect(result.events).toStrictEqual([
      { type: 'responded', at: EARLY, actor: a, data: { value: { confirmed: false }, comment: 'not today' } },
      { type: 'completed', at: EARLY, data: { outcome: 'rejected' } },
    ])
    expect(result.refusal).toBeUndefined()
  })

  it('step — a response without a comment records no comment key', () => {
    const { record } = step(direct, { type: 'respond', actor: a, value: { confirmed: true }, at: EARLY }, new Date(EARLY))
    expect(record.responses).toStrictEqual([{ actor: a, value: { confirmed: true }, responded_at: EARLY }])
    expect(Object.keys(record.responses[0]!)).not.toContain('comment')
  })

  it('step — responding to an unclaimed group claims it for the responder and completes it', () => {
    const { record } = step(group, { type: 'respond', actor: c, value: { confirmed: true }, at: EARLY }, new Date(EARLY))
    expect(record).toMatchObject({ status: 'completed', claimed_by: c, claimed_at: EARLY, completed_at: EARLY, responses: [{ actor: c }] })
  })

  it('step — all_members completes with the last missing response, not before', () => {
    const respond = (record: Interaction, actor: Participant) =>
      step(record, { type: 'respond', actor, value: { confirmed: true }, at: EARLY }, new Date(EARLY))
    const first = respond(allMembers, b)
    expect(first.record).toMatchObject({ status: 'pending', version: 4 })
    expect(first.signal).toBeUndefined()
    const second = respond(first.record, a)
    expect(second.record.status).toBe('pending')
    expect(second.record.responses.map((response) => response.actor)).toEqual([b, a])
    const third = respond(second.record, c)
    expect(third.record).toMatchObject({ status: 'completed', completed_at: EARLY, version: 6 })
    expect(third.signal?.responses.map((response) => response.actor)).toEqual([b, a, c])
  })

  it('step — an expire event after expires_at expires once, without a refusal', () => {
    const result = step(direct, { type: 'expire', at: LATE }, new Date(LATE))
    expect(result.record).toStrictEqual({ ...direct, status: 'expired', expired_at: LATE, updated_at: LATE, version: 4 })
    expect(result.refusal).toBeUndefined()
    expect(result.signal).toMatchObject({ status: 'expired', responses: [], idempotency_key: 'iact_1:expired' })
  })

  it('step — an expire event exactly at expires_at expires it', () => {
    expect(step(direct, { type: 'expire', at: EXPIRES }, new Date(EXPIRES)).record.status).toBe('expired')
  })

  it('step — a completed record read after its expires_at stays completed, unchanged and unrefused', () => {
    const completed: Interaction = { ...direct, status: 'completed', completed_at: EARLY }
    expect(step(completed, undefined, new Date(LATE))).toStrictEqual({
      record: completed,
      changed: false,
      events: [],
      states: [],
      signal: undefined,
      refusal: undefined,
    })
  })

  it('step — an interaction without a run link reaches its end state without a signal', () => {
    const { run_id: _run, topic: _topic, ...unlinked } = direct
    const result = step(unlinked, { type: 'respond', actor: a, value: { confirmed: true }, at: EARLY }, new Date(EARLY))
    expect(result.record.status).toBe('completed')
    expect(result.signal).toBeUndefined()
  })

  it('signalOf — nothing for a pending interaction, the end state for a finished one', () => {
    expect(signalOf(direct)).toBeUndefined()
    expect(signalOf({ ...direct, status: 'expired', expired_at: '2026-04-22T09:00:00.000Z' })).toMatchObject({
      status: 'expired',
      run_id: 'run_1',
      topic: 'gate',
      idempotency_key: 'iact_1:expired',
    })
  })
})
