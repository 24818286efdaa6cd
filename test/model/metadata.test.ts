import { LIMITS } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { JsonObjectSchema } from '../../src/model/json.js'
import { deployGate, harness, rejection } from '../support/harness.js'

// The edges of the metadata rules: what is still accepted at each limit, and what the refusal says.

const issuesOf = (value: unknown) => {
  const result = JsonObjectSchema().safeParse(value)
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }))
}
/** A value reached through `keys` nested `k` keys. */
const keysDeep = (keys: number, value: unknown = 'value'): unknown => (keys === 0 ? value : { k: keysDeep(keys - 1, value) })

describe('metadata', () => {
  it('metadata — a value as many keys deep as the depth limit is accepted, one key deeper names the path and the limit', () => {
    expect(issuesOf(keysDeep(LIMITS.metadataDepth))).toEqual([])
    expect(issuesOf(keysDeep(LIMITS.metadataDepth + 1))).toEqual([
      { path: Array<string>(LIMITS.metadataDepth + 1).fill('k'), message: `nesting deeper than ${LIMITS.metadataDepth} levels` },
    ])
  })

  it('metadata — a prototype key is refused by name, also inside an array', () => {
    expect(issuesOf(JSON.parse('{"a": [{"__proto__": 1}]}'))).toEqual([
      { path: ['a', '0', '__proto__'], message: 'key "__proto__" is not allowed' },
    ])
    expect(issuesOf({ prototype: 1 })).toEqual([{ path: ['prototype'], message: 'key "prototype" is not allowed' }])
  })

  it('metadata — the size limit counts UTF-8 bytes of the JSON, and the limit itself is accepted', () => {
    // {"k":"…"} adds 8 bytes around the text.
    expect(issuesOf({ k: 'x'.repeat(LIMITS.metadataBytes - 8) })).toEqual([])
    expect(issuesOf({ k: 'x'.repeat(LIMITS.metadataBytes - 7) })).toEqual([
      { path: [], message: `must be at most ${LIMITS.metadataBytes} bytes as JSON (got ${LIMITS.metadataBytes + 1})` },
    ])
    // "é" is one character and two bytes.
    const accents = 'é'.repeat(LIMITS.metadataBytes / 2)
    expect(issuesOf({ k: accents })).toEqual([
      { path: [], message: `must be at most ${LIMITS.metadataBytes} bytes as JSON (got ${LIMITS.metadataBytes + 8})` },
    ])
  })

  it('metadata — the parsed value is a copy, not the caller object', () => {
    const metadata = { ticket: 'OPS-1' }
    const parsed = JsonObjectSchema().parse(metadata)
    expect(parsed).toEqual(metadata)
    expect(parsed).not.toBe(metadata)
  })
})

describe('text no store can keep', () => {
  it('create — a NUL character in a metadata array item is refused at its index', async () => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.create('acme', { ...deployGate, metadata: { tags: ['ok', 'bad\u0000'] } }))
    expect(error.code).toBe('validation_failed')
    expect(error.issues).toEqual([{ path: ['metadata', 'tags', 1], message: expect.stringContaining('NUL') }])
  })

  it('create — a NUL character deeper than the nesting limit is still found and named by its path', async () => {
    const keys = LIMITS.metadataDepth + 2
    const { interactions } = harness()
    const error = await rejection(() => interactions.create('acme', { ...deployGate, metadata: keysDeep(keys, 'x\u0000') as never }))
    expect(error.issues).toEqual([{ path: ['metadata', ...Array<string>(keys).fill('k')], message: expect.stringContaining('NUL') }])
  })
})
