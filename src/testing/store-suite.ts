import { beforeAll, describe, expect, it } from 'vitest'
import type { Participant } from '../model/actor.js'
import type { Interaction } from '../model/interaction.js'
import type { InteractionStore } from '../ports.js'
import { makeOutboxEntry, makeRecord, uniqueProject } from './fixtures.js'
import { describeClock } from './clock-suite.js'
import { describeModify } from './modify-suite.js'
import { describeOutbox } from './outbox-suite.js'

const alice = { type: 'member', id: 'user_alice' } as const
const bob = { type: 'member', id: 'user_bob' } as const
const carol = { type: 'member', id: 'user_carol' } as const
const group = { type: 'group', id: 'group_ops' } as const
const NOW = '2026-04-21T10:00:00.000Z'
const at = (minute: number) => `2026-04-21T09:${String(minute).padStart(2, '0')}:00.000Z`
const ids = (records: Interaction[]) => records.map((r) => r.id)

/** Optional capabilities a store declares, so the suite checks them too. */
export interface StoreCapabilities {
  /** The store implements `modify`, the locked read-decide-write. */
  modify?: boolean
  /** The store implements `now`, its own clock, which the service then uses instead of its `clock` option. */
  now?: boolean
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

    const insert = async (overrides: Partial<Interaction> & { project: string }) => {
      const record = makeRecord(overrides)
      const { interaction, created } = await store.create(record)
      expect(created).toBe(true)
      return interaction
    }

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
        expect(await store.create(record)).toEqual({ interaction: record, created: true })
        expect(await store.get(project, record.id)).toEqual(record)
      })

      it('create — a repeated idempotency key returns the first record and inserts nothing', async () => {
        const project = uniqueProject()
        const first = await insert({ project, idempotency_key: 'same' })
        const second = makeRecord({ project, idempotency_key: 'same', message: 'other' })
        expect(await store.create(second)).toEqual({ interaction: first, created: false })
        expect(await store.get(project, second.id)).toBeUndefined()
      })

      it('findByIdempotencyKey — finds the record of this project with that key, and nothing else', async () => {
        const record = await insert({ project: uniqueProject(), idempotency_key: 'lookup' })
        expect(await store.findByIdempotencyKey(record.project, 'lookup')).toEqual(record)
        expect(await store.findByIdempotencyKey(record.project, 'other')).toBeUndefined()
        expect(await store.findByIdempotencyKey(uniqueProject(), 'lookup')).toBeUndefined()
      })

      it('create — idempotency keys are scoped to the project', async () => {
        const a = await insert({ project: uniqueProject(), idempotency_key: 'shared' })
        const b = await insert({ project: uniqueProject(), idempotency_key: 'shared' })
        expect(b.id).not.toBe(a.id)
      })

      it('create — concurrent creates with one key make one record', async () => {
        const project = uniqueProject()
        const results = await Promise.all(Array.from({ length: 10 }, () => store.create(makeRecord({ project, idempotency_key: 'race' }))))
        expect(results.filter((r) => r.created)).toHaveLength(1)
        expect(new Set(results.map((r) => r.interaction.id)).size).toBe(1)
      })

      it('get — another project, or an unknown id, is undefined', async () => {
        const record = await insert({ project: uniqueProject() })
        expect(await store.get(uniqueProject(), record.id)).toBeUndefined()
        expect(await store.get(record.project, 'iact_unknown')).toBeUndefined()
      })

      it('get — returns a copy: changing it does not change the store', async () => {
        const record = await insert({ project: uniqueProject() })
        const copy = (await store.get(record.project, record.id))!
        copy.responses.push({ actor: alice, value: { confirmed: true }, responded_at: NOW })
        expect((await store.get(record.project, record.id))!.responses).toEqual([])
      })

      it('update — replaces the record when the version matches, and drops fields left out', async () => {
        const record = await insert({ project: uniqueProject(), target_actor: group, members: [alice], claimed_by: alice, claimed_at: at(1) })
        const { claimed_by: _by, claimed_at: _at, ...released } = record
        const next = { ...released, version: 2, updated_at: at(2) }
        expect(await store.update(next, { expectedVersion: 1 })).toBe(true)
        expect(await store.get(record.project, record.id)).toEqual(next)
      })

      it('update — a stale version writes nothing, outbox entry included', async () => {
        const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
        const stale = { ...record, status: 'completed' as const, version: 3 }
        const entry = makeOutboxEntry(record)
        expect(await store.update(stale, { expectedVersion: 2, outbox: entry })).toBe(false)
        expect(await store.get(record.project, record.id)).toEqual(record)
        const pending = await store.listSignals({ status: 'pending', limit: 10_000 })
        expect(pending.map((e) => e.id)).not.toContain(entry.id)
      })

      it('update — of concurrent writers with the same expected version, exactly one wins', async () => {
        const record = await insert({ project: uniqueProject() })
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.update({ ...record, message: `writer ${i}`, version: 2 }, { expectedVersion: 1 })),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
        const winner = results.indexOf(true)
        expect((await store.get(record.project, record.id))!.message).toBe(`writer ${winner}`)
      })

      it('update — an unknown record is a mismatch', async () => {
        expect(await store.update(makeRecord({ project: uniqueProject(), version: 2 }), { expectedVersion: 1 })).toBe(false)
      })
    })

    describe('inbox', () => {
      const inbox = (project: string, actor: Participant, extra: { now?: string; limit?: number; after?: { created_at: string; id: string } } = {}) =>
        store.inbox({ project, actor, now: extra.now ?? NOW, limit: extra.limit ?? 100, ...(extra.after && { after: extra.after }) })

      it('inbox — direct targets match on type and id', async () => {
        const project = uniqueProject()
        const mine = await insert({ project, target_actor: alice })
        await insert({ project, target_actor: bob })
        await insert({ project, target_actor: { type: 'agent', id: 'user_alice' } })
        expect(ids(await inbox(project, alice))).toEqual([mine.id])
      })

      it('inbox — first_responder: unclaimed for every member, claimed only for the claimant', async () => {
        const project = uniqueProject()
        const open = await insert({ project, target_actor: group, routing_policy: 'first_responder', members: [alice, bob], created_at: at(1) })
        const claimed = await insert({ project, target_actor: group, routing_policy: 'first_responder', members: [alice, bob], claimed_by: bob, claimed_at: at(3), created_at: at(2) })
        expect(ids(await inbox(project, alice))).toEqual([open.id])
        expect(ids(await inbox(project, bob))).toEqual([open.id, claimed.id])
        expect(await inbox(project, carol)).toEqual([])
      })

      it('inbox — all_members: until the member has responded', async () => {
        const project = uniqueProject()
        const vote = await insert({
          project,
          target_actor: group,
          routing_policy: 'all_members',
          members: [alice, bob],
          responses: [{ actor: alice, value: { confirmed: true }, responded_at: at(1) }],
        })
        expect(await inbox(project, alice)).toEqual([])
        expect(ids(await inbox(project, bob))).toEqual([vote.id])
      })

      it('inbox — follows updates: completion removes, release restores', async () => {
        const project = uniqueProject()
        const record = await insert({ project, target_actor: group, routing_policy: 'first_responder', members: [alice, bob], claimed_by: bob, claimed_at: at(1) })
        expect(await inbox(project, alice)).toEqual([])
        const { claimed_by: _by, claimed_at: _at, ...released } = record
        await store.update({ ...released, version: 2 }, { expectedVersion: 1 })
        expect(ids(await inbox(project, alice))).toEqual([record.id])
        await store.update({ ...released, status: 'completed', version: 3 }, { expectedVersion: 2 })
        expect(await inbox(project, alice)).toEqual([])
        expect(await inbox(project, bob)).toEqual([])
      })

      it('inbox — leaves out what expires at or before now', async () => {
        const project = uniqueProject()
        await insert({ project, expires_at: NOW })
        const later = await insert({ project, expires_at: '2026-04-21T10:00:00.001Z' })
        expect(ids(await inbox(project, alice))).toEqual([later.id])
      })

      it('inbox — orders by created_at then id, and pages after a position', async () => {
        const project = uniqueProject()
        const records = [
          await insert({ project, id: 'iact_b', created_at: at(2) }),
          await insert({ project, id: 'iact_c', created_at: at(1) }),
          await insert({ project, id: 'iact_a', created_at: at(2) }),
          await insert({ project, id: 'iact_d', created_at: at(3) }),
        ]
        expect(records).toHaveLength(4)
        expect(ids(await inbox(project, alice))).toEqual(['iact_c', 'iact_a', 'iact_b', 'iact_d'])
        expect(ids(await inbox(project, alice, { limit: 2 }))).toEqual(['iact_c', 'iact_a'])
        expect(ids(await inbox(project, alice, { limit: 2, after: { created_at: at(2), id: 'iact_a' } }))).toEqual(['iact_b', 'iact_d'])
      })

      it('inbox — is scoped to the project', async () => {
        await insert({ project: uniqueProject() })
        expect(await inbox(uniqueProject(), alice)).toEqual([])
      })
    })

    describe('expiry', () => {
      // Each test sweeps its own far-past window, so records of other tests in a shared store are not due in it.
      const sweep = (now: string, claimUntil: string, limit = 1_000) => store.dueForExpiry({ now, limit, claimUntil })

      it('dueForExpiry — pending records due at or before now, soonest first, up to limit', async () => {
        const project = uniqueProject()
        const first = await insert({ project, expires_at: '2000-01-01T00:00:01.000Z' })
        const second = await insert({ project, expires_at: '2000-01-01T00:00:02.000Z' })
        await insert({ project, expires_at: '2000-01-01T00:00:00.500Z', status: 'completed' })
        await insert({ project, expires_at: '2000-01-01T00:00:03.000Z' })
        const due = await sweep('2000-01-01T00:00:02.000Z', '2000-01-01T00:00:02.000Z')
        expect(ids(due.filter((r) => r.project === project))).toEqual([first.id, second.id])
        expect(await sweep('2000-01-01T00:00:02.000Z', '2000-01-01T00:00:02.000Z', 1)).toHaveLength(1)
      })

      it('dueForExpiry — claims what it returns until claimUntil; then the records are due again', async () => {
        const project = uniqueProject()
        const record = await insert({ project, expires_at: '2000-01-03T00:00:00.000Z' })
        const mine = (records: Interaction[]) => ids(records.filter((r) => r.project === project))
        expect(mine(await sweep('2000-01-03T00:00:00.000Z', '2000-01-03T00:01:00.000Z'))).toEqual([record.id])
        expect(mine(await sweep('2000-01-03T00:00:59.999Z', '2000-01-03T00:02:00.000Z'))).toEqual([])
        expect(mine(await sweep('2000-01-03T00:01:00.000Z', '2000-01-03T00:02:00.000Z'))).toEqual([record.id])
      })

      it('dueForExpiry — concurrent sweepers never get the same record', async () => {
        const project = uniqueProject()
        const records = await Promise.all(Array.from({ length: 12 }, (_, i) => insert({ project, expires_at: `2000-01-04T00:00:${String(i).padStart(2, '0')}.000Z` })))
        const sweeps = await Promise.all([1, 2, 3].map(() => sweep('2000-01-04T00:01:00.000Z', '2000-01-04T00:02:00.000Z')))
        const handed = sweeps.flatMap((due) => ids(due.filter((r) => r.project === project)))
        expect(handed.sort()).toEqual(ids(records).sort())
      })

      it('dueForExpiry — an expired update leaves the due list', async () => {
        const project = uniqueProject()
        const record = await insert({ project, expires_at: '2000-01-02T00:00:00.000Z' })
        await store.update({ ...record, status: 'expired', expired_at: NOW, version: 2 }, { expectedVersion: 1 })
        expect(ids(await sweep('2000-01-02T00:00:00.000Z', '2000-01-02T00:01:00.000Z'))).not.toContain(record.id)
      })
    })

    describeOutbox(() => store, insert, { ownClock: capabilities.now === true })

    it('capabilities — the declared ones are exactly the implemented ones', () => {
      expect(typeof store.modify === 'function', 'modify').toBe(capabilities.modify === true)
      expect(typeof store.now === 'function', 'now').toBe(capabilities.now === true)
    })
    if (capabilities.modify) describeModify(() => store, insert)
    if (capabilities.now) describeClock(() => store, insert, { modify: capabilities.modify === true })
  })
}
