import { deepCompareStrict, dereference, Validator, type Schema } from '@cfworker/json-schema'
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

const TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']
const schema = { $ref: '#/$defs/schema' }
const schemaMap = { type: 'object', additionalProperties: schema }
const schemaList = { type: 'array', minItems: 1, items: schema }
const count = { type: 'integer', minimum: 0 }
const regex = { type: 'string', format: 'regex' }

/**
 * What a proposal's schema may be: the 2020-12 keywords the validator applies, each of the right
 * kind. Dynamic references are refused, since the validator would ignore them and accept too much;
 * other unknown keywords are annotations, as the draft says.
 */
const META_SCHEMA: JsonSchema = {
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
const metaValidator = lazily(() => new Validator(META_SCHEMA, '2020-12', false))

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

// The validator's words for "a part below failed" and for a property or item the schema forbids.
const SUMMARY = 'A subschema had errors.'
const FALSE_SCHEMA = 'False boolean schema.'

/**
 * The problems the validator reports, deepest first: a failure that only says a property or an item
 * below it failed is left out when that failure is reported too.
 */
function issuesOf(errors: { instanceLocation: string; error: string }[], instance: unknown): ValidationIssue[] {
  const deepest = errors.filter(({ instanceLocation: at }) => !errors.some((other) => other.instanceLocation.startsWith(`${at}/`)))
  const seen = new Set<string>()
  return deepest
    .filter(
      ({ instanceLocation: at, error }) =>
        !(error === SUMMARY && deepest.some((other) => other.instanceLocation === at && other.error !== SUMMARY)),
    )
    .map(({ instanceLocation, error }) => ({
      path: pathOf(instanceLocation, instance),
      message: error === FALSE_SCHEMA ? 'is not allowed here' : error,
    }))
    .filter(({ path, message }) => !seen.has(`${path.join('/')} ${message}`) && seen.add(`${path.join('/')} ${message}`))
}

/** Where `instance` breaks `schema`, each with its path inside `instance`; empty when it satisfies it. */
export function jsonSchemaIssues(schema: JsonSchema | boolean, instance: unknown): ValidationIssue[] {
  // The validator marks the schema it is given with resolved references: the stored one stays as it was.
  const { valid, errors } = new Validator(structuredClone(schema), '2020-12', false).validate(instance)
  return valid ? [] : issuesOf(errors, instance)
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
  const { valid, errors } = metaValidator().validate(schema)
  if (!valid) return issuesOf(errors, schema)
  const copy = structuredClone(schema) as JsonSchema
  try {
    return unresolvedReferences(copy, dereference(copy))
  } catch (error) {
    return [{ path: [], message: `is not usable: ${error instanceof Error ? error.message : String(error)}` }]
  }
}

/** Whether two JSON values are equal, whatever the order of their keys. */
export const sameJson = (a: unknown, b: unknown): boolean => deepCompareStrict(a, b)
