import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Modification times of the files under a folder, or of a single file. */
function modifiedTimes(path: string): number[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [statSync(path).mtimeMs]
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => statSync(join(path, name)))
    .filter((stat) => stat.isFile())
    .map((stat) => stat.mtimeMs)
}

/**
 * Runs `npm run build` unless dist/ is newer than everything it is built from, so that tests of the
 * built package pass on a fresh clone and cost nothing after CI's own build.
 */
export function ensureBuilt(root: string) {
  const built = modifiedTimes(join(root, 'dist'))
  const sources = ['src', 'tsup.config.ts', 'package.json', 'tsconfig.json'].flatMap((path) => modifiedTimes(join(root, path)))
  if (built.length > 0 && Math.min(...built) > Math.max(...sources)) return
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' })
}
