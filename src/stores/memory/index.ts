/**
 * @module
 * The embedded default store: everything in this process's memory, indexed so that inbox and
 * expiry queries touch only the interactions they return. Data is gone when the process ends.
 */
import type { HistoryEvent, NewHistoryEvent } from '../../model/history.js'
import type { Interaction } from '../../model/interaction.js'
import { copyJson as copy, setField } from '../../model/json.js'
import type { OutboxEntry } from '../../model/signal.js'
import type { InboxChange, InboxPosition, InteractionStore, OutboxEntryKind, OutboxStore, Write } from '../../ports.js'

/** Which kind an entry is, for a lease of some kinds only. */
const kindOf = (entry: OutboxEntry): OutboxEntryKind => ('signal' in entry ? 'signal' : 'notification')
const keyOf = (project: string, id: string) => `${project}\u0000${id}`
/**
 * The records a store keeps, so that a decision, a read or an answer to a large group copies no more
 * than what changed. The store keeps a frozen copy of each object it is given, made once: an object
 * it froze itself is shared from then on, by what it keeps and by what it hands out. Its lists are
 * frozen too, but for `responses`, which grows by one entry on each answer: V8 copies a frozen array
 * many times slower, so the store keeps its own responses list, appends to it in place, and hands
 * out copies of it (a pointer per entry). A record handed out to a caller is fresh at the top level
 * and in its top-level lists, so the caller may set a field or push a response without touching the
 * store; one handed to a decision shares the other frozen lists, so a group's members are not copied
 * on every answer. The spec is the exception: a caller's JSON Schema validator may write into the
 * schema of a proposal, so the store keeps its own spec, unfrozen, and hands out a copy of it with
 * every record.
 */
function keptRecords() {
  const frozen = new WeakSet<object>()
  const freeze = <O extends object>(made: O): O => {
    frozen.add(Object.freeze(made))
    return made
  }
  const isFrozen = (value: object) => frozen.has(value)
  const frozenCopy = <T>(value: T): T => copy(value, freeze, isFrozen)

  /**
   * A list to keep in place of the one kept before: the entries at its start that are those of the
   * list kept before (one pointer comparison each) stay, the others are copied and frozen.
   */
  function keptList(name: string, list: readonly unknown[], before: unknown): readonly unknown[] {
    if (list === before) return list
    const previous = Array.isArray(before) ? before : []
    let same = 0
    while (same < list.length && same < previous.length && list[same] === previous[same]) same++
    // The responses list is never handed out, so it grows in place: an answer appended to a group's
    // responses adds one entry, and copies nothing of the 10 000 before it.
    const kept = name === 'responses' ? previous : previous.slice(0, same)
    kept.length = same
    for (let at = same; at < list.length; at++) kept.push(list[at] === undefined ? null : frozenCopy(list[at]))
    return name === 'responses' ? kept : freeze(kept)
  }

  /** A copy of a list, one pointer per entry; a loop, since V8's own copies of a frozen array are slow. */
  const copyOf = (list: readonly unknown[]) => {
    const copied = new Array(list.length)
    for (let at = 0; at < list.length; at++) copied[at] = list[at]
    return copied
  }

  return {
    /** What the store keeps of `record`, written over `before` (the version it replaces, if any). */
    keep(record: Interaction, before?: Interaction): Interaction {
      const kept: Record<string, unknown> = {}
      for (const name of Object.keys(record)) {
        const field = (record as Record<string, unknown>)[name]
        if (field === undefined) continue
        if (name === 'spec') setField(kept, name, copy(field))
        else if (Array.isArray(field)) setField(kept, name, keptList(name, field, before && (before as Record<string, unknown>)[name]))
        else setField(kept, name, frozenCopy(field))
      }
      return kept as Interaction
    },
    /** A kept record as a decision gets it: fresh at the top level, with a copy of its responses and its own spec. */
    decided: (kept: Interaction): Interaction => ({ ...kept, responses: kept.responses.slice(), spec: copy(kept.spec) }),
    /** A kept record as a caller gets it: fresh at the top level and in its top-level lists, with its own spec. */
    handedOut(kept: Interaction): Interaction {
      const record: Record<string, unknown> = { ...kept, spec: copy(kept.spec) }
      for (const name of Object.keys(record)) if (Array.isArray(record[name])) record[name] = copyOf(record[name] as unknown[])
      return record as Interaction
    },
  }
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
 * It keeps a frozen copy of what it is given and shares it, so no call copies a whole record: the
 * records it returns have frozen nested objects (`metadata`, `target_actor`, each member and each
 * response), while the record, its top-level lists and its `spec` are the caller's own. A record the
 * service returns from a change (`respond`, `claim`, `cancel`…) also shares the frozen `members` and
 * `escalation` lists, so that an answer to a large group does not copy it: treat records as values.
 *
 * @example
 * import { createInteractions, memoryStore } from '@hitl/interactions'
 * const interactions = createInteractions({ store: memoryStore() })
 */
export function memoryStore(): InteractionStore {
  const records = new Map<string, Interaction>()
  const { keep, decided, handedOut } = keptRecords()
  const histories = new Map<string, HistoryEvent[]>()
  const idempotencyKeys = new Map<string, string>()
  const runs = new Map<string, Set<string>>()
  // Until when a sweeper holds a due interaction; dropped when its wake-up is.
  const sweepClaims = new Map<string, string>()
  const wakeAts = new Map<string, string>()
  // The inbox keys of the last full list each record was written with, and the records each inbox lists.
  const listedIn = new Map<string, string[]>()
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
    for (const actor of actorKeys) {
      const inboxKey = keyOf(project, actor)
      const keys = inboxes.get(inboxKey)
      keys?.delete(key)
      if (keys?.size === 0) inboxes.delete(inboxKey)
    }
  }

  /**
   * Lists the record in exactly these inboxes, or takes it out of those a change removes. `listedIn`
   * keeps the last full list, so a change leaves keys in it that no longer list the record: the next
   * full list unlists them again, which changes nothing.
   */
  const list = (project: string, key: string, inbox: string[] | InboxChange) => {
    if (!Array.isArray(inbox)) return unlist(project, key, inbox.remove)
    unlist(project, key, listedIn.get(key) ?? [])
    for (const actor of inbox) addTo(inboxes, keyOf(project, actor), key)
    if (inbox.length > 0) listedIn.set(key, [...inbox])
    else listedIn.delete(key)
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
    records.set(key, keep(record, records.get(key)))
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
    return record && handedOut(record)
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
    inboxChanges: true,
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
      return { interaction: read(key)!, created: true }
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
      const current = records.get(key)
      if (!current) return undefined
      // No await from here to the end: nothing else runs between the read and the write.
      const { result, write: next } = decide(decided(current), undefined)
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
        .map(handedOut)
    },

    async inbox({ project, actorKey, now, limit, after }) {
      return [...(inboxes.get(keyOf(project, actorKey)) ?? [])]
        .map((key) => records.get(key)!)
        .filter((record) => (!record.expires_at || record.expires_at > now) && (!after || byInboxOrder(record, after) > 0))
        .sort(byInboxOrder)
        .slice(0, limit)
        .map(handedOut)
    },

    async due({ now, limit, claimUntil }) {
      const keys = wakeUps.upTo(now, limit, (key) => (sweepClaims.get(key) ?? '') <= now)
      for (const key of keys) sweepClaims.set(key, claimUntil)
      return keys.map((key) => read(key)!)
    },
  }
}
