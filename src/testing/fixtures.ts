import { nanoid } from 'nanoid'
import type { Interaction } from '../model/interaction.js'
import type { OutboxEntry, Signal } from '../model/signal.js'
import { newInteractionId } from '../service/ids.js'

/** A project name no other test uses, so suites can share one store. */
export const uniqueProject = () => `conformance_${nanoid(10)}`

/** A valid pending record; override any field. */
export function makeRecord(overrides: Partial<Interaction> & { project: string }): Interaction {
  return {
    id: newInteractionId(),
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: { type: 'member', id: 'user_alice' },
    status: 'pending',
    responses: [],
    created_at: '2026-04-21T09:00:00.000Z',
    updated_at: '2026-04-21T09:00:00.000Z',
    version: 1,
    ...overrides,
  }
}

/** A signal for a record, as the service would build it. */
export function makeSignal(record: Interaction, status: Signal['status'] = 'completed'): Signal {
  return {
    interaction_id: record.id,
    project: record.project,
    run_id: record.run_id ?? 'run_conformance',
    topic: record.topic ?? 'conformance',
    status,
    responses: record.responses,
    idempotency_key: `${record.id}:${status}`,
  }
}

/** A new, unleased outbox entry due at `at`. */
export function makeOutboxEntry(record: Interaction, at = '2026-04-21T09:00:00.000Z'): OutboxEntry {
  const signal = makeSignal(record)
  return { id: signal.idempotency_key, signal, status: 'pending', attempts: 0, next_attempt_at: at, created_at: at }
}
