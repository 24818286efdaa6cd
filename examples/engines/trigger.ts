/**
 * Resume a Trigger.dev (v4) task from a signal: the task waits on a waitpoint token with
 * `wait.forToken`, and the adapter completes that token with the signal. The token id travels as
 * the interaction's `topic`; `run_id` is the Trigger.dev run id. See docs/engines.md.
 *
 * Written against structural types, not the SDK: `@trigger.dev/sdk` is not a dev dependency here,
 * because it adds about 66 MB and 50 packages to an install. The real `wait` object of
 * `@trigger.dev/sdk` fits both `TokenCompleter` and `TokenWaiter`.
 */
import {
  isApproved,
  permanentFailure,
  type CreateInteractionInput,
  type Interaction,
  type Signal,
  type SignalDelivery,
} from '@hitl/interactions'

/** The sender's part of `wait` (authenticated by `TRIGGER_SECRET_KEY` or `configure({ accessToken })`). */
export interface TokenCompleter {
  completeToken(token: string, data: Signal): Promise<{ success: true }>
}

/**
 * Completes the token `signal.topic` with the signal. Completing a token twice is accepted and
 * changes nothing, so a redelivery is harmless. Unknown token (404) or refused body (400, 422):
 * permanent. Anything else, 401 and 403 included (a key to fix), is retried.
 */
export function triggerSignals(wait: TokenCompleter): SignalDelivery {
  return {
    async deliver(signal) {
      try {
        await wait.completeToken(signal.topic, signal)
      } catch (error) {
        const status = (error as { status?: unknown }).status // set by the SDK's ApiError
        if (status === 400 || status === 404 || status === 422) {
          throw permanentFailure(`waitpoint ${signal.topic}: ${(error as Error).message}`, { cause: error })
        }
        throw error
      }
    },
  }
}

// ---- The task side: task({ id: 'deploy', run: (payload, { ctx }) => deployGate(wait, ctx.run.id) }) ----

/** The task's part of `wait`. */
export interface TokenWaiter {
  createToken(options: { idempotencyKey?: string; timeout?: string }): Promise<{ id: string }>
  forToken<T>(token: { id: string }): Promise<{ ok: true; output: T } | { ok: false; error: Error }>
}
declare const interactions: { create(project: string, input: CreateInteractionInput): Promise<Interaction> }

export async function deployGate(
  wait: TokenWaiter,
  runId: string,
): Promise<'deployed' | 'rejected' | 'expired' | 'cancelled' | 'timed out'> {
  // Keyed by run, so a retried attempt gets the same token and then the same interaction.
  const token = await wait.createToken({ idempotencyKey: `${runId}:deploy-gate`, timeout: '25h' })
  await interactions.create('acme', {
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: { type: 'member', id: 'user_alice' },
    message: 'Approve deployment of service-api to production?',
    run_id: runId,
    topic: token.id,
    idempotency_key: `${runId}:deploy-gate`,
    expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(), // before the token's own timeout
  })
  const result = await wait.forToken<Signal>(token)
  if (!result.ok) return 'timed out'
  // Every end state is reported as itself: only an approved answer deploys; an expiry or a cancel is not one.
  const ended = result.output
  return ended.status === 'completed' ? (isApproved(ended) ? 'deployed' : 'rejected') : ended.status
}
