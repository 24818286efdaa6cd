import { callbackSignals, createInteractions, memoryStore, type InteractionsOptions } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { alice, deployGate, manualClock } from '../support/harness.js'

/** The error `createInteractions` throws for these options, failing if it throws none. */
function refusal(options: unknown) {
  try {
    createInteractions(options as InteractionsOptions)
  } catch (error) {
    return error as { code: string; message: string; issues: { path: (string | number)[]; message: string }[] }
  }
  throw new Error('expected createInteractions to refuse the options')
}

/** Expects a configuration error whose only issue is at `path`, with a message matching `message`. */
function expectRefused(options: unknown, path: (string | number)[], message: RegExp) {
  const error = refusal(options)
  expect(error.code).toBe('configuration')
  expect(error.issues).toEqual([{ path, message: expect.stringMatching(message) }])
  expect(error.message).toContain(path.join('.'))
}

describe('createInteractions options', () => {
  it('createInteractions — an unknown option, such as a misspelt store, is refused by name', () => {
    expectRefused({ stroe: memoryStore() }, ['stroe'], /not an option/)
    expectRefused({ delivery: { leaseMS: 1_000 } }, ['delivery', 'leaseMS'], /not an option/)
    // The retry of a lost compare-and-swap belongs to compareAndSwapStore now, and the message says where it went.
    expectRefused(
      { conflictRetry: { attempts: 3 } },
      ['conflictRetry'],
      /no longer an option.*compareAndSwapStore\(base, \{ attempts, baseMs, maxMs \}\)/,
    )
    // A key that names a property of every object is still just an unknown option.
    expectRefused({ constructor: 1 }, ['constructor'], /not an option here; check its spelling/)
  })

  it('createInteractions — a store factory passed uncalled, or a store missing a method, is refused', () => {
    expectRefused({ store: memoryStore }, ['store'], /store object such as memoryStore\(\).*call the factory/)
    expectRefused({ store: { ...memoryStore(), modify: undefined } }, ['store', 'modify'], /must be a function modify/)
    expectRefused({ store: { ...memoryStore(), outbox: undefined } }, ['store', 'outbox'], /store's outbox/)
    expectRefused(
      { store: { ...memoryStore(), outbox: { ...memoryStore().outbox, lease: 1 } } },
      ['store', 'outbox', 'lease'],
      /must be a function lease/,
    )
    expectRefused({ store: { ...memoryStore(), now: 'database' } }, ['store', 'now'], /must be a function now\(\)/)
  })

  it('createInteractions — a signals adapter given as a bare function is refused', () => {
    expectRefused({ signals: async () => undefined }, ['signals'], /deliver\(signal\).*callbackSignals/)
    expectRefused({ signals: { send: async () => undefined } }, ['signals', 'deliver'], /must be a function deliver/)
  })

  it('createInteractions — a directory without membersOf is refused', () => {
    expectRefused({ directory: async () => [] }, ['directory'], /membersOf\(project, groupId\)/)
    expectRefused({ directory: { members: async () => [] } }, ['directory', 'membersOf'], /must be a function membersOf/)
  })

  it('createInteractions — wrong types are refused by option: clock, random, delivery and retry numbers', () => {
    expectRefused({ clock: new Date() }, ['clock'], /must be a function \(\) => Date/)
    expectRefused({ random: 0.5 }, ['random'], /must be a function/)
    expectRefused({ delivery: { maxAttempts: 0 } }, ['delivery', 'maxAttempts'], /positive integer/)
    expectRefused({ delivery: { maxAttempts: 2.5 } }, ['delivery', 'maxAttempts'], /positive integer/)
    expectRefused({ delivery: { leaseMs: '60s' } }, ['delivery', 'leaseMs'], /milliseconds/)
    expectRefused({ delivery: { baseMs: -1 } }, ['delivery', 'baseMs'], /milliseconds/)
    expectRefused({ delivery: { factor: 0.5 } }, ['delivery', 'factor'], /1 or more/)
    expectRefused({ delivery: null }, ['delivery'], /object/)
  })

  it('createInteractions — options that are not an object are refused', () => {
    expectRefused(null, [], /object of options/)
    expectRefused(memoryStore, [], /object of options/)
  })

  it('createInteractions — an option given as undefined takes its default: run-linked responses work and failures dead-letter after 10 attempts', async () => {
    const clock = manualClock()
    let attempts = 0
    const interactions = createInteractions({
      store: undefined,
      directory: undefined,
      random: undefined,
      clock: clock.now,
      delivery: { leaseMs: undefined, maxAttempts: undefined, baseMs: undefined, maxMs: undefined, factor: undefined },
      signals: callbackSignals(() => {
        attempts++
        throw new Error('engine unavailable')
      }),
    })
    const gate = await interactions.create('acme', deployGate)
    expect(await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })).toMatchObject({ status: 'completed' })
    for (let pass = 0; pass < 20 && (await interactions.failedSignals()).length === 0; pass++) {
      clock.advance(60 * 60_000)
      await interactions.deliverSignals()
    }
    expect(attempts).toBe(10)
    expect(await interactions.failedSignals()).toMatchObject([{ id: `${gate.id}:completed`, attempts: 10, status: 'dead' }])
  })
})
