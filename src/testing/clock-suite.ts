import { describe, expect, it } from 'vitest'
import type { Interaction } from '../model/interaction.js'
import type { InteractionStore } from '../ports.js'
import { uniqueProject } from './fixtures.js'

/** The `now` capability's half of the store suite: the store's own clock; called when a store declares it. */
export function describeClock(
  getStore: () => InteractionStore,
  insert: (overrides: Partial<Interaction> & { project: string }) => Promise<Interaction>,
) {
  describe('clock', () => {
    it('now — a Date that does not go back between two readings', async () => {
      const first = await getStore().now!()
      const second = await getStore().now!()
      expect(first).toBeInstanceOf(Date)
      expect(Number.isNaN(first.getTime())).toBe(false)
      expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime())
    })

    it('modify — passes decide the store time of the call, so every instance decides by the same clock', async () => {
      const record = await insert({ project: uniqueProject() })
      const before = await getStore().now!()
      let seen: Date | undefined
      await getStore().modify({
        project: record.project,
        id: record.id,
        decide: (_current, now) => {
          seen = now
          return { result: null }
        },
      })
      const after = await getStore().now!()
      expect(seen).toBeInstanceOf(Date)
      expect(seen!.getTime()).toBeGreaterThanOrEqual(before.getTime())
      expect(seen!.getTime()).toBeLessThanOrEqual(after.getTime())
    })
  })
}
