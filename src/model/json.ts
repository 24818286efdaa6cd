import { z } from 'zod'
import { lazily } from './lazily.js'
import { LIMITS } from './limits.js'

/** Keys that would reach an object's prototype when a host later copies or merges the value. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** Sets a field of a copy; a key `__proto__` (JSON.parse makes one) is data, not the prototype. */
export function setField(target: Record<string, unknown>, name: string, value: unknown) {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
  else target[name] = value
}

/**
 * A shallow copy of an object without its keys set to `undefined`, which JSON drops. Built key by
 * key on a new object, several times cheaper than entries and fromEntries on Node 20.
 */
export function withoutUndefined<T extends object>(value: T): T {
  const fields = value as Record<string, unknown>
  const kept: Record<string, unknown> = {}
  for (const key of Object.keys(fields)) if (fields[key] !== undefined) setField(kept, key, fields[key])
  return kept as T
}

/**
 * A deep copy of plain JSON data, as a JSON round trip makes it (an undefined field left out, an
 * undefined item null). Records and entries are plain JSON by construction; a walk copies a record
 * several times faster than a JSON round trip or structuredClone on Node 20. With `keep`, each
 * object and array of the copy goes through it (the store freezes what it keeps that way), and
 * `share` names what needs no copy.
 */
export function copyJson<T>(value: T, keep = <O extends object>(made: O) => made, share = (_: object) => false): T {
  if (typeof value !== 'object' || value === null) return value
  if (share(value)) return value
  if (Array.isArray(value)) return keep(value.map((item) => (item === undefined ? null : copyJson(item, keep, share)))) as T
  const copied: Record<string, unknown> = {}
  for (const name of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[name]
    if (field !== undefined) setField(copied, name, copyJson(field, keep, share))
  }
  return keep(copied) as T
}

/** A JSON value as it would survive JSON.stringify and JSON.parse, unchanged. */
export const JsonValueSchema = lazily(() => z.json())

/** Where a value breaks a rule, and which. */
type Problem = { path: (string | number)[]; message: string }

function findForbiddenKey(value: unknown, path: (string | number)[], depth: number): Problem | undefined {
  if (depth > LIMITS.metadataDepth) return { path, message: `nesting deeper than ${LIMITS.metadataDepth} levels` }
  if (value === null || typeof value !== 'object') return undefined
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return { path: [...path, key], message: `key "${key}" is not allowed` }
    const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key], depth + 1)
    if (found) return found
  }
  return undefined
}

// With the `u` flag a surrogate pair reads as one code point, so this matches lone surrogates only. Built on first
// use: the build turns it into a `new RegExp`, whose Unicode property tables cost a cold import a fraction of a millisecond.
const loneSurrogate = lazily(() => /\p{Cs}/u)

/** Why PostgreSQL text or JSON could not keep `text` unchanged, or undefined when it can. */
function unstorableReason(text: string): string | undefined {
  // NUL cannot be stored in text or jsonb; a lone surrogate is turned into U+FFFD or refused.
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)'
  const lone = loneSurrogate().exec(text)
  return lone ? `must be well-formed Unicode (lone surrogate at index ${lone.index})` : undefined
}

/**
 * The first string (or key) that PostgreSQL text and JSON cannot store as it is — one holding
 * U+0000 or a lone UTF-16 surrogate — with its path and the rule it breaks. Refusing these
 * everywhere keeps every store accepting the same inputs and keeping them unchanged, so two
 * different strings never become the same stored value.
 */
export function findUnstorableText(value: unknown, path: (string | number)[] = [], depth = 0): Problem | undefined {
  if (typeof value === 'string') {
    const message = unstorableReason(value)
    return message ? { path, message } : undefined
  }
  if (value === null || typeof value !== 'object' || depth > LIMITS.metadataDepth + 5) return undefined
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key]
    const message = unstorableReason(key)
    if (message) return { path: at, message: `key ${message}` }
    const found = findUnstorableText(item, at, depth + 1)
    if (found) return found
  }
  return undefined
}

/** Refuses keys that reach a prototype and nesting deeper than {@link LIMITS.metadataDepth}, before the JSON check. */
const withoutForbiddenKeys = lazily(() =>
  z.unknown().superRefine((value, ctx) => {
    const found = findForbiddenKey(value, [], 0)
    if (found) ctx.addIssue({ code: 'custom', path: found.path, message: found.message })
  }),
)

/** Refuses a value longer than `bytes` bytes as JSON. */
const atMostBytes =
  (bytes: number) =>
  (value: unknown, ctx: z.RefinementCtx): void => {
    const size = new TextEncoder().encode(JSON.stringify(value)).length
    if (size > bytes) ctx.addIssue({ code: 'custom', message: `must be at most ${bytes} bytes as JSON (got ${size})` })
  }

/**
 * A plain JSON object: no functions, dates, BigInts or non-finite numbers, no prototype-polluting
 * keys, at most {@link LIMITS.metadataBytes} bytes serialized.
 */
export const JsonObjectSchema = lazily(() =>
  withoutForbiddenKeys()
    .pipe(z.record(z.string(), JsonValueSchema()))
    .superRefine(atMostBytes(LIMITS.metadataBytes))
    .transform((value) => ({ ...value }))
    .meta({ type: 'object' }),
)

/** A JSON object, as metadata and other free-form fields hold. */
export type JsonObject = z.infer<ReturnType<typeof JsonObjectSchema>>

/** A JSON value held to the same rules as a JSON object, within `bytes` bytes serialized. */
export const boundedJsonSchema = (bytes: number) => withoutForbiddenKeys().pipe(JsonValueSchema()).superRefine(atMostBytes(bytes))
