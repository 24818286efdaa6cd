/** The mounting one-liners of docs/http.md, each serving real requests: Hono, Express 5 and a serverless `fetch` export. */
import type { RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { createHttpHandler } from '@hitl/interactions/http'
import express from 'express'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { alice, deployGate, harness } from '../support/harness.js'
import { listen } from '../support/http-server.js'
import worker from './fixtures/worker.js'

const workflows = { type: 'agent', id: 'workflows' } as const

function setup() {
  const { interactions } = harness()
  const handler = createHttpHandler(interactions, {
    authenticate: (request) => {
      const key = request.headers.get('authorization')
      return key === 'Bearer alice-key' ? { actor: alice } : key === 'Bearer workflows-key' ? { actor: workflows } : null
    },
  })
  return { interactions, handler }
}

const open: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()))
})

async function serve(listener: RequestListener) {
  const server = await listen(listener)
  open.push(server.close)
  return server.url
}

/** Creates the deploy gate as the workflow service and reads Alice's inbox, through whatever serves `base`. */
async function roundTrip(base: string) {
  const created = await fetch(`${base}/v1/projects/acme/interactions`, {
    method: 'POST',
    headers: { authorization: 'Bearer workflows-key', 'content-type': 'application/json' },
    body: JSON.stringify(deployGate),
  })
  expect(created.status).toBe(201)
  const { id } = (await created.json()) as { id: string }
  const inbox = await fetch(`${base}/v1/projects/acme/inbox`, { headers: { authorization: 'Bearer alice-key' } })
  expect(((await inbox.json()) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([id])
  const missing = await fetch(`${base}/v1/projects/acme/nothing`)
  expect(missing.status).toBe(404)
  expect(missing.headers.get('content-type')).toBe('application/problem+json')
  return created
}

describe('mounting the handler', () => {
  it('Hono — app.all forwards the raw request, body included, to the API, the inbox page and the links', async () => {
    const { handler } = setup()
    const app = new Hono()
    app.all('*', (c) => handler(c.req.raw))
    const base = await serve(getRequestListener(app.fetch))
    const created = await roundTrip(base)
    expect(created.headers.get('location')).toMatch(new RegExp(`^${base}/v1/projects/acme/interactions/iact_`))
    const page = await fetch(`${base}/projects/acme/inbox`, { headers: { authorization: 'Bearer alice-key' } })
    expect([page.status, page.headers.get('content-type'), page.headers.get('referrer-policy')]).toEqual([
      200,
      'text/html; charset=utf-8',
      'no-referrer',
    ])
    // The handler's own page (it has no link secret), not Hono's plain-text 404.
    const link = await fetch(`${base}/links/x.y`)
    expect([link.status, link.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8'])
  })

  it('Hono — app.mount serves the API under a prefix', async () => {
    const { handler } = setup()
    const app = new Hono()
    app.mount('/api', handler)
    await roundTrip(`${await serve(getRequestListener(app.fetch))}/api`)
  })

  it('Express 5 — app.use(getRequestListener(handler)) at the root', async () => {
    const { handler } = setup()
    const app = express()
    app.use(getRequestListener(handler))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    open.push(() => new Promise((resolve) => server.close(() => resolve())))
    await roundTrip(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  })

  it('serverless — a default export { fetch } answers the platform’s Request', async () => {
    const created = await worker.fetch(
      new Request('https://example.test/v1/projects/acme/interactions', {
        method: 'POST',
        headers: { authorization: 'Bearer alice-key', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'approval', target_actor: { type: 'member', id: 'user_bob' }, spec: { mode: 'confirm' } }),
      }),
    )
    expect(created.status).toBe(201)
    const record = (await created.json()) as { id: string; requested_by: unknown }
    expect(record.requested_by).toEqual(alice)
    expect(created.headers.get('location')).toBe(`https://example.test/v1/projects/acme/interactions/${record.id}`)
  })
})
