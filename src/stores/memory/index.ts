/**
 * @module
 * The embedded default store: everything in this process's memory, indexed so that inbox and
 * expiry queries touch only the interactions they return. Data is gone when the process ends.
 */
import type { HistoryEvent, NewHistoryEvent } from '../../model/history.js'
import type { Interaction } from '../../model/interaction.js'
import type { OutboxEntry } from '../../model/signal.js'
import type { InboxChange, InboxPosition, InteractionStore, OutboxEntryKind, OutboxStore, Write } from '../../ports.js'

/** Which kind an entry is, for a lease of some kinds only. */
const kindOf = (entry: OutboxEntry): OutboxEntryKind => ('signal' in entry ? 'signal' : 'notification')
const keyOf = (project: string, id: string) => `${project}\u0000${id}`
/**
 * A deep copy of plain JSON data, as a JSON round trip makes it (an undefined field left out, an
 * undefined item null). Records and entries are plain JSON by construction; a walk copies a record
 * several times faster than a JSON round trip or structuredClone on Node 20.
 */
function copy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : copy(item))) as T
  const copied: Record<string, unknown> = {}
  for (const name of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[name]
    if (field === undefined) continue
    // A key `__proto__` (JSON.parse makes one) is data, not the prototype.
    if (name === '__proto__')
      Object.defineProperty(copied, name, { value: copy(field), enumerable: true, writable: true, configurable: true })
    else copied[name] = copy(field)
  }
  return copied as T
}
const byInboxOrder = (a: InboxPosition, b: InboxPosition) =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** A sorted list of keys with binary-search insertion, for the expiry index. */
class SortedKeys {
  private readonly items: { at: string; key: string }[] = []
  private position(at: string, key: string) {
    let low = 0
    let high = this.items.length
    while (low < high) {
      const mid = (low + high) >>> 1
      const item = this.items[mid]!
      if (item.at < at || (item.at === at && item.key < key)) low = mid + 1
      else high = mid
    }
    return low
  }
  add(at: string, key: string) {
    this.items.splice(this.position(at, key), 0, { at, key })
  }
  delete(at: string, key: string) {
    const index = this.position(at, key)
    if (this.items[index]?.key === key) this.items.splice(index, 1)
  }
  /** Keys whose time is at or before `until` and that `accept` takes, in order, at most `limit`. */
  upTo(until: string, limit: number, accept: (key: string) => boolean) {
    const keys: string[] = []
    for (const item of this.items) {
      if (item.at > until || keys.length >= limit) break
      if (accept(item.key)) keys.push(item.key)
    }
    return keys
  }
}

/**
 * Creates an in-memory store: the default of `createInteractions`, for tests, demos and
 * single-process hosts. Its `modify` reads, decides and writes without awaiting in between, so it
 * is atomic in the one JavaScript thread, with no lock and no retry.
 *
 * @example
 * import { createInteractions, memoryStore } from '@hitl/interactions'
 * const interactions = createInteractions({ store: memoryStore() })
 */
