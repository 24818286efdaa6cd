/**
 * The shape of one benchmark figure, the statistics the suite takes over rounds, and the table it
 * prints (as text on the console, or as Markdown for docs/performance.md).
 */
import { Bench } from 'tinybench'

/** A bound on a figure: its ratio to the floor or peer, or its own value, at most or at least `bound`. */
export interface Target {
  of: 'ratio' | 'value'
  at: 'most' | 'least'
  bound: number
}

/** One row of the table: what was measured, what it is compared with, and whether the target is met. */
export interface Figure {
  key: string
  /** What the figure is, as the table's first column says it. */
  name: string
  value: number
  unit: string
  /** Lowest and highest value over the measured rounds (or samples). */
  spread: [number, number]
  /** The floor or peer measured in the same run, when the figure has one. */
  peer?: { name: string; value: number; unit: string; spread: [number, number] }
  /** `value / peer.value`, the median of the per-round ratios. */
  ratio?: number
  target: Target
  met: boolean
  /** How it was measured, in a sentence. */
  how: string
  /** Further numbers a reader may want (percentiles, sizes, counts). */
  detail?: Record<string, unknown>
}

/** The median of a non-empty list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The value at quantile `q` (0 to 1) of a non-empty list, by nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/** The lowest and highest of a non-empty list. */
const spreadOf = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)]

/** Whether a value, or its ratio to the peer, meets its target. */
function meets(value: number, ratio: number | undefined, target: Target): boolean {
  const measured = target.of === 'ratio' ? ratio : value
  if (measured === undefined) return false
  return target.at === 'most' ? measured <= target.bound : measured >= target.bound
}

/** What a figure is made of: its values over rounds and, when it has one, its peer's in the same rounds. */
export interface Measured extends Omit<Figure, 'value' | 'spread' | 'peer' | 'ratio' | 'met'> {
  values: number[]
  peer?: { name: string; unit: string; values: number[] }
  /** A condition besides the target, such as the member limit; true when absent. */
  also?: boolean
}

/** The figure of measured rounds: medians, spreads, and the median of the per-round ratios to the peer. */
export function figureOf({ values, peer, also = true, detail, ...rest }: Measured): Figure {
  const value = median(values)
  const ratios = peer && values.map((v, round) => v / peer.values[round]!)
  const ratio = ratios && median(ratios)
  return {
    ...rest,
    value,
    spread: spreadOf(values),
    ...(peer && { peer: { name: peer.name, unit: peer.unit, value: median(peer.values), spread: spreadOf(peer.values) } }),
    ...(ratio !== undefined && { ratio }),
    met: also && meets(value, ratio, rest.target),
    detail: { ...detail, ...(ratios && { ratio_per_round: ratios }) },
  }
}

/** Phase lengths of one tinybench round, in milliseconds. */
export interface RoundTiming {
  warmupTime: number
  time: number
}

/** Milliseconds of CPU time this process has used (all its threads), to microsecond resolution. */
export const cpuNow = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/**
 * Runs the tasks side by side in `rounds` short tinybench rounds (each with its own warm-up, so that
 * load from elsewhere on the machine hits every task alike), timed by `now` (milliseconds; wall
 * time by default), and returns every round's median and 99th percentile of each task in microseconds.
 */
export async function benchRounds(
  tasks: Record<string, () => unknown>,
  rounds: number,
  timing: RoundTiming,
  now?: () => number,
): Promise<Record<string, { p50: number[]; p99: number[] }>> {
  const out: Record<string, { p50: number[]; p99: number[] }> = {}
  for (const name of Object.keys(tasks)) out[name] = { p50: [], p99: [] }
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ ...timing, warmupIterations: 16, iterations: 16, throws: true, ...(now && { now }) })
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn)
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`)
      out[task.name]!.p50.push(result.latency.p50 * 1000)
      out[task.name]!.p99.push(result.latency.p99 * 1000)
    }
  }
  return out
}

const ratioText = (ratio: number | undefined) => (ratio === undefined ? '' : `${ratio.toFixed(2)}×`)

/** Three significant digits or so, thousands grouped with a space. */
function num(value: number): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return value.toLocaleString('en-US', { maximumFractionDigits: digits }).replaceAll(',', ' ')
}

const amount = (value: number, unit: string) => `${num(value)} ${unit}`

function targetText({ of, at, bound }: Target, unit: string): string {
  const sign = at === 'most' ? '≤' : '≥'
  return of === 'ratio' ? `${sign} ${bound.toFixed(1)}×` : `${sign} ${amount(bound, unit)}`
}

/** The rows of the table: figure, measured (with its spread), floor or peer, ratio, target, met. */
export function rows(figures: Figure[]): string[][] {
  return figures.map((f) => [
    f.name,
    `${amount(f.value, f.unit)} (${num(f.spread[0])}–${num(f.spread[1])})`,
    f.peer ? `${f.peer.name}: ${amount(f.peer.value, f.peer.unit)}` : '',
    ratioText(f.ratio),
    targetText(f.target, f.unit),
    f.met ? 'yes' : 'no',
  ])
}

const HEADER = ['figure', 'measured (spread)', 'floor or peer', 'ratio', 'target', 'met']

/** Each row's cells padded to their column's width, joined by `separator`, between `left` and `right`. */
function aligned(table: string[][], separator: string, [left, right] = ['', '']): string[] {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  return table.map((r) => `${left}${r.map((c, i) => c.padEnd(widths[i]!)).join(separator)}${right}`.trimEnd())
}

/** The table as Markdown, aligned as the formatter leaves it, for docs/performance.md. */
export function markdownTable(figures: Figure[]): string {
  const body = rows(figures).map((r) => r.map((c) => c.replaceAll('|', '\\|')))
  const widths = HEADER.map((_, i) => Math.max(...[HEADER, ...body].map((r) => r[i]!.length)))
  return aligned([HEADER, widths.map((w) => '-'.repeat(w)), ...body], ' | ', ['| ', ' |']).join('\n')
}

/** The table as aligned text, for the console. */
export function textTable(figures: Figure[]): string {
  return aligned([HEADER, ...rows(figures)], '  ').join('\n')
}
