import { describe, expect, it } from 'vitest'
import { settleEach } from '../../src/service/concurrently.js'

/** Work that records how many items run at once, finishing each after a turn of the event loop. */
function tracked() {
  let running = 0
  let most = 0
  const started: number[] = []
  const work = async (item: number) => {
    started.push(item)
    running++
    most = Math.max(most, running)
    await new Promise((resolve) => setImmediate(resolve))
    running--
    if (item % 3 === 0) throw new Error(`item ${item} failed`)
    return item * 10
  }
  return { work, started, most: () => most }
}

describe('settleEach', () => {
  it('settleEach — settles every item, in the order given, a failure beside the successes', async () => {
    const { work, started } = tracked()
    const results = await settleEach([1, 2, 3, 4], 2, work)
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'fulfilled', value: 20 },
      { status: 'rejected', reason: new Error('item 3 failed') },
      { status: 'fulfilled', value: 40 },
    ])
    expect(started).toEqual([1, 2, 3, 4])
  })

  it('settleEach — runs at most `concurrency` items at once, and that many when there is enough work', async () => {
    const { work, most } = tracked()
    const results = await settleEach(
      Array.from({ length: 20 }, (_, i) => i + 1),
      4,
      work,
    )
    expect(results).toHaveLength(20)
    expect(most()).toBe(4)
  })

  it('settleEach — with fewer items than `concurrency`, runs each once', async () => {
    const { work, started } = tracked()
    expect(await settleEach([1, 2], 8, work)).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'fulfilled', value: 20 },
    ])
    expect(started).toEqual([1, 2])
  })

  it('settleEach — an empty list settles at once, without calling work', async () => {
    const { work, started } = tracked()
    expect(await settleEach([], 8, work)).toEqual([])
    expect(started).toEqual([])
  })
})
