/** Who may do what over HTTP: the default rule, the reviewer's attacks on it, and a host's own `authorize`. */
import type { InteractionStore } from '@hitl/interactions'
import { createHttpHandler, defaultAuthorize, type AuthorizeRequest, type HttpHandlerOptions } from '@hitl/interactions/http'
import { afterEach, expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness } from '../support/harness.js'
import { expectUnchanged, serveFetch } from '../support/http-server.js'

const workflows = { type: 'agent', id: 'workflows' } as const
const CALLERS = { workflows, alice, bob, carol } as const
type Caller = keyof typeof CALLERS

const closers: (() => Promise<void>)[] = []
afterEach(async () => Promise.all(closers.splice(0).map((close) => close())))

/** The handler on 127.0.0.1, the caller named by the bearer token, with the default rule unless `authorize` is given. */
async function serve(store: InteractionStore, authorize?: HttpHandlerOptions['authorize']) {
  const h = harness({ store })
  const handler = createHttpHandler(h.interactions, {
    authenticate: (request) => {
      const name = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''
      return Object.hasOwn(CALLERS, name) ? { actor: CALLERS[name as Caller] } : null
    },
    ...(authorize && { authorize }),
  })
  const server = await serveFetch(handler)
  closers.push(server.close)
  const send = async (caller: Caller, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/v1/projects/acme/${path}`, {
      method,
      headers: { authorization: `Bearer ${caller}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    return { status: response.status, body: (await response.json()) as any }
  }
  const unchanged = (ids: string[], act: () => Promise<unknown>) => expectUnchanged(store, ids, act)
  return { ...h, url: server.url, send, unchanged }
}

const forbidden = { status: 403, body: { code: 'forbidden' } }

describeEachStore('authorization — the default rule', (emptyStore) => {
  it('reassign to self, then approve — a member cannot take over an approval another requested', async () => {
    const api = await serve(await emptyStore())
    const gate = await api.interactions.create('acme', { ...deployGate, requested_by: workflows })
    await api.unchanged([gate.id], async () => {
      expect(await api.send('bob', 'POST', `interactions/${gate.id}/reassign`, { to: bob })).toMatchObject(forbidden)
      expect(await api.send('bob', 'POST', `interactions/${gate.id}/respond`, { value: { confirmed: true } })).toMatchObject({
        status: 403,
      })
    })
  })

  it('create — a member may not name another requester; as themselves, or with none, they may', async () => {
    const api = await serve(await emptyStore())
    await api.unchanged([], async () => {
      const forged = await api.send('bob', 'POST', 'interactions', { ...deployGate, requested_by: carol })
      expect(forged).toMatchObject(forbidden)
      expect(forged.body.detail).toBe('member "user_bob" may not create here.')
    })
    expect(await api.send('bob', 'POST', 'interactions', { ...deployGate, requested_by: bob })).toMatchObject({ status: 201 })
    expect(await api.send('bob', 'POST', 'interactions', deployGate)).toMatchObject({ status: 201, body: { requested_by: bob } })
    expect(await api.send('workflows', 'POST', 'interactions', { ...deployGate, requested_by: carol })).toMatchObject({
      status: 201,
      body: { requested_by: carol },
    })
  })

  it("cancel and reassign — a member may not touch another's interaction, but may their own", async () => {
    const api = await serve(await emptyStore())
    const carols = await api.interactions.create('acme', { ...deployGate, requested_by: carol })
    await api.unchanged([carols.id], async () => {
      expect(await api.send('bob', 'POST', `interactions/${carols.id}/cancel`)).toMatchObject(forbidden)
      expect(await api.send('alice', 'POST', `interactions/${carols.id}/cancel`, { reason: 'mine now' })).toMatchObject(forbidden)
      expect(await api.send('bob', 'POST', `interactions/${carols.id}/reassign`, { to: bob })).toMatchObject(forbidden)
    })
    expect(await api.send('carol', 'POST', `interactions/${carols.id}/reassign`, { to: bob })).toMatchObject({ status: 200 })
    expect(await api.send('carol', 'POST', `interactions/${carols.id}/cancel`)).toMatchObject({
      status: 200,
      body: { status: 'cancelled' },
    })
  })

  it('runs/:run_id/cancel — for agents only', async () => {
    const api = await serve(await emptyStore())
    const gate = await api.interactions.create('acme', { ...deployGate, requested_by: bob })
    await api.unchanged([gate.id], async () => {
      expect(await api.send('bob', 'POST', 'runs/run_01abc/cancel')).toMatchObject(forbidden)
    })
    expect(await api.send('workflows', 'POST', 'runs/run_01abc/cancel')).toMatchObject({ status: 200, body: { cancelled: 1 } })
  })

  it('members read, list their inbox, respond, claim and release', async () => {
    const api = await serve(await emptyStore())
    const gate = await api.interactions.create('acme', { ...deployGate, requested_by: workflows })
    const group = await api.interactions.create('acme', {
      ...deployGate,
      target_actor: { type: 'group', id: 'group_ops' },
      routing_policy: 'first_responder',
    })
    expect(await api.send('carol', 'GET', `interactions/${gate.id}`)).toMatchObject({ status: 200 })
    expect(await api.send('carol', 'GET', `interactions/${gate.id}/history`)).toMatchObject({ status: 200 })
    expect(await api.send('alice', 'GET', 'inbox')).toMatchObject({ status: 200 })
    expect(await api.send('bob', 'POST', `interactions/${group.id}/claim`)).toMatchObject({ status: 200 })
    expect(await api.send('bob', 'POST', `interactions/${group.id}/release`)).toMatchObject({ status: 200 })
    expect(await api.send('alice', 'POST', `interactions/${gate.id}/respond`, { value: { confirmed: true } })).toMatchObject({
      status: 200,
    })
  })
})

describeEachStore('authorization — the host’s own rule', (emptyStore) => {
  it('authorize — asked with the action, caller, project and interaction; anything but true is a 403 changing nothing', async () => {
    const asked: AuthorizeRequest[] = []
    const api = await serve(await emptyStore(), (request) => {
      asked.push(request)
      return (request.action === 'respond' ? 'yes' : defaultAuthorize(request)) as boolean
    })
    const gate = await api.interactions.create('acme', { ...deployGate, requested_by: workflows })
    await api.unchanged([gate.id], async () => {
      expect(await api.send('alice', 'POST', `interactions/${gate.id}/respond`, { value: { confirmed: true } })).toMatchObject(forbidden)
    })
    expect(asked).toEqual([{ action: 'respond', caller: alice, project: 'acme', interaction: gate }])
  })

  it('pages — a refusal is a 403 page, and the inbox page asks for `inbox`', async () => {
    const api = await serve(await emptyStore(), (request) => request.action !== 'inbox')
    const page = await fetch(`${api.url}/projects/acme/inbox`, { headers: { authorization: 'Bearer alice' } })
    expect(page.status).toBe(403)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
  })
})
