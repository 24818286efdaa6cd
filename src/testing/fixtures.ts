import { nanoid } from 'nanoid'
import { actorKey, type Participant } from '../model/actor.js'
import type { NewHistoryEvent } from '../model/history.js'
import type { Interaction } from '../model/interaction.js'
import type { OutboxEntry, Signal, SignalEntry } from '../model/signal.js'
import type { InteractionStore, Write } from '../ports.js'
import { newInteractionId } from '../service/ids.js'

/** A project name no other test uses, so suites can share one store. */
export const uniqueProject = () => `conformance_${nanoid(10)}`

/** A valid pending record; override any field. */
export function makeRecord(overrides: Partial<Interaction> & { project: string }): Interaction {
  // Overrides may set any status; the caller brings that status's own fields (`completed_at`…) along.
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
  } as Interaction
}

/** The `created` event of a record, as the service writes it. */
export const createdEvent = (record: Interaction): NewHistoryEvent => ({ type: 'created', at: record.created_at })

/** What is kept beside a record by default: its target's inbox and its `expires_at` as its wake-up, while pending. */
const defaults = (record: Interaction): Omit<Write, 'record' | 'events'> & { inbox: string[] } =>
  record.status !== 'pending'
    ? { inbox: [] }
    : { inbox: [actorKey(record.target_actor)], ...(record.expires_at !== undefined && { wakeAt: record.expires_at }) }

/**
 * Writes `record` over the stored one through `modify`, as the service would, with the given inbox
 * list and wake-up (by default its target's and its `expires_at`, while pending), events and outbox
 * entry; fails if it is not stored.
 */
export async function writeRecord(store: InteractionStore, record: Interaction, write: Partial<Omit<Write, 'record'>> = {}): Promise<void> {
  const done = await store.modify({
    project: record.project,
    id: record.id,
    decide: () => ({ result: true, write: { record, ...defaults(record), events: [], ...write } }),
  })
  if (!done) throw new Error(`writeRecord: interaction ${record.id} is not stored in project ${record.project}`)
}

/** Creates `record` in the store with its default inbox list and wake-up and its `created` event; fails if it was not created. */
export async function insertRecord(store: InteractionStore, record: Interaction, inbox?: string[]): Promise<Interaction> {
  const { interaction, created } = await store.create({
    record,
    ...defaults(record),
    ...(inbox && { inbox }),
    events: [createdEvent(record)],
  })
  if (!created) throw new Error(`insertRecord: interaction ${record.id} was not created`)
  return interaction
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
export function makeOutboxEntry(record: Interaction, at = '2026-04-21T09:00:00.000Z'): SignalEntry {
  const signal = makeSignal(record)
  return { id: signal.idempotency_key, signal, status: 'pending', attempts: 0, next_attempt_at: at, created_at: at }
}

/** A new, unleased outbox entry due at `at` that notifies `recipients` (by default the record's target) of its assignment. */
export function makeNotificationEntry(record: Interaction, at = '2026-04-21T09:00:00.000Z', recipients?: Participant[]): OutboxEntry {
  const id = `${record.id}:assigned:${record.version}:0`
  const notification = {
    id,
    kind: 'assigned' as const,
    project: record.project,
    interaction: record,
    recipients: recipients ?? [record.target_actor as Participant],
  }
  return { id, notification, status: 'pending', attempts: 0, next_attempt_at: at, created_at: at }
}
