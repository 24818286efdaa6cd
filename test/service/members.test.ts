import { LIMITS, type Actor } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { uniqueActors } from '../../src/model/actor.js'
import { alice, bob, carol, harness, rejection } from '../support/harness.js'

const approval = { type: 'approval', spec: { mode: 'confirm' }, target_actor: { type: 'group', id: 'group_big' } } as const

describe('directory answers', () => {
  it('create — an answer over the member limit is refused before any member is read', async () => {
    let reads = 0
    const answer = new Proxy(
      Array.from({ length: 40_000 }, (_, i) => ({ type: 'member', id: `user_${i}` })),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++
          return Reflect.get(target, key, receiver)
        },
      },
    )
    const { interactions } = harness({ directory: { membersOf: async () => answer as Actor[] } })
    const error = await rejection(() => interactions.create('acme', approval))
    const issue = { path: ['target_actor', 'id'], message: expect.stringContaining('40000 members') }
    expect(error).toMatchObject({ code: 'validation_failed', issues: [issue] })
    expect(reads).toBe(0)
  })

  it('create — an answer at the member limit, repeats included, is accepted', async () => {
    const answer = Array.from({ length: LIMITS.members }, (_, i) => ({ type: 'member', id: `user_${i % 10}` }) as const)
    const { interactions } = harness({ directory: { membersOf: async () => answer } })
    expect((await interactions.create('acme', approval)).members).toHaveLength(10)
  })

  it('create — repeats are removed, keeping each member where it first appears', async () => {
    const agentBob = { type: 'agent', id: bob.id } as const
    const { interactions } = harness({ directory: { membersOf: async () => [bob, alice, bob, carol, alice, agentBob] } })
    expect((await interactions.create('acme', approval)).members).toEqual([bob, alice, carol, agentBob])
  })

  it('uniqueActors — reads each actor once, so a large answer costs linear time', () => {
    let reads = 0
    const actors = Array.from({ length: 2_000 }, (_, i) => ({
      type: 'member' as const,
      get id() {
        reads++
        return `user_${i % 1_000}`
      },
    }))
    expect(uniqueActors(actors)).toHaveLength(1_000)
    expect(reads).toBe(actors.length)
  })
})
