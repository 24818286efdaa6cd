import type { CreateInteractionInput, Interaction, Interactions } from '@hitl/interactions'
import { createMcpServer, type McpServerOptions } from '@hitl/interactions/mcp'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { describe, expect, it } from 'vitest'
import { describeEachStore, snapshot } from '../support/each-store.js'
import { alice, harness, rejection } from '../support/harness.js'

const agent = { type: 'agent', id: 'agent_deployer' } as const
const approval = { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice, message: 'Deploy service-api?' } as const
/** A tool call's arguments as a proposal, which the approver may edit within the schema. */
const proposal = {
  value: { service: 'api', replicas: 3 },
  schema: {
    type: 'object',
    properties: { service: { type: 'string' }, replicas: { type: 'integer', minimum: 1 } },
    required: ['service', 'replicas'],
  },
}
const gated: CreateInteractionInput = {
  ...approval,
  spec: {
    mode: 'confirm',
    proposal,
    reject_reasons: [
      { value: 'bad_timing', label: 'Not now' },
      { value: 'wrong_target', label: 'Wrong service' },
    ],
  },
}

/** A service whose `get` reports each read, so a test can act while a tool's wait is open. */
function watched(interactions: Interactions) {
  let onRead: (interaction: Interaction) => void = () => undefined
  const service: Interactions = {
    ...interactions,
    get: async (project, id) => {
      const interaction = await interactions.get(project, id)
      onRead(interaction)
      return interaction
    },
  }
  /** Resolves with the first pending read from now on: the wait has started and found nothing yet. */
  const nextPendingRead = () =>
    new Promise<Interaction>((resolve) => {
      onRead = (interaction) => interaction.status === 'pending' && resolve(interaction)
    })
  return { service, nextPendingRead }
}

async function connect(interactions: Interactions, options: Partial<McpServerOptions> = {}) {
  const server = createMcpServer(interactions, { project: 'acme', actor: agent, pollIntervalMs: 2, ...options })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'mcp-test', version: '1.0.0' })
  await Promise.all([server.connect(serverSide), client.connect(clientSide)])
  /** Calls a tool and returns its JSON result, with whether it is a tool error. */
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args })
    const [content] = result.content as { type: string; text: string }[]
    expect(result.structuredContent).toEqual(JSON.parse(content!.text))
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    return { isError: result.isError === true, body: result.structuredContent as Record<string, any> }
  }
  return { client, call }
}

