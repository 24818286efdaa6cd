import { describe, expect, it } from 'vitest'
import type { Participant } from '../model/actor.js'
import type { Signal } from '../model/signal.js'
import type { InteractionStore } from '../ports.js'
import { createInteractionsWith } from '../service/create-interactions.js'
import { uniqueProject } from './fixtures.js'

const alice: Participant = { type: 'member', id: 'user_alice' }
const bob: Participant = { type: 'member', id: 'user_bob' }
const pair = { type: 'group', id: 'pair' } as const

/** The create input of an approval gate of run `run_id` for `target`. */
const gate = (target: Participant | typeof pair, run_id: string) =>
  ({ type: 'approval', spec: { mode: 'confirm' }, target_actor: target, run_id, topic: 'gate' }) as const

/** The service over the store under test, end to end: what a host sees when it plugs the store in. */
export function describeServiceOver(getStore: () => InteractionStore) {
  describe('the service over this store', () => {
    const service = () => {
      const sent: Signal[] = []
      const store = getStore()
      const interactions = createInteractionsWith(
        {
          store,
          signals: { deliver: async (signal) => void sent.push(signal) },
          directory: { membersOf: async () => [alice, bob] },
        },
        () => store,
      )
      return { interactions, sent }
    }

    it('service — a response completes the interaction, and its history, inbox and signal follow in the same step', async () => {
      const { interactions, sent } = service()
      const project = uniqueProject()
      const ask = await interactions.create(project, gate(pair, 'run_1'))
      expect((await interactions.inbox(project, bob)).items.map((i) => i.id)).toEqual([ask.id])
      await interactions.claim(project, ask.id, alice)
      expect((await interactions.inbox(project, bob)).items).toEqual([])
      const done = await interactions.respond(project, ask.id, { actor: alice, value: { confirmed: true } })
      expect(done).toMatchObject({ status: 'completed', outcome: 'approved', version: 3 })
      expect((await interactions.history(project, ask.id)).map((e) => [e.seq, e.type])).toEqual([
        [1, 'created'],
        [2, 'claimed'],
        [3, 'responded'],
        [4, 'completed'],
      ])
      expect((await interactions.inbox(project, alice)).items).toEqual([])
      expect(sent.map((s) => [s.idempotency_key, s.outcome])).toEqual([[`${ask.id}:completed`, 'approved']])
    })

    it('service — cancel ends it, drops it from every inbox, and writes its event and its signal with it', async () => {
      const { interactions, sent } = service()
      const project = uniqueProject()
      const ask = await interactions.create(project, gate(pair, 'run_2'))
      const cancelled = await interactions.cancel(project, ask.id, { actor: bob, reason: 'withdrawn' })
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelled_by: bob, cancel_reason: 'withdrawn', version: 2 })
      expect(await interactions.get(project, ask.id)).toEqual(cancelled)
      for (const actor of [alice, bob]) expect((await interactions.inbox(project, actor)).items).toEqual([])
      expect((await interactions.history(project, ask.id)).at(-1)).toMatchObject({
        seq: 2,
        type: 'cancelled',
        actor: bob,
        data: { reason: 'withdrawn' },
      })
      expect(sent.map((s) => [s.idempotency_key, s.status])).toEqual([[`${ask.id}:cancelled`, 'cancelled']])
    })

    it('service — cancelRun cancels the pending interactions of one run only, once', async () => {
      const { interactions } = service()
      const project = uniqueProject()
      const ofRun = () => interactions.create(project, gate(alice, 'run_3'))
      const [first, second] = [await ofRun(), await ofRun()]
      const other = await interactions.create(project, gate(alice, 'run_4'))
      expect(await interactions.cancelRun(project, 'run_3', { actor: bob })).toEqual({ cancelled: 2 })
      expect(await interactions.cancelRun(project, 'run_3', { actor: bob })).toEqual({ cancelled: 0 })
      for (const { id } of [first, second]) expect((await interactions.get(project, id)).status).toBe('cancelled')
      expect((await interactions.get(project, other.id)).status).toBe('pending')
    })
  })
}
