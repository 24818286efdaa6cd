import { z } from 'zod'
import type { ValidationIssue } from '../errors.js'
import { IdentifierSchema, ParticipantSchema } from './actor.js'
import { boundedJsonSchema, JsonValueSchema, withoutUndefined } from './json.js'
import { jsonSchemaIssues } from './json-schema.js'
import { lazily, lazyShape } from './lazily.js'
import { LIMITS } from './limits.js'
import { characterCount, issuesForSelection, type Spec } from './spec.js'

/** A string of at most `max` characters, counted as JSON Schema's `maxLength` counts them (code points). */
export const textWithin = (max: number) =>
  z.string().refine((text) => isWithin(text, max), { message: `must be at most ${max} characters` })

// A text has no more code points than UTF-16 units: only a longer one needs counting.
const isWithin = (text: string, max: number) => text.length <= max || characterCount(text) <= max

/** Why a rejection was given: one of the spec's `reject_reasons` by its `value`, free `text`, or both. */
export const RejectionReasonSchema = lazily(() =>
  z
    .strictObject({ value: IdentifierSchema.optional(), text: textWithin(LIMITS.comment).min(1, 'must not be empty').optional() })
    .refine((reason) => reason.value !== undefined || reason.text !== undefined, 'must have a value or a text'),
)
/** Why a rejection was given: a listed reason, free text, or both. */
export type RejectionReason = z.infer<ReturnType<typeof RejectionReasonSchema>>

/**
 * The answer to a `confirm` spec: an approval, which may carry an edit of the spec's proposal, or a
 * rejection, which may carry its reason.
 */
export const ConfirmValueSchema = z.discriminatedUnion('confirmed', [
  z.strictObject(lazyShape({ confirmed: () => z.literal(true), edited: () => JsonValueSchema().optional() })),
  z.strictObject(lazyShape({ confirmed: () => z.literal(false), reason: () => RejectionReasonSchema().optional() })),
])
/** The answer to a `confirm` spec: an approval (maybe with an edit) or a rejection (maybe with a reason). */
export type ConfirmValue = z.infer<typeof ConfirmValueSchema>
/** The answer to a `select` spec. */
export const SelectValueSchema = z.strictObject(lazyShape({ value: () => z.string() }))
/** The answer to a `multi_select` spec. */
export const MultiSelectValueSchema = z.strictObject(lazyShape({ values: () => z.array(z.string()).max(LIMITS.options) }))
/** The answer to an `input` spec. */
export const InputValueSchema = z.strictObject(lazyShape({ text: () => textWithin(LIMITS.text) }))

/** Any response value; which one fits is decided by the interaction's spec. */
export const ResponseValueSchema = z.union([ConfirmValueSchema, SelectValueSchema, MultiSelectValueSchema, InputValueSchema])
/** Any response value; the interaction's spec decides which fits. */
export type ResponseValue = z.infer<typeof ResponseValueSchema>

/** What a caller sends to respond. The value's fit with the spec is checked against the stored interaction. */
export const RespondInputSchema = z.strictObject(
  lazyShape({
    actor: () => ParticipantSchema,
    // Without its undefined keys, which JSON drops: every store then records the same value, and every reader sees it.
    value: () => z.record(z.string(), z.unknown()).transform(withoutUndefined),
    comment: () => z.string().max(LIMITS.comment).optional(),
  }),
)
/** What a caller sends to respond. */
export type RespondInput = z.input<typeof RespondInputSchema>

/** What a caller sends to cancel a pending interaction. */
export const CancelInputSchema = z.strictObject(
  lazyShape({
    actor: () => ParticipantSchema,
    reason: () => z.string().max(LIMITS.comment).optional(),
  }),
)
/** What a caller sends to cancel a pending interaction. */
export type CancelInput = z.input<typeof CancelInputSchema>

/** One recorded response. */
export const InteractionResponseSchema = z.strictObject(
  lazyShape({
    actor: () => ParticipantSchema,
    value: () => ResponseValueSchema,
    comment: () => z.string().optional(),
    responded_at: () => z.iso.datetime(),
  }),
)
/** One recorded response. */
export type InteractionResponse = z.infer<typeof InteractionResponseSchema>

/**
 * Problems with a `confirm` answer beyond its shape: an edit only with an approval, of the spec's
 * proposal, satisfying its schema, and by a single decider (`editable`); a reason only with a rejection,
 * from the spec's list, and present when the spec requires one.
 */
