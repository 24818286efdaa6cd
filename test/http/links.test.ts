import type { InteractionStore, Participant } from '@hitl/interactions'
import { createHttpHandler, createResponseLink } from '@hitl/interactions/http'
import { afterEach, expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness, rejection } from '../support/harness.js'
import { expectUnchanged, postForm, serveFetch } from '../support/http-server.js'

const SECRET = 'link-secret-0123456789'
const OLD_SECRET = 'link-secret-retired-0123'
const closers: (() => Promise<void>)[] = []
afterEach(async () => Promise.all(closers.splice(0).map((close) => close())))

/** A service on `store` and its handler on a real loopback server, verifying links with `secret`. */
async function serve(store: InteractionStore, secret: string | string[] = SECRET) {
  const h = harness({ store })
  const handler = createHttpHandler(h.interactions, { authenticate: () => null, links: { secret }, clock: h.clock.now })
  const server = await serveFetch(handler)
  closers.push(server.close)
  const linkFor = (
    interaction: Parameters<typeof createResponseLink>[0],
    actor: Participant,
    options: { ttl?: number; secret?: string | string[] } = {},
  ) => createResponseLink(interaction, { actor, baseUrl: server.url, secret: SECRET, clock: h.clock.now, ...options })
  const unchanged = (ids: string[], act: () => Promise<unknown>) => expectUnchanged(store, ids, act)
  return { ...h, server, linkFor, unchanged }
}

const confirm = (url: string, confirmed = true) => postForm(url, { confirmed: String(confirmed) })
const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!
const withToken = (url: string, token: string) => new URL(`/links/${token}`, url).href
const payloadOf = (url: string) => JSON.parse(Buffer.from(tokenOf(url).split('.')[0]!, 'base64url').toString()) as Record<string, unknown>
const firstResponderGate = { ...deployGate, target_actor: { type: 'group', id: 'group_ops' }, requested_by: carol } as const

