/** Whatever a client sends, the handler answers it as a client's mistake or a success: never a 5xx. */
import { createHttpHandler, createResponseLink } from '@hitl/interactions/http'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { alice, bob, deployGate, harness } from '../support/harness.js'

// Sized to run in a few seconds; FC_RUNS raises it.
const RUNS = Number(process.env.FC_RUNS ?? 1000)
const workflows = { type: 'agent', id: 'workflows' } as const
const SECRET = 'a-secret-of-at-least-16-characters'

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 24 })
const segment = fc.oneof(
  fc.constantFrom(
    'v1',
    'projects',
    'acme',
    'interactions',
    'history',
    'respond',
    'claim',
    'release',
    'cancel',
    'reassign',
    'runs',
    'inbox',
    'openapi.json',
  ),
  fc.constantFrom('%', '%E0%A4%A', '%00', '%20acme', '..', '%2F', 'x'.repeat(300)),
  printable.map(encodeURIComponent),
)
/** Mostly `usual`, sometimes one of `unusual`. */
const mostly = <T>(usual: T, ...unusual: T[]) =>
  fc.oneof({ arbitrary: fc.constant(usual), weight: 3 }, { arbitrary: fc.constantFrom(...unusual), weight: 1 })
/** Mostly the shape of a real route, with the known interaction's id, run or link in it, so requests reach the service. */
const path = fc.oneof(
  {
    arbitrary: fc.constantFrom('/projects/acme/inbox', '/projects/acme/inbox/ID', '/projects/other/inbox/x', '/links/TOKEN', '/links/x.y'),
    weight: 1,
  },
  { arbitrary: fc.array(segment, { maxLength: 7 }).map((segments) => `/${segments.join('/')}`), weight: 1 },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        mostly('acme', 'other', ' acme', '%00', ''),
        fc.constantFrom(
          'interactions/ID',
          'interactions/ID/history',
          'interactions/ID/respond',
          'interactions/ID/claim',
          'interactions/ID/release',
          'interactions/ID/cancel',
          'interactions/ID/reassign',
          'interactions',
          'runs/run_01abc/cancel',
          'inbox',
        ),
        mostly('', '?limit=1', '?limit=-1', '?limit=1e2', '?cursor=abc', '?cursor=', '?limit=5&limit=x', '?x=1'),
      )
      .map(([project, rest, query]) => `/v1/projects/${project}/${rest}${query}`),
  },
)
const json = fc.oneof(
  fc.constantFrom({ value: { confirmed: true } }, deployGate, { to: bob }, {}),
  fc.jsonValue(),
  fc.record({ value: fc.jsonValue(), comment: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ value: fc.constantFrom({ confirmed: true }, { confirmed: 'yes' }, {}), actor: fc.jsonValue() }, { requiredKeys: ['value'] }),
  fc.record(
    { to: fc.constantFrom(bob, { type: 'group', id: 'g' }, null), from: fc.jsonValue(), reason: fc.jsonValue() },
    { requiredKeys: [] },
  ),
  fc
    .dictionary(fc.constantFrom(...Object.keys(deployGate), 'requested_by', 'idempotency_key', '__proto__', 'constructor'), fc.jsonValue())
    .map((changes) => ({ ...deployGate, ...changes })),
)
/** Nesting far deeper than any limit, where a recursive check would overflow the stack, in a proposal's schema and elsewhere. */
const nested = (open: string, inner: string, close: string) => `${open.repeat(3000)}${inner}${close.repeat(3000)}`
const deepSchema = JSON.stringify({ ...deployGate, spec: { mode: 'confirm', proposal: { value: {}, schema: 'SCHEMA' } } }).replace(
  '"SCHEMA"',
  nested('{"items":', '{}', '}'),
)
const deep = fc.constantFrom(
  deepSchema,
  `{"value":{"confirmed":true,"edited":${nested('[', '', ']')}}}`,
  `{"value":${nested('{"a":', '1', '}')}}`,
  nested('[', '', ']'),
)
const form = fc.constantFrom(
  'confirmed=true',
  'confirmed=false&reason=x&reason_text=because%0D%0A',
  'confirmed=&edited=%7B',
  'confirmed=true&edited=%5B%5D&comment=ok',
  'value=eu&values=a&values=b&text=%00',
)
const body = fc.oneof(
  json.map((value) => JSON.stringify(value)),
  deep,
  form,
  // Over the default 64 KiB limit, often enough that some reach a route that reads the body.
  fc.constant('x'.repeat(70_000)),
  printable,
  fc.constantFrom('', '{', '{"value":', '[]', 'null', '"\\ud800"', '{"value":{"text":"\\u0000"}}'),
)
const request = fc.record({
  method: fc.oneof(
    { arbitrary: fc.constantFrom('GET', 'POST'), weight: 3 },
    fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND'),
  ),
  path,
  authorization: mostly<string | undefined>(
    'Bearer alice-key',
    'Bearer bob-key',
    'Bearer workflows-key',
    'Bearer nobody',
    'Basic x',
    undefined,
  ),
  contentType: mostly<string | undefined>(
    'application/json',
    'application/json; charset=utf-8',
    'application/problem+json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data',
    '',
    undefined,
  ),
  idempotencyKey: fc.option(fc.oneof(printable, fc.constantFrom(' key', 'deploy-1')), { nil: undefined }),
  ended: fc.boolean(),
  body: fc.option(body, { nil: undefined }),
})

