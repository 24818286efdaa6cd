import type { Actor } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { alice, bob, carol, harness, rejection } from '../support/harness.js'

const ops = { type: 'group', id: 'group_ops' } as const
const approval = { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops, run_id: 'run_1', topic: 'gate' } as const
const outsider = { type: 'member', id: 'user_mallory' } as const

describe('group creation', () => {
  it('create — snapshots the members and stores first_responder as the default', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', approval)
    expect(created.routing_policy).toBe('first_responder')
    expect(created.members).toEqual([alice, bob, carol])
  })

  it('create — later directory changes do not change the snapshot', async () => {
    const groups: Record<string, Actor[]> = { group_ops: [alice, bob] }
    const { interactions } = harness({ groups })
    const created = await interactions.create('acme', approval)
    groups.group_ops!.push(carol)
    const error = await rejection(() => interactions.respond('acme', created.id, { actor: carol, value: { confirmed: true } }))
    expect(error.code).toBe('not_eligible')
  })

  it('create — duplicate members from the directory are kept once', async () => {
    const { interactions } = harness({ groups: { group_ops: [alice, alice, bob] } })
    expect((await interactions.create('acme', approval)).members).toEqual([alice, bob])
  })

  it('create — an empty group is a validation error naming the group', async () => {
    const { interactions } = harness({ groups: { group_ops: [] } })
    const error = await rejection(() => interactions.create('acme', approval))
    expect(error.code).toBe('validation_failed')
    expect(error.issues).toEqual([{ path: ['target_actor', 'id'], message: 'group "group_ops" has no members' }])
  })

  it('create — a group target without a directory is a configuration error', async () => {
    const { interactions } = harness({ directory: undefined })
    const error = await rejection(() => interactions.create('acme', approval))
    expect(error.code).toBe('configuration')
    expect(error.message).toContain('directory')
  })

  it('create — a directory returning a nested group is a configuration error (the host is at fault)', async () => {
    const { interactions } = harness({ groups: { group_ops: [{ type: 'group', id: 'inner' }] } })
    const error = await rejection(() => interactions.create('acme', approval))
    expect(error.code).toBe('configuration')
    expect(error.issues[0]!.path).toEqual([0, 'type'])
    expect(error.message).toContain('group_ops')
  })
})

