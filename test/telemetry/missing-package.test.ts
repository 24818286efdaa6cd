import { callbackSignals, createInteractions, type Signal } from '@hitl/interactions'
import { expect, it, vi } from 'vitest'
import { importOpenTelemetry } from '../../src/service/telemetry.js'
import { alice, deployGate, manualClock } from '../support/harness.js'

// As on a host that did not install the optional peer: importing it fails.
vi.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find package '@opentelemetry/api'")
})

it('importOpenTelemetry — resolves to null when @opentelemetry/api is not installed, and the service runs without it', async () => {
  expect(await importOpenTelemetry()).toBeNull()
  const delivered: Signal[] = []
  const interactions = createInteractions({ clock: manualClock().now, signals: callbackSignals((signal) => void delivered.push(signal)) })
  const gate = await interactions.create('acme', deployGate)
  expect(await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).toMatchObject({ status: 'completed' })
  expect(delivered).toMatchObject([{ interaction_id: gate.id, status: 'completed' }])
})
