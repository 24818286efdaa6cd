import { addMilliseconds } from 'date-fns/addMilliseconds'
import { nanoid } from 'nanoid'
import { z } from 'zod'
import { describeError, InteractionError } from '../errors.js'
import { lazily } from '../model/lazily.js'
import { copyJson } from '../model/json.js'
import { LIMITS } from '../model/limits.js'
import type { InteractionNotification } from '../model/notification.js'
import { isSignalEntry, type OutboxEntry, type Signal } from '../model/signal.js'
import type {
  InteractionStore,
  Notifier,
  OutboxEntryKind,
  SignalDelivery,
  SignalDeliveryFailure,
  SignalLease,
  SignalOutcome,
} from '../ports.js'
import { backoffDelay } from './backoff.js'
import { parse } from './parse.js'
import type { Telemetry } from './telemetry.js'
import type { DeliveryPolicy, DeliveryReport } from './types.js'

/** Deliveries one `deliverSignals` pass runs at once: enough to overlap slow receivers. */
const DELIVERY_CONCURRENCY = 8
/** Entries one store call of `pruneSignals` deletes, so no statement holds many rows at once. */
const PRUNE_BATCH = 1_000
/** The longest retention `pruneSignals` takes: a century, so the cutoff stays a date every store can hold. */
const MAX_RETENTION_MS = 100 * 365 * 24 * 60 * 60_000

// Built on first use, as importing the package need not build them.
const schemas = lazily(() => {
  const signalId = z
    .string()
    .min(1)
    .max(LIMITS.identifier * 2)
  return {
    batchOptions: z.strictObject({ limit: z.int().min(1).max(10_000).default(100) }),
    signalId,
    failedSignalsOptions: z.strictObject({ limit: z.int().min(1).max(1_000).default(100), after: signalId.optional() }),
    pruneOptions: z.strictObject({
      olderThan: z.int().min(0).max(MAX_RETENTION_MS),
      limit: z.int().min(1).max(1_000_000).default(10_000),
    }),
  }
})

/**
 * What a failed delivery's error says: `permanent` (not worth retrying, such as an HTTP 400) and
 * `retryAfterMs` (a wait the receiver asked for); anything else in those fields is ignored.
 */
function failureOf(error: unknown): { permanent: boolean; retryAfterMs: number } {
  const { permanent, retryAfterMs } = typeof error === 'object' && error !== null ? (error as SignalDeliveryFailure) : {}
  // Number.isFinite is false for anything but a finite number, strings included.
  return { permanent: permanent === true, retryAfterMs: Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs!) : 0 }
}

/** The report field of each outcome a pass settles. */
const REPORTED_AS: Record<SignalOutcome['status'], keyof DeliveryReport> = { delivered: 'delivered', pending: 'retrying', dead: 'dead' }

