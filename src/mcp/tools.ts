import { z } from 'zod'
import { responseJsonSchema } from '../machine/responses.js'
import { ParticipantSchema, sameActor, type Participant } from '../model/actor.js'
import type { CreateInteractionInput, Interaction } from '../model/interaction.js'
import type { JsonSchema } from '../model/json-schema.js'
import { createInputJsonSchema } from '../model/json-schemas.js'
import { LIMITS } from '../model/limits.js'
import { ResponseValueSchema } from '../model/response.js'
import { parse } from '../service/parse.js'
import type { Interactions } from '../service/types.js'
import { waitForEnd, type WaitOptions } from './wait.js'

/** The longest wait a tool call may ask for: well inside the 60 seconds many MCP clients allow a call. */
export const MAX_WAIT_SECONDS = 50

/** The wait when a call names none: long enough for a quick answer, short enough for any client. */
export const DEFAULT_WAIT_SECONDS = 10

const WaitSecondsSchema = z
  .int()
  .min(0)
  .max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS}: ask again with await_interaction to wait longer`)
  .default(DEFAULT_WAIT_SECONDS)
  .describe(`Seconds to wait for the interaction to end, 0 to ${MAX_WAIT_SECONDS}; ${DEFAULT_WAIT_SECONDS} by default.`)

const IdSchema = z.string().min(1, 'must not be empty').max(LIMITS.identifier).describe('The interaction id.')

const GetArgumentsSchema = z.strictObject({ id: IdSchema })
const AwaitArgumentsSchema = z.strictObject({ id: IdSchema, wait_seconds: WaitSecondsSchema })
const InboxArgumentsSchema = z.strictObject({
  limit: z.int().min(1).max(LIMITS.inboxPage).optional().describe(`Items per page, 1 to ${LIMITS.inboxPage}; 20 by default.`),
  cursor: z.string().max(1_000).optional().describe('The next_cursor of the previous page.'),
})
// The service checks the value against the interaction's spec, so the call's own check takes any object.
const RespondArgumentsSchema = z.strictObject({
  id: IdSchema,
  value: z.record(z.string(), z.unknown()),
  comment: z.string().max(LIMITS.comment).optional().describe('A note kept with the response.'),
})
// A listing is fixed while each interaction has its own value schema: it shows every shape a value may take.
const RespondListingSchema = RespondArgumentsSchema.extend({
  value: ResponseValueSchema.describe("The answer; it must satisfy the interaction's response_schema (get_interaction, list_inbox)."),
})
// Only the wait and the requester are checked here: the rest of the arguments is the create body, which the service checks.
const requestSchemaFor = (context: ToolContext) =>
  z.looseObject({ wait_seconds: WaitSecondsSchema }).superRefine((args, ctx) => {
    const { requested_by, allow_self_response } = args as { requested_by?: unknown; allow_self_response?: unknown }
    // The server's actor is the requester: another one would let an agent approve its own request.
    if (requested_by !== undefined && !(isActor(requested_by) && sameActor(requested_by, context.actor))) {
      const message = `must be left out or be this server's actor (${context.actor.type}:${context.actor.id}), who requests every interaction`
      ctx.addIssue({ code: 'custom', path: ['requested_by'], message })
    }
    if (allow_self_response === true && !context.allowSelfResponse) {
      const message = "is not allowed on this server: its actor would answer its own request (createMcpServer's allowSelfResponse)"
      ctx.addIssue({ code: 'custom', path: ['allow_self_response'], message })
    }
  })
const isActor = (value: unknown): value is Participant => ParticipantSchema.safeParse(value).success

/** What a waiting tool returns: the interaction once it has ended, with its outcome and responses; else its id. */
export type WaitResult = { status: 'pending'; id: string } | Interaction

/** What the server's tools work with. */
export interface ToolContext extends Omit<WaitOptions, 'signal'> {
  interactions: Interactions
  project: string
  actor: Participant
  /** Whether `request_interaction` may set `allow_self_response`, letting this server's actor answer its own request. */
  allowSelfResponse: boolean
}

/** One tool: its listing, and what a call does with its arguments. */
export interface Tool {
  name: string
  description: string
  inputSchema: { type: 'object'; [keyword: string]: unknown }
  call(args: Record<string, unknown>, context: ToolContext, signal?: AbortSignal): Promise<unknown>
}

const jsonSchemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input' }) as Tool['inputSchema']

const resultOf = (interaction: Interaction): WaitResult =>
  interaction.status === 'pending' ? { status: 'pending', id: interaction.id } : interaction

/** A pending interaction with what an agent needs to answer it; an ended one alone. */
const viewOf = (interaction: Interaction) =>
  interaction.status === 'pending' ? { interaction, response_schema: responseJsonSchema(interaction) } : { interaction }

const waitFor = (context: ToolContext, id: string, seconds: number, signal?: AbortSignal) =>
  waitForEnd(context.interactions, context.project, id, seconds, { ...context, ...(signal && { signal }) }).then(resultOf)

/** The create body's schema with `wait_seconds` beside its fields. */
const requestSchema = (): Tool['inputSchema'] => {
  const body = createInputJsonSchema()
  const wait = jsonSchemaOf(WaitSecondsSchema)
  delete wait.$schema
  // The requester is always the server's actor, so the listing leaves it out.
  const { requested_by: _, ...properties } = body.properties as Record<string, JsonSchema>
  return { ...body, type: 'object', properties: { ...properties, wait_seconds: wait } }
}

/** The server's tools, in the order they are listed. */
export const TOOLS: readonly Tool[] = [
  {
    name: 'request_interaction',
    description:
      'Asks a member, an agent or a group for a decision (an approval, a review or some input) and waits up to wait_seconds ' +
      "for the answer. Returns the ended interaction (status, outcome, responses), or { status: 'pending', id } to wait " +
      "further with await_interaction. The requester is always this server's actor.",
    inputSchema: requestSchema(),
    async call(args, context, signal) {
      const { wait_seconds } = parse(requestSchemaFor(context), args, 'request_interaction arguments')
      const { wait_seconds: _, ...body } = args
      const created = await context.interactions.create(context.project, { ...body, requested_by: context.actor } as CreateInteractionInput)
      return waitFor(context, created.id, wait_seconds, signal)
    },
  },
  {
    name: 'get_interaction',
    description:
      'Reads an interaction by id. A pending one comes with response_schema: the JSON Schema of the values respond accepts for it.',
    inputSchema: jsonSchemaOf(GetArgumentsSchema),
    async call(args, context) {
      const { id } = parse(GetArgumentsSchema, args, 'get_interaction arguments')
      return viewOf(await context.interactions.get(context.project, id))
    },
  },
  {
    name: 'await_interaction',
    description:
      "Waits up to wait_seconds for an interaction to end. Returns it once ended, or { status: 'pending', id }: call again to wait longer.",
    inputSchema: jsonSchemaOf(AwaitArgumentsSchema),
    async call(args, context, signal) {
      const { id, wait_seconds } = parse(AwaitArgumentsSchema, args, 'await_interaction arguments')
      return waitFor(context, id, wait_seconds, signal)
    },
  },
  {
    name: 'list_inbox',
    description:
      "Lists the pending interactions this server's actor may answer now, oldest first, each with its response_schema. " +
      'Pass next_cursor back as cursor for the next page.',
    inputSchema: jsonSchemaOf(InboxArgumentsSchema),
    async call(args, context) {
      const options = parse(InboxArgumentsSchema, args, 'list_inbox arguments')
      const page = await context.interactions.inbox(context.project, context.actor, options)
      return { items: page.items.map(viewOf), next_cursor: page.next_cursor }
    },
  },
  {
    name: 'respond',
    description:
      "Answers an interaction as this server's actor. value must satisfy the interaction's response_schema (from get_interaction " +
      'or list_inbox); a value that does not is refused with the issues, each naming its field. Returns the interaction as ' +
      "await_interaction does: ended when this answer decided it, else { status: 'pending', id }.",
    inputSchema: jsonSchemaOf(RespondListingSchema),
    async call(args, context) {
      const { id, value, comment } = parse(RespondArgumentsSchema, args, 'respond arguments')
      const input = { actor: context.actor, value, ...(comment !== undefined && { comment }) }
      return resultOf(await context.interactions.respond(context.project, id, input))
    },
  },
]