// A thousand requests take seconds, more on a busy machine.
it('random methods, paths, headers and bodies never get a 5xx', { timeout: 60_000 }, async () => {
  const { interactions, clock } = harness()
  const handler = createHttpHandler(interactions, {
    links: { secret: SECRET },
    clock: clock.now,
    authenticate: (request) => {
      const key = request.headers.get('authorization')
      const actor = { 'Bearer alice-key': alice, 'Bearer bob-key': bob, 'Bearer workflows-key': workflows }[key ?? '']
      return actor === undefined ? null : { actor }
    },
  })
  // Alice requested it, so her cancel, the likeliest, ends it and later requests reach the service's 409s.
  const { id } = await interactions.create('acme', { ...deployGate, target_actor: bob, requested_by: alice })
  // One that has ended, so that acting on it reaches the service's 409s whatever else the run does.
  const cancelled = await interactions.cancel('acme', (await interactions.create('acme', { ...deployGate, target_actor: bob })).id, {
    actor: alice,
  })
  const token = new URL(
    await createResponseLink(await interactions.get('acme', id), {
      actor: bob,
      baseUrl: 'http://localhost',
      secret: SECRET,
      clock: clock.now,
    }),
  ).pathname
    .split('/')
    .pop()!
  const statuses = new Set<number>()
  await fc.assert(
    fc.asyncProperty(request, async ({ method, path, authorization, contentType, idempotencyKey, body, ended }) => {
      const headers = new Headers()
      if (authorization !== undefined) headers.set('authorization', authorization)
      if (contentType !== undefined) headers.set('content-type', contentType)
      if (idempotencyKey !== undefined) headers.set('idempotency-key', idempotencyKey)
      const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD'
      const response = await handler(
        new Request(`http://localhost${path.replaceAll('ID', ended ? cancelled.id : id).replace('TOKEN', token)}`, {
          method,
          headers,
          ...(withBody && { body }),
        }),
      )
      statuses.add(response.status)
      expect(response.status, `${method} ${path}: ${(await response.clone().text()).slice(0, 500)}`).toBeLessThan(500)
      // People's pages refuse with a page; everything else, and routing, with problem details.
      if (response.status >= 400)
        expect(['application/problem+json', 'text/html; charset=utf-8']).toContain(response.headers.get('content-type'))
    }),
    { numRuns: RUNS },
  )
  // The requests reached past routing and authentication, to the service's own answers.
  expect([...statuses]).toEqual(expect.arrayContaining([200, 400, 401, 404, 405, 409, 413, 415]))
})

it('a proposal schema nested 3 000 levels deep — a 400 naming the nesting, not a 500 from the validator', async () => {
  const { interactions } = harness()
  const handler = createHttpHandler(interactions, { authenticate: () => ({ actor: workflows }) })
  const response = await handler(
    new Request('http://localhost/v1/projects/acme/interactions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deepSchema,
    }),
  )
  expect(response.status).toBe(400)
  expect(await response.json()).toMatchObject({ issues: [{ path: expect.arrayContaining(['spec', 'proposal', 'schema']) }] })
})