export function memoryStore(): InteractionStore {
  const records = new Map<string, Interaction>()
  const histories = new Map<string, HistoryEvent[]>()
  const idempotencyKeys = new Map<string, string>()
  const runs = new Map<string, Set<string>>()
  // Until when a sweeper holds a due interaction; dropped when its wake-up is.
  const sweepClaims = new Map<string, string>()
  const wakeAts = new Map<string, string>()
  // The inbox keys each record is listed under, and the records each inbox lists.
  const listedIn = new Map<string, Set<string>>()
  const inboxes = new Map<string, Set<string>>()
  const wakeUps = new SortedKeys()
  const entries = new Map<string, OutboxEntry>()
  // Delivered and dead entries stay in `entries`; leasing looks only at the pending ones.
  const pendingEntries = new Set<string>()

  const addTo = (index: Map<string, Set<string>>, indexKey: string, key: string) => {
    const keys = index.get(indexKey) ?? new Set<string>()
    index.set(indexKey, keys.add(key))
  }

  const unlist = (project: string, key: string, actorKeys: Iterable<string>) => {
    const listed = listedIn.get(key)
    for (const actor of actorKeys) {
      if (!listed?.delete(actor)) continue
      const inboxKey = keyOf(project, actor)
      const keys = inboxes.get(inboxKey)
      keys?.delete(key)
      if (keys?.size === 0) inboxes.delete(inboxKey)
    }
    if (listed?.size === 0) listedIn.delete(key)
  }

  /** Lists the record in exactly these inboxes, or takes it out of those a change removes. */
  const list = (project: string, key: string, inbox: string[] | InboxChange) => {
    if (!Array.isArray(inbox)) return unlist(project, key, inbox.remove)
    unlist(project, key, [...(listedIn.get(key) ?? [])])
    for (const actor of inbox) addTo(inboxes, keyOf(project, actor), key)
    if (inbox.length > 0) listedIn.set(key, new Set(inbox))
  }

  const append = (key: string, events: NewHistoryEvent[]) => {
    const history = histories.get(key) ?? []
    for (const event of events) history.push({ seq: history.length + 1, ...copy(event) })
    histories.set(key, history)
  }

  /** Indexes the record's next wake-up, replacing the previous one. */
  const schedule = (key: string, wakeAt: string | undefined) => {
    const previous = wakeAts.get(key)
    if (previous !== undefined) wakeUps.delete(previous, key)
    // A sweeper's hold covers the wake-up it was given for: a new one is due for any sweeper at its time.
    if (wakeAt !== previous) sweepClaims.delete(key)
    if (wakeAt === undefined) {
      wakeAts.delete(key)
    } else {
      wakeAts.set(key, wakeAt)
      wakeUps.add(wakeAt, key)
    }
  }

  const write = (key: string, { record, inbox, events, wakeAt, outbox = [] }: Write) => {
    records.set(key, copy(record))
    schedule(key, wakeAt)
    list(record.project, key, inbox)
    append(key, events)
    // Insert only: an entry, once written, changes by leasing and settling alone.
    for (const entry of outbox) {
      if (entries.has(entry.id)) continue
      entries.set(entry.id, copy(entry))
      pendingEntries.add(entry.id)
    }
  }

  const read = (key: string) => {
    const record = records.get(key)
    return record && copy(record)
  }

  const outbox: OutboxStore = {
    async lease({ now, limit, lease, kinds }) {
      const leased: OutboxEntry[] = []
      for (const id of pendingEntries) {
        if (leased.length >= limit) break
        const entry = entries.get(id)!
        const free = !entry.lease_expires_at || entry.lease_expires_at <= now
        if (entry.next_attempt_at > now || !free || (kinds && !kinds.includes(kindOf(entry)))) continue
        Object.assign(entry, { lease_owner: lease.owner, lease_expires_at: lease.until, attempts: entry.attempts + 1 })
        leased.push(copy(entry))
      }
      return leased
    },

    async settle({ id, owner, outcome }) {
      const entry = entries.get(id)
      if (!entry || entry.lease_owner !== owner || entry.status !== 'pending') return false
      delete entry.lease_owner
      delete entry.lease_expires_at
      if (outcome.status === 'delivered') {
        Object.assign(entry, { status: 'delivered', delivered_at: outcome.at })
        // The error of an earlier attempt no longer describes the entry.
        delete entry.last_error
      } else if (outcome.status === 'pending')
        Object.assign(entry, { status: 'pending', last_error: outcome.error, next_attempt_at: outcome.next_attempt_at })
      else Object.assign(entry, { status: 'dead', last_error: outcome.error })
      if (entry.status !== 'pending') pendingEntries.delete(id)
      return true
    },

    async list({ status, limit, after }) {
      return [...entries.values()]
        .filter((entry) => entry.status === status && (!after || entry.id > after))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((entry) => copy(entry))
    },

    async revive({ id, now }) {
      const entry = entries.get(id)
      if (entry?.status !== 'dead') return undefined
      Object.assign(entry, { status: 'pending', attempts: 0, next_attempt_at: now })
      pendingEntries.add(id)
      return copy(entry)
    },

    async prune({ deliveredBefore, limit }) {
      const old = [...entries.values()]
        .filter((entry) => entry.status === 'delivered' && entry.delivered_at! < deliveredBefore)
        .sort((a, b) => (a.delivered_at! < b.delivered_at! ? -1 : 1))
        .slice(0, limit)
      for (const entry of old) entries.delete(entry.id)
      return old.length
    },
  }

  return {
    name: 'memory',
    outbox,

    async create(query) {
      const { record } = query
      const idempotencyKey = record.idempotency_key && keyOf(record.project, record.idempotency_key)
      const existing = idempotencyKey ? idempotencyKeys.get(idempotencyKey) : undefined
      if (existing) return { interaction: read(existing)!, created: false }
      const key = keyOf(record.project, record.id)
      if (records.has(key)) throw new Error(`memoryStore: interaction ${record.id} already exists`)
      write(key, query)
      if (idempotencyKey) idempotencyKeys.set(idempotencyKey, key)
      if (record.run_id !== undefined) addTo(runs, keyOf(record.project, record.run_id), key)
      return { interaction: copy(record), created: true }
    },

    async get({ project, id }) {
      return read(keyOf(project, id))
    },

    async findByIdempotencyKey({ project, key }) {
      const recordKey = idempotencyKeys.get(keyOf(project, key))
      return recordKey ? read(recordKey) : undefined
    },

    async modify({ project, id, decide }) {
      const key = keyOf(project, id)
      const current = read(key)
      if (!current) return undefined
      // No await from here to the end: nothing else runs between the read and the write.
      const { result, write: next } = decide(current, undefined)
      if (next) write(key, next)
      return { result }
    },

    async history({ project, id }) {
      return copy(histories.get(keyOf(project, id)) ?? [])
    },

    async runInteractions({ project, run_id, status, limit, after }) {
      return [...(runs.get(keyOf(project, run_id)) ?? [])]
        .map((key) => records.get(key)!)
        .filter((record) => (status === undefined || record.status === status) && (!after || byInboxOrder(record, after) > 0))
        .sort(byInboxOrder)
        .slice(0, limit)
        .map((record) => copy(record))
    },

    async inbox({ project, actorKey, now, limit, after }) {
      return [...(inboxes.get(keyOf(project, actorKey)) ?? [])]
        .map((key) => records.get(key)!)
        .filter((record) => (!record.expires_at || record.expires_at > now) && (!after || byInboxOrder(record, after) > 0))
        .sort(byInboxOrder)
        .slice(0, limit)
        .map((record) => copy(record))
    },

    async due({ now, limit, claimUntil }) {
      const keys = wakeUps.upTo(now, limit, (key) => (sweepClaims.get(key) ?? '') <= now)
      for (const key of keys) sweepClaims.set(key, claimUntil)
      return keys.map((key) => read(key)!)
    },
  }
}
