/**
 * A complete store adapter in one file: plain Maps stand in for a key-value database whose only
 * atomic write is a conditional put (DynamoDB's `ConditionExpression` on `version`, etcd's
 * transactions, Redis `WATCH`). `compareAndSwapStore` adds the read-decide-write `modify` on top.
 * It scans instead of indexing, to stay short; a real adapter keeps an index per query.
 */
import type { InboxPosition, Interaction, InteractionStore, OutboxEntry } from '@hitl/interactions'
import { compareAndSwapStore, type CompareAndSwapOptions, type CompareAndSwapStoreBase, type Write } from '@hitl/interactions/adapter'

type HistoryEvent = Awaited<ReturnType<InteractionStore['history']>>[number]

/** What one item of the table holds: the record, the inbox keys it is listed under, its history, its wake-up and a sweeper's claim. */
interface Item {
  record: Interaction
  inbox: string[]
  history: HistoryEvent[]
  wakeAt?: string
  sweptUntil?: string
}

const keyOf = (project: string, id: string) => `${project}\u0000${id}`
// The caller must never hold a reference into the table, as with a real database.
const copy = <T>(value: T): T => structuredClone(value)
// Times are ISO strings in UTC, so they compare as strings.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const inboxOrder = (a: InboxPosition, b: InboxPosition) => compare(a.created_at, b.created_at) || compare(a.id, b.id)
const numbered = (item: Item, events: Write['events']) =>
  copy(events.map((event, index) => ({ seq: item.history.length + index + 1, ...event })))

/** The Map-based store as written by hand: every method of the port but `modify`, plus `compareAndSwap`. */
export function mapCasBase(): CompareAndSwapStoreBase {
  const items = new Map<string, Item>()
  const idempotencyKeys = new Map<string, string>()
  const outbox = new Map<string, OutboxEntry>()

  const sorted = (records: Interaction[], after: InboxPosition | undefined, limit: number) =>
    records
      .filter((record) => !after || inboxOrder(record, after) > 0)
      .sort(inboxOrder)
      .slice(0, limit)
      .map(copy)
  const entries = (status: OutboxEntry['status']) => [...outbox.values()].filter((entry) => entry.status === status)
  // Insert only: an entry, once written, changes by leasing and settling alone.
  const queue = (written: OutboxEntry[]) => {
    for (const entry of written) if (!outbox.has(entry.id)) outbox.set(entry.id, copy(entry))
  }

  return {
    name: 'map',

    async create({ record, inbox, events, wakeAt, outbox: entries = [] }) {
      const existing = record.idempotency_key && idempotencyKeys.get(keyOf(record.project, record.idempotency_key))
      if (existing) return { interaction: copy(items.get(existing)!.record), created: false }
      const key = keyOf(record.project, record.id)
      const item: Item = { record: copy(record), inbox: [...inbox], history: [], ...(wakeAt !== undefined && { wakeAt }) }
      item.history.push(...numbered(item, events))
      items.set(key, item)
      if (record.idempotency_key) idempotencyKeys.set(keyOf(record.project, record.idempotency_key), key)
      queue(entries)
      return { interaction: copy(record), created: true }
    },

    async get({ project, id }) {
      const item = items.get(keyOf(project, id))
      return item && copy(item.record)
    },

    async findByIdempotencyKey({ project, key }) {
      const id = idempotencyKeys.get(keyOf(project, key))
      return id === undefined ? undefined : copy(items.get(id)!.record)
    },

    // The one conditional write: everything a decision changes, or nothing if the version moved.
    async compareAndSwap({ expectedVersion, write: { record, inbox, events, wakeAt, outbox: entries = [] } }) {
      const item = items.get(keyOf(record.project, record.id))
      if (!item || item.record.version !== expectedVersion) return false
      item.history.push(...numbered(item, events))
      // A sweeper's hold covers the wake-up it was given for; a new wake-up is due for any sweeper.
      if (wakeAt !== item.wakeAt) item.sweptUntil = undefined
      Object.assign(item, { record: copy(record), inbox: [...inbox], wakeAt })
      queue(entries)
      return true
    },

    async history({ project, id }) {
      return copy(items.get(keyOf(project, id))?.history ?? [])
    },

    async runInteractions({ project, run_id, status, limit, after }) {
      const linked = [...items.values()]
        .map((item) => item.record)
        .filter((record) => record.project === project && record.run_id === run_id && (!status || record.status === status))
      return sorted(linked, after, limit)
    },

    async inbox({ project, actorKey, now, limit, after }) {
      const listed = [...items.values()]
        .filter((item) => item.record.project === project && item.inbox.includes(actorKey))
        .map((item) => item.record)
        .filter((record) => !record.expires_at || record.expires_at > now)
      return sorted(listed, after, limit)
    },

    async due({ now, limit, claimUntil }) {
      const due = [...items.values()]
        .filter(({ wakeAt, sweptUntil = '' }) => wakeAt !== undefined && wakeAt <= now && sweptUntil <= now)
        .sort((a, b) => compare(a.wakeAt!, b.wakeAt!))
        .slice(0, limit)
      for (const item of due) item.sweptUntil = claimUntil
      return due.map((item) => copy(item.record))
    },

    outbox: {
      async lease({ now, limit, lease, kinds }) {
        const kindOf = (entry: OutboxEntry) => ('signal' in entry ? 'signal' : 'notification')
        const free = entries('pending').filter(
          (entry) => entry.next_attempt_at <= now && (entry.lease_expires_at ?? '') <= now && (!kinds || kinds.includes(kindOf(entry))),
        )
        return free.slice(0, limit).map((entry) => {
          Object.assign(entry, { lease_owner: lease.owner, lease_expires_at: lease.until, attempts: entry.attempts + 1 })
          return copy(entry)
        })
      },

      async settle({ id, owner, outcome }) {
        const entry = outbox.get(id)
        if (entry?.status !== 'pending' || entry.lease_owner !== owner) return false
        const { lease_owner, lease_expires_at, last_error, ...unleased } = entry
        const settled: OutboxEntry =
          outcome.status === 'delivered'
            ? { ...unleased, status: 'delivered', delivered_at: outcome.at }
            : outcome.status === 'pending'
              ? { ...unleased, last_error: outcome.error, next_attempt_at: outcome.next_attempt_at }
              : { ...unleased, status: 'dead', last_error: outcome.error }
        outbox.set(id, settled)
        return true
      },

      async list({ status, limit, after }) {
        const listed = entries(status).filter((entry) => after === undefined || entry.id > after)
        return listed
          .sort((a, b) => compare(a.id, b.id))
          .slice(0, limit)
          .map(copy)
      },

      async revive({ id, now }) {
        const entry = outbox.get(id)
        if (entry?.status !== 'dead') return undefined
        Object.assign(entry, { status: 'pending', attempts: 0, next_attempt_at: now })
        return copy(entry)
      },

      async prune({ deliveredBefore, limit }) {
        const old = entries('delivered')
          .filter((entry) => entry.delivered_at! < deliveredBefore)
          .sort((a, b) => compare(a.delivered_at!, b.delivered_at!))
          .slice(0, limit)
        for (const entry of old) outbox.delete(entry.id)
        return old.length
      },
    },
  }
}

/** The Map-based store, complete with `modify`; `options` tune the retries of a lost race. */
export const mapCasStore = (options?: CompareAndSwapOptions): InteractionStore => compareAndSwapStore(mapCasBase(), options)
