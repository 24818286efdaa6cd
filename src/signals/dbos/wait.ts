import { InteractionError, validationError } from '../../errors.js'
import { SignalSchema, type Signal } from '../../model/signal.js'

/** What {@link waitForInteraction} needs of DBOS: the `DBOS` class's `recv`. */
export interface DBOSReceiver {
  /** Waits up to `timeoutSeconds` for a message on `topic`; `null` when none came. */
  recv(topic: string, timeoutSeconds: number): Promise<unknown>
}

/** Options of {@link waitForInteraction}. */
export interface WaitForInteractionOptions {
  /**
   * How long the workflow waits, in seconds, durably (a recovered workflow keeps the original
   * deadline). Required: DBOS's own default of 60 s would time out almost every human decision.
   */
  timeoutSeconds: number
  /** The `DBOS` class to receive with; by default the one `@dbos-inc/dbos-sdk` resolves to from here. */
  dbos?: DBOSReceiver
}

/**
 * How a wait for an interaction ended: its signal, under the signal's own status (`completed`,
 * `expired`…), or no signal before the timeout.
 */
export type InteractionOutcome =
  | { [S in Signal['status']]: { status: S; signal: Signal & { status: S } } }[Signal['status']]
  | { status: 'timed_out' }

let sdk: Promise<DBOSReceiver> | undefined

/**
 * The SDK's `DBOS` class, imported on first use: only workflow code calls this, and a workflow
 * runs in a process that has loaded DBOS already, so the import costs nothing there, while
 * `dbosSignals` users (a serverless function holding a client) never load it through this entry.
 */
function loadDBOS(): Promise<DBOSReceiver> {
  sdk ??= import('@dbos-inc/dbos-sdk').then(
    (module) => module.DBOS,
    (error: unknown) => {
      sdk = undefined
      throw new InteractionError('configuration', 'waitForInteraction needs @dbos-inc/dbos-sdk: npm install @dbos-inc/dbos-sdk', {
        cause: error,
      })
    },
  )
  return sdk
}

/**
 * Suspends a DBOS workflow until its interaction on `topic` ends, with DBOS's durable `recv`, and
 * returns the signal typed and validated — or `{ status: 'timed_out' }` when none came in time.
 * Call it from workflow code (not from a step), with the topic the interaction was created with;
 * the interaction's `run_id` is the workflow's id (`DBOS.workflowID`).
 *
 * A message on the topic that is not a signal is a bug, not an outcome: it rejects with an
 * `InteractionError` (`validation_failed`).
 *
 * @example
 * import { DBOS } from '@dbos-inc/dbos-sdk'
 * import { isApproved } from '@hitl/interactions'
 * import { waitForInteraction } from '@hitl/interactions/dbos'
 *
 * const deploy = DBOS.registerWorkflow(async () => {
 *   const runId = DBOS.workflowID!
 *   await DBOS.runStep(() => interactions.create('acme', { ...gate, run_id: runId, topic: 'deploy-gate', idempotency_key: `${runId}:deploy-gate` }))
 *   const outcome = await waitForInteraction('deploy-gate', { timeoutSeconds: 86_400 })
 *   return outcome.status === 'completed' && isApproved(outcome.signal) ? 'deploy' : 'stop'
 * }, { name: 'deploy' })
 */
export async function waitForInteraction(topic: string, options: WaitForInteractionOptions): Promise<InteractionOutcome> {
  const { timeoutSeconds } = options ?? {}
  if (typeof topic !== 'string' || topic.length === 0) {
    const message = 'must be the topic the interaction was created with, a non-empty string'
    throw new InteractionError('configuration', `waitForInteraction: topic ${message}`, { issues: [{ path: ['topic'], message }] })
  }
  if (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    const message = `must be a non-negative number of seconds (got ${String(timeoutSeconds)})`
    const issues = [{ path: ['timeoutSeconds'], message }]
    throw new InteractionError('configuration', `waitForInteraction: timeoutSeconds ${message}`, { issues })
  }
  const dbos = options.dbos ?? (await loadDBOS())
  // DBOS returns null when the timeout passes without a message.
  const message = await dbos.recv(topic, timeoutSeconds)
  if (message === null || message === undefined) return { status: 'timed_out' }
  const parsed = SignalSchema.safeParse(message)
  if (!parsed.success) throw validationError(`signal received on topic "${topic}"`, parsed.error.issues)
  // Reported under its own status, so a status added later is never mistaken for another.
  return { status: parsed.data.status, signal: parsed.data } as InteractionOutcome
}
