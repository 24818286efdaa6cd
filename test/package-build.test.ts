/** Checks of the built package, as Node would load it. */
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
  exports: Record<string, unknown>
}
const run = promisify(execFile)
const specifiers = Object.keys(pkg.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => pkg.name + subpath.slice(1))

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
})
