import { InteractionError } from '@hitl/interactions'
import { createHttpHandler } from '@hitl/interactions/http'
import { describe, expect, it } from 'vitest'
import { alice, deployGate, harness, rejection } from '../support/harness.js'

const asAlice = (request: Request) => (request.headers.get('authorization') === 'Bearer alice-key' ? { actor: alice } : null)

function setup() {
  const { interactions } = harness()
  return { interactions, handler: createHttpHandler(interactions, { authenticate: asAlice, maxBodyBytes: 1024 }) }
}

const problemOf = async (response: Response) => {
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  return (await response.json()) as { status: number; code: string; detail: string }
}

describe('createHttpHandler — routing and problems', () => {
  it('get — answers the interaction to an authenticated caller', async () => {
    const { interactions, handler } = setup()
    const created = await interactions.create('acme', deployGate)
    const response = await handler(
      new Request(`http://localhost/v1/projects/acme/interactions/${created.id}`, { headers: { authorization: 'Bearer alice-key' } }),
    )
    expect(response.status).toBe(200)
    expect([response.headers.get('cache-control'), response.headers.get('x-content-type-options')]).toEqual(['no-store', 'nosniff'])
    expect(await response.json()).toEqual(created)
  })

  it('unknown route — 404 problem naming the path', async () => {
    const { handler } = setup()
    const problem = await problemOf(await handler(new Request('http://localhost/v2/nothing')))
    expect(problem).toMatchObject({ status: 404, code: 'route_not_found', detail: 'No route for /v2/nothing.' })
    expect((await handler(new Request('http://localhost/v2/nothing'))).headers.get('cache-control')).toBe('no-store')
  })

  it('wrong method — 405 with Allow listing the methods the path has', async () => {
    const { handler } = setup()
    const response = await handler(new Request('http://localhost/v1/projects/acme/interactions/x', { method: 'DELETE' }))
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET')
    expect(await problemOf(response)).toMatchObject({ code: 'method_not_allowed' })
  })

  it('no credentials — 401 with a Bearer challenge, before the service is asked', async () => {
    const { handler } = setup()
    const response = await handler(new Request('http://localhost/v1/projects/acme/interactions/missing'))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await problemOf(response)).toMatchObject({ code: 'unauthenticated' })
  })

  it('library errors — keep their code and suggested status', async () => {
    const { handler } = setup()
    const response = await handler(
      new Request('http://localhost/v1/projects/acme/interactions/missing', { headers: { authorization: 'Bearer alice-key' } }),
    )
    expect(await problemOf(response)).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('malformed percent-encoding in the path — 400, not a crash', async () => {
    const { handler } = setup()
    expect(await problemOf(await handler(new Request('http://localhost/v1/projects/%E0%A4%A/interactions/x')))).toMatchObject({
      status: 400,
      code: 'malformed_path',
    })
  })

  it('a host whose authenticate returns a malformed actor — 500 configuration problem, never a guessed identity', async () => {
    const { interactions } = harness()
    const handler = createHttpHandler(interactions, { authenticate: () => ({ actor: { type: 'group', id: 'ops' } as never }) })
    const response = await handler(new Request('http://localhost/v1/projects/acme/interactions/x'))
    // The host's setup is its operators' business: the client learns the code, not the details.
    expect(await problemOf(response)).toMatchObject({
      status: 500,
      code: 'configuration',
      detail: 'The server is not set up correctly.',
      issues: [],
    })
  })

  it('options — a missing authenticate or a short link secret is a configuration error naming the option', async () => {
    const { interactions } = harness()
    const error = await rejection(async () => createHttpHandler(interactions, { links: { secret: 'short' } } as never))
    expect(error.code).toBe('configuration')
    expect(error.issues.map((issue) => issue.path.join('.'))).toEqual(['authenticate', 'links.secret'])
  })

  it('authenticate throwing an InteractionError — answers its status, so a host can refuse a route to a role', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', deployGate)
    const handler = createHttpHandler(interactions, {
      authenticate: (request) => {
        if (new URL(request.url).pathname.endsWith('/cancel')) throw new InteractionError('not_eligible', 'only a team lead may cancel')
        return { actor: alice }
      },
    })
    const refused = await handler(new Request(`http://localhost/v1/projects/acme/interactions/${created.id}/cancel`, { method: 'POST' }))
    expect(await problemOf(refused)).toMatchObject({ status: 403, code: 'not_eligible', detail: 'only a team lead may cancel' })
    expect((await interactions.get('acme', created.id)).status).toBe('pending')
  })

  it('a plain object named InteractionError — its code decides the status, its missing issues are none, pages too', async () => {
    const { interactions } = harness()
    const thrown = { name: 'InteractionError', code: 'not_found', message: 'no project acme here' }
    const handler = createHttpHandler(interactions, {
      authenticate: (request) => {
        throw request.headers.has('x-lying-status') ? { ...thrown, code: 'validation_failed', status: 200 } : thrown
      },
    })
    const api = await handler(new Request('http://localhost/v1/projects/acme/inbox'))
    expect(await problemOf(api)).toMatchObject({ status: 404, code: 'not_found', detail: 'no project acme here', issues: [] })
    const lying = await handler(new Request('http://localhost/v1/projects/acme/inbox', { headers: { 'x-lying-status': '1' } }))
    expect(await problemOf(lying)).toMatchObject({ status: 400, code: 'validation_failed', issues: [] })
    const page = await handler(new Request('http://localhost/projects/acme/inbox'))
    expect(page.status).toBe(404)
    expect(await page.text()).toContain('no project acme here')
  })

  it('reads are scoped to the project authenticate admits the caller to — another project’s interaction is not found', async () => {
    const { interactions, handler } = setup()
    const created = await interactions.create('other', deployGate)
    const response = await handler(
      new Request(`http://localhost/v1/projects/acme/interactions/${created.id}`, { headers: { authorization: 'Bearer alice-key' } }),
    )
    expect(await problemOf(response)).toMatchObject({ status: 404, code: 'not_found' })
  })
})
