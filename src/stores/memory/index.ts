/**
 * @module
 * The embedded default store: everything in this process's memory, indexed so that inbox and
 * expiry queries touch only the interactions they return. Data is gone when the process ends.
 */
import { actorKey } from '../../model/actor.js'
import { canActNow, inboxActors } from '../../model/eligibility.js'
import type { Interaction } from '../../model/interaction.js'
import type { OutboxEntry } from '../../model/signal.js'
import type { InboxPosition, InteractionStore } from '../../ports.js'

const keyOf = (project: string, id: string) => `${project}\u0000${id}`
// Records and entries are plain JSON by construction; a JSON round trip copies them several times
// faster than structuredClone on Node 20.
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
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
 * single-process hosts.
 *
 * @example
 * import { createInteractions, memoryStore } from '@hitl/interactions'
 * const interactions = createInteractions({ store: memoryStore() })
 */
export function memoryStore(): InteractionStore {
  const records = new Map<string, Interaction>()
  const idempotencyKeys = new Map<string, string>()
  // Until when a sweeper holds a due interaction; dropped when the interaction leaves pending.
  const sweepClaims = new Map<string, string>()
  const inboxes = new Map<string, Set<string>>()
  const expiries = new SortedKeys()
  const outbox = new Map<string, OutboxEntry>()
  // Delivered and dead entries stay in `outbox`; leasing looks only at the pending ones.
  const pendingSignals = new Set<string>()

  const index = (record: Interaction, key: string, add: boolean) => {
    if (record.status !== 'pending') return
    for (const actor of inboxActors(record)) {
      const inboxKey = keyOf(record.project, actorKey(actor))
      const ids = inboxes.get(inboxKey) ?? new Set<string>()
      if (add) ids.add(key)
      else ids.delete(key)
      if (ids.size > 0) inboxes.set(inboxKey, ids)
      else inboxes.delete(inboxKey)
    }
    if (record.expires_at) (add ? expiries.add : expiries.delete).call(expiries, record.expires_at, key)
  }

  const read = (key: string) => {
    const record = records.get(key)
    return record && copy(record)
  }

  return {
    name: 'memory',

    async create(record) {
      const idempotencyKey = record.idempotency_key && keyOf(record.project, record.idempotency_key)
      const existing = idempotencyKey ? idempotencyKeys.get(idempotencyKey) : undefined
      if (existing) return { interaction: read(existing)!, created: false }
      const key = keyOf(record.project, record.id)
      if (records.has(key)) throw new Error(`memoryStore: interaction ${record.id} already exists`)
      records.set(key, copy(record))
      if (idempotencyKey) idempotencyKeys.set(idempotencyKey, key)
      index(record, key, true)
      return { interaction: copy(record), created: true }
    },

    async get(project, id) {
      return read(keyOf(project, id))
    },

    async update(record, { expectedVersion, outbox: entry }) {
      const key = keyOf(record.project, record.id)
      const current = records.get(key)
      if (!current || current.version !== expectedVersion) return false
      index(current, key, false)
      records.set(key, copy(record))
      index(record, key, true)
      if (record.status !== 'pending') sweepClaims.delete(key)
      // Insert only: an entry, once written, changes by leasing and settling alone.
      if (entry && !outbox.has(entry.id)) {
        outbox.set(entry.id, copy(entry))
        pendingSignals.add(entry.id)
      }
      return true
    },

    async inbox({ project, actor, now, limit, after }) {
      const keys = inboxes.get(keyOf(project, actorKey(actor))) ?? new Set<string>()
      return [...keys]
        .map((key) => records.get(key)!)
        .filter((record) => (!record.expires_at || record.expires_at > now) && canActNow(record, actor))
        .filter((record) => !after || byInboxOrder(record, after) > 0)
        .sort(byInboxOrder)
        .slice(0, limit)
        .map((record) => copy(record))
    },

    async findByIdempotencyKey(project, idempotencyKey) {
      const key = idempotencyKeys.get(keyOf(project, idempotencyKey))
      return key ? read(key) : undefined
    },

    async dueForExpiry({ now, limit, claimUntil }) {
      const keys = expiries.upTo(now, limit, (key) => (sweepClaims.get(key) ?? '') <= now)
      for (const key of keys) sweepClaims.set(key, claimUntil)
      return keys.map((key) => read(key)!)
    },

    async leaseSignals({ now, limit, lease }) {
      const leased: OutboxEntry[] = []
      for (const id of pendingSignals) {
        if (leased.length >= limit) break
        const entry = outbox.get(id)!
        const free = !entry.lease_expires_at || entry.lease_expires_at <= now
        if (entry.next_attempt_at > now || !free) continue
        Object.assign(entry, { lease_owner: lease.owner, lease_expires_at: lease.until, attempts: entry.attempts + 1 })
        leased.push(copy(entry))
      }
      return leased
    },

    async settleSignal(id, owner, outcome) {
      const entry = outbox.get(id)
      if (!entry || entry.lease_owner !== owner || entry.status !== 'pending') return false
      delete entry.lease_owner
      delete entry.lease_expires_at
      if (outcome.status === 'delivered') {
        Object.assign(entry, { status: 'delivered', delivered_at: outcome.at })
        // The error of an earlier attempt no longer describes the entry.
        delete entry.last_error
      } else if (outcome.status === 'pending') Object.assign(entry, { status: 'pending', last_error: outcome.error, next_attempt_at: outcome.next_attempt_at })
      else Object.assign(entry, { status: 'dead', last_error: outcome.error })
      if (entry.status !== 'pending') pendingSignals.delete(id)
      return true
    },

    async listSignals({ status, limit, after }) {
      return [...outbox.values()]
        .filter((entry) => entry.status === status && (!after || entry.id > after))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((entry) => copy(entry))
    },

    async reviveSignal(id, now) {
      const entry = outbox.get(id)
      if (!entry || entry.status !== 'dead') return undefined
      Object.assign(entry, { status: 'pending', attempts: 0, next_attempt_at: now })
      pendingSignals.add(id)
      return copy(entry)
    },

    async pruneSignals({ deliveredBefore, limit }) {
      const old = [...outbox.values()]
        .filter((entry) => entry.status === 'delivered' && entry.delivered_at! < deliveredBefore)
        .sort((a, b) => (a.delivered_at! < b.delivered_at! ? -1 : 1))
        .slice(0, limit)
      for (const entry of old) outbox.delete(entry.id)
      return old.length
    },
  }
}
