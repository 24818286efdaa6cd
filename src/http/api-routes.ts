import type { RequestContext } from './context.js'
import { json } from './problem.js'
import { route, type Route } from './router.js'

/** The JSON API: one route per service operation, each acting as the authenticated caller. */
export const apiRoutes: Route<RequestContext>[] = [
  route('GET', '/v1/projects/:project/interactions/:id', async (context, { project, id }) => {
    await context.caller(project)
    return json(200, await context.interactions.get(project, id))
  }),
]
