import {
  callbackSignals,
  createInteractions,
  isInteractionError,
  isSignalEntry,
  memoryStore,
  type Interaction,
  type Participant,
  type SignalEntry,
} from '@hitl/interactions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyTimers,
  modelCancel,
  modelClaim,
  modelMayAct,
  modelReassign,
  modelRelease,
  modelRespond,
  type ModelInteraction,
} from '../support/reference-model.js'

// Model-based tests: random sequences of commands against the service and a small reference
// model, with the invariants checked after every step. FC_RUNS raises the number of runs.
const RUNS = Number(process.env.FC_RUNS ?? 100)
const START = Date.parse('2026-04-21T09:00:00.000Z')

const actors: Participant[] = [
  { type: 'member', id: 'a' },
  { type: 'member', id: 'b' },
  { type: 'member', id: 'c' },
  { type: 'agent', id: 'a' },
  // Outside the group, so that a reassign has someone to hand a group interaction to.
  { type: 'member', id: 'd' },
]
const group = actors.slice(0, 3)

interface Real {
  interactions: ReturnType<typeof createInteractions>
  store: ReturnType<typeof memoryStore>
  now: number
  receiverDown: boolean
  delivered: string[]
  terminal: Map<string, Interaction>
  lastVersion: Map<string, number>
}
interface Model {
  items: ModelInteraction[]
}

async function outcome(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call
    return undefined
  } catch (error) {
    if (isInteractionError(error)) return error.code
    throw error
  }
}

/** The invariants, checked against the real store after every command. */
async function checkInvariants(model: Model, real: Real) {
  const entries = [
    ...(await real.store.outbox.list({ status: 'pending', limit: 10_000 })),
    ...(await real.store.outbox.list({ status: 'delivered', limit: 10_000 })),
    ...(await real.store.outbox.list({ status: 'dead', limit: 10_000 })),
  ]
  for (const m of model.items) {
    const record = (await real.store.get({ project: 'p', id: m.id }))!
    expect(['pending', 'completed', 'expired', 'cancelled']).toContain(record.status)
    // The real record is compared field by field with the model: status, claim, who responded, version.
    expect(record.status).toBe(m.status)
    expect(record.version).toBe(m.version)
    expect(record.claimed_by).toEqual(m.claimedBy)
    expect(record.responses.map((r) => r.actor)).toEqual(m.responders)
    expect([record.target_actor, record.members ?? []]).toEqual([m.routing === 'direct' ? m.target : { type: 'group', id: 'g' }, m.members])
    expect(record.outcome).toBe(m.outcome)
    if (m.routing === 'quorum') {
      // The running tally always agrees with the responses it counts.
      const approvals = m.answers.filter(Boolean).length
      expect(record.tally).toEqual({
        approvals,
        rejections: m.answers.length - approvals,
        responses: m.answers.length,
        required: m.required,
      })
    }
    // Version strictly increases with every change, and never moves otherwise.
    expect(record.version).toBeGreaterThanOrEqual(real.lastVersion.get(m.id) ?? 1)
    real.lastVersion.set(m.id, record.version)
    // Terminal states never change.
    const frozen = real.terminal.get(m.id)
    if (frozen) expect(record).toEqual(frozen)
    else if (record.status !== 'pending') real.terminal.set(m.id, record)
    if (m.routing === 'direct' || m.routing === 'first_responder') expect(record.responses.length).toBeLessThanOrEqual(1)
    else expect(new Set(record.responses.map((r) => `${r.actor.type}:${r.actor.id}`)).size).toBe(record.responses.length)
    // The requester of an approval never answers it.
    if (m.requester) expect(record.responses.some((r) => r.actor.type === m.requester!.type && r.actor.id === m.requester!.id)).toBe(false)
    // Nothing is accepted at or after expires_at.
    for (const response of record.responses) if (record.expires_at) expect(response.responded_at < record.expires_at).toBe(true)
    // Each end state of a run-linked interaction yields exactly one outbox entry; nothing else yields any.
    const mine = entries.filter((e): e is SignalEntry => isSignalEntry(e) && e.signal.interaction_id === m.id)
    expect(mine.map((e) => e.signal.status)).toEqual(m.runLinked && m.status !== 'pending' ? [m.status] : [])
    // The history tells the same story as the record: numbered without gaps, one event per response, the end state last.
    const history = await real.store.history({ project: 'p', id: m.id })
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
    expect(history[0]!.type).toBe('created')
    expect(history.filter((e) => e.type === 'responded').map((e) => e.actor)).toEqual(m.responders)
    expect(history.at(-1)!.type).toBe(m.status === 'pending' ? history.at(-1)!.type : m.status)
    expect(history.filter((e) => ['completed', 'expired', 'cancelled'].includes(e.type))).toHaveLength(m.status === 'pending' ? 0 : 1)
  }
  // Each actor's inbox lists exactly the pending, unexpired interactions the model lets them act on now.
  for (const actor of actors) {
    const { items } = await real.interactions.inbox('p', actor, { limit: 100 })
    const listed = model.items
      .filter((m) => modelMayAct(m, actor) && (m.expiresAt === undefined || real.now < m.expiresAt))
      .map((m) => m.id)
    expect(items.map((i) => i.id).sort()).toEqual(listed.sort())
  }
}

