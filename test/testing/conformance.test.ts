import { callbackSignals, memoryStore, type Signal } from '@hitl/interactions'
import { describeInteractionStore, describeSignalDelivery } from '@hitl/interactions/testing'

describeInteractionStore('memory', () => memoryStore(), { inboxChanges: true })

describeSignalDelivery('callback', () => {
  const received: Signal[] = []
  let failure: 'transient' | 'permanent' | undefined
  const delivery = callbackSignals((signal) => {
    const kind = failure
    failure = undefined
    if (kind) throw Object.assign(new Error(`receiver failed (${kind})`), { permanent: kind === 'permanent' })
    received.push(structuredClone(signal))
  })
  return { delivery, received: async () => received, failNext: (kind) => void (failure = kind) }
})
