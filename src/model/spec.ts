import { z } from 'zod'
import { IdentifierSchema } from './actor.js'
import { boundedJsonSchema } from './json.js'
import { jsonSchemaIssues, unusableSchemaIssues, type JsonSchema } from './json-schema.js'
import { lazily, lazyShape } from './lazily.js'
import { LIMITS } from './limits.js'

/** A text's length in characters (Unicode code points), as JSON Schema's `maxLength` counts it. */
export const characterCount = (text: string): number => {
  let count = 0
  for (const _ of text) count++
  return count
}

/** One choice of a `select` or `multi_select` spec. */
export const SpecOptionSchema = z.strictObject(
  lazyShape({
    value: () => IdentifierSchema,
    label: () => z.string().trim().min(1, 'must not be empty').max(LIMITS.optionLabel),
    description: () => z.string().max(LIMITS.optionDescription).optional(),
  }),
)
/** One choice of a `select` or `multi_select` spec. */
export type SpecOption = z.infer<typeof SpecOptionSchema>

const OptionsSchema = lazily(() =>
  z
    .array(SpecOptionSchema)
    .min(1, 'must have at least one option')
    .max(LIMITS.options)
    .superRefine((options, ctx) => {
      const seen = new Set<string>()
      options.forEach((option, index) => {
        if (seen.has(option.value)) {
          ctx.addIssue({ code: 'custom', path: [index, 'value'], message: `duplicate option value "${option.value}"` })
        }
        seen.add(option.value)
      })
    }),
)

/** The JSON Schema an edit of a proposal must satisfy: an object in the draft 2020-12 dialect. */
const ProposalSchemaSchema = () =>
  boundedJsonSchema(LIMITS.proposalSchemaBytes)
    .pipe(z.record(z.string(), z.json()))
    // An unusable schema cannot check the proposal: its problems end the check (`continue: false`).
    .superRefine((schema, ctx) => {
      for (const issue of unusableSchemaIssues(schema)) ctx.addIssue({ code: 'custom', ...issue, continue: false })
    })
    .transform((schema) => schema as JsonSchema & Record<string, z.core.util.JSONType>)
    .meta({ type: 'object', description: 'A JSON Schema (draft 2020-12) that the proposal, and any edit of it, satisfies' })

/**
 * What a run proposes to do (a tool call's arguments, say) and the JSON Schema that it, and any
 * edit of it an approver makes, must satisfy.
 */
const ProposalSchema = () =>
  z.strictObject({ value: boundedJsonSchema(LIMITS.proposalBytes), schema: ProposalSchemaSchema() }).superRefine((proposal, ctx) => {
    // A value or schema that broke its own limits (nesting, size) is never run through the validator, which recurses.
    if (ctx.issues.length > 0) return
    for (const { path, message } of jsonSchemaIssues(proposal.schema, proposal.value)) {
      ctx.addIssue({ code: 'custom', path: ['value', ...path], message })
    }
  })
/** What a run proposes to do, with the JSON Schema any edit of it must satisfy. */
export type Proposal = z.infer<ReturnType<typeof ProposalSchema>>

/**
 * A yes/no confirmation; the only mode for approvals. It may carry a `proposal` the approver can
 * edit before approving, and the `reject_reasons` a rejection chooses from (`require_reason`: one
 * must be given).
 */
export const ConfirmSpecSchema = z.strictObject(
  lazyShape({
    mode: () => z.literal('confirm'),
    default_confirmed: () => z.boolean().optional(),
    proposal: () => ProposalSchema().optional(),
    reject_reasons: () => OptionsSchema().optional(),
    require_reason: () => z.boolean().optional(),
  }),
)

/** Exactly one of a list of options. */
export const SelectSpecSchema = z
  .strictObject(
    lazyShape({
      mode: () => z.literal('select'),
      options: OptionsSchema,
      default_value: () => IdentifierSchema.optional(),
    }),
  )
  .superRefine((spec, ctx) => {
    if (spec.default_value !== undefined && !spec.options.some((o) => o.value === spec.default_value)) {
      ctx.addIssue({ code: 'custom', path: ['default_value'], message: `"${spec.default_value}" is not one of the option values` })
    }
  })

