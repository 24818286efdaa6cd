/** The JSON API's posts against cross-site requests, for hosts that authenticate browsers by cookie. */
import type { InteractionStore } from '@hitl/interactions'
import { createHttpHandler } from '@hitl/interactions/http'
import { afterEach, expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { bob, deployGate, harness } from '../support/harness.js'
import { expectUnchanged, postForm, serveFetch } from '../support/http-server.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => Promise.all(closers.splice(0).map((close) => close())))

/** The handler on 127.0.0.1 whose host names Bob by a session cookie, with a group item Bob may claim and one he requested. */
async function serve(store: InteractionStore) {
  const h = harness({ store })
  const handler = createHttpHandler(h.interactions, {
    authenticate: (request) => (request.headers.get('cookie') === 'session=bob' ? { actor: bob } : null),
  })
  const server = await serveFetch(handler)
  closers.push(server.close)
  const group = await h.interactions.create('acme', {
    ...deployGate,
    target_actor: { type: 'group', id: 'group_ops' },
    routing_policy: 'first_responder',
  })
  const own = await h.interactions.create('acme', { ...deployGate, requested_by: bob })
  const api = (path: string) => `${server.url}/v1/projects/acme/${path}`
  const unchanged = (act: () => Promise<unknown>) => expectUnchanged(store, [group.id, own.id], act)
  return { ...h, group, own, api, unchanged }
}

describeEachStore('JSON API — cross-site posts', (emptyStore) => {
  it('a form another site posts, empty, to claim, release, cancel or a run’s cancel is refused and changes nothing', async () => {
    const { group, own, api, unchanged } = await serve(await emptyStore())
    const targets = [
      `interactions/${group.id}/claim`,
      `interactions/${group.id}/release`,
      `interactions/${own.id}/cancel`,
      'runs/run_01abc/cancel',
    ]
    await unchanged(async () => {
      for (const target of targets) {
        const bySite = await postForm(
          api(target),
          {},
          { cookie: 'session=bob', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
        )
        expect([target, bySite.status, ((await bySite.json()) as { code: string }).code]).toEqual([target, 403, 'cross_site_request'])
        const byOrigin = await postForm(api(target), {}, { cookie: 'session=bob', origin: 'https://evil.example' })
        expect([target, byOrigin.status]).toEqual([target, 403])
        // An older browser that sends neither header: the form's type alone refuses the empty body.
        const byType = await fetch(api(target), {
          method: 'POST',
          headers: { cookie: 'session=bob', 'content-type': 'application/x-www-form-urlencoded' },
        })
        expect([target, byType.status, ((await byType.json()) as { code: string }).code]).toEqual([target, 415, 'unsupported_media_type'])
      }
    })
  })

  it('clients that are no browser (no Origin, no Sec-Fetch-Site) and same-origin pages keep working', async () => {
    const { group, own, api } = await serve(await emptyStore())
    const claim = await fetch(api(`interactions/${group.id}/claim`), { method: 'POST', headers: { cookie: 'session=bob' } })
    expect(claim.status).toBe(200)
    const cancel = await fetch(api(`interactions/${own.id}/cancel`), {
      method: 'POST',
      headers: {
        cookie: 'session=bob',
        'content-type': 'application/json',
        origin: new URL(api('')).origin,
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify({ reason: 'not needed' }),
    })
    expect(cancel.status).toBe(200)
  })
})
