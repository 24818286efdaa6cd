import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { callbackSignals } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, deployGate, harness, rejection } from '../support/harness.js'
import { sdkPerTest } from './support.js'

const ops = { type: 'group', id: 'group_ops' } as const

/** What an operation's span records of the deploy gate after the call. */
const gateOf = (id: string, status: string) => ({
  'hitl.project': 'acme',
  'hitl.interaction.id': id,
  'hitl.interaction.type': 'approval',
  'hitl.run_id': 'run_01abc',
  'hitl.status': status,
})

/** What a delivery span of the deploy gate records on its first attempt. */
const firstDeliveryOf = (id: string, status: string) => ({
  'hitl.project': 'acme',
  'hitl.interaction.id': id,
  'hitl.run_id': 'run_01abc',
  'hitl.status': status,
  'hitl.signal.attempt': 1,
})

describeEachStore('telemetry spans', (emptyStore) => {
  const sdk = sdkPerTest()

  /** The one delivery span, once it is checked to be a child of the one span named `operation`. */
  function onlyDeliveryUnder(operation: string) {
    const [parent, ...otherParents] = sdk.spansNamed(operation)
    const [delivery, ...others] = sdk.spansNamed('hitl.deliver_signal')
    expect([otherParents, others]).toEqual([[], []])
    expect(delivery!.spanContext().traceId).toBe(parent!.spanContext().traceId)
    expect(delivery!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId)
    return delivery!
  }

  it('create — one INTERNAL span hitl.create with the project, id, type, routing policy, run id and status of the record', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const input = { type: 'approval', spec: { mode: 'confirm' }, target_actor: ops, run_id: 'run_1', topic: 'gate' } as const
    const created = await interactions.create('acme', input)
    const [span, ...others] = sdk.spansNamed('hitl.create')
    expect(others).toEqual([])
    expect(span!.kind).toBe(SpanKind.INTERNAL)
    expect(span!.instrumentationScope).toEqual({ name: '@hitl/interactions', version: '0.1.0' })
    expect(span!.attributes).toEqual({
      'hitl.project': 'acme',
      'hitl.interaction.id': created.id,
      'hitl.interaction.type': 'approval',
      'hitl.routing_policy': 'first_responder',
      'hitl.run_id': 'run_1',
      'hitl.status': 'pending',
    })
    expect(span!.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('respond — the span carries the end status and outcome; its signal delivery is a child span with attempt 1', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    const [respond] = sdk.spansNamed('hitl.respond')
    expect(respond!.attributes).toEqual({ ...gateOf(gate.id, 'completed'), 'hitl.outcome': 'approved' })
    const delivery = onlyDeliveryUnder('hitl.respond')
    expect(delivery.kind).toBe(SpanKind.INTERNAL)
    expect(delivery.attributes).toEqual({ ...firstDeliveryOf(gate.id, 'completed'), 'hitl.outcome': 'approved' })
  })

  it('respond — a signal sent inside the store transaction (deliverInTransaction) is a delivery span too', async () => {
    const sends: string[] = []
    const signals = {
      deliver: async () => void sends.push('after the write'),
      // The PostgreSQL store calls this inside its transaction; the memory store never does, and `deliver` sends.
      deliverInTransaction: async () => void sends.push('in the transaction'),
    }
    const { interactions } = harness({ store: await emptyStore(), signals })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    expect(sends).toHaveLength(1)
    expect(onlyDeliveryUnder('hitl.respond').attributes).toEqual({ ...firstDeliveryOf(gate.id, 'completed'), 'hitl.outcome': 'approved' })
  })

  it('respond — a refused call marks its span ERROR with the exception, hitl.error.code and error.type', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const gate = await interactions.create('acme', deployGate)
    const refused = await rejection(() => interactions.respond('acme', gate.id, { actor: bob, value: { confirmed: true } }))
    expect(refused.code).toBe('not_eligible')
    const [span] = sdk.spansNamed('hitl.respond')
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: refused.message })
    expect(span!.attributes).toEqual({
      'hitl.project': 'acme',
      'hitl.interaction.id': gate.id,
      'hitl.error.code': 'not_eligible',
      'error.type': 'not_eligible',
    })
    // The SDK names an exception's type after its `code` when it has one.
    const events = span!.events.map(({ name, attributes = {} }) => [name, attributes['exception.type'], attributes['exception.message']])
    expect(events).toEqual([['exception', 'not_eligible', refused.message]])
    expect(sdk.spansNamed('hitl.deliver_signal')).toEqual([])
  })

  it('create — the assigned notification is delivered in a child span hitl.deliver_notification, with its kind', async () => {
    const { interactions } = harness({ store: await emptyStore(), notifier: { notify: async () => undefined } })
    const created = await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice })
    const [parent] = sdk.spansNamed('hitl.create')
    const [delivery, ...others] = sdk.spansNamed('hitl.deliver_notification')
    expect(others).toEqual([])
    expect(delivery!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId)
    expect(delivery!.attributes).toEqual({
      'hitl.project': 'acme',
      'hitl.interaction.id': created.id,
      'hitl.notification.kind': 'assigned',
      'hitl.signal.attempt': 1,
    })
  })

  it('expireDue — the signal of each interaction a sweep expires is delivered in a child span of hitl.expire_due', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    const gate = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    clock.set('2026-04-21T10:00:00Z')
    await interactions.expireDue()
    expect(onlyDeliveryUnder('hitl.expire_due').attributes).toEqual(firstDeliveryOf(gate.id, 'expired'))
  })

  it('cancel — the span ends with status cancelled, and the cancelled signal is delivered in its child span', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const gate = await interactions.create('acme', deployGate)
    await interactions.cancel('acme', gate.id, { actor: bob, reason: 'release withdrawn' })
    expect(sdk.spansNamed('hitl.cancel')[0]!.attributes).toEqual(gateOf(gate.id, 'cancelled'))
    expect(onlyDeliveryUnder('hitl.cancel').attributes).toEqual(firstDeliveryOf(gate.id, 'cancelled'))
  })

  it('deliverSignals — each retried delivery is a child of the pass, with its attempt; a failed one records its error', async () => {
    let failing = true
    const { interactions, clock } = harness({
      store: await emptyStore(),
      signals: callbackSignals(() => {
        if (failing) throw new TypeError('engine unreachable')
      }),
      delivery: { baseMs: 1_000, maxMs: 1_000 },
    })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: false } })
    const [first] = sdk.spansNamed('hitl.deliver_signal')
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'engine unreachable' })
    expect(first!.attributes).toMatchObject({ 'hitl.signal.attempt': 1, 'hitl.outcome': 'rejected', 'error.type': 'TypeError' })
    expect(first!.attributes).not.toHaveProperty('hitl.error.code')

    failing = false
    clock.advance(1_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    const [pass] = sdk.spansNamed('hitl.deliver_signals')
    const [, second] = sdk.spansNamed('hitl.deliver_signal')
    expect(second!.parentSpanContext?.spanId).toBe(pass!.spanContext().spanId)
    expect(second!.attributes).toMatchObject({ 'hitl.interaction.id': gate.id, 'hitl.signal.attempt': 2 })
    expect(second!.status.code).toBe(SpanStatusCode.UNSET)
  })
})
