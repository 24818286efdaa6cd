import { z } from 'zod'
import { CreateInteractionInputSchema } from './interaction.js'
import { JSON_SCHEMA_DIALECT, type JsonSchema } from './json-schema.js'
import { LIMITS } from './limits.js'
import type { Spec, SpecOption } from './spec.js'

/** A closed object: these properties, these required, nothing else. */
const closed = (properties: Record<string, JsonSchema>, required: string[], description?: string): JsonSchema => ({
  type: 'object',
  ...(description && { description }),
  properties,
  required,
  additionalProperties: false,
})

/** One of the values of `options`, with their labels in the description for a reader that is a model. */
const oneOfValues = (options: SpecOption[], description: string): JsonSchema => ({
  type: 'string',
  enum: options.map((option) => option.value),
  description: `${description}: ${options.map((option) => `"${option.value}" (${option.label})`).join(', ')}`,
})

/**
 * An approval, with the proposal's own schema for an edit of it, or a rejection with its reason. One
 * flat object whose root `if` tells them apart: OpenAI and Anthropic refuse a tool whose input
 * schema has `anyOf`, `oneOf`, `allOf`, `enum` or `not` at its root.
 */
function confirmJsonSchema(spec: Extract<Spec, { mode: 'confirm' }>, editable: boolean): JsonSchema {
  const edited =
    spec.proposal && editable
      ? {
          // Its own resource, so the references inside the proposal's schema resolve against it.
          edited: {
            $id: 'urn:hitl:proposal',
            description: 'Only with confirmed: true. The proposal as changed; leave out to approve it as it is',
            ...spec.proposal.schema,
          },
        }
      : undefined
  const reason: JsonSchema = {
    type: 'object',
    description: `Only with confirmed: false. Why it is rejected${spec.require_reason ? ' (required)' : ''}`,
    properties: {
      ...(spec.reject_reasons && { value: oneOfValues(spec.reject_reasons, 'One of the reasons') }),
      text: { type: 'string', minLength: 1, maxLength: LIMITS.comment, description: 'In your own words' },
    },
    minProperties: 1,
    additionalProperties: false,
  }
  const confirmed: JsonSchema = { type: 'boolean', description: 'true to approve, false to reject' }
  return {
    ...closed({ confirmed, ...edited, reason }, ['confirmed']),
    if: { properties: { confirmed: { const: false } } },
    // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, never awaited
    then: { properties: { edited: false }, ...(spec.require_reason && { required: ['reason'] }) },
    else: { properties: { reason: false } },
  }
}

/**
 * The JSON Schema (draft 2020-12) of the response values a spec accepts, as {@link responseValueSchemaFor}
 * checks them: `editable` when one response decides, so an approval may carry an edit.
 */
export function responseJsonSchemaFor(spec: Spec, { editable }: { editable: boolean }): JsonSchema {
  const schema = ((): JsonSchema => {
    switch (spec.mode) {
      case 'confirm':
        return confirmJsonSchema(spec, editable)
      case 'select':
        return closed({ value: oneOfValues(spec.options, 'The chosen option') }, ['value'])
      case 'multi_select': {
        const values: JsonSchema = {
          type: 'array',
          items: oneOfValues(spec.options, 'A chosen option'),
          uniqueItems: true,
          minItems: spec.min_selections ?? 0,
          maxItems: spec.max_selections ?? spec.options.length,
        }
        return closed({ values }, ['values'])
      }
      case 'input':
        return closed({ text: { type: 'string', maxLength: spec.max_length ?? LIMITS.text } }, ['text'])
    }
  })()
  return { $schema: JSON_SCHEMA_DIALECT, ...schema }
}

let createInput: JsonSchema | undefined

/**
 * The JSON Schema (draft 2020-12) of the body `create` takes, from its zod schema: every field and
 * its limits. The rules across fields (the spec mode that fits the type, a run link's two halves…)
 * and the proposal's own schema are checked by `create` alone.
 *
 * @example
 * import { createInputJsonSchema } from '@hitl/interactions'
 *
 * const tool = { name: 'request_interaction', inputSchema: createInputJsonSchema() }
 */
export function createInputJsonSchema(): JsonSchema {
  // Built on first use, and a copy each time, so a caller that changes its copy changes no other.
  createInput ??= z.toJSONSchema(CreateInteractionInputSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema
  return structuredClone(createInput)
}
