import type { Interactions } from '../service/types.js'
import { apiRoutes } from './api-routes.js'
import { requestContext, type RequestContext } from './context.js'
import { linkRoutes } from './link-routes.js'
import { resolveHttpOptions, type HttpHandlerOptions } from './options.js'
import { pageRoutes } from './page-routes.js'
import { problemFor } from './problem.js'
import { match, type Route } from './router.js'

/**
 * A Fetch API handler serving the interactions of `interactions` over HTTP: the JSON API under
 * `/v1/projects/:project/`, its OpenAPI document, signed response links and the inbox page.
 * Identity is the host's: `authenticate` names the caller of each request.
 *
 * @example
 * import { createInteractions } from '@hitl/interactions'
 * import { createHttpHandler } from '@hitl/interactions/http'
 *
 * const handler = createHttpHandler(createInteractions(), {
 *   authenticate: (request) => (request.headers.get('authorization') === `Bearer ${process.env.API_KEY}` ? { actor: { type: 'agent', id: 'workflows' } } : null),
 * })
 * const response = await handler(new Request('http://localhost/v1/projects/acme/inbox'))
 */
export function createHttpHandler(interactions: Interactions, options: HttpHandlerOptions): (request: Request) => Promise<Response> {
  const resolved = resolveHttpOptions(options)
  const routes: Route<RequestContext>[] = [...apiRoutes, ...linkRoutes, ...pageRoutes]
  return async (request) => {
    try {
      const context = requestContext(request, interactions, resolved)
      const { route, params } = match(routes, request.method, context.url.pathname)
      return await route.handle(context, params)
    } catch (error) {
      return problemFor(error)
    }
  }
}
