/** Checks of the built package, as npm would publish it and Node would load it. */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from './support/build.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  main: string
  module: string
  types: string
  exports: Record<string, unknown>
  typesVersions: Record<string, Record<string, string[]>>
}
const run = promisify(execFile)
const specifiers = Object.keys(pkg.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => pkg.name + subpath.slice(1))

/** Every file path in a package.json field: the leaves of an export map, of typesVersions, or the field itself. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(targets)
  return Object.values(value as object).flatMap(targets)
}

/** The export names of each entry, loaded by the package's own name in a fresh Node process. */
async function exportNames(nodeArguments: string[], load: string, prelude = '') {
  const script = `${prelude}
const names = {}
for (const specifier of ${JSON.stringify(specifiers)}) names[specifier] = Object.keys(${load}).sort()
console.log(JSON.stringify(names))`
  const { stdout } = await run(process.execPath, [...nodeArguments, '-e', script], { cwd: root })
  return JSON.parse(stdout) as Record<string, string[]>
}

describe('built package', () => {
  beforeAll(() => ensureBuilt(root), 180_000)

  it('require — every CommonJS entry loads on a Node without require(esm), with the names of the ES module entry', async () => {
    // Node before 20.19 cannot require() an ES module such as nanoid; the flag makes this Node behave the same.
    // vitest refuses require() by design (its CommonJS stub throws): its conformance suites only run under vitest,
    // which loads the ES module build, so a stand-in lets the rest of the testing entry load.
    const standInVitest = `const vitest = require.resolve('vitest')
require.cache[vitest] = { id: vitest, filename: vitest, loaded: true, exports: {} }`
    const required = await exportNames(['--no-experimental-require-module'], 'require(specifier)', standInVitest)
    const imported = await exportNames(['--input-type=module'], 'await import(specifier)')
    expect(Object.keys(required)).toEqual(specifiers)
    expect(required).toEqual(imported)
  }, 60_000)

  it('pack — every file package.json points at is in the tarball', async () => {
    // src/ ships, as zod ships its source: the `@hitl/source` condition (the tests' and the demo's way to load
    // the package from source) then names files that exist, and the source maps in dist/ resolve.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root })
    const packed = new Set((JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((file) => `./${file.path}`))
    const pointedAt = targets([pkg.main, pkg.module, pkg.types, pkg.exports, pkg.typesVersions])
    expect(pointedAt.filter((path) => !packed.has(path))).toEqual([])
  }, 60_000)
})
