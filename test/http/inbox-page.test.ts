import type { CreateInteractionInput, InteractionStore } from '@hitl/interactions'
import { createHttpHandler } from '@hitl/interactions/http'
import { afterEach, expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness } from '../support/harness.js'
import { expectUnchanged, postForm, serveFetch } from '../support/http-server.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => Promise.all(closers.splice(0).map((close) => close())))

const options = [
  { value: 'lint', label: 'Lint' },
  { value: 'unit', label: 'Unit tests', description: 'about 3 minutes' },
  { value: 'e2e', label: 'Browser tests' },
]
const checks: CreateInteractionInput = {
  type: 'input',
  target_actor: bob,
  message: 'Which checks must pass?',
  spec: { mode: 'multi_select', options, default_values: ['lint', 'unit'], min_selections: 2, max_selections: 2 },
}

/** The handler on a loopback server; the caller is named by an `actor` cookie, as a host's session would. */
async function serve(store: InteractionStore) {
  const h = harness({ store })
  const handler = createHttpHandler(h.interactions, {
    authenticate: (request) => {
      const id = /(?:^|;\s*)actor=([\w-]+)/.exec(request.headers.get('cookie') ?? '')?.[1]
      return id === undefined ? null : { actor: { type: 'member', id } }
    },
    clock: h.clock.now,
  })
  const server = await serveFetch(handler)
  closers.push(server.close)
  const as = (actor: { id: string }) => ({ cookie: `actor=${actor.id}` })
  const inbox = (actor: { id: string }) => fetch(`${server.url}/projects/acme/inbox`, { headers: as(actor) })
  const post = (actor: { id: string }, id: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    postForm(`${server.url}/projects/acme/inbox/${id}`, fields, { ...as(actor), ...headers })
  const unchanged = (ids: string[], act: () => Promise<unknown>) => expectUnchanged(store, ids, act)
  return { ...h, url: server.url, inbox, post, unchanged }
}

/** The ids of every form control on the page, and the `for` of every label. */
const controlIds = (page: string) => [...page.matchAll(/<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1])
const labelTargets = (page: string) => new Set([...page.matchAll(/<label\b[^>]*\bfor="([^"]+)"/g)].map((m) => m[1]))

describeEachStore('inbox page', (emptyStore) => {
  it('GET — renders each spec mode as its control, every control labelled, a select’s radios required', async () => {
    const { interactions, inbox } = await serve(await emptyStore())
    await interactions.create('acme', { ...deployGate, target_actor: bob })
    const region = await interactions.create('acme', {
      type: 'review',
      target_actor: bob,
      message: 'Which region?',
      spec: {
        mode: 'select',
        options: [
          { value: 'eu', label: 'Europe' },
          { value: 'us', label: 'America' },
        ],
        default_value: 'us',
      },
    })
    const multi = await interactions.create('acme', checks)
    const note = await interactions.create('acme', {
      type: 'input',
      target_actor: bob,
      message: 'Release notes?',
      spec: { mode: 'input', multiline: true, placeholder: 'What changed', default_text: 'Fixes', max_length: 200 },
    })
    const name = await interactions.create('acme', {
      type: 'input',
      target_actor: bob,
      message: 'Tag?',
      spec: { mode: 'input', max_length: 20 },
    })
    const response = await inbox(bob)
    expect(response.status).toBe(200)
    const page = await response.text()
    expect(page).toContain('<button type="submit" name="confirmed" value="true" class="primary">Approve</button>')
    expect(page).toContain('<button type="submit" name="confirmed" value="false">Reject</button>')
    expect(page).toContain(`<input type="radio" id="i-${region.id}-value-1" name="value" value="us" checked required>`)
    expect(page).toContain(`<input type="radio" id="i-${region.id}-value-0" name="value" value="eu" required>`)
    expect(page).toContain(`<input type="checkbox" id="i-${multi.id}-value-1" name="values" value="unit" checked>`)
    expect(page).toContain(`<fieldset aria-describedby="i-${multi.id}-hint">`)
    expect(page).toContain('Choose at least 2 and at most 2.')
    expect(page).toContain(
      `<textarea id="i-${note.id}-value" name="text" placeholder="What changed" maxlength="200" rows="4">Fixes</textarea>`,
    )
    expect(page).toContain(`<input type="text" id="i-${name.id}-value" name="text" maxlength="20" value="">`)
    const ids = controlIds(page)
    // Two radios, three checkboxes, two text fields, and a comment per interaction.
    expect(ids.length).toBe(2 + 3 + 2 + 5)
    const labelled = labelTargets(page)
    expect(ids.filter((id) => !labelled.has(id))).toEqual([])
  })

  it('GET — message, title and option labels are escaped, never markup', async () => {
    const { interactions, inbox } = await serve(await emptyStore())
    await interactions.create('acme', {
      type: 'review',
      target_actor: bob,
      title: '<b>bold</b>',
      message: '<script>alert(1)</script> & "quotes"',
      spec: { mode: 'select', options: [{ value: 'x', label: '<img src=x onerror=alert(2)>' }] },
    })
    const page = await (await inbox(bob)).text()
    expect(page).not.toContain('<script>')
    expect(page).not.toContain('<img')
    expect(page).not.toContain('<b>bold')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;')
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;')
  })

  it('GET — text in attributes and in a text area (option values, placeholder, default text, the proposal) stays text', async () => {
    const { interactions, inbox } = await serve(await emptyStore())
    const attack = '"><script>alert(1)</script>'
    const closing = '</textarea><script>alert(2)</script>'
    await interactions.create('acme', {
      type: 'review',
      target_actor: bob,
      spec: { mode: 'select', options: [{ value: `x${attack}`, label: 'X' }] },
    })
    await interactions.create('acme', {
      type: 'input',
      target_actor: bob,
      spec: { mode: 'input', placeholder: attack, default_text: attack },
    })
    await interactions.create('acme', { type: 'input', target_actor: bob, spec: { mode: 'input', multiline: true, default_text: closing } })
    await interactions.create('acme', {
      ...deployGate,
      target_actor: bob,
      spec: { mode: 'confirm', proposal: { value: { note: closing }, schema: { type: 'object' } } },
    })
    const page = await (await inbox(bob)).text()
    expect(page).not.toContain('<script>')
    expect(page).toContain('value="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
    expect(page).toContain('placeholder="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
    expect(page).toContain('&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;</textarea>')
    expect(page).toContain('&quot;note&quot;: &quot;&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot;')
  })

  it('POST — records the answer and redirects back with 303; the item leaves the inbox', async () => {
    const { interactions, inbox, post, delivered } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    const response = await post(alice, gate.id, { confirmed: 'true', comment: 'Ship it' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/projects/acme/inbox')
    expect(await interactions.get('acme', gate.id)).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      responses: [{ actor: alice, comment: 'Ship it' }],
    })
    expect(delivered).toHaveLength(1)
    expect(await (await inbox(alice)).text()).toContain('Nothing is waiting for you.')
  })

  it('POST — line breaks arrive as CRLF, as browsers send them, and count as one character, as maxlength does', async () => {
    const { interactions, post } = await serve(await emptyStore())
    const note = await interactions.create('acme', {
      type: 'input',
      target_actor: alice,
      spec: { mode: 'input', multiline: true, max_length: 5 },
    })
    expect((await post(alice, note.id, { text: 'ab\r\ncd', comment: 'x\r\ny' })).status).toBe(303)
    expect((await interactions.get('acme', note.id)).responses).toMatchObject([{ value: { text: 'ab\ncd' }, comment: 'x\ny' }])
  })

  it('POST — a refused answer on a later page shows that page again with its error, not the first', async () => {
    const { interactions, url, inbox, clock } = await serve(await emptyStore())
    for (let index = 0; index < 50; index++) {
      await interactions.create('acme', { ...deployGate, target_actor: bob, topic: `gate-${index}` })
      clock.advance(1_000)
    }
    const multi = await interactions.create('acme', { ...checks, title: 'On the second page' })
    const first = await (await inbox(bob)).text()
    const more = /<a href="([^"]+)">More<\/a>/.exec(first)?.[1]?.replaceAll('&amp;', '&')
    const second = await (await fetch(`${url}${more}`, { headers: { cookie: 'actor=user_bob' } })).text()
    const action = new RegExp(`action="(/projects/acme/inbox/${multi.id}\\?cursor=[^"]+)"`).exec(second)?.[1]
    expect(action).toBeDefined()
    const refused = await postForm(
      `${new URL((await inbox(bob)).url).origin}${action!.replaceAll('&amp;', '&')}`,
      { values: 'lint' },
      {
        cookie: 'actor=user_bob',
      },
    )
    expect(refused.status).toBe(422)
    const page = await refused.text()
    expect(page).toContain('On the second page')
    expect(page).toContain(`<p class="error" id="i-${multi.id}-value-error">`)
  })

  it('POST — too few choices re-render with the error next to the field (422), the choice kept, nothing recorded', async () => {
    const { interactions, post, unchanged } = await serve(await emptyStore())
    const multi = await interactions.create('acme', checks)
    await unchanged([multi.id], async () => {
      const response = await post(bob, multi.id, { values: ['e2e'] })
      expect(response.status).toBe(422)
      const page = await response.text()
      expect(page).toContain(`<fieldset aria-describedby="i-${multi.id}-hint i-${multi.id}-value-error">`)
      expect(page).toContain(`<p class="error" id="i-${multi.id}-value-error">must select at least 2 (got 1)</p>`)
      expect(page).toContain(`<input type="checkbox" id="i-${multi.id}-value-2" name="values" value="e2e" checked aria-invalid="true">`)
      expect(page).toContain(`<input type="checkbox" id="i-${multi.id}-value-0" name="values" value="lint" aria-invalid="true">`)
    })
    expect((await post(bob, multi.id, { values: ['lint', 'e2e'] })).status).toBe(303)
    expect(await interactions.get('acme', multi.id)).toMatchObject({
      status: 'completed',
      responses: [{ value: { values: ['lint', 'e2e'] } }],
    })
  })

  it('POST — an interaction no longer pending shows the inbox with a notice and its status', async () => {
    const { interactions, post, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    await interactions.cancel('acme', gate.id, { actor: carol })
    await unchanged([gate.id], async () => {
      const response = await post(alice, gate.id, { confirmed: 'true' })
      expect(response.status).toBe(409)
      expect(await response.text()).toMatch(/<p class="notice" role="alert">[^<]*cancelled/)
    })
  })

  it('refusals — no cookie is a 401 page, a cross-site post 403, a non-form body 415, all HTML and changing nothing', async () => {
    const { interactions, inbox, post, unchanged } = await serve(await emptyStore())
    const gate = await interactions.create('acme', deployGate)
    await unchanged([gate.id], async () => {
      const anonymous = await inbox({ id: '' })
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const crossSite = await post(alice, gate.id, { confirmed: 'true' }, { 'sec-fetch-site': 'cross-site' })
      expect(crossSite.status).toBe(403)
      expect(await crossSite.text()).toContain('This form can only be sent from its own page.')
      const json = await post(alice, gate.id, { confirmed: 'true' }, { 'content-type': 'application/json' })
      expect(json.status).toBe(415)
    })
  })
})

it('forms — lacking a decision, a confirm post names the missing field; an over-long comment is shown at the comment', async () => {
  const { interactions } = harness()
  const handler = createHttpHandler(interactions, { authenticate: () => ({ actor: alice }) })
  const gate = await interactions.create('acme', deployGate)
  const submit = (body: string) =>
    handler(
      new Request(`http://localhost/projects/acme/inbox/${gate.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }),
    )
  const missing = await submit('confirmed=maybe')
  expect(missing.status).toBe(422)
  expect(await missing.text()).toContain(`<p class="error" id="i-${gate.id}-value-error">`)
  const long = await submit(`confirmed=true&comment=${'x'.repeat(10_001)}`)
  expect(long.status).toBe(422)
  expect(await long.text()).toContain(`<p class="error" id="i-${gate.id}-comment-error">`)
})
