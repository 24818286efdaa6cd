/**
 * The interfaces a host implements to plug the library into its own storage, directory and
 * workflow engine. Each is small; `@hitl/interactions/testing` checks an implementation.
 */
import type { Actor } from './model/actor.js'
import type { Interaction, InteractionStatus } from './model/interaction.js'
import type { HistoryEvent, NewHistoryEvent } from './model/history.js'
import type { InteractionNotification } from './model/notification.js'
import type { OutboxEntry, Signal, SignalEntry } from './model/signal.js'

/** A place in the inbox order (oldest first, ties broken by id); the inbox resumes after it. */
export interface InboxPosition {
  created_at: string
  id: string
}

/** The interactions listed in one actor's inbox. */
export interface InboxQuery {
  project: string
  /** The actor's `actorKey` (from `@hitl/interactions/adapter`), as the writes listed it. */
  actorKey: string
  /** Interactions whose `expires_at` is at or before this time are left out. */
  now: string
  limit: number
  after?: InboxPosition
}

/**
 * A change to the inboxes a record is listed in: the inboxes of these `actorKey`s drop it, and every
 * other inbox keeps it as it was. What one answer to an all-members or quorum group writes, so that
 * its inbox rows cost the same in a group of 10 000 as in a group of 10.
 */
export interface InboxChange {
  remove: string[]
}

/**
 * Everything one decision writes, in one atomic step: the whole record, the inboxes it is listed in,
 * the events it appends to the history and its outbox entries: the signal when it reached an end
 * state of a linked run, and the notifications its events cause.
 * The store keeps what it is given; it never decides who may act or what a status means.
 */
export interface Write {
  record: Interaction
  /**
   * The inboxes the record is listed in, by the `actorKey`s (from `@hitl/interactions/adapter`) of
   * the actors who may act on it now. A list replaces the previous listing: exactly those inboxes
   * list it, none once it has ended. An {@link InboxChange} removes only its keys and leaves the
   * others listed: what one answer that leaves a collecting group pending writes, to a store that
   * declares `inboxChanges`. A key it removes that is not listed is no change.
   */
  inbox: string[] | InboxChange
  /** Appended to the record's history in this order, numbered after its last event. */
  events: NewHistoryEvent[]
  /**
   * When the service must next look at the record though nobody calls: its `expires_at` today; a
   * claim timeout or a reminder as later policies need. `due` returns the record once this time has
   * come. Absent when nothing is scheduled, as for every ended record.
   */
  wakeAt?: string
  /**
   * Each inserted unless an entry with its id exists: an entry, once written, changes by leasing and
   * settling alone. Absent or empty when the write sends nothing.
   */
  outbox?: OutboxEntry[]
}

/** What a `modify` decision returned: a result for the caller and, when something changed, what to write. */
export interface Decision<T> {
  result: T
  write?: Write
}

/** The one read-decide-write operation of the port. */
export interface ModifyQuery<T> {
  project: string
  id: string
  /**
   * Decides on the current record, synchronously and purely; if it throws, nothing is written. A
   * store with a clock (`now`) passes its time, read after any lock was taken, so a caller that
   * waited decides at the time it acts.
   */
  decide(current: Interaction, now: Date | undefined): Decision<T>
  /**
   * When given and the write carries an outbox entry with a signal, a store with transactions calls
   * it for that entry (notifications are left to the outbox) inside the write's transaction, after
   * the write, with its transaction handle (the PostgreSQL store passes its client). If it resolves,
   * the store records the entry as delivered in the same transaction; if it rejects, the store undoes
   * only what the hook did, still commits the decision, and keeps the entry pending with the reason
   * in `last_error`. A store without transactions never calls it.
   */
  withinTransaction?(entry: SignalEntry, transaction: unknown): Promise<void>
}

/** Who holds the right to deliver an outbox entry, and until when. */
export interface SignalLease {
  owner: string
  until: string
}

/** How a delivery attempt ended. */
export type SignalOutcome =
  | { status: 'delivered'; at: string }
  | { status: 'pending'; error: string; next_attempt_at: string }
  | { status: 'dead'; error: string }

/** What an outbox entry carries: a signal for a run, or a notification for people. */
export type OutboxEntryKind = 'signal' | 'notification'

/** The signal outbox: entries written by decisions, leased and settled by dispatchers. Every method is atomic. */
export interface OutboxStore {
  /**
   * Takes the lease on up to `limit` pending entries that are due (`next_attempt_at` at or before
   * `now`) and not leased by anyone else until after `now`; counts one attempt on each. Two
   * concurrent calls never lease the same entry. With `kinds`, only entries of those kinds: an
   * instance that has no notifier leaves notifications to one that has, and the other way round.
   */
  lease(query: { now: string; limit: number; lease: SignalLease; kinds?: OutboxEntryKind[] }): Promise<OutboxEntry[]>
  /** Records how a delivery ended and drops the lease, if `owner` still holds it; else returns false. */
  settle(query: { id: string; owner: string; outcome: SignalOutcome }): Promise<boolean>
  /** Entries in one status, in id order, resuming after the id `after`. */
  list(query: { status: OutboxEntry['status']; limit: number; after?: string }): Promise<OutboxEntry[]>
  /** Moves a dead entry back to pending, due at `now` with its attempts reset; undefined if no dead entry has this id. */
  revive(query: { id: string; now: string }): Promise<OutboxEntry | undefined>
  /**
   * Deletes up to `limit` delivered entries whose `delivered_at` is before `deliveredBefore`, oldest
   * first, and returns how many it deleted; pending and dead entries are never deleted.
   */
  prune(query: { deliveredBefore: string; limit: number }): Promise<number>
}

