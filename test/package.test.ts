import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import tsupConfig from '../tsup.config.js'

// semver is CommonJS without types: a typed view of the one function used spares a @types package.
const { satisfies } = createRequire(import.meta.url)('semver') as { satisfies: (version: string, range: string) => boolean }

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<
    string,
    string | { '@hitl/source': string; import: { types: string; default: string }; require: { types: string; default: string } }
  >
  typesVersions: Record<string, Record<string, string[]>>
  dependencies: Record<string, string>
  peerDependencies: Record<string, string>
  [field: string]: unknown
}
const REPOSITORY = 'https://github.com/hitl-dev/interactions'

/** Bare module specifiers reachable from a source file through its relative imports. */
function packagesImportedFrom(entry: string, seen = new Set<string>(), found = new Set<string>()) {
  if (seen.has(entry)) return found
  seen.add(entry)
  // Comments go first: TSDoc examples import the package by name.
  const source = readFileSync(entry, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
  for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
    if (specifier!.startsWith('.')) packagesImportedFrom(resolve(dirname(entry), specifier!.replace(/\.js$/, '.ts')), seen, found)
    else found.add(specifier!)
  }
  return found
}

/** The package an import specifier names: `@scope/name` or `name`, without a subpath. */
const packageNameOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

describe('package', () => {
  const entries = (tsupConfig as { entry: Record<string, string> }).entry

  it('exports — every subpath has a tsup entry built to the files it names, and the reverse', () => {
    const subpaths = Object.entries(pkg.exports).filter(([subpath]) => subpath !== './package.json')
    expect(subpaths.map(([subpath]) => (subpath === '.' ? 'index' : subpath.slice(2))).sort()).toEqual(Object.keys(entries).sort())
    for (const [subpath, target] of subpaths) {
      const name = subpath === '.' ? 'index' : subpath.slice(2)
      expect(target).toEqual({
        '@hitl/source': `./${entries[name]}`,
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      })
    }
  })

  it('typesVersions — every subpath has its CommonJS types for moduleResolution node10, which ignores exports', () => {
    const subpaths = Object.keys(pkg.exports).filter((subpath) => subpath !== '.' && subpath !== './package.json')
    expect(pkg.typesVersions).toEqual({
      '*': Object.fromEntries(subpaths.map((subpath) => [subpath.slice(2), [`./dist/${subpath.slice(2)}.d.cts`]])),
    })
  })

  it('peer — vitest 3, 4 and 5 all satisfy the vitest range, so installing next to any of them succeeds', () => {
    for (const version of ['3.2.4', '4.1.12', '5.0.0', '5.1.2'])
      expect(satisfies(version, pkg.peerDependencies.vitest!), version).toBe(true)
  })

  it('metadata — license, repository, homepage, bugs and public access, as the registry shows them', () => {
    expect(pkg).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: `git+${REPOSITORY}.git` },
      homepage: `${REPOSITORY}#readme`,
      bugs: `${REPOSITORY}/issues`,
      publishConfig: { access: 'public' },
    })
    const license = readFileSync(join(root, 'LICENSE'), 'utf8')
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The @hitl\/interactions authors\n/)
  })

  it('README — links are absolute, so they work on the registry page too, and those into the repository name files that exist', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map(([, link]) => link!)
    expect(links.length).toBeGreaterThan(0)
    expect(links.filter((link) => !/^https:\/\//.test(link))).toEqual([])
    const inRepository = links.filter((link) => link.startsWith(`${REPOSITORY}/blob/main/`))
    expect(inRepository.length).toBeGreaterThan(0)
    const missing = inRepository.filter((link) => !existsSync(join(root, link.slice(`${REPOSITORY}/blob/main/`.length).split('#')[0]!)))
    expect(missing).toEqual([])
  })

  it('the root entry pulls in only the runtime dependencies, no optional peer', () => {
    const imported = [...packagesImportedFrom(join(root, 'src/index.ts'))].map(packageNameOf)
    expect(new Set(imported)).toEqual(new Set(Object.keys(pkg.dependencies)))
  })

  it('the dbos entry loads no optional peer: @dbos-inc/dbos-sdk only on the first waitForInteraction', () => {
    const imported = [...packagesImportedFrom(join(root, 'src/signals/dbos/index.ts'))].map(packageNameOf)
    expect(imported.every((name) => Object.keys(pkg.dependencies).includes(name))).toBe(true)
  })

  it('the mcp entry loads the runtime dependencies and its optional peer @modelcontextprotocol/sdk, nothing else', () => {
    const imported = [...packagesImportedFrom(join(root, 'src/mcp/index.ts'))].map(packageNameOf)
    expect(imported).toContain('@modelcontextprotocol/sdk')
    expect(imported.filter((name) => name !== '@modelcontextprotocol/sdk' && !Object.hasOwn(pkg.dependencies, name))).toEqual([])
  })

  it('date-fns is imported by subpath, never the barrel, to keep cold starts short', () => {
    const specifiers = [...packagesImportedFrom(join(root, 'src/index.ts'))].filter((s) => s.startsWith('date-fns'))
    expect(specifiers.length).toBeGreaterThan(0)
    expect(specifiers).not.toContain('date-fns')
  })
})
