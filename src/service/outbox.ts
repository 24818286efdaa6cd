import { addMilliseconds } from 'date-fns/addMilliseconds'
import { nanoid } from 'nanoid'
import { z } from 'zod'
import { describeError, InteractionError } from '../errors.js'
import { LIMITS } from '../model/limits.js'
import type { OutboxEntry, Signal } from '../model/signal.js'
import type { InteractionStore, SignalDelivery, SignalLease, SignalOutcome } from '../ports.js'
import { backoffDelay } from './backoff.js'
import { settleEach } from './concurrently.js'
import { parse } from './parse.js'
import type { DeliveryPolicy, DeliveryReport } from './types.js'

/** Deliveries one `deliverSignals` pass runs at once: enough to overlap slow receivers, few enough to finish within a lease. */
const DELIVERY_CONCURRENCY = 8

const BatchOptionsSchema = z.strictObject({ limit: z.int().min(1).max(10_000).default(100) })
const SignalIdSchema = z.string().min(1).max(LIMITS.identifier * 2)
const FailedSignalsOptionsSchema = z.strictObject({ limit: z.int().min(1).max(1_000).default(100), after: SignalIdSchema.optional() })

/** An error that a signal adapter marks as not worth retrying, such as an HTTP 400 from a receiver. */
const isPermanent = (error: unknown) => typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true

/** The delivery half of the service: outbox entries, dispatch with retries, dead letters. */
export function createOutbox(options: {
  store: InteractionStore
  signals: SignalDelivery | undefined
  /** The current time: the store's clock when it has one, else the service's. */
  now: () => Promise<Date>
  random: () => number
  delivery: DeliveryPolicy
}) {
  const { store, signals, now, random, delivery } = options

  const newLease = (now: Date): SignalLease => ({ owner: `lease_${nanoid()}`, until: addMilliseconds(now, delivery.leaseMs).toISOString() })

  const requireSignals = () => {
    if (!signals) throw new InteractionError('configuration', 'createInteractions needs a `signals` adapter to deliver signals of run-linked interactions')
    return signals
  }

  /**
   * Delivers one leased entry and records the outcome. Never rejects: when recording fails, the
   * lease runs out and another pass delivers the entry again, which is what at-least-once allows.
   */
  async function dispatch(entry: OutboxEntry): Promise<keyof DeliveryReport> {
    // Reading the time may fail like recording (a store's clock is a query): both count as not recorded.
    const settle = (outcome: (at: Date) => SignalOutcome) =>
      now().then((at) => store.settleSignal(entry.id, entry.lease_owner!, outcome(at))).catch(() => false)
    try {
      await requireSignals().deliver(entry.signal)
    } catch (error) {
      const dead = isPermanent(error) || entry.attempts >= delivery.maxAttempts
      const next = (at: Date) => addMilliseconds(at, backoffDelay(delivery, entry.attempts, random)).toISOString()
      const reason = describeError(error)
      await settle((at) => (dead ? { status: 'dead', error: reason } : { status: 'pending', error: reason, next_attempt_at: next(at) }))
      return dead ? 'dead' : 'retrying'
    }
    await settle((at) => ({ status: 'delivered', at: at.toISOString() }))
    return 'delivered'
  }

  return {
    requireSignals,
    dispatch,

    /** An outbox entry already leased by the call that writes it, so it can deliver at once without racing a dispatcher. */
    entryFor(signal: Signal, now: Date): OutboxEntry {
      const lease = newLease(now)
      return {
        id: signal.idempotency_key,
        signal,
        status: 'pending',
        attempts: 1,
        next_attempt_at: now.toISOString(),
        lease_owner: lease.owner,
        lease_expires_at: lease.until,
        created_at: now.toISOString(),
      }
    },

    async deliverSignals(deliverOptions: unknown = {}): Promise<DeliveryReport> {
      const { limit } = parse(BatchOptionsSchema, deliverOptions, 'deliverSignals options')
      requireSignals()
      const at = await now()
      const entries = await store.leaseSignals({ now: at.toISOString(), limit, lease: newLease(at) })
      const report: DeliveryReport = { delivered: 0, retrying: 0, dead: 0 }
      for (const outcome of await settleEach(entries, DELIVERY_CONCURRENCY, dispatch)) if (outcome.status === 'fulfilled') report[outcome.value]++
      return report
    },

    async failedSignals(listOptions: unknown = {}): Promise<OutboxEntry[]> {
      const { limit, after } = parse(FailedSignalsOptionsSchema, listOptions, 'failedSignals options')
      return store.listSignals({ status: 'dead', limit, ...(after !== undefined && { after }) })
    },

    async retrySignal(id: string): Promise<OutboxEntry> {
      parse(SignalIdSchema, id, 'id', ['id'])
      const revived = await store.reviveSignal(id, (await now()).toISOString())
      if (!revived) throw new InteractionError('not_found', `no dead-lettered signal with id ${id}`)
      return revived
    },
  }
}
