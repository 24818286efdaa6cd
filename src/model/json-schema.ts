import { deepCompareStrict, dereference, format as FORMATS, Validator, type Schema } from '@cfworker/json-schema'
import type { ValidationIssue } from '../errors.js'
import { lazily } from './lazily.js'

/**
 * JSON Schema (draft 2020-12) through `@cfworker/json-schema`: an interpreter, not a code generator,
 * so it runs where `eval` and `new Function` are forbidden (Cloudflare Workers, Vercel Edge).
 */

/** The dialect every schema here is written in and checked by. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'

/** A JSON Schema as an object; subschemas may also be `true` or `false`. */
export type JsonSchema = Schema

/**
 * What a proposal's schema may be: the 2020-12 keywords the validator applies, each of the right
 * kind. Dynamic references are refused, since the validator would ignore them and accept too much,
 * and so are the older drafts' `$recursiveRef`, `$recursiveAnchor` and `dependencies`, which it
 * applies whatever the dialect; other unknown keywords are annotations, as the draft says. Built
 * with its validator, on the first proposal checked.
 */
function metaSchema(): JsonSchema {
  const TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']
  const schema = { $ref: '#/$defs/schema' }
  const schemaMap = { type: 'object', additionalProperties: schema }
  const schemaList = { type: 'array', minItems: 1, items: schema }
  const count = { type: 'integer', minimum: 0 }
  const regex = { type: 'string', format: 'regex' }
  return {
    $ref: '#/$defs/object',
    $defs: {
      schema: { anyOf: [{ type: 'boolean' }, { $ref: '#/$defs/object' }] },
      object: {
        type: 'object',
        properties: {
          $schema: { const: JSON_SCHEMA_DIALECT },
          $id: { type: 'string' },
          $anchor: { type: 'string' },
          $ref: { type: 'string' },
          $dynamicRef: false,
          $dynamicAnchor: false,
          $recursiveRef: false,
          $recursiveAnchor: false,
          dependencies: false,
          $defs: schemaMap,
          type: { anyOf: [{ enum: TYPES }, { type: 'array', items: { enum: TYPES }, minItems: 1, uniqueItems: true }] },
          enum: { type: 'array' },
          required: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          dependentRequired: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
          properties: schemaMap,
          patternProperties: { ...schemaMap, propertyNames: regex },
          dependentSchemas: schemaMap,
          additionalProperties: schema,
          unevaluatedProperties: schema,
          propertyNames: schema,
          items: schema,
          prefixItems: schemaList,
          unevaluatedItems: schema,
          contains: schema,
          not: schema,
          if: schema,
          // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, never awaited
          then: schema,
          else: schema,
          allOf: schemaList,
          anyOf: schemaList,
          oneOf: schemaList,
          ...Object.fromEntries(
            ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains'].map((k) => [
              k,
              count,
            ]),
          ),
          ...Object.fromEntries(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].map((k) => [k, { type: 'number' }])),
          multipleOf: { type: 'number', exclusiveMinimum: 0 },
          uniqueItems: { type: 'boolean' },
          pattern: regex,
          format: { type: 'string' },
        },
      },
    },
  }
}

const metaValidator = lazily(() => new Validator(metaSchema(), '2020-12', false))

/** A JSON Pointer as a path: `#/items/0` → `['items', 0]`, with indexes as numbers where `instance` has arrays. */
function pathOf(pointer: string, instance: unknown): (string | number)[] {
  const path: (string | number)[] = []
  let at = instance
  for (const segment of pointer
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s !== '')) {
    const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~')
    const step = Array.isArray(at) ? Number(key) : key
    path.push(step)
    at = at !== null && typeof at === 'object' ? (at as Record<string | number, unknown>)[step] : undefined
  }
  return path
}

/**
 * The validator's keywords whose error only says that a part below failed: the parts' own errors
 * follow it, so it is left out. `anyOf` and `oneOf` stay, since no single branch is the problem.
 */
