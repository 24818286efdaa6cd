import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { lazyShape } from '../../src/model/lazily.js'

describe('lazyShape', () => {
  it('lazyShape — builds each field on the first read of the shape, once, also through a refined copy and an extension', () => {
    const builds = { id: 0, kind: 0 }
    const base = z.strictObject(
      lazyShape({
        kind: () => (builds.kind++, z.literal('a')),
        id: () => (builds.id++, z.string().min(1)),
      }),
    )
    const refined = base.superRefine(() => {})
    const extended = base.extend({ n: z.number() })
    const union = z.discriminatedUnion('kind', [base, z.strictObject({ kind: z.literal('b') })])
    expect(builds).toEqual({ id: 0, kind: 0 })

    expect(refined.parse({ kind: 'a', id: 'x' })).toEqual({ kind: 'a', id: 'x' })
    expect(extended.parse({ kind: 'a', id: 'y', n: 1 })).toEqual({ kind: 'a', id: 'y', n: 1 })
    expect(union.safeParse({ kind: 'a', id: '' }).error?.issues.map((issue) => issue.path)).toEqual([['id']])
    expect(Object.keys(extended.shape)).toEqual(['kind', 'id', 'n'])
    expect(refined.shape.id).toBe(base.shape.id)
    expect(builds).toEqual({ id: 1, kind: 1 })
  })
})
