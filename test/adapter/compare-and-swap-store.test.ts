import {
  isInteractionError,
  isSignalEntry,
  type Decision,
  type Interaction,
  type InteractionStore,
  type Participant,
} from '@hitl/interactions'
import { compareAndSwapStore, type CompareAndSwapQuery, type CompareAndSwapStoreBase } from '@hitl/interactions/adapter'
import { makeOutboxEntry, makeRecord, uniqueProject } from '@hitl/interactions/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mapCasBase } from '../../examples/adapters/map-cas-store.js'
import { describeEachStore } from '../support/each-store.js'

const alice = { type: 'member', id: 'user_alice' } as const
const CREATED_AT = '2026-04-21T09:00:00.000Z'

/** The base with its compareAndSwap calls recorded; `beforeWrite` runs first and may write in between, as a racing caller would. */
function spied(base: CompareAndSwapStoreBase, beforeWrite?: (query: CompareAndSwapQuery) => Promise<unknown>) {
  const calls: CompareAndSwapQuery[] = []
  const compareAndSwap = async (query: CompareAndSwapQuery) => {
    calls.push(structuredClone(query))
    await beforeWrite?.(query)
    return base.compareAndSwap(query)
  }
  return { calls, base: { ...base, compareAndSwap } }
}

/** A pending record in a project of its own, listed in Alice's inbox, with its `created` event. */
async function insert(base: CompareAndSwapStoreBase, overrides: Partial<Interaction> = {}) {
  const group = { target_actor: { type: 'group', id: 'g' }, routing_policy: 'all_members' } as const
  const record = makeRecord({ project: uniqueProject(), ...group, ...overrides })
  await base.create({ record, inbox: ['member:user_alice'], events: [{ type: 'created', at: CREATED_AT }] })
  return record
}

/** A decision that adds `actor`'s answer to the record it is given, so a lost update would show as a missing answer. */
const answer =
  (actor: Participant) =>
  (current: Interaction): Decision<number> & { write: CompareAndSwapQuery['write'] } => ({
    result: current.version,
    write: {
      record: {
        ...current,
        responses: [...current.responses, { actor, value: { confirmed: true }, responded_at: CREATED_AT }],
        version: current.version + 1,
      },
      inbox: ['member:user_alice'],
      events: [{ type: 'responded', at: CREATED_AT, actor }],
    },
  })

/** The answer that completes a run-linked record: it leaves every inbox and carries the run's signal. */
const answerWithSignal =
  (actor: Participant) =>
  (current: Interaction): Decision<number> => {
    const { result, write } = answer(actor)(current)
    return { result, write: { ...write!, inbox: [], outbox: [makeOutboxEntry(current)] } }
  }

/** The same answer written straight to the base, by a caller the helper does not see. */
async function answerDirectly(base: CompareAndSwapStoreBase, record: Interaction, actor: Participant) {
  const current = (await base.get(keyOf(record)))!
  expect(await base.compareAndSwap({ expectedVersion: current.version, write: answer(actor)(current).write! })).toBe(true)
}

/** The outbox entries of `record`, pending delivery. */
const signalsOf = async (base: CompareAndSwapStoreBase, record: Interaction) =>
  (await base.outbox.list({ status: 'pending', limit: 1_000 })).filter(
    (entry) => isSignalEntry(entry) && entry.signal.interaction_id === record.id,
  )

/**
 * A compare-and-swap base over a full store, its conditional write made of the store's own modify,
 * so the helper's retries run against the memory and PostgreSQL stores' real writes.
 */
const compareAndSwapOver = (store: InteractionStore): CompareAndSwapStoreBase => ({
  ...store,
  async compareAndSwap({ expectedVersion, write }) {
    const { project, id } = write.record
    const decide = (current: Interaction) => (current.version === expectedVersion ? { result: true, write } : { result: false })
    return (await store.modify({ project, id, decide }))?.result === true
  },
})

type Key = { project: string; id: string }
const keyOf = ({ project, id }: Interaction): Key => ({ project, id })
const member = (n: number): Participant => ({ type: 'member', id: `user_${n}` })

