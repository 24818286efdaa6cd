/**
 * Resume an Inngest function from a signal: `inngest.send` an event whose `id` is the signal's
 * idempotency key, and the function waits for it with `step.waitForEvent`, matched on the
 * interaction id. See docs/engines.md.
 *
 * Written against structural types, not the SDK: `inngest` is not a dev dependency here, because it
 * adds about 255 MB and 300 packages to an install. The real v4 `Inngest` client and `step` tools
 * fit `InngestLike` and `StepLike`.
 */
import {
  isApproved,
  SignalSchema,
  type CreateInteractionInput,
  type Interaction,
  type Signal,
  type SignalDelivery,
} from '@hitl/interactions'

/** The name of the event that carries a signal; the event's `data` is the signal. */
export const INTERACTION_ENDED = 'hitl/interaction.ended'

/** The part of an `Inngest` client the adapter uses. */
export interface InngestLike {
  send(event: { name: string; id: string; data: Signal }): Promise<{ ids: string[] }>
}

/**
 * Sends each signal as an event; the event `id` makes Inngest drop a redelivery (for 24 hours).
 * Every failure is retried: the SDK's errors carry no status that would tell a refusal from an outage.
 */
export function inngestSignals(inngest: InngestLike): SignalDelivery {
  return {
    async deliver(signal) {
      await inngest.send({ name: INTERACTION_ENDED, id: signal.idempotency_key, data: signal })
    },
  }
}

// ---- The function side: inngest.createFunction({ id: 'deploy', triggers: { event: 'app/deploy.requested' } }, deployGate) ----

/** The part of Inngest's `step` tools the function uses. */
export interface StepLike {
  run(id: string, fn: () => Promise<Interaction>): Promise<Interaction>
  waitForEvent(id: string, options: { event: string; timeout: string; if: string }): Promise<{ data: Record<string, unknown> } | null>
}
declare const interactions: {
  create(project: string, input: CreateInteractionInput): Promise<Interaction>
  get(project: string, id: string): Promise<Interaction>
}

export async function deployGate({
  runId,
  step,
}: {
  runId: string
  step: StepLike
}): Promise<'deployed' | 'rejected' | 'expired' | 'cancelled'> {
  const gate = await step.run('ask-alice', () =>
    interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'member', id: 'user_alice' },
      message: 'Approve deployment of service-api to production?',
      run_id: runId,
      topic: 'deploy-gate',
      idempotency_key: `${runId}:deploy-gate`, // a retried step finds the same interaction
      expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(),
    }),
  )
  const event = await step.waitForEvent('wait-for-alice', {
    event: INTERACTION_ENDED,
    timeout: '25h', // past expires_at: the expiry's own signal normally ends the wait first
    if: `async.data.interaction_id == ${JSON.stringify(gate.id)}`,
  })
  // A wait sees only events sent after it began: an answer given in between is read back here.
  const ended = event ? SignalSchema.parse(event.data) : await step.run('read-alice', () => interactions.get('acme', gate.id))
  // Every end state is reported as itself: only an approved answer deploys; an expiry or a cancel is not one.
  if (ended.status === 'pending') throw new Error(`interaction ${gate.id} has not ended yet`)
  return ended.status === 'completed' ? (isApproved(ended) ? 'deployed' : 'rejected') : ended.status
}
