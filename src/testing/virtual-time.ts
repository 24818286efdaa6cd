import type { InteractionStore } from '../ports.js'

/**
 * Time that moves only when a test moves it, for service runs over a real store: `sleep` parks a
 * caller until the clock reaches its time, and `advance` wakes the sleepers in time order, each
 * time after the work in flight has run into a sleep or ended. The store passes through `track`,
 * which counts the calls in flight, because a store answers in real time, not in virtual time.
 */
export function virtualTime(start: string) {
  let now = Date.parse(start)
  let sleepers: { at: number; wake: () => void }[] = []
  let storeCalls = 0

  /** Until no store call is in flight after the callbacks and microtasks queued so far have run. */
  const idle = async () => {
    do await new Promise<void>((resolve) => setImmediate(resolve))
    while (storeCalls > 0)
  }

  /** An object whose method calls are counted while in flight, and so are those of its `outbox`. */
  const counted = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key) {
        const value: unknown = Reflect.get(object, key)
        if (key === 'outbox' && typeof value === 'object' && value !== null) return counted(value)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          storeCalls++
          return Promise.resolve(value.apply(object, args)).finally(() => storeCalls--)
        }
      },
    })

  return {
    clock: () => new Date(now),
    sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })),

    /** The store, with every call counted while it is in flight, its outbox's included. */
    track: <T extends InteractionStore>(store: T): T => counted(store),

    /** Moves the clock `ms` forward, stopping at each sleeper's time to wake it; returns once idle. */
    async advance(ms: number) {
      const until = now + ms
      for (;;) {
        await idle()
        const next = Math.min(...sleepers.map((sleeper) => sleeper.at))
        if (!(next <= until)) break
        now = next
        const due = sleepers.filter((sleeper) => sleeper.at === next)
        sleepers = sleepers.filter((sleeper) => sleeper.at !== next)
        for (const sleeper of due) sleeper.wake()
      }
      now = until
      await idle()
    },
  }
}
