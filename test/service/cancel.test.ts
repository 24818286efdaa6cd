import { isInteractionError } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { alice, bob, carol, deployGate, harness, rejection } from '../support/harness.js'
import { describeEachStore } from '../support/each-store.js'

const ops = { type: 'group', id: 'group_ops' } as const
const yes = { confirmed: true }
const T1 = '2026-04-21T09:01:00.000Z'
const operator = { type: 'agent', id: 'deploy_pipeline' } as const

describeEachStore('cancel', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })

  it('cancel — ends a pending interaction as cancelled, with who, when and why, and resumes its run with a cancelled signal', async () => {
    const { interactions, clock, delivered } = await service()
    const gate = await interactions.create('acme', deployGate)
    clock.set(T1)
    const cancelled = await interactions.cancel('acme', gate.id, { actor: operator, reason: 'release withdrawn' })
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      cancelled_at: T1,
      cancelled_by: operator,
      cancel_reason: 'release withdrawn',
      version: 2,
    })
    expect(cancelled).not.toHaveProperty('completed_at')
    expect(cancelled).not.toHaveProperty('outcome')
    expect(await interactions.get('acme', gate.id)).toEqual(cancelled)
    expect(delivered).toEqual([
      {
        interaction_id: gate.id,
        project: 'acme',
        run_id: 'run_01abc',
        topic: 'deploy-gate',
        status: 'cancelled',
        responses: [],
        idempotency_key: `${gate.id}:cancelled`,
      },
    ])
    expect((await interactions.history('acme', gate.id)).at(-1)).toEqual({
      seq: 2,
      type: 'cancelled',
      at: T1,
      actor: operator,
      data: { reason: 'release withdrawn' },
    })
  })

  it('cancel — without a reason records none; a standalone interaction sends no signal', async () => {
    const { interactions, delivered } = await service()
    const ask = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice })
    const cancelled = await interactions.cancel('acme', ask.id, { actor: alice })
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled).not.toHaveProperty('cancel_reason')
    expect((await interactions.history('acme', ask.id)).at(-1)).toEqual({
      seq: 2,
      type: 'cancelled',
      at: cancelled.cancelled_at,
      actor: alice,
    })
    expect(delivered).toEqual([])
  })

  it('cancel — leaves every inbox at once: the target, every member, and a claimant', async () => {
    const { interactions } = await service()
    const direct = await interactions.create('acme', deployGate)
    const group = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops })
    const claimed = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops })
    await interactions.claim('acme', claimed.id, bob)
    for (const { id } of [direct, group, claimed]) await interactions.cancel('acme', id, { actor: operator })
    for (const actor of [alice, bob, carol]) expect((await interactions.inbox('acme', actor)).items).toEqual([])
  })

  it('cancel — afterwards respond, claim, release and cancel are not_pending, and nothing changes', async () => {
    const { interactions, delivered } = await service()
    const ask = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      run_id: 'run_1',
      topic: 'gate',
    })
    await interactions.claim('acme', ask.id, alice)
    const cancelled = await interactions.cancel('acme', ask.id, { actor: operator })
    for (const call of [
      () => interactions.respond('acme', ask.id, { actor: alice, value: yes }),
      () => interactions.claim('acme', ask.id, bob),
      () => interactions.release('acme', ask.id, alice),
      () => interactions.cancel('acme', ask.id, { actor: operator }),
    ]) {
      const error = await rejection(call)
      expect(error.code).toBe('not_pending')
      expect(error.message).toBe(`interaction ${ask.id} is cancelled`)
    }
    expect(await interactions.get('acme', ask.id)).toEqual(cancelled)
    expect(delivered.map((signal) => signal.status)).toEqual(['cancelled'])
  })

  it('cancel — a completed or expired interaction is not_pending; a due one is expired first, and stays expired', async () => {
    const { interactions, clock } = await service()
    const answered = await interactions.create('acme', deployGate)
    await interactions.respond('acme', answered.id, { actor: alice, value: yes })
    expect((await rejection(() => interactions.cancel('acme', answered.id, { actor: operator }))).code).toBe('not_pending')
    const due = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00Z')
    expect((await rejection(() => interactions.cancel('acme', due.id, { actor: operator }))).code).toBe('not_pending')
    expect(await interactions.get('acme', due.id)).toMatchObject({ status: 'expired' })
    expect((await interactions.history('acme', due.id)).map((e) => e.type)).toEqual(['created', 'expired'])
  })

  it('cancel — bad input is validation_failed naming the field, and changes nothing', async () => {
    const { interactions } = await service()
    const gate = await interactions.create('acme', deployGate)
    const cases: [unknown, (string | number)[]][] = [
      [{}, ['actor']],
      [{ actor: ops }, ['actor', 'type']],
      [{ actor: alice, reason: 'x'.repeat(10_001) }, ['reason']],
      [{ actor: alice, why: 'typo' }, []],
    ]
    for (const [input, path] of cases) {
      const error = await rejection(() => interactions.cancel('acme', gate.id, input as never))
      expect(error.code).toBe('validation_failed')
      expect(error.issues.map((issue) => issue.path)).toContainEqual(path)
    }
    expect(await interactions.get('acme', gate.id)).toEqual(gate)
  })

  it('cancel and respond racing: exactly one end state and one signal', async () => {
    const { interactions, delivered } = await service()
    const gate = await interactions.create('acme', deployGate)
    const [cancel, respond] = await Promise.allSettled([
      interactions.cancel('acme', gate.id, { actor: operator }),
      interactions.respond('acme', gate.id, { actor: alice, value: yes }),
    ])
    const final = await interactions.get('acme', gate.id)
    expect([cancel.status, respond.status].filter((status) => status === 'fulfilled')).toHaveLength(1)
    const loser = [cancel, respond].find((r): r is PromiseRejectedResult => r.status === 'rejected')!
    expect(isInteractionError(loser.reason, 'not_pending')).toBe(true)
    expect(delivered.map((signal) => signal.status)).toEqual([final.status])
  })

  it('cancelRun — cancels every pending interaction of the run and no other, and a second call cancels nothing', async () => {
    const { interactions, delivered } = await service()
    const ofRun = (extra: object = {}) => interactions.create('acme', { ...deployGate, run_id: 'run_7', ...extra })
    const pending = await Promise.all(Array.from({ length: 19 }, () => ofRun()))
    const answered = await ofRun()
    await interactions.respond('acme', answered.id, { actor: alice, value: yes })
    const otherRun = await interactions.create('acme', { ...deployGate, run_id: 'run_8' })
    const otherProject = await interactions.create('beta', { ...deployGate, run_id: 'run_7' })

    expect(await interactions.cancelRun('acme', 'run_7', { actor: operator, reason: 'run cancelled' })).toEqual({ cancelled: 19 })
    for (const { id } of pending)
      expect(await interactions.get('acme', id)).toMatchObject({ status: 'cancelled', cancel_reason: 'run cancelled' })
    expect((await interactions.get('acme', answered.id)).status).toBe('completed')
    expect((await interactions.get('acme', otherRun.id)).status).toBe('pending')
    expect((await interactions.get('beta', otherProject.id)).status).toBe('pending')
    expect(delivered.filter((signal) => signal.status === 'cancelled')).toHaveLength(19)

    expect(await interactions.cancelRun('acme', 'run_7', { actor: operator })).toEqual({ cancelled: 0 })
    expect(await interactions.cancelRun('acme', 'run_unknown', { actor: operator })).toEqual({ cancelled: 0 })
    expect(delivered).toHaveLength(20)
  })

  it('cancelRun — bad input is validation_failed naming the field', async () => {
    const { interactions } = await service()
    expect((await rejection(() => interactions.cancelRun('acme', '', { actor: operator }))).issues.map((i) => i.path)).toEqual([['run_id']])
    expect((await rejection(() => interactions.cancelRun('acme', 'run_1', {} as never))).issues.map((i) => i.path)).toEqual([['actor']])
  })
})
