import { findUnstorableText } from '../../src/model/json.js'
import { describe, expect, it } from 'vitest'

describe('findUnstorableText', () => {
  it.each([
    ['a lone high surrogate at the end', 'half an emoji \uD83D', 14],
    ['a lone low surrogate at the start', '\uDE00 and more', 0],
    ['a pair in the wrong order', 'ab\uDE00\uD83D', 2],
    ['a lone surrogate after a whole emoji', '😀\uD83D', 2],
  ])('refuses %s, naming its index', (_name, text, index) => {
    const message = `must be well-formed Unicode (lone surrogate at index ${index})`
    expect(findUnstorableText({ title: text })).toEqual({ path: ['title'], message })
  })

  it('refuses the NUL character', () => {
    expect(findUnstorableText('ship\u0000it')).toEqual({ path: [], message: 'must not contain the NUL character (U+0000)' })
  })

  it('accepts whole surrogate pairs, combining marks and other non-ASCII text', () => {
    const text = '😀 déploiement cafe\u0301 \uFFFD \u200B 日本'
    expect(findUnstorableText({ text, list: ['🚀'], nested: { 'clé 🔑': 'ok' } })).toBeUndefined()
  })

  it('names the path of a nested string, an array element and a key', () => {
    expect(findUnstorableText({ metadata: { a: { b: 'x\uD800' } } })?.path).toEqual(['metadata', 'a', 'b'])
    expect(findUnstorableText({ values: ['ok', 'x\uDFFF'] })?.path).toEqual(['values', 1])
    expect(findUnstorableText({ metadata: { 'k\uD800': 1 } })).toEqual({
      path: ['metadata', 'k\uD800'],
      message: 'key must be well-formed Unicode (lone surrogate at index 1)',
    })
  })

  it('ignores values that are not text', () => {
    expect(findUnstorableText([1, true, null, undefined, 10n, new Date(0)])).toBeUndefined()
  })
})
