import { beforeAll, describe, expect, it } from 'vitest'
import { actorKey } from '../model/actor.js'
import { InteractionFieldsSchema, type Interaction } from '../model/interaction.js'
import type { InboxPosition, InteractionStore } from '../ports.js'
import { describeClock } from './clock-suite.js'
import { createdEvent, insertRecord, makeNotificationEntry, makeOutboxEntry, makeRecord, uniqueProject, writeRecord } from './fixtures.js'
import { describeOutbox } from './outbox-suite.js'
import { describeServiceOver } from './service-suite.js'

const alice = { type: 'member', id: 'user_alice' } as const
const bob = { type: 'member', id: 'user_bob' } as const
const group = { type: 'group', id: 'group_ops' } as const
const NOW = '2026-04-21T10:00:00.000Z'
const at = (minute: number) => `2026-04-21T09:${String(minute).padStart(2, '0')}:00.000Z`
const ids = (records: Interaction[]) => records.map((r) => r.id)
const [ALICE, BOB] = [actorKey(alice), actorKey(bob)]

/** Optional capabilities a store declares, so the suite checks them too. */
export interface StoreCapabilities {
  /** The store implements `now`, its own clock, which the service then uses instead of its `clock` option. */
  now?: boolean
  /** The store declares `inboxChanges`: its `modify` applies an inbox change (`{ remove: [...] }`), not only full lists. */
  inboxChanges?: boolean
}

/**
 * Runs the conformance suite for an {@link InteractionStore} under vitest. `makeStore` is called
 * once; every test writes its own project, so the store may be shared and need not be empty.
 * Declare optional capabilities in `capabilities`; the suite checks that the declaration is true.
 *
 * @example
 * import { describeInteractionStore } from '@hitl/interactions/testing'
 * import { myStore } from '../src/my-store'
 *
 * describeInteractionStore('my store', () => myStore({ url: process.env.DATABASE_URL }))
 */
