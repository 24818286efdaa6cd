import { isInteractionError, statusOf, validationError, type InteractionError } from '../../errors.js'
import { sameJson } from '../../model/json-schema.js'
import type { Spec } from '../../model/spec.js'
import { HttpProblem } from '../problem.js'
import type { FormField } from './fields.js'
import { messagePage } from './html.js'

/** The `value` and `comment` of a response from the fields of a form {@link responseForm} rendered; the service judges them. */
export function responseFromForm(spec: Spec, form: URLSearchParams): { value: Record<string, unknown>; comment?: string } {
  const comment = form.get('comment')?.trim()
  return { value: valueFromForm(spec, form), ...(comment ? { comment } : {}) }
}

function valueFromForm(spec: Spec, form: URLSearchParams): Record<string, unknown> {
  switch (spec.mode) {
    case 'confirm': {
      const confirmed = form.get('confirmed')
      if (confirmed === 'true') return { confirmed: true, ...editOf(spec, form.get('edited')) }
      if (confirmed === 'false') return { confirmed: false, ...reasonOf(form) }
      // Anything but the two buttons' values is left out, so the service names the missing field.
      return {}
    }
    case 'select':
      return { value: form.get('value') ?? '' }
    case 'multi_select':
      return { values: form.getAll('values') }
    case 'input':
      return { text: form.get('text') ?? '' }
  }
}

/**
 * The proposal editor's JSON as an `edited` value when it differs from the proposal: an unchanged
 * proposal is approved as it is, which every routing policy accepts.
 */
function editOf(spec: Extract<Spec, { mode: 'confirm' }>, text: string | null): { edited?: unknown } {
  if (spec.proposal === undefined || text === null) return {}
  let edited: unknown
  try {
    edited = JSON.parse(text)
  } catch (error) {
    throw validationError('response', [{ path: ['value', 'edited'], message: `is not valid JSON: ${(error as Error).message}` }])
  }
  return sameJson(edited, spec.proposal.value) ? {} : { edited }
}

/** A rejection's reason from the radio list and the free text, when either was given. */
function reasonOf(form: URLSearchParams): { reason?: { value?: string; text?: string } } {
  const value = form.get('reason') || undefined
  const text = form.get('reason_text')?.trim() || undefined
  return value === undefined && text === undefined ? {} : { reason: { ...(value && { value }), ...(text && { text }) } }
}

/** The form field each issue's path points into: the comment, the proposal editor, the reason, or else the control. */
function fieldOf(path: readonly (string | number)[]): FormField {
  if (path[0] === 'comment') return 'comment'
  if (path[0] === 'value' && (path[1] === 'edited' || path[1] === 'reason')) return path[1]
  return 'value'
}

/** The messages of a `validation_failed` refusal by form field, joined when one field has several. */
export function fieldErrors(error: InteractionError): Partial<Record<FormField, string>> {
  const errors: Partial<Record<FormField, string>> = {}
  for (const issue of Array.isArray(error.issues) ? error.issues : []) {
    const field = fieldOf(issue.path)
    errors[field] = errors[field] === undefined ? issue.message : `${errors[field]}; ${issue.message}`
  }
  return errors
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'No longer open',
  410: 'Expired',
  413: 'Too large',
  415: 'Unsupported form',
}

/** A route that answers people: its refusals become an HTML page with the same status, not problem JSON. */
export const asPage =
  <Context, Params>(handle: (context: Context, params: Params) => Promise<Response>) =>
  async (context: Context, params: Params): Promise<Response> => {
    try {
      return await handle(context, params)
    } catch (error) {
      // A library error's status comes from its code's table: one from elsewhere may carry none.
      const status = isInteractionError(error) ? statusOf(error.code) : error instanceof HttpProblem ? error.status : undefined
      if (status !== undefined) return messagePage(status, TITLES[status] ?? 'Something went wrong', String((error as Error).message))
      return messagePage(500, 'Something went wrong', 'The server failed to handle the request. Please try again later.')
    }
  }
