import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/service/backoff.js'

describe('backoff', () => {
  const policy = { baseMs: 1_000, factor: 2, maxMs: 5_000 }

  it('backoffDelay — grows by factor from baseMs, with equal jitter between half and all of it', () => {
    expect([1, 2, 3].map((retry) => backoffDelay(policy, retry, () => 0))).toEqual([500, 1_000, 2_000])
    expect([1, 2, 3].map((retry) => backoffDelay(policy, retry, () => 0.999_999))).toEqual(
      [1_000, 2_000, 4_000].map((ms) => expect.closeTo(ms, 0)),
    )
  })

  it('backoffDelay — never exceeds maxMs, however many retries', () => {
    expect(backoffDelay(policy, 4, () => 0.999_999)).toBeCloseTo(5_000, 0)
    expect(backoffDelay(policy, 60, () => 0.999_999)).toBeCloseTo(5_000, 0)
    expect(backoffDelay(policy, 60, () => 0)).toBe(2_500)
  })
})
