import { memoryStore, type InteractionStore } from '@hitl/interactions'

/**
 * The memory store plus a `modify` that queues callers per interaction, as a database row lock
 * does: used to test the service's locked path and the kit's `modify` checks without a database.
 */
export function lockingMemoryStore(): InteractionStore & { updates: () => number; locks: () => number } {
  const store = memoryStore()
  const queues = new Map<string, Promise<unknown>>()
  let updates = 0
  let locks = 0
  return {
    ...store,
    name: 'locking memory',
    updates: () => updates,
    locks: () => locks,
    async update(record, options) {
      updates++
      return store.update(record, options)
    },
    modify(project, id, decide) {
      locks++
      const key = `${project}\u0000${id}`
      const run = (queues.get(key) ?? Promise.resolve()).then(async () => {
        const current = await store.get(project, id)
        if (!current) return undefined
        const { result, write } = decide(current)
        if (write && !(await this.update(write.record, { expectedVersion: current.version, ...(write.outbox && { outbox: write.outbox }) }))) {
          throw new Error(`interaction ${id} changed while locked`)
        }
        return { result }
      })
      queues.set(key, run.catch(() => undefined))
      return run
    },
  }
}
