/**
 * Resume an AWS Step Functions execution from a signal: the waiting state's task token goes back
 * with `SendTaskSuccess`, the signal as its output. A task token (up to 2,048 characters) does not
 * fit in `run_id` (256), so the state's Lambda stores it under (run_id, topic) and the adapter looks
 * it up. Typed with the real SDK (`@aws-sdk/client-sfn`, a dev dependency). See docs/engines.md.
 */
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn'
import { permanentFailure, type CreateInteractionInput, type Interaction, type SignalDelivery } from '@hitl/interactions'

/** Task tokens of waiting states, e.g. a DynamoDB table keyed by run_id and topic (read consistently). */
export interface TaskTokenStore {
  put(runId: string, topic: string, token: string): Promise<void>
  get(runId: string, topic: string): Promise<string | undefined>
}

// Refusals a retry cannot change. TaskTimedOut also answers a token already used: a redelivery of
// a signal whose first delivery succeeded lands there, so check the execution before retrying it.
const PERMANENT = new Set(['InvalidToken', 'InvalidOutput', 'TaskDoesNotExist', 'TaskTimedOut', 'ValidationException'])

/** Sends each signal as the output of the task that waits on (run_id, topic). */
export function stepFunctionsSignals(sfn: SFNClient, tokens: TaskTokenStore): SignalDelivery {
  return {
    async deliver(signal) {
      const taskToken = await tokens.get(signal.run_id, signal.topic)
      // Retried: the Lambda stores the token before it creates the interaction, so this is a lagging read.
      if (!taskToken) throw new Error(`no task token stored for ${signal.run_id} / ${signal.topic}`)
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(signal) }))
      } catch (error) {
        // By name rather than instanceof, which two copies of the SDK would break.
        const name = error instanceof Error ? error.name : ''
        if (PERMANENT.has(name)) {
          throw permanentFailure(`SendTaskSuccess for ${signal.run_id}: ${name}: ${(error as Error).message}`, { cause: error })
        }
        throw error // throttling, KMS throttling, 5xx, network: retried
      }
    },
  }
}

// ---- The state machine side (a Standard workflow: Express ones cannot wait for a task token) ----

export const askForApprovalState = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: {
    FunctionName: 'ask-for-approval',
    Payload: { 'task_token.$': '$$.Task.Token', 'run_id.$': '$$.Execution.Id', 'topic.$': '$$.State.Name' },
  },
  TimeoutSeconds: 25 * 3600, // a backstop after the interaction's expires_at, which resumes the run itself
  ResultPath: '$.gate', // the signal: a Choice state then branches on $.gate.outcome (approved or rejected) and $.gate.status
  Next: 'Approved?',
} as const

declare const tokens: TaskTokenStore
declare const interactions: { create(project: string, input: CreateInteractionInput): Promise<Interaction> }

/** The `ask-for-approval` Lambda: store the token first, then ask; a retried state stores its new token. */
export async function askForApproval(event: { task_token: string; run_id: string; topic: string }): Promise<void> {
  await tokens.put(event.run_id, event.topic, event.task_token)
  await interactions.create('acme', {
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: { type: 'member', id: 'user_alice' },
    message: 'Approve deployment of service-api to production?',
    run_id: event.run_id,
    topic: event.topic,
    idempotency_key: `${event.run_id}:${event.topic}`,
    expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(),
  })
}
