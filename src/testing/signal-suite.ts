import { beforeAll, describe, expect, it } from 'vitest'
import type { Signal } from '../model/signal.js'
import type { SignalDelivery } from '../ports.js'
import { makeRecord, makeSignal, uniqueProject } from './fixtures.js'

/** What the signal suite needs: the adapter, and a way to see what the other side received. */
export interface SignalDeliveryHarness {
  delivery: SignalDelivery
  /** Every signal the receiving side accepted, in order, duplicates included unless it deduplicates. */
  received(): Promise<Signal[]>
  /** Declared capability: make the receiver fail the next delivery, transiently or for good. */
  failNext?(kind: 'transient' | 'permanent'): void
  /** Declared capability: the receiving side drops a signal whose idempotency key it has seen. */
  deduplicates?: boolean
}

const completedSignal = (): Signal => {
  const record = makeRecord({ project: uniqueProject(), run_id: `run_${Math.random().toString(36).slice(2)}`, topic: 'gate' })
  return makeSignal({
    ...record,
    responses: [
      { actor: { type: 'member', id: 'user_alice' }, value: { confirmed: true }, comment: 'ok', responded_at: '2026-04-21T09:01:00.000Z' },
    ],
  })
}

/**
 * Runs the conformance suite for a {@link SignalDelivery} under vitest.
 *
 * @example
 * import { describeSignalDelivery } from '@hitl/interactions/testing'
 *
 * describeSignalDelivery('my engine', async () => {
 *   const seen = []
 *   return { delivery: myEngineSignals({ onResume: (s) => seen.push(s) }), received: async () => seen }
 * })
 */
export function describeSignalDelivery(name: string, makeHarness: () => SignalDeliveryHarness | Promise<SignalDeliveryHarness>) {
  describe(`SignalDelivery conformance: ${name}`, () => {
    let harness: SignalDeliveryHarness
    beforeAll(async () => {
      harness = await makeHarness()
    })
    const receivedFor = async (signal: Signal) => (await harness.received()).filter((s) => s.interaction_id === signal.interaction_id)

    it('deliver — the receiver gets the signal intact, idempotency key included', async () => {
      const signal = completedSignal()
      await harness.delivery.deliver(signal)
      expect(await receivedFor(signal)).toEqual([signal])
    })

    it('deliver — a redelivery carries the same idempotency key, or is dropped if the receiver deduplicates', async () => {
      const signal = completedSignal()
      await harness.delivery.deliver(signal)
      await harness.delivery.deliver(structuredClone(signal))
      const seen = await receivedFor(signal)
      expect(seen.length).toBe(harness.deduplicates ? 1 : 2)
      expect(new Set(seen.map((s) => s.idempotency_key))).toEqual(new Set([signal.idempotency_key]))
    })

    it('deliver — an expired signal with no responses is delivered too', async () => {
      const signal = { ...completedSignal(), status: 'expired' as const, responses: [] }
      signal.idempotency_key = `${signal.interaction_id}:expired`
      await harness.delivery.deliver(signal)
      expect(await receivedFor(signal)).toEqual([signal])
    })

    it('deliver — a transient failure rejects without `permanent`, so the outbox retries', async (context) => {
      if (!harness.failNext) return context.skip('the harness declares no failNext capability')
      harness.failNext('transient')
      const error = await harness.delivery.deliver(completedSignal()).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeDefined()
      expect((error as { permanent?: unknown }).permanent).not.toBe(true)
    })

    it('deliver — a permanent failure rejects with `permanent: true`, so the outbox dead-letters it', async (context) => {
      if (!harness.failNext) return context.skip('the harness declares no failNext capability')
      harness.failNext('permanent')
      const error = await harness.delivery.deliver(completedSignal()).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect((error as { permanent?: unknown }).permanent).toBe(true)
    })
  })
}
