import { describe, expect, it } from 'vitest'
import type { Interaction } from '../model/interaction.js'
import type { OutboxEntry, Signal } from '../model/signal.js'
import type { InteractionStore, SignalOutcome } from '../ports.js'
import { createInteractionsWith } from '../service/create-interactions.js'
import { makeNotificationEntry, makeOutboxEntry, uniqueProject, writeRecord } from './fixtures.js'
import { virtualTime } from './virtual-time.js'

const T0 = '2026-04-21T09:00:00.000Z'
const T1 = '2026-04-21T09:01:00.000Z'
const T2 = '2026-04-21T09:02:00.000Z'
const LATER = '2026-04-21T09:30:00.000Z'
// Long before every other test's entries, so pruning up to it touches only the pruning test's own.
const EARLY = '2000-01-01T00:00:00.000Z'
const early = (seconds: number) => new Date(Date.parse(EARLY) + seconds * 1000).toISOString()
// Other tests' entries share the store and may be leased too: each test looks only at its own.
const mine = (entries: OutboxEntry[], ids: string[]) => entries.filter((e) => ids.includes(e.id))

/** The outbox half of the store suite; called by describeInteractionStore. */
export function describeOutbox(
  getStore: () => InteractionStore,
  insert: (overrides: Partial<Interaction> & { project: string }) => Promise<Interaction>,
  { ownClock }: { ownClock: boolean },
) {
  describe('outbox', () => {
    /** Completes a new run-linked record, writing its outbox entry, as the service does. */
    const complete = async (due = T0) => {
      const record = await insert({ project: uniqueProject(), run_id: 'run_1', topic: 'gate' })
      const entry = makeOutboxEntry(record, due)
      await writeRecord(getStore(), { ...record, status: 'completed', completed_at: T0, version: 2 }, { outbox: [entry] })
      return entry
    }
    const lease = (owner: string, now = T1, until = T2) => getStore().outbox.lease({ now, limit: 10_000, lease: { owner, until } })

    it('modify — writes the outbox entry with the state change', async () => {
      const entry = await complete()
      const [leased] = mine(await lease('a'), [entry.id])
      expect(leased).toMatchObject({
        id: entry.id,
        signal: entry.signal,
        status: 'pending',
        attempts: 1,
        lease_owner: 'a',
        lease_expires_at: T2,
      })
    })

    it('outbox.lease — an entry due later is not leased yet', async () => {
      const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
      const entry = { ...makeOutboxEntry(record, LATER) }
      await writeRecord(getStore(), { ...record, version: 2 }, { outbox: [entry] })
      expect(mine(await lease('a'), [entry.id])).toEqual([])
      expect(mine(await lease('a', LATER, '2026-04-21T10:00:00.000Z'), [entry.id])).toHaveLength(1)
    })

    it('outbox.lease — with kinds, only entries of those kinds: the others stay unleased, their attempts untouched', async () => {
      const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
      const [signal, notification] = [makeOutboxEntry(record, T0), makeNotificationEntry(record, T0)]
      await writeRecord(getStore(), { ...record, version: 2 }, { outbox: [signal, notification] })
      const leaseOf = (owner: string, kinds: ('signal' | 'notification')[]) =>
        getStore().outbox.lease({ now: T1, limit: 10_000, lease: { owner, until: T2 }, kinds })
      expect(mine(await leaseOf('a', ['notification']), [signal.id, notification.id]).map((e) => e.id)).toEqual([notification.id])
      expect(mine(await leaseOf('b', ['signal']), [signal.id, notification.id])).toEqual([
        expect.objectContaining({ id: signal.id, attempts: 1 }),
      ])
    })

    it('outbox.lease — a leased entry is not leased again until the lease expires; each lease counts an attempt', async () => {
      const entry = await complete()
      expect(mine(await lease('a'), [entry.id])).toHaveLength(1)
      expect(mine(await lease('b', T1), [entry.id])).toEqual([])
      const [retaken] = mine(await lease('b', T2, LATER), [entry.id])
      expect(retaken).toMatchObject({ lease_owner: 'b', attempts: 2 })
    })

    it('outbox.lease — concurrent dispatchers never lease the same entry', async () => {
      const entries = await Promise.all(Array.from({ length: 20 }, () => complete()))
      const ids = entries.map((e) => e.id)
      const batches = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => lease(owner)))
      const leased = batches.flatMap((batch) => mine(batch, ids).map((e) => e.id))
      expect(leased.sort()).toEqual([...ids].sort())
    })

    it('outbox.settle — only the lease owner settles; delivered entries are not leased again', async () => {
      const entry = await complete()
      await lease('a')
      expect(await getStore().outbox.settle({ id: entry.id, owner: 'b', outcome: { status: 'delivered', at: T1 } })).toBe(false)
      expect(await getStore().outbox.settle({ id: entry.id, owner: 'a', outcome: { status: 'delivered', at: T1 } })).toBe(true)
      expect(await getStore().outbox.settle({ id: entry.id, owner: 'a', outcome: { status: 'delivered', at: T1 } })).toBe(false)
      expect(mine(await lease('c', LATER, '2026-04-21T10:00:00.000Z'), [entry.id])).toEqual([])
      const delivered = mine(await getStore().outbox.list({ status: 'delivered', limit: 10_000 }), [entry.id])
      expect(delivered[0]).toMatchObject({ status: 'delivered', delivered_at: T1 })
      expect(delivered[0]).not.toHaveProperty('lease_owner')
    })

    it('outbox.settle — a retry is due again at next_attempt_at, keeping its error', async () => {
      const entry = await complete()
      await lease('a')
      expect(
        await getStore().outbox.settle({ id: entry.id, owner: 'a', outcome: { status: 'pending', error: 'boom', next_attempt_at: LATER } }),
      ).toBe(true)
      expect(mine(await lease('b', T2, LATER), [entry.id])).toEqual([])
      const [again] = mine(await lease('b', LATER, '2026-04-21T10:00:00.000Z'), [entry.id])
      expect(again).toMatchObject({ attempts: 2, last_error: 'boom', next_attempt_at: LATER })
    })

    it('outbox.settle — a delivery after a failed attempt clears last_error', async () => {
      const entry = await complete()
      await lease('a')
      expect(
        await getStore().outbox.settle({ id: entry.id, owner: 'a', outcome: { status: 'pending', error: 'boom', next_attempt_at: T2 } }),
      ).toBe(true)
      expect(mine(await lease('b', T2, LATER), [entry.id])).toHaveLength(1)
      expect(await getStore().outbox.settle({ id: entry.id, owner: 'b', outcome: { status: 'delivered', at: T2 } })).toBe(true)
      const [delivered] = mine(await getStore().outbox.list({ status: 'delivered', limit: 10_000 }), [entry.id])
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 2, delivered_at: T2 })
      expect(delivered).not.toHaveProperty('last_error')
    })

    it('outbox.settle — a dead entry is listed, never leased, and revived on demand', async () => {
      const entry = await complete()
      await lease('a')
      expect(await getStore().outbox.settle({ id: entry.id, owner: 'a', outcome: { status: 'dead', error: 'gone' } })).toBe(true)
      expect(mine(await lease('b', LATER, '2026-04-21T10:00:00.000Z'), [entry.id])).toEqual([])
      const [dead] = mine(await getStore().outbox.list({ status: 'dead', limit: 10_000 }), [entry.id])
      expect(dead).toMatchObject({ status: 'dead', last_error: 'gone', attempts: 1 })

      const revived = await getStore().outbox.revive({ id: entry.id, now: LATER })
      expect(revived).toMatchObject({ id: entry.id, status: 'pending', attempts: 0, next_attempt_at: LATER })
      expect(await getStore().outbox.revive({ id: entry.id, now: LATER })).toBeUndefined()
      expect(mine(await lease('c', LATER, '2026-04-21T10:00:00.000Z'), [entry.id])).toHaveLength(1)
    })

    it('outbox.list — pages in id order after a given id', async () => {
      const entries = await Promise.all(Array.from({ length: 3 }, () => complete()))
      await lease('a')
      for (const entry of entries) await getStore().outbox.settle({ id: entry.id, owner: 'a', outcome: { status: 'dead', error: 'x' } })
      const all = (await getStore().outbox.list({ status: 'dead', limit: 10_000 })).map((e) => e.id)
      expect(all).toEqual([...all].sort())
      const first = all.indexOf(entries.map((e) => e.id).sort()[0]!)
      const page = await getStore().outbox.list({ status: 'dead', limit: 2, after: all[first]! })
      expect(page.map((e) => e.id)).toEqual(all.slice(first + 1, first + 3))
    })

    it('outbox.prune — deletes entries delivered before the time, oldest first, up to limit; never pending or dead ones', async () => {
      // All due, created and retried before the cutoff: only the status and delivered_at keep an entry.
      const settled = async (outcome: SignalOutcome) => {
        const { id } = await complete(EARLY)
        expect(mine(await lease('a', EARLY, early(60)), [id])).toHaveLength(1)
        expect(await getStore().outbox.settle({ id, owner: 'a', outcome })).toBe(true)
        return id
      }
      // Written in neither delivery order nor its reverse, so only sorting by delivered_at prunes the right ones.
      const oldest = await settled({ status: 'delivered', at: early(1) })
      const newest = await settled({ status: 'delivered', at: early(3) })
      const middle = await settled({ status: 'delivered', at: early(2) })
      const kept = await settled({ status: 'delivered', at: early(600) })
      const retrying = await settled({ status: 'pending', error: 'boom', next_attempt_at: early(300) })
      const dead = await settled({ status: 'dead', error: 'gone' })
      const left = async (status: OutboxEntry['status']) =>
        mine(await getStore().outbox.list({ status, limit: 10_000 }), [newest, oldest, middle, kept, retrying, dead]).map((e) => e.id)

      expect(await getStore().outbox.prune({ deliveredBefore: early(600), limit: 2 })).toBe(2)
      expect(await left('delivered')).toEqual([newest, kept].sort())
      expect(await getStore().outbox.prune({ deliveredBefore: early(600), limit: 10 })).toBe(1)
      expect(await getStore().outbox.prune({ deliveredBefore: early(600), limit: 10 })).toBe(0)
      expect(await left('delivered')).toEqual([kept])
      expect(await left('pending')).toEqual([retrying])
      expect(await left('dead')).toEqual([dead])
    })

    // These move the service's clock by hand; a store with its own clock (`now`) would not follow it.
    if (!ownClock)
      describe('deliverSignals of the service over this store', () => {
        /** The service on this store and on virtual time, with a receiver that takes `latencyMs(signal)` per request. */
        const slowReceiver = (latencyMs: (signal: Signal) => number) => {
          const time = virtualTime('2026-04-22T00:00:00.000Z')
          const sends: string[] = []
          const signals = {
            async deliver(signal: Signal) {
              sends.push(signal.idempotency_key)
              await time.sleep(latencyMs(signal))
            },
          }
          const store = time.track(getStore())
          const interactions = createInteractionsWith({ store, signals, clock: time.clock }, () => store)
          const timesSent = (id: string) => sends.filter((sent) => sent === id).length
          return { time, sends, timesSent, interactions }
        }

        it('deliverSignals — a receiver taking 10 s, a pass every 30 s: each signal is sent once, each send counted once', async () => {
          const ids = (await Promise.all(Array.from({ length: 100 }, () => complete()))).map((entry) => entry.id)
          const { time, sends, timesSent, interactions } = slowReceiver(() => 10_000)
          const passes = []
          for (let pass = 0; pass < 10; pass++) {
            passes.push(interactions.deliverSignals())
            await time.advance(30_000)
          }
          const reports = await Promise.all(passes)
          expect(ids.filter((id) => timesSent(id) !== 1)).toEqual([])
          // Other tests' entries may be delivered too; each send that settled is counted, once.
          expect(reports.reduce((sum, report) => sum + report.delivered, 0)).toBe(sends.length)
        })

        it('deliverSignals — a send outliving its lease is sent again by a later pass; only the send that settles is counted', async () => {
          const entry = await complete()
          const { time, sends, timesSent, interactions } = slowReceiver((signal) => (signal.idempotency_key === entry.id ? 70_000 : 0))
          const first = interactions.deliverSignals()
          // The 60 s lease runs out while the first send is still in flight.
          await time.advance(65_000)
          const second = interactions.deliverSignals()
          await time.advance(70_000)
          const [one, two] = await Promise.all([first, second])
          expect(timesSent(entry.id)).toBe(2)
          expect(one.delivered + two.delivered).toBe(sends.length - 1)
          const [delivered] = mine(await getStore().outbox.list({ status: 'delivered', limit: 10_000 }), [entry.id])
          expect(delivered).toMatchObject({ delivered_at: '2026-04-22T00:02:15.000Z' })
        })
      })
  })
}
