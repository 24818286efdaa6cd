/**
 * How records map to rows and back. Values go in as parameters (JSON text for jsonb, ISO strings
 * for timestamptz) and come out as the same strings, whatever type parsers the host's pool has.
 */
import { InteractionFieldsSchema, type Interaction } from '../../model/interaction.js'
import type { HistoryEvent, NewHistoryEvent } from '../../model/history.js'
import { isSignalEntry, type OutboxEntry } from '../../model/signal.js'
import type { PgRow } from './pool.js'

/** A timestamptz column as `Date.prototype.toISOString()` prints it (UTC, milliseconds, `Z`). */
export const iso = (column: string, as = column.replace(/^\w+\./, '')) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${as}`

type Kind = 'text' | 'int' | 'jsonb' | 'timestamptz'
type Field = keyof Interaction

/** One column of `interactions`: the record field it holds, and how to write and read it when not as is. */
interface InteractionColumn {
  column: string
  kind: Kind
  field: Field
  write?: (record: Interaction) => unknown
  read?: (row: PgRow) => unknown
}

/** A jsonb value from a driver: node-postgres parses it, a pool without that parser returns text. */
const json = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value)

/** A column whose name is its field's. */
const plain = (field: Field, kind: Kind): InteractionColumn => ({ column: field, kind, field })

/**
 * The columns of `interactions`, in table order. Any other field of a record is kept in the jsonb
 * column `extra`, so a new field needs no migration.
 */
const INTERACTION_COLUMNS: readonly InteractionColumn[] = [
  plain('project', 'text'),
  plain('id', 'text'),
  plain('status', 'text'),
  plain('type', 'text'),
  plain('spec', 'jsonb'),
  { column: 'target_type', kind: 'text', field: 'target_actor', write: (r) => r.target_actor.type },
  {
    column: 'target_id',
    kind: 'text',
    field: 'target_actor',
    write: (r) => r.target_actor.id,
    read: (row) => ({ type: row.target_type, id: row.target_id }),
  },
  plain('routing_policy', 'text'),
  plain('run_id', 'text'),
  plain('topic', 'text'),
  plain('title', 'text'),
  plain('message', 'text'),
  plain('metadata', 'jsonb'),
  plain('requested_by', 'jsonb'),
  plain('expires_at', 'timestamptz'),
  plain('idempotency_key', 'text'),
  plain('members', 'jsonb'),
  plain('claimed_by', 'jsonb'),
  plain('claimed_at', 'timestamptz'),
  plain('responses', 'jsonb'),
  plain('created_at', 'timestamptz'),
  plain('updated_at', 'timestamptz'),
  plain('completed_at', 'timestamptz'),
  plain('expired_at', 'timestamptz'),
  { ...plain('version', 'int'), read: (row) => Number(row.version) },
]

const COLUMN_FIELDS = new Set<string>(INTERACTION_COLUMNS.map((c) => c.field))

/** How each field with a column reads back: a field spread over several columns reads in its last one. */
const READERS = new Map<string, (row: PgRow) => unknown>(
  INTERACTION_COLUMNS.map(({ column, kind, field, read }) => [
    field,
    read ?? ((row) => (kind === 'jsonb' ? json(row[column]) : row[column])),
  ]),
)

/** Field order of a record the service builds, so a record reads back with its keys in the same order. */
const FIELD_ORDER = Object.keys(InteractionFieldsSchema.shape)

/** A parameter for a column: JSON as text, since node-postgres would turn an array into a SQL array. */
const param = (kind: Kind, value: unknown) =>
  value === undefined || value === null ? null : kind === 'jsonb' ? JSON.stringify(value) : value

/** The parameter placeholder with its cast, e.g. `$3::jsonb`. */
const placeholder = (kind: Kind, index: number) => `$${index}::${kind}`

/** Column names of the interactions table that a write sets, in order: every field column, then `extra`. */
export const interactionColumnNames = [...INTERACTION_COLUMNS.map((c) => c.column), 'extra']

/** Placeholders for {@link interactionColumnNames}, numbered from `first`. */
export const interactionPlaceholders = (first: number) => [
  ...INTERACTION_COLUMNS.map((c, i) => placeholder(c.kind, first + i)),
  placeholder('jsonb', first + INTERACTION_COLUMNS.length),
]

/** The fields of a record that have no column of their own, or undefined when there are none. */
function extraFields(record: Interaction): Record<string, unknown> | undefined {
  const extra = Object.entries(record).filter(([field, value]) => !COLUMN_FIELDS.has(field) && value !== undefined)
  return extra.length === 0 ? undefined : Object.fromEntries(extra)
}

/** The parameters for {@link interactionColumnNames}, in order. */
export const interactionParams = (record: Interaction) => [
  ...INTERACTION_COLUMNS.map((c) => param(c.kind, c.write ? c.write(record) : record[c.field])),
  param('jsonb', extraFields(record)),
]

/** The select list that reads a record back, with the table alias `alias`. */
export const interactionSelect = (alias: string) =>
  [
    ...INTERACTION_COLUMNS.map(({ column, kind }) => (kind === 'timestamptz' ? iso(`${alias}.${column}`) : `${alias}.${column}`)),
    `${alias}.extra`,
  ].join(', ')

/** An object of the entries whose value is set: a NULL column reads back as an absent field. */
function present(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of entries) if (value !== null && value !== undefined) out[key] = value
  return out
}

/** A row of `interactions`, read with {@link interactionSelect}, as the record it stores. */
export function toInteraction(row: PgRow): Interaction {
  const extra = (json(row.extra) ?? {}) as Record<string, unknown>
  const value = (field: string) => (READERS.has(field) ? READERS.get(field)!(row) : extra[field])
  // Fields the schema does not know yet (written by a newer version) follow the known ones.
  const unknown = Object.keys(extra).filter((field) => !FIELD_ORDER.includes(field))
  return present([...FIELD_ORDER, ...unknown].map((field) => [field, value(field)])) as Interaction
}

/** History events as one jsonb parameter: the write statements number and insert them in order. */
export const historyParam = (events: readonly NewHistoryEvent[]) => JSON.stringify(events)

/**
 * The rows `INSERT INTO interaction_history (project, interaction_id, seq, type, at, actor, data)`
 * takes for the events in the jsonb parameter `events`, numbered after `lastSeq` (a SQL expression).
 */
export const historyRows = (project: string, id: string, events: string, lastSeq: string) =>
  `SELECT ${project}, ${id}, ${lastSeq} + e.n, e.event->>'type', (e.event->>'at')::timestamptz, e.event->'actor', e.event->'data'