describeEachStore('signed response links', (emptyStore) => {
  it('GET — shows the question and the controls, and any number of fetches change nothing', async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const url = await linkFor(gate, alice)
    await unchanged([gate.id], async () => {
      for (let fetches = 0; fetches < 5; fetches++) {
        const response = await fetch(url)
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
        const page = await response.text()
        expect(page).toContain('Approve deployment of service-api to production?')
        expect(page).toContain('<button type="submit" name="confirmed" value="true" class="primary">Approve</button>')
        expect(page).toContain(`action="${new URL(url).pathname}"`)
      }
    })
    expect((await interactions.get('acme', gate.id)).version).toBe(gate.version)
  })

  it("POST — records the answer as the link's actor, and a replay is a 409 page that changes nothing", async () => {
    const { interactions, linkFor, unchanged, delivered } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const url = await linkFor(gate, alice)
    const response = await postForm(url, { confirmed: 'true', comment: 'Ship it' })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Your answer was recorded.')
    const record = await interactions.get('acme', gate.id)
    expect(record).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      responses: [{ actor: alice, value: { confirmed: true }, comment: 'Ship it' }],
    })
    expect(delivered.map((signal) => signal.run_id)).toEqual(['run_01abc'])
    await unchanged([gate.id], async () => {
      for (const replay of [await confirm(url, false), await fetch(url)]) {
        expect(replay.status).toBe(409)
        expect(await replay.text()).toContain('This interaction was completed already')
      }
    })
  })

  it('replay on an all_members item — a member who answered gets a 409 page, while the item waits for the others', async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const vote = await interactions.create('acme', { ...firstResponderGate, routing_policy: 'all_members' })
    const url = await linkFor(vote, alice)
    expect((await confirm(url)).status).toBe(200)
    expect((await interactions.get('acme', vote.id)).status).toBe('pending')
    await unchanged([vote.id], async () => {
      const replay = await confirm(url)
      expect(replay.status).toBe(409)
      expect(await replay.text()).toContain('Your answer was recorded already.')
    })
  })

  it('expiry — a link past its ttl is a 410 page for GET and POST, and the expiry never passes expires_at', async () => {
    const { interactions, linkFor, unchanged, clock } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const url = await linkFor(gate, alice, { ttl: 60 })
    clock.advance(60_000)
    await unchanged([gate.id], async () => {
      for (const response of [await fetch(url), await confirm(url)]) {
        expect(response.status).toBe(410)
        expect(await response.text()).toContain('This link has expired.')
      }
    })
    const longLink = await linkFor(gate, alice, { ttl: 30 * 24 * 60 * 60 })
    expect(payloadOf(longLink).exp).toBe(Date.parse(deployGate.expires_at) / 1000)
  })

  it('tampering — a changed signature, actor or interaction id is a 403 page and changes nothing', async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const other = await interactions.create('acme', { ...deployGate, run_id: 'run_02', message: 'Another' })
    const url = await linkFor(gate, alice)
    const [payload, signature] = tokenOf(url).split('.') as [string, string]
    const flipped = `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
    const asBob = `${Buffer.from(JSON.stringify({ ...payloadOf(url), actor: bob })).toString('base64url')}.${signature}`
    const toOther = `${tokenOf(await linkFor(other, alice)).split('.')[0]}.${signature}`
    await unchanged([gate.id, other.id], async () => {
      for (const token of [flipped, asBob, toOther, payload, `${payload}.${signature}.x`, 'not-a-token']) {
        for (const response of [await fetch(withToken(url, token)), await confirm(withToken(url, token))]) {
          expect(response.status).toBe(403)
          expect(await response.text()).toContain('This link is not valid')
        }
      }
    })
  })

  it('wrong actor — a signed link for someone the interaction is not routed to is refused with 403, nothing recorded', async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const url = await linkFor(gate, bob)
    await unchanged([gate.id], async () => {
      for (const response of [await fetch(url), await confirm(url)]) {
        expect(response.status).toBe(403)
        expect(await response.text()).toContain('You may not answer this interaction now.')
      }
    })
  })

  it("self-approval — the requester's own link cannot approve, while a member's link can", async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', firstResponderGate)
    const own = await linkFor(gate, carol)
    await unchanged([gate.id], async () => {
      const response = await confirm(own)
      expect(response.status).toBe(403)
    })
    expect((await confirm(await linkFor(gate, bob))).status).toBe(200)
    expect(await interactions.get('acme', gate.id)).toMatchObject({ status: 'completed', responses: [{ actor: bob }] })
  })

  it('ended meanwhile — cancelled or completed by someone else is a 409 page, expired a 410 page', async () => {
    const { interactions, linkFor, unchanged, clock } = await serve(await emptyStore())
    const cancelled = await interactions.create('acme', deployGate)
    const cancelLink = await linkFor(cancelled, alice)
    await interactions.cancel('acme', cancelled.id, { actor: carol, reason: 'superseded' })
    const taken = await interactions.create('acme', firstResponderGate)
    const takenLink = await linkFor(taken, alice)
    await interactions.respond('acme', taken.id, { actor: bob, value: { confirmed: false } })
    const lapsed = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-21T10:00:00Z' })
    const lapsedLink = await linkFor(lapsed, alice)
    clock.set('2026-04-21T10:00:00Z')
    await interactions.sweep()
    await unchanged([cancelled.id, taken.id, lapsed.id], async () => {
      for (const [url, status, text] of [
        [cancelLink, 409, 'This interaction was cancelled already'],
        [takenLink, 409, 'This interaction was completed already'],
        [lapsedLink, 410, 'expired'],
      ] as const) {
        for (const response of [await fetch(url), await confirm(url)]) {
          expect(response.status).toBe(status)
          expect(await response.text()).toContain(text)
        }
      }
    })
  })

  it('secret rotation — a link signed with the old secret verifies while it is listed, and not after', async () => {
    const store = await emptyStore()
    const { interactions, linkFor } = await serve(store, [SECRET, OLD_SECRET])
    const gate = await interactions.create('acme', deployGate)
    const oldLink = await linkFor(gate, alice, { secret: OLD_SECRET })
    const newLink = await linkFor(gate, alice, { secret: [SECRET, OLD_SECRET] })
    expect((await fetch(oldLink)).status).toBe(200)
    const rotated = createHttpHandler(interactions, {
      authenticate: () => null,
      links: { secret: SECRET },
      clock: () => new Date('2026-04-21T09:00:00Z'),
    })
    const afterRotation = await serveFetch(rotated)
    closers.push(afterRotation.close)
    const relocated = (url: string) => new URL(new URL(url).pathname, afterRotation.url).href
    expect((await fetch(relocated(oldLink))).status).toBe(403)
    expect((await fetch(relocated(newLink))).status).toBe(200)
  })

  it('validation — an answer the spec refuses re-renders the page with the error next to the field (422), nothing recorded', async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const note = await interactions.create('acme', {
      type: 'input',
      target_actor: alice,
      message: 'Release notes?',
      spec: { mode: 'input', max_length: 5 },
    })
    const url = await linkFor(note, alice)
    await unchanged([note.id], async () => {
      const response = await postForm(url, { text: 'far too long' })
      expect(response.status).toBe(422)
      const page = await response.text()
      expect(page).toContain(`aria-invalid="true" aria-describedby="i-${note.id}-value-error"`)
      expect(page).toContain(`<p class="error" id="i-${note.id}-value-error">must be at most 5 characters</p>`)
      expect(page).toContain('value="far too long"')
    })
  })

  it('cross-site posts — refused with 403 by Sec-Fetch-Site or Origin, nothing recorded', async () => {
    const { interactions, linkFor, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const url = await linkFor(gate, alice)
    await unchanged([gate.id], async () => {
      for (const headers of [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'https://evil.example' },
      ] as Record<string, string>[]) {
        const response = await postForm(url, { confirmed: 'true' }, headers)
        expect(response.status).toBe(403)
        expect(await response.text()).toContain('This form can only be sent from its own page.')
      }
    })
  })
})

it('without links — the link routes answer 404 pages', async () => {
  const { interactions } = harness()
  const gate = await interactions.create('acme', deployGate)
  const url = await createResponseLink(gate, { actor: alice, baseUrl: 'http://localhost', secret: SECRET })
  const response = await createHttpHandler(interactions, { authenticate: () => null })(new Request(url))
  expect(response.status).toBe(404)
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
})

it('createResponseLink — bad options are validation_failed naming each option', async () => {
  const gate = await harness().interactions.create('acme', deployGate)
  const error = await rejection(() => createResponseLink(gate, { actor: alice, baseUrl: 'not a url', secret: 'short', ttl: 0 }))
  expect(error.code).toBe('validation_failed')
  expect(error.issues.map((issue) => issue.path.join('.'))).toEqual(['baseUrl', 'secret', 'ttl'])
})
