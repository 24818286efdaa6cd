import { Validator } from '@cfworker/json-schema'
import {
  createInputJsonSchema,
  createInteractions,
  describeForAgent,
  responseJsonSchema,
  type CreateInteractionInput,
  type JsonSchema,
} from '@hitl/interactions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { alice, deployGate, harness } from '../support/harness.js'

const accepts = (schema: JsonSchema, value: unknown) => new Validator(schema, '2020-12').validate(value).valid
/** A property's schema, which these schemas always have. */
const property = (schema: JsonSchema, name: string): JsonSchema => schema.properties![name] as JsonSchema

const proposal = {
  value: { to: 'ops@example.com', tags: ['deploy'] },
  schema: {
    type: 'object',
    properties: { to: { $ref: '#/$defs/address' }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['to'],
    additionalProperties: false,
    $defs: { address: { type: 'string', format: 'email' } },
  },
}
const reasons = [
  { value: 'wrong_recipient', label: 'Wrong recipient' },
  { value: 'not_now', label: 'Not now', description: 'Ask again after the freeze' },
]
const regions = [
  { value: 'eu', label: 'Europe' },
  { value: 'us', label: 'America' },
  { value: 'ap', label: 'Asia Pacific' },
]

const created = (input: Partial<CreateInteractionInput>) =>
  harness().interactions.create('acme', { ...deployGate, ...input } as CreateInteractionInput)

describe('responseJsonSchema', () => {
  it('responseJsonSchema — confirm with a proposal: an edit satisfies its schema, references and all; a reason is listed', async () => {
    const schema = responseJsonSchema(await created({ spec: { mode: 'confirm', proposal, reject_reasons: reasons, require_reason: true } }))
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(accepts(schema, { confirmed: true })).toBe(true)
    expect(accepts(schema, { confirmed: true, edited: { to: 'lead@example.com' } })).toBe(true)
    expect(accepts(schema, { confirmed: true, edited: { to: 'nobody' } })).toBe(false)
    expect(accepts(schema, { confirmed: true, reason: { text: 'x' } })).toBe(false)
    expect(accepts(schema, { confirmed: false, reason: { value: 'not_now', text: 'freeze' } })).toBe(true)
    expect(accepts(schema, { confirmed: false, reason: { value: 'too_late' } })).toBe(false)
    expect(accepts(schema, { confirmed: false })).toBe(false)
    expect(accepts(schema, { confirmed: false, edited: proposal.value, reason: { text: 'x' } })).toBe(false)
  })

  it('responseJsonSchema — confirm without a proposal or a list: no edit, a reason in words only, and optional', async () => {
    const schema = responseJsonSchema(await created({ spec: { mode: 'confirm' } }))
    expect(accepts(schema, { confirmed: false })).toBe(true)
    expect(accepts(schema, { confirmed: false, reason: { text: 'no' } })).toBe(true)
    expect(accepts(schema, { confirmed: false, reason: { value: 'not_now' } })).toBe(false)
    expect(accepts(schema, { confirmed: true, edited: {} })).toBe(false)
    expect(accepts(schema, { confirmed: 'yes' })).toBe(false)
  })

  it('responseJsonSchema — all members may approve a proposal but not edit it', async () => {
    const group = { type: 'group', id: 'group_ops' } as const
    const schema = responseJsonSchema(
      await created({ target_actor: group, routing_policy: 'all_members', spec: { mode: 'confirm', proposal } }),
    )
    expect(accepts(schema, { confirmed: true })).toBe(true)
    expect(accepts(schema, { confirmed: true, edited: proposal.value })).toBe(false)
  })

  it('responseJsonSchema — select, multi_select and input: option values, bounds without repeats, text length', async () => {
    const select = responseJsonSchema(await created({ type: 'review', spec: { mode: 'select', options: regions } }))
    expect(property(select, 'value').enum).toEqual(['eu', 'us', 'ap'])
    expect(property(select, 'value').description).toContain('"ap" (Asia Pacific)')
    expect([accepts(select, { value: 'eu' }), accepts(select, { value: 'mars' }), accepts(select, { value: 'eu', x: 1 })]).toEqual([
      true,
      false,
      false,
    ])

    const multi = responseJsonSchema(
      await created({ type: 'input', spec: { mode: 'multi_select', options: regions, min_selections: 1, max_selections: 2 } }),
    )
    expect(property(multi, 'values')).toMatchObject({ minItems: 1, maxItems: 2, uniqueItems: true })
    expect([[], ['eu'], ['eu', 'us'], ['eu', 'eu'], ['eu', 'us', 'ap']].map((values) => accepts(multi, { values }))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ])

    const input = responseJsonSchema(await created({ type: 'input', spec: { mode: 'input', max_length: 3 } }))
    expect(property(input, 'text').maxLength).toBe(3)
    expect([accepts(input, { text: 'abc' }), accepts(input, { text: 'abcd' }), accepts(input, { text: '🚀🚀🚀' })]).toEqual([
      true,
      false,
      true,
    ])
  })
})

/** The keywords OpenAI and Anthropic refuse at the root of a tool's input schema. */
const ROOT_FORBIDDEN = ['anyOf', 'oneOf', 'allOf', 'enum', 'const', 'not']

