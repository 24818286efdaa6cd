import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// A user who imports `Response` or `Option` from us loses the DOM's in that file, silently. Every
// name any entry exports, types included, is checked against the globals of Node and the DOM.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { '@hitl/source': string }> }

/** Each subpath of the export map with its source file. */
const entries = Object.entries(pkg.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' ? [{ subpath, file: join(root, target['@hitl/source']) }] : [],
)

/** Names the DOM lib declares at top level: values (`declare var Response`), functions, interfaces and types. */
function domNames(): Set<string> {
  const lib = readFileSync(createRequire(import.meta.url).resolve('typescript/lib/lib.dom.d.ts'), 'utf8')
  return new Set([...lib.matchAll(/^(?:declare var|declare function|interface|type) ([A-Za-z_$][\w$]*)/gm)].map((match) => match[1]!))
}

/** Every name each entry exports, values and types alike, as the compiler sees them. */
function exportedNames(): Map<string, string[]> {
  const program = ts.createProgram(
    entries.map((entry) => entry.file),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noEmit: true },
  )
  const checker = program.getTypeChecker()
  return new Map(
    entries.map(({ subpath, file }) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
      return [subpath, checker.getExportsOfModule(symbol).map((exported) => exported.name)]
    }),
  )
}

describe('exported names', () => {
  const globals = new Set([...Object.getOwnPropertyNames(globalThis), ...domNames()])

  it('the globals list holds the names we must not shadow', () => {
    for (const name of ['Response', 'Option', 'Request', 'Headers', 'Event', 'Buffer', 'structuredClone']) expect(globals).toContain(name)
  })

  it('no entry exports a name that is a global of Node or the DOM', { timeout: 60_000 }, () => {
    const names = exportedNames()
    expect([...names.keys()].sort()).toEqual(entries.map((entry) => entry.subpath).sort())
    expect(names.get('.')).toContain('InteractionResponse')
    const shadowing = [...names].flatMap(([subpath, exported]) =>
      exported.filter((name) => globals.has(name)).map((name) => `${subpath}: ${name}`),
    )
    expect(shadowing).toEqual([])
  })
})
