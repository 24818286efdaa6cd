import { describe, expect, it } from 'vitest'
import type { Interaction } from '../model/interaction.js'
import type { InteractionStore } from '../ports.js'
import { makeOutboxEntry, uniqueProject } from './fixtures.js'

/** The `modify` capability's half of the store suite; called when a store declares it. */
export function describeModify(getStore: () => InteractionStore, insert: (overrides: Partial<Interaction> & { project: string }) => Promise<Interaction>) {
  describe('modify', () => {
    const modify = <T>(project: string, id: string, decide: Parameters<NonNullable<InteractionStore['modify']>>[2]) =>
      getStore().modify!<T>(project, id, decide as never)

    it('modify — writes what decide returns, with its outbox entry, and returns its result', async () => {
      const record = await insert({ project: uniqueProject(), run_id: 'r', topic: 't' })
      const entry = makeOutboxEntry(record)
      const next = { ...record, status: 'completed' as const, version: 2 }
      const outcome = await modify(record.project, record.id, (current) => ({ result: current.version, write: { record: next, outbox: entry } }))
      expect(outcome?.result).toBe(1)
      expect(await getStore().get(record.project, record.id)).toEqual(next)
      // A store that delivers inside the transaction says so, and then the entry is delivered already.
      const settled = outcome?.outboxSettled === true
      expect(outcome).toEqual(settled ? { result: 1, outboxSettled: true } : { result: 1 })
      expect((await getStore().listSignals({ status: settled ? 'delivered' : 'pending', limit: 10_000 })).map((e) => e.id)).toContain(entry.id)
    })

    it('modify — without a write changes nothing', async () => {
      const record = await insert({ project: uniqueProject() })
      expect(await modify(record.project, record.id, () => ({ result: 'none' }))).toEqual({ result: 'none' })
      expect(await getStore().get(record.project, record.id)).toEqual(record)
    })

    it('modify — an unknown record, or another project, is undefined and decide is not called', async () => {
      const record = await insert({ project: uniqueProject() })
      let called = false
      const decide = () => {
        called = true
        return { result: 0 }
      }
      expect(await modify(uniqueProject(), record.id, decide)).toBeUndefined()
      expect(await modify(record.project, 'iact_unknown', decide)).toBeUndefined()
      expect(called).toBe(false)
    })

    it('modify — a throwing decide writes nothing and the error reaches the caller', async () => {
      const record = await insert({ project: uniqueProject() })
      const failure = new Error('decide failed')
      await expect(modify(record.project, record.id, () => { throw failure })).rejects.toBe(failure)
      expect(await getStore().get(record.project, record.id)).toEqual(record)
    })

    it('modify — concurrent callers take turns: every change lands, each on the latest record', async () => {
      const record = await insert({ project: uniqueProject(), target_actor: { type: 'group', id: 'g' }, routing_policy: 'all_members', members: [] })
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          modify(record.project, record.id, (current) => ({
            result: null,
            write: {
              record: {
                ...current,
                responses: [...current.responses, { actor: { type: 'member', id: `m${i}` }, value: { confirmed: true }, responded_at: current.created_at }],
                version: current.version + 1,
              },
            },
          })),
        ),
      )
      const final = (await getStore().get(record.project, record.id))!
      expect(final.version).toBe(26)
      expect(new Set(final.responses.map((r) => r.actor.id)).size).toBe(25)
    })
  })
}
