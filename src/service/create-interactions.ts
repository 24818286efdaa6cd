import { addMilliseconds } from 'date-fns/addMilliseconds'
import { z } from 'zod'
import { InteractionError, isInteractionError, validationError } from '../errors.js'
import type { InteractionEvent, Refusal } from '../machine/machine.js'
import { notificationsOf } from '../machine/notifications.js'
import { creationIssues, inboxOf } from '../machine/policies.js'
import { step, unlistedBy, wakeAtOf, type StepResult } from '../machine/step.js'
import { actorKey, IdentifierSchema, ParticipantSchema, type Actor, type Participant } from '../model/actor.js'
import { CreateInteractionInputSchema, escalationTimingIssues, type Interaction } from '../model/interaction.js'
import { lazily } from '../model/lazily.js'
import { LIMITS } from '../model/limits.js'
import { ReassignInputSchema } from '../model/reassign.js'
import { CancelInputSchema, RespondInputSchema } from '../model/response.js'
import type { NewHistoryEvent } from '../model/history.js'
import { isSignalEntry, type OutboxEntry, type SignalEntry } from '../model/signal.js'
import type { Decision, InboxPosition, InteractionStore, Write } from '../ports.js'
import { settleEach } from './concurrently.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { newInteractionId } from './ids.js'
import { checkGrownSnapshot, resolveMembers } from './members.js'
import { createOutbox } from './outbox.js'
import { resolveOptions } from './options.js'
import { parse } from './parse.js'
import { createTelemetry, type Telemetry } from './telemetry.js'
import type { Interactions, InteractionsOptions, SweepReport } from './types.js'

/** Interactions one sweep applies at once; each may wait for the first delivery of its signal and notifications. */
const SWEEP_CONCURRENCY = 8

// Built once, on first use: constructing a zod schema costs far more than using it, and importing
// the package need not build them.
const schemas = lazily(() => ({
  id: z.string().min(1).max(LIMITS.identifier),
  inboxOptions: z.strictObject({
    limit: z.int().min(1).max(LIMITS.inboxPage).default(20),
    cursor: z.string().max(1_000).nullish(),
  }),
  sweepOptions: z.strictObject({ limit: z.int().min(1).max(10_000).default(100) }),
}))

const refusalError = (refusal: Refusal) => new InteractionError(refusal.code, refusal.message, { issues: refusal.issues })
const projectOf = (project: unknown) => parse(IdentifierSchema, project, 'project', ['project'])
const isParticipant = (actor: Actor | undefined): actor is Participant => actor !== undefined && actor.type !== 'group'

/** What the store keeps beside a record: the inboxes that list it, its new history events, and when the sweep must look at it. */
const writeOf = <Inbox extends Write['inbox']>(record: Interaction, events: NewHistoryEvent[], inbox: Inbox): Write & { inbox: Inbox } => {
  const wakeAt = wakeAtOf(record)
  return { record, inbox, events, ...(wakeAt !== undefined && { wakeAt }) }
}

/**
 * The inboxes of a decided record: to a store that takes changes, an answer that only takes its
 * responder out says so, rather than listing a large group again.
 */
const inboxesAfter = (record: Interaction, events: NewHistoryEvent[], store: InteractionStore): Write['inbox'] => {
  const unlisted = store.inboxChanges ? unlistedBy(record, events) : undefined
  return unlisted === undefined ? inboxOf(record) : { remove: [unlisted] }
}

/** The write with its outbox entries, if any; set on it rather than spread into a copy, which costs far more on Node 20. */
const withOutbox = <W extends Write>(write: W, entries: OutboxEntry[]): W => {
  if (entries.length > 0) write.outbox = entries
  return write
}

/**
 * The service over the options' store, or `defaultStore()` when none is given; `createInteractions`
 * from the package entry supplies the memory store. `telemetry` is replaced only by tests.
 */
