import { readFileSync } from 'node:fs'
import { callbackSignals, memoryStore, type Signal } from '@hitl/interactions'
import { describe, expect, it, vi } from 'vitest'
import { createInteractionsWith } from '../../src/service/create-interactions.js'
import { createTelemetry, importOpenTelemetry, INSTRUMENTATION_SCOPE } from '../../src/service/telemetry.js'
import { alice, bob, bot, carol, deployGate, harness, manualClock, rejection } from '../support/harness.js'
import { registerSdk, sdkPerTest } from './support.js'

const ops = { type: 'group', id: 'group_ops' } as const

describe('telemetry — operations', () => {
  const sdk = sdkPerTest()

  it('every public operation is a span named hitl.<operation>, in snake case', async () => {
    const { interactions } = harness()
    const options = [{ value: 'ok', label: 'OK' }]
    const group = await interactions.create('acme', { type: 'review', spec: { mode: 'select', options }, target_actor: ops })
    await interactions.get('acme', group.id)
    await interactions.history('acme', group.id)
    await interactions.claim('acme', group.id, alice)
    await interactions.release('acme', group.id, alice)
    await interactions.reassign('acme', group.id, { by: carol, from: alice, to: bot })
    await interactions.cancel('acme', group.id, { actor: carol })
    await rejection(() => interactions.respond('acme', group.id, { actor: bob, value: { value: 'ok' } }))
    await interactions.cancelRun('acme', 'run_1', { actor: carol })
    await interactions.inbox('acme', alice)
    await interactions.sweep()
    await interactions.expireDue()
    await interactions.deliverSignals()
    await interactions.failedSignals()
    await rejection(() => interactions.retrySignal('iact_unknown:completed'))
    await interactions.pruneSignals({ olderThan: 0 })
    const names = sdk.spans().map((span) => span.name)
    expect(names).toEqual([
      'hitl.create',
      'hitl.get',
      'hitl.history',
      'hitl.claim',
      'hitl.release',
      'hitl.reassign',
      'hitl.cancel',
      'hitl.respond',
      'hitl.cancel_run',
      'hitl.inbox',
      'hitl.sweep',
      'hitl.expire_due',
      'hitl.deliver_signals',
      'hitl.failed_signals',
      'hitl.retry_signal',
      'hitl.prune_signals',
    ])
    // Each call above is one of the service's methods, and there are no others.
    expect(Object.keys(interactions)).toHaveLength(names.length)
  })

  it('claim, release, history, inbox and cancelRun — spans carry what the arguments say, and the record after the call', async () => {
    const { interactions } = harness()
    const group = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops })
    await interactions.claim('acme', group.id, alice)
    await interactions.release('acme', group.id, alice)
    await interactions.history('acme', group.id)
    await interactions.inbox('acme', bob)
    await interactions.cancelRun('acme', 'run_1', { actor: carol })
    const attributes = sdk
      .spans()
      .slice(1)
      .map((span) => [span.name, span.attributes])
    const record = {
      'hitl.project': 'acme',
      'hitl.interaction.id': group.id,
      'hitl.interaction.type': 'approval',
      'hitl.routing_policy': 'first_responder',
      'hitl.status': 'pending',
    }
    expect(attributes).toEqual([
      ['hitl.claim', record],
      ['hitl.release', record],
      ['hitl.history', { 'hitl.project': 'acme', 'hitl.interaction.id': group.id }],
      ['hitl.inbox', { 'hitl.project': 'acme' }],
      ['hitl.cancel_run', { 'hitl.project': 'acme', 'hitl.run_id': 'run_1' }],
    ])
  })

  it('validation — a refused argument is left off the span unless it is a string of identifier length', async () => {
    const { interactions } = harness()
    await rejection(() => interactions.get({ not: 'a project' } as never, 'x'.repeat(257)))
    await rejection(() => interactions.retrySignal('x'.repeat(1_000)))
    const [get, retry] = sdk.spans()
    expect(get!.attributes).toEqual({ 'hitl.error.code': 'validation_failed', 'error.type': 'validation_failed' })
    expect(retry!.attributes).toEqual({ 'hitl.error.code': 'validation_failed', 'error.type': 'validation_failed' })
    await rejection(() => interactions.retrySignal('iact_1:completed'))
    expect(sdk.spans()[2]!.attributes).toMatchObject({ 'hitl.signal.id': 'iact_1:completed', 'hitl.error.code': 'not_found' })
  })

  it('an SDK registered after the service was created and used still receives its spans and metrics', async () => {
    sdk.disable()
    const { interactions } = harness()
    const first = await interactions.create('acme', { ...deployGate, expires_at: undefined })
    await interactions.respond('acme', first.id, { actor: alice, value: { confirmed: true } })
    sdk.register()
    const second = await interactions.create('acme', { ...deployGate, expires_at: undefined })
    await interactions.respond('acme', second.id, { actor: alice, value: { confirmed: true } })
    expect(sdk.spans().map((span) => span.attributes['hitl.interaction.id'])).toEqual([second.id, second.id, second.id])
    expect((await sdk.durations()).points.map((point) => point.count)).toEqual([1])
  })

  it('INSTRUMENTATION_SCOPE — names this package at its published version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string }
    expect(INSTRUMENTATION_SCOPE).toEqual({ name: pkg.name, version: pkg.version })
  })
})

describe('telemetry — without the API', () => {
  const sdk = sdkPerTest()

  it('operations work, deliver their signals and fail as before, with no span, no metric and the loader asked once', async () => {
    const load = vi.fn(async () => null)
    const clock = manualClock()
    const delivered: Signal[] = []
    const signals = callbackSignals((signal) => void delivered.push(signal))
    const interactions = createInteractionsWith({ clock: clock.now, signals }, memoryStore, createTelemetry(load))
    const gate = await interactions.create('acme', deployGate)
    const refused = await rejection(() => interactions.respond('acme', gate.id, { actor: bob, value: { confirmed: true } }))
    expect(refused.code).toBe('not_eligible')
    expect(await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).toMatchObject({ status: 'completed' })
    const lapsing = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00Z')
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect(delivered.map((signal) => [signal.interaction_id, signal.status])).toEqual([
      [gate.id, 'completed'],
      [lapsing.id, 'expired'],
    ])
    expect(sdk.spans()).toEqual([])
    expect((await sdk.durations()).points).toEqual([])
    expect(load).toHaveBeenCalledTimes(1)
  })
})

describe('telemetry — with no SDK registered', () => {
  it('the API is not imported and operations run unwrapped, until a host registers an SDK', async () => {
    const load = vi.fn(importOpenTelemetry)
    const delivered: Signal[] = []
    const signals = callbackSignals((signal) => void delivered.push(signal))
    const interactions = createInteractionsWith({ clock: manualClock().now, signals }, memoryStore, createTelemetry(load))
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    expect(delivered).toHaveLength(1)
    expect(load).not.toHaveBeenCalled()

    const sdk = registerSdk()
    try {
      await interactions.get('acme', gate.id)
      expect(load).toHaveBeenCalledTimes(1)
      expect(sdk.spans().map((span) => span.name)).toEqual(['hitl.get'])
    } finally {
      sdk.disable()
    }
  })
})
