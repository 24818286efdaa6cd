/**
 * @module
 * An MCP server over the interactions service, for agents on both sides: an agent asks a person (or
 * another agent) with `request_interaction` and waits for the answer in bounded steps, and an agent
 * actor lists and answers its own interactions with `list_inbox` and `respond`. Built on
 * `@modelcontextprotocol/sdk`, an optional peer dependency that only this entry loads.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { isInteractionError } from '../errors.js'
import { IdentifierSchema, ParticipantSchema, type Participant } from '../model/actor.js'
import { configurationError, count, method, optionIssues } from '../service/configuration.js'
import type { Interactions } from '../service/types.js'
import { INSTRUMENTATION_SCOPE } from '../service/telemetry.js'
import { TOOLS, type ToolContext } from './tools.js'

export { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, type WaitResult } from './tools.js'

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The project every tool works in. */
  project: string
  /** Who this server is: the requester of `request_interaction`, whose inbox `list_inbox` lists and who answers with `respond`. */
  actor: Participant
  /** Milliseconds between two reads of a pending interaction while a tool waits; 1 000 by default. */
  pollIntervalMs?: number
  /** The current time, which ends a wait at its deadline. Defaults to `() => new Date()`. */
  clock?: () => Date
  /**
   * Whether `request_interaction` may set `allow_self_response: true`, so that this server's actor
   * may answer an approval it requested; false by default, since an agent would approve itself.
   */
  allowSelfResponse?: boolean
}

const asText = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
})

/**
 * Creates an MCP server whose tools (`request_interaction`, `get_interaction`, `await_interaction`,
 * `list_inbox`, `respond`) call the service in one project as one actor; connect it to a transport.
 * A refused call is a tool error (`isError: true`) whose content is `{ code, message, issues }`.
 *
 * @example
 * import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
 * import { createInteractions } from '@hitl/interactions'
 * import { createMcpServer } from '@hitl/interactions/mcp'
 *
 * const server = createMcpServer(createInteractions(), { project: 'acme', actor: { type: 'agent', id: 'deploy-bot' } })
 * await server.connect(new StdioServerTransport())
 */
export function createMcpServer(interactions: Interactions, options: McpServerOptions): Server {
  const context = contextOf(interactions, options)
  // The low-level server, since the tools' input schemas are the library's own JSON Schemas and the
  // library checks their arguments, so that a refusal carries its code and issues.
  const server = new Server(INSTRUMENTATION_SCOPE, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = TOOLS.find((candidate) => candidate.name === request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    try {
      return asText(await tool.call(request.params.arguments ?? {}, context, extra.signal))
    } catch (error) {
      // Anything else is a fault of the server, not of the call: the client sees a protocol error.
      if (!isInteractionError(error)) throw error
      const { code, message, issues } = error
      return { ...asText({ code, message, issues }), isError: true }
    }
  })
  return server
}

const OptionsSchema = z.strictObject(
  {
    project: IdentifierSchema,
    actor: ParticipantSchema,
    pollIntervalMs: count(1_000),
    clock: method('() => Date').default(() => () => new Date()),
    allowSelfResponse: z.boolean().default(false),
  },
  { error: 'must be an object of options: { project, actor }' },
)

function contextOf(interactions: Interactions, options: McpServerOptions): ToolContext {
  const parsed = OptionsSchema.safeParse(options)
  if (!parsed.success) throw configurationError('createMcpServer options', optionIssues(parsed.error))
  return { interactions, ...parsed.data, clock: parsed.data.clock as () => Date }
}
