import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness } from '../support/harness.js'
import { sdkPerTest } from './support.js'

const ops = { type: 'group', id: 'group_ops' } as const

describeEachStore('telemetry — hitl.interaction.duration', (emptyStore) => {
  const sdk = sdkPerTest()

  it('respond — a completing response records the seconds from creation, by status, type and routing policy, in seconds', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    const vote = await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: ops,
      routing_policy: 'all_members',
    })
    clock.advance(60_000)
    await interactions.respond('acme', vote.id, { actor: alice, value: { confirmed: true } })
    await interactions.respond('acme', vote.id, { actor: bob, value: { confirmed: true } })
    expect((await sdk.durations()).points).toEqual([])

    clock.advance(30_000)
    await interactions.respond('acme', vote.id, { actor: carol, value: { confirmed: true } })
    await interactions.get('acme', vote.id)
    const { scope, unit, points } = await sdk.durations()
    expect(scope).toEqual({ name: '@hitl/interactions', version: '0.1.0' })
    expect(unit).toBe('s')
    const attributes = { 'hitl.status': 'completed', 'hitl.interaction.type': 'approval', 'hitl.routing_policy': 'all_members' }
    expect(points).toEqual([{ attributes, count: 1, sum: 90 }])
  })

  it('expireDue — a sweep records each interaction it expires once, with status expired', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00Z')
    expect(await interactions.expireDue()).toEqual({ expired: 2 })
    expect(await interactions.expireDue()).toEqual({ expired: 0 })
    expect((await sdk.durations()).points).toEqual([
      { attributes: { 'hitl.status': 'expired', 'hitl.interaction.type': 'approval' }, count: 2, sum: 2 * 3_600 },
    ])
  })

  it('cancel and cancelRun — each cancelled interaction is recorded once, with status cancelled', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    const single = await interactions.create('acme', deployGate)
    await interactions.create('acme', { ...deployGate, run_id: 'run_2' })
    await interactions.create('acme', { ...deployGate, run_id: 'run_2' })
    clock.advance(10_000)
    await interactions.cancel('acme', single.id, { actor: bob })
    expect(await interactions.cancelRun('acme', 'run_2', { actor: bob })).toEqual({ cancelled: 2 })
    expect(await interactions.cancelRun('acme', 'run_2', { actor: bob })).toEqual({ cancelled: 0 })
    const attributes = { 'hitl.status': 'cancelled', 'hitl.interaction.type': 'approval' }
    expect((await sdk.durations()).points).toEqual([{ attributes, count: 3, sum: 30 }])
  })

  it('get — a lazy expiry on read records the interaction once, however often it is read', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    const input = { type: 'input', spec: { mode: 'input' }, target_actor: alice, expires_at: '2026-04-21T09:30:00Z' } as const
    const item = await interactions.create('acme', input)
    clock.set('2026-04-21T09:45:00Z')
    expect((await interactions.get('acme', item.id)).status).toBe('expired')
    await interactions.get('acme', item.id)
    const attributes = { 'hitl.status': 'expired', 'hitl.interaction.type': 'input' }
    expect((await sdk.durations()).points).toEqual([{ attributes, count: 1, sum: 45 * 60 }])
  })
})
