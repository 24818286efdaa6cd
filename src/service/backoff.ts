/** Exponential backoff: how long to wait before a retry. */
export interface BackoffPolicy {
  /** Delay before the first retry, in milliseconds. */
  baseMs: number
  /** Each retry waits this many times longer than the one before. */
  factor: number
  /** No wait is longer than this, in milliseconds. */
  maxMs: number
}

/**
 * The wait before retry number `retry` (1-based), with "equal jitter": half the exponential delay
 * plus a random share of the other half, so retries from many callers spread out but never bunch at 0.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * policy.factor ** (retry - 1))
  return exponential / 2 + random() * (exponential / 2)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