/** What the helper does, whatever the store under its compareAndSwap; `makeBase` gives a new, empty base. */
function describeModify(makeBase: () => Promise<CompareAndSwapStoreBase>) {
  it('modify — writes the decision with compareAndSwap at the version it read, and returns its result', async () => {
    const { base, calls } = spied(await makeBase())
    const record = await insert(base, { run_id: 'run_1', topic: 'gate' })
    const { write } = answerWithSignal(alice)(record)
    const store = compareAndSwapStore(base)
    expect(await store.modify({ ...keyOf(record), decide: answerWithSignal(alice) })).toEqual({ result: 1 })
    expect(calls).toEqual([{ expectedVersion: 1, write }])
    expect(await store.get(keyOf(record))).toEqual(write!.record)
    expect((await store.history(keyOf(record))).map((event) => [event.seq, event.type])).toEqual([
      [1, 'created'],
      [2, 'responded'],
    ])
    expect(await store.inbox({ project: record.project, actorKey: 'member:user_alice', now: CREATED_AT, limit: 10 })).toEqual([])
    expect(await signalsOf(base, record)).toEqual(write!.outbox)
  })

  it('modify — a decision that writes an inbox change hands the base the full list of who may act now', async () => {
    const { base, calls } = spied(await makeBase())
    const record = await insert(base, { members: [alice, member(1), member(2)] })
    const decide = (current: Interaction): Decision<null> => {
      const { write } = answer(alice)(current)
      return { result: null, write: { ...write, inbox: { remove: ['member:user_alice'] } } }
    }
    await compareAndSwapStore(base).modify({ ...keyOf(record), decide })
    expect(calls.map((call) => call.write.inbox)).toEqual([['member:user_1', 'member:user_2']])
  })

  it('modify — a decision without a write writes nothing', async () => {
    const { base, calls } = spied(await makeBase())
    const record = await insert(base)
    const decide = (current: Interaction) => ({ result: current.id })
    expect(await compareAndSwapStore(base).modify({ ...keyOf(record), decide })).toEqual({ result: record.id })
    expect(calls).toEqual([])
    expect(await base.get(keyOf(record))).toEqual(record)
  })

  it('modify — an unknown record, or one of another project, is undefined and decide is not called', async () => {
    const base = await makeBase()
    const record = await insert(base)
    const decide = vi.fn(answer(alice))
    const store = compareAndSwapStore(base)
    expect(await store.modify({ project: uniqueProject(), id: record.id, decide })).toBeUndefined()
    expect(await store.modify({ project: record.project, id: 'iact_unknown', decide })).toBeUndefined()
    expect(decide).not.toHaveBeenCalled()
  })

  it('modify — a decide that throws writes nothing, and its error reaches the caller', async () => {
    const { base, calls } = spied(await makeBase())
    const record = await insert(base)
    const failure = new Error('decide failed')
    const decide = () => {
      throw failure
    }
    await expect(compareAndSwapStore(base).modify({ ...keyOf(record), decide })).rejects.toBe(failure)
    expect(calls).toEqual([])
    expect(await base.get(keyOf(record))).toEqual(record)
    expect(await base.history(keyOf(record))).toHaveLength(1)
  })

  it('modify — a lost race reads again and decides on the record that won', async () => {
    let raced = false
    const table = await makeBase()
    const { base, calls } = spied(table, async () => {
      if (raced) return
      raced = true
      await answerDirectly(table, record, member(1))
    })
    const record = await insert(base)
    const decide = vi.fn(answer(alice))
    expect(await compareAndSwapStore(base, { baseMs: 0 }).modify({ ...keyOf(record), decide })).toEqual({ result: 2 })
    expect(decide.mock.calls.map(([current]) => current.version)).toEqual([1, 2])
    expect(calls.map((call) => call.expectedVersion)).toEqual([1, 2])
    const final = (await base.get(keyOf(record)))!
    expect(final.responses.map((response) => response.actor.id)).toEqual(['user_1', 'user_alice'])
    expect((await base.history(keyOf(record))).map((event) => event.seq)).toEqual([1, 2, 3])
  })

  it('modify — many concurrent callers on one record: each answer lands exactly once, losers retried', async () => {
    const callers = 20
    // Every caller reads before any writes, so all but one lose the first round whatever the store's latency.
    let allRead: () => void
    const firstRound = new Promise<void>((resolve) => (allRead = resolve))
    const { base, calls } = spied(await makeBase(), async () => {
      if (calls.length === callers) allRead()
      if (calls.length <= callers) await firstRound
    })
    const record = await insert(base)
    const store = compareAndSwapStore(base, { baseMs: 0 })
    const members = Array.from({ length: callers }, (_, n) => member(n))
    const results = await Promise.all(members.map((actor) => store.modify({ ...keyOf(record), decide: answer(actor) })))
    const final = (await base.get(keyOf(record)))!
    expect(final.version).toBe(callers + 1)
    expect(final.responses.map((response) => response.actor.id).sort()).toEqual(members.map((actor) => actor.id).sort())
    // Each caller decided last on the version it then wrote over: all different, so no write was lost.
    expect(new Set(results.map((outcome) => outcome!.result)).size).toBe(callers)
    expect((await base.history(keyOf(record))).map((event) => event.seq)).toEqual(Array.from({ length: callers + 1 }, (_, n) => n + 1))
    expect(calls.length).toBeGreaterThanOrEqual(2 * callers - 1)
  })

  it('modify — after `attempts` lost races fails with conflict, asking to try again, having written nothing', async () => {
    let racer = 0
    const table = await makeBase()
    const { base, calls } = spied(table, () => answerDirectly(table, record, member(++racer)))
    const record = await insert(base, { run_id: 'run_1', topic: 'gate' })
    const decide = vi.fn(answerWithSignal(alice))
    const error = await compareAndSwapStore(base, { attempts: 4, baseMs: 0 })
      .modify({ ...keyOf(record), decide })
      .catch((thrown: unknown) => thrown)
    expect(isInteractionError(error, 'conflict')).toBe(true)
    expect((error as Error).message).toMatch(/try again/)
    expect(calls).toHaveLength(4)
    expect(decide).toHaveBeenCalledTimes(4)
    const final = (await base.get(keyOf(record)))!
    expect(final.responses.map((response) => response.actor.id)).toEqual(['user_1', 'user_2', 'user_3', 'user_4'])
    expect(await signalsOf(base, record)).toEqual([])
  })

  it('modify — tries 30 times by default', async () => {
    const table = await makeBase()
    const { base, calls } = spied(table, () => answerDirectly(table, record, alice))
    const record = await insert(base)
    const store = compareAndSwapStore(base, { baseMs: 0 })
    await expect(store.modify({ ...keyOf(record), decide: answer(alice) })).rejects.toMatchObject({ code: 'conflict' })
    expect(calls).toHaveLength(30)
  })

  it('modify — decides at the base store’s time, read again for each attempt, and passes undefined when it has none', async () => {
    const times = [new Date('2026-04-21T10:00:00.000Z'), new Date('2026-04-21T10:00:01.000Z')]
    let raced = false
    const clocked = { ...(await makeBase()), now: async () => times.shift()! }
    const { base } = spied(clocked, async () => {
      if (raced) return
      raced = true
      await answerDirectly(clocked, record, member(1))
    })
    const record = await insert(base)
    const seen: (Date | undefined)[] = []
    const decideAt = (current: Interaction, now: Date | undefined) => {
      seen.push(now)
      return answer(alice)(current)
    }
    await compareAndSwapStore(base, { baseMs: 0 }).modify({ ...keyOf(record), decide: decideAt })
    expect(seen).toEqual([new Date('2026-04-21T10:00:00.000Z'), new Date('2026-04-21T10:00:01.000Z')])

    const unclocked = { ...(await makeBase()), now: undefined }
    const other = await insert(unclocked)
    await compareAndSwapStore(unclocked).modify({ ...keyOf(other), decide: decideAt })
    expect(seen).toHaveLength(3)
    expect(seen[2]).toBeUndefined()
  })

  it('modify — never calls withinTransaction, since there is no transaction to share', async () => {
    const base = await makeBase()
    const record = await insert(base, { run_id: 'run_1', topic: 'gate' })
    const withinTransaction = vi.fn(async () => undefined)
    await compareAndSwapStore(base).modify({ ...keyOf(record), decide: answerWithSignal(alice), withinTransaction })
    expect(withinTransaction).not.toHaveBeenCalled()
    expect(await signalsOf(base, record)).toHaveLength(1)
  })
}

