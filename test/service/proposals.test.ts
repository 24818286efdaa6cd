import {
  approvedValue,
  InteractionSchema,
  isApproved,
  LIMITS,
  rejectionReason,
  SignalSchema,
  type CreateInteractionInput,
  type RespondInput,
} from '@hitl/interactions'
import { expect, it } from 'vitest'
import { describeEachStore, snapshot } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness, rejection } from '../support/harness.js'

/** An email a run proposes to send, and the schema any edit of it must satisfy. */
const proposal = {
  value: { to: 'ops@example.com', subject: 'Deploy done', cc: [] },
  schema: {
    type: 'object',
    properties: {
      to: { type: 'string', format: 'email' },
      subject: { type: 'string', minLength: 1, maxLength: 80 },
      cc: { type: 'array', items: { $ref: '#/$defs/address' } },
    },
    required: ['to', 'subject'],
    additionalProperties: false,
    $defs: { address: { type: 'string', format: 'email' } },
  },
}
const rejectReasons = [
  { value: 'wrong_recipient', label: 'Wrong recipient' },
  { value: 'not_now', label: 'Not now' },
]
const sendEmail = {
  ...deployGate,
  message: 'Send this email?',
  spec: { mode: 'confirm', proposal, reject_reasons: rejectReasons, require_reason: true },
} satisfies CreateInteractionInput

const group = (routing: 'all_members' | 'quorum') =>
  ({
    ...sendEmail,
    target_actor: { type: 'group', id: 'group_ops' },
    routing_policy: routing,
    ...(routing === 'quorum' && { quorum: { required: 2 } }),
  }) satisfies CreateInteractionInput

/** `depth` definitions, each an `anyOf` of two references to the one before: 2^depth subschemas once followed. */
const doubling = (depth: number) => ({
  $ref: `#/$defs/d${depth}`,
  $defs: Object.fromEntries(
    Array.from({ length: depth + 1 }, (_, i) => [
      `d${i}`,
      i === 0 ? { type: 'string' } : { anyOf: [1, 2].map(() => ({ $ref: `#/$defs/d${i - 1}` })) },
    ]),
  ),
})

