import { z } from 'zod'
import { InteractionError, validationError, type ValidationIssue } from '../errors.js'

/** A function option, with the signature the message shows. */
export const method = (signature: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: `must be a function ${signature}` })

const number = (rule: string, min: number, fallback: number) => z.number(rule).min(min, rule).default(fallback)

/** A duration option in milliseconds, 0 or more, with its default. */
export const milliseconds = (fallback: number) => number('must be a number of milliseconds, 0 or more', 0, fallback)

/** A growth factor option, 1 or more, with its default. */
export const growth = (fallback: number) => number('must be a number, 1 or more', 1, fallback)

/** A count option, a positive integer, with its default. */
export const count = (fallback: number) => z.int('must be a positive integer').min(1, 'must be a positive integer').default(fallback)

/**
 * Zod's issues with each unknown key at its own path under `prefix`, so the message names the
 * misspelt option; a top-level key listed in `moved` says where that option's job went instead.
 */
export function optionIssues(error: z.ZodError, prefix: string[] = [], moved: Record<string, string> = {}): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))]
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }]
    const movedTo = (key: string) => (issue.path.length === 0 && Object.hasOwn(moved, key) ? moved[key] : undefined)
    return issue.keys.map((key) => ({ path: [...path, key], message: movedTo(key) ?? 'is not an option here; check its spelling' }))
  })
}

/** The `configuration` error of a host's call that set something up wrong, naming each issue. */
export function configurationError(what: string, issues: Parameters<typeof validationError>[1]): InteractionError {
  const { message, issues: named } = validationError(what, issues)
  return new InteractionError('configuration', message, { issues: named })
}