FROM jsonb_array_elements(${events}) WITH ORDINALITY AS e(event, n)`

/** The select list that reads a history event back, with the table alias `alias`. */
export const historySelect = (alias: string) =>
  [`${alias}.seq`, `${alias}.type`, iso(`${alias}.at`), `${alias}.actor`, `${alias}.data`].join(', ')

/** A row of `interaction_history`, read with {@link historySelect}, as the event it stores. */
export const toHistoryEvent = (row: PgRow): HistoryEvent =>
  present([
    ['seq', Number(row.seq)],
    ['type', row.type],
    ['at', row.at],
    ['actor', json(row.actor)],
    ['data', json(row.data)],
  ]) as HistoryEvent

/** The outbox columns, in insert order. */
export const outboxColumnNames = [
  'id',
  'signal',
  'notification',
  'status',
  'attempts',
  'next_attempt_at',
  'lease_owner',
  'lease_expires_at',
  'last_error',
  'created_at',
  'delivered_at',
] as const

const OUTBOX_KINDS: readonly Kind[] = [
  'text',
  'jsonb',
  'jsonb',
  'text',
  'int',
  'timestamptz',
  'text',
  'timestamptz',
  'text',
  'timestamptz',
  'timestamptz',
]

/** How many parameters one outbox entry takes. */
export const outboxPlaceholderCount = OUTBOX_KINDS.length

/** Placeholders for all outbox columns, numbered from `first`. */
export const outboxPlaceholders = (first: number) => OUTBOX_KINDS.map((kind, i) => placeholder(kind, first + i))

/** The parameters for all outbox columns, in column order. */
export const outboxParams = (entry: OutboxEntry) => [
  entry.id,
  isSignalEntry(entry) ? JSON.stringify(entry.signal) : null,
  isSignalEntry(entry) ? null : JSON.stringify(entry.notification),
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
    `${alias}.notification`,
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
    ['notification', json(row.notification)],
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
