/**
 * The size budget: the built root entry bundled by size-limit's esbuild plugin (minified, tree
 * shaken), every dependency and peer dependency left external, gzipped; fails above the limit in
 * `.size-limit.json`. Run after the build with `npm run size`; the benchmark suite reports the
 * same figure.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import esbuildPlugin from '@size-limit/esbuild'
import filePlugin from '@size-limit/file'
import sizeLimit from 'size-limit'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const readJson = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8'))

/** What size-limit's esbuild plugin leaves on a check it ran. */
interface EsbuildCheck {
  files: string[]
  modifyEsbuildConfig: (config: object) => object
  gzip: true
  ignore: string[]
  size?: number
  esbuildMetafile?: { inputs: Record<string, { imports: { path: string; external?: boolean }[] }> }
}

/** The budget's figure: gzipped bytes of our own code, the limit, and the dependency imports left out. */
export interface OwnSize {
  bytes: number
  limitBytes: number
  /** The package specifiers the bundle imports and does not include (`zod`, `date-fns/addMilliseconds`…). */
  external: string[]
}

/** A size in "12 kB" form, in bytes, as size-limit reads it (1 kB = 1 000 bytes). */
function parseLimit(limit: string): number {
  const match = /^([\d.]+)\s*(B|kB|MB)$/.exec(limit.trim())
  if (!match) throw new Error(`.size-limit.json: a limit like "12 kB" expected, got "${limit}"`)
  return Number(match[1]) * { B: 1, kB: 1_000, MB: 1_000_000 }[match[2] as 'B' | 'kB' | 'MB']
}

/** Measures the entry of `.size-limit.json` (which must be built) and checks that no dependency went into the bundle. */
export async function measureOwnSize(): Promise<OwnSize> {
  const [config] = readJson('.size-limit.json') as { path: string; limit: string; ignore: string[] }[]
  const pkg = readJson('package.json') as Record<string, Record<string, string> | undefined>
  const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]
  const missing = Object.keys(pkg.dependencies ?? {}).filter((name) => !config!.ignore.includes(name))
  if (missing.length > 0)
    throw new Error(`.size-limit.json: "ignore" must list every dependency, so only our code is counted; add ${missing}`)

  // size-limit's CLI adds the peer dependencies to `ignore` too.
  const check: EsbuildCheck = {
    files: [resolve(root, config!.path)],
    gzip: true,
    ignore: [...new Set([...config!.ignore, ...dependencies])],
    // esbuild warns that it drops the bare imports of two chunks that only order modules; they have no side effects.
    modifyEsbuildConfig: (esbuild) => ({ ...esbuild, logLevel: 'error' }),
  }
  // size-limit's types declare plugins as functions and files as paths; its API takes step objects and a checks config.
  await sizeLimit([esbuildPlugin, filePlugin] as never, { checks: [check] } as never)

  const inputs = Object.keys(check.esbuildMetafile?.inputs ?? {})
  const bundledDependencies = inputs.filter((file) => file.includes('node_modules'))
  if (bundledDependencies.length > 0) throw new Error(`dependencies went into the bundle: ${bundledDependencies.join(', ')}`)
  const external = new Set(
    Object.values(check.esbuildMetafile?.inputs ?? {}).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path)),
  )
  return { bytes: check.size!, limitBytes: parseLimit(config!.limit), external: [...external].sort() }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bytes, limitBytes, external } = await measureOwnSize()
  const kb = (n: number) => `${(n / 1000).toFixed(2)} kB`
  console.log(`dist/index.js, own code minified and gzipped: ${kb(bytes)} (limit ${kb(limitBytes)}); external: ${external.join(', ')}`)
  if (bytes > limitBytes) {
    console.error(`over the size budget by ${kb(bytes - limitBytes)}`)
    process.exitCode = 1
  }
}