describe('responseJsonSchema — tool input schemas', () => {
  const group = { type: 'group', id: 'group_ops' } as const
  const members = { membersOf: async () => [alice, { type: 'member' as const, id: 'user_bob' }] }
  const confirm = fc.record(
    {
      mode: fc.constant('confirm' as const),
      proposal: fc.constant(proposal),
      reject_reasons: fc.constant(reasons),
      require_reason: fc.boolean(),
      default_confirmed: fc.boolean(),
    },
    { requiredKeys: ['mode'] },
  )
  const request = fc.oneof(
    fc.record({ type: fc.constant('approval' as const), spec: confirm }),
    fc.record({ type: fc.constant('review' as const), spec: fc.constant({ mode: 'select' as const, options: regions }) }),
    fc.record({
      type: fc.constant('input' as const),
      spec: fc.record(
        {
          mode: fc.constant('multi_select' as const),
          options: fc.constant(regions),
          min_selections: fc.nat(1),
          max_selections: fc.constant(3),
        },
        { requiredKeys: ['mode', 'options'] },
      ),
    }),
    fc.record({
      type: fc.constant('input' as const),
      spec: fc.record({ mode: fc.constant('input' as const), max_length: fc.integer({ min: 1, max: 9 }) }, { requiredKeys: ['mode'] }),
    }),
  )
  const routing = fc.constantFrom(
    { target_actor: alice },
    { target_actor: group, routing_policy: 'first_responder' as const },
    { target_actor: group, routing_policy: 'all_members' as const },
  )

  it('responseJsonSchema — every root is a flat closed object, with none of the keywords model APIs refuse there', async () => {
    await fc.assert(
      fc.asyncProperty(request, routing, async (input, route) => {
        const interactions = createInteractions({ directory: members })
        const interaction = await interactions.create('acme', { ...input, ...route } as CreateInteractionInput)
        for (const schema of [responseJsonSchema(interaction), describeForAgent(interaction).tool.inputSchema]) {
          expect(ROOT_FORBIDDEN.filter((keyword) => keyword in schema)).toEqual([])
          expect(schema).toMatchObject({
            type: 'object',
            properties: expect.any(Object),
            required: expect.any(Array),
            additionalProperties: false,
          })
        }
      }),
      { numRuns: 200, seed: Number(process.env.FC_SEED ?? 11) },
    )
  })
})

describe('createInputJsonSchema', () => {
  it('createInputJsonSchema — accepts the bodies create accepts and refuses a body without its required fields', () => {
    const schema = createInputJsonSchema()
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(accepts(schema, deployGate)).toBe(true)
    expect(accepts(schema, { ...deployGate, spec: { mode: 'confirm', proposal, reject_reasons: reasons, require_reason: true } })).toBe(
      true,
    )
    expect(accepts(schema, { ...deployGate, spec: { mode: 'confirm', proposal: { value: 1, schema: 'no' } } })).toBe(false)
    expect(accepts(schema, { spec: { mode: 'confirm' }, target_actor: alice })).toBe(false)
    expect(accepts(schema, { ...deployGate, surprise: true })).toBe(false)
  })

  it('createInputJsonSchema — each call returns its own copy', () => {
    const first = createInputJsonSchema()
    first.properties!.type = false
    expect(createInputJsonSchema().properties!.type).not.toBe(false)
  })
})

describe('describeForAgent', () => {
  it('describeForAgent — the prompt has the message, proposal and labelled reasons; the tool takes a value', async () => {
    const { interactions } = harness()
    const approval = await interactions.create('acme', {
      ...deployGate,
      title: 'Send the release email',
      spec: { mode: 'confirm', proposal, reject_reasons: reasons, require_reason: true },
    })
    const { prompt, tool } = describeForAgent(approval)
    expect(prompt).toContain('Send the release email')
    expect(prompt).toContain(deployGate.message)
    expect(prompt).toContain(JSON.stringify(proposal.value, null, 2))
    expect(prompt).toContain('"edited"')
    expect(prompt).toContain('A rejection must give a reason')
    expect(prompt).toContain('- not_now: Not now — Ask again after the freeze')
    expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
    expect(tool.description).toContain(approval.id)
    expect(tool.inputSchema).toEqual(responseJsonSchema(approval))
    expect(tool.inputSchema.type).toBe('object')

    // What a model would send back as the tool's arguments is an answer respond takes.
    const args = { confirmed: true, edited: { to: 'lead@example.com', tags: [] } }
    expect(accepts(tool.inputSchema, args)).toBe(true)
    expect(await interactions.respond('acme', approval.id, { actor: alice, value: args })).toMatchObject({ approved_value: args.edited })
  })

  it('describeForAgent — toolName names the tool and the prompt, for a model offered several; a name no API accepts is refused', async () => {
    const { interactions } = harness()
    const approval = await interactions.create('acme', deployGate)
    const { prompt, tool } = describeForAgent(approval, { toolName: 'respond_to_deploy_1' })
    expect(tool.name).toBe('respond_to_deploy_1')
    expect(prompt).toContain('Answer by calling respond_to_deploy_1.')
    expect(() => describeForAgent(approval, { toolName: 'respond to deploy' })).toThrow(
      expect.objectContaining({ code: 'configuration', issues: [expect.objectContaining({ path: ['toolName'] })] }),
    )
  })

  it('describeForAgent — options are listed with their labels and bounds; a shared approval says it cannot be changed', async () => {
    const interactions = createInteractions({ directory: { membersOf: async () => [alice, { type: 'member', id: 'user_bob' }] } })
    const multi = await interactions.create('acme', {
      type: 'input',
      target_actor: alice,
      spec: { mode: 'multi_select', options: regions, max_selections: 2 },
    })
    expect(describeForAgent(multi).prompt).toContain('Choose from 0 to 2 different options')
    expect(describeForAgent(multi).prompt).toContain('- ap: Asia Pacific')
    const shared = await interactions.create('acme', {
      type: 'approval',
      target_actor: { type: 'group', id: 'group_ops' },
      routing_policy: 'all_members',
      spec: { mode: 'confirm', proposal },
    })
    expect(describeForAgent(shared).prompt).toContain('it cannot be changed')
    expect(describeForAgent(shared).prompt).toContain('A rejection may give a reason: "reason": { "text": your own words }.')
  })
})