export function createInteractionsWith(
  options: InteractionsOptions,
  defaultStore: () => InteractionStore,
  telemetry: Telemetry = createTelemetry(),
): Interactions {
  const { directory, clock, random, delivery, ...resolved } = resolveOptions(options)
  const store = resolved.store ?? defaultStore()
  // A store with a clock of its own (PostgreSQL's, by default) sets the time, so instances sharing it agree.
  // Without one, the time is read at once, rather than through a promise that every await would wait a turn for.
  const now = (): Date | Promise<Date> => (store.now ? store.now() : clock())
  const outbox = createOutbox({ store, signals: resolved.signals, notifier: resolved.notifier, now, random, delivery, telemetry })

  /**
   * The outbox entries of a write: its signal, if any, and the notifications its events cause. Without
   * a notifier no notification is written, so none waits for a delivery nobody configured.
   */
  const entriesOf = (
    { record, events, states, signal }: Pick<StepResult, 'record' | 'events' | 'states' | 'signal'>,
    at: Date,
  ): OutboxEntry[] => [
    ...(signal ? [outbox.entryFor({ signal }, at)] : []),
    ...(resolved.notifier ? notificationsOf(record, events, states).map((notification) => outbox.entryFor({ notification }, at)) : []),
  ]

  /** The first delivery of a write's entries, right after it; what fails waits in the outbox for `deliverSignals`. */
  const dispatchAll = async (entries: OutboxEntry[]) => {
    // Most writes have no entry, or only their signal: neither needs the promises Promise.all makes.
    if (entries.length === 1) await outbox.dispatch(entries[0]!)
    else if (entries.length > 1) await Promise.all(entries.map((entry) => outbox.dispatch(entry)))
  }

  /**
   * The one write path: the store's atomic read-decide-write runs the pure step on the current
   * record, and writes the next record with its inbox list, history events, wake-up and outbox
   * entries together; then those entries get their first delivery. Without an event (a read), the
   * record is read without a lock and nothing is written unless a timer has come due.
   */
  async function apply(project: string, id: string, event?: (at: string) => InteractionEvent) {
    parse(schemas().id, id, 'id', ['id'])
    const notFound = () => new InteractionError('not_found', `interaction ${id} not found in project ${project}`)
    const decide = (current: Interaction, storeTime: Date | undefined): Decision<StepResult> => {
      const at = storeTime ?? clock()
      const result = step(current, event?.(at.toISOString()), at)
      if (!result.changed) return { result }
      const entries = entriesOf(result, at)
      return {
        result,
        write: withOutbox(writeOf(result.record, result.events, inboxesAfter(result.record, result.events, store)), entries),
      }
    }

    if (!event) {
      const current = await store.get({ project, id })
      if (!current) throw notFound()
      const read = decide(current, store.now && (await store.now()))
      if (!read.write) return read.result
    }
    // Set when the signals adapter sent the signal inside the store's transaction, which then committed.
    let sentInTransaction = false
    const deliverInTransaction = resolved.signals?.deliverInTransaction?.bind(resolved.signals)
    let written: Write | undefined
    const modified = await store.modify({
      project,
      id,
      decide: (current, storeTime) => {
        const decision = decide(current, storeTime)
        written = decision.write
        return decision
      },
      ...(deliverInTransaction && {
        withinTransaction: async (entry: SignalEntry, transaction: unknown) => {
          await telemetry.delivering(entry, () => deliverInTransaction(entry.signal, transaction))
          sentInTransaction = true
        },
      }),
    })
    if (!modified) throw notFound()
    // Once ended, a record never changes again: a write of an ended record is the one that ended it.
    if (written && written.record.status !== 'pending') telemetry.ended(written.record)
    // Without a signals adapter (an instance that only reads), a signal waits for an instance that has one.
    const undelivered = (written?.outbox ?? []).filter((entry) => !isSignalEntry(entry) || (resolved.signals && !sentInTransaction))
    await dispatchAll(undelivered)
    if (modified.result.refusal) throw refusalError(modified.result.refusal)
    return modified.result
  }

  /**
   * Applies every timer that has come due to up to `limit` records the store hands out, and counts
   * the history events those writes recorded: the events a write adds are exactly what it did.
   */
  async function sweep(sweepOptions: unknown, what: string): Promise<SweepReport> {
    const { limit } = parse(schemas().sweepOptions, sweepOptions, what)
    const at = await now()
    const claimUntil = addMilliseconds(at, delivery.leaseMs).toISOString()
    const due = await store.due({ now: at.toISOString(), limit, claimUntil })
    // A read applies what time has made due; one that another caller changed first changes nothing more.
    const outcomes = await settleEach(due, SWEEP_CONCURRENCY, (record) => apply(record.project, record.id))
    const report: SweepReport = { expired: 0, claims_lapsed: 0, reminded: 0, escalated: 0 }
    const counted = { expired: 'expired', claim_lapsed: 'claims_lapsed', reminded: 'reminded', escalated: 'escalated' } as const
    const failures: unknown[] = []
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') failures.push(outcome.reason)
      else for (const { type } of outcome.value.events) if (type in counted) report[counted[type as keyof typeof counted]]++
    }
    // The rest of the batch is done; what could not be applied stays due for the next sweep.
    if (failures.length > 0) throw failures[0]
    return report
  }

  return telemetry.instrument({
    async create(rawProject, input) {
      const project = projectOf(rawProject)
      const parsed = parse(CreateInteractionInputSchema, input, 'create input')
      // A retry returns the first interaction before anything else is checked, so it succeeds
      // even after that interaction's expires_at has passed or its group has changed.
      if (parsed.idempotency_key !== undefined) {
        const existing = await store.findByIdempotencyKey({ project, key: parsed.idempotency_key })
        if (existing) return (await apply(project, existing.id)).record
      }
      const at = await now()
      if (parsed.expires_at !== undefined && Date.parse(parsed.expires_at) <= at.getTime()) {
        throw validationError('create input', [
          { path: ['expires_at'], message: `must be after the current time (got ${parsed.expires_at}, now ${at.toISOString()})` },
        ])
      }
      const timingIssues = escalationTimingIssues(parsed, at)
      if (timingIssues.length > 0) throw validationError('create input', timingIssues)
      if (parsed.run_id !== undefined) outbox.requireSignals()
      const isGroup = parsed.target_actor.type === 'group'
      const createdAt = at.toISOString()
      // Keys added to a new object, not after a spread: on Node 20 each key added to a copy made by a
      // spread builds a new hidden class, a microsecond or more per key and call.
      const record: Interaction = Object.assign({}, parsed, {
        id: newInteractionId(),
        project,
        status: 'pending' as const,
        responses: [],
        created_at: createdAt,
        updated_at: createdAt,
        version: 1,
        ...(isGroup && {
          routing_policy: parsed.routing_policy ?? 'first_responder',
          members: await resolveMembers(directory, project, parsed.target_actor.id),
        }),
        ...(parsed.quorum && { tally: { approvals: 0, rejections: 0, responses: 0, required: parsed.quorum.required } }),
        ...(parsed.expires_at !== undefined && { expires_at: new Date(parsed.expires_at).toISOString() }),
      })
      if (record.members) checkGrownSnapshot(record.members, record.escalation)
      const unanswerable = creationIssues(record)
      if (unanswerable.length > 0) throw validationError('create input', unanswerable)
      // A concurrent create with the same key may have won since the lookup: the store decides.
      const created_event = {
        type: 'created' as const,
        at: record.created_at,
        ...(isParticipant(parsed.requested_by) && { actor: parsed.requested_by }),
      }
      const entries = entriesOf({ record, events: [created_event], states: [record] }, at)
      const write = withOutbox(writeOf(record, [created_event], inboxOf(record)), entries)
      const { interaction, created } = await store.create(write)
      if (!created) return (await apply(project, interaction.id)).record
      await dispatchAll(entries)
      return interaction
    },

    async get(project, id) {
      return (await apply(projectOf(project), id)).record
    },

    async history(project, id) {
      const tenant = projectOf(project)
      // As `get` does: an unknown interaction is not_found, and a due one is expired first, so its history ends with it.
      await apply(tenant, id)
      return store.history({ project: tenant, id })
    },

    async claim(project, id, actor) {
      const tenant = projectOf(project)
      const claimant = parse(ParticipantSchema, actor, 'actor', ['actor'])
      return (await apply(tenant, id, (at) => ({ type: 'claim', actor: claimant, at }))).record
    },

    async release(project, id, actor) {
      const tenant = projectOf(project)
      const claimant = parse(ParticipantSchema, actor, 'actor', ['actor'])
      return (await apply(tenant, id, (at) => ({ type: 'release', actor: claimant, at }))).record
    },

    async respond(project, id, input) {
      const tenant = projectOf(project)
      const { actor, value, comment } = parse(RespondInputSchema, input, 'response')
      return (await apply(tenant, id, (at) => ({ type: 'respond', actor, value, ...(comment !== undefined && { comment }), at }))).record
    },

    async cancel(project, id, input) {
      const tenant = projectOf(project)
      const { actor, reason } = parse(CancelInputSchema, input, 'cancel input')
      return (await apply(tenant, id, (at) => ({ type: 'cancel', actor, ...(reason !== undefined && { reason }), at }))).record
    },

    async reassign(project, id, input) {
      const tenant = projectOf(project)
      const { by, to, from, reason } = parse(ReassignInputSchema, input, 'reassign input')
      const reassign = (at: string): InteractionEvent => ({
        type: 'reassign',
        actor: by,
        to,
        ...(from !== undefined && { from }),
        ...(reason !== undefined && { reason }),
        at,
      })
      return (await apply(tenant, id, reassign)).record
    },

    async cancelRun(project, runId, input) {
      const tenant = projectOf(project)
      const run_id = parse(IdentifierSchema, runId, 'run_id', ['run_id'])
      const { actor, reason } = parse(CancelInputSchema, input, 'cancel input')
      let cancelled = 0
      let after: InboxPosition | undefined
      for (;;) {
        const page = await store.runInteractions({
          project: tenant,
          run_id,
          status: 'pending',
          limit: SWEEP_CONCURRENCY,
          ...(after && { after }),
        })
        const outcomes = await settleEach(page, SWEEP_CONCURRENCY, (record) =>
          apply(tenant, record.id, (at) => ({ type: 'cancel', actor, ...(reason !== undefined && { reason }), at })),
        )
        for (const outcome of outcomes) {
          if (outcome.status === 'fulfilled') cancelled++
          // Answered, expired or cancelled by someone else since the listing: it has ended either way.
          else if (!isInteractionError(outcome.reason, 'not_pending')) throw outcome.reason
        }
        if (page.length < SWEEP_CONCURRENCY) return { cancelled }
        after = page.at(-1)
      }
    },

    async inbox(project, actor, inboxOptions = {}) {
      const tenant = projectOf(project)
      const participant = parse(ParticipantSchema, actor, 'actor', ['actor'])
      const { limit, cursor } = parse(schemas().inboxOptions, inboxOptions, 'inbox options')
      const scope = { project: tenant, actor: participant }
      const items = await store.inbox({
        project: tenant,
        actorKey: actorKey(participant),
        now: (await now()).toISOString(),
        limit: limit + 1,
        ...(cursor && { after: decodeCursor(scope, cursor) }),
      })
      const page = items.slice(0, limit)
      const last = page.at(-1)
      return { items: page, next_cursor: items.length > limit && last ? encodeCursor(scope, last) : null }
    },

    sweep: (sweepOptions = {}) => sweep(sweepOptions, 'sweep options'),

    async expireDue(sweepOptions = {}) {
      const { expired } = await sweep(sweepOptions, 'expireDue options')
      return { expired }
    },

    deliverSignals: outbox.deliverSignals,
    failedSignals: outbox.failedSignals,
    retrySignal: outbox.retrySignal,
    pruneSignals: outbox.pruneSignals,
  })
}
