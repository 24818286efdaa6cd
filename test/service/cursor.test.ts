import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../../src/service/cursor.js'
import { alice, bob, harness, rejection } from '../support/harness.js'

const scope = { project: 'acme', actor: alice }
const position = { created_at: '2026-04-21T09:00:00.000Z', id: 'iact_abc' }
const refusal = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    return error as { code: string; issues: { path: unknown[] }[] }
  }
  throw new Error('expected the cursor to be refused')
}

describe('inbox cursor', () => {
  it('cursor — decodes to the position it was issued for, with base64url characters only', () => {
    const cursor = encodeCursor(scope, position)
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor(scope, cursor)).toEqual(position)
  })

  it('cursor — carries any well-formed id, not only ASCII ones', () => {
    const unusual = { created_at: position.created_at, id: 'iact_é😀"\\' }
    expect(decodeCursor(scope, encodeCursor(scope, unusual))).toEqual(unusual)
  })

  it.each([
    ['another project', { project: 'acme2', actor: alice }],
    ['another actor', { project: 'acme', actor: bob }],
    ['an agent with the same id', { project: 'acme', actor: { type: 'agent', id: alice.id } as const }],
  ])('cursor — is refused for %s', (_name, other) => {
    const error = refusal(() => decodeCursor(other, encodeCursor(scope, position)))
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toEqual([['cursor']])
  })

  it('cursor — is refused when any single character changes', () => {
    const cursor = encodeCursor(scope, position)
    for (let index = 0; index < cursor.length; index++) {
      const changed = `${cursor.slice(0, index)}${cursor[index] === 'A' ? 'B' : 'A'}${cursor.slice(index + 1)}`
      expect(refusal(() => decodeCursor(scope, changed)).code, changed).toBe('validation_failed')
    }
  })

  it.each([
    ['a timestamp without milliseconds', { created_at: '2026-04-21T09:00:00Z', id: 'iact_abc' }],
    ['a timestamp in year 0', { created_at: '0000-01-01T00:00:00.000Z', id: 'iact_abc' }],
    ['an id over the identifier limit', { created_at: position.created_at, id: 'x'.repeat(257) }],
    ['an empty id', { created_at: position.created_at, id: '' }],
    ['an id with a lone surrogate', { created_at: position.created_at, id: 'iact_\uD800' }],
    ['an id with NUL', { created_at: position.created_at, id: 'iact_\u0000' }],
  ])('cursor — with a correct checksum over %s, is still refused', (_name, forged) => {
    expect(refusal(() => decodeCursor(scope, encodeCursor(scope, forged))).code).toBe('validation_failed')
  })

  it('cursor — a page cursor works for its own inbox only', async () => {
    const { interactions, clock } = harness()
    const ask = { type: 'approval', spec: { mode: 'confirm' }, target_actor: { type: 'group', id: 'group_ops' } } as const
    const first = await interactions.create('acme', ask)
    clock.advance(1_000)
    const second = await interactions.create('acme', ask)
    const page = await interactions.inbox('acme', alice, { limit: 1 })
    expect(page.items.map((item) => item.id)).toEqual([first.id])
    expect((await interactions.inbox('acme', alice, { cursor: page.next_cursor })).items.map((item) => item.id)).toEqual([second.id])
    const error = await rejection(() => interactions.inbox('acme', bob, { cursor: page.next_cursor }))
    expect([error.code, error.issues[0]?.path]).toEqual(['validation_failed', ['cursor']])
  })
})
