import { describe, expect, it } from 'vitest'
import { callbackSignals, memoryStore } from '@hitl/interactions'
import { alice, bob, deployGate, harness, rejection } from '../support/harness.js'

const ops = { type: 'group', id: 'group_ops' } as const

describe('expiry by the sweeper', () => {
  it('expireDue — two services sweeping one store at once share the work and expire each interaction once', async () => {
    const store = memoryStore()
    const one = harness({ store })
    const two = harness({ store, signals: callbackSignals((signal) => void one.delivered.push(signal)) })
    for (let i = 0; i < 30; i++) await one.interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    one.clock.set('2026-04-21T10:00:00Z')
    two.clock.set('2026-04-21T10:00:00Z')
    const [a, b] = await Promise.all([one.interactions.expireDue({ limit: 20 }), two.interactions.expireDue({ limit: 20 })])
    expect(a.expired + b.expired).toBe(30)
    expect(Math.min(a.expired, b.expired)).toBeGreaterThanOrEqual(10)
    expect(new Set(one.delivered.map((s) => s.idempotency_key)).size).toBe(30)
    expect(one.delivered).toHaveLength(30)
  })

  it('expireDue — expires what is due, once, and resumes the run with status expired', async () => {
    const { interactions, clock, delivered } = harness()
    const due = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    const later = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T11:00:00Z' })
    const never = await interactions.create('acme', { ...deployGate, expires_at: undefined })

    clock.set('2026-04-21T09:59:59.999Z')
    expect(await interactions.expireDue()).toEqual({ expired: 0 })

    clock.set('2026-04-21T10:00:00.000Z')
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect(await interactions.expireDue()).toEqual({ expired: 0 })

    const expired = await interactions.get('acme', due.id)
    expect(expired).toMatchObject({ status: 'expired', expired_at: '2026-04-21T10:00:00.000Z', version: 2 })
    expect(expired).not.toHaveProperty('completed_at')
    expect((await interactions.get('acme', later.id)).status).toBe('pending')
    expect((await interactions.get('acme', never.id)).status).toBe('pending')
    expect(delivered).toEqual([
      {
        interaction_id: due.id,
        project: 'acme',
        run_id: 'run_01abc',
        topic: 'deploy-gate',
        status: 'expired',
        responses: [],
        idempotency_key: `${due.id}:expired`,
      },
    ])
  })

  it('expireDue — honours limit and leaves the rest for the next run', async () => {
    const { interactions, clock } = harness()
    for (let i = 0; i < 5; i++) await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T12:00:00Z')
    expect(await interactions.expireDue({ limit: 2 })).toEqual({ expired: 2 })
    expect(await interactions.expireDue({ limit: 10 })).toEqual({ expired: 3 })
  })

  it('expireDue — an all_members interaction keeps its partial responses in the expired record and signal', async () => {
    const { interactions, clock, delivered } = harness()
    const vote = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      routing_policy: 'all_members',
      run_id: 'run_2',
      topic: 'vote',
      expires_at: '2026-04-21T10:00:00Z',
    })
    await interactions.respond('acme', vote.id, { actor: alice, value: { confirmed: true } })
    clock.set('2026-04-21T10:00:00Z')
    await interactions.expireDue()
    expect(delivered[0]).toMatchObject({ status: 'expired', responses: [{ actor: alice }] })
  })

  it('expireDue — a standalone item expires without a signal', async () => {
    const { interactions, clock, delivered } = harness()
    const item = await interactions.create('acme', {
      type: 'input',
      spec: { mode: 'input' },
      target_actor: alice,
      expires_at: '2026-04-21T10:00:00Z',
    })
    clock.set('2026-04-21T10:00:00Z')
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect((await interactions.get('acme', item.id)).status).toBe('expired')
    expect(delivered).toEqual([])
  })
})

describe('lazy expiry', () => {
  it('respond — at expires_at exactly is refused with expired; the expiry is recorded and signalled, the response leaves no trace', async () => {
    const { interactions, clock, delivered } = harness()
    const gate = await interactions.create('acme', deployGate)
    clock.set('2026-04-22T10:00:00.000Z')
    const error = await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } }))
    expect(error).toMatchObject({ code: 'expired', status: 410 })
    const stored = await interactions.get('acme', gate.id)
    expect(stored).toMatchObject({ status: 'expired', responses: [], version: 2, expired_at: '2026-04-22T10:00:00.000Z' })
    expect(delivered.map((s) => s.status)).toEqual(['expired'])
  })

  it('respond — one millisecond before expires_at is accepted', async () => {
    const { interactions, clock } = harness()
    const gate = await interactions.create('acme', deployGate)
    clock.set('2026-04-22T09:59:59.999Z')
    expect((await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).status).toBe('completed')
  })

  it('claim and release — refused with expired after expires_at', async () => {
    const { interactions, clock } = harness()
    const created = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      expires_at: '2026-04-21T10:00:00Z',
    })
    await interactions.claim('acme', created.id, bob)
    clock.set('2026-04-21T10:00:00Z')
    expect((await rejection(() => interactions.release('acme', created.id, bob))).code).toBe('expired')
    expect((await rejection(() => interactions.claim('acme', created.id, alice))).code).toBe('expired')
    expect((await interactions.get('acme', created.id)).claimed_by).toEqual(bob)
  })

  it('get — never shows a pending interaction whose time has passed', async () => {
    const { interactions, clock, delivered } = harness()
    const gate = await interactions.create('acme', deployGate)
    clock.set('2026-04-23T00:00:00Z')
    expect((await interactions.get('acme', gate.id)).status).toBe('expired')
    expect(delivered).toHaveLength(1)
    expect(await interactions.expireDue()).toEqual({ expired: 0 })
    expect(delivered).toHaveLength(1)
  })

  it('inbox — leaves out interactions whose time has passed, before any sweep', async () => {
    const { interactions, clock } = harness()
    await interactions.create('acme', deployGate)
    clock.set('2026-04-22T10:00:00Z')
    expect((await interactions.inbox('acme', alice)).items).toEqual([])
  })

  it('create — a retry with the same body after expires_at returns the interaction, expired, instead of refusing the past date', async () => {
    const { interactions, clock, delivered } = harness()
    const request = { ...deployGate, idempotency_key: 'k', expires_at: '2026-04-21T10:00:00Z' }
    const first = await interactions.create('acme', request)
    clock.set('2026-04-21T11:00:00Z')
    const again = await interactions.create('acme', request)
    expect(again).toMatchObject({ id: first.id, status: 'expired' })
    expect(delivered.map((s) => s.status)).toEqual(['expired'])
  })

  it('create — a retry for a group that has since been emptied returns the first interaction', async () => {
    const groups: Record<string, { type: 'member'; id: string }[]> = { group_ops: [alice, bob] }
    const { interactions } = harness({ groups })
    const request = {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'group', id: 'group_ops' },
      idempotency_key: 'g',
    } as const
    const first = await interactions.create('acme', request)
    groups.group_ops = []
    expect(await interactions.create('acme', request)).toEqual(first)
  })
})
