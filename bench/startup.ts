/**
 * The figures that need a fresh Node process: the cold import of the built root entry over its
 * dependencies, and the heap a pending interaction holds on the memory store.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Figure, figureOf, median } from './figures.js'

const run = promisify(execFile)
const root = resolve(fileURLToPath(import.meta.url), '../..')

/** Runs an ES module script in a new `node` in the package folder (so `@hitl/interactions` resolves to dist/) and parses the JSON it prints. */
async function inFreshNode<T>(script: string, flags: string[] = []): Promise<T> {
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: root, maxBuffer: 1 << 20 })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T
}

/**
 * Milliseconds to `import('@hitl/interactions')` in a process that has already imported the
 * dependency modules the entry imports (`dependencyImports`), median over `samples` fresh processes.
 * A cold start waits for wall time, so that is the figure; the CPU time is in `detail` (it may exceed
 * the wall time, V8 compiling and collecting on threads of its own).
 */
export async function coldImport(dependencyImports: string[], samples: number): Promise<Figure> {
  const script = `
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000 }
const [wall0, cpu0] = [performance.now(), cpu()]
${dependencyImports.map((specifier) => `await import(${JSON.stringify(specifier)})`).join('\n')}
const [wall1, cpu1] = [performance.now(), cpu()]
await import('@hitl/interactions')
const [wall2, cpu2] = [performance.now(), cpu()]
console.log(JSON.stringify({ own: wall2 - wall1, ownCpu: cpu2 - cpu1, dependencies: wall1 - wall0, dependenciesCpu: cpu1 - cpu0 }))`
  type Sample = { own: number; ownCpu: number; dependencies: number; dependenciesCpu: number }
  // One unmeasured process first, so every measured one finds the files in the OS cache.
  await inFreshNode(script)
  const measured: Sample[] = []
  for (let i = 0; i < samples; i++) measured.push(await inFreshNode<Sample>(script))
  const of = (key: keyof Sample) => median(measured.map((sample) => sample[key]))
  return figureOf({
    key: 'cold_import',
    name: 'cold import of the root entry over its dependencies',
    values: measured.map((sample) => sample.own),
    unit: 'ms',
    target: { of: 'value', at: 'most', bound: 15 },
    how:
      `a fresh node per sample imports ${dependencyImports.join(', ')}, then times ` +
      `import('@hitl/interactions') (the built dist/index.js); median of ${samples} processes after one unmeasured`,
    detail: {
      own_cpu_ms: of('ownCpu'),
      dependencies_ms: of('dependencies'),
      dependencies_cpu_ms: of('dependenciesCpu'),
      dependency_imports: dependencyImports,
    },
  })
}

/**
 * Bytes of heap per pending single-target interaction on the memory store, with `count` of them:
 * heap used after a full collection, before and after creating them, in a fresh `node --expose-gc`.
 */
export async function heapPerInteraction(count: number): Promise<Figure> {
  const script = `
import { callbackSignals, createInteractions } from '@hitl/interactions'
const interactions = createInteractions({ signals: callbackSignals(() => {}) })
const input = (i) => ({
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: { type: 'member', id: 'user_' + i },
  run_id: 'run_' + i,
  topic: 'deploy-gate',
})
// Warm up on another project, so compiled code and lazily built schemas are in the baseline.
for (let i = 0; i < 1000; i++) await interactions.create('warm', input(i))
const heapUsed = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed }
const before = heapUsed()
for (let i = 0; i < ${count}; i++) await interactions.create('acme', input(i))
const after = heapUsed()
console.log(JSON.stringify({ perInteraction: (after - before) / ${count}, before, after, pending: (await interactions.inbox('acme', { type: 'member', id: 'user_7' })).items.length }))`
  const sample = await inFreshNode<{ perInteraction: number; before: number; after: number; pending: number }>(script, ['--expose-gc'])
  if (sample.pending !== 1) throw new Error('the interactions were not pending in the store')
  return figureOf({
    key: 'heap',
    name: `heap per pending single-target interaction, memory store, ${count.toLocaleString('en-US').replace(',', ' ')} of them`,
    values: [sample.perInteraction],
    unit: 'B',
    target: { of: 'value', at: 'most', bound: 2048 },
    how:
      `in a fresh node --expose-gc on the built entry, ${count} run-linked direct approvals for as many members created ` +
      `and left pending; heap used after gc, after minus before, divided by ${count} (one sample)`,
    detail: { heap_before_bytes: sample.before, heap_after_bytes: sample.after },
  })
}
