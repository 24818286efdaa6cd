import type { Participant } from '../model/actor.js'
import type { HistoryEvent } from '../model/history.js'
import type { CreateInteractionInput, Interaction } from '../model/interaction.js'
import type { ReassignInput } from '../model/reassign.js'
import type { CancelInput, RespondInput } from '../model/response.js'
import type { OutboxEntry } from '../model/signal.js'
import type { Directory, InteractionStore, Notifier, SignalDelivery } from '../ports.js'
import type { BackoffPolicy } from './backoff.js'

/** How failed deliveries of signals and notifications are retried before they are dead-lettered. */
export interface DeliveryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included; after the last failure the entry is dead. */
  maxAttempts: number
  /**
   * How long a dispatcher holds the entries it delivers, and a sweeper the interactions it expires;
   * a crashed one's items return to the others after this.
   */
  leaseMs: number
}

/**
 * Options of {@link createInteractions}, checked when it is called: an unknown key or a wrong value
 * is an `InteractionError` with code `configuration` naming the option; one given as `undefined`
 * takes its default.
 */
export interface InteractionsOptions {
  /** Where interactions and the signal outbox live. Defaults to a new `memoryStore()`. */
  store?: InteractionStore
  /** Delivers signals to the engine that runs the linked workflow; required for run-linked interactions. */
  signals?: SignalDelivery
  /**
   * Tells people about assignments, reminders, escalations, reassignments and lapsed claims, through
   * the outbox. Without one, no notification is written.
   */
  notifier?: Notifier
  /** Resolves group members at creation; required for group targets. */
  directory?: Directory
  /** The current time. Defaults to `() => new Date()`. */
  clock?: () => Date
  /** Retries of a failed signal delivery. */
  delivery?: Partial<DeliveryPolicy>
  /** A number in [0, 1) for backoff jitter. Defaults to `Math.random`. */
  random?: () => number
}

/** Options of {@link Interactions.inbox}. */
export interface InboxOptions {
  /** Items per page, 1 to 100; 20 by default. */
  limit?: number
  /** The `next_cursor` of the previous page. */
  cursor?: string | null
}

/** One page of an inbox. */
export interface InboxPage {
  items: Interaction[]
  /** Pass to the next call to continue; null on the last page. */
  next_cursor: string | null
}

/** What one {@link Interactions.deliverSignals} pass did. */
export interface DeliveryReport {
  delivered: number
  /** Failed and scheduled to be tried again. */
  retrying: number
  /** Failed for the last time, or permanently; listed by `failedSignals()`. */
  dead: number
}

/** Options of {@link Interactions.pruneSignals}. */
export interface PruneSignalsOptions {
  /** Delete what was delivered more than this many milliseconds before now, e.g. `7 * 24 * 60 * 60_000` to keep a week. */
  olderThan: number
  /** Entries to delete at most in this call, 1 to 1 000 000; 10 000 by default. */
  limit?: number
}

/** What one {@link Interactions.sweep} did, by kind: each timed transition is counted by the sweep that ran it. */
export interface SweepReport {
  /** Interactions expired. */
  expired: number
  /** First-responder claims that lapsed. */
  claims_lapsed: number
  /** `remind` steps run. */
  reminded: number
  /** `reassign` and `add_members` steps run. */
  escalated: number
}

/** The service a host calls: one per process, safe to share between concurrent requests. */
export interface Interactions {
  /** Creates a pending interaction, or returns the existing one for a repeated `idempotency_key`. */
  create(project: string, input: CreateInteractionInput): Promise<Interaction>
  /** The interaction; a pending one whose `expires_at` has passed is expired first. */
  get(project: string, id: string): Promise<Interaction>
  /** Everything that happened to the interaction, oldest first, numbered from 1. */
  history(project: string, id: string): Promise<HistoryEvent[]>
  /** Claims a first-responder group interaction for one of its members. */
  claim(project: string, id: string, actor: Participant): Promise<Interaction>
  /** Gives up a claim, so that any member may claim or respond again. */
  release(project: string, id: string, actor: Participant): Promise<Interaction>
  /** Records a response; completes the interaction when it is the deciding one. */
  respond(project: string, id: string, input: RespondInput): Promise<Interaction>
  /**
   * Withdraws a pending interaction: it ends as `cancelled`, leaves every inbox, and a run-linked one
   * resumes its run with a `cancelled` signal. Ended ones are `not_pending`.
   */
  cancel(project: string, id: string, input: CancelInput): Promise<Interaction>
  /**
   * Hands a pending interaction over from one actor to another, in one write with its inboxes and a
   * `reassigned` history event: a member or agent target is replaced by `to` (`from`, when given,
   * must be the current target); in a group, `to` takes the place in the snapshot of `from`, who
   * must not have responded yet, along with any claim `from` holds. `by` is recorded as given: who
   * may reassign is the host's decision.
   *
   * @example
   * import { createInteractions } from '@hitl/interactions'
   *
   * const interactions = createInteractions({ directory })
   * await interactions.reassign('acme', id, {
   *   by: { type: 'member', id: 'user_lead' },
   *   from: { type: 'member', id: 'user_bob' },
   *   to: { type: 'member', id: 'user_carol' },
   *   reason: 'Bob is on leave',
   * })
   */
  reassign(project: string, id: string, input: ReassignInput): Promise<Interaction>
  /**
   * Cancels every pending interaction of a run, for a run that ended or was cancelled in its engine;
   * returns how many it cancelled. Calling it again cancels nothing more.
   */
  cancelRun(project: string, runId: string, input: CancelInput): Promise<{ cancelled: number }>
  /** The pending interactions an actor may act on now, oldest first. */
  inbox(project: string, actor: Participant, options?: InboxOptions): Promise<InboxPage>
  /**
   * Runs every timed transition that has come due on up to `limit` interactions (expiry, claim lapses,
   * escalation steps), each exactly once even with several sweepers; run it on a schedule.
   */
  sweep(options?: { limit?: number }): Promise<SweepReport>
  /** The same sweep as {@link Interactions.sweep}, reporting only how many interactions it expired. */
  expireDue(options?: { limit?: number }): Promise<{ expired: number }>
  /** Sends up to `limit` due signals and notifications from the outbox; run it on a schedule. */
  deliverSignals(options?: { limit?: number }): Promise<DeliveryReport>
  /** Dead-lettered signals and notifications with their last error, in id order. */
  failedSignals(options?: { limit?: number; after?: string }): Promise<OutboxEntry[]>
  /** Puts a dead-lettered signal or notification back in the outbox, due now, with its attempts reset. */
  retrySignal(id: string): Promise<OutboxEntry>
  /**
   * Deletes delivered signals and notifications older than `olderThan` from the outbox, in batches;
   * run it on a schedule. Never pending or dead ones.
   */
  pruneSignals(options: PruneSignalsOptions): Promise<{ pruned: number }>
}
