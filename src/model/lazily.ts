/**
 * A value built on its first use and kept: for the internal schemas and validators that importing
 * the package need not build, since constructing them is most of what a cold import costs.
 */
export function lazily<T>(build: () => T): () => T {
  let value: T | undefined
  return () => (value ??= build())
}
