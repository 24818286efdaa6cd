/**
 * The TypeScript examples of the README, docs/agents.md and docs/mcp.md are type-checked and run, as a reader would copy them.
 *
 * Convention: every ```ts block runs. A block that is not meant to run on its own (a fragment, a
 * signature) opens with ```ts no-run and is skipped. Blocks import the package by its public name,
 * resolved to source through the `@hitl/source` export condition, as the tests and the demo do.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The documents whose blocks run; the README's block files keep their names. */
const DOCUMENTS = [
  { path: 'README.md', prefix: 'readme' },
  { path: 'docs/agents.md', prefix: 'agents' },
  { path: 'docs/mcp.md', prefix: 'mcp' },
  { path: 'docs/http.md', prefix: 'http' },
]

/** The README's runnable TypeScript blocks, with the line each starts on. */
function runnableBlocks(markdown: string) {
  return [...markdown.matchAll(/^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```$/gm)]
    .filter(([, , info]) => !info!.split(/\s+/).includes('no-run'))
    .map((match) => ({ line: markdown.slice(0, match.index).split('\n').length, code: match[3]! }))
}

/** Type errors of the files under the project's compiler options, one line each. */
function typeErrors(files: string[]) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!
  const program = ts.createProgram(files, config.options)
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => `${diagnostic.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`)
}

const documents = DOCUMENTS.map(({ path, prefix }) => {
  const blocks = runnableBlocks(readFileSync(join(root, path), 'utf8'))
  // Inside the package folder, so that the blocks' imports of '@hitl/interactions' resolve to this package.
  const folder = mkdtempSync(join(root, `.readme-blocks-${prefix}-`))
  const files = blocks.map(({ line, code }) => {
    const file = join(folder, `${prefix}-line-${line}.ts`)
    // `export {}` keeps a block without imports a module, so top-level await works and names do not clash.
    writeFileSync(file, `${code}\nexport {}\n`)
    return file
  })
  afterAll(() => rmSync(folder, { recursive: true, force: true }))
  return { path, blocks, files }
})

// One program for every document's blocks: building a program is most of what a type check costs.
it('every document has runnable TypeScript blocks, and they type-check against the package', () => {
  for (const { path, blocks } of documents) expect(blocks.length, path).toBeGreaterThan(0)
  expect(typeErrors(documents.flatMap(({ files }) => files))).toEqual([])
}, 60_000)

describe.each(documents)('$path', ({ blocks, files }) => {
  // Each block runs in its own process; they share nothing, so they run side by side.
  it.concurrent.each(blocks.map(({ line }, index) => ({ line, file: files[index]! })))(
    'the block at line $line runs to completion',
    async ({ file }) => {
      const tsx = join(root, 'node_modules', '.bin', 'tsx')
      await expect(promisify(execFile)(tsx, ['--conditions=@hitl/source', file], { cwd: root })).resolves.toBeDefined()
    },
    60_000,
  )
})
