import { LIMITS, type Interaction, type InteractionStore, type Participant, type Write } from '@hitl/interactions'
import { actorKey } from '@hitl/interactions/adapter'
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { harness } from '../support/harness.js'

const members: Participant[] = Array.from({ length: LIMITS.members }, (_, n) => ({ type: 'member', id: `user_${n}` }))
const [last, secondLast] = [members.at(-1)!, members.at(-2)!]
const everyone = {
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: { type: 'group', id: 'group_all' },
  routing_policy: 'all_members',
  run_id: 'run_all',
  topic: 'vote',
} as const

/** The store, with the inbox of every write its `modify` makes recorded. */
function recordingInboxes(store: InteractionStore, inboxChanges: boolean) {
  const inboxes: Write['inbox'][] = []
  const recording: InteractionStore = {
    ...store,
    ...(!inboxChanges && { inboxChanges: undefined }),
    modify: (query) =>
      store.modify({
        ...query,
        decide: (current, now) => {
          const decision = query.decide(current, now)
          if (decision.write) inboxes.push(decision.write.inbox)
          return decision
        },
      }),
  }
  return { inboxes, store: recording }
}

/**
 * Every member but the last `left` approves, in one write straight to the store: what thousands of
 * answers through the service would leave, without the wait.
 */
async function allApproveBut(store: InteractionStore, record: Interaction, left: number) {
  const answering = members.slice(0, members.length - left)
  await store.modify({
    project: record.project,
    id: record.id,
    decide: (current) => {
      const responses = answering.map((actor) => ({ actor, value: { confirmed: true }, responded_at: current.created_at }))
      const next = { ...current, responses, version: current.version + 1 }
      return { result: null, write: { record: next, inbox: { remove: answering.map(actorKey) }, events: [] } }
    },
  })
}

describeEachStore('groups at the member limit', (emptyStore) => {
  const service = async ({ inboxChanges = true } = {}) => {
    const { inboxes, store } = recordingInboxes(await emptyStore(), inboxChanges)
    return { inboxes, ...harness({ store, groups: { group_all: members } }) }
  }
  const inboxOf = (store: InteractionStore, actor: Participant) =>
    store.inbox({ project: 'acme', actorKey: actorKey(actor), now: '2026-04-21T09:00:00.000Z', limit: 10 })

  it(`all members — a group of ${LIMITS.members} is created and completes approved when its last member confirms`, async () => {
    const { interactions, store, delivered } = await service()
    const created = await interactions.create('acme', everyone)
    expect(created.members).toHaveLength(10_000)
    expect((await inboxOf(store, last)).map((item) => item.id)).toEqual([created.id])
    await allApproveBut(store, created, 2)
    expect(await interactions.respond('acme', created.id, { actor: secondLast, value: { confirmed: true } })).toMatchObject({
      status: 'pending',
    })
    expect(await inboxOf(store, secondLast)).toEqual([])
    expect((await inboxOf(store, last)).map((item) => item.id)).toEqual([created.id])
    const done = await interactions.respond('acme', created.id, { actor: last, value: { confirmed: true } })
    expect(done).toMatchObject({ status: 'completed', outcome: 'approved' })
    expect(done.responses).toHaveLength(10_000)
    expect(await inboxOf(store, last)).toEqual([])
    expect(delivered.map((signal) => [signal.outcome, signal.responses.length])).toEqual([['approved', 10_000]])
  })

  it('all members — the last member of a large group rejecting completes it rejected', async () => {
    const { interactions, store } = await service()
    const created = await interactions.create('acme', everyone)
    await allApproveBut(store, created, 1)
    const done = await interactions.respond('acme', created.id, { actor: last, value: { confirmed: false, reason: { text: 'no' } } })
    expect(done).toMatchObject({ status: 'completed', outcome: 'rejected', rejection_reason: { text: 'no' } })
  })

  it('all members — an answer that leaves a large group pending writes an inbox change of its responder alone, not a list of the others', async () => {
    const { interactions, inboxes } = await service()
    const created = await interactions.create('acme', everyone)
    await interactions.respond('acme', created.id, { actor: members[42]!, value: { confirmed: true } })
    expect(inboxes).toEqual([{ remove: ['member:user_42'] }])
  })

  it('all members — a store that does not declare inboxChanges is written the full list of who may still answer', async () => {
    const { interactions, inboxes } = await service({ inboxChanges: false })
    const created = await interactions.create('acme', everyone)
    await interactions.respond('acme', created.id, { actor: members[42]!, value: { confirmed: true } })
    const [written] = inboxes as string[][]
    expect(inboxes).toHaveLength(1)
    expect(written).toHaveLength(members.length - 1)
    expect(written).not.toContain('member:user_42')
    expect(written).toContain('member:user_43')
  })
})