/** The delivery half of the service: outbox entries, dispatch with retries, dead letters. */
export function createOutbox(options: {
  store: InteractionStore
  signals: SignalDelivery | undefined
  notifier: Notifier | undefined
  /** The current time: the store's clock when it has one, else the service's. */
  now: () => Date | Promise<Date>
  random: () => number
  delivery: DeliveryPolicy
  telemetry: Telemetry
}) {
  const { store, signals, notifier, now, random, delivery, telemetry } = options

  const newLease = (now: Date): SignalLease => ({ owner: `lease_${nanoid()}`, until: addMilliseconds(now, delivery.leaseMs).toISOString() })

  const requireSignals = () => {
    if (!signals)
      throw new InteractionError(
        'configuration',
        'createInteractions needs a `signals` adapter to deliver signals of run-linked interactions',
      )
    return signals
  }

  const requireNotifier = () => {
    if (!notifier) throw new InteractionError('configuration', 'createInteractions needs a `notifier` to deliver notifications')
    return notifier
  }

  /**
   * Sends a copy of what an entry carries to the adapter for it: the adapter may change what it gets,
   * and a first delivery's payload shares frozen parts with the record the memory store keeps.
   */
  const send = (entry: OutboxEntry) =>
    isSignalEntry(entry) ? requireSignals().deliver(copyJson(entry.signal)) : requireNotifier().notify(copyJson(entry.notification))

  /**
   * Delivers one leased entry and records the outcome; returns the report field to count, or
   * undefined when the outcome could not be recorded. Never rejects: when recording fails (the store
   * unreachable, or the lease taken over by another pass), the entry is left to whoever holds it or
   * to the next pass after the lease, which is what at-least-once allows.
   */
  async function dispatch(entry: OutboxEntry): Promise<keyof DeliveryReport | undefined> {
    let outcome: (at: Date) => SignalOutcome
    try {
      await telemetry.delivering(entry, () => send(entry))
      outcome = (at) => ({ status: 'delivered', at: at.toISOString() })
    } catch (error) {
      const { permanent, retryAfterMs } = failureOf(error)
      const reason = describeError(error)
      if (permanent || entry.attempts >= delivery.maxAttempts) outcome = () => ({ status: 'dead', error: reason })
      else {
        // The receiver's wait when it asked for one longer than the backoff, under the same cap.
        const wait = Math.min(delivery.maxMs, Math.max(backoffDelay(delivery, entry.attempts, random), retryAfterMs))
        outcome = (at) => ({ status: 'pending', error: reason, next_attempt_at: addMilliseconds(at, wait).toISOString() })
      }
    }
    const settle = async () => {
      const settled = outcome(await now())
      return (await store.outbox.settle({ id: entry.id, owner: entry.lease_owner!, outcome: settled }))
        ? REPORTED_AS[settled.status]
        : undefined
    }
    // Reading the time may fail like recording (a store's clock is a query): both count as not recorded.
    return settle().catch(() => undefined)
  }

  return {
    requireSignals,
    dispatch,

    /**
     * An outbox entry already leased by the call that writes it, so it can deliver at once without
     * racing a dispatcher; its id is the payload's idempotency key.
     */
    entryFor(payload: { signal: Signal } | { notification: InteractionNotification }, now: Date): OutboxEntry {
      const lease = newLease(now)
      const at = now.toISOString()
      return {
        id: 'signal' in payload ? payload.signal.idempotency_key : payload.notification.id,
        ...payload,
        status: 'pending',
        attempts: 1,
        next_attempt_at: at,
        lease_owner: lease.owner,
        lease_expires_at: lease.until,
        created_at: at,
      }
    },

    async deliverSignals(deliverOptions: unknown = {}): Promise<DeliveryReport> {
      // Only what this instance can send: the rest waits for an instance with the adapter, instead of failing here.
      const kinds: OutboxEntryKind[] = [...(signals ? ['signal' as const] : []), ...(notifier ? ['notification' as const] : [])]
      const { limit } = parse(schemas().batchOptions, deliverOptions, 'deliverSignals options')
      if (!notifier) requireSignals()
      const report: DeliveryReport = { delivered: 0, retrying: 0, dead: 0 }
      let taken = 0
      // Each worker leases one entry right before it sends it, so a lease always starts with its
      // send, however long the pass runs; a batch leased up front would see the leases of its last
      // entries run out while they wait their turn, and another pass send them too.
      const worker = async () => {
        while (taken < limit) {
          taken++
          const at = await now()
          const [entry] = await store.outbox.lease({ now: at.toISOString(), limit: 1, lease: newLease(at), kinds })
          if (!entry) return
          const counted = await dispatch(entry)
          if (counted) report[counted]++
        }
      }
      const workers = await Promise.allSettled(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, limit) }, worker))
      const failed = workers.find((outcome) => outcome.status === 'rejected')
      if (failed) throw failed.reason
      return report
    },

    async failedSignals(listOptions: unknown = {}): Promise<OutboxEntry[]> {
      const { limit, after } = parse(schemas().failedSignalsOptions, listOptions, 'failedSignals options')
      return store.outbox.list({ status: 'dead', limit, ...(after !== undefined && { after }) })
    },

    async retrySignal(id: string): Promise<OutboxEntry> {
      parse(schemas().signalId, id, 'id', ['id'])
      const revived = await store.outbox.revive({ id, now: (await now()).toISOString() })
      if (!revived) throw new InteractionError('not_found', `no dead-lettered signal with id ${id}`)
      return revived
    },

    async pruneSignals(pruneOptions: unknown): Promise<{ pruned: number }> {
      const { olderThan, limit } = parse(schemas().pruneOptions, pruneOptions, 'pruneSignals options')
      const deliveredBefore = addMilliseconds(await now(), -olderThan).toISOString()
      let pruned = 0
      while (pruned < limit) {
        const batch = Math.min(PRUNE_BATCH, limit - pruned)
        const deleted = await store.outbox.prune({ deliveredBefore, limit: batch })
        pruned += deleted
        if (deleted < batch) break
      }
      return { pruned }
    },
  }
}
