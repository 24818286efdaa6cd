import type { Interaction } from '../model/interaction.js'
import type { Interactions } from '../service/types.js'

/** How a bounded wait reads the interaction and time. */
export interface WaitOptions {
  /** Milliseconds between two reads of a pending interaction. */
  pollIntervalMs: number
  /** The current time; the wait ends once it reaches the deadline. */
  clock: () => Date
  /** Ends the wait early, e.g. when the client cancels its tool call. */
  signal?: AbortSignal
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

/**
 * Reads the interaction until it has ended or `seconds` have passed, and returns the last read. The
 * service has no change feed, so this polls `get`; a read also expires a due interaction, so a wait
 * never outlasts its `expires_at` by more than one interval.
 */
export async function waitForEnd(
  interactions: Interactions,
  project: string,
  id: string,
  seconds: number,
  options: WaitOptions,
): Promise<Interaction> {
  const deadline = options.clock().getTime() + seconds * 1_000
  for (;;) {
    const interaction = await interactions.get(project, id)
    const left = deadline - options.clock().getTime()
    if (interaction.status !== 'pending' || left <= 0 || options.signal?.aborted) return interaction
    await pause(Math.min(options.pollIntervalMs, left), options.signal)
  }
}
