import { isInteractionError } from '../errors.js'
import { hasResponded, mayActNow } from '../machine/policies.js'
import type { RequestContext } from './context.js'
import { verifyLinkToken } from './links.js'
import { asPage, fieldErrors, responseFromForm } from './pages/forms.js'
import { messagePage } from './pages/html.js'
import { linkPage } from './pages/link-page.js'
import { HttpProblem } from './problem.js'
import { route, type Route } from './router.js'
import { requireSameOrigin } from './same-origin.js'

/**
 * The verified link's actor and interaction, or the refusal a person reads: no link routes without
 * `links` (404), a forged or expired token (403, 410), an interaction that ended (410 when it expired,
 * 409 otherwise) or that this actor already answered (409) or may not answer now (403).
 */
async function openLink(context: RequestContext, token: string) {
  if (context.options.secrets === undefined) throw new HttpProblem(404, 'route_not_found', `No route for ${context.url.pathname}.`)
  const claims = await verifyLinkToken(token, context.options.secrets, context.options.clock())
  const interaction = await context.interactions.get(claims.project, claims.id)
  if (interaction.status === 'expired') throw new HttpProblem(410, 'expired', 'This interaction expired before it was answered.')
  if (interaction.status !== 'pending')
    throw new HttpProblem(409, 'not_pending', `This interaction was ${interaction.status} already; nothing more is needed.`)
  if (hasResponded(interaction, claims.actor)) throw new HttpProblem(409, 'already_responded', 'Your answer was recorded already.')
  if (!mayActNow(interaction, claims.actor)) throw new HttpProblem(403, 'not_eligible', 'You may not answer this interaction now.')
  return { actor: claims.actor, interaction }
}

/**
 * Signed one-click links: `GET` shows the question and its controls and never acts, so a mail scanner
 * or a link preview changes nothing; `POST`, sent by that page's form, records the answer as the link's actor.
 */
export const linkRoutes: Route<RequestContext>[] = [
  route(
    'GET',
    '/links/:token',
    asPage(async (context, { token }) => {
      const { actor, interaction } = await openLink(context, token)
      await context.allow({ action: 'read', caller: actor, project: interaction.project, interaction })
      return linkPage(200, interaction, actor, context.url.pathname)
    }),
  ),
  route(
    'POST',
    '/links/:token',
    asPage(async (context, { token }) => {
      requireSameOrigin(context.request, context.url)
      const { actor, interaction } = await openLink(context, token)
      await context.allow({ action: 'respond', caller: actor, project: interaction.project, interaction })
      const form = await context.form()
      try {
        await context.interactions.respond(interaction.project, interaction.id, { actor, ...responseFromForm(interaction.spec, form) })
      } catch (error) {
        if (!isInteractionError(error, 'validation_failed')) throw error
        return linkPage(422, interaction, actor, context.url.pathname, { submitted: form, errors: fieldErrors(error) })
      }
      return messagePage(200, 'Thank you', 'Your answer was recorded. You can close this page.')
    }),
  ),
]
