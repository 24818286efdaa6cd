/**
 * An MCP server on stdio over the interactions service: what `npm run mcp` starts, and what an MCP
 * client (Claude Desktop, an IDE, the SDK's `StdioClientTransport`) launches. Stdout carries the
 * protocol, so everything else goes to stderr.
 *
 * Environment:
 * - `HITL_PROJECT`: the project the tools work in; `default` when unset.
 * - `HITL_ACTOR`: who the server is, as `type:id` (`agent:assistant`, `member:user_alice`); `agent:assistant` when unset.
 * - `DATABASE_URL`: a PostgreSQL database to keep interactions in, migrated on start; the memory store when unset.
 * - `HITL_SCHEMA`: the PostgreSQL schema; `hitl` when unset.
 */
import { createInteractions, ParticipantSchema } from '@hitl/interactions'
import { createMcpServer } from '@hitl/interactions/mcp'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { chooseStore } from './choose-store.js'

const [type, ...id] = (process.env.HITL_ACTOR || 'agent:assistant').split(':')
const actor = ParticipantSchema.safeParse({ type, id: id.join(':') })
if (!actor.success) {
  console.error(`HITL_ACTOR must be "member:<id>" or "agent:<id>" (got ${JSON.stringify(process.env.HITL_ACTOR)})`)
  process.exit(1)
}
const project = process.env.HITL_PROJECT || 'default'
const { store, close } = await chooseStore()
const server = createMcpServer(createInteractions({ store }), { project, actor: actor.data })
// A client ends the session by closing stdin, which the transport does not watch: the server and the pool close with it.
server.onclose = () => void close()
process.stdin.once('end', () => void server.close())
await server.connect(new StdioServerTransport())
console.error(
  `@hitl/interactions MCP server on stdio: project "${project}", actor ${actor.data.type}:${actor.data.id}, ` +
    `${process.env.DATABASE_URL ? 'PostgreSQL' : 'memory'} store`,
)