describeEachStore('MCP server', (emptyStore) => {
  it('tools/list — five tools with object input schemas; request_interaction takes the create body and wait_seconds', async () => {
    const { client } = await connect(harness({ store: await emptyStore() }).interactions)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(['request_interaction', 'get_interaction', 'await_interaction', 'list_inbox', 'respond'])
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]))
    expect(tools.every((tool) => tool.inputSchema.type === 'object' && tool.description!.length > 0)).toBe(true)
    expect(byName.request_interaction!.inputSchema.properties).toMatchObject({
      type: { enum: ['approval', 'review', 'input'] },
      target_actor: { type: 'object' },
      wait_seconds: { type: 'integer', minimum: 0, maximum: 50, default: 10 },
    })
    expect(byName.request_interaction!.inputSchema.properties).not.toHaveProperty('project')
    expect(byName.request_interaction!.inputSchema.properties).not.toHaveProperty('requested_by')
    expect(byName.request_interaction!.inputSchema.required).toEqual(expect.arrayContaining(['type', 'spec', 'target_actor']))
    expect(byName.respond!.inputSchema.required).toEqual(['id', 'value'])
    expect(byName.await_interaction!.inputSchema.required).toEqual(['id'])
  })

  it('request_interaction — with no time to wait, creates the approval as the server actor and returns it pending', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const { call } = await connect(interactions)
    const { isError, body } = await call('request_interaction', { ...approval, wait_seconds: 0 })
    expect(isError).toBe(false)
    expect(body).toEqual({ status: 'pending', id: expect.any(String) })
    expect(await interactions.get('acme', body.id)).toMatchObject({ status: 'pending', requested_by: agent, target_actor: alice })
  })

  it('request_interaction — a person answering while it waits ends the wait with the outcome', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const { service, nextPendingRead } = watched(interactions)
    const { call } = await connect(service)
    const reading = nextPendingRead()
    const calling = call('request_interaction', { ...approval, wait_seconds: 50 })
    const pending = await reading
    await interactions.respond('acme', pending.id, { actor: alice, value: { confirmed: false }, comment: 'not on a Friday' })
    const { isError, body } = await calling
    expect(isError).toBe(false)
    expect(body).toMatchObject({
      id: pending.id,
      status: 'completed',
      outcome: 'rejected',
      responses: [{ actor: alice, comment: 'not on a Friday' }],
    })
  })

  it('await_interaction — waits on an open request until a person approves it in the service, and returns approved', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const { service, nextPendingRead } = watched(interactions)
    const { call } = await connect(service)
    const { body: requested } = await call('request_interaction', { ...approval, wait_seconds: 0 })
    const reading = nextPendingRead()
    const waiting = call('await_interaction', { id: requested.id, wait_seconds: 50 })
    await reading
    await interactions.respond('acme', requested.id, { actor: alice, value: { confirmed: true } })
    const { body } = await waiting
    expect(body).toMatchObject({
      id: requested.id,
      status: 'completed',
      outcome: 'approved',
      responses: [{ actor: alice, value: { confirmed: true } }],
    })
  })

  it('await_interaction — returns pending at its deadline, having read the interaction until then', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const created = await interactions.create('acme', approval)
    let reads = 0
    // Each read of the wait's clock is a second later, so three seconds pass in three polls without real waiting.
    let now = Date.parse('2026-04-21T09:00:00Z')
    const counted: Interactions = { ...interactions, get: (project, id) => (reads++, interactions.get(project, id)) }
    const { call } = await connect(counted, { clock: () => new Date((now += 1_000)) })
    const { body } = await call('await_interaction', { id: created.id, wait_seconds: 3 })
    expect(body).toEqual({ status: 'pending', id: created.id })
    expect(reads).toBe(3)
  })

  it('await_interaction — a client that cancels its call ends the wait at once', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const created = await interactions.create('acme', approval)
    const { service, nextPendingRead } = watched(interactions)
    // An hour between reads: a read soon after the cancel can only come from the wait ending.
    const { client } = await connect(service, { pollIntervalMs: 3_600_000 })
    const firstRead = nextPendingRead()
    const cancel = new AbortController()
    const args = { id: created.id, wait_seconds: 50 }
    const calling = client.callTool({ name: 'await_interaction', arguments: args }, undefined, { signal: cancel.signal })
    await firstRead
    const lastRead = nextPendingRead()
    cancel.abort()
    await expect(calling).rejects.toThrow()
    await lastRead
  })

  it('list_inbox and respond — an agent actor sees what it may answer, with the response schema, and answers it', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const review = await interactions.create('acme', {
      type: 'review',
      spec: {
        mode: 'select',
        options: [
          { value: 'ship', label: 'Ship it' },
          { value: 'hold', label: 'Hold' },
        ],
      },
      target_actor: agent,
      requested_by: alice,
    })
    await interactions.create('acme', approval)
    const { call } = await connect(interactions)
    const { body: inbox } = await call('list_inbox', {})
    expect(inbox.items.map((item: { interaction: Interaction }) => item.interaction.id)).toEqual([review.id])
    expect(inbox.items[0].response_schema).toMatchObject({ type: 'object', required: ['value'] })
    expect(inbox.next_cursor).toBeNull()
    const { isError, body } = await call('respond', { id: review.id, value: { value: 'ship' }, comment: 'checks are green' })
    expect(isError).toBe(false)
    expect(body).toMatchObject({
      id: review.id,
      status: 'completed',
      responses: [{ actor: agent, value: { value: 'ship' }, comment: 'checks are green' }],
    })
    expect((await call('list_inbox', {})).body.items).toEqual([])
  })

  it('get_interaction — a pending one comes with its response schema; an ended one without', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const created = await interactions.create('acme', approval)
    const { call } = await connect(interactions)
    const { body: pending } = await call('get_interaction', { id: created.id })
    expect(pending).toEqual({ interaction: created, response_schema: expect.objectContaining({ type: 'object' }) })
    const answered = await interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true } })
    expect((await call('get_interaction', { id: created.id })).body).toEqual({ interaction: answered })
  })

  it('respond — a value that does not fit the spec is a tool error with the validation issues, and changes nothing', async () => {
    const { interactions, store } = harness({ store: await emptyStore() })
    const review = await interactions.create('acme', {
      type: 'review',
      spec: { mode: 'select', options: [{ value: 'ship', label: 'Ship it' }] },
      target_actor: agent,
    })
    const before = await snapshot(store, 'acme', [review.id], [agent])
    const { call } = await connect(interactions)
    const { isError, body } = await call('respond', { id: review.id, value: { value: 'yolo' } })
    expect(isError).toBe(true)
    expect(body).toEqual({
      code: 'validation_failed',
      message: expect.stringContaining('value.value'),
      issues: [{ path: ['value', 'value'], message: 'must be one of: ship' }],
    })
    expect(await snapshot(store, 'acme', [review.id], [agent])).toBe(before)
  })

  it('edit before approve — a person edits the proposal during the wait; the result keeps proposal and edit apart', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const { service, nextPendingRead } = watched(interactions)
    const { call } = await connect(service)
    const reading = nextPendingRead()
    const calling = call('request_interaction', { ...gated, wait_seconds: 50 })
    const pending = await reading
    const edited = { service: 'api', replicas: 2 }
    await interactions.respond('acme', pending.id, { actor: alice, value: { confirmed: true, edited } })
    expect((await calling).body).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      approved_value: edited,
      edited: true,
      spec: { proposal },
    })
  })

  it('reject with a reason — an agent approver rejects through respond, and await_interaction returns the reason', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const created = await interactions.create('acme', { ...gated, target_actor: agent, requested_by: alice })
    const { call } = await connect(interactions)
    const { body: view } = await call('get_interaction', { id: created.id })
    expect(view.response_schema.properties.reason.properties.value.enum).toEqual(['bad_timing', 'wrong_target'])
    const reason = { value: 'bad_timing', text: 'release freeze until Monday' }
    expect((await call('respond', { id: created.id, value: { confirmed: false, reason } })).body).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      rejection_reason: reason,
    })
    expect((await call('await_interaction', { id: created.id, wait_seconds: 0 })).body).toMatchObject({
      outcome: 'rejected',
      rejection_reason: reason,
    })
  })

  it('respond — an edit outside the proposal schema, or a reason not on the list, is refused with issues naming the field', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const created = await interactions.create('acme', { ...gated, target_actor: agent, requested_by: alice })
    const { call } = await connect(interactions)
    const { body: badEdit } = await call('respond', { id: created.id, value: { confirmed: true, edited: { service: 'api', replicas: 0 } } })
    expect(badEdit).toMatchObject({ code: 'validation_failed', issues: [{ path: ['value', 'edited', 'replicas'] }] })
    const { body: badReason } = await call('respond', { id: created.id, value: { confirmed: false, reason: { value: 'bored' } } })
    expect(badReason).toMatchObject({ code: 'validation_failed', issues: [{ path: ['value', 'reason', 'value'] }] })
    expect(await interactions.get('acme', created.id)).toMatchObject({ status: 'pending', responses: [] })
  })

  it('wait_seconds — over 50 is a validation tool error naming it, and request_interaction creates nothing', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const { call } = await connect(interactions)
    const requested = await call('request_interaction', { ...approval, wait_seconds: 51 })
    expect(requested).toEqual({
      isError: true,
      body: {
        code: 'validation_failed',
        message: expect.any(String),
        issues: [{ path: ['wait_seconds'], message: expect.stringContaining('at most 50') }],
      },
    })
    expect((await interactions.inbox('acme', alice)).items).toEqual([])
    const awaited = await call('await_interaction', { id: 'whatever', wait_seconds: 60 })
    expect(awaited.body.issues).toEqual([{ path: ['wait_seconds'], message: expect.stringContaining('at most 50') }])
  })

  it('request_interaction — another requested_by is refused, so the agent cannot pass off its request and approve it', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const { call } = await connect(interactions, { actor: alice })
    const forged = await call('request_interaction', { ...approval, requested_by: agent, wait_seconds: 0 })
    expect(forged).toEqual({
      isError: true,
      body: { code: 'validation_failed', message: expect.any(String), issues: [{ path: ['requested_by'], message: expect.any(String) }] },
    })
    expect((await interactions.inbox('acme', alice)).items).toEqual([])
    // Naming the server's own actor is no forgery.
    const own = await call('request_interaction', { ...approval, target_actor: agent, requested_by: alice, wait_seconds: 0 })
    expect(own.isError).toBe(false)
    expect(await interactions.get('acme', own.body.id)).toMatchObject({ requested_by: alice })
  })

  it('request_interaction — allow_self_response is refused unless the server allows it', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const selfApproval = { ...approval, target_actor: agent, allow_self_response: true, wait_seconds: 0 }
    const refused = await (await connect(interactions)).call('request_interaction', selfApproval)
    expect(refused.body).toMatchObject({ code: 'validation_failed', issues: [{ path: ['allow_self_response'] }] })
    expect((await interactions.inbox('acme', agent)).items).toEqual([])

    const { call } = await connect(interactions, { allowSelfResponse: true })
    const { body } = await call('request_interaction', selfApproval)
    expect(await call('respond', { id: body.id, value: { confirmed: true } })).toMatchObject({ body: { outcome: 'approved' } })
  })

  it('errors — a refused call carries the library code: an unknown id is not_found, a bad create body names its field', async () => {
    const { call } = await connect(harness({ store: await emptyStore() }).interactions)
    expect(await call('get_interaction', { id: 'int_missing' })).toEqual({
      isError: true,
      body: { code: 'not_found', message: expect.stringContaining('int_missing'), issues: [] },
    })
    const { body } = await call('request_interaction', { ...approval, spec: { mode: 'select', options: [] }, wait_seconds: 0 })
    expect(body.code).toBe('validation_failed')
    expect(body.issues).toContainEqual({ path: ['spec', 'options'], message: 'must have at least one option' })
  })
})

describe('createMcpServer', () => {
  it('createMcpServer — a group as actor, or a missing project, is a configuration error naming the option', async () => {
    const { interactions } = harness()
    const error = await rejection(async () =>
      createMcpServer(interactions, { project: 'acme', actor: { type: 'group', id: 'ops' } as never }),
    )
    expect(error.code).toBe('configuration')
    expect(error.issues).toEqual([{ path: ['actor', 'type'], message: expect.any(String) }])
    const missing = await rejection(async () => createMcpServer(interactions, { actor: agent } as never))
    expect(missing.issues).toEqual([{ path: ['project'], message: expect.any(String) }])
  })

  it('tools/call — an unknown tool is a protocol error, not a tool result', async () => {
    const { client } = await connect(harness().interactions)
    await expect(client.callTool({ name: 'delete_everything', arguments: {} })).rejects.toThrow(/Unknown tool: delete_everything/)
  })
})
