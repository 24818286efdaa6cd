import type { InteractionStore, SignalDelivery } from '@hitl/interactions'

/** Where a simulated process crash strikes. */
export type CrashPoint = 'before-update' | 'after-update' | 'during-delivery' | 'after-delivery-before-settle'

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash'
}

/**
 * Wraps a store and a signal delivery so that the next operation at `point` throws, as if the
 * process died there: what was written stays written, and the call never finishes its work.
 */
export function crashable(store: InteractionStore, signals: SignalDelivery) {
  let armed: CrashPoint | undefined
  const strike = (point: CrashPoint) => {
    if (armed !== point) return false
    armed = undefined
    return true
  }
  const wrappedStore: InteractionStore = {
    ...store,
    name: `crashable ${store.name}`,
    async modify(query) {
      if (strike('before-update')) throw new SimulatedCrash('crashed before the state write')
      const modified = await store.modify(query)
      if (modified && strike('after-update')) throw new SimulatedCrash('crashed after the state write')
      return modified
    },
    outbox: {
      ...store.outbox,
      async settle(query) {
        if (strike('after-delivery-before-settle')) throw new SimulatedCrash('crashed before marking the signal')
        return store.outbox.settle(query)
      },
    },
  }
  const wrappedSignals: SignalDelivery = {
    async deliver(signal) {
      if (strike('during-delivery')) {
        // A crash mid-delivery also loses the chance to record the outcome.
        armed = 'after-delivery-before-settle'
        throw new SimulatedCrash('crashed during delivery')
      }
      return signals.deliver(signal)
    },
  }
  return { store: wrappedStore, signals: wrappedSignals, crashAt: (point: CrashPoint) => void (armed = point) }
}