describe('compareAndSwapStore over the Map adapter', () => describeModify(async () => mapCasBase()))

describeEachStore('compareAndSwapStore over a compareAndSwap made of modify', (emptyStore) =>
  describeModify(async () => compareAndSwapOver(await emptyStore())),
)

describe('compareAndSwapStore', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('modify — waits a jittered, doubling delay between attempts, at most maxMs', async () => {
    vi.useFakeTimers()
    const { base, calls } = spied({ ...mapCasBase(), compareAndSwap: async () => false })
    const record = await insert(base)
    const random = vi.fn(() => 0.5)
    const outcome = compareAndSwapStore(base, { attempts: 4, baseMs: 8, maxMs: 12, random })
      .modify({ ...keyOf(record), decide: answer(alice) })
      .catch((thrown: unknown) => thrown)
    // Equal jitter at 0.5: three quarters of min(maxMs, baseMs × 2^(retry − 1)), so 6 ms, then 9 ms twice.
    const attemptsAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms)
      return calls.length
    }
    expect(await attemptsAfter(0)).toBe(1)
    expect(await attemptsAfter(5)).toBe(1)
    expect(await attemptsAfter(1)).toBe(2)
    expect(await attemptsAfter(8)).toBe(2)
    expect(await attemptsAfter(1)).toBe(3)
    expect(await attemptsAfter(8)).toBe(3)
    expect(await attemptsAfter(1)).toBe(4)
    expect(await outcome).toMatchObject({ code: 'conflict' })
    expect(random).toHaveBeenCalledTimes(3)
  })

  it('compareAndSwapStore — keeps the base’s name and methods, and declares `now` only when the base has it', async () => {
    const base = mapCasBase()
    const record = await insert(base)
    const store: InteractionStore = compareAndSwapStore(base)
    expect(store.name).toBe('map')
    expect(store.outbox).toBe(base.outbox)
    expect(await store.findByIdempotencyKey({ project: record.project, key: 'none' })).toBeUndefined()
    expect('now' in store).toBe(false)
    expect('compareAndSwap' in store).toBe(false)
    const at = new Date('2026-04-21T10:00:00.000Z')
    expect(await compareAndSwapStore({ ...base, now: async () => at }).now?.()).toEqual(at)
  })

  it('compareAndSwapStore — a base that is a class instance keeps its prototype’s methods', async () => {
    class TableBase {
      readonly name = 'table'
      private readonly table = mapCasBase()
      readonly outbox = this.table.outbox
      create(query: Parameters<CompareAndSwapStoreBase['create']>[0]) {
        return this.table.create(query)
      }
      get(query: Key) {
        return this.table.get(query)
      }
      compareAndSwap(query: CompareAndSwapQuery) {
        return this.table.compareAndSwap(query)
      }
    }
    // Only the methods this test calls; the cast stands for the rest.
    const base = new TableBase() as unknown as CompareAndSwapStoreBase
    const record = await insert(base)
    const store = compareAndSwapStore(base)
    expect(await store.modify({ ...keyOf(record), decide: answer(alice) })).toEqual({ result: 1 })
    expect((await store.get(keyOf(record)))?.version).toBe(2)
  })
})

