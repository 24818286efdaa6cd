import type { OutboxEntry, Signal } from '../../model/signal.js'
import type { SignalDelivery, SignalDeliveryFailure } from '../../ports.js'

/**
 * What {@link dbosSignals} needs of a DBOS client: `DBOSClient`'s `send`, which the `DBOS` class
 * also has. Typed structurally, so this entry never loads `@dbos-inc/dbos-sdk` itself.
 */
export interface DBOSSender {
  send(destinationID: string, message: unknown, topic?: string, idempotencyKey?: string): Promise<void>
}

/**
 * A database connection as `DBOSClient.sendInTransaction` takes it: node-postgres's client, typed
 * loosely so this entry needs neither `pg` nor its types.
 */
export interface DBOSTransactionConnection {
  query(text: string, values?: unknown[]): Promise<unknown>
}

/** What {@link dbosSendInTransaction} needs of a DBOS client: `DBOSClient`'s `sendInTransaction`. */
export interface DBOSTransactionalSender {
  sendInTransaction(
    client: DBOSTransactionConnection,
    destinationID: string,
    message: unknown,
    topic?: string,
    idempotencyKey?: string,
  ): Promise<void>
}

/** Options of {@link dbosSignals}. */
export interface DBOSSignalsOptions {
  /** A `DBOSClient` (from `DBOSClient.create`), or the `DBOS` class in a process that launched DBOS. */
  client: DBOSSender
}

/** A failed DBOS send; `permanent` tells the outbox to dead-letter it instead of retrying. */
export class DBOSDeliveryError extends Error implements SignalDeliveryFailure {
  override readonly name = 'DBOSDeliveryError'
  /** The DBOS workflow id the signal was for. */
  readonly runId: string
  /** True when the workflow does not exist: a retry would fail the same way. */
  readonly permanent: boolean

  constructor(message: string, options: { runId: string; permanent: boolean; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.runId = options.runId
    this.permanent = options.permanent
  }
}

/** DBOS's error code for a send to a workflow id it has no workflow for (`DBOSNonExistentWorkflowError`). */
const NON_EXISTENT_WORKFLOW = 16

/**
 * True for DBOS's "no such destination workflow" error. Checked by code and class name, not
 * `instanceof`: the SDK sets no `name`, and another copy of it would break `instanceof`.
 */
export function isNonExistentWorkflowError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const candidate = error as { dbosErrorCode?: unknown; constructor?: { name?: unknown } }
  return candidate.dbosErrorCode === NON_EXISTENT_WORKFLOW || candidate.constructor?.name === 'DBOSNonExistentWorkflowError'
}

/** The error to rethrow for a failed send: permanent for a missing workflow, retryable otherwise. */
function deliveryError(signal: Signal, error: unknown): DBOSDeliveryError {
  const where = `DBOS workflow ${signal.run_id} (topic ${signal.topic})`
  if (isNonExistentWorkflowError(error)) {
    return new DBOSDeliveryError(
      `${where} does not exist, so its signal cannot be delivered; start the workflow with this id before the interaction ends, then retrySignal('${signal.idempotency_key}')`,
      { runId: signal.run_id, permanent: true, cause: error },
    )
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new DBOSDeliveryError(`sending the signal to ${where} failed: ${reason}`, { runId: signal.run_id, permanent: false, cause: error })
}

/**
 * Delivers signals to DBOS workflows with `send`: the signal's `run_id` is the workflow id, its
 * `topic` the DBOS topic, and its `idempotency_key` DBOS's idempotency key, so a redelivered
 * signal is dropped by DBOS and wakes the run once. A workflow that does not exist is a permanent
 * failure (dead-lettered at once); any other failure is retried by the outbox.
 *
 * @example
 * import { DBOSClient } from '@dbos-inc/dbos-sdk'
 * import { createInteractions } from '@hitl/interactions'
 * import { dbosSignals } from '@hitl/interactions/dbos'
 *
 * const client = await DBOSClient.create({ systemDatabaseUrl: process.env.DATABASE_URL! })
 * const interactions = createInteractions({ store, signals: dbosSignals({ client }) })
 */
export function dbosSignals(options: DBOSSignalsOptions): SignalDelivery & { name: 'dbos' } {
  const client = options?.client
  if (typeof client?.send !== 'function') {
    throw new TypeError('dbosSignals needs a `client`: a DBOSClient (await DBOSClient.create({ systemDatabaseUrl })) or the DBOS class')
  }
  return {
    name: 'dbos',
    async deliver(signal) {
      try {
        await client.send(signal.run_id, signal, signal.topic, signal.idempotency_key)
      } catch (error) {
        throw deliveryError(signal, error)
      }
    },
  }
}

/**
 * Sends an outbox entry's signal with `DBOSClient.sendInTransaction`, on the connection of the
 * PostgreSQL store's transaction: pass it as `postgresStore({ sendInTransaction })`, and the
 * decision and the message that resumes the run commit together. The DBOS system schema must be
 * in the same database as the store's tables.
 *
 * @example
 * import { DBOSClient } from '@dbos-inc/dbos-sdk'
 * import { dbosSendInTransaction } from '@hitl/interactions/dbos'
 * import { postgresStore } from '@hitl/interactions/postgres'
 *
 * const client = await DBOSClient.create({ systemDatabaseUrl: process.env.DATABASE_URL! })
 * const store = postgresStore({ pool, sendInTransaction: dbosSendInTransaction(client) })
 */
export function dbosSendInTransaction(client: DBOSTransactionalSender): (connection: DBOSTransactionConnection, entry: OutboxEntry) => Promise<void> {
  if (typeof client?.sendInTransaction !== 'function') {
    throw new TypeError('dbosSendInTransaction needs a DBOSClient (await DBOSClient.create({ systemDatabaseUrl })), which has sendInTransaction')
  }
  return async (connection, { signal }) => {
    try {
      await client.sendInTransaction(connection, signal.run_id, signal, signal.topic, signal.idempotency_key)
    } catch (error) {
      throw deliveryError(signal, error)
    }
  }
}
