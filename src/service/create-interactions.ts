import { addMilliseconds } from 'date-fns/addMilliseconds'
import { nanoid } from 'nanoid'
import { z } from 'zod'
import { InteractionError, isInteractionError, validationError } from '../errors.js'
import type { InteractionEvent, Refusal } from '../machine/machine.js'
import { step } from '../machine/step.js'
import { IdentifierSchema, ParticipantSchema, sameActor, type Participant } from '../model/actor.js'
import { findNulCharacter } from '../model/json.js'
import { CreateInteractionInputSchema, isRunLinked, type CreateInteractionInput, type Interaction } from '../model/interaction.js'
import { LIMITS } from '../model/limits.js'
import { RespondInputSchema, type RespondInput } from '../model/response.js'
import type { OutboxEntry, Signal } from '../model/signal.js'
import type { Directory, InteractionStore, SignalDelivery } from '../ports.js'
import { memoryStore } from '../stores/memory/index.js'
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js'
import { decodeCursor, encodeCursor } from './cursor.js'

/** How failed signal deliveries are retried before they are dead-lettered. */
export interface DeliveryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included; after the last failure the entry is dead. */
  maxAttempts: number
  /** How long one dispatcher holds an entry; a crashed dispatcher's entries return after this. */
  leaseMs: number
}

/** Options of {@link createInteractions}. */
export interface InteractionsOptions {
  /** Where interactions and the signal outbox live. Defaults to a new {@link memoryStore}. */
  store?: InteractionStore
  /** Delivers signals to the engine that runs the linked workflow; required for run-linked interactions. */
  signals?: SignalDelivery
  /** Resolves group members at creation; required for group targets. */
  directory?: Directory
  /** The current time. Defaults to `() => new Date()`. */
  clock?: () => Date
  /** Retries of a call that lost a compare-and-swap race to a concurrent call. */
  conflictRetry?: Partial<BackoffPolicy & { attempts: number }>
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

/** The service a host calls: one per process, safe to share between concurrent requests. */
export interface Interactions {
  /** Creates a pending interaction, or returns the existing one for a repeated `idempotency_key`. */
  create(project: string, input: CreateInteractionInput): Promise<Interaction>
  /** The interaction; a pending one whose `expires_at` has passed is expired first. */
  get(project: string, id: string): Promise<Interaction>
  /** Claims a first-responder group interaction for one of its members. */
  claim(project: string, id: string, actor: Participant): Promise<Interaction>
  /** Gives up a claim, so that any member may claim or respond again. */
  release(project: string, id: string, actor: Participant): Promise<Interaction>
  /** Records a response; completes the interaction when it is the deciding one. */
  respond(project: string, id: string, input: RespondInput): Promise<Interaction>
  /** The pending interactions an actor may act on now, oldest first. */
  inbox(project: string, actor: Participant, options?: InboxOptions): Promise<InboxPage>
  /** Expires up to `limit` interactions whose `expires_at` has passed; run it on a schedule. */
  expireDue(options?: { limit?: number }): Promise<{ expired: number }>
  /** Sends up to `limit` due signals from the outbox; run it on a schedule. */
  deliverSignals(options?: { limit?: number }): Promise<DeliveryReport>
  /** Dead-lettered signals with their last error, in id order. */
  failedSignals(options?: { limit?: number; after?: string }): Promise<OutboxEntry[]>
  /** Puts a dead-lettered signal back in the outbox, due now, with its attempts reset. */
  retrySignal(id: string): Promise<OutboxEntry>
}

const DEFAULT_CONFLICT_RETRY = { attempts: 30, baseMs: 2, factor: 2, maxMs: 100 }
const DEFAULT_DELIVERY: DeliveryPolicy = { maxAttempts: 10, baseMs: 1_000, factor: 2, maxMs: 15 * 60_000, leaseMs: 60_000 }

const LimitSchema = (max: number) => z.int().min(1).max(max)
// Built once: constructing a zod schema costs far more than using it.
const IdSchema = z.string().min(1).max(LIMITS.identifier)
const SignalIdSchema = z.string().min(1).max(LIMITS.identifier * 2)
const InboxOptionsSchema = z.strictObject({ limit: LimitSchema(LIMITS.inboxPage).default(20), cursor: z.string().max(1_000).nullish() })
const BatchOptionsSchema = z.strictObject({ limit: LimitSchema(10_000).default(100) })
const FailedSignalsOptionsSchema = z.strictObject({ limit: LimitSchema(1_000).default(100), after: SignalIdSchema.optional() })
const MembersSchema = z.array(ParticipantSchema)

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string, path: (string | number)[] = []): T {
  const nul = findNulCharacter(value)
  if (nul) throw validationError(what, [{ path: nul, message: 'must not contain the NUL character (U+0000)' }], path)
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(what, result.error.issues, path)
  return result.data
}

