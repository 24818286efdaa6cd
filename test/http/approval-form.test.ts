import type { CreateInteractionInput, InteractionStore } from '@hitl/interactions'
import { createHttpHandler } from '@hitl/interactions/http'
import { afterEach, expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, deployGate, harness } from '../support/harness.js'
import { expectUnchanged, postForm, serveFetch } from '../support/http-server.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => Promise.all(closers.splice(0).map((close) => close())))

/** An email the run proposes to send, the schema an edit must satisfy, and why it may be refused. */
const sendEmail = {
  ...deployGate,
  message: 'Send this email?',
  spec: {
    mode: 'confirm',
    proposal: {
      value: { to: 'ops@example.com', subject: 'Deploy done' },
      schema: {
        type: 'object',
        properties: { to: { type: 'string' }, subject: { type: 'string', minLength: 1, maxLength: 20 } },
        required: ['to', 'subject'],
        additionalProperties: false,
      },
    },
    reject_reasons: [
      { value: 'wrong_recipient', label: 'Wrong recipient' },
      { value: 'not_now', label: 'Not now' },
    ],
    require_reason: true,
  },
} satisfies CreateInteractionInput

async function serve(store: InteractionStore) {
  const h = harness({ store })
  const handler = createHttpHandler(h.interactions, { authenticate: () => ({ actor: alice }), clock: h.clock.now })
  const server = await serveFetch(handler)
  closers.push(server.close)
  const gate = await h.interactions.create('acme', sendEmail)
  const submit = (fields: Record<string, string>) => postForm(`${server.url}/projects/acme/inbox/${gate.id}`, fields)
  const unchanged = (act: () => Promise<unknown>) => expectUnchanged(store, [gate.id], act)
  const page = async () => (await fetch(`${server.url}/projects/acme/inbox`)).text()
  return { ...h, gate, submit, unchanged, page }
}

const proposalJson = JSON.stringify(sendEmail.spec.proposal.value, null, 2)
const escaped = (text: string) => text.replaceAll('"', '&quot;')

describeEachStore('inbox page — approvals with a proposal and reject reasons', (emptyStore) => {
  it('GET — a JSON editor prefilled with the proposal, and the reasons as a labelled radio list with a free text', async () => {
    const { gate, page } = await serve(await emptyStore())
    const html = await page()
    expect(html).toContain(`<label class="field" for="i-${gate.id}-edited">Proposal (JSON)</label>`)
    expect(html).toContain(`aria-describedby="i-${gate.id}-edited-hint">${escaped(proposalJson)}</textarea>`)
    expect(html).toContain('<legend>Reason for rejecting (required to reject)</legend>')
    expect(html).toContain(`<input type="radio" id="i-${gate.id}-reason-0" name="reason" value="wrong_recipient">`)
    expect(html).toContain(`<label for="i-${gate.id}-reason-text">In your words</label>`)
  })

  it('POST — approving the proposal unchanged records it as approved, edited false', async () => {
    const { interactions, gate, submit } = await serve(await emptyStore())
    expect((await submit({ confirmed: 'true', edited: proposalJson })).status).toBe(303)
    expect(await interactions.get('acme', gate.id)).toMatchObject({
      outcome: 'approved',
      approved_value: sendEmail.spec.proposal.value,
      edited: false,
      responses: [{ value: { confirmed: true } }],
    })
  })

  it('POST — approving an edit records the edit as approved_value, edited true', async () => {
    const { interactions, gate, submit, delivered } = await serve(await emptyStore())
    const edit = { to: 'team@example.com', subject: 'Deployed' }
    expect((await submit({ confirmed: 'true', edited: JSON.stringify(edit) })).status).toBe(303)
    expect(await interactions.get('acme', gate.id)).toMatchObject({ outcome: 'approved', approved_value: edit, edited: true })
    expect(delivered[0]).toMatchObject({ approved_value: edit, edited: true })
  })

  it('POST — malformed JSON or an edit the schema refuses is shown at the editor (422), the text kept, nothing recorded', async () => {
    const { gate, submit, unchanged } = await serve(await emptyStore())
    await unchanged(async () => {
      const malformed = await submit({ confirmed: 'true', edited: '{ "to": ' })
      expect(malformed.status).toBe(422)
      const page = await malformed.text()
      expect(page).toMatch(new RegExp(`<p class="error" id="i-${gate.id}-edited-error">is not valid JSON: [^<]+</p>`))
      expect(page).toContain(
        `aria-invalid="true" aria-describedby="i-${gate.id}-edited-hint i-${gate.id}-edited-error">{ &quot;to&quot;: </textarea>`,
      )
      const tooLong = await submit({ confirmed: 'true', edited: JSON.stringify({ to: 'x', subject: 'a subject far too long to fit' }) })
      expect(tooLong.status).toBe(422)
      expect(await tooLong.text()).toMatch(new RegExp(`<p class="error" id="i-${gate.id}-edited-error">[^<]*20[^<]*</p>`))
    })
  })

  it('POST — rejecting needs a reason here: none is shown at the reasons (422); one from the list is recorded', async () => {
    const { interactions, gate, submit, unchanged } = await serve(await emptyStore())
    await unchanged(async () => {
      const missing = await submit({ confirmed: 'false', edited: proposalJson })
      expect(missing.status).toBe(422)
      expect(await missing.text()).toContain(
        `<p class="error" id="i-${gate.id}-reason-error">is required: the spec sets require_reason</p>`,
      )
    })
    expect((await submit({ confirmed: 'false', reason: 'not_now', reason_text: ' after the freeze ', edited: '{}' })).status).toBe(303)
    expect(await interactions.get('acme', gate.id)).toMatchObject({
      outcome: 'rejected',
      rejection_reason: { value: 'not_now', text: 'after the freeze' },
    })
  })

  it('GET — where several answers decide (quorum), the proposal is shown as it is, not as an editor', async () => {
    const { interactions, page } = await serve(await emptyStore())
    const board = await interactions.create('acme', {
      ...sendEmail,
      target_actor: { type: 'group', id: 'group_ops' },
      routing_policy: 'quorum',
      quorum: { required: 2 },
    })
    const html = await page()
    expect(html).toContain(`<p class="field" id="i-${board.id}-edited">Proposal</p><pre aria-labelledby="i-${board.id}-edited">`)
    expect(html).not.toContain(`<textarea id="i-${board.id}-edited"`)
  })
})