describe('first_responder', () => {
  it('claim — a member claims; only the claimant may respond until it releases', async () => {
    const { interactions, clock } = harness()
    const created = await interactions.create('acme', approval)
    clock.advance(1_000)
    const claimed = await interactions.claim('acme', created.id, bob)
    expect(claimed).toMatchObject({ claimed_by: bob, claimed_at: '2026-04-21T09:00:01.000Z', version: 2, status: 'pending' })

    const stolen = await rejection(() => interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true } }))
    expect(stolen).toMatchObject({ code: 'already_claimed', status: 409 })
    expect(stolen.message).toContain('user_bob')
    expect((await rejection(() => interactions.claim('acme', created.id, alice))).code).toBe('already_claimed')
    expect((await rejection(() => interactions.release('acme', created.id, alice))).code).toBe('not_eligible')

    const released = await interactions.release('acme', created.id, bob)
    expect(released).not.toHaveProperty('claimed_by')
    expect(released).not.toHaveProperty('claimed_at')
    expect(released.version).toBe(3)

    const done = await interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true } })
    expect(done).toMatchObject({ status: 'completed', claimed_by: alice, responses: [{ actor: alice }] })
  })

  it('claim — claiming again by the claimant changes nothing', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', approval)
    const claimed = await interactions.claim('acme', created.id, bob)
    expect(await interactions.claim('acme', created.id, bob)).toEqual(claimed)
  })

  it('respond — without a claim, a member claims and responds in one step', async () => {
    const { interactions, delivered } = harness()
    const created = await interactions.create('acme', approval)
    const done = await interactions.respond('acme', created.id, { actor: carol, value: { confirmed: false } })
    expect(done).toMatchObject({ status: 'completed', claimed_by: carol, version: 2 })
    expect(done.claimed_at).toBe(done.responses[0]!.responded_at)
    expect(delivered).toHaveLength(1)
  })

  it('respond — the claimant completes it', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', approval)
    await interactions.claim('acme', created.id, bob)
    expect((await interactions.respond('acme', created.id, { actor: bob, value: { confirmed: true } })).status).toBe('completed')
  })

  it('claim, release, respond — a non-member is not_eligible', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', approval)
    expect((await rejection(() => interactions.claim('acme', created.id, outsider))).code).toBe('not_eligible')
    expect((await rejection(() => interactions.respond('acme', created.id, { actor: outsider, value: { confirmed: true } }))).code).toBe(
      'not_eligible',
    )
    await interactions.claim('acme', created.id, alice)
    expect((await rejection(() => interactions.claim('acme', created.id, outsider))).code).toBe('not_eligible')
    expect((await rejection(() => interactions.release('acme', created.id, outsider))).code).toBe('not_eligible')
    expect((await interactions.get('acme', created.id)).claimed_by).toEqual(alice)
  })

  it('release — an unclaimed interaction has nothing to release', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', approval)
    const error = await rejection(() => interactions.release('acme', created.id, alice))
    expect(error.code).toBe('not_eligible')
    expect(error.message).toContain('not claimed')
  })

  it('claim — after completion is not_pending', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', approval)
    await interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true } })
    expect((await rejection(() => interactions.claim('acme', created.id, bob))).code).toBe('not_pending')
    expect((await rejection(() => interactions.release('acme', created.id, alice))).code).toBe('not_pending')
  })
})

describe('all_members', () => {
  const vote = { ...approval, routing_policy: 'all_members' } as const

  it('respond — completes when every snapshotted member has responded, keeping every response', async () => {
    const { interactions, delivered } = harness()
    const created = await interactions.create('acme', vote)
    const afterAlice = await interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true } })
    expect(afterAlice).toMatchObject({ status: 'pending', version: 2 })
    const afterBob = await interactions.respond('acme', created.id, { actor: bob, value: { confirmed: false }, comment: 'not yet' })
    expect(afterBob.status).toBe('pending')
    expect(delivered).toEqual([])
    const done = await interactions.respond('acme', created.id, { actor: carol, value: { confirmed: true } })
    expect(done.status).toBe('completed')
    expect(done.responses.map((r) => [r.actor.id, r.value])).toEqual([
      ['user_alice', { confirmed: true }],
      ['user_bob', { confirmed: false }],
      ['user_carol', { confirmed: true }],
    ])
    expect(delivered).toHaveLength(1)
    expect(delivered[0]!.responses).toEqual(done.responses)
  })

  it('respond — a member responds once; the second is already_responded and changes nothing', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', vote)
    const first = await interactions.respond('acme', created.id, { actor: bob, value: { confirmed: true } })
    const error = await rejection(() => interactions.respond('acme', created.id, { actor: bob, value: { confirmed: false } }))
    expect(error).toMatchObject({ code: 'already_responded', status: 409 })
    expect(await interactions.get('acme', created.id)).toEqual(first)
  })

  it('respond — a non-member is not_eligible; claim is not part of this policy', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', vote)
    expect((await rejection(() => interactions.respond('acme', created.id, { actor: outsider, value: { confirmed: true } }))).code).toBe(
      'not_eligible',
    )
    const claim = await rejection(() => interactions.claim('acme', created.id, alice))
    expect(claim.code).toBe('validation_failed')
    expect(claim.message).toContain('all_members')
  })

  it('respond — an invalid value from a member is refused before it counts', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', vote)
    expect((await rejection(() => interactions.respond('acme', created.id, { actor: alice, value: { value: 'x' } }))).code).toBe(
      'validation_failed',
    )
    expect((await interactions.get('acme', created.id)).responses).toEqual([])
  })
})
