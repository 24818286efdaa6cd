/** The JSON API over real HTTP: the handler served on 127.0.0.1 by Node's `http`, over both stores. */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import type { Interaction, InteractionStore } from '@hitl/interactions'
import { createHttpHandler } from '@hitl/interactions/http'
import { afterEach, expect, it } from 'vitest'
import { describeEachStore, snapshot } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness } from '../support/harness.js'
import { serveFetch } from '../support/http-server.js'

const workflows = { type: 'agent', id: 'workflows' } as const
const KEYS = { 'workflows-key': workflows, 'alice-key': alice, 'bob-key': bob, 'carol-key': carol } as const
type Key = keyof typeof KEYS

const open: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()))
})

/** A server over `store` whose host admits the four keys above to project `acme` only; it records each answer's status. */
async function serve(store: InteractionStore) {
  const service = harness({ store })
  const handler = createHttpHandler(service.interactions, {
    maxBodyBytes: 4096,
    authenticate: (request, { project }) => {
      const key = request.headers.get('authorization')?.replace(/^Bearer /, '') as Key
      return project === 'acme' && Object.hasOwn(KEYS, key) ? { actor: KEYS[key] } : null
    },
  })
  const answered: { method: string; path: string; status: number }[] = []
  const server = await serveFetch(async (request) => {
    const response = await handler(request)
    answered.push({ method: request.method, path: new URL(request.url).pathname, status: response.status })
    return response
  })
  open.push(server.close)
  /** Sends a request as the holder of `key` (none without one); a body object is sent as JSON. */
  const send = async (
    method: string,
    path: string,
    { key, body, headers = {} }: { key?: Key; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(key && { authorization: `Bearer ${key}` }),
        ...(body !== undefined && typeof body !== 'string' && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
    const type = response.headers.get('content-type')
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    return { response, status: response.status, type, body: (await response.json()) as any }
  }
  const create = async (input: object, key: Key = 'workflows-key') => {
    const created = await send('POST', '/v1/projects/acme/interactions', { key, body: input })
    expect(created.status).toBe(201)
    return created.body as Interaction
  }
  return { ...service, store, url: server.url, send, create, answered }
}

const groupAsk = { type: 'approval', spec: { mode: 'confirm' }, target_actor: { type: 'group', id: 'group_ops' } } as const

/** The product description's request, verbatim: its example of the REST API, kept as a fixture. */
const productRequest = readFileSync('test/fixtures/product-request.sh', 'utf8').trimEnd()

describeEachStore('HTTP API over a real server', (emptyStore) => {
  it("docs/http.md — quotes the product description's request exactly", () => {
    expect(readFileSync('docs/http.md', 'utf8')).toContain(`\n\`\`\`sh\n${productRequest}\n\`\`\`\n`)
  })

  // Starting bash and curl takes seconds on a busy machine.
  it("POST interactions — the product description's request, sent by curl as written, answers 201 and is in Alice's inbox", {
    timeout: 30_000,
  }, async () => {
    const api = await serve(await emptyStore())
    const command = productRequest.replace('/v1/projects/acme/interactions', `${api.url}/v1/projects/acme/interactions`)
    const { stdout } = await promisify(execFile)('bash', ['-c', command], {
      env: { PATH: process.env.PATH, MOBIUS_API_KEY: 'workflows-key' },
    })
    const created = JSON.parse(stdout) as Interaction
    expect(api.answered).toEqual([{ method: 'POST', path: '/v1/projects/acme/interactions', status: 201 }])
    expect(created).toMatchObject({
      ...deployGate,
      expires_at: '2026-04-22T10:00:00.000Z',
      status: 'pending',
      project: 'acme',
      requested_by: workflows,
    })

    const inbox = await api.send('GET', '/v1/projects/acme/inbox', { key: 'alice-key' })
    expect(inbox.status).toBe(200)
    expect(inbox.body).toEqual({ items: [created], next_cursor: null })
    expect((await api.send('GET', '/v1/projects/acme/inbox', { key: 'bob-key' })).body.items).toEqual([])

    const answer = await api.send('POST', `/v1/projects/acme/interactions/${created.id}/respond`, {
      key: 'alice-key',
      body: { value: { confirmed: true } },
    })
    expect(answer.body).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      responses: [{ actor: alice, value: { confirmed: true } }],
    })
    expect(api.delivered).toMatchObject([{ run_id: 'run_01abc', topic: 'deploy-gate', status: 'completed', outcome: 'approved' }])
  })

  it('POST interactions — Location names the new interaction, and requested_by defaults to the caller', async () => {
    const api = await serve(await emptyStore())
    const created = await api.send('POST', '/v1/projects/acme/interactions', { key: 'workflows-key', body: deployGate })
    expect(created.response.headers.get('location')).toBe(`${api.url}/v1/projects/acme/interactions/${created.body.id}`)
    expect(created.body.requested_by).toEqual(workflows)
    const asked = await api.create({ ...deployGate, requested_by: bob })
    expect(asked.requested_by).toEqual(bob)
    const followed = await api.send('GET', new URL(created.response.headers.get('location')!).pathname, { key: 'bob-key' })
    expect(followed.body).toEqual(created.body)
  })

  it('POST interactions — an Idempotency-Key header makes a repeat return the first interaction', async () => {
    const api = await serve(await emptyStore())
    const headers = { 'idempotency-key': 'deploy-1234' }
    const first = await api.send('POST', '/v1/projects/acme/interactions', { key: 'workflows-key', body: deployGate, headers })
    const again = await api.send('POST', '/v1/projects/acme/interactions', { key: 'workflows-key', body: deployGate, headers })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(first.body.idempotency_key).toBe('deploy-1234')
    expect((await api.send('GET', '/v1/projects/acme/inbox', { key: 'alice-key' })).body.items).toHaveLength(1)
  })

  it('POST interactions — a body key other than the Idempotency-Key header is a 400 naming both, and creates nothing', async () => {
    const api = await serve(await emptyStore())
    const refused = await api.send('POST', '/v1/projects/acme/interactions', {
      key: 'workflows-key',
      body: { ...deployGate, idempotency_key: 'from-body' },
      headers: { 'idempotency-key': 'from-header' },
    })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('validation_failed')
    expect(refused.body.issues).toEqual([
      { path: ['idempotency_key'], message: expect.stringMatching(/Idempotency-Key header.*"from-body".*"from-header"/) },
    ])
    expect((await api.send('GET', '/v1/projects/acme/inbox', { key: 'alice-key' })).body.items).toEqual([])
  })

  it('GET interactions/:id and …/history — any caller of the project reads them; history names who acted', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(deployGate)
    await api.send('POST', `/v1/projects/acme/interactions/${created.id}/cancel`, { key: 'workflows-key', body: { reason: 'superseded' } })
    const read = await api.send('GET', `/v1/projects/acme/interactions/${created.id}`, { key: 'carol-key' })
    expect(read.body).toMatchObject({ id: created.id, status: 'cancelled' })
    const history = await api.send('GET', `/v1/projects/acme/interactions/${created.id}/history`, { key: 'carol-key' })
    expect(history.status).toBe(200)
    expect(history.body).toMatchObject([
      { seq: 1, type: 'created', actor: workflows },
      { seq: 2, type: 'cancelled', actor: workflows, data: { reason: 'superseded' } },
    ])
  })

  it('POST …/respond — the caller acts: an actor or unknown field in the body is a 400 naming it, changing nothing', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(deployGate)
    const before = await snapshot(api.store, 'acme', [created.id], [alice])
    const path = `/v1/projects/acme/interactions/${created.id}/respond`
    const impersonating = await api.send('POST', path, { key: 'bob-key', body: { actor: alice, value: { confirmed: true } } })
    expect(impersonating.status).toBe(400)
    expect(impersonating.body.issues).toEqual([{ path: ['actor'], message: 'is not a field of this request' }])
    const misspelt = await api.send('POST', path, { key: 'alice-key', body: { value: { confirmed: true }, colour: 'red' } })
    expect(misspelt.body.issues).toEqual([{ path: ['colour'], message: 'is not a field of this request' }])
    const wrongValue = await api.send('POST', path, { key: 'alice-key', body: { value: { text: 'yes' } } })
    expect(wrongValue.status).toBe(400)
    expect(wrongValue.body.issues.map((issue: { path: unknown[] }) => issue.path[0])).toContain('value')
    expect(await snapshot(api.store, 'acme', [created.id], [alice])).toBe(before)
  })

  it('POST …/respond — 403 for a caller who may not answer, 200 for the target, then 409', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(deployGate)
    const path = `/v1/projects/acme/interactions/${created.id}/respond`
    const body = { value: { confirmed: false }, comment: 'not on a Friday' }
    expect(await api.send('POST', path, { key: 'bob-key', body })).toMatchObject({
      status: 403,
      type: 'application/problem+json',
      body: { code: 'not_eligible' },
    })
    const answered = await api.send('POST', path, { key: 'alice-key', body })
    expect(answered.body).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      responses: [{ actor: alice, comment: 'not on a Friday' }],
    })
    expect(await api.send('POST', path, { key: 'alice-key', body })).toMatchObject({ status: 409, body: { code: 'not_pending' } })
  })

  it('POST …/respond — 410 once the interaction has expired', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(deployGate)
    api.clock.set('2026-04-22T10:00:01Z')
    const late = await api.send('POST', `/v1/projects/acme/interactions/${created.id}/respond`, {
      key: 'alice-key',
      body: { value: { confirmed: true } },
    })
    expect(late).toMatchObject({ status: 410, type: 'application/problem+json', body: { status: 410, code: 'expired' } })
  })

  it('POST …/claim and …/release — a member claims as the caller, another is refused with 409, a release frees it', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(groupAsk)
    const path = (action: string) => `/v1/projects/acme/interactions/${created.id}/${action}`
    expect((await api.send('POST', path('claim'), { key: 'bob-key' })).body).toMatchObject({ claimed_by: bob })
    expect(await api.send('POST', path('claim'), { key: 'carol-key', body: {} })).toMatchObject({
      status: 409,
      body: { code: 'already_claimed' },
    })
    expect((await api.send('GET', '/v1/projects/acme/inbox', { key: 'carol-key' })).body.items).toEqual([])
    expect(await api.send('POST', path('release'), { key: 'carol-key' })).toMatchObject({ status: 403, body: { code: 'not_eligible' } })
    const released = await api.send('POST', path('release'), { key: 'bob-key' })
    expect(released.status).toBe(200)
    expect(released.body.claimed_by).toBeUndefined()
    expect(await api.send('POST', path('claim'), { key: 'carol-key', body: { actor: carol } })).toMatchObject({
      status: 400,
      body: { issues: [{ path: ['actor'] }] },
    })
  })

  it('POST …/cancel — withdraws as the caller, with or without a body, and resumes the run with a cancelled signal', async () => {
    const api = await serve(await emptyStore())
    const first = await api.create(deployGate)
    const second = await api.create({ ...deployGate, run_id: 'run_02' })
    const cancelled = await api.send('POST', `/v1/projects/acme/interactions/${first.id}/cancel`, {
      key: 'workflows-key',
      body: { reason: 'superseded' },
    })
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelled_by: workflows, cancel_reason: 'superseded' })
    expect((await api.send('POST', `/v1/projects/acme/interactions/${second.id}/cancel`, { key: 'workflows-key' })).body.status).toBe(
      'cancelled',
    )
    expect(api.delivered.map((signal) => [signal.run_id, signal.status])).toEqual([
      ['run_01abc', 'cancelled'],
      ['run_02', 'cancelled'],
    ])
  })

  it('POST …/reassign — hands the interaction over, recorded as done by the caller', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(deployGate)
    const moved = await api.send('POST', `/v1/projects/acme/interactions/${created.id}/reassign`, {
      key: 'workflows-key',
      body: { from: alice, to: bob, reason: 'Alice is on leave' },
    })
    expect(moved.body.target_actor).toEqual(bob)
    expect((await api.send('GET', '/v1/projects/acme/inbox', { key: 'bob-key' })).body.items.map((item: Interaction) => item.id)).toEqual([
      created.id,
    ])
    const history = await api.send('GET', `/v1/projects/acme/interactions/${created.id}/history`, { key: 'bob-key' })
    expect(history.body.at(-1)).toMatchObject({ type: 'reassigned', actor: workflows })
    expect(
      await api.send('POST', `/v1/projects/acme/interactions/${created.id}/reassign`, { key: 'workflows-key', body: {} }),
    ).toMatchObject({
      status: 400,
      body: { issues: [{ path: ['to'] }] },
    })
  })

  it('POST runs/:run_id/cancel — cancels every pending interaction of the run and says how many', async () => {
    const api = await serve(await emptyStore())
    await api.create(deployGate)
    await api.create({ ...deployGate, topic: 'second-gate' })
    const other = await api.create({ ...deployGate, run_id: 'run_other' })
    const path = '/v1/projects/acme/runs/run_01abc/cancel'
    expect((await api.send('POST', path, { key: 'workflows-key', body: { reason: 'run cancelled' } })).body).toEqual({ cancelled: 2 })
    expect((await api.send('POST', path, { key: 'workflows-key' })).body).toEqual({ cancelled: 0 })
    expect((await api.send('GET', '/v1/projects/acme/inbox', { key: 'alice-key' })).body.items.map((item: Interaction) => item.id)).toEqual(
      [other.id],
    )
  })

  it('GET inbox — pages with limit and cursor; a bad limit, cursor or unknown parameter is a 400 naming it', async () => {
    const api = await serve(await emptyStore())
    const first = await api.create(deployGate)
    api.clock.advance(1_000)
    const second = await api.create(deployGate)
    const page = await api.send('GET', '/v1/projects/acme/inbox?limit=1', { key: 'alice-key' })
    expect(page.body.items.map((item: Interaction) => item.id)).toEqual([first.id])
    const next = await api.send('GET', `/v1/projects/acme/inbox?limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`, {
      key: 'alice-key',
    })
    expect(next.body).toEqual({ items: [second], next_cursor: null })
    for (const [query, parameter] of [
      ['limit=ten', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['page=2', 'page'],
    ]) {
      const refused = await api.send('GET', `/v1/projects/acme/inbox?${query}`, { key: 'alice-key' })
      expect(refused.status, query).toBe(400)
      expect(
        refused.body.issues.map((issue: { path: unknown[] }) => issue.path[0]),
        query,
      ).toEqual([parameter])
    }
    // Another caller's cursor selects nothing in this inbox.
    const bobs = await api.send('GET', `/v1/projects/acme/inbox?cursor=${encodeURIComponent(page.body.next_cursor)}`, { key: 'bob-key' })
    expect(bobs.status).toBe(400)
  })

  it('problems — 401, 404, 405, 413, 415 and malformed JSON, each as problem details with its code', async () => {
    const api = await serve(await emptyStore())
    const created = await api.create(deployGate)
    const path = `/v1/projects/acme/interactions/${created.id}/respond`
    const cases = [
      [await api.send('POST', path, { body: { value: { confirmed: true } } }), 401, 'unauthenticated'],
      [await api.send('GET', '/v1/projects/other/inbox', { key: 'alice-key' }), 401, 'unauthenticated'],
      [await api.send('GET', '/v1/projects/acme/interactions/int_missing', { key: 'alice-key' }), 404, 'not_found'],
      [await api.send('GET', '/v1/projects/acme/nothing', { key: 'alice-key' }), 404, 'route_not_found'],
      [await api.send('GET', path, { key: 'alice-key' }), 405, 'method_not_allowed'],
      [
        await api.send('POST', path, { key: 'alice-key', body: { value: { confirmed: true }, comment: 'x'.repeat(5000) } }),
        413,
        'payload_too_large',
      ],
      [
        await api.send('POST', path, { key: 'alice-key', body: 'confirmed', headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported_media_type',
      ],
      [
        await api.send('POST', path, { key: 'alice-key', body: '{"value":', headers: { 'content-type': 'application/json' } }),
        400,
        'malformed_json',
      ],
    ] as const
    for (const [answer, status, code] of cases) {
      expect(answer.type, code).toBe('application/problem+json')
      expect(answer.body, code).toMatchObject({ status, code, type: `https://hitl.dev/problems/${code}` })
      expect(answer.status, code).toBe(status)
    }
    expect(cases[4][0].response.headers.get('allow')).toBe('POST')
    expect(cases[0][0].response.headers.get('www-authenticate')).toBe('Bearer')
    expect((await api.send('GET', `/v1/projects/acme/interactions/${created.id}`, { key: 'alice-key' })).body.status).toBe('pending')
  })
})
