import { validationError } from '../errors.js'
import type { Participant } from '../model/actor.js'
import type { z } from 'zod'
import { CreateInteractionInputSchema, InteractionSchema, type Interaction } from '../model/interaction.js'
import type { Interactions } from '../service/types.js'
import type { HttpAction } from './authorize.js'
import type { RequestContext } from './context.js'
import { apiRoute, parseInput, type ApiRoute } from './operation.js'
import { openApiDocument } from './openapi.js'
import { json } from './problem.js'
import {
  CancelBodySchema,
  CancelRunResultSchema,
  EmptyBodySchema,
  HistorySchema,
  InboxPageSchema,
  InboxQuerySchema,
  ReassignBodySchema,
  RespondBodySchema,
} from './schemas.js'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The create input a request stands for: `requested_by` defaults to the caller, and an `Idempotency-Key`
 * header is the `idempotency_key`. A body that is no object is left as it is, for the schema to refuse.
 */
function createInput(body: unknown, caller: Participant, idempotencyKey: string | null): unknown {
  if (!isObject(body)) return body
  if (idempotencyKey !== null && body.idempotency_key !== undefined && body.idempotency_key !== idempotencyKey) {
    const both = `body ${JSON.stringify(body.idempotency_key)}, header "${idempotencyKey}"`
    const message = `differs from the Idempotency-Key header (${both}); send one of them, or the same key in both`
    throw validationError('create input', [{ path: ['idempotency_key'], message }])
  }
  return { requested_by: caller, ...body, ...(idempotencyKey !== null && { idempotency_key: idempotencyKey }) }
}

/** The interaction, once the caller is known and `authorize` lets them read it. */
async function readable(context: RequestContext, project: string, id: string): Promise<Interaction> {
  const caller = await context.caller(project)
  const interaction = await context.interactions.get(project, id)
  await context.allow({ action: 'read', caller, project, interaction })
  return interaction
}

const interactionPath = (project: string, id: string) =>
  `/v1/projects/${encodeURIComponent(project)}/interactions/${encodeURIComponent(id)}`

/**
 * `POST …/interactions/:id/<action>`: the caller acts on one interaction with a body its model checks (an empty
 * body reads as `{}`, so only a model with required fields needs one), and the answer is the record.
 */
function interactionAction<Body>(
  action: Exclude<HttpAction, 'create' | 'read' | 'cancel_run' | 'inbox'>,
  summary: string,
  body: z.ZodType<Body>,
  act: (interactions: Interactions, input: { project: string; id: string; caller: Participant; body: Body }) => Promise<Interaction>,
): ApiRoute {
  const bodyRequired = !body.safeParse({}).success
  const operation = {
    operationId: action,
    summary,
    status: 200,
    body,
    bodyRequired,
    response: InteractionSchema,
    problems: [403, 404, 409, 410],
  } as const
  return apiRoute('POST', `/v1/projects/:project/interactions/:id/${action}`, operation, async (context, { project, id }) => {
    const caller = await context.caller(project)
    const input = parseInput(body, await context.body(), `${action} input`)
    await context.allow({ action, caller, project, interaction: await context.interactions.get(project, id) })
    return json(200, await act(context.interactions, { project, id, caller, body: input }))
  })
}

/**
 * The JSON API: one route per service operation, each acting as the authenticated caller once the host's
 * `authorize` allows the action. Who may act now is then the service's rule (the target responds, a member
 * of a group claims).
 */
