import { createInteractions } from '@hitl/interactions'
import { postgresStore } from '@hitl/interactions/postgres'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { alice } from '../support/harness.js'
import { createPool, databaseUrl, freshSchemaName } from '../support/postgres.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

/** Starts `npm run mcp` as a client would, with the given environment, and connects the SDK client to it over stdio. */
async function startServer(env: Record<string, string>) {
  // --silent: npm's own banner would go to stdout, which is the protocol.
  const transport = new StdioClientTransport({
    command: 'npm',
    args: ['run', '--silent', 'mcp'],
    cwd: root,
    env: { ...process.env, ...env } as never,
    stderr: 'pipe',
  })
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  await client.connect(transport)
  cleanups.push(() => client.close())
  const call = async (name: string, args: Record<string, unknown>) =>
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    (await client.callTool({ name, arguments: args })).structuredContent as Record<string, any>
  return { client, call }
}

// Each test starts npm, tsx and the server: seconds of start-up on a busy machine.
describe('npm run mcp', { timeout: 30_000 }, () => {
  it('npm run mcp — on the memory store, the agent asks itself for input, answers it from its inbox, and reads the answer', async () => {
    const { client, call } = await startServer({ HITL_PROJECT: 'acme', HITL_ACTOR: 'agent:release-bot' })
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('request_interaction')
    const bot = { type: 'agent', id: 'release-bot' }
    const asked = await call('request_interaction', {
      type: 'input',
      spec: { mode: 'input' },
      target_actor: bot,
      message: 'Release notes?',
      wait_seconds: 0,
    })
    expect(asked).toEqual({ status: 'pending', id: expect.any(String) })
    expect((await call('list_inbox', {})).items.map((item: { interaction: { id: string } }) => item.interaction.id)).toEqual([asked.id])
    expect(await call('respond', { id: asked.id, value: { text: 'Faster inbox' } })).toMatchObject({ status: 'completed' })
    expect(await call('await_interaction', { id: asked.id, wait_seconds: 1 })).toMatchObject({
      id: asked.id,
      project: 'acme',
      requested_by: bot,
      responses: [{ actor: bot, value: { text: 'Faster inbox' } }],
    })
  })

  it('npm run mcp — with DATABASE_URL, keeps interactions in PostgreSQL, where a person answers them through the service', async () => {
    const schema = freshSchemaName()
    const pool = createPool()
    cleanups.push(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await pool.end()
    })
    const { call } = await startServer({
      DATABASE_URL: databaseUrl(),
      HITL_SCHEMA: schema,
      HITL_PROJECT: 'acme',
      HITL_ACTOR: 'agent:deployer',
    })
    const asked = await call('request_interaction', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice, wait_seconds: 0 })
    expect(asked).toEqual({ status: 'pending', id: expect.any(String) })
    // The server migrated the schema on start; this service is another process's view of the same rows.
    const interactions = createInteractions({ store: postgresStore({ pool, schema }) })
    expect(await interactions.get('acme', asked.id)).toMatchObject({ status: 'pending', requested_by: { type: 'agent', id: 'deployer' } })
    await interactions.respond('acme', asked.id, { actor: alice, value: { confirmed: true } })
    expect(await call('await_interaction', { id: asked.id, wait_seconds: 1 })).toMatchObject({
      id: asked.id,
      status: 'completed',
      outcome: 'approved',
    })
  })
})
