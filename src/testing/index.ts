/**
 * @module
 * Conformance suites for adapters, to run under vitest: a host that writes its own store or
 * signal delivery runs the same checks our own adapters pass.
 */
export {
  createdEvent,
  insertRecord,
  makeNotificationEntry,
  makeOutboxEntry,
  makeRecord,
  makeSignal,
  uniqueProject,
  writeRecord,
} from './fixtures.js'
export { describeSignalDelivery, type SignalDeliveryHarness } from './signal-suite.js'
export { describeInteractionStore, type StoreCapabilities } from './store-suite.js'
