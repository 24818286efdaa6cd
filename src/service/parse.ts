import type { z } from 'zod'
import { validationError } from '../errors.js'
import { findNulCharacter } from '../model/json.js'

/** Parses a caller's input, or throws `validation_failed` naming each field (under `path`). */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string, path: (string | number)[] = []): T {
  const nul = findNulCharacter(value)
  if (nul) throw validationError(what, [{ path: nul, message: 'must not contain the NUL character (U+0000)' }], path)
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(what, result.error.issues, path)
  return result.data
}
