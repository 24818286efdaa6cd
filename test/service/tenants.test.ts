/**
 * Two different project strings are two tenants on every store: nothing the library or a store does
 * (trimming, replacing a lone surrogate with U+FFFD, Unicode normalisation, collation) makes them one.
 */
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, harness, rejection } from '../support/harness.js'

const ask = { type: 'input', spec: { mode: 'input' }, target_actor: alice, idempotency_key: 'same-key' } as const

/** Distinct well-formed projects, each a near miss of another: each must be its own tenant. */
const projects = [
  'acme',
  'Acme',
  'acme\uFFFD', // what PostgreSQL makes of `acme\uD800`
  'acme\u200B', // zero-width space: not whitespace, so accepted as given
  'caf\u00e9', // NFC
  'cafe\u0301', // NFD of the same text
  'ﬁle', // compatibility ligature of "file"
  'file',
]

/** Refused outright, rather than trimmed or turned into one of the projects above. */
const refused = ['acme ', ' acme', 'acme\n', '\u00a0acme', 'acme\uD800', 'acme\uD800x', '\uDC00acme']

describeEachStore('tenants', (emptyStore) => {
  it('tenants — near-miss project names never see each other’s interactions (get, respond, inbox, idempotency key)', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const created = new Map<string, string>()
    for (const project of projects) created.set(project, (await interactions.create(project, ask)).id)
    // The same idempotency key in each project made a separate interaction.
    expect(new Set(created.values()).size).toBe(projects.length)

    for (const project of projects) {
      expect((await interactions.get(project, created.get(project)!)).project).toBe(project)
      expect((await interactions.inbox(project, alice)).items.map((item) => item.id)).toEqual([created.get(project)])
      for (const other of projects.filter((p) => p !== project)) {
        expect((await rejection(() => interactions.get(project, created.get(other)!))).code).toBe('not_found')
        const answer = { actor: alice, value: { text: `from ${project}` } }
        expect((await rejection(() => interactions.respond(project, created.get(other)!, answer))).code).toBe('not_found')
      }
    }
    // Every interaction is still pending: no project answered another's.
    for (const project of projects) expect((await interactions.get(project, created.get(project)!)).responses).toEqual([])
  })

  it('tenants — a project with surrounding whitespace or a lone surrogate is refused on every call', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const acme = await interactions.create('acme', { ...ask, idempotency_key: 'refused-check' })
    // On PostgreSQL, `acme\uD800` used to be stored and looked up as this project.
    const replaced = await interactions.create('acme\uFFFD', { ...ask, idempotency_key: 'refused-check' })
    for (const project of refused) {
      const calls = [
        () => interactions.create(project, ask),
        () => interactions.get(project, acme.id),
        () => interactions.get(project, replaced.id),
        () => interactions.respond(project, acme.id, { actor: alice, value: { text: 'hi' } }),
        () => interactions.inbox(project, alice),
      ]
      for (const call of calls) {
        const error = await rejection(call)
        expect([error.code, error.issues[0]?.path], JSON.stringify(project)).toEqual(['validation_failed', ['project']])
      }
    }
    expect((await interactions.get('acme', acme.id)).responses).toEqual([])
  })

  it('tenants — actor ids that differ only in Unicode normalisation are different actors', async () => {
    const [composed, decomposed] = [
      { type: 'member', id: 'zo\u00e9' },
      { type: 'member', id: 'zoe\u0301' },
    ] as const
    const { interactions } = harness({ store: await emptyStore(), groups: { group_zoe: [composed, decomposed] } })
    const group = { type: 'approval', spec: { mode: 'confirm' }, target_actor: { type: 'group', id: 'group_zoe' } } as const
    const claimed = await interactions.create('acme-actors', group)
    await interactions.claim('acme-actors', claimed.id, composed)
    const vote = await interactions.create('acme-actors', { ...group, routing_policy: 'all_members' })
    await interactions.respond('acme-actors', vote.id, { actor: composed, value: { confirmed: true } })

    expect((await interactions.inbox('acme-actors', composed)).items.map((item) => item.id)).toEqual([claimed.id])
    expect((await interactions.inbox('acme-actors', decomposed)).items.map((item) => item.id)).toEqual([vote.id])
    const answer = { actor: decomposed, value: { confirmed: true } }
    expect((await rejection(() => interactions.respond('acme-actors', claimed.id, answer))).code).toBe('already_claimed')
    expect((await interactions.respond('acme-actors', vote.id, answer)).status).toBe('completed')
  })

  it('tenants — text comes back exactly as sent, whole emoji and combining marks included', async () => {
    const { interactions } = harness({ store: await emptyStore() })
    const text = 'Déploiement 🚀 cafe\u0301 caf\u00e9 \uFFFD'
    const created = await interactions.create('acme-text', { ...ask, title: text, metadata: { [text]: [text] }, idempotency_key: text })
    const answered = await interactions.respond('acme-text', created.id, { actor: alice, value: { text }, comment: text })
    expect(answered).toMatchObject({ title: text, metadata: { [text]: [text] }, idempotency_key: text })
    expect(answered.responses).toEqual([expect.objectContaining({ value: { text }, comment: text })])
    expect(await interactions.get('acme-text', created.id)).toEqual(answered)
  })
})