export const apiRoutes: ApiRoute[] = [
  apiRoute(
    'POST',
    '/v1/projects/:project/interactions',
    {
      operationId: 'createInteraction',
      summary: 'Create an interaction, or return the one an earlier request with the same idempotency key created',
      status: 201,
      body: CreateInteractionInputSchema,
      bodyRequired: true,
      response: InteractionSchema,
      problems: [403],
    },
    async (context, { project }) => {
      const caller = await context.caller(project)
      const input = createInput(await context.body(), caller, context.request.headers.get('idempotency-key'))
      const parsed = parseInput(CreateInteractionInputSchema, input, 'create input')
      await context.allow({
        action: 'create',
        caller,
        project,
        ...(parsed.requested_by !== undefined && { requested_by: parsed.requested_by }),
      })
      const created = await context.interactions.create(project, parsed)
      return json(201, created, { location: new URL(interactionPath(created.project, created.id), context.url).href })
    },
  ),
  apiRoute(
    'GET',
    '/v1/projects/:project/interactions/:id',
    { operationId: 'getInteraction', summary: 'Read an interaction', status: 200, response: InteractionSchema, problems: [404] },
    async (context, { project, id }) => json(200, await readable(context, project, id)),
  ),
  apiRoute(
    'GET',
    '/v1/projects/:project/interactions/:id/history',
    {
      operationId: 'getHistory',
      summary: 'Everything that happened to an interaction, oldest first',
      status: 200,
      response: HistorySchema,
      problems: [404],
    },
    async (context, { project, id }) => {
      await readable(context, project, id)
      return json(200, await context.interactions.history(project, id))
    },
  ),
  interactionAction(
    'respond',
    'Respond to an interaction as the caller',
    RespondBodySchema,
    (interactions, { project, id, caller, body }) => interactions.respond(project, id, { ...body, actor: caller }),
  ),
  interactionAction(
    'claim',
    'Claim a first-responder group interaction for the caller',
    EmptyBodySchema,
    (interactions, { project, id, caller }) => interactions.claim(project, id, caller),
  ),
  interactionAction(
    'release',
    "Give up the caller's claim, so that any member may claim or respond again",
    EmptyBodySchema,
    (interactions, { project, id, caller }) => interactions.release(project, id, caller),
  ),
  interactionAction(
    'cancel',
    'Withdraw a pending interaction as the caller; a run-linked one resumes its run with a cancelled signal',
    CancelBodySchema,
    (interactions, { project, id, caller, body }) => interactions.cancel(project, id, { ...body, actor: caller }),
  ),
  interactionAction(
    'reassign',
    'Hand a pending interaction over from one actor to another, recorded as done by the caller',
    ReassignBodySchema,
    (interactions, { project, id, caller, body }) => interactions.reassign(project, id, { ...body, by: caller }),
  ),
  apiRoute(
    'POST',
    '/v1/projects/:project/runs/:run_id/cancel',
    {
      operationId: 'cancelRun',
      summary: 'Cancel every pending interaction of a run, for a run that ended in its engine',
      status: 200,
      body: CancelBodySchema,
      response: CancelRunResultSchema,
      problems: [403],
    },
    async (context, { project, run_id }) => {
      const actor = await context.caller(project)
      const body = parseInput(CancelBodySchema, await context.body(), 'cancel input')
      await context.allow({ action: 'cancel_run', caller: actor, project })
      return json(200, await context.interactions.cancelRun(project, run_id, { ...body, actor }))
    },
  ),
  apiRoute(
    'GET',
    '/v1/projects/:project/inbox',
    {
      operationId: 'inbox',
      summary: 'The pending interactions the caller may act on now, oldest first, a page at a time',
      status: 200,
      query: InboxQuerySchema,
      response: InboxPageSchema,
      problems: [],
    },
    async (context, { project }) => {
      const actor = await context.caller(project)
      await context.allow({ action: 'inbox', caller: actor, project })
      const query = parseInput(InboxQuerySchema, Object.fromEntries(context.url.searchParams), 'inbox query')
      return json(200, await context.interactions.inbox(project, actor, query))
    },
  ),
  apiRoute(
    'GET',
    '/v1/openapi.json',
    { operationId: 'openApiDocument', summary: 'This API as an OpenAPI 3.1 document', status: 200, problems: [], authenticated: false },
    async () => json(200, openApiDocument(apiRoutes)),
  ),
]
