import { validationError } from '../errors.js'
import type { Participant } from './actor.js'
import type { Interaction } from './interaction.js'
import type { RejectionReason, ResponseValue } from './response.js'
import type { Signal } from './signal.js'
import type { SpecMode } from './spec.js'

/** What the readers accept: a stored interaction, or the signal its run received. */
export type Answered = Interaction | Signal

/** One recorded answer with its value unwrapped: a boolean (confirm), a string (select, input) or strings (multi_select). */
export interface Answer {
  actor: Participant
  value: boolean | string | string[]
  comment?: string
  responded_at: string
}

/** The mode a value answers; the one place that tells the value shapes apart by their key. */
function modeOf(value: ResponseValue): SpecMode {
  if ('confirmed' in value) return 'confirm'
  if ('value' in value) return 'select'
  if ('values' in value) return 'multi_select'
  return 'input'
}

function unwrap(value: ResponseValue): Answer['value'] {
  if ('confirmed' in value) return value.confirmed
  if ('value' in value) return value.value
  if ('values' in value) return [...value.values]
  return value.text
}

/**
 * Refuses a reader for another mode: an interaction says its mode in `spec.mode`; a signal carries
 * no spec, so its answers say it.
 */
function requireMode(reader: string, x: Answered, mode: SpecMode): void {
  const rule = `${reader} reads a "${mode}" answer`
  if ('spec' in x) {
    if (x.spec.mode === mode) return
    throw validationError(`${reader} call`, [{ path: ['spec', 'mode'], message: `${rule} (got "${x.spec.mode}")` }])
  }
  const index = x.responses.findIndex((response) => modeOf(response.value) !== mode)
  if (index >= 0) {
    const got = modeOf(x.responses[index]!.value)
    throw validationError(`${reader} call`, [{ path: ['responses', index, 'value'], message: `${rule} (got a "${got}" answer)` }])
  }
}

/**
 * The value of the one response that completed `x`, or undefined while it is pending or once it
 * expired or was cancelled. All members answering is several decisions, not one: read them with
 * {@link answersOf}.
 */
function decidingValue(reader: string, x: Answered, mode: SpecMode): ResponseValue | undefined {
  requireMode(reader, x, mode)
  if (x.status !== 'completed') return undefined
  if (x.responses.length > 1) {
    const message = `${reader} reads the one deciding answer, and all ${x.responses.length} members answered; read them with answersOf`
    throw validationError(`${reader} call`, [{ path: ['responses'], message }])
  }
  return x.responses[0]?.value
}

/** Refuses a reader of approvals for another type of interaction, as {@link isApproved} does. */
function requireApproval(reader: string, x: Answered): void {
  if ('spec' in x && x.type !== 'approval') {
    throw validationError(`${reader} call`, [{ path: ['type'], message: `${reader} reads an approval (got "${x.type}")` }])
  }
  requireMode(reader, x, 'confirm')
}

/**
 * Whether a completed approval was approved, by its routing policy's rule (for all members, every
 * one confirmed). False while pending, when rejected, and once expired or cancelled.
 *
 * @example
 * import { isApproved } from '@hitl/interactions'
 *
 * const deploy = isApproved(signal) ? 'deploy' : 'stop'
 */
export function isApproved(x: Answered): boolean {
  requireApproval('isApproved', x)
  return x.outcome === 'approved'
}

/**
 * What an approval with a proposal approved: the approver's edit, or the proposal unchanged. What
 * the run executes; undefined unless it was approved and its spec has a proposal.
 *
 * @example
 * import { approvedValue, isApproved } from '@hitl/interactions'
 *
 * if (isApproved(signal)) await sendEmail(approvedValue(signal) as Email)
 */
export function approvedValue(x: Answered): Interaction['approved_value'] {
  requireApproval('approvedValue', x)
  return x.outcome === 'approved' ? x.approved_value : undefined
}

/**
 * The reason a rejected approval was given, `{ value?, text? }`, or undefined when it has none (not
 * rejected, or rejected without a reason).
 *
 * @example
 * import { rejectionReason } from '@hitl/interactions'
 *
 * const why = rejectionReason(signal)?.text ?? 'no reason given'
 */
export function rejectionReason(x: Answered): RejectionReason | undefined {
  requireApproval('rejectionReason', x)
  return x.outcome === 'rejected' ? x.rejection_reason : undefined
}

/**
 * The option chosen in a completed `select` interaction, or undefined while pending or once it
 * expired or was cancelled. Throws `validation_failed` for another mode, or when all members each chose one.
 *
 * @example
 * import { selectedValue } from '@hitl/interactions'
 *
 * const region = selectedValue(signal) ?? 'eu-west-1'
 */
export function selectedValue(x: Answered): string | undefined {
  const value = decidingValue('selectedValue', x, 'select')
  return value && 'value' in value ? value.value : undefined
}

/**
 * The options chosen in a completed `multi_select` interaction, or undefined while pending or
 * once it expired or was cancelled. Throws `validation_failed` for another mode, or when all members each chose.
 *
 * @example
 * import { selectedValues } from '@hitl/interactions'
 *
 * const checks = selectedValues(signal) ?? []
 */
export function selectedValues(x: Answered): string[] | undefined {
  const value = decidingValue('selectedValues', x, 'multi_select')
  return value && 'values' in value ? [...value.values] : undefined
}

/**
 * The text given in a completed `input` interaction, or undefined while pending or once it
 * expired or was cancelled. Throws `validation_failed` for another mode, or when all members each wrote one.
 *
 * @example
 * import { inputText } from '@hitl/interactions'
 *
 * const notes = inputText(signal) ?? ''
 */
export function inputText(x: Answered): string | undefined {
  const value = decidingValue('inputText', x, 'input')
  return value && 'text' in value ? value.text : undefined
}

/**
 * Every response recorded so far, in the order they came, with the value unwrapped: how to read an
 * all-members interaction, where each member answers. Works for every mode and status.
 *
 * @example
 * import { answersOf } from '@hitl/interactions'
 *
 * const refusedBy = answersOf(signal).filter((answer) => answer.value === false).map((answer) => answer.actor.id)
 */
export function answersOf(x: Answered): Answer[] {
  return x.responses.map((response) => ({
    actor: response.actor,
    value: unwrap(response.value),
    ...(response.comment === undefined ? {} : { comment: response.comment }),
    responded_at: response.responded_at,
  }))
}

/**
 * The spec's default that an expired interaction offers in place of an answer, unwrapped like
 * {@link answersOf}'s values; undefined when it has none (no default, or it did not expire). The other
 * readers never read it: a timeout is not an answer, and whether to act on the default is the run's decision.
 *
 * @example
 * import { fallbackOf, isApproved } from '@hitl/interactions'
 *
 * const deploy = isApproved(signal) || (signal.status === 'expired' && fallbackOf(signal) === true)
 */
export function fallbackOf(x: Answered): Answer['value'] | undefined {
  return x.fallback && unwrap(x.fallback.value)
}
