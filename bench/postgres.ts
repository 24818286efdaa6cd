/**
 * PostgreSQL throughput: responds per second with 8 concurrent clients against `pgbench -N -c 8`
 * on the same server, alternating the two in each round so that both see the same load.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { callbackSignals, createInteractions } from '@hitl/interactions'
import { migrate, postgresStore } from '@hitl/interactions/postgres'
import pg from 'pg'
import startTestDatabase from '../test/support/postgres-global-setup.js'
import { type Figure, figureOf, quantile } from './figures.js'

const run = promisify(execFile)
const CLIENTS = 8

/** pgbench from the same PostgreSQL installation the tests use (`HITL_PG_BIN`, else Debian's). */
function pgbenchPath(): string {
  const candidates = [process.env.HITL_PG_BIN, '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin']
  const found = candidates.filter((dir): dir is string => !!dir).find((dir) => existsSync(`${dir}/pgbench`))
  return found ? `${found}/pgbench` : 'pgbench'
}

/** A database server: `DATABASE_URL`, or a throwaway cluster started as the tests start theirs. */
async function server(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.DATABASE_URL
  if (given) return { url: given, stop: async () => {} }
  let url = ''
  const stop = await startTestDatabase({ provide: (_key: string, value: string) => void (url = value) } as never)
  return { url, stop: stop ?? (async () => {}) }
}

/** `url` with another database name. */
const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Transactions per second of one `pgbench -N -c 8 -j 2 -T seconds` on the scratch database. */
async function pgbench(bin: string, url: string, seconds: number): Promise<number> {
  const { stdout } = await run(bin, ['-N', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds), '-n', url])
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)
  if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`)
  return Number(tps[1])
}

/**
 * Responds per second when 8 clients (a pool of 8) each create a run-linked direct approval and
 * respond to it, over and over for `seconds`; with the latencies of the responds.
 */
async function decisions(interactions: ReturnType<typeof createInteractions>, seconds: number) {
  const latencies: number[] = []
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  const client = async (c: number) => {
    for (let i = 0; performance.now() < until; i++) {
      const { id } = await interactions.create('acme', {
        type: 'approval',
        spec: { mode: 'confirm' },
        target_actor: { type: 'member', id: `user_${c}` },
        run_id: `run_${c}_${i}`,
        topic: 'gate',
      })
      const before = performance.now()
      await interactions.respond('acme', id, { actor: { type: 'member', id: `user_${c}` }, value: { confirmed: true } })
      latencies.push(performance.now() - before)
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))
  return { perSecond: latencies.length / ((performance.now() - started) / 1000), latencies }
}

/**
 * Runs `rounds` rounds, each pgbench for `seconds` then the service for as long, after a warm-up of
 * both, and compares the medians.
 */
export async function postgresThroughput(rounds: number, seconds: number): Promise<Figure> {
  const bin = pgbenchPath()
  const { url, stop } = await server()
  const scratch = `hitl_bench_${Date.now().toString(36)}`
  const schema = `bench_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const pool = new pg.Pool({ connectionString: url, max: CLIENTS })
  try {
    await admin.query(`CREATE DATABASE ${scratch}`)
    const pgbenchUrl = withDatabase(url, scratch)
    await run(bin, ['-i', '-q', pgbenchUrl])
    await migrate(pool, { schema })
    const interactions = createInteractions({ store: postgresStore({ pool, schema }), signals: callbackSignals(() => {}) })

    await pgbench(bin, pgbenchUrl, 1)
    await decisions(interactions, 1)
    const tps: number[] = []
    const ours: number[] = []
    const latencies: number[] = []
    for (let round = 0; round < rounds; round++) {
      tps.push(await pgbench(bin, pgbenchUrl, seconds))
      const measured = await decisions(interactions, seconds)
      ours.push(measured.perSecond)
      latencies.push(...measured.latencies)
    }
    const p50 = quantile(latencies, 0.5)
    const p99 = quantile(latencies, 0.99)
    return figureOf({
      key: 'postgres',
      name: `PostgreSQL responds per second, 8 concurrent clients, against pgbench -N -c 8 (p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms)`,
      values: ours,
      unit: '/s',
      peer: { name: 'pgbench', unit: 'TPS', values: tps },
      target: { of: 'ratio', at: 'least', bound: 0.5 },
      how:
        `a pool of 8, 8 clients each creating a run-linked direct approval then responding to it, for ${seconds} s; ` +
        `responds completed per second of wall time (so a create is paid for each); p50/p99 of the responds alone; ` +
        `alternating with pgbench -N -c 8 -j 2 -T ${seconds} on a scratch database of the same server, ` +
        `${rounds} rounds after 1 s of warm-up each, ratio per round, median`,
      detail: {
        respond_p50_ms: p50,
        respond_p99_ms: p99,
        responds: latencies.length,
        server: process.env.DATABASE_URL ? 'DATABASE_URL' : 'throwaway cluster (fsync off, synchronous_commit off)',
      },
    })
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
    await pool.end()
    await admin.query(`DROP DATABASE IF EXISTS ${scratch}`).catch(() => undefined)
    await admin.end()
    await stop()
  }
}
