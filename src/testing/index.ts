/**
 * @module
 * Conformance suites for adapters, to run under vitest: a host that writes its own store or
 * signal delivery runs the same checks our own adapters pass.
 */
// For an adapter's own tests that list a store's inbox directly: the key the service writes for an actor.
export { actorKey } from '../model/actor.js'
export { createdEvent, insertRecord, makeOutboxEntry, makeRecord, makeSignal, uniqueProject, writeRecord } from './fixtures.js'
export { describeSignalDelivery, type SignalDeliveryHarness } from './signal-suite.js'
export { describeInteractionStore, type StoreCapabilities } from './store-suite.js'
