import type { z } from 'zod'
import { validationError } from '../errors.js'
import { findUnstorableText } from '../model/json.js'

type Checked<T> = { data: T; issues?: undefined } | { data?: undefined; issues: Parameters<typeof validationError>[1] }

/** The parsed value, or every problem found; text that no store can keep unchanged is refused first. */
export function check<T>(schema: z.ZodType<T>, value: unknown): Checked<T> {
  const unstorable = findUnstorableText(value)
  if (unstorable) return { issues: [unstorable] }
  const result = schema.safeParse(value)
  return result.success ? { data: result.data } : { issues: result.error.issues }
}

/** Parses a caller's input, or throws `validation_failed` naming each field (under `path`). */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string, path: (string | number)[] = []): T {
  const checked = check(schema, value)
  if (checked.issues) throw validationError(what, checked.issues, path)
  return checked.data
}
