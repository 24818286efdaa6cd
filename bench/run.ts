/**
 * The benchmark suite: every figure of docs/performance.md, each against its floor or peer
 * measured in the same run, printed as one table and written to bench/results.json.
 *
 *   npm run bench                  all figures, several rounds each (a few minutes)
 *   npm run bench -- --quick       fewer rounds, shorter runs, 10 000 interactions for the heap (under a minute)
 *   npm run bench -- --markdown    prints the table of bench/results.json as Markdown, measuring nothing
 *
 * PostgreSQL: `DATABASE_URL` when set (the role must be allowed to create a database, for pgbench),
 * else a throwaway cluster started as the tests start theirs. The ES module build of the package is
 * refreshed first, since the cold import, the size and the heap are measured on dist/.
 */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Figure, figureOf, markdownTable, textTable } from './figures.js'
import { decision, largeGroup } from './memory.js'
import { postgresThroughput } from './postgres.js'
import { measureOwnSize } from './size.js'
import { coldImport, heapPerInteraction } from './startup.js'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const resultsFile = resolve(root, 'bench/results.json')

/** What bench/results.json holds. */
interface Results {
  measured_at: string
  cpu: string
  cores: number
  node: string
  /** The machine's one-minute load average when the run started and when it ended: how busy the other processes kept it. */
  load_average: [number, number]
  quick: boolean
  figures: Figure[]
}

const FULL = {
  decision: { rounds: 15, timing: { warmupTime: 100, time: 400 } },
  group: { rounds: 3, budgetMs: 60_000 },
  postgres: { rounds: 3, seconds: 10 },
  coldImportSamples: 15,
  heapInteractions: 100_000,
}
const QUICK: typeof FULL = {
  decision: { rounds: 4, timing: { warmupTime: 50, time: 150 } },
  group: { rounds: 1, budgetMs: 2_000 },
  postgres: { rounds: 1, seconds: 2 },
  coldImportSamples: 5,
  heapInteractions: 10_000,
}

/** The environment line above the table. */
const machine = (r: Results) =>
  `${r.cpu}, ${r.cores} cores (load average ${r.load_average.join(' → ')}), Node ${r.node}, ` +
  `${r.measured_at.slice(0, 16).replace('T', ' ')} UTC${r.quick ? ', --quick' : ''}`

async function measure(quick: boolean): Promise<Results> {
  const plan = quick ? QUICK : FULL
  const loadBefore = loadavg()[0]!
  const started = performance.now()
  const step = (what: string) => console.error(`… ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s  ${what}`)

  step('building the ES module entries (dist/)')
  await promisify(execFile)(resolve(root, 'node_modules/.bin/tsup'), ['--format', 'esm', '--no-dts', '--no-clean', '--silent'], {
    cwd: root,
  })

  const figures: Figure[] = []
  step('create + respond against the floor')
  figures.push(await decision(plan.decision.rounds, plan.decision.timing))
  step(`PostgreSQL against pgbench (${plan.postgres.rounds} × ${plan.postgres.seconds} s each)`)
  figures.push(await postgresThroughput(plan.postgres.rounds, plan.postgres.seconds))
  step('answers in a large all-members group')
  figures.push(await largeGroup(plan.group.rounds, plan.group.budgetMs))

  step('own code size')
  const size = await measureOwnSize()
  // The entry's imports of the runtime dependencies (not of optional peers, which it loads only when present).
  const dependencies = Object.keys(JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).dependencies)
  const dependencyImports = size.external.filter((specifier) => dependencies.some((d) => specifier === d || specifier.startsWith(`${d}/`)))
  step('cold import')
  figures.push(await coldImport(dependencyImports, plan.coldImportSamples))
  figures.push(
    figureOf({
      key: 'size',
      name: 'own code, min+gz, dependencies external (npm run size)',
      values: [size.bytes / 1000],
      unit: 'kB',
      // The goal, not the budget CI enforces today (.size-limit.json), which only stops the code from growing.
      target: { of: 'value', at: 'most', bound: 12 },
      how: 'dist/index.js bundled by size-limit with @size-limit/esbuild, minified, every dependency and peer external, gzipped (level 9)',
      detail: { bytes: size.bytes, limit_bytes: size.limitBytes, external: size.external },
    }),
  )
  step(`heap of ${plan.heapInteractions} pending interactions`)
  figures.push(await heapPerInteraction(plan.heapInteractions))

  return {
    measured_at: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    load_average: [loadBefore, loadavg()[0]!].map((load) => Math.round(load * 10) / 10) as [number, number],
    quick,
    figures,
  }
}

if (process.argv.includes('--markdown')) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Results
  console.log(`Measured on ${machine(results)}:\n\n${markdownTable(results.figures)}`)
} else {
  const started = performance.now()
  const results = await measure(process.argv.includes('--quick'))
  // Four significant digits are more than the noise allows; formatted as the linter wants, so a fresh run passes it.
  writeFileSync(
    resultsFile,
    JSON.stringify(results, (_key, value) => (typeof value === 'number' ? Number(value.toPrecision(4)) : value)),
  )
  await promisify(execFile)(resolve(root, 'node_modules/.bin/biome'), ['format', '--write', resultsFile], { cwd: root })
  console.log(`${machine(results)}; medians, spread over rounds in parentheses\n`)
  console.log(textTable(results.figures))
  console.log(`\nhow each was measured, and more figures: bench/results.json (${((performance.now() - started) / 1000).toFixed(0)} s)`)
}
