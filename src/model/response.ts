import { z } from 'zod'
import { ParticipantSchema } from './actor.js'
import { LIMITS } from './limits.js'
import { issuesForSelection, type Spec } from './spec.js'

/** The answer to a `confirm` spec. */
export const ConfirmValueSchema = z.strictObject({ confirmed: z.boolean() })
/** The answer to a `select` spec. */
export const SelectValueSchema = z.strictObject({ value: z.string() })
/** The answer to a `multi_select` spec. */
export const MultiSelectValueSchema = z.strictObject({ values: z.array(z.string()).max(LIMITS.options) })
/** The answer to an `input` spec. */
export const InputValueSchema = z.strictObject({ text: z.string().max(LIMITS.text) })

/** Any response value; which one fits is decided by the interaction's spec. */
export const ResponseValueSchema = z.union([ConfirmValueSchema, SelectValueSchema, MultiSelectValueSchema, InputValueSchema])
export type ResponseValue = z.infer<typeof ResponseValueSchema>

/** What a caller sends to respond. The value's fit with the spec is checked against the stored interaction. */
export const RespondInputSchema = z.strictObject({
  actor: ParticipantSchema,
  value: z.record(z.string(), z.unknown()),
  comment: z.string().max(LIMITS.comment).optional(),
})
export type RespondInput = z.input<typeof RespondInputSchema>

/** What a caller sends to cancel a pending interaction. */
export const CancelInputSchema = z.strictObject({
  actor: ParticipantSchema,
  reason: z.string().max(LIMITS.comment).optional(),
})
export type CancelInput = z.input<typeof CancelInputSchema>

/** One recorded response. */
export const InteractionResponseSchema = z.strictObject({
  actor: ParticipantSchema,
  value: ResponseValueSchema,
  comment: z.string().optional(),
  responded_at: z.iso.datetime(),
})
export type InteractionResponse = z.infer<typeof InteractionResponseSchema>

/** The schema a response value must satisfy for the given spec. */
export function responseValueSchemaFor(spec: Spec): z.ZodType<ResponseValue> {
  switch (spec.mode) {
    case 'confirm':
      return ConfirmValueSchema
    case 'select': {
      const values = spec.options.map((o) => o.value)
      return z.strictObject({
        value: z.string().refine((v) => values.includes(v), { message: `must be one of: ${values.join(', ')}` }),
      })
    }
    case 'multi_select': {
      const allowed = new Set(spec.options.map((o) => o.value))
      const min = spec.min_selections ?? 0
      const max = spec.max_selections ?? spec.options.length
      return MultiSelectValueSchema.superRefine(({ values }, ctx) => {
        issuesForSelection(values, allowed, min, max).forEach((issue) =>
          ctx.addIssue({ code: 'custom', path: ['values', ...issue.path], message: issue.message }),
        )
      })
    }
    case 'input': {
      const max = spec.max_length ?? LIMITS.text
      return z.strictObject({ text: z.string().max(max, `must be at most ${max} characters`) })
    }
  }
}
