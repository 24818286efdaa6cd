import { LIMITS } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, harness, rejection } from '../support/harness.js'

const ask = { type: 'approval', target_actor: alice, spec: { mode: 'confirm' } } as const

describeEachStore('dates', (emptyStore) => {
  it('dates — expires_at at the end of the range is stored, listed and expired in time order', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    const soon = await interactions.create('acme', { ...ask, expires_at: '2026-04-22T10:00:00Z' })
    clock.advance(1_000)
    const last = await interactions.create('acme', { ...ask, expires_at: LIMITS.latestTime })
    clock.advance(1_000)
    const sameInstant = await interactions.create('acme', { ...ask, expires_at: '9999-12-31T18:59:59.999-05:00' })
    expect([last.expires_at, sameInstant.expires_at]).toEqual([LIMITS.latestTime, LIMITS.latestTime])
    expect(await interactions.get('acme', last.id)).toEqual(last)
    expect((await interactions.inbox('acme', alice)).items.map((item) => item.id)).toEqual([soon.id, last.id, sameInstant.id])

    clock.set('2026-04-22T10:00:00.000Z')
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect((await interactions.inbox('acme', alice)).items.map((item) => item.id)).toEqual([last.id, sameInstant.id])
    clock.set(LIMITS.latestTime)
    expect((await interactions.get('acme', last.id)).status).toBe('expired')
    expect((await interactions.get('acme', sameInstant.id)).status).toBe('expired')
  })

  it('dates — expires_at past year 9999 in UTC is refused and nothing is stored', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    const error = await rejection(() => interactions.create('acme', { ...ask, expires_at: '9999-12-31T23:59:59-05:00' }))
    expect([error.code, error.issues[0]?.path]).toEqual(['validation_failed', ['expires_at']])
    expect(error.message).toContain(`must be between ${LIMITS.earliestTime} and ${LIMITS.latestTime} in UTC`)
    // A later sweep and inbox still work: nothing out of order was stored.
    const soon = await interactions.create('acme', { ...ask, expires_at: '2026-04-22T10:00:00Z' })
    clock.set('2026-04-22T10:00:00.000Z')
    expect(await interactions.expireDue()).toEqual({ expired: 1 })
    expect((await interactions.get('acme', soon.id)).status).toBe('expired')
  })

  it('dates — the start of the range is stored and read back as given', async () => {
    const { interactions, clock } = harness({ store: await emptyStore() })
    clock.set(LIMITS.earliestTime)
    const first = await interactions.create('acme', { ...ask, expires_at: '0001-01-01T00:00:01Z' })
    expect(first).toMatchObject({ created_at: LIMITS.earliestTime, expires_at: '0001-01-01T00:00:01.000Z' })
    expect(await interactions.get('acme', first.id)).toEqual(first)
  })
})
