import { z } from 'zod'
import { IdentifierSchema } from './actor.js'
import { LIMITS } from './limits.js'

/** One choice of a `select` or `multi_select` spec. */
export const SpecOptionSchema = z.strictObject({
  value: IdentifierSchema,
  label: z.string().trim().min(1, 'must not be empty').max(LIMITS.optionLabel),
  description: z.string().max(LIMITS.optionDescription).optional(),
})
export type SpecOption = z.infer<typeof SpecOptionSchema>

const OptionsSchema = z
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
  })

/** A yes/no confirmation; the only mode for approvals. */
export const ConfirmSpecSchema = z.strictObject({
  mode: z.literal('confirm'),
  default_confirmed: z.boolean().optional(),
})

/** Exactly one of a list of options. */
export const SelectSpecSchema = z
  .strictObject({
    mode: z.literal('select'),
    options: OptionsSchema,
    default_value: IdentifierSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.default_value !== undefined && !spec.options.some((o) => o.value === spec.default_value)) {
      ctx.addIssue({ code: 'custom', path: ['default_value'], message: `"${spec.default_value}" is not one of the option values` })
    }
  })

/** Any number of a list of options, within optional bounds. */
export const MultiSelectSpecSchema = z
  .strictObject({
    mode: z.literal('multi_select'),
    options: OptionsSchema,
    default_values: z.array(IdentifierSchema).optional(),
    min_selections: z.int().min(0).optional(),
    max_selections: z.int().min(1).optional(),
  })
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
      issuesForSelection(spec.default_values, values, min, max).forEach((issue) =>
        ctx.addIssue({ code: 'custom', path: ['default_values', ...issue.path], message: issue.message }),
      )
    }
  })

/** Free-form text. */
export const InputSpecSchema = z
  .strictObject({
    mode: z.literal('input'),
    default_text: z.string().max(LIMITS.text).optional(),
    placeholder: z.string().max(LIMITS.placeholder).optional(),
    multiline: z.boolean().optional(),
    max_length: z.int().min(1).max(LIMITS.text).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.default_text !== undefined && spec.max_length !== undefined && spec.default_text.length > spec.max_length) {
      ctx.addIssue({ code: 'custom', path: ['default_text'], message: `must be at most max_length (${spec.max_length}) characters` })
    }
  })

/** The rendering contract for the UI, discriminated by `mode`. */
export const SpecSchema = z.discriminatedUnion('mode', [ConfirmSpecSchema, SelectSpecSchema, MultiSelectSpecSchema, InputSpecSchema])
export type Spec = z.infer<typeof SpecSchema>
export type SpecMode = Spec['mode']

/** The interaction types and the spec modes each allows. */
export const MODES_BY_TYPE = {
  approval: ['confirm'],
  review: ['select'],
  input: ['select', 'multi_select', 'input'],
} as const satisfies Record<string, readonly SpecMode[]>
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
