import { describe, expect, it } from 'vitest'
import { INTERACTION_ID_RANDOM_LENGTH, newInteractionId } from '../../src/service/ids.js'
import { deployGate, harness } from '../support/harness.js'

const WELL_FORMED_ID = new RegExp(`^iact_[0-9A-Za-z]{${INTERACTION_ID_RANDOM_LENGTH}}$`)

describe('interaction ids', () => {
  it('create — ids are iact_ and letters or digits only, so a double-click selects the whole id', async () => {
    const { interactions } = harness()
    const ids = []
    // A default nanoid has `_` or `-` in about half of its ids: 300 samples leave no chance to pass by luck.
    for (let i = 0; i < 300; i++) ids.push((await interactions.create('acme', deployGate)).id)
    expect(ids.filter((id) => !WELL_FORMED_ID.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('newInteractionId — draws from all 62 letters and digits, at least 120 bits of randomness', () => {
    const randomParts = Array.from({ length: 10_000 }, () => newInteractionId().slice('iact_'.length))
    expect(randomParts.filter((part) => !/^[0-9A-Za-z]+$/.test(part) || part.length !== INTERACTION_ID_RANDOM_LENGTH)).toEqual([])
    const letters = new Set(randomParts.join(''))
    expect(letters.size).toBe(62)
    expect(INTERACTION_ID_RANDOM_LENGTH * Math.log2(letters.size)).toBeGreaterThanOrEqual(120)
  })
})
