import { describe, expect, it, vi } from 'vitest'
import { memberA, pendingApproval } from '../support/records.js'

// Building the machine costs a cold start a few milliseconds, so importing the package must not build it.
const built = vi.hoisted(() => ({ count: 0 }))
vi.mock('xstate', async (importOriginal) => {
  const xstate = await importOriginal<typeof import('xstate')>()
  return {
    ...xstate,
    setup: ((...args: Parameters<typeof xstate.setup>) => {
      built.count++
      return xstate.setup(...args)
    }) as typeof xstate.setup,
  }
})

describe('machine on first use', () => {
  it('interactionMachine — importing the package builds no machine; the first read builds it, once', async () => {
    const { interactionMachine } = await import('@hitl/interactions')
    expect(built.count).toBe(0)
    expect(interactionMachine.id).toBe('interaction')
    expect(Object.keys(interactionMachine.states)).toEqual(['pending', 'completed', 'expired', 'cancelled'])
    expect(built.count).toBe(1)
  })

  it('interactionMachine — passes for the machine with XState: an actor started from it runs it', async () => {
    const { interactionMachine } = await import('@hitl/interactions')
    const { createActor, StateMachine } = await import('xstate')
    expect(interactionMachine).toBeInstanceOf(StateMachine)
    const actor = createActor(interactionMachine, { input: pendingApproval }).start()
    expect(actor.getSnapshot().value).toEqual({ pending: 'direct' })
    actor.send({ type: 'respond', actor: memberA, value: { confirmed: true }, at: '2026-04-21T09:30:00.000Z' })
    expect(actor.getSnapshot().value).toBe('completed')
    expect(built.count).toBe(1)
  })
  it('interactionMachine — inspects as the machine, and a property set on it is set on the machine', async () => {
    const { interactionMachine } = await import('@hitl/interactions')
    const { inspect } = await import('node:util')
    expect(inspect(interactionMachine)).toMatch(/^(<ref \*1> )?StateMachine \{/)
    const named = interactionMachine as unknown as { label?: string }
    named.label = 'deploy gate'
    expect(named.label).toBe('deploy gate')
    expect(Object.keys(interactionMachine)).toContain('label')
    delete named.label
    expect('label' in interactionMachine).toBe(false)
  })
})