type Command = fc.AsyncCommand<Model, Real>

class Create implements Command {
  constructor(
    readonly routing: ModelInteraction['routing'],
    readonly expiresIn: number | undefined,
    readonly runLinked: boolean,
    /** Member b asks, and may not answer; a quorum then needs at most the two others. */
    readonly requested: boolean,
    readonly required: number,
    /** A first-responder claim lapses after a second. */
    readonly timed: boolean,
  ) {}
  check = () => true
  async run(model: Model, real: Real) {
    const target: Participant | { type: 'group'; id: string } = this.routing === 'direct' ? actors[0]! : { type: 'group', id: 'g' }
    const requester = this.requested ? actors[1]! : undefined
    const created = await real.interactions.create('p', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: target,
      ...(this.routing !== 'direct' && { routing_policy: this.routing }),
      ...(this.routing === 'quorum' && { quorum: { required: this.required } }),
      ...(this.timed && this.routing === 'first_responder' && { claim_timeout: 'PT1S' }),
      ...(requester && { requested_by: requester }),
      ...(this.runLinked && { run_id: `run_${model.items.length}`, topic: 'gate' }),
      ...(this.expiresIn !== undefined && { expires_at: new Date(real.now + this.expiresIn).toISOString() }),
    })
    model.items.push({
      id: created.id,
      routing: this.routing,
      target: actors[0]!,
      members: this.routing === 'direct' ? [] : group,
      runLinked: this.runLinked,
      ...(this.expiresIn !== undefined && { expiresAt: real.now + this.expiresIn }),
      ...(this.routing === 'quorum' && { required: this.required }),
      ...(this.timed && this.routing === 'first_responder' && { claimTimeoutMs: 1_000 }),
      ...(requester && { requester }),
      status: 'pending',
      responders: [],
      answers: [],
      version: 1,
    })
    await checkInvariants(model, real)
  }
  toString = () =>
    `create(${this.routing}${this.routing === 'quorum' ? ` of ${this.required}` : ''}, expiresIn=${this.expiresIn}, linked=${this.runLinked}` +
    `${this.requested ? ', requested by b' : ''}${this.timed && this.routing === 'first_responder' ? ', claims lapse after 1 s' : ''})`
}

class Act implements Command {
  constructor(
    readonly kind: 'claim' | 'release' | 'respond' | 'get' | 'cancel',
    readonly index: number,
    readonly actor: number,
    readonly answer: boolean | 'invalid',
  ) {}
  check = (model: Readonly<Model>) => model.items.length > 0
  async run(model: Model, real: Real) {
    const m = model.items[this.index % model.items.length]!
    const actor = actors[this.actor]!
    let expected: string | undefined
    let call: Promise<unknown>
    switch (this.kind) {
      case 'claim':
        expected = modelClaim(m, actor, real.now)
        call = real.interactions.claim('p', m.id, actor)
        break
      case 'release':
        expected = modelRelease(m, actor, real.now)
        call = real.interactions.release('p', m.id, actor)
        break
      case 'respond':
        expected = modelRespond(m, actor, this.answer, real.now)
        call = real.interactions.respond('p', m.id, { actor, value: { confirmed: this.answer === 'invalid' ? 'maybe' : this.answer } })
        break
      case 'get':
        applyTimers(m, real.now)
        call = real.interactions.get('p', m.id)
        break
      case 'cancel':
        expected = modelCancel(m, real.now)
        call = real.interactions.cancel('p', m.id, { actor })
    }
    expect(await outcome(call)).toBe(expected)
    await checkInvariants(model, real)
  }
  toString = () =>
    `${this.kind}(#${this.index}, ${actors[this.actor]!.type}:${actors[this.actor]!.id}${this.kind === 'respond' ? `, ${this.answer}` : ''})`
}

