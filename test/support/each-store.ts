/** Runs a test body on every store, and proves that a refused call changed nothing in it. */
import { memoryStore, type InteractionStore, type Participant } from '@hitl/interactions'
import { actorKey } from '@hitl/interactions/adapter'
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
      await fixture.pool.query(
        `DELETE FROM ${fixture.schema}.interaction_history; DELETE FROM ${fixture.schema}.interactions; DELETE FROM ${fixture.schema}.outbox`,
      )
      return fixture.store()
    })
  })
}

/** Counts writes, so a test can prove a refused call wrote nothing; `modifies` counts every use of the write path. */
export function countingStore(store: InteractionStore) {
  const writes = { count: 0, modifies: 0 }
  const counted =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    (...args: A) => {
      writes.count++
      return write(...args)
    }
  return {
    writes,
    store: {
      ...store,
      create: counted(store.create.bind(store)),
      modify(query) {
        writes.modifies++
        return store.modify({
          ...query,
          decide: (current, now) => {
            const decision = query.decide(current, now)
            if (decision.write) writes.count++
            return decision
          },
        })
      },
      outbox: {
        ...store.outbox,
        lease: counted(store.outbox.lease.bind(store.outbox)),
        settle: counted(store.outbox.settle.bind(store.outbox)),
        revive: counted(store.outbox.revive.bind(store.outbox)),
      },
    } satisfies InteractionStore,
  }
}

/** The records `ids` of `project` with their histories, every outbox entry and the inboxes of `actors`, serialized. */
export async function snapshot(store: InteractionStore, project: string, ids: string[], actors: Participant[]) {
  const records = await Promise.all(ids.map((id) => store.get({ project, id })))
  const histories = await Promise.all(ids.map((id) => store.history({ project, id })))
  const outbox = await Promise.all((['pending', 'delivered', 'dead'] as const).map((status) => store.outbox.list({ status, limit: 1000 })))
  const inboxes = await Promise.all(
    actors.map((actor) => store.inbox({ project, actorKey: actorKey(actor), now: '2026-04-21T09:00:00.000Z', limit: 100 })),
  )
  return JSON.stringify({ records, histories, outbox, inboxes })
}