describe('compareAndSwapStore options', () => {
  const configurationIssues = (options: unknown, base: unknown = mapCasBase()) => {
    try {
      compareAndSwapStore(base as CompareAndSwapStoreBase, options as never)
    } catch (error) {
      expect(isInteractionError(error, 'configuration')).toBe(true)
      return (error as { issues: unknown }).issues
    }
    throw new Error('expected a configuration error')
  }

  it.each([
    [{ attempts: 0 }, ['options', 'attempts'], 'must be a positive integer'],
    [{ attempts: 2.5 }, ['options', 'attempts'], 'must be a positive integer'],
    [{ baseMs: -1 }, ['options', 'baseMs'], 'must be a number of milliseconds, 0 or more'],
    [{ maxMs: '100' }, ['options', 'maxMs'], 'must be a number of milliseconds, 0 or more'],
    [{ random: 0.5 }, ['options', 'random'], 'must be a function () => number in [0, 1)'],
    [{ attempt: 3 }, ['options', 'attempt'], 'is not an option here; check its spelling'],
    ['fast', ['options'], 'must be an object of options'],
  ])('compareAndSwapStore — %j is a configuration error naming the option', (options, path, message) => {
    expect(configurationIssues(options)).toEqual([{ path, message }])
  })

  it('compareAndSwapStore — a base without compareAndSwap is a configuration error naming it', () => {
    const { compareAndSwap: _, ...withoutCompareAndSwap } = mapCasBase()
    expect(configurationIssues({}, withoutCompareAndSwap)).toEqual([
      { path: ['base', 'compareAndSwap'], message: 'must be a function compareAndSwap({ expectedVersion, write }) => Promise<boolean>' },
    ])
  })

  it('compareAndSwapStore — the error message names every field, so a log line says what to fix', () => {
    expect(() => compareAndSwapStore(mapCasBase(), { attempts: 0, maxMs: -1 })).toThrow(
      /options\.attempts: must be a positive integer; options\.maxMs: must be/,
    )
  })
})