const SUMMARY_KEYWORDS = new Set([
  '$ref',
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'items',
  'prefixItems',
  'unevaluatedItems',
  'dependentSchemas',
  'allOf',
  'if',
])
// The validator names a missing property in its message only; the issue's path names it.
const MISSING = /^Instance does not have required property "(.*)"\.$/s
const MISSING_DEPENDANT = /^Instance has "(.*)" but does not have "(.*)"\.$/s

/** One issue per failing keyword, each at the path of the value it is about: a missing property at its own path. */
function issuesOf(errors: { instanceLocation: string; keyword: string; error: string }[], instance: unknown): ValidationIssue[] {
  const seen = new Set<string>()
  return errors
    .filter(({ keyword }) => !SUMMARY_KEYWORDS.has(keyword))
    .map(({ instanceLocation, keyword, error }): ValidationIssue => {
      const path = pathOf(instanceLocation, instance)
      const missing = keyword === 'required' ? MISSING.exec(error) : undefined
      if (missing) return { path: [...path, missing[1]!], message: 'is required' }
      const dependant = keyword === 'dependentRequired' ? MISSING_DEPENDANT.exec(error) : undefined
      if (dependant) return { path: [...path, dependant[2]!], message: `is required when "${dependant[1]}" is present` }
      return { path, message: keyword === 'false' ? 'is not allowed here' : error }
    })
    .filter(({ path, message }) => !seen.has(`${path.join('/')} ${message}`) && seen.add(`${path.join('/')} ${message}`))
}

/**
 * Where `instance` breaks `schema`, each with its path inside `instance`; empty when it satisfies it.
 * A schema the validator cannot apply is a problem of the value too, never a fault of the caller's call.
 */
export function jsonSchemaIssues(schema: JsonSchema | boolean, instance: unknown): ValidationIssue[] {
  try {
    // The validator marks the schema it is given with resolved references: the stored one stays as it was.
    const { valid, errors } = new Validator(structuredClone(schema), '2020-12', false).validate(instance)
    return valid ? [] : issuesOf(errors, instance)
  } catch (error) {
    return [{ path: [], message: `could not be checked against its schema: ${error instanceof Error ? error.message : String(error)}` }]
  }
}

/** The longest `pattern` (or `patternProperties` name) a proposal's schema may hold, in characters. */
export const MAX_PATTERN_LENGTH = 256
/**
 * How many subschemas a proposal's schema may apply once each `$ref` is replaced by what it points
 * to: references through `anyOf` can otherwise multiply a small schema's work beyond any deadline.
 */
export const MAX_EXPANDED_SUBSCHEMAS = 2_000
/** A quantifier repeating more often than this counts as free repetition, as `*` and `+` do. */
const FREE_REPEAT = 32

/**
 * Why the regular expression `source` could take more than linear time on a long string, or
 * undefined when it cannot: the validator runs it synchronously, so a slow one blocks the process.
 * The rules are those of a star-height check, kept strict: no back-reference; no repeated group that
 * holds a quantifier or alternatives (`(a+)+`, `(a|b)*`); free repetition at most once, and only
 * after a leading `^`, since two free repetitions that overlap backtrack quadratically or worse.
 */
