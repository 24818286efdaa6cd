/**
 * @module
 * For authors of store adapters: `compareAndSwapStore` gives a store that can only read and write
 * conditionally the one read-decide-write operation the service needs, and `actorKey` is the key
 * each write lists in its inbox list. The conformance kit to check an adapter is in `@hitl/interactions/testing`.
 */
export { actorKey } from '../model/actor.js'
export type { InboxChange, Write } from '../ports.js'
export {
  compareAndSwapStore,
  type CompareAndSwapOptions,
  type CompareAndSwapQuery,
  type CompareAndSwapStoreBase,
} from './compare-and-swap-store.js'