function confirmIssues(spec: Extract<Spec, { mode: 'confirm' }>, editable: boolean, value: Record<string, unknown>) {
  const issues: { path: (string | number)[]; message: string }[] = []
  const reason = value.reason as RejectionReason | undefined
  if (value.edited !== undefined) {
    if (value.confirmed !== true) {
      issues.push({ path: ['edited'], message: 'applies only to an approval (confirmed: true): a rejection runs nothing' })
    } else if (!spec.proposal) {
      issues.push({ path: ['edited'], message: 'the spec has no proposal to edit' })
    } else if (!editable) {
      const message = 'an edit needs a single decider: with several responses deciding (all_members, quorum), approve the proposal as it is'
      issues.push({ path: ['edited'], message })
    } else {
      for (const { path, message } of jsonSchemaIssues(spec.proposal.schema, value.edited)) {
        issues.push({ path: ['edited', ...path], message })
      }
    }
  }
  if (value.confirmed === true && reason !== undefined) {
    issues.push({ path: ['reason'], message: 'applies only to a rejection (confirmed: false)' })
  }
  if (value.confirmed === false && reason === undefined && spec.require_reason === true) {
    issues.push({ path: ['reason'], message: 'is required: the spec sets require_reason' })
  }
  if (value.confirmed === false && reason?.value !== undefined) {
    const allowed = spec.reject_reasons?.map((r) => r.value)
    const message = allowed ? `must be one of: ${allowed.join(', ')}` : 'the spec lists no reject_reasons: give a text'
    if (!allowed?.includes(reason.value)) issues.push({ path: ['reason', 'value'], message })
  }
  return issues
}

/** The shape of an answer to each mode, built once: building a zod schema costs many times what a parse does. */
const shapes = lazily(() => ({
  // A `confirm` answer's fields, each checked alone; confirmIssues checks how they fit together.
  confirm: z.strictObject({
    confirmed: z.boolean(),
    edited: boundedJsonSchema(LIMITS.proposalBytes).optional(),
    reason: RejectionReasonSchema().optional(),
  }),
  select: SelectValueSchema,
  multi_select: MultiSelectValueSchema,
  input: z.strictObject({ text: z.string() }),
}))

/** What the spec asks of an answer whose fields have the right types: plain checks, so no schema is built per spec. */
function specIssues(spec: Spec, editable: boolean, value: Record<string, unknown>, shapeIsValid: boolean): ValidationIssue[] {
  switch (spec.mode) {
    case 'confirm':
      return shapeIsValid ? confirmIssues(spec, editable, value) : []
    case 'select': {
      const values = spec.options.map((o) => o.value)
      const fits = typeof value.value !== 'string' || values.includes(value.value)
      return fits ? [] : [{ path: ['value'], message: `must be one of: ${values.join(', ')}` }]
    }
    case 'multi_select': {
      if (!shapeIsValid) return []
      const { options, min_selections: min = 0, max_selections: max = options.length } = spec
      const allowed = new Set(options.map((o) => o.value))
      return issuesForSelection(value.values as string[], allowed, min, max).map((issue) => ({ ...issue, path: ['values', ...issue.path] }))
    }
    case 'input': {
      const max = spec.max_length ?? LIMITS.text
      const fits = typeof value.text !== 'string' || isWithin(value.text, max)
      return fits ? [] : [{ path: ['text'], message: `must be at most ${max} characters` }]
    }
  }
}

/**
 * What is wrong with a response value for the given spec; none when it fits. `editable` says whether
 * one response decides the interaction, so that an approval may carry an edit of the proposal. A
 * field's own rule comes before the object's (unknown keys), as zod orders them.
 */
export function responseValueIssues(
  spec: Spec,
  { editable }: { editable: boolean },
  value: unknown,
): (z.core.$ZodIssue | ValidationIssue)[] {
  const shape = shapes()[spec.mode].safeParse(value)
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  const own = fields ? specIssues(spec, editable, fields, shape.success) : []
  return [...own, ...(shape.error?.issues ?? [])]
}

/** The schema a response value must satisfy for the given spec: {@link responseValueIssues} as a zod schema. */
export function responseValueSchemaFor(forSpec: Spec, options: { editable: boolean }): z.ZodType<ResponseValue> {
  return z.unknown().superRefine((value, ctx) => {
    for (const { path, message } of responseValueIssues(forSpec, options, value)) ctx.addIssue({ code: 'custom', path, message })
  }) as z.ZodType<unknown> as z.ZodType<ResponseValue>
}