export function slowPatternReason(source: string): string | undefined {
  if ([...source].length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`
  // Per open group: whether it holds a quantifier or an alternative, which repeating it would nest.
  const groups = [false]
  let lastIsRiskyGroup = false
  let free = 0
  let alternatives = false
  for (let at = 0; at < source.length; at++) {
    const char = source[at]!
    const quantifier = /^(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})/.exec(source.slice(at))
    if (quantifier) {
      const [text, exact, comma, upper] = quantifier
      const max = text === '?' ? 1 : exact === undefined || (comma && upper === '') ? Number.POSITIVE_INFINITY : Number(upper || exact)
      if (max > 1 && lastIsRiskyGroup) return 'must not repeat a group that holds a quantifier or alternatives (as (a+)+ or (a|b)* do)'
      if (max > FREE_REPEAT) free++
      groups[groups.length - 1] = true
      at += text.length - (source[at + text.length] === '?' ? 0 : 1)
      lastIsRiskyGroup = false
      continue
    }
    lastIsRiskyGroup = false
    if (char === '\\') {
      const escaped = source[at + 1] ?? ''
      if (/[1-9k]/.test(escaped)) return 'must not use a back-reference (\\1, \\k<name>)'
      at += 1
      // \p{…}, \P{…} and \u{…} are one atom, braces and all.
      if (/[pPu]/.test(escaped) && source[at + 1] === '{') at = Math.max(at, source.indexOf('}', at))
    } else if (char === '[') {
      for (at++; at < source.length && source[at] !== ']'; at++) if (source[at] === '\\') at++
    } else if (char === '(') {
      groups.push(false)
      at += /^(?:\?(?:<[=!]|[:=!]|<[^>]*>))?/.exec(source.slice(at + 1))![0].length
    } else if (char === ')') {
      lastIsRiskyGroup = groups.pop() === true
      if (lastIsRiskyGroup) groups[groups.length - 1] = true
    } else if (char === '|') {
      groups[groups.length - 1] = true
      if (groups.length === 1) alternatives = true
    }
  }
  const anchored = source.startsWith('^') && !alternatives
  if (free > 1) return 'must repeat freely (*, +, {n,} or more than 32 times) at most once: two such repetitions can backtrack for minutes'
  if (free === 1 && !anchored) return 'must start with ^ (and have no top-level |) to repeat freely (*, +, {n,} or more than 32 times)'
  return undefined
}

type Owner = string | typeof ROOT
const ROOT = Symbol('root')
const ONE_SCHEMA = [
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'items',
  'unevaluatedItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
]
const SCHEMA_LISTS = ['prefixItems', 'allOf', 'anyOf', 'oneOf']
const SCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs']
const DEFS_REF = /^#\/\$defs\/([^/]+)$/

/** What a walk over a schema found: per root or `$defs` entry, its subschemas and the entries it refers to. */
interface Found {
  issues: ValidationIssue[]
  subschemas: Map<Owner, number>
  refs: Map<Owner, string[]>
}

function walkSchema(node: unknown, path: (string | number)[], owner: Owner, found: Found): void {
  if (node === null || typeof node !== 'object') return
  const schema = node as Record<string, unknown>
  const issue = (key: string | number, message: string) => found.issues.push({ path: [...path, key], message })
  found.subschemas.set(owner, (found.subschemas.get(owner) ?? 0) + 1)
  // A nested $id would move the base that "#/$defs/…" resolves against, out of this check's sight.
  if (path.length > 0 && schema.$id !== undefined) issue('$id', 'is allowed only at the root of the schema')
  if (typeof schema.$ref === 'string') {
    const name = DEFS_REF.exec(schema.$ref)?.[1]
    if (name === undefined) issue('$ref', `must point to an entry of the root's $defs, as "#/$defs/<name>" (got "${schema.$ref}")`)
    else found.refs.set(owner, [...(found.refs.get(owner) ?? []), decodeURIComponent(name).replace(/~1/g, '/').replace(/~0/g, '~')])
  }
  const pattern = typeof schema.pattern === 'string' ? slowPatternReason(schema.pattern) : undefined
  if (pattern) issue('pattern', pattern)
  if (typeof schema.format === 'string' && !Object.hasOwn(FORMATS, schema.format)) {
    issue('format', `must be one of the formats the validator checks: ${Object.keys(FORMATS).join(', ')}`)
  }
  for (const key of ONE_SCHEMA) walkSchema(schema[key], [...path, key], owner, found)
  for (const key of SCHEMA_LISTS) {
    const list = schema[key]
    if (Array.isArray(list)) list.forEach((child, index) => void walkSchema(child, [...path, key, index], owner, found))
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key]
    if (map === null || typeof map !== 'object') continue
    for (const [name, child] of Object.entries(map)) {
      const slow = key === 'patternProperties' ? slowPatternReason(name) : undefined
      if (slow) found.issues.push({ path: [...path, key, name], message: `its name, a pattern, ${slow}` })
      walkSchema(child, [...path, key, name], key === '$defs' && path.length === 0 ? name : owner, found)
    }
  }
}