/**
 * Durable storage for interactions, their history and inboxes, and the signal outbox. Every method
 * takes one query object and is atomic on its own; `modify` is the only way a record changes.
 */
export interface InteractionStore {
  /** A short name for logs, e.g. `memory` or `postgres`. */
  readonly name: string
  /**
   * Optional capability: `modify` applies a `Write.inbox` given as an {@link InboxChange}. The service
   * writes changes only to a store that declares it and full lists to any other, so a store written
   * before changes existed keeps its contract.
   */
  readonly inboxChanges?: true
  /**
   * Inserts a new record with its inbox list (always a full list), first history events and outbox
   * entries (the notifications of its assignment). When the project already has an interaction with
   * the same `idempotency_key`, writes nothing and returns that one with `created: false`.
   */
  create(query: Write & { inbox: string[] }): Promise<{ interaction: Interaction; created: boolean }>
  /** The record with this id in this project, or undefined (also for another project's id). */
  get(query: { project: string; id: string }): Promise<Interaction | undefined>
  /** The record of this project with this `idempotency_key`, or undefined. */
  findByIdempotencyKey(query: { project: string; key: string }): Promise<Interaction | undefined>
  /**
   * Reads the record, calls `decide` on it and writes what it returns (record, inbox list, history
   * events, outbox entry) as one atomic step, so no concurrent write lands in between. Returns
   * undefined, without calling `decide`, when the record does not exist. The memory store does it
   * natively; a store with only get and compare-and-swap gets it from `compareAndSwapStore`.
   */
  modify<T>(query: ModifyQuery<T>): Promise<{ result: T } | undefined>
  /** The history of a record, oldest first; empty for an unknown record or another project's. */
  history(query: { project: string; id: string }): Promise<HistoryEvent[]>
  /**
   * Records of one project linked to `run_id`, in inbox order (oldest first, ties by id), resuming
   * after `after`; only those in `status` when it is given.
   */
  runInteractions(query: {
    project: string
    run_id: string
    status?: InteractionStatus
    limit: number
    after?: InboxPosition
  }): Promise<Interaction[]>
  /**
   * Unexpired records listed in this actor's inbox, oldest first: by the last list each was written
   * with, less the keys later changes removed.
   */
  inbox(query: InboxQuery): Promise<Interaction[]>
  /**
   * Records whose last write's `wakeAt` is at or before `now`, soonest first, across projects,
   * leaving out those another sweeper claimed until after `now`; claims what it returns until
   * `claimUntil`. So concurrent sweepers share the work, and a crashed one's share returns.
   */
  due(query: { now: string; limit: number; claimUntil: string }): Promise<Interaction[]>
  /**
   * Optional capability: the store's own clock. When present, the service takes the time of every
   * decision, timestamp, lease and sweep from it instead of its `clock` option, so all instances
   * sharing the store agree on the time whatever their own clocks say.
   */
  now?(): Promise<Date>
  /** The signal outbox, written by `modify` and read by dispatchers. */
  readonly outbox: OutboxStore
}

/**
 * What an error thrown by {@link SignalDelivery.deliver} may say about the failure. The outbox reads
 * both fields off any thrown value, so an adapter sets them on its own error class.
 */
export interface SignalDeliveryFailure {
  /** Retrying cannot help (an HTTP 400, a run that does not exist): the entry is dead-lettered at once. */
  permanent?: boolean
  /**
   * The receiver asked to wait this many milliseconds before the next attempt (a `Retry-After`, an
   * engine's rate limit); the outbox waits at least this long, and at most `delivery.maxMs`.
   */
  retryAfterMs?: number
}

/**
 * Sends a signal to the engine that runs the linked workflow. Throw to have the outbox retry; the
 * error may carry {@link SignalDeliveryFailure} fields.
 */
export interface SignalDelivery {
  /** Sends one signal; resolves once the engine has it. */
  deliver(signal: Signal): Promise<void>
  /**
   * The longest one `deliver` call takes, in milliseconds, when the adapter bounds it. The service
   * refuses a `delivery.leaseMs` that is not longer, since a send outliving its lease may be repeated.
   */
  readonly timeoutMs?: number
  /**
   * Optional: sends the signal inside the store transaction that decided it, on that transaction's
   * handle (for the PostgreSQL store, its `pg` client), so the decision and the message commit
   * together. The service passes it to `store.modify`; a store without transactions never calls it,
   * and then `deliver` sends the signal after the write as usual.
   */
  deliverInTransaction?(signal: Signal, transaction: unknown): Promise<void>
}

/**
 * Tells people about an interaction (by email, chat…): it receives each notification the outbox
 * holds, at least once, retried with backoff and dead-lettered like a signal. Throw to have the
 * outbox retry; the error may carry {@link SignalDeliveryFailure} fields. A notification repeated
 * after a failure or a crash keeps its `id`, so a receiver that remembers ids sends each only once.
 */
export interface Notifier {
  /** Sends one notification; resolves once it is handed over. */
  notify(notification: InteractionNotification): Promise<void>
  /**
   * The longest one `notify` call takes, in milliseconds, when the adapter bounds it. The service
   * refuses a `delivery.leaseMs` that is not longer, since a send outliving its lease may be repeated.
   */
  readonly timeoutMs?: number
}

/** Resolves a group to its members; called once, when a group interaction is created. */
export interface Directory {
  /** The members of a group, as the project knows them now. */
  membersOf(project: string, groupId: string): Promise<Actor[]>
}
