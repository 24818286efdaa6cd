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

/** An approval, with the proposal's own schema for an edit of it, or a rejection with its reason. */
function confirmJsonSchema(spec: Extract<Spec, { mode: 'confirm' }>, editable: boolean): JsonSchema {
  const edited =
    spec.proposal && editable
      ? {
          // Its own resource, so the references inside the proposal's schema resolve against it.
          edited: {
            $id: 'urn:hitl:proposal',
            description: 'The proposal as changed; leave out to approve it as it is',
            ...spec.proposal.schema,
          },
        }
      : undefined
  const reason: JsonSchema = {
    type: 'object',
    description: 'Why it is rejected',
    properties: {
      ...(spec.reject_reasons && { value: oneOfValues(spec.reject_reasons, 'One of the reasons') }),
      text: { type: 'string', minLength: 1, maxLength: LIMITS.comment, description: 'In your own words' },
    },
    minProperties: 1,
    additionalProperties: false,
  }
  return {
    type: 'object',
    anyOf: [
      closed({ confirmed: { const: true }, ...edited }, ['confirmed'], 'Approve'),
      closed({ confirmed: { const: false }, reason }, spec.require_reason ? ['confirmed', 'reason'] : ['confirmed'], 'Reject'),
    ],
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