/** Any number of a list of options, within optional bounds. */
export const MultiSelectSpecSchema = z
  .strictObject(
    lazyShape({
      mode: () => z.literal('multi_select'),
      options: OptionsSchema,
      default_values: () => z.array(IdentifierSchema).optional(),
      min_selections: () => z.int().min(0).optional(),
      max_selections: () => z.int().min(1).optional(),
    }),
  )
  .superRefine((spec, ctx) => {
    const values = new Set(spec.options.map((o) => o.value))
    const { min_selections: min = 0, max_selections: max = spec.options.length } = spec
    if (spec.min_selections !== undefined && min > spec.options.length) {
      ctx.addIssue({ code: 'custom', path: ['min_selections'], message: `must not exceed the number of options (${spec.options.length})` })
    }
    if (spec.max_selections !== undefined && max > spec.options.length) {
      ctx.addIssue({ code: 'custom', path: ['max_selections'], message: `must not exceed the number of options (${spec.options.length})` })
    }
    if (min > max) {
      ctx.addIssue({ code: 'custom', path: ['min_selections'], message: `must not exceed max_selections (${max})` })
    }
    if (spec.default_values !== undefined) {
      for (const issue of issuesForSelection(spec.default_values, values, min, max)) {
        ctx.addIssue({ code: 'custom', path: ['default_values', ...issue.path], message: issue.message })
      }
    }
  })

/** Free-form text. */
export const InputSpecSchema = z
  .strictObject(
    lazyShape({
      mode: () => z.literal('input'),
      default_text: () => z.string().max(LIMITS.text).optional(),
      placeholder: () => z.string().max(LIMITS.placeholder).optional(),
      multiline: () => z.boolean().optional(),
      max_length: () => z.int().min(1).max(LIMITS.text).optional(),
    }),
  )
  .superRefine((spec, ctx) => {
    if (spec.default_text !== undefined && spec.max_length !== undefined && characterCount(spec.default_text) > spec.max_length) {
      ctx.addIssue({ code: 'custom', path: ['default_text'], message: `must be at most max_length (${spec.max_length}) characters` })
    }
  })

/** The rendering contract for the UI, discriminated by `mode`. */
export const SpecSchema = z.discriminatedUnion('mode', [ConfirmSpecSchema, SelectSpecSchema, MultiSelectSpecSchema, InputSpecSchema])
/** The rendering contract for the UI, discriminated by `mode`. */
export type Spec = z.infer<typeof SpecSchema>
/** The name of a spec mode. */
export type SpecMode = Spec['mode']

/** The interaction types and the spec modes each allows. */
export const MODES_BY_TYPE = {
  approval: ['confirm'],
  review: ['select'],
  input: ['select', 'multi_select', 'input'],
} as const satisfies Record<string, readonly SpecMode[]>
/** The kind of request: an approval, a review or an input. */
export type InteractionType = keyof typeof MODES_BY_TYPE

/** Problems with a multi-select choice: unknown or repeated values, or a count out of bounds. */
export function issuesForSelection(selected: readonly string[], allowed: ReadonlySet<string>, min: number, max: number) {
  const issues: { path: number[]; message: string }[] = []
  const seen = new Set<string>()
  selected.forEach((value, index) => {
    if (!allowed.has(value)) issues.push({ path: [index], message: `"${value}" is not one of the option values` })
    else if (seen.has(value)) issues.push({ path: [index], message: `"${value}" is selected twice` })
    seen.add(value)
  })
  if (selected.length < min) issues.push({ path: [], message: `must select at least ${min} (got ${selected.length})` })
  if (selected.length > max) issues.push({ path: [], message: `must select at most ${max} (got ${selected.length})` })
  return issues
}
