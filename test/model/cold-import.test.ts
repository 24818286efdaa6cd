import { describe, expect, it, vi } from 'vitest'

/** How many schemas zod's factories (`z.string()`, `z.strictObject(…)`, `z.iso.datetime()`…) have built. */
const built = vi.hoisted(() => ({ count: 0 }))

vi.mock('zod', async (importOriginal) => {
  const zod = await importOriginal<typeof import('zod')>()
  // Counts calls to the factories, lower-case functions of `z` and `z.iso`; classes and `z.core` pass through untouched.
  const counting = <T extends object>(namespace: T): T =>
    new Proxy(namespace, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver)
        if (key === 'iso') return counting(value as object)
        if (typeof value !== 'function' || typeof key !== 'string' || !/^[a-z]/.test(key)) return value
        return (...args: unknown[]) => {
          built.count++
          return value(...args)
        }
      },
    })
  return { ...zod, z: counting(zod.z) }
})

describe('cold import', () => {
  // The first import of the source graph is transformed on the fly, slowly on a busy machine; nothing here is timed.
  it('import — builds the exported schemas but not their fields, which the first parse builds', { timeout: 60_000 }, async () => {
    const root = await import('@hitl/interactions')
    const atImport = built.count
    // Each exported schema is one object or union (136 factory calls when every field was built at import).
    expect(atImport).toBeLessThan(60)
    root.CreateInteractionInputSchema.parse({
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'member', id: 'user_alice' },
    })
    expect(built.count - atImport).toBeGreaterThan(20)
  })
})
