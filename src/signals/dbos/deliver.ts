import { InteractionError } from '../../errors.js'
import type { Signal } from '../../model/signal.js'
import type { SignalDelivery, SignalDeliveryFailure } from '../../ports.js'

/**
 * What {@link dbosSignals} needs of a DBOS client: `DBOSClient`'s `send`, which the `DBOS` class
 * also has. Typed structurally, so this entry never loads `@dbos-inc/dbos-sdk` itself.
 */
export interface DBOSSender {
  /** Sends a message to a workflow on a topic, at most once per idempotency key. */
  send(destinationID: string, message: unknown, topic?: string, idempotencyKey?: string): Promise<void>
}

/**
 * A database connection as `DBOSClient.sendInTransaction` takes it: node-postgres's client, typed
 * loosely so this entry needs neither `pg` nor its types.
 */
export interface DBOSTransactionConnection {
  /** Runs one statement on the transaction. */
  query(text: string, values?: unknown[]): Promise<unknown>
}

/** What {@link dbosSignals} needs of a DBOS client to send inside a transaction: `DBOSClient`'s `sendInTransaction`. */
export interface DBOSTransactionalSender {
  /** Writes the message on the given transaction, so it commits with it. */
  sendInTransaction(
    client: DBOSTransactionConnection,
    destinationID: string,
    message: unknown,
    topic?: string,
    idempotencyKey?: string,
  ): Promise<void>
}

/**
 * Options of {@link dbosSignals}: a client, and whether to send each signal inside the store
 * transaction that decided it (DBOS's schema in the same database as the store's tables).
 */
export type DBOSSignalsOptions =
  | {
      /** A `DBOSClient` (from `DBOSClient.create`), or the `DBOS` class in a process that launched DBOS. */
      client: DBOSSender
      inTransaction?: false
    }
  | {
      /** A `DBOSClient`: its `sendInTransaction` writes DBOS's message row on the store's transaction. */
      client: DBOSSender & DBOSTransactionalSender
      /**
       * Sends the signal on the PostgreSQL store's transaction, so the decision and the message that
       * resumes the run commit together; if that send fails, the decision still commits and the
       * signal takes the outbox path. A store without transactions sends after the write as usual.
       */
      inTransaction: true
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

/** A `configuration` error of `dbosSignals` about the option at `path`. */
const misconfigured = (path: string, message: string) =>
  new InteractionError('configuration', `dbosSignals: ${message}`, { issues: [{ path: [path], message }] })

/**
 * Delivers signals to DBOS workflows with `send`: the signal's `run_id` is the workflow id, its
 * `topic` the DBOS topic, and its `idempotency_key` DBOS's idempotency key, so a redelivered
 * signal is dropped by DBOS and wakes the run once. A workflow that does not exist is a permanent
 * failure (dead-lettered at once); any other failure is retried by the outbox. With
 * `inTransaction: true` it also sends inside the PostgreSQL store's transaction that records the
 * decision (`deliverInTransaction`), so the two commit together.
 *
 * @example
 * import { DBOSClient } from '@dbos-inc/dbos-sdk'
 * import { createInteractions } from '@hitl/interactions'
 * import { dbosSignals } from '@hitl/interactions/dbos'
 * import { postgresStore } from '@hitl/interactions/postgres'
 *
 * const client = await DBOSClient.create({ systemDatabaseUrl: process.env.DATABASE_URL! })
 * const interactions = createInteractions({ store: postgresStore({ pool }), signals: dbosSignals({ client, inTransaction: true }) })
 */
export function dbosSignals(options: DBOSSignalsOptions): SignalDelivery & { name: 'dbos' } {
  const { client, inTransaction } = options ?? {}
  if (typeof client?.send !== 'function') {
    const message = 'needs a `client` with send: a DBOSClient (await DBOSClient.create({ systemDatabaseUrl })) or the DBOS class'
    throw misconfigured('client', message)
  }
  if (inTransaction !== undefined && typeof inTransaction !== 'boolean') {
    throw misconfigured('inTransaction', `inTransaction must be true or false (got ${JSON.stringify(inTransaction)})`)
  }
  const transactional = client as Partial<DBOSTransactionalSender>
  if (inTransaction && typeof transactional.sendInTransaction !== 'function') {
    const message =
      'inTransaction needs a DBOSClient (await DBOSClient.create({ systemDatabaseUrl })), which has sendInTransaction; the DBOS class has not'
    throw misconfigured('client', message)
  }
  /** Runs a send, rethrowing its failure as a DBOSDeliveryError the outbox can classify. */
  const classified = async (signal: Signal, sending: () => Promise<void>) => {
    try {
      await sending()
    } catch (error) {
      throw deliveryError(signal, error)
    }
  }
  return {
    name: 'dbos',
    deliver: (signal) => classified(signal, () => client.send(signal.run_id, signal, signal.topic, signal.idempotency_key)),
    ...(inTransaction && {
      async deliverInTransaction(signal: Signal, transaction: unknown) {
        const connection = transaction as Partial<DBOSTransactionConnection> | null
        if (typeof connection?.query !== 'function') {
          const message = "dbosSignals: deliverInTransaction needs the PostgreSQL store's transaction client, with query(text, values)"
          throw new InteractionError('configuration', message)
        }
        const sendInTransaction = transactional.sendInTransaction!.bind(client)
        const { run_id, topic, idempotency_key } = signal
        await classified(signal, () => sendInTransaction(connection as DBOSTransactionConnection, run_id, signal, topic, idempotency_key))
      },
    }),
  }
}