/**
 * What makes a well-formed schema too costly or too unpredictable to run on every edit: a `$ref`
 * anywhere but the root's `$defs`, a reference cycle (recursive schemas are not supported), more than
 * {@link MAX_EXPANDED_SUBSCHEMAS} subschemas once references are followed, a slow `pattern`, or a
 * `format` the validator does not know (which it would look up on a plain object's prototype).
 */
function costlySchemaIssues(schema: JsonSchema): ValidationIssue[] {
  const found: Found = { issues: [], subschemas: new Map(), refs: new Map() }
  walkSchema(schema, [], ROOT, found)
  if (found.issues.length > 0) return found.issues
  const expanded = new Map<Owner, number>()
  const entering = new Set<Owner>()
  const sizeOf = (owner: Owner, chain: string[]): number => {
    const known = expanded.get(owner)
    if (known !== undefined) return known
    if (entering.has(owner)) throw new ReferenceCycle(chain)
    entering.add(owner)
    let size = found.subschemas.get(owner) ?? 0
    for (const target of found.refs.get(owner) ?? [])
      size = Math.min(size + sizeOf(target, [...chain, target]), MAX_EXPANDED_SUBSCHEMAS + 1)
    entering.delete(owner)
    expanded.set(owner, size)
    return size
  }
  try {
    for (const owner of found.subschemas.keys()) sizeOf(owner, owner === ROOT ? [] : [owner])
  } catch (error) {
    if (!(error instanceof ReferenceCycle)) throw error
    const [first] = error.chain
    const message = `refers to itself through $ref (${error.chain.join(' → ')}): recursive schemas are not supported`
    return [{ path: first === undefined ? ['$ref'] : ['$defs', first], message }]
  }
  const size = expanded.get(ROOT) ?? 0
  if (size > MAX_EXPANDED_SUBSCHEMAS) {
    return [{ path: [], message: `applies more than ${MAX_EXPANDED_SUBSCHEMAS} subschemas once its $refs are followed` }]
  }
  return []
}

/** A `$ref` chain that comes back to where it started. */
class ReferenceCycle extends Error {
  constructor(readonly chain: string[]) {
    super(`$ref cycle: ${chain.join(' → ')}`)
  }
}

/** The `$ref`s in a dereferenced schema that lead to no schema in it, with their paths. */
function unresolvedReferences(node: unknown, lookup: Record<string, unknown>, path: (string | number)[] = []): ValidationIssue[] {
  if (node === null || typeof node !== 'object') return []
  const { $ref, __absolute_ref__: target } = node as { $ref?: unknown; __absolute_ref__?: string }
  const here =
    target !== undefined && lookup[target] === undefined
      ? [{ path: [...path, '$ref'], message: `"${String($ref)}" leads to no schema in this one` }]
      : []
  const below = Object.entries(node).flatMap(([key, child]) =>
    unresolvedReferences(child, lookup, [...path, Array.isArray(node) ? Number(key) : key]),
  )
  return [...here, ...below]
}

/**
 * Why `schema` cannot check proposals: it is not a 2020-12 schema the validator applies in full, or
 * a reference in it leads nowhere (remote schemas are never fetched). Empty when it is usable.
 */
export function unusableSchemaIssues(schema: unknown): ValidationIssue[] {
  try {
    const { valid, errors } = metaValidator().validate(schema)
    if (!valid) return issuesOf(errors, schema)
    const costly = costlySchemaIssues(schema as JsonSchema)
    if (costly.length > 0) return costly
    const copy = structuredClone(schema) as JsonSchema
    return unresolvedReferences(copy, dereference(copy))
  } catch (error) {
    return [{ path: [], message: `is not usable: ${error instanceof Error ? error.message : String(error)}` }]
  }
}

/** Whether two JSON values are equal, whatever the order of their keys. */
export const sameJson = (a: unknown, b: unknown): boolean => deepCompareStrict(a, b)
