import type { z } from 'zod'

/**
 * A value built on its first use and kept: for the internal schemas and validators that importing
 * the package need not build, since constructing them is most of what a cold import costs.
 */
export function lazily<T>(build: () => T): () => T {
  let value: T | undefined
  return () => (value ??= build())
}

/**
 * An object schema's shape whose fields are built when zod first reads it (the first parse, `.shape`,
 * a JSON Schema), not at import: zod resolves a shape's getters on first read and keeps what they
 * return. Each field is built once, also when a refined copy of the schema reads the shape on its own.
 */
export function lazyShape<Builders extends Record<string, () => z.core.SomeType>>(
  builders: Builders,
): { [Key in keyof Builders]: ReturnType<Builders[Key]> } {
  const fields: PropertyDescriptorMap = {}
  // Enumerable and configurable, as a field written in an object literal is; zod freezes it on first read.
  for (const key in builders) fields[key] = { get: lazily(builders[key]!), enumerable: true, configurable: true }
  return Object.defineProperties({}, fields) as { [Key in keyof Builders]: ReturnType<Builders[Key]> }
}
