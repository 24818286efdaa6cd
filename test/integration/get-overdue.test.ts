/**
 * What `get` does with an overdue interaction, on both stores: it records the expiry, delivers the
 * signal, and returns the expired record.
 */
import { callbackSignals, createInteractions, memoryStore, type InteractionStore, type Signal } from '@hitl/interactions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployGate, manualClock } from '../support/harness.js'
import { postgresFixture, type PostgresFixture } from '../support/postgres.js'

let fx: PostgresFixture
beforeAll(async () => {
  fx = await postgresFixture()
})
afterAll(() => fx?.close())

describe.each([
  { name: 'memory', store: (): InteractionStore => memoryStore() },
  { name: 'postgres', store: (): InteractionStore => fx.store() },
])('get on an overdue interaction ($name)', ({ store: makeStore }) => {
  it('get — records the expiry, delivers the signal once, and returns the expired record', async () => {
    const store = makeStore()
    const clock = manualClock()
    const delivered: Signal[] = []
    const interactions = createInteractions({ store, clock: clock.now, signals: callbackSignals((signal) => void delivered.push(signal)) })
    const gate = await interactions.create('acme', deployGate)
    clock.set('2026-04-22T10:00:00.000Z')

    const read = await interactions.get('acme', gate.id)
    const at = '2026-04-22T10:00:00.000Z'
    expect(read).toMatchObject({ id: gate.id, status: 'expired', expired_at: at, updated_at: at, version: 2, responses: [] })
    expect(await store.get({ project: 'acme', id: gate.id })).toEqual(read)
    expect(delivered).toEqual([expect.objectContaining({ status: 'expired', idempotency_key: `${gate.id}:expired` })])
    expect((await store.outbox.list({ status: 'delivered', limit: 1_000 })).map((entry) => entry.id)).toContain(`${gate.id}:expired`)

    clock.advance(60_000)
    expect(await interactions.get('acme', gate.id)).toEqual(read)
    expect(delivered).toHaveLength(1)
  })
})
