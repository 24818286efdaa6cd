/**
 * Resume a Temporal workflow from a signal: a Workflow Update on the workflow whose id is the
 * signal's `run_id`, with the signal's `idempotency_key` as the update id, so the server drops a
 * redelivered signal instead of running the handler twice. Typed with the real SDK
 * (`@temporalio/client`, `@temporalio/workflow`, dev dependencies). See docs/engines.md.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client'
import { condition, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow'
import { permanentFailure, type CreateInteractionInput, type Signal, type SignalDelivery } from '@hitl/interactions'

/** The update a run-linked workflow handles; shared by the adapter and the workflow. */
export const interactionEnded = defineUpdate<void, [Signal]>('hitl.interaction_ended')

/** Delivers each signal as an update; `timeoutMs` bounds the wait for a worker to run it. */
export function temporalSignals(client: Client, options: { timeoutMs?: number } = {}): SignalDelivery {
  const timeoutMs = options.timeoutMs ?? 10_000
  return {
    async deliver(signal) {
      const handle = client.workflow.getHandle(signal.run_id)
      try {
        await client.withDeadline(Date.now() + timeoutMs, () =>
          handle.executeUpdate(interactionEnded, { args: [signal], updateId: signal.idempotency_key }),
        )
      } catch (error) {
        // No such open workflow, or its validator refused the signal: a retry gets the same answer.
        // Anything else (no worker polling, so the call timed out; the service unavailable) is retried.
        if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) {
          const reason = error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message
          throw permanentFailure(`workflow ${signal.run_id}: ${reason}`, { cause: error })
        }
        throw error
      }
    },
  }
}

// ---- The workflow side (in the workflows file the worker bundles) ----

/** The activity that creates the interaction: `(input) => interactions.create('acme', input)`. */
interface Activities {
  askForApproval(input: CreateInteractionInput): Promise<void>
}
const { askForApproval } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' })

export async function deployWorkflow(service: string): Promise<'deployed' | 'rejected' | 'expired' | 'cancelled'> {
  let ended: Signal | undefined
  // Registered before the interaction exists, so even an instant answer finds its handler.
  setHandler(interactionEnded, (signal) => void (ended ??= signal), {
    validator: (signal) => {
      if (signal.topic !== 'deploy-gate') throw new Error(`unexpected topic ${signal.topic}`)
    },
  })
  const { workflowId } = workflowInfo()
  await askForApproval({
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: { type: 'member', id: 'user_alice' },
    message: `Approve deployment of ${service} to production?`,
    run_id: workflowId, // the workflow id, not Temporal's per-run id: it survives continue-as-new and resets
    topic: 'deploy-gate',
    idempotency_key: `${workflowId}:deploy-gate`, // a retried activity finds the same interaction
    expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(), // deterministic inside a workflow
  })
  await condition(() => ended !== undefined)
  // `outcome` is what isApproved reads; workflow code imports no runtime value from the package, which
  // keeps the worker's workflow bundle free of the Node modules the service needs. Every end state is
  // reported as itself: only an approved answer deploys; an expiry or a cancel is not one.
  return ended!.status === 'completed' ? (ended!.outcome === 'approved' ? 'deployed' : 'rejected') : ended!.status
}
