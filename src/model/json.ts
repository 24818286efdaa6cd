import { z } from 'zod'
import { LIMITS } from './limits.js'

/** Keys that would reach an object's prototype when a host later copies or merges the value. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** A JSON value as it would survive JSON.stringify and JSON.parse, unchanged. */
export const JsonValueSchema = z.json()

function findForbiddenKey(value: unknown, path: (string | number)[], depth: number): { path: (string | number)[]; message: string } | undefined {
  if (depth > LIMITS.metadataDepth) return { path, message: `nesting deeper than ${LIMITS.metadataDepth} levels` }
  if (value === null || typeof value !== 'object') return undefined
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return { path: [...path, key], message: `key "${key}" is not allowed` }
    const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key], depth + 1)
    if (found) return found
  }
  return undefined
}

/**
 * The path of the first string (or key) holding U+0000, which PostgreSQL cannot store in text or
 * jsonb; refusing it everywhere keeps every store accepting the same inputs.
 */
export function findNulCharacter(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (value === null || typeof value !== 'object' || depth > LIMITS.metadataDepth + 5) return undefined
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key]
    if (key.includes('\u0000')) return at
    const found = findNulCharacter(item, at, depth + 1)
    if (found) return found
  }
  return undefined
}

/**
 * A plain JSON object: no functions, dates, BigInts or non-finite numbers, no prototype-polluting
 * keys, at most {@link LIMITS.metadataBytes} bytes serialized.
 */
export const JsonObjectSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    const found = findForbiddenKey(value, [], 0)
    if (found) ctx.addIssue({ code: 'custom', path: found.path, message: found.message })
  })
  .pipe(z.record(z.string(), JsonValueSchema))
  .superRefine((value, ctx) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value)).length
    if (bytes > LIMITS.metadataBytes) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${LIMITS.metadataBytes} bytes as JSON (got ${bytes})` })
    }
  })
  .transform((value) => ({ ...value }))

export type JsonObject = z.infer<typeof JsonObjectSchema>
