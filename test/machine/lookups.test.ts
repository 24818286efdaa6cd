import { describe, expect, it } from 'vitest'
import { positionOf } from '../../src/machine/lookups.js'

type Member = { type: 'member'; id: string }
const member = (n: number): Member => Object.freeze({ type: 'member', id: `user_${n}` })
const frozenMembers = (size: number) => Array.from({ length: size }, (_, n) => member(n))

/** A list whose entry reads are counted, so a test can tell a scan from an indexed lookup. */
function counted<T extends object>(list: T[]) {
  const reads = { count: 0 }
  const proxy = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.count++
      return Reflect.get(target, key, receiver)
    },
  })
  return { list: proxy, reads }
}

describe('positionOf', () => {
  it('positionOf — a list of frozen entries looked up again and again gets an index: a lookup then reads no entry', () => {
    const { list, reads } = counted(Object.freeze(frozenMembers(1_000)) as Member[])
    for (let n = 0; n < 20; n++) expect(positionOf(list, member(n * 37))).toBe(n * 37)
    reads.count = 0
    expect(positionOf(list, member(999))).toBe(999)
    expect(positionOf(list, { type: 'member', id: 'user_outsider' })).toBe(-1)
    // Each lookup reads the first entry, under which the index lives, and nothing else.
    expect(reads.count).toBe(2)
  })

  it('positionOf — a list of entries that may change is scanned on every lookup, never indexed', () => {
    const { list, reads } = counted(Array.from({ length: 100 }, (_, n) => ({ type: 'member', id: `user_${n}` }) as Member))
    for (let n = 0; n < 20; n++) positionOf(list, member(99))
    reads.count = 0
    expect(positionOf(list, member(99))).toBe(99)
    expect(reads.count).toBeGreaterThanOrEqual(100)
  })

  it('positionOf — an answer appended to an indexed list is found, and later lookups in that list read no more entries', () => {
    const responses = frozenMembers(500).map((actor) => Object.freeze({ actor, value: { confirmed: true }, responded_at: 'now' }))
    for (let n = 0; n < 20; n++) positionOf(responses, member(n))
    const answered = Object.freeze({ actor: member(500), value: { confirmed: true }, responded_at: 'now' })
    const { list, reads } = counted(Object.freeze([...responses, answered]) as (typeof answered)[])
    expect(positionOf(list, member(500))).toBe(500)
    reads.count = 0
    expect(positionOf(list, member(3))).toBe(3)
    expect(positionOf(list, member(9_999))).toBe(-1)
    expect(reads.count).toBe(2)
  })

  it('positionOf — a list that may change is checked again on each lookup: one changed in place after its index is answered by what it holds', () => {
    const members = frozenMembers(300)
    for (let n = 0; n < 20; n++) expect(positionOf(members, member(50))).toBe(50)
    members.splice(50, 1)
    expect(positionOf(members, member(50))).toBe(-1)
    expect(positionOf(members, member(51))).toBe(50)
  })

  it('positionOf — a list that went another way than the indexed one (an entry replaced) is answered by what it holds', () => {
    const members = frozenMembers(300)
    for (let n = 0; n < 20; n++) positionOf(members, member(n))
    // The same first entry, so the same index, but the member at 7 replaced, as a reassign does.
    const replaced = members.map((each, at) => (at === 7 ? member(1_000) : each))
    expect(positionOf(replaced, member(7))).toBe(-1)
    expect(positionOf(replaced, member(1_000))).toBe(7)
    expect(positionOf(members, member(7))).toBe(7)
  })

  it('positionOf — an entry that is not frozen, after frozen ones, is still found', () => {
    const members = [...frozenMembers(200), { type: 'member', id: 'user_late' } as Member]
    for (let n = 0; n < 20; n++) positionOf(members, member(n))
    expect(positionOf(members, { type: 'member', id: 'user_late' })).toBe(200)
  })
})
