import { z } from 'zod'
import { InteractionError } from '../errors.js'
import { lazily } from '../model/lazily.js'
import type { Directory, InteractionStore, Notifier, SignalDelivery } from '../ports.js'
import { configurationError, count, growth, method, milliseconds, optionIssues } from './configuration.js'
import type { DeliveryPolicy, InteractionsOptions } from './types.js'

// Built on the first createInteractions, not when the package is imported.
const OptionsSchema = lazily(() => {
  // Loose: a store or adapter may have more methods than the service calls. The parsed copy is only
  // checked; the service keeps the object it was given, so a class instance keeps its prototype.
  const StoreSchema = z.looseObject(
    {
      name: z.string({ error: 'must be a string naming the store, e.g. memory' }),
      create: method('create({ record, inbox, events })'),
      get: method('get({ project, id })'),
      findByIdempotencyKey: method('findByIdempotencyKey({ project, key })'),
      modify: method('modify({ project, id, decide })'),
      history: method('history({ project, id })'),
      runInteractions: method('runInteractions(query)'),
      inbox: method('inbox(query)'),
      due: method('due({ now, limit, claimUntil })'),
      now: method('now()').optional(),
      outbox: z.looseObject(
        {
          lease: method('lease({ now, limit, lease })'),
          settle: method('settle({ id, owner, outcome })'),
          list: method('list({ status, limit, after })'),
          revive: method('revive({ id, now })'),
          prune: method('prune({ deliveredBefore, limit })'),
        },
        { error: "must be the store's outbox, an object with lease, settle, list, revive and prune" },
      ),
    },
    { error: 'must be a store object such as memoryStore() or postgresStore({ pool }): call the factory, do not pass it' },
  )
  const SignalsSchema = z.looseObject(
    {
      deliver: method('deliver(signal) => Promise<void>'),
      deliverInTransaction: method('deliverInTransaction(signal, transaction) => Promise<void>').optional(),
      timeoutMs: z.number('must be a number of milliseconds').positive('must be a number of milliseconds above 0').optional(),
    },
    { error: 'must be a signals adapter, an object with deliver(signal), such as callbackSignals((signal) => …), not a bare function' },
  )
  const NotifierSchema = z.looseObject(
    {
      notify: method('notify(notification) => Promise<void>'),
      timeoutMs: z.number('must be a number of milliseconds').positive('must be a number of milliseconds above 0').optional(),
    },
    { error: 'must be a notifier, an object with notify(notification), not a bare function' },
  )
  const DirectorySchema = z.looseObject(
    { membersOf: method('membersOf(project, groupId) => Promise<Actor[]>') },
    { error: 'must be a directory, an object with membersOf(project, groupId)' },
  )

  // Every field has its default, also when given as undefined; `prefault` fills an absent object the same way.
  const DeliverySchema = z
    .strictObject({
      maxAttempts: count(10),
      baseMs: milliseconds(1_000),
      factor: growth(2),
      maxMs: milliseconds(15 * 60_000),
      leaseMs: milliseconds(60_000),
    })
    .prefault({})

  return z.strictObject(
    {
      store: StoreSchema.optional(),
      signals: SignalsSchema.optional(),
      notifier: NotifierSchema.optional(),
      directory: DirectorySchema.optional(),
      clock: method('() => Date').optional(),
      delivery: DeliverySchema,
      random: method('() => number in [0, 1)').optional(),
    },
    { error: 'must be an object of options' },
  )
})

/** The options with every default applied; `store` stays absent when not given, for the caller's default. */
export interface ResolvedOptions {
  store: InteractionStore | undefined
  signals: SignalDelivery | undefined
  notifier: Notifier | undefined
  directory: Directory | undefined
  clock: () => Date
  random: () => number
  delivery: DeliveryPolicy
}

/** Options of earlier versions, with where their job went: the message says so instead of suspecting a typo. */
const MOVED: Record<string, string> = {
  conflictRetry:
    'is no longer an option of the service: the memory and PostgreSQL stores never lose a race, and a store of your own that ' +
    "retries gets its retries from compareAndSwapStore(base, { attempts, baseMs, maxMs }) in '@hitl/interactions/adapter'",
}

/**
 * Checks the options of `createInteractions` when it is called, so that a typo or a wrong value is
 * a `configuration` error naming the option at construction, not a surprise at first use.
 */
export function resolveOptions(options: InteractionsOptions): ResolvedOptions {
  const parsed = OptionsSchema().safeParse(options)
  if (!parsed.success) throw configurationError('createInteractions options', optionIssues(parsed.error, [], MOVED))
  const { delivery } = parsed.data
  for (const [adapter, timeoutMs] of [
    ['signals', options.signals?.timeoutMs],
    ['notifier', options.notifier?.timeoutMs],
  ] as const) {
    if (timeoutMs === undefined || timeoutMs < delivery.leaseMs) continue
    const message =
      `must be longer than the ${adapter} adapter's timeoutMs (${timeoutMs} ms), ` +
      `or a send still running when its lease ends may be sent again (got ${delivery.leaseMs} ms)`
    throw new InteractionError('configuration', `createInteractions: delivery.leaseMs ${message}`, {
      issues: [{ path: ['delivery', 'leaseMs'], message }],
    })
  }
  return {
    store: options.store,
    signals: options.signals,
    notifier: options.notifier,
    directory: options.directory,
    clock: options.clock ?? (() => new Date()),
    random: options.random ?? Math.random,
    delivery,
  }
}
