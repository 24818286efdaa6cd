/** docs/adapters.md shows its complete adapter from the file the tests compile and run, so the two cannot drift apart. */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const guide = readFileSync(join(root, 'docs/adapters.md'), 'utf8')

/** The code blocks that say which file they show (```ts file=path), with that path. */
const includedFiles = [...guide.matchAll(/^```ts file=(\S+)\n([\s\S]*?)^```$/gm)].map(([, path, code]) => ({ path: path!, code: code! }))

describe('docs/adapters.md', () => {
  it('the complete adapters — each block is its file in examples/adapters to the letter', () => {
    expect(includedFiles.map(({ path }) => path)).toEqual(['examples/adapters/map-cas-store.ts', 'examples/adapters/email-notifier.ts'])
    for (const { path, code } of includedFiles) expect(code, path).toBe(readFileSync(join(root, path), 'utf8'))
  })
})
