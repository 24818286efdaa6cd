import { callbackSignals, permanentFailure, retryLater, type Signal } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, deployGate, harness } from '../support/harness.js'

// What a signal adapter throws with the exported helpers is what the outbox acts on, on every store.

/** A receiver whose first delivery throws `failure`; later ones land. */
function failingOnce(failure: Error) {
  const received: Signal[] = []
  let attempts = 0
  const signals = callbackSignals((signal) => {
    if (attempts++ === 0) throw failure
    received.push(signal)
  })
  return { signals, received }
}

describeEachStore('signal adapter failures', (emptyStore) => {
  it('permanentFailure — the outbox dead-letters the signal at its first attempt, listed with the message', async () => {
    const receiver = failingOnce(permanentFailure('run run_01abc does not exist', { cause: new Error('404 Not Found') }))
    const { interactions, clock } = harness({ store: await emptyStore(), signals: receiver.signals, delivery: { maxAttempts: 10 } })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })

    expect(await interactions.failedSignals()).toMatchObject([
      { status: 'dead', attempts: 1, last_error: 'Error: run run_01abc does not exist', signal: { interaction_id: gate.id } },
    ])
    clock.advance(24 * 3_600_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    expect(receiver.received).toEqual([])
  })

  it('retryLater — the next attempt waits as long as the receiver asked, though the backoff is shorter', async () => {
    const receiver = failingOnce(retryLater('engine rate limit', { retryAfterMs: 30_000 }))
    const { interactions, clock } = harness({
      store: await emptyStore(),
      signals: receiver.signals,
      random: () => 0.5,
      delivery: { baseMs: 1_000, factor: 2, maxMs: 60_000 },
    })
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })

    clock.advance(29_999)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(1)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(receiver.received.map((signal) => signal.idempotency_key)).toEqual([`${gate.id}:completed`])
  })
})

it('permanentFailure and retryLater — errors with the fields the outbox reads, and the cause kept', () => {
  const cause = new Error('404 Not Found')
  const permanent = permanentFailure('run gone', { cause })
  expect(permanent).toBeInstanceOf(Error)
  expect(permanent).toMatchObject({ message: 'run gone', permanent: true, cause })
  expect(retryLater('slow down', { retryAfterMs: 5_000 })).toMatchObject({ message: 'slow down', retryAfterMs: 5_000 })
  expect(retryLater('slow down', { retryAfterMs: 5_000 })).not.toHaveProperty('permanent')
})
