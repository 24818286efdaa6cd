import { isInteractionError, type InteractionError } from '../../errors.js'
import type { Spec } from '../../model/spec.js'
import { HttpProblem } from '../problem.js'
import type { FormField } from './controls.js'
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
      // Anything but the two buttons' values is left out, so the service names the missing field.
      return confirmed === 'true' || confirmed === 'false' ? { confirmed: confirmed === 'true' } : {}
    }
    case 'select':
      return { value: form.get('value') ?? '' }
    case 'multi_select':
      return { values: form.getAll('values') }
    case 'input':
      return { text: form.get('text') ?? '' }
  }
}

/** The messages of a `validation_failed` refusal by form field: the comment's own, and everything else at the control. */
export function fieldErrors(error: InteractionError): Partial<Record<FormField, string>> {
  const errors: Partial<Record<FormField, string>> = {}
  for (const issue of error.issues) {
    const field: FormField = issue.path[0] === 'comment' ? 'comment' : 'value'
    errors[field] = errors[field] === undefined ? issue.message : `${errors[field]}; ${issue.message}`
  }
  return errors
}

/**
 * Refuses a form post another site made the browser send. The inbox trusts the host's cookie, which a
 * browser attaches to a cross-site post too; such a post carries `Sec-Fetch-Site: cross-site` (or
 * `same-site`), or an `Origin` other than the page's. A request with neither header comes from no
 * modern browser, so no cookie rode along unasked.
 */
export function requireSameOrigin(request: Request, url: URL): void {
  const site = request.headers.get('sec-fetch-site')
  const origin = request.headers.get('origin')
  const crossSite = site !== null ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== url.origin
  if (crossSite) throw new HttpProblem(403, 'cross_site_request', 'This form can only be sent from its own page.')
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
      if (isInteractionError(error) || error instanceof HttpProblem) {
        return messagePage(error.status, TITLES[error.status] ?? 'Something went wrong', error.message)
      }
      return messagePage(500, 'Something went wrong', 'The server failed to handle the request. Please try again later.')
    }
  }
