import { findNulCharacter, JsonObjectSchema, LIMITS } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'

// The edges of the metadata rules: what is still accepted at each limit, and what the refusal says.

const issuesOf = (value: unknown) => {
  const result = JsonObjectSchema.safeParse(value)
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }))
}
/** A value reached through `keys` nested `k` keys. */
const keysDeep = (keys: number): unknown => (keys === 0 ? 'value' : { k: keysDeep(keys - 1) })

describe('metadata', () => {
  it('metadata — a value as many keys deep as the depth limit is accepted, one key deeper names the path and the limit', () => {
    expect(issuesOf(keysDeep(LIMITS.metadataDepth))).toEqual([])
    expect(issuesOf(keysDeep(LIMITS.metadataDepth + 1))).toEqual([
      { path: Array<string>(LIMITS.metadataDepth + 1).fill('k'), message: `nesting deeper than ${LIMITS.metadataDepth} levels` },
    ])
  })

  it('metadata — a prototype key is refused by name, also inside an array', () => {
    expect(issuesOf(JSON.parse('{"a": [{"__proto__": 1}]}'))).toEqual([{ path: ['a', '0', '__proto__'], message: 'key "__proto__" is not allowed' }])
    expect(issuesOf({ prototype: 1 })).toEqual([{ path: ['prototype'], message: 'key "prototype" is not allowed' }])
  })

  it('metadata — the size limit counts UTF-8 bytes of the JSON, and the limit itself is accepted', () => {
    // {"k":"…"} adds 8 bytes around the text.
    expect(issuesOf({ k: 'x'.repeat(LIMITS.metadataBytes - 8) })).toEqual([])
    expect(issuesOf({ k: 'x'.repeat(LIMITS.metadataBytes - 7) })).toEqual([{ path: [], message: `must be at most ${LIMITS.metadataBytes} bytes as JSON (got ${LIMITS.metadataBytes + 1})` }])
    // "é" is one character and two bytes.
    const accents = 'é'.repeat(LIMITS.metadataBytes / 2)
    expect(issuesOf({ k: accents })).toEqual([{ path: [], message: `must be at most ${LIMITS.metadataBytes} bytes as JSON (got ${LIMITS.metadataBytes + 8})` }])
  })

  it('metadata — the parsed value is a copy, not the caller object', () => {
    const metadata = { ticket: 'OPS-1' }
    const parsed = JsonObjectSchema.parse(metadata)
    expect(parsed).toEqual(metadata)
    expect(parsed).not.toBe(metadata)
  })
})

describe('findNulCharacter', () => {
  it('findNulCharacter — the path of a NUL in a string, a key, or an array item (by index)', () => {
    expect(findNulCharacter('a\u0000')).toEqual([])
    expect(findNulCharacter({ a: { 'b\u0000': 1 } })).toEqual(['a', 'b\u0000'])
    expect(findNulCharacter({ tags: ['ok', 'bad\u0000'] })).toEqual(['tags', 1])
    expect(findNulCharacter({ a: 'clean', b: [1, null, true, { c: 'clean' }] })).toBeUndefined()
  })

  it('findNulCharacter — looks deeper than the metadata limit, so a nested answer is checked too', () => {
    const deep = (depth: number): unknown => (depth === 0 ? 'x\u0000' : { d: deep(depth - 1) })
    const found = findNulCharacter(deep(LIMITS.metadataDepth + 5))
    expect(found).toHaveLength(LIMITS.metadataDepth + 5)
  })
})
