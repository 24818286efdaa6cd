/**
 * Vitest global setup: gives the tests a PostgreSQL server. Uses `DATABASE_URL` when set; otherwise
 * starts a throwaway cluster from the system's PostgreSQL binaries (initdb + pg_ctl, in a temp
 * folder, on a free 127.0.0.1 port) and stops it when the run ends. With neither, the run fails:
 * integration tests never skip silently.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chown, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection string for a database the tests may create schemas in. */
    databaseUrl: string
  }
}

const run = promisify(execFile)
const DATABASE = 'hitl_test'
const HOW_TO_GET_ONE =
  'The integration tests need PostgreSQL: install the server binaries (Debian: `apt-get install -y postgresql-15`; they land in /usr/lib/postgresql/15/bin) so the tests can start a throwaway cluster, or set DATABASE_URL to a database they may create schemas in.'

/**
 * The folder of initdb and pg_ctl: `HITL_PG_BIN` when set (another OS's layout), else the newest
 * `/usr/lib/postgresql/<version>/bin` that has both (Debian does not put them on PATH).
 */
async function findBinaries(): Promise<string | undefined> {
  const hasBoth = (bin: string) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))
  const given = process.env.HITL_PG_BIN
  if (given) {
    if (!hasBoth(given)) throw new Error(`HITL_PG_BIN is ${given}, which has no initdb and pg_ctl. ${HOW_TO_GET_ONE}`)
    return given
  }
  const root = '/usr/lib/postgresql'
  const versions = await readdir(root).catch(() => [] as string[])
  return versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'))
    .find(hasBoth)
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Runs a server binary; as root through `runuser -u postgres`, since PostgreSQL refuses to run as root. */
function runAsPostgres(binary: string, args: string[]) {
  const asRoot = process.getuid?.() === 0
  return asRoot ? run('runuser', ['-u', 'postgres', '--', binary, ...args]) : run(binary, args)
}

async function startCluster(bin: string) {
  const dir = await mkdtemp(join(tmpdir(), 'hitl-pg-'))
  const data = join(dir, 'data')
  const log = join(dir, 'server.log')
  if (process.getuid?.() === 0) {
    const { stdout: uid } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error(`Running as root, the tests start PostgreSQL as the "postgres" user, which does not exist. ${HOW_TO_GET_ONE}`)
    })
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    await chown(dir, Number(uid.trim()), Number(gid.trim()))
  }
  const stop = async () => {
    await runAsPostgres(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']).catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await runAsPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'])
    // A port can be taken between the probe and the start; try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      // Durability settings off: the cluster is thrown away, and the tests run faster without fsync.
      const serverOptions = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        `-k ${dir}`,
        '-c max_connections=300',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ')
      try {
        await runAsPostgres(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions])
        return { port, stop }
      } catch (error) {
        if (attempt >= 3) {
          const tail = await readFile(log, 'utf8').then(
            (text) => text.split('\n').slice(-20).join('\n'),
            () => '',
          )
          throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${tail}`, { cause: error })
        }
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Starts (or finds) the server and provides `databaseUrl`; returns the teardown. */
export default async function setup(project: TestProject) {
  const given = process.env.DATABASE_URL
  if (given) {
    project.provide('databaseUrl', given)
    return
  }
  const bin = await findBinaries()
  if (!bin) throw new Error(`No DATABASE_URL and no PostgreSQL server binaries in /usr/lib/postgresql/*/bin. ${HOW_TO_GET_ONE}`)
  const { port, stop } = await startCluster(bin)
  try {
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${DATABASE}`)
    await admin.end()
  } catch (error) {
    await stop()
    throw error
  }
  project.provide('databaseUrl', `postgresql://postgres@127.0.0.1:${port}/${DATABASE}`)
  return stop
}