const refusalError = (refusal: Refusal) => new InteractionError(refusal.code, refusal.message, { issues: refusal.issues })

/** An error that a signal adapter marks as not worth retrying, such as an HTTP 400 from a receiver. */
const isPermanent = (error: unknown) => typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2_000)

/**
 * Creates the interactions service over a store, a signal adapter and a directory.
 *
 * @example
 * import { createInteractions, memoryStore } from '@hitl/interactions'
 *
 * const interactions = createInteractions({
 *   store: memoryStore(),
 *   signals: { deliver: async (signal) => engine.resume(signal.run_id, signal.topic, signal) },
 * })
 * const approval = await interactions.create('acme', {
 *   type: 'approval',
 *   spec: { mode: 'confirm' },
 *   target_actor: { type: 'member', id: 'user_alice' },
 *   run_id: 'run_01abc',
 *   topic: 'deploy-gate',
 * })
 */
export function createInteractions(options: InteractionsOptions = {}): Interactions {
  const store = options.store ?? memoryStore()
  const { signals, directory } = options
  const clock = options.clock ?? (() => new Date())
  const random = options.random ?? Math.random
  const conflictRetry = { ...DEFAULT_CONFLICT_RETRY, ...options.conflictRetry }
  const delivery = { ...DEFAULT_DELIVERY, ...options.delivery }

  const newLease = (now: Date) => ({ owner: `lease_${nanoid()}`, until: addMilliseconds(now, delivery.leaseMs).toISOString() })

  /** An outbox entry already leased by this call, so it can deliver at once without racing a dispatcher. */
  const outboxEntryFor = (signal: Signal, now: Date): OutboxEntry => {
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
  }

  const requireSignals = () => {
    if (!signals) throw new InteractionError('configuration', 'createInteractions needs a `signals` adapter to deliver signals of run-linked interactions')
    return signals
  }

  /** Delivers one leased entry and records the outcome; never throws for a delivery failure. */
  async function dispatch(entry: OutboxEntry): Promise<keyof DeliveryReport> {
    const owner = entry.lease_owner!
    try {
      await requireSignals().deliver(entry.signal)
      await store.settleSignal(entry.id, owner, { status: 'delivered', at: clock().toISOString() })
      return 'delivered'
    } catch (error) {
      const dead = isPermanent(error) || entry.attempts >= delivery.maxAttempts
      const next = addMilliseconds(clock(), backoffDelay(delivery, entry.attempts, random)).toISOString()
      await store.settleSignal(entry.id, owner, dead ? { status: 'dead', error: errorText(error) } : { status: 'pending', error: errorText(error), next_attempt_at: next })
      return dead ? 'dead' : 'retrying'
    }
  }

  /**
   * Load → step → save → deliver. The save is the store's locked `modify` when it has one, else a
   * compare-and-swap: a lost race re-reads and steps again, so the machine always decides on the
   * latest record.
   */
  async function apply(project: string, id: string, event?: (at: string) => InteractionEvent) {
    parse(IdentifierSchema, project, 'project', ['project'])
    parse(IdSchema, id, 'id', ['id'])
    const notFound = () => new InteractionError('not_found', `interaction ${id} not found in project ${project}`)
    const decide = (current: Interaction) => {
      const now = clock()
      const result = step(current, event?.(now.toISOString()), now)
      const entry = result.signal && outboxEntryFor(result.signal, now)
      return { result, write: result.changed ? { record: result.record, ...(entry && { outbox: entry }) } : undefined }
    }
    // `outboxSettled`: the store already delivered the entry inside its transaction.
    const finish = async ({ result, write }: ReturnType<typeof decide>, outboxSettled = false) => {
      if (write?.outbox && !outboxSettled) await dispatch(write.outbox).catch(() => undefined)
      if (result.refusal) throw refusalError(result.refusal)
      return result
    }

    if (store.modify) {
      const decided = await store.modify(project, id, (current) => {
        const decision = decide(current)
        return { result: decision, write: decision.write }
      })
      if (!decided) throw notFound()
      return finish(decided.result, decided.outboxSettled === true)
    }
    for (let attempt = 1; ; attempt++) {
      const current = await store.get(project, id)
      if (!current) throw notFound()
      const decision = decide(current)
      if (decision.write && !(await store.update(decision.write.record, { expectedVersion: current.version, ...(decision.write.outbox && { outbox: decision.write.outbox }) }))) {
        if (attempt >= conflictRetry.attempts) {
          throw new InteractionError('conflict', `interaction ${id} changed under ${attempt} concurrent attempts; try again`)
        }
        await sleep(backoffDelay(conflictRetry, attempt, random))
        continue
      }
      return finish(decision)
    }
  }

  async function resolveMembers(project: string, groupId: string): Promise<Participant[]> {
    if (!directory) {
      throw new InteractionError('configuration', 'createInteractions needs a `directory` to resolve the members of group targets')
    }
    const resolved = await directory.membersOf(project, groupId)
    const members = parse(MembersSchema, resolved, `members of group "${groupId}" from the directory`)
    const unique = members.filter((member, index) => members.findIndex((other) => sameActor(other, member)) === index)
    if (unique.length === 0) {
      throw validationError('create input', [{ path: ['target_actor', 'id'], message: `group "${groupId}" has no members` }])
    }
    if (unique.length > LIMITS.members) {
      throw validationError('create input', [
        { path: ['target_actor', 'id'], message: `group "${groupId}" has ${unique.length} members; at most ${LIMITS.members} are allowed` },
      ])
    }
    return unique
  }

  return {
    async create(project, input) {
      parse(IdentifierSchema, project, 'project', ['project'])
      const parsed = parse(CreateInteractionInputSchema, input, 'create input')
      const now = clock()
      if (parsed.expires_at !== undefined && Date.parse(parsed.expires_at) <= now.getTime()) {
        throw validationError('create input', [
          { path: ['expires_at'], message: `must be after the current time (got ${parsed.expires_at}, now ${now.toISOString()})` },
        ])
      }
      if (parsed.run_id !== undefined) requireSignals()
      const isGroup = parsed.target_actor.type === 'group'
      const record: Interaction = {
        ...parsed,
        ...(isGroup && {
          routing_policy: parsed.routing_policy ?? 'first_responder',
          members: await resolveMembers(project, parsed.target_actor.id),
        }),
        ...(parsed.expires_at !== undefined && { expires_at: new Date(parsed.expires_at).toISOString() }),
        id: `iact_${nanoid()}`,
        project,
        status: 'pending',
        responses: [],
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        version: 1,
      }
      const { interaction, created } = await store.create(record)
      return created ? interaction : (await apply(project, interaction.id)).record
    },

    async get(project, id) {
      return (await apply(project, id)).record
    },

    async claim(project, id, actor) {
      const claimant = parse(ParticipantSchema, actor, 'actor', ['actor'])
      return (await apply(project, id, (at) => ({ type: 'claim', actor: claimant, at }))).record
    },

    async release(project, id, actor) {
      const claimant = parse(ParticipantSchema, actor, 'actor', ['actor'])
      return (await apply(project, id, (at) => ({ type: 'release', actor: claimant, at }))).record
    },

    async respond(project, id, input) {
      const { actor, value, comment } = parse(RespondInputSchema, input, 'response')
      return (await apply(project, id, (at) => ({ type: 'respond', actor, value, ...(comment !== undefined && { comment }), at }))).record
    },

    async inbox(project, actor, inboxOptions = {}) {
      parse(IdentifierSchema, project, 'project', ['project'])
      const participant = parse(ParticipantSchema, actor, 'actor', ['actor'])
      const { limit, cursor } = parse(InboxOptionsSchema, inboxOptions, 'inbox options')
      const items = await store.inbox({
        project,
        actor: participant,
        now: clock().toISOString(),
        limit: limit + 1,
        ...(cursor && { after: decodeCursor(cursor) }),
      })
      const page = items.slice(0, limit)
      const last = page.at(-1)
      return { items: page, next_cursor: items.length > limit && last ? encodeCursor(last) : null }
    },

    async expireDue(sweepOptions = {}) {
      const { limit } = parse(BatchOptionsSchema, sweepOptions, 'expireDue options')
      const due = await store.dueForExpiry({ now: clock().toISOString(), limit })
      let expired = 0
      for (const record of due) {
        try {
          const result = await apply(record.project, record.id, (at) => ({ type: 'expire', at }))
          if (result.changed) expired++
        } catch (error) {
          // Another caller completed or expired it first: nothing left to do for this one.
          if (!isInteractionError(error, 'expired') && !isInteractionError(error, 'not_pending')) throw error
        }
      }
      return { expired }
    },

    async deliverSignals(deliverOptions = {}) {
      const { limit } = parse(BatchOptionsSchema, deliverOptions, 'deliverSignals options')
      requireSignals()
      const now = clock()
      const entries = await store.leaseSignals({ now: now.toISOString(), limit, lease: newLease(now) })
      const report: DeliveryReport = { delivered: 0, retrying: 0, dead: 0 }
      for (const outcome of await Promise.all(entries.map(dispatch))) report[outcome]++
      return report
    },

    async failedSignals(listOptions = {}) {
      const { limit, after } = parse(FailedSignalsOptionsSchema, listOptions, 'failedSignals options')
      return store.listSignals({ status: 'dead', limit, ...(after !== undefined && { after }) })
    },

    async retrySignal(id) {
      parse(SignalIdSchema, id, 'id', ['id'])
      const revived = await store.reviveSignal(id, clock().toISOString())
      if (!revived) throw new InteractionError('not_found', `no dead-lettered signal with id ${id}`)
      return revived
    },
  }
}