export function describeInteractionStore(
  name: string,
  makeStore: () => InteractionStore | Promise<InteractionStore>,
  capabilities: StoreCapabilities = {},
) {
  describe(`InteractionStore conformance: ${name}`, () => {
    let store: InteractionStore
    beforeAll(async () => {
      store = await makeStore()
    })

    const insert = (overrides: Partial<Interaction> & { project: string }, inbox?: string[]) =>
      insertRecord(store, makeRecord(overrides), inbox)
    const get = (record: Interaction) => store.get({ project: record.project, id: record.id })
    const history = (record: Interaction) => store.history({ project: record.project, id: record.id })
    const modify = <T>(record: Interaction, decide: Parameters<InteractionStore['modify']>[0]['decide']) =>
      store.modify<T>({ project: record.project, id: record.id, decide: decide as never })

    describe('records', () => {
      it('create — stores the record exactly and get returns it', async () => {
        const project = uniqueProject()
        const record = makeRecord({
          project,
          type: 'input',
          spec: { mode: 'multi_select', options: [{ value: 'a', label: 'A', description: 'first' }], min_selections: 1 },
          target_actor: group,
          routing_policy: 'all_members',
          members: [alice, { type: 'agent', id: 'bot' }],
          run_id: 'run_1',
          topic: 'gate',
          title: 'T',
          message: 'M',
          metadata: { nested: { list: [1, 'two', null, true] } },
          requested_by: { type: 'agent', id: 'planner' },
          expires_at: '2026-04-22T10:00:00.000Z',
          idempotency_key: 'key-1',
        })
        expect(await store.create({ record, inbox: [ALICE], events: [createdEvent(record)] })).toEqual({
          interaction: record,
          created: true,
        })
        expect(await get(record)).toEqual(record)
      })

      it('create — keeps fields it has no special place for, in the order the record has them', async () => {
        // A later feature adds fields to the record; a store keeps them without a change of its own. The
        // fields come in the schema's order, then the unknown one: an order a store of columns can rebuild.
        const made: Record<string, unknown> = { ...makeRecord({ project: uniqueProject() }), outcome: 'approved' }
        const inSchemaOrder = Object.keys(InteractionFieldsSchema.shape).flatMap((field) => (field in made ? [[field, made[field]]] : []))
        const record = { ...(Object.fromEntries(inSchemaOrder) as Interaction), future_field: { nested: [1, 'a'] } }
        await insertRecord(store, record)
        const stored = await get(record)
        expect(stored).toEqual(record)
        expect(Object.keys(stored!)).toEqual(Object.keys(record))
      })

      it('create — a repeated idempotency key returns the first record and writes nothing', async () => {
        const project = uniqueProject()
        const first = await insert({ project, idempotency_key: 'same' })
        const second = makeRecord({ project, idempotency_key: 'same', message: 'other' })
        expect(await store.create({ record: second, inbox: [BOB], events: [createdEvent(second)] })).toEqual({
          interaction: first,
          created: false,
        })
        expect(await get(second)).toBeUndefined()
        expect(await history(second)).toEqual([])
        expect(await store.inbox({ project, actorKey: BOB, now: NOW, limit: 10 })).toEqual([])
      })

      it('findByIdempotencyKey — finds the record of this project with that key, and nothing else', async () => {
        const record = await insert({ project: uniqueProject(), idempotency_key: 'lookup' })
        expect(await store.findByIdempotencyKey({ project: record.project, key: 'lookup' })).toEqual(record)
        expect(await store.findByIdempotencyKey({ project: record.project, key: 'other' })).toBeUndefined()
        expect(await store.findByIdempotencyKey({ project: uniqueProject(), key: 'lookup' })).toBeUndefined()
      })

      it('create — idempotency keys are scoped to the project', async () => {
        const a = await insert({ project: uniqueProject(), idempotency_key: 'shared' })
        const b = await insert({ project: uniqueProject(), idempotency_key: 'shared' })
        expect(b.id).not.toBe(a.id)
      })

      it('create — concurrent creates with one key make one record', async () => {
        const project = uniqueProject()
        const results = await Promise.all(
          Array.from({ length: 10 }, () => {
            const record = makeRecord({ project, idempotency_key: 'race' })
            return store.create({ record, inbox: [ALICE], events: [createdEvent(record)] })
          }),
        )
        expect(results.filter((r) => r.created)).toHaveLength(1)
        expect(new Set(results.map((r) => r.interaction.id)).size).toBe(1)
        expect(await history(results[0]!.interaction)).toHaveLength(1)
      })

      it('get — another project, or an unknown id, is undefined', async () => {
        const record = await insert({ project: uniqueProject() })
        expect(await store.get({ project: uniqueProject(), id: record.id })).toBeUndefined()
        expect(await store.get({ project: record.project, id: 'iact_unknown' })).toBeUndefined()
      })

      it('get — returns a copy: changing it does not change the store', async () => {
        const record = await insert({ project: uniqueProject() })
        const copy = (await get(record))!
        copy.responses.push({ actor: alice, value: { confirmed: true }, responded_at: NOW })
        expect((await get(record))!.responses).toEqual([])
      })
    })

    describe('the write path', () => {
      it('modify — writes the record decide returns, drops fields left out, and returns its result', async () => {
        const record = await insert({
          project: uniqueProject(),
          target_actor: group,
          members: [alice],
          claimed_by: alice,
          claimed_at: at(1),
        })
        const { claimed_by: _by, claimed_at: _at, ...released } = record
        const next = { ...released, version: 2, updated_at: at(2) }
        const outcome = await modify(record, (current) => ({
          result: current.version,
          write: { record: next, inbox: [ALICE], events: [] },
        }))
        expect(outcome).toEqual({ result: 1 })
        expect(await get(record)).toEqual(next)
      })

      it('modify — without a write changes nothing', async () => {
        const record = await insert({ project: uniqueProject() })
        expect(await modify(record, () => ({ result: 'none' }))).toEqual({ result: 'none' })
        expect(await get(record)).toEqual(record)
        expect(await history(record)).toHaveLength(1)
      })

      it('modify — an unknown record, or another project, is undefined and decide is not called', async () => {
        const record = await insert({ project: uniqueProject() })
        let called = false
        const decide = () => {
          called = true
          return { result: 0 }
        }
        expect(await store.modify({ project: uniqueProject(), id: record.id, decide })).toBeUndefined()
        expect(await store.modify({ project: record.project, id: 'iact_unknown', decide })).toBeUndefined()
        expect(called).toBe(false)
      })

      it('modify — a throwing decide writes nothing, no event and no entry, and the error reaches the caller', async () => {
        const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
        const failure = new Error('decide failed')
        await expect(
          modify(record, () => {
            throw failure
          }),
        ).rejects.toBe(failure)
        expect(await get(record)).toEqual(record)
        expect(await history(record)).toHaveLength(1)
        expect((await store.outbox.list({ status: 'pending', limit: 10_000 })).map((e) => e.id)).not.toContain(makeOutboxEntry(record).id)
      })

      it('modify — concurrent callers each decide on the latest record: every change lands, each event numbered once', async () => {
        const record = await insert({ project: uniqueProject(), target_actor: group, routing_policy: 'all_members', members: [] })
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            modify(record, (current) => {
              const actor = { type: 'member', id: `m${i}` } as const
              const response = { actor, value: { confirmed: true }, responded_at: current.created_at }
              const next = { ...current, responses: [...current.responses, response], version: current.version + 1 }
              return { result: null, write: { record: next, inbox: [], events: [{ type: 'responded', at: current.created_at, actor }] } }
            }),
          ),
        )
        const final = (await get(record))!
        expect(final.version).toBe(26)
        expect(new Set(final.responses.map((r) => r.actor.id)).size).toBe(25)
        const events = await history(record)
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1))
        // The history tells the same order as the record.
        expect(events.slice(1).map((e) => e.actor?.id)).toEqual(final.responses.map((r) => r.actor.id))
      })

      it('modify — an outbox entry is inserted once: a second write with its id keeps the first', async () => {
        const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
        const entry = makeOutboxEntry(record)
        await writeRecord(store, { ...record, version: 2 }, { outbox: [entry] })
        await writeRecord(store, { ...record, version: 3 }, { outbox: [{ ...entry, last_error: 'second' }] })
        const [stored] = (await store.outbox.list({ status: 'pending', limit: 10_000 })).filter((e) => e.id === entry.id)
        expect(stored).toEqual(entry)
      })

      it('modify — writes every outbox entry of one decision, a signal and notifications alike, each read back as written', async () => {
        const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
        const next = { ...record, version: 2 }
        // Two notifications of one write differ by the position of their event; a later version stands in for it.
        const later = makeNotificationEntry({ ...next, version: 3 }, NOW, [alice, bob])
        const entries = [makeOutboxEntry(record), makeNotificationEntry(next), later]
        await writeRecord(store, next, { outbox: entries })
        const ids = entries.map((entry) => entry.id)
        const stored = (await store.outbox.list({ status: 'pending', limit: 10_000 })).filter((e) => ids.includes(e.id))
        const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1)
        expect(stored.sort(byId)).toEqual([...entries].sort(byId))
      })

      it('create — writes its outbox entries with the record; a repeated idempotency key writes none', async () => {
        const record = makeRecord({ project: uniqueProject(), idempotency_key: 'once' })
        const entry = makeNotificationEntry(record)
        expect((await store.create({ record, inbox: [ALICE], events: [createdEvent(record)], outbox: [entry] })).created).toBe(true)
        const again = makeRecord({ project: record.project, idempotency_key: 'once' })
        const repeated = makeNotificationEntry(again)
        const retried = await store.create({ record: again, inbox: [ALICE], events: [createdEvent(again)], outbox: [repeated] })
        expect(retried.created).toBe(false)
        const pending = (await store.outbox.list({ status: 'pending', limit: 10_000 })).map((e) => e.id)
        expect(pending).toContain(entry.id)
        expect(pending).not.toContain(repeated.id)
      })
    })

    describe('history', () => {
      it('history — create writes the given events from 1; writes append theirs in order', async () => {
        const record = makeRecord({ project: uniqueProject(), target_actor: group, members: [alice] })
        await store.create({ record, inbox: [ALICE], events: [createdEvent(record), { type: 'claimed', at: at(0), actor: alice }] })
        await writeRecord(
          store,
          { ...record, version: 2 },
          {
            events: [
              { type: 'responded', at: at(1), actor: alice, data: { value: { confirmed: true }, comment: 'ok' } },
              { type: 'completed', at: at(1), data: { outcome: 'approved' } },
            ],
          },
        )
        expect(await history(record)).toEqual([
          { seq: 1, type: 'created', at: record.created_at },
          { seq: 2, type: 'claimed', at: at(0), actor: alice },
          { seq: 3, type: 'responded', at: at(1), actor: alice, data: { value: { confirmed: true }, comment: 'ok' } },
          { seq: 4, type: 'completed', at: at(1), data: { outcome: 'approved' } },
        ])
      })

      it('history — another project, or an unknown id, has none', async () => {
        const record = await insert({ project: uniqueProject() })
        expect(await store.history({ project: uniqueProject(), id: record.id })).toEqual([])
        expect(await store.history({ project: record.project, id: 'iact_unknown' })).toEqual([])
      })

      it('history — returns a copy: changing it does not change the store', async () => {
        const record = await insert({ project: uniqueProject() })
        const [first] = await history(record)
        first!.type = 'expired'
        expect((await history(record))[0]!.type).toBe('created')
      })
    })

    describe('inbox', () => {
      const inbox = (project: string, key: string, extra: { now?: string; limit?: number; after?: InboxPosition } = {}) =>
        store.inbox({
          project,
          actorKey: key,
          now: extra.now ?? NOW,
          limit: extra.limit ?? 100,
          ...(extra.after && { after: extra.after }),
        })

      it('inbox — lists a record in exactly the inboxes its write named, whatever the record says', async () => {
        const project = uniqueProject()
        // The store does not decide who may act: it lists what it is told, even a key the record does not name.
        const record = await insert({ project, target_actor: group, members: [alice, bob] }, [BOB, 'agent:auditor'])
        expect(await inbox(project, ALICE)).toEqual([])
        expect(ids(await inbox(project, BOB))).toEqual([record.id])
        expect(ids(await inbox(project, 'agent:auditor'))).toEqual([record.id])
      })

      it('inbox — each write replaces the list: removed keys go, new keys come, an empty list leaves every inbox', async () => {
        const project = uniqueProject()
        const record = await insert({ project, target_actor: group, members: [alice, bob] }, [ALICE, BOB])
        await writeRecord(store, { ...record, version: 2 }, { inbox: [BOB] })
        expect(await inbox(project, ALICE)).toEqual([])
        expect(ids(await inbox(project, BOB))).toEqual([record.id])
        await writeRecord(store, { ...record, version: 3 }, { inbox: [ALICE, BOB] })
        expect(ids(await inbox(project, ALICE))).toEqual([record.id])
        await writeRecord(store, { ...record, status: 'completed', completed_at: NOW, version: 4 }, { inbox: [] })
        expect(await inbox(project, ALICE)).toEqual([])
        expect(await inbox(project, BOB)).toEqual([])
      })

      if (capabilities.inboxChanges) {
        // A store that declares inboxChanges applies a change itself; the service sends any other full lists.
        it('inbox — a change removes only its keys: their inboxes drop the record, every other inbox keeps it', async () => {
          const project = uniqueProject()
          const carol = { type: 'member', id: 'user_carol' } as const
          const CAROL = actorKey(carol)
          const members = [alice, bob, carol]
          const record = await insert({ project, target_actor: group, routing_policy: 'all_members', members }, [ALICE, BOB, CAROL])
          const other = await insert({ project, target_actor: group, routing_policy: 'all_members', members: [alice] }, [ALICE])
          const responses = [alice, carol].map((actor) => ({ actor, value: { confirmed: true }, responded_at: NOW }))
          await writeRecord(store, { ...record, responses, version: 2 }, { inbox: { remove: [ALICE, CAROL] } })
          expect(ids(await inbox(project, ALICE))).toEqual([other.id])
          expect(ids(await inbox(project, BOB))).toEqual([record.id])
          expect(await inbox(project, CAROL)).toEqual([])
        })

        it('inbox — a change that removes a key not listed changes nothing', async () => {
          const project = uniqueProject()
          const responses = [{ actor: bob, value: { confirmed: true }, responded_at: NOW }]
          const record = await insert({ project, target_actor: group, routing_policy: 'all_members', members: [alice, bob], responses }, [
            ALICE,
          ])
          await writeRecord(store, { ...record, version: 2 }, { inbox: { remove: [BOB] } })
          expect(ids(await inbox(project, ALICE))).toEqual([record.id])
          expect(await inbox(project, BOB)).toEqual([])
          expect((await get(record))!.version).toBe(2)
        })
      }

      it('inbox — returns the record as last written', async () => {
        const project = uniqueProject()
        const record = await insert({ project })
        await writeRecord(store, { ...record, message: 'edited', version: 2 })
        expect(await inbox(project, ALICE)).toEqual([{ ...record, message: 'edited', version: 2 }])
      })

      it('inbox — leaves out what expires at or before now', async () => {
        const project = uniqueProject()
        await insert({ project, expires_at: NOW })
        const later = await insert({ project, expires_at: '2026-04-21T10:00:00.001Z' })
        expect(ids(await inbox(project, ALICE))).toEqual([later.id])
      })

      it('inbox — orders by created_at then id, and pages after a position', async () => {
        const project = uniqueProject()
        await insert({ project, id: 'iact_b', created_at: at(2) })
        await insert({ project, id: 'iact_c', created_at: at(1) })
        await insert({ project, id: 'iact_a', created_at: at(2) })
        await insert({ project, id: 'iact_d', created_at: at(3) })
        expect(ids(await inbox(project, ALICE))).toEqual(['iact_c', 'iact_a', 'iact_b', 'iact_d'])
        expect(ids(await inbox(project, ALICE, { limit: 2 }))).toEqual(['iact_c', 'iact_a'])
        expect(ids(await inbox(project, ALICE, { limit: 2, after: { created_at: at(2), id: 'iact_a' } }))).toEqual(['iact_b', 'iact_d'])
      })

      it('inbox — is scoped to the project', async () => {
        await insert({ project: uniqueProject() })
        expect(await inbox(uniqueProject(), ALICE)).toEqual([])
      })
    })

    describe('runs', () => {
      it('runInteractions — the records of one run of one project, oldest first, filtered by status, paged', async () => {
        const project = uniqueProject()
        const first = await insert({ project, run_id: 'run_a', topic: 't', created_at: at(1) })
        const done = await insert({ project, run_id: 'run_a', topic: 't', created_at: at(2) })
        await writeRecord(store, { ...done, status: 'completed', completed_at: NOW, version: 2 })
        const third = await insert({ project, run_id: 'run_a', topic: 't', created_at: at(3) })
        await insert({ project, run_id: 'run_b', topic: 't', created_at: at(1) })
        await insert({ project: uniqueProject(), run_id: 'run_a', topic: 't', created_at: at(1) })
        const run = (query: { status?: 'pending'; limit?: number; after?: InboxPosition } = {}) =>
          store.runInteractions({ project, run_id: 'run_a', limit: 100, ...query })
        expect(ids(await run())).toEqual([first.id, done.id, third.id])
        expect(ids(await run({ status: 'pending' }))).toEqual([first.id, third.id])
        expect(ids(await run({ limit: 1, after: { created_at: first.created_at, id: first.id } }))).toEqual([done.id])
        expect(await store.runInteractions({ project, run_id: 'run_none', limit: 100 })).toEqual([])
      })
    })

    describe('wake-ups', () => {
      // Each test sweeps its own far-past window, so records of other tests in a shared store are not due in it.
      const sweep = (now: string, claimUntil: string, limit = 1_000) => store.due({ now, limit, claimUntil })

      it('due — records whose wake-up is at or before now, soonest first, up to limit', async () => {
        const project = uniqueProject()
        const first = await insert({ project, expires_at: '2000-01-01T00:00:01.000Z' })
        const second = await insert({ project, expires_at: '2000-01-01T00:00:02.000Z' })
        await insert({ project, expires_at: '2000-01-01T00:00:00.500Z', status: 'completed', completed_at: NOW })
        await insert({ project, expires_at: '2000-01-01T00:00:03.000Z' })
        const due = await sweep('2000-01-01T00:00:02.000Z', '2000-01-01T00:00:02.000Z')
        expect(ids(due.filter((r) => r.project === project))).toEqual([first.id, second.id])
        expect(await sweep('2000-01-01T00:00:02.000Z', '2000-01-01T00:00:02.000Z', 1)).toHaveLength(1)
      })

      it('due — claims what it returns until claimUntil; then the records are due again', async () => {
        const project = uniqueProject()
        const record = await insert({ project, expires_at: '2000-01-03T00:00:00.000Z' })
        const mine = (records: Interaction[]) => ids(records.filter((r) => r.project === project))
        expect(mine(await sweep('2000-01-03T00:00:00.000Z', '2000-01-03T00:01:00.000Z'))).toEqual([record.id])
        expect(mine(await sweep('2000-01-03T00:00:59.999Z', '2000-01-03T00:02:00.000Z'))).toEqual([])
        expect(mine(await sweep('2000-01-03T00:01:00.000Z', '2000-01-03T00:02:00.000Z'))).toEqual([record.id])
      })

      it('due — concurrent sweepers never get the same record', async () => {
        const project = uniqueProject()
        const records = await Promise.all(
          Array.from({ length: 12 }, (_, i) => insert({ project, expires_at: `2000-01-04T00:00:${String(i).padStart(2, '0')}.000Z` })),
        )
        const sweeps = await Promise.all([1, 2, 3].map(() => sweep('2000-01-04T00:01:00.000Z', '2000-01-04T00:02:00.000Z')))
        const handed = sweeps.flatMap((due) => ids(due.filter((r) => r.project === project)))
        expect(handed.sort()).toEqual(ids(records).sort())
      })

      it('due — a record written without a wake-up leaves the due list', async () => {
        const project = uniqueProject()
        const record = await insert({ project, expires_at: '2000-01-02T00:00:00.000Z' })
        await writeRecord(store, { ...record, status: 'expired', expired_at: NOW, version: 2 })
        expect(ids(await sweep('2000-01-02T00:00:00.000Z', '2000-01-02T00:01:00.000Z'))).not.toContain(record.id)
      })

      it("due — a new wake-up ends a sweeper's hold: the record is due at its new time, though the hold ran longer", async () => {
        const project = uniqueProject()
        const mine = (records: Interaction[]) => ids(records.filter((r) => r.project === project))
        const record = await insert({ project, expires_at: '2000-01-06T01:00:00.000Z' })
        // Held until 02:00 by the sweep that woke it at 01:00; the write it caused schedules the next timer at 01:10.
        expect(mine(await sweep('2000-01-06T01:00:00.000Z', '2000-01-06T02:00:00.000Z'))).toEqual([record.id])
        await writeRecord(store, { ...record, version: 2 }, { wakeAt: '2000-01-06T01:10:00.000Z' })
        expect(mine(await sweep('2000-01-06T01:10:00.000Z', '2000-01-06T02:10:00.000Z'))).toEqual([record.id])
      })

      it("due — follows the wake-up of the last write, not the record's fields: moved, it is due at the new time", async () => {
        const project = uniqueProject()
        const mine = (records: Interaction[]) => ids(records.filter((r) => r.project === project))
        // A later policy wakes a record before its expiry (a claim timeout, a reminder): the store keeps whatever time it is given.
        const record = await insert({ project, expires_at: '2000-01-05T12:00:00.000Z' })
        await writeRecord(store, { ...record, version: 2 }, { wakeAt: '2000-01-05T01:00:00.000Z' })
        expect(mine(await sweep('2000-01-05T00:59:59.999Z', '2000-01-05T00:59:59.999Z'))).toEqual([])
        expect(mine(await sweep('2000-01-05T01:00:00.000Z', '2000-01-05T01:00:00.000Z'))).toEqual([record.id])
        await writeRecord(store, { ...record, version: 3 }, { wakeAt: '2000-01-05T02:00:00.000Z' })
        expect(mine(await sweep('2000-01-05T01:30:00.000Z', '2000-01-05T01:30:00.000Z'))).toEqual([])
        expect(mine(await sweep('2000-01-05T02:00:00.000Z', '2000-01-05T02:00:00.000Z'))).toEqual([record.id])
      })
    })

    describeOutbox(() => store, insert, { ownClock: capabilities.now === true })
    describeServiceOver(() => store)

    it('capabilities — the declared ones are exactly the implemented ones', () => {
      expect(typeof store.now === 'function', 'now').toBe(capabilities.now === true)
      expect(store.inboxChanges === true, 'inboxChanges').toBe(capabilities.inboxChanges === true)
    })
    if (capabilities.now) describeClock(() => store, insert)
  })
}