describeEachStore('edit before approve, and reasons for a rejection', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })

  it('create — the proposal, its schema and the reject reasons are stored with the interaction and read back unchanged', async () => {
    const { interactions } = await service()
    const created = await interactions.create('acme', sendEmail)
    const stored = await interactions.get('acme', created.id)
    expect(stored.spec).toEqual(sendEmail.spec)
    expect(stored).toEqual(created)
    expect(InteractionSchema.parse(stored)).toEqual(stored)
  })

  it('respond — approving as proposed: the record and signal carry the proposal as approved_value, edited false', async () => {
    const { interactions, delivered } = await service()
    const { id } = await interactions.create('acme', sendEmail)
    await interactions.respond('acme', id, { actor: alice, value: { confirmed: true } })
    const stored = await interactions.get('acme', id)
    const decision = { outcome: 'approved', approved_value: proposal.value, edited: false }
    expect(stored).toMatchObject({ status: 'completed', ...decision })
    expect(stored).not.toHaveProperty('rejection_reason')
    expect(delivered).toHaveLength(1)
    expect(delivered[0]).toMatchObject(decision)
    expect(SignalSchema.parse(delivered[0])).toEqual(delivered[0])
    expect(approvedValue(delivered[0]!)).toEqual(proposal.value)
    expect((await interactions.history('acme', id)).at(-1)).toMatchObject({ type: 'completed', data: decision })
  })

  it('respond — approving with an edit: approved_value is the edit, edited true, and the proposal stays as it was', async () => {
    const { interactions, delivered } = await service()
    const { id } = await interactions.create('acme', sendEmail)
    const edit = { to: 'oncall@example.com', subject: 'Deploy done', cc: ['lead@example.com'] }
    await interactions.respond('acme', id, { actor: alice, value: { confirmed: true, edited: edit } })
    const stored = await interactions.get('acme', id)
    expect(stored).toMatchObject({ outcome: 'approved', approved_value: edit, edited: true })
    expect(stored.spec).toEqual(sendEmail.spec)
    expect(stored.responses[0]!.value).toEqual({ confirmed: true, edited: edit })
    expect(delivered[0]).toMatchObject({ outcome: 'approved', approved_value: edit, edited: true })
    expect(approvedValue(stored)).toEqual(edit)
    expect(isApproved(delivered[0]!)).toBe(true)
    expect(InteractionSchema.parse(stored)).toEqual(stored)
  })

  it('respond — the signal and the completed event carry the proposal as proposed_value beside the decision', async () => {
    const { interactions, delivered } = await service()
    const edit = { to: 'oncall@example.com', subject: 'Deploy done', cc: [] }
    const approved = await interactions.create('acme', sendEmail)
    await interactions.respond('acme', approved.id, { actor: alice, value: { confirmed: true, edited: edit } })
    const rejected = await interactions.create('acme', { ...sendEmail, run_id: 'run_2' })
    await interactions.respond('acme', rejected.id, { actor: alice, value: { confirmed: false, reason: { value: 'not_now' } } })
    const decisions = [
      { outcome: 'approved', proposed_value: proposal.value, approved_value: edit, edited: true },
      { outcome: 'rejected', proposed_value: proposal.value, rejection_reason: { value: 'not_now' } },
    ]
    expect(delivered).toEqual(decisions.map((decision) => expect.objectContaining(decision)))
    for (const signal of delivered) expect(SignalSchema.parse(signal)).toEqual(signal)
    for (const [index, id] of [approved.id, rejected.id].entries()) {
      expect((await interactions.history('acme', id)).at(-1)).toMatchObject({ type: 'completed', data: decisions[index] })
      expect(await interactions.get('acme', id)).not.toHaveProperty('proposed_value')
    }
    // Without a proposal there is nothing to repeat.
    const plain = await interactions.create('acme', { ...sendEmail, run_id: 'run_3', spec: { mode: 'confirm' } })
    await interactions.respond('acme', plain.id, { actor: alice, value: { confirmed: true } })
    expect(delivered[2]).not.toHaveProperty('proposed_value')
  })

  it('respond — an edited key set to undefined approves the proposal as it is, and is recorded without the key', async () => {
    const { interactions, delivered } = await service()
    const { id } = await interactions.create('acme', sendEmail)
    const responded = await interactions.respond('acme', id, { actor: alice, value: { confirmed: true, edited: undefined } })
    const decision = { outcome: 'approved', approved_value: proposal.value, edited: false }
    expect(responded).toMatchObject(decision)
    expect(delivered[0]).toMatchObject(decision)
    const stored = await interactions.get('acme', id)
    expect(stored).toEqual(responded)
    expect(stored.responses[0]!.value).toStrictEqual({ confirmed: true })
  })

  it('respond — an edit equal to the proposal, keys in another order, approves it unedited', async () => {
    const { interactions } = await service()
    const { id } = await interactions.create('acme', sendEmail)
    const same = { cc: [], subject: 'Deploy done', to: 'ops@example.com' }
    expect(await interactions.respond('acme', id, { actor: alice, value: { confirmed: true, edited: same } })).toMatchObject({
      edited: false,
    })
  })

  it('respond — a rejection with a reason: the record and signal carry the outcome and the reason; nothing is approved', async () => {
    const { interactions, delivered } = await service()
    const { id } = await interactions.create('acme', sendEmail)
    const reason = { value: 'wrong_recipient', text: 'Send it to the on-call list' }
    await interactions.respond('acme', id, { actor: alice, value: { confirmed: false, reason } })
    const stored = await interactions.get('acme', id)
    expect(stored).toMatchObject({ outcome: 'rejected', rejection_reason: reason })
    expect(stored).not.toHaveProperty('approved_value')
    expect(stored).not.toHaveProperty('edited')
    expect(delivered[0]).toMatchObject({ outcome: 'rejected', rejection_reason: reason })
    expect(delivered[0]).not.toHaveProperty('approved_value')
    expect(rejectionReason(delivered[0]!)).toEqual(reason)
    expect(approvedValue(delivered[0]!)).toBeUndefined()
    expect(SignalSchema.parse(delivered[0])).toEqual(delivered[0])
  })

  it('expireDue — an approval that expires approves nothing: its fallback only, no approved_value or edited', async () => {
    const { interactions, clock, delivered } = await service()
    const { id } = await interactions.create('acme', { ...sendEmail, spec: { mode: 'confirm', proposal, default_confirmed: true } })
    clock.set(deployGate.expires_at)
    await interactions.expireDue()
    const expired = await interactions.get('acme', id)
    expect(expired).toMatchObject({ status: 'expired', fallback: { value: { confirmed: true } } })
    for (const x of [expired, delivered[0]!]) {
      expect(x).not.toHaveProperty('approved_value')
      expect(x).not.toHaveProperty('edited')
      expect(approvedValue(x)).toBeUndefined()
    }
  })

  it('respond — all members: approved_value is the proposal; a rejection carries the first reason given', async () => {
    const { interactions } = await service()
    const approved = await interactions.create('acme', { ...group('all_members'), spec: { mode: 'confirm', proposal } })
    for (const actor of [alice, bob, carol]) await interactions.respond('acme', approved.id, { actor, value: { confirmed: true } })
    expect(await interactions.get('acme', approved.id)).toMatchObject({
      outcome: 'approved',
      approved_value: proposal.value,
      edited: false,
    })

    const rejected = await interactions.create('acme', group('all_members'))
    await interactions.respond('acme', rejected.id, { actor: alice, value: { confirmed: true } })
    await interactions.respond('acme', rejected.id, { actor: bob, value: { confirmed: false, reason: { text: 'first' } } })
    await interactions.respond('acme', rejected.id, { actor: carol, value: { confirmed: false, reason: { value: 'not_now' } } })
    expect(await interactions.get('acme', rejected.id)).toMatchObject({ outcome: 'rejected', rejection_reason: { text: 'first' } })
  })

  it('respond — quorum: a veto completes it rejected with the vetoing reason', async () => {
    const { interactions } = await service()
    const { id } = await interactions.create('acme', group('quorum'))
    await interactions.respond('acme', id, { actor: alice, value: { confirmed: false, reason: { value: 'not_now' } } })
    await interactions.respond('acme', id, { actor: bob, value: { confirmed: false, reason: { value: 'wrong_recipient' } } })
    expect(await interactions.get('acme', id)).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      rejection_reason: { value: 'not_now' },
    })
  })

  const refused: {
    rule: string
    spec?: CreateInteractionInput['spec']
    value: RespondInput['value']
    issues: { path: (string | number)[] }[]
  }[] = [
    {
      rule: 'an edit with a rejection',
      value: { confirmed: false, reason: { value: 'not_now' }, edited: proposal.value },
      issues: [{ path: ['value', 'edited'] }],
    },
    { rule: 'a reason with an approval', value: { confirmed: true, reason: { text: 'fine' } }, issues: [{ path: ['value', 'reason'] }] },
    {
      rule: 'an edit that breaks the proposal schema, each problem at its path',
      value: { confirmed: true, edited: { to: 'nobody', subject: '', cc: ['x'], bcc: [] } },
      issues: [
        { path: ['value', 'edited', 'to'] },
        { path: ['value', 'edited', 'subject'] },
        { path: ['value', 'edited', 'cc', 0] },
        { path: ['value', 'edited', 'bcc'] },
      ],
    },
    {
      rule: 'an edit missing a required property beside one of a wrong type, each at its own path',
      value: { confirmed: true, edited: { to: 5 } },
      issues: [{ path: ['value', 'edited', 'to'] }, { path: ['value', 'edited', 'subject'] }],
    },
    {
      rule: 'a reason that is not one of reject_reasons',
      value: { confirmed: false, reason: { value: 'too_late' } },
      issues: [{ path: ['value', 'reason', 'value'] }],
    },
    {
      rule: 'a rejection without a reason when require_reason is set',
      value: { confirmed: false },
      issues: [{ path: ['value', 'reason'] }],
    },
    { rule: 'an empty reason', value: { confirmed: false, reason: {} }, issues: [{ path: ['value', 'reason'] }] },
    {
      rule: 'an edit when the spec has no proposal',
      spec: { mode: 'confirm' },
      value: { confirmed: true, edited: {} },
      issues: [{ path: ['value', 'edited'] }],
    },
    {
      rule: 'a reason value when the spec lists no reject_reasons',
      spec: { mode: 'confirm' },
      value: { confirmed: false, reason: { value: 'not_now' } },
      issues: [{ path: ['value', 'reason', 'value'] }],
    },
  ]

  it.each(refused)(
    'respond — refuses $rule with validation_failed naming the paths, and changes nothing',
    async ({ spec, value, issues }) => {
      const { interactions, store } = await service()
      const { id } = await interactions.create('acme', { ...sendEmail, ...(spec && { spec }) })
      const before = await snapshot(store, 'acme', [id], [alice])
      const error = await rejection(() => interactions.respond('acme', id, { actor: alice, value }))
      expect(error.code).toBe('validation_failed')
      // In any order: PostgreSQL keeps a schema's keys in an order of its own, and the validator follows it.
      expect(error.issues.map(({ path }) => ({ path }))).toEqual(expect.arrayContaining(issues))
      expect(error.issues).toHaveLength(issues.length)
      expect(await snapshot(store, 'acme', [id], [alice])).toBe(before)
    },
  )

  it.each(['all_members', 'quorum'] as const)('respond — %s: an edit is refused, since several responses decide', async (routing) => {
    const { interactions, store } = await service()
    const { id } = await interactions.create('acme', group(routing))
    const before = await snapshot(store, 'acme', [id], [alice])
    const error = await rejection(() =>
      interactions.respond('acme', id, { actor: alice, value: { confirmed: true, edited: proposal.value } }),
    )
    expect(error).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: ['value', 'edited'], message: expect.stringContaining('single decider') }],
    })
    expect(await snapshot(store, 'acme', [id], [alice])).toBe(before)
  })

  const schemaAt = (...path: (string | number)[]) => ['spec', 'proposal', 'schema', ...path]
  const badProposals: { rule: string; proposal: unknown; path: (string | number)[] }[] = [
    {
      rule: 'a value that fails its own schema',
      proposal: { ...proposal, value: { to: 'ops@example.com' } },
      path: ['spec', 'proposal', 'value', 'subject'],
    },
    {
      rule: 'a value whose nested field fails its own schema',
      proposal: { ...proposal, value: { ...proposal.value, cc: [1] } },
      path: ['spec', 'proposal', 'value', 'cc', 0],
    },
    {
      rule: 'an unknown type in the schema',
      proposal: { value: 1, schema: { type: 'float' } },
      path: ['spec', 'proposal', 'schema', 'type'],
    },
    {
      rule: 'a pattern that is no regular expression',
      proposal: { value: 'a', schema: { pattern: '(' } },
      path: ['spec', 'proposal', 'schema', 'pattern'],
    },
    {
      rule: 'a reference that leads nowhere',
      proposal: { value: 1, schema: { $ref: '#/$defs/none' } },
      path: ['spec', 'proposal', 'schema', '$ref'],
    },
    {
      rule: 'a remote reference',
      proposal: { value: 1, schema: { $ref: 'https://example.com/s.json' } },
      path: ['spec', 'proposal', 'schema', '$ref'],
    },
    {
      rule: 'a dynamic reference the validator would ignore',
      proposal: { value: 1, schema: { $dynamicRef: '#meta' } },
      path: ['spec', 'proposal', 'schema', '$dynamicRef'],
    },
    {
      rule: 'another dialect',
      proposal: { value: 1, schema: { $schema: 'http://json-schema.org/draft-07/schema#' } },
      path: ['spec', 'proposal', 'schema', '$schema'],
    },
    { rule: 'a schema that is not an object', proposal: { value: 1, schema: true }, path: ['spec', 'proposal', 'schema'] },
    {
      rule: 'a value over the size limit',
      proposal: { value: 'x'.repeat(LIMITS.proposalBytes), schema: {} },
      path: ['spec', 'proposal', 'value'],
    },
    {
      rule: 'a schema over the size limit',
      proposal: { value: 1, schema: { description: 'x'.repeat(LIMITS.proposalSchemaBytes) } },
      path: ['spec', 'proposal', 'schema'],
    },
    // Schemas that would block or crash the process when an edit is checked: refused before any value is.
    {
      rule: 'a pattern with nested quantifiers (^(a+)+$)',
      proposal: { value: 'a', schema: { pattern: '^(a+)+$' } },
      path: schemaAt('pattern'),
    },
    {
      rule: 'a repeated group of alternatives ((a|a)*)',
      proposal: { value: 'a', schema: { pattern: '^(a|a)*$' } },
      path: schemaAt('pattern'),
    },
    { rule: 'a pattern with a back-reference', proposal: { value: 'aa', schema: { pattern: '^(a)\\1$' } }, path: schemaAt('pattern') },
    { rule: 'a pattern that repeats freely twice', proposal: { value: 'x', schema: { pattern: '^\\d*\\d*x' } }, path: schemaAt('pattern') },
    { rule: 'an unanchored free repetition', proposal: { value: 'x', schema: { pattern: '\\d+x' } }, path: schemaAt('pattern') },
    {
      rule: 'a pattern over 256 characters',
      proposal: { value: 'a', schema: { pattern: `^${'a'.repeat(256)}` } },
      path: schemaAt('pattern'),
    },
    {
      rule: 'a slow patternProperties name',
      proposal: { value: {}, schema: { patternProperties: { '^(a+)+$': true } } },
      path: schemaAt('patternProperties', '^(a+)+$'),
    },
    {
      rule: 'a slow pattern under propertyNames',
      proposal: { value: {}, schema: { propertyNames: { pattern: '^(a|b)+$' } } },
      path: schemaAt('propertyNames', 'pattern'),
    },
    { rule: 'references that double at each of 16 levels', proposal: { value: 1, schema: doubling(16) }, path: schemaAt() },
    { rule: 'references that double at each of 24 levels', proposal: { value: 1, schema: doubling(24) }, path: schemaAt() },
    { rule: 'a reference to the root', proposal: { value: 1, schema: { $ref: '#' } }, path: schemaAt('$ref') },
    {
      rule: 'a definition that refers to itself',
      proposal: { value: 1, schema: { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } } },
      path: schemaAt('$defs', 'a'),
    },
    {
      rule: 'two definitions that refer to each other',
      proposal: {
        value: {},
        schema: { $defs: { a: { properties: { b: { $ref: '#/$defs/b' } } }, b: { items: { $ref: '#/$defs/a' } } }, $ref: '#/$defs/a' },
      },
      path: schemaAt('$defs', 'a'),
    },
    {
      rule: 'a reference into a subschema rather than $defs',
      proposal: { value: 1, schema: { properties: { a: { type: 'string' } }, items: { $ref: '#/properties/a' } } },
      path: schemaAt('items', '$ref'),
    },
    {
      rule: 'an $id below the root',
      proposal: { value: {}, schema: { properties: { a: { $id: 'https://example.com/a', $ref: '#/$defs/x', $defs: { x: {} } } } } },
      path: schemaAt('properties', 'a', '$id'),
    },
    { rule: '$recursiveRef', proposal: { value: 1, schema: { $recursiveRef: '#' } }, path: schemaAt('$recursiveRef') },
    { rule: '$recursiveAnchor', proposal: { value: 1, schema: { $recursiveAnchor: true } }, path: schemaAt('$recursiveAnchor') },
    { rule: 'dependencies', proposal: { value: {}, schema: { dependencies: { a: { $ref: '#' } } } }, path: schemaAt('dependencies') },
    { rule: 'the format __proto__', proposal: { value: 'a', schema: { format: '__proto__' } }, path: schemaAt('format') },
    { rule: 'the format constructor', proposal: { value: 'a', schema: { format: 'constructor' } }, path: schemaAt('format') },
    { rule: 'a format the validator does not know', proposal: { value: 'a', schema: { format: 'credit-card' } }, path: schemaAt('format') },
  ]

  it.each(badProposals)('create — refuses a proposal with $rule, naming its path; stores nothing', async ({ proposal: bad, path }) => {
    const { interactions, store } = await service()
    const error = await rejection(() =>
      interactions.create('acme', { ...sendEmail, spec: { mode: 'confirm', proposal: bad } } as CreateInteractionInput),
    )
    expect(error.code).toBe('validation_failed')
    expect(error.issues.map((issue) => issue.path)).toContainEqual(path)
    expect(await store.inbox({ project: 'acme', actorKey: 'member:user_alice', now: '2026-04-21T09:00:00.000Z', limit: 10 })).toEqual([])
  })

  it('create — accepts safe patterns, known formats and definitions referred to many times without a cycle', async () => {
    const { interactions } = await service()
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' },
        code: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
        host: { type: 'string', pattern: '^[a-z0-9.-]+$', format: 'hostname' },
        from: { $ref: '#/$defs/address' },
        to: { type: 'array', items: { $ref: '#/$defs/address' } },
      },
      patternProperties: { '^x-': { type: 'string' } },
      $defs: { address: { $ref: '#/$defs/email' }, email: { type: 'string', format: 'email' } },
    }
    const value = { id: 'deploy_1', code: '2026-04', host: 'api.example.com', from: 'a@example.com', to: ['b@example.com'], 'x-note': 'hi' }
    const created = await interactions.create('acme', { ...sendEmail, spec: { mode: 'confirm', proposal: { value, schema } } })
    const error = await rejection(() =>
      interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true, edited: { ...value, code: '26-4', to: ['b'] } } }),
    )
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        ['value', 'edited', 'code'],
        ['value', 'edited', 'to', 0],
      ]),
    )
  })

  it('approvedValue and rejectionReason — read approvals only, like isApproved', async () => {
    const { interactions } = await service()
    const review = await interactions.create('acme', {
      type: 'review',
      target_actor: alice,
      spec: { mode: 'select', options: rejectReasons },
    })
    for (const reader of [approvedValue, rejectionReason]) {
      expect(() => reader(review)).toThrow(
        expect.objectContaining({ code: 'validation_failed', issues: [expect.objectContaining({ path: ['type'] })] }),
      )
    }
  })

  it('create — refuses reject_reasons with a repeated value', async () => {
    const { interactions } = await service()
    const error = await rejection(() =>
      interactions.create('acme', { ...sendEmail, spec: { mode: 'confirm', reject_reasons: [...rejectReasons, rejectReasons[0]!] } }),
    )
    expect(error).toMatchObject({ code: 'validation_failed', issues: [{ path: ['spec', 'reject_reasons', 2, 'value'] }] })
  })
})