class Reassign implements Command {
  constructor(
    readonly index: number,
    readonly from: number | undefined,
    readonly to: number,
  ) {}
  check = (model: Readonly<Model>) => model.items.length > 0
  async run(model: Model, real: Real) {
    const m = model.items[this.index % model.items.length]!
    const from = this.from === undefined ? undefined : actors[this.from]!
    const to = actors[this.to]!
    const expected = modelReassign(m, from, to, real.now)
    expect(await outcome(real.interactions.reassign('p', m.id, { by: actors[0]!, to, ...(from && { from }) }))).toBe(expected)
    await checkInvariants(model, real)
  }
  toString = () => `reassign(#${this.index}, from=${this.from ?? '-'}, to=${this.to})`
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true
  async run(model: Model, real: Real) {
    real.now += this.ms
    await checkInvariants(model, real)
  }
  toString = () => `advance(${this.ms})`
}

class Sweep implements Command {
  check = () => true
  async run(model: Model, real: Real) {
    const expected = model.items.filter((m) => applyTimers(m, real.now)).length
    expect(await real.interactions.expireDue({ limit: 1_000 })).toEqual({ expired: expected })
    await checkInvariants(model, real)
  }
  toString = () => 'expireDue()'
}

class Deliver implements Command {
  constructor(readonly receiverDown: boolean) {}
  check = () => true
  async run(model: Model, real: Real) {
    real.receiverDown = this.receiverDown
    await real.interactions.deliverSignals({ limit: 1_000 })
    // A receiver sees each signal at most once per delivery, and never one for a pending interaction.
    for (const key of real.delivered) expect(model.items.find((m) => key.startsWith(`${m.id}:`))?.status).toBe(key.split(':')[1])
    await checkInvariants(model, real)
  }
  toString = () => `deliverSignals(receiverDown=${this.receiverDown})`
}

const commands = [
  fc
    .tuple(
      fc.constantFrom('direct', 'first_responder', 'all_members', 'quorum' as const),
      fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 1, max: 2 }),
      fc.boolean(),
    )
    .map(
      ([routing, expiresIn, linked, requested, required, timed]) =>
        new Create(routing as ModelInteraction['routing'], expiresIn, linked, requested, required, timed),
    ),
  fc
    .tuple(
      fc.constantFrom('claim', 'release', 'respond', 'respond', 'get', 'cancel' as const),
      fc.nat(20),
      fc.nat(actors.length - 1),
      fc.constantFrom(true, false, 'invalid' as const),
    )
    .map(([kind, index, actor, answer]) => new Act(kind as Act['kind'], index, actor, answer)),
  fc
    .tuple(fc.nat(20), fc.option(fc.nat(actors.length - 1), { nil: undefined }), fc.nat(actors.length - 1))
    .map(([index, from, to]) => new Reassign(index, from, to)),
  fc.integer({ min: 0, max: 3_000 }).map((ms) => new Advance(ms)),
  fc.constant(new Sweep()),
  fc.boolean().map((down) => new Deliver(down)),
]

describe('model-based', () => {
  it(`random command sequences keep every invariant (${RUNS} runs)`, async () => {
    let steps = 0
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
        const store = memoryStore()
        const real: Real = {
          store,
          now: START,
          receiverDown: false,
          delivered: [],
          terminal: new Map(),
          lastVersion: new Map(),
          interactions: undefined as never,
        }
        real.interactions = createInteractions({
          store,
          clock: () => new Date(real.now),
          random: () => 0,
          delivery: { baseMs: 0, maxMs: 0, leaseMs: 0 },
          signals: callbackSignals((signal) => {
            if (real.receiverDown) throw new Error('receiver down')
            real.delivered.push(signal.idempotency_key)
          }),
          directory: { membersOf: async () => group },
        })
        steps += [...cmds].length
        await fc.asyncModelRun(() => ({ model: { items: [] }, real }), cmds)
      }),
      { numRuns: RUNS },
    )
    console.info(`model-based: ${RUNS} runs, ${steps} commands`)
  }, 120_000)
})
