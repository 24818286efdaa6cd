/**
 * How records map to rows and back. Values go in as parameters (JSON text for jsonb, ISO strings
 * for timestamptz) and come out as the same strings, whatever type parsers the host's pool has.
 */
import { actorKey } from '../../model/actor.js'
import { inboxActors } from '../../model/eligibility.js'
import type { Interaction } from '../../model/interaction.js'
import type { OutboxEntry } from '../../model/signal.js'
import type { PgRow } from './pool.js'

/** A timestamptz column as `Date.prototype.toISOString()` prints it (UTC, milliseconds, `Z`). */
export const iso = (column: string, as = column.replace(/^\w+\./, '')) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${as}`

type Kind = 'text' | 'int' | 'jsonb' | 'timestamptz'

/** The interactions columns in record order, each with how its parameter is written. */
const INTERACTION_COLUMNS: readonly { column: string; kind: Kind; value: (record: Interaction) => unknown }[] = [
  { column: 'project', kind: 'text', value: (r) => r.project },
  { column: 'id', kind: 'text', value: (r) => r.id },
  { column: 'status', kind: 'text', value: (r) => r.status },
  { column: 'type', kind: 'text', value: (r) => r.type },
  { column: 'spec', kind: 'jsonb', value: (r) => r.spec },
  { column: 'target_type', kind: 'text', value: (r) => r.target_actor.type },
  { column: 'target_id', kind: 'text', value: (r) => r.target_actor.id },
  { column: 'routing_policy', kind: 'text', value: (r) => r.routing_policy },
  { column: 'run_id', kind: 'text', value: (r) => r.run_id },
  { column: 'topic', kind: 'text', value: (r) => r.topic },
  { column: 'title', kind: 'text', value: (r) => r.title },
  { column: 'message', kind: 'text', value: (r) => r.message },
  { column: 'metadata', kind: 'jsonb', value: (r) => r.metadata },
  { column: 'requested_by', kind: 'jsonb', value: (r) => r.requested_by },
  { column: 'expires_at', kind: 'timestamptz', value: (r) => r.expires_at },
  { column: 'idempotency_key', kind: 'text', value: (r) => r.idempotency_key },
  { column: 'members', kind: 'jsonb', value: (r) => r.members },
  { column: 'claimed_by', kind: 'jsonb', value: (r) => r.claimed_by },
  { column: 'claimed_at', kind: 'timestamptz', value: (r) => r.claimed_at },
  { column: 'responses', kind: 'jsonb', value: (r) => r.responses },
  { column: 'created_at', kind: 'timestamptz', value: (r) => r.created_at },
  { column: 'updated_at', kind: 'timestamptz', value: (r) => r.updated_at },
  { column: 'completed_at', kind: 'timestamptz', value: (r) => r.completed_at },
  { column: 'expired_at', kind: 'timestamptz', value: (r) => r.expired_at },
  { column: 'version', kind: 'int', value: (r) => r.version },
]

/** A parameter for a column: JSON as text, since node-postgres would turn an array into a SQL array. */
const param = (kind: Kind, value: unknown) => (value === undefined || value === null ? null : kind === 'jsonb' ? JSON.stringify(value) : value)

/** The parameter placeholder with its cast, e.g. `$3::jsonb`. */
const placeholder = (kind: Kind, index: number) => `$${index}::${kind}`

/** Column names of the interactions table, in order. */
export const interactionColumnNames = INTERACTION_COLUMNS.map((c) => c.column)

/** Placeholders for all interaction columns, numbered from `first`. */
export const interactionPlaceholders = (first: number) => INTERACTION_COLUMNS.map((c, i) => placeholder(c.kind, first + i))

/** The parameters for all interaction columns, in column order. */
export const interactionParams = (record: Interaction) => INTERACTION_COLUMNS.map((c) => param(c.kind, c.value(record)))

/** The select list that reads a record back, with the table alias `alias`. */
export const interactionSelect = (alias: string) =>
  INTERACTION_COLUMNS.map(({ column, kind }) => (kind === 'timestamptz' ? iso(`${alias}.${column}`) : `${alias}.${column}`)).join(', ')

/** A jsonb value from a driver: node-postgres parses it, a pool without that parser returns text. */
const json = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value)

/** An object of the entries whose value is set: a NULL column reads back as an absent field. */
function present(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of entries) if (value !== null && value !== undefined) out[key] = value
  return out
}

/** A row of `interactions`, read with {@link interactionSelect}, as the record it stores. */
export function toInteraction(row: PgRow): Interaction {
  // Field order follows InteractionSchema, so a record reads the same as one the service built.
  return present([
    ['type', row.type],
    ['spec', json(row.spec)],
    ['target_actor', { type: row.target_type, id: row.target_id }],
    ['routing_policy', row.routing_policy],
    ['run_id', row.run_id],
    ['topic', row.topic],
    ['title', row.title],
    ['message', row.message],
    ['metadata', json(row.metadata)],
    ['requested_by', json(row.requested_by)],
    ['expires_at', row.expires_at],
    ['idempotency_key', row.idempotency_key],
    ['id', row.id],
    ['project', row.project],
    ['status', row.status],
    ['members', json(row.members)],
    ['claimed_by', json(row.claimed_by)],
    ['claimed_at', row.claimed_at],
    ['responses', json(row.responses)],
    ['created_at', row.created_at],
    ['updated_at', row.updated_at],
    ['completed_at', row.completed_at],
    ['expired_at', row.expired_at],
    ['version', Number(row.version)],
  ]) as Interaction
}

/** The actor keys whose inboxes a pending record appears in, as the memory store indexes them. */
export const inboxKeys = (record: Interaction): string[] => (record.status !== 'pending' ? [] : [...new Set(inboxActors(record).map(actorKey))])

/** The outbox columns, in insert order. */
export const outboxColumnNames = [
  'id',
  'signal',
  'status',
  'attempts',
  'next_attempt_at',
  'lease_owner',
  'lease_expires_at',
  'last_error',
  'created_at',
  'delivered_at',
] as const

/** Placeholders for all outbox columns, numbered from `first`. */
export const outboxPlaceholders = (first: number) =>
  ['text', 'jsonb', 'text', 'int', 'timestamptz', 'text', 'timestamptz', 'text', 'timestamptz', 'timestamptz'].map((kind, i) => placeholder(kind as Kind, first + i))

/** The parameters for all outbox columns, in column order. */
export const outboxParams = (entry: OutboxEntry) => [
  entry.id,
  JSON.stringify(entry.signal),
  entry.status,
  entry.attempts,
  entry.next_attempt_at,
  entry.lease_owner ?? null,
  entry.lease_expires_at ?? null,
  entry.last_error ?? null,
  entry.created_at,
  entry.delivered_at ?? null,
]

/** The select list that reads an outbox entry back, with the table alias `alias`. */
export const outboxSelect = (alias: string) =>
  [
    `${alias}.id`,
    `${alias}.signal`,
    `${alias}.status`,
    `${alias}.attempts`,
    iso(`${alias}.next_attempt_at`),
    `${alias}.lease_owner`,
    iso(`${alias}.lease_expires_at`),
    `${alias}.last_error`,
    iso(`${alias}.created_at`),
    iso(`${alias}.delivered_at`),
  ].join(', ')

/** A row of `outbox`, read with {@link outboxSelect}, as the entry it stores. */
export function toOutboxEntry(row: PgRow): OutboxEntry {
  return present([
    ['id', row.id],
    ['signal', json(row.signal)],
    ['status', row.status],
    ['attempts', Number(row.attempts)],
    ['next_attempt_at', row.next_attempt_at],
    ['lease_owner', row.lease_owner],
    ['lease_expires_at', row.lease_expires_at],
    ['last_error', row.last_error],
    ['created_at', row.created_at],
    ['delivered_at', row.delivered_at],
  ]) as OutboxEntry
}
