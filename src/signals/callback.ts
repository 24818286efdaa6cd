import type { Signal } from '../model/signal.js'
import type { SignalDelivery } from '../ports.js'

/**
 * Delivers signals to a function in this process, e.g. an in-memory engine or a test.
 * A throw or rejection counts as a failed delivery, which the outbox retries.
 *
 * @example
 * import { callbackSignals, createInteractions } from '@hitl/interactions'
 * const interactions = createInteractions({ signals: callbackSignals((signal) => runs.resume(signal)) })
 */
export function callbackSignals(onSignal: (signal: Signal) => void | Promise<void>): SignalDelivery & { name: 'callback' } {
  return { name: 'callback', deliver: async (signal) => onSignal(signal) }
}
