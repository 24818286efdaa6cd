/**
 * The interfaces a host implements to plug the library into its own storage, directory and
 * workflow engine. Each is small; `@hitl/interactions/testing` checks an implementation.
 */
import type { Actor, Participant } from './model/actor.js'
import type { Interaction } from './model/interaction.js'
import type { OutboxEntry, Signal } from './model/signal.js'

/** A place in the inbox order (oldest first, ties broken by id); the inbox resumes after it. */
export interface InboxPosition {
  created_at: string
  id: string
}

/** Which interactions an actor may act on now. */
export interface InboxQuery {
  project: string
  actor: Participant
  /** Interactions whose `expires_at` is at or before this time are left out. */
  now: string
  limit: number
  after?: InboxPosition
}

/** What a `modify` callback decided: a result for the caller and, when something changed, what to write. */
export interface Decision<T> {
  result: T
  write?: { record: Interaction; outbox?: OutboxEntry }
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

/**
 * Durable storage for interactions and their signal outbox. Every method is atomic on its own;
 * `update` is a compare-and-swap that also writes the outbox entry, all or nothing.
 */
export interface InteractionStore {
  /** A short name for logs, e.g. `memory` or `postgres`. */
  readonly name: string
  /**
   * Inserts a new record. When the project already has an interaction with the same
   * `idempotency_key`, inserts nothing and returns that one with `created: false`.
   */
  create(record: Interaction): Promise<{ interaction: Interaction; created: boolean }>
  /** The record of this project with this `idempotency_key`, or undefined. */
  findByIdempotencyKey(project: string, key: string): Promise<Interaction | undefined>
  /** The record with this id in this project, or undefined (also for another project's id). */
  get(project: string, id: string): Promise<Interaction | undefined>
  /**
   * Replaces the record if its stored version is still `expectedVersion`, and in the same atomic
   * step inserts `outbox` when given. Returns false, and writes nothing, on a version mismatch.
   */
  update(record: Interaction, options: { expectedVersion: number; outbox?: OutboxEntry }): Promise<boolean>
  /**
   * Optional capability: reads the record under a lock, calls `decide` on it, writes what `decide`
   * returns (record and outbox entry) and releases the lock, all in one transaction. Concurrent
   * callers wait their turn instead of losing a compare-and-swap, so a hot interaction (hundreds of
   * all-members responses at once) never fails with `conflict`. The service uses it when present.
   * `decide` is synchronous and pure; if it throws, nothing is written. Returns undefined, without
   * calling `decide`, when the record does not exist.
   *
   * `outboxSettled: true` says the store delivered the outbox entry inside the same transaction
   * and recorded it as delivered, so the service must not deliver it again.
   *
   * A store with a clock (`now`) passes `decide` its time, read after the lock was taken, so a
   * caller that waited for the lock decides at the time it acts, not the time it asked.
   */
  modify?<T>(
    project: string,
    id: string,
    decide: (current: Interaction, now?: Date) => Decision<T>,
  ): Promise<{ result: T; outboxSettled?: boolean } | undefined>
  /**
   * Optional capability: the store's own clock. When present, the service takes the time of every
   * decision, timestamp, lease and sweep from it instead of its `clock` option, so all instances
   * sharing the store agree on the time whatever their own clocks say.
   */
  now?(): Promise<Date>
  /**
   * Pending, unexpired interactions the actor may act on now, oldest first: those targeting the
   * actor; first-responder groups it is a member of that are unclaimed or claimed by it; and
   * all-members groups it is a member of and has not responded to.
   */
  inbox(query: InboxQuery): Promise<Interaction[]>
  /**
   * Pending interactions whose `expires_at` is at or before `now`, soonest first, across projects,
   * leaving out those another sweeper claimed until after `now`; claims what it returns until
   * `claimUntil`. So concurrent sweepers share the work, and a crashed one's share returns.
   */
  dueForExpiry(query: { now: string; limit: number; claimUntil: string }): Promise<Interaction[]>
  /**
   * Takes the lease on up to `limit` pending outbox entries that are due (`next_attempt_at` at or
   * before `now`) and not leased by anyone else until after `now`; counts one attempt on each.
   * Two concurrent calls never lease the same entry.
   */
  leaseSignals(query: { now: string; limit: number; lease: SignalLease }): Promise<OutboxEntry[]>
  /** Records how a delivery ended and drops the lease, if `owner` still holds it; else returns false. */
  settleSignal(id: string, owner: string, outcome: SignalOutcome): Promise<boolean>
  /** Outbox entries in one status, in id order, resuming after the id `after`. */
  listSignals(query: { status: OutboxEntry['status']; limit: number; after?: string }): Promise<OutboxEntry[]>
  /** Moves a dead entry back to pending, due at `now` with its attempts reset; undefined if no dead entry has this id. */
  reviveSignal(id: string, now: string): Promise<OutboxEntry | undefined>
  /**
   * Deletes up to `limit` delivered entries whose `delivered_at` is before `deliveredBefore`, oldest
   * first, and returns how many it deleted; pending and dead entries are never deleted.
   */
  pruneSignals(query: { deliveredBefore: string; limit: number }): Promise<number>
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
  deliver(signal: Signal): Promise<void>
  /**
   * The longest one `deliver` call takes, in milliseconds, when the adapter bounds it. The service
   * refuses a `delivery.leaseMs` that is not longer, since a send outliving its lease may be repeated.
   */
  readonly timeoutMs?: number
}

/** Resolves a group to its members; called once, when a group interaction is created. */
export interface Directory {
  membersOf(project: string, groupId: string): Promise<Actor[]>
}
