/** Runs a test body on every store, and proves that a refused call changed nothing in it. */
import { memoryStore, type InteractionStore, type Participant } from '@hitl/interactions'
import { afterAll, beforeAll, describe } from 'vitest'
import { postgresFixture, type PostgresFixture } from './postgres.js'

/**
 * A `describe` block per store: the memory store, then PostgreSQL on a fixture schema of its own.
 * `emptyStore()` gives an empty store of that kind (on PostgreSQL, the fixture's tables emptied).
 */
export function describeEachStore(title: string, body: (emptyStore: () => Promise<InteractionStore>) => void) {
  describe.each(['memory', 'postgres'] as const)(`${title} (%s store)`, (kind) => {
    let fixture: PostgresFixture | undefined
    beforeAll(async () => {
      if (kind === 'postgres') fixture = await postgresFixture()
    })
    afterAll(async () => fixture?.close())
    body(async () => {
      if (!fixture) return memoryStore()
      // DELETE rather than TRUNCATE: far cheaper on tables this small, and inbox rows go by cascade.
      await fixture.pool.query(`DELETE FROM ${fixture.schema}.interactions; DELETE FROM ${fixture.schema}.outbox`)
      return fixture.store()
    })
  })
}

/** Counts writes, so a test can prove a refused call wrote nothing. */
export function countingStore(store: InteractionStore) {
  const writes = { count: 0 }
  const counted = (name: 'create' | 'update' | 'leaseSignals' | 'settleSignal' | 'reviveSignal') =>
    (async (...args: unknown[]) => {
      writes.count++
      return (store[name] as (...a: unknown[]) => Promise<unknown>)(...args)
    }) as never
  return {
    writes,
    store: {
      ...store,
      create: counted('create'),
      update: counted('update'),
      leaseSignals: counted('leaseSignals'),
      settleSignal: counted('settleSignal'),
      reviveSignal: counted('reviveSignal'),
    },
  }
}

/** The records `ids` of `project`, every outbox entry and the inboxes of `actors`, serialized. */
export async function snapshot(store: InteractionStore, project: string, ids: string[], actors: Participant[]) {
  const records = await Promise.all(ids.map((id) => store.get(project, id)))
  const outbox = await Promise.all((['pending', 'delivered', 'dead'] as const).map((status) => store.listSignals({ status, limit: 1000 })))
  const inboxes = await Promise.all(actors.map((actor) => store.inbox({ project, actor, now: '2026-04-21T09:00:00.000Z', limit: 100 })))
  return JSON.stringify({ records, outbox, inboxes })
}
