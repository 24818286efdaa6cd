import { z } from 'zod'
import { IdentifierSchema, ParticipantSchema } from './actor.js'
import { boundedJsonSchema, JsonValueSchema } from './json.js'
import { jsonSchemaIssues } from './json-schema.js'
import { LIMITS } from './limits.js'
import { characterCount, issuesForSelection, type Spec } from './spec.js'

/** A string of at most `max` characters, counted as JSON Schema's `maxLength` counts them (code points). */
export const textWithin = (max: number) =>
  z.string().refine((text) => isWithin(text, max), { message: `must be at most ${max} characters` })

// A text has no more code points than UTF-16 units: only a longer one needs counting.
const isWithin = (text: string, max: number) => text.length <= max || characterCount(text) <= max

/** Why a rejection was given: one of the spec's `reject_reasons` by its `value`, free `text`, or both. */
export const RejectionReasonSchema = z
  .strictObject({ value: IdentifierSchema.optional(), text: textWithin(LIMITS.comment).min(1, 'must not be empty').optional() })
  .refine((reason) => reason.value !== undefined || reason.text !== undefined, 'must have a value or a text')
/** Why a rejection was given: a listed reason, free text, or both. */
export type RejectionReason = z.infer<typeof RejectionReasonSchema>

/**
 * The answer to a `confirm` spec: an approval, which may carry an edit of the spec's proposal, or a
 * rejection, which may carry its reason.
 */
export const ConfirmValueSchema = z.discriminatedUnion('confirmed', [
  z.strictObject({ confirmed: z.literal(true), edited: JsonValueSchema.optional() }),
  z.strictObject({ confirmed: z.literal(false), reason: RejectionReasonSchema.optional() }),
])
/** The answer to a `confirm` spec: an approval (maybe with an edit) or a rejection (maybe with a reason). */
export type ConfirmValue = z.infer<typeof ConfirmValueSchema>
/** The answer to a `select` spec. */
export const SelectValueSchema = z.strictObject({ value: z.string() })
/** The answer to a `multi_select` spec. */
export const MultiSelectValueSchema = z.strictObject({ values: z.array(z.string()).max(LIMITS.options) })
/** The answer to an `input` spec. */
export const InputValueSchema = z.strictObject({ text: textWithin(LIMITS.text) })

/** Any response value; which one fits is decided by the interaction's spec. */
export const ResponseValueSchema = z.union([ConfirmValueSchema, SelectValueSchema, MultiSelectValueSchema, InputValueSchema])
/** Any response value; the interaction's spec decides which fits. */
export type ResponseValue = z.infer<typeof ResponseValueSchema>

/** The value without its keys set to `undefined`, which JSON drops: every store then records the same value, and every reader sees it. */
const withoutUndefinedKeys = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined))

/** What a caller sends to respond. The value's fit with the spec is checked against the stored interaction. */
export const RespondInputSchema = z.strictObject({
  actor: ParticipantSchema,
  value: z.record(z.string(), z.unknown()).transform(withoutUndefinedKeys),
  comment: z.string().max(LIMITS.comment).optional(),
})
/** What a caller sends to respond. */
export type RespondInput = z.input<typeof RespondInputSchema>

/** What a caller sends to cancel a pending interaction. */
export const CancelInputSchema = z.strictObject({
  actor: ParticipantSchema,
  reason: z.string().max(LIMITS.comment).optional(),
})
/** What a caller sends to cancel a pending interaction. */
export type CancelInput = z.input<typeof CancelInputSchema>

/** One recorded response. */
export const InteractionResponseSchema = z.strictObject({
  actor: ParticipantSchema,
  value: ResponseValueSchema,
  comment: z.string().optional(),
  responded_at: z.iso.datetime(),
})
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

/** A `confirm` answer's fields, each checked alone; {@link confirmIssues} checks how they fit together. */
const ConfirmFieldsSchema = z.strictObject({
  confirmed: z.boolean(),
  edited: boundedJsonSchema(LIMITS.proposalBytes).optional(),
  reason: RejectionReasonSchema.optional(),
})

/** The spec a response value is checked against; set only while {@link responseValueIssues} runs. */
let checking: { spec: Spec; editable: boolean } | undefined
const spec = <Mode extends Spec['mode']>(_mode: Mode) => checking!.spec as Extract<Spec, { mode: Mode }>

let schemasByMode: Record<Spec['mode'], z.ZodType> | undefined
/**
 * One schema per mode, built on first use, whose rules read the spec being checked: building a zod
 * schema, and its first parse, cost many times what a parse does, far too much to pay per response.
 */
const schemaOf = (mode: Spec['mode']) =>
  (schemasByMode ??= {
    confirm: ConfirmFieldsSchema.superRefine((value, ctx) => {
      for (const issue of confirmIssues(spec('confirm'), checking!.editable, value)) ctx.addIssue({ code: 'custom', ...issue })
    }),
    select: z.strictObject({
      value: z.string().superRefine((value, ctx) => {
        const values = spec('select').options.map((o) => o.value)
        if (!values.includes(value)) ctx.addIssue({ code: 'custom', message: `must be one of: ${values.join(', ')}` })
      }),
    }),
    multi_select: MultiSelectValueSchema.superRefine(({ values }, ctx) => {
      const { options, min_selections: min = 0, max_selections: max = options.length } = spec('multi_select')
      for (const issue of issuesForSelection(values, new Set(options.map((o) => o.value)), min, max)) {
        ctx.addIssue({ code: 'custom', path: ['values', ...issue.path], message: issue.message })
      }
    }),
    input: z.strictObject({
      text: z.string().superRefine((text, ctx) => {
        const max = spec('input').max_length ?? LIMITS.text
        if (!isWithin(text, max)) ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` })
      }),
    }),
  })[mode]

/**
 * What is wrong with a response value for the given spec; none when it fits. `editable` says whether
 * one response decides the interaction, so that an approval may carry an edit of the proposal.
 */
export function responseValueIssues(forSpec: Spec, { editable }: { editable: boolean }, value: unknown): readonly z.core.$ZodIssue[] {
  checking = { spec: forSpec, editable }
  try {
    return schemaOf(forSpec.mode).safeParse(value).error?.issues ?? []
  } finally {
    checking = undefined
  }
}

/** The schema a response value must satisfy for the given spec: {@link responseValueIssues} as a zod schema. */
export function responseValueSchemaFor(forSpec: Spec, options: { editable: boolean }): z.ZodType<ResponseValue> {
  return z.unknown().superRefine((value, ctx) => {
    for (const { path, message } of responseValueIssues(forSpec, options, value)) ctx.addIssue({ code: 'custom', path, message })
  }) as z.ZodType<unknown> as z.ZodType<ResponseValue>
}
