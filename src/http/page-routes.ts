import { isInteractionError, statusOf } from '../errors.js'
import type { RequestContext } from './context.js'
import { asPage, fieldErrors, responseFromForm } from './pages/forms.js'
import { inboxPage, inboxPath, type InboxView } from './pages/inbox-page.js'
import { route, type Route } from './router.js'
import { requireSameOrigin } from './same-origin.js'

const INBOX_PAGE_SIZE = 50

/** The inbox page of the authenticated caller, with `view`'s notice or refused form, at `status`. */
async function showInbox(context: RequestContext, project: string, status: number, view: InboxView = {}) {
  const actor = await context.caller(project)
  await context.allow({ action: 'inbox', caller: actor, project })
  const cursor = context.url.searchParams.get('cursor')
  const page = await context.interactions.inbox(project, actor, { limit: INBOX_PAGE_SIZE, cursor })
  return inboxPage(status, project, actor, page, { ...view, cursor })
}

/**
 * The inbox page: `GET` lists what the caller may act on, each with its form; `POST` records one answer
 * and redirects back (303), or shows the inbox again with the refusal next to the field.
 */
export const pageRoutes: Route<RequestContext>[] = [
  route(
    'GET',
    '/projects/:project/inbox',
    asPage(async (context, { project }) => showInbox(context, project, 200)),
  ),
  route(
    'POST',
    '/projects/:project/inbox/:id',
    asPage(async (context, { project, id }) => {
      requireSameOrigin(context.request, context.url)
      const actor = await context.caller(project)
      const form = await context.form()
      try {
        const interaction = await context.interactions.get(project, id)
        await context.allow({ action: 'respond', caller: actor, project, interaction })
        await context.interactions.respond(project, id, { actor, ...responseFromForm(interaction.spec, form) })
      } catch (error) {
        if (!isInteractionError(error)) throw error
        if (error.code === 'validation_failed') {
          return showInbox(context, project, 422, { refused: { id, state: { submitted: form, errors: fieldErrors(error) } } })
        }
        return showInbox(context, project, statusOf(error.code), { notice: String(error.message) })
      }
      return new Response(null, { status: 303, headers: { location: inboxPath(project) } })
    }),
  ),
]
