import { memoryStore, type Interaction } from '@hitl/interactions'
import { insertRecord, makeRecord, uniqueProject, writeRecord } from '@hitl/interactions/testing'
import { describe, expect, it } from 'vitest'

const alice = { type: 'member', id: 'user_alice' } as const
const bob = { type: 'member', id: 'user_bob' } as const
const AT = '2026-04-21T09:30:00.000Z'
const answer = (actor: typeof alice | typeof bob) => ({ actor, value: { confirmed: true }, responded_at: AT })

/** A stored all-members record of Alice and Bob, with a proposal whose schema a validator may write into. */
async function stored() {
  const store = memoryStore()
  const record = makeRecord({
    project: uniqueProject(),
    spec: {
      mode: 'confirm',
      proposal: { value: { replicas: 3 }, schema: { type: 'object', properties: { replicas: { type: 'integer' } } } },
    },
    target_actor: { type: 'group', id: 'group_ops' },
    routing_policy: 'all_members',
    members: [alice, bob],
    metadata: { ticket: { id: 'T-1' } },
  })
  await insertRecord(store, record)
  const get = async () => (await store.get({ project: record.project, id: record.id }))!
  return { store, record, get }
}

describe('memory store: what it shares and what it copies', () => {
  it('get — nested objects and list entries are frozen, and an answer keeps the very entries kept before', async () => {
    const { store, get } = await stored()
    const first = await get()
    await writeRecord(store, { ...first, responses: [answer(alice)], version: 2 })
    const second = await get()
    await writeRecord(store, { ...second, responses: [...second.responses, answer(bob)], version: 3 })
    const third = await get()
    expect(Object.isFrozen(third.metadata)).toBe(true)
    expect(Object.isFrozen(third.members![0])).toBe(true)
    expect(Object.isFrozen(third.responses[0])).toBe(true)
    // Shared, not copied: a write copies only what changed.
    expect(third.responses[0]).toBe(second.responses[0])
    expect(third.members![1]).toBe(first.members![1])
  })

  it('get — the lists and the spec are the caller’s own: changing them changes nothing in the store', async () => {
    const { get } = await stored()
    const record = await get()
    record.members!.push({ type: 'member', id: 'user_mallory' })
    record.responses.push(answer(alice))
    // A JSON Schema validator marks the schema it is given; the stored spec stays as it was.
    Object.assign(record.spec.mode === 'confirm' ? record.spec.proposal!.schema : {}, { __absolute_uri__: 'urn:x' })
    const again = await get()
    expect(again.members).toEqual([alice, bob])
    expect(again.responses).toEqual([])
    expect(JSON.stringify(again.spec)).not.toContain('__absolute_uri__')
  })

  it('modify — what decide is given cannot change the store: its responses are a copy, its other lists frozen', async () => {
    const { store, record, get } = await stored()
    const outcome = await store.modify({
      project: record.project,
      id: record.id,
      decide: (current: Interaction) => {
        current.responses.push(answer(alice))
        return { result: Object.isFrozen(current.members) }
      },
    })
    expect(outcome).toEqual({ result: true })
    expect((await get()).responses).toEqual([])
  })
})

describe('memory store: what adapters receive', () => {
  it('a signal adapter may change the signal it is given: the first delivery succeeds and the store keeps its record', async () => {
    const { callbackSignals, createInteractions } = await import('@hitl/interactions')
    const received: unknown[] = []
    const interactions = createInteractions({
      store: memoryStore(),
      directory: { membersOf: async () => [alice, bob] },
      signals: callbackSignals((signal) => {
        // A handler that annotates what it got, as hosts do before passing it on.
        Object.assign(signal.responses[0]!.value, { received: true })
        signal.responses.push(signal.responses[0]!)
        received.push(signal)
      }),
    })
    const project = uniqueProject()
    const { id } = await interactions.create(project, {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'group', id: 'group_ops' },
      routing_policy: 'all_members',
      run_id: 'run_1',
      topic: 'ops',
    })
    await interactions.respond(project, id, { actor: alice, value: { confirmed: true } })
    await interactions.respond(project, id, { actor: bob, value: { confirmed: true } })
    expect(received).toHaveLength(1)
    expect(await interactions.deliverSignals()).toMatchObject({ delivered: 0 })
    const record = await interactions.get(project, id)
    expect(record.responses.map((response) => response.value)).toEqual([{ confirmed: true }, { confirmed: true }])
  })
})
