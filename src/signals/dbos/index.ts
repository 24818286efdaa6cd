/**
 * @module
 * DBOS durable workflows as the engine a signal resumes. `dbosSignals` sends each signal with
 * DBOS's `send` (deduplicated on the signal's idempotency key), or with `inTransaction: true` inside
 * the PostgreSQL store's state-change transaction, and `waitForInteraction` is the
 * workflow side: a typed `DBOS.recv`. `@dbos-inc/dbos-sdk` is an optional peer dependency; this
 * entry loads it only when a workflow calls `waitForInteraction`.
 */
export {
  dbosSignals,
  DBOSDeliveryError,
  isNonExistentWorkflowError,
  type DBOSSender,
  type DBOSSignalsOptions,
  type DBOSTransactionalSender,
  type DBOSTransactionConnection,
} from './deliver.js'
export { waitForInteraction, type DBOSReceiver, type InteractionOutcome, type WaitForInteractionOptions } from './wait.js'
