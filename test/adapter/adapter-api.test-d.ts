import type { InteractionStore } from '@hitl/interactions'
import { actorKey, compareAndSwapStore, type CompareAndSwapStoreBase } from '@hitl/interactions/adapter'
import { describe, expectTypeOf, it } from 'vitest'
import { mapCasBase, mapCasStore } from '../../examples/adapters/map-cas-store.js'

describe('@hitl/interactions/adapter types', () => {
  it('the complete adapter of docs/adapters.md compiles: its base is a compare-and-swap base, and the helper makes a full store', () => {
    expectTypeOf(mapCasBase).returns.toEqualTypeOf<CompareAndSwapStoreBase>()
    expectTypeOf(mapCasStore).returns.toEqualTypeOf<InteractionStore>()
    expectTypeOf(compareAndSwapStore).returns.toEqualTypeOf<InteractionStore>()
    expectTypeOf(actorKey).returns.toEqualTypeOf<string>()
  })

  it('a base needs compareAndSwap, and options are typed', () => {
    const { compareAndSwap: _, ...withoutCompareAndSwap } = mapCasBase()
    // @ts-expect-error: compareAndSwap is what the helper writes with
    compareAndSwapStore(withoutCompareAndSwap)
    // @ts-expect-error: attempts is a number
    compareAndSwapStore(mapCasBase(), { attempts: '3' })
  })
})
