import { z } from 'zod'
import { InteractionError } from '../errors.js'
import { inboxOf } from '../machine/policies.js'
import type { InboxChange, InteractionStore, ModifyQuery, Write } from '../ports.js'
import { backoffDelay, sleep, type BackoffPolicy } from '../service/backoff.js'
import { configurationError, count, method, milliseconds, optionIssues } from '../service/configuration.js'

/** A conditional write: what `compareAndSwapStore` asks of the base store for each attempt. */
export interface CompareAndSwapQuery {
  /** The `version` of the record the decision was made on. */
  expectedVersion: number
  /**
   * What the decision writes: the record, its inbox list, its new history events and its outbox
   * entries. The inbox is always the full list, never an {@link InboxChange}: a store that rewrites the
   * whole record on each write gains nothing from a smaller change, and its author handles one form.
   */
  write: Write & { inbox: string[] }
}

/**
 * A store with everything of {@link InteractionStore} but `modify`, plus a conditional write: the
 * base that {@link compareAndSwapStore} completes.
 */
export interface CompareAndSwapStoreBase extends Omit<InteractionStore, 'modify'> {
  /**
   * Writes `write` as one atomic step only if the stored record's `version` still equals
   * `expectedVersion`: the record, the inbox list replacing the previous one, the history events
   * numbered after the record's last one, and each outbox entry unless one with its id exists.
   * Resolves false, having written nothing, when the version differs or the record is gone.
   */
  compareAndSwap(query: CompareAndSwapQuery): Promise<boolean>
}

/** How `compareAndSwapStore` retries a write that lost a race. */
export interface CompareAndSwapOptions {
  /** How many times one `modify` reads, decides and writes before it fails with `conflict` (default 30). */
  attempts?: number
  /** The wait before the first retry, in milliseconds; each later one waits twice as long (default 2). */
  baseMs?: number
  /** No wait is longer than this, in milliseconds (default 100). */
  maxMs?: number
  /** Random numbers in [0, 1) that spread the waits of concurrent callers (default `Math.random`). */
  random?: () => number
}

const RETRY_FACTOR = 2

// The defaults keep a hot record's callers retrying for about two seconds before one gives up.
const OptionsSchema = z.strictObject(
  {
    attempts: count(30),
    baseMs: milliseconds(2),
    maxMs: milliseconds(100),
    random: method('() => number in [0, 1)').optional(),
  },
  { error: 'must be an object of options' },
)
const BaseSchema = z.looseObject(
  {
    get: method('get({ project, id })'),
    compareAndSwap: method('compareAndSwap({ expectedVersion, write }) => Promise<boolean>'),
  },
  { error: 'must be a store object with get and compareAndSwap' },
)

/**
 * Turns a store that can only read and write conditionally (a DynamoDB table with a condition on
 * `version`, a key-value store with compare-and-swap) into a full {@link InteractionStore}. Its
 * `modify` reads the record, decides at the base store's time (`now`, when it has one), and writes
 * with `compareAndSwap`; when another write landed in between, it reads and decides again, waiting
 * a jittered, growing delay, and after `attempts` tries it fails with `conflict`. There is no
 * transaction to share, so `withinTransaction` is never called: the service delivers the signal
 * after the write instead. Each write hands the base the full inbox list, also where the decision
 * wrote an {@link InboxChange}.
 *
 * @example
 * import { compareAndSwapStore } from '@hitl/interactions/adapter'
 * import { createInteractions } from '@hitl/interactions'
 *
 * const interactions = createInteractions({ store: compareAndSwapStore(dynamoBase(table), { attempts: 10 }) })
 */
export function compareAndSwapStore(base: CompareAndSwapStoreBase, options: CompareAndSwapOptions = {}): InteractionStore {
  const checkedBase = BaseSchema.safeParse(base)
  const parsed = OptionsSchema.safeParse(options)
  const issues = [
    ...(checkedBase.error ? optionIssues(checkedBase.error, ['base']) : []),
    ...(parsed.error ? optionIssues(parsed.error, ['options']) : []),
  ]
  if (!parsed.success || issues.length > 0) throw configurationError('compareAndSwapStore arguments', issues)
  const { attempts, baseMs, maxMs } = parsed.data
  const backoff: BackoffPolicy = { baseMs, maxMs, factor: RETRY_FACTOR }
  const random = options.random ?? Math.random

  async function modify<T>({ project, id, decide }: ModifyQuery<T>): Promise<{ result: T } | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = await base.get({ project, id })
      if (!current) return undefined
      const { result, write } = decide(current, await base.now?.())
      if (!write) return { result }
      const listed = { ...write, inbox: Array.isArray(write.inbox) ? write.inbox : inboxOf(write.record) }
      if (await base.compareAndSwap({ expectedVersion: current.version, write: listed })) return { result }
      if (attempt >= attempts) {
        throw new InteractionError('conflict', `interaction ${id} changed under ${attempt} concurrent attempts to write it; try again`)
      }
      await sleep(backoffDelay(backoff, attempt, random))
    }
  }

  // Delegates rather than spreads, so a base that is a class instance keeps its prototype's methods.
  return {
    name: base.name,
    create: (query) => base.create(query),
    get: (query) => base.get(query),
    findByIdempotencyKey: (query) => base.findByIdempotencyKey(query),
    modify,
    history: (query) => base.history(query),
    runInteractions: (query) => base.runInteractions(query),
    inbox: (query) => base.inbox(query),
    due: (query) => base.due(query),
    ...(base.now && { now: () => base.now!() }),
    outbox: base.outbox,
  }
}
