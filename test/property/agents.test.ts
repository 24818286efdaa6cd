/**
 * Properties of answers from agents: the response JSON Schema and `respond` agree on every value,
 * and no call sequence resumes a run with `approved` when the deciding responses rejected.
 */
import { Validator } from '@cfworker/json-schema'
import {
  createInteractions,
  callbackSignals,
  isInteractionError,
  responseJsonSchema,
  type CreateInteractionInput,
  type Participant,
  type Signal,
} from '@hitl/interactions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

/** Runs of each property; each finishes in a few seconds on one core. */
const RUNS = 400
/** The runs are seeded, so a count asserted below is the same on every run; FC_SEED explores others. */
const SEED = Number(process.env.FC_SEED ?? 20_261_129)

const members: Participant[] = ['a', 'b', 'c', 'd'].map((id) => ({ type: 'member', id: `user_${id}` }))
const directory = { membersOf: async () => members }

/** Text as every store keeps it: well-formed, no NUL (which `respond` refuses whatever the schema says). */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).filter((s) => !s.includes('\u0000'))
const optionValues = ['eu', 'us', 'ap', 'sa']
const options = fc.integer({ min: 1, max: 4 }).map((n) => optionValues.slice(0, n).map((value) => ({ value, label: value.toUpperCase() })))

/** A proposal's schema from a small family of shapes, with bounds near the candidates' edges. */
const proposal = fc
  .record({ maxLength: fc.integer({ min: 0, max: 3 }), maximum: fc.integer({ min: -1, max: 2 }), required: fc.boolean() })
  .map(({ maxLength, maximum, required }) => ({
    value: { name: '', n: Math.min(0, maximum) },
    schema: {
      type: 'object',
      properties: { name: { type: 'string', maxLength }, n: { type: 'integer', maximum }, tags: { $ref: '#/$defs/tags' } },
      ...(required && { required: ['name'] }),
      additionalProperties: false,
      $defs: { tags: { type: 'array', items: { enum: ['x', 'y'] }, uniqueItems: true } },
    },
  }))

const confirmSpec = fc.record(
  {
    mode: fc.constant('confirm' as const),
    proposal,
    reject_reasons: fc.constant([
      { value: 'risky', label: 'Too risky' },
      { value: 'later', label: 'Not now' },
    ]),
    require_reason: fc.boolean(),
  },
  { requiredKeys: ['mode'] },
)

/** A spec, its interaction type, and whether it goes to a group of all members (where nobody may edit). */
const request = fc.oneof(
  fc.record({ type: fc.constant('approval' as const), spec: confirmSpec, shared: fc.boolean() }),
  fc.record({
    type: fc.constant('review' as const),
    spec: options.map((o) => ({ mode: 'select' as const, options: o })),
    shared: fc.constant(false),
  }),
  fc.record({
    type: fc.constant('input' as const),
    spec: options.chain((o) =>
      fc
        .record({ min: fc.integer({ min: 0, max: o.length }), max: fc.integer({ min: 1, max: o.length }) })
        .filter(({ min, max }) => min <= max)
        .map(({ min, max }) => ({ mode: 'multi_select' as const, options: o, min_selections: min, max_selections: max })),
    ),
    shared: fc.constant(false),
  }),
  fc.record({
    type: fc.constant('input' as const),
    spec: fc.integer({ min: 1, max: 4 }).map((max_length) => ({ mode: 'input' as const, max_length })),
    shared: fc.constant(false),
  }),
)

/** Candidate answers of every shape, valid and not, near the edges of the specs above. */
const edited = fc.oneof(
  fc.record(
    {
      name: text(4),
      n: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constant(1.5)),
      tags: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom(null, 1, 'x', [], {}, { other: true }),
)
const reason = fc.oneof(
  fc.record(
    { value: fc.constantFrom('risky', 'later', 'other', ' risky'), text: fc.oneof(text(3), fc.constant('')) },
    { requiredKeys: [] },
  ),
  fc.constantFrom('why', null),
)
const byMode = {
  confirm: fc.record(
    { confirmed: fc.oneof({ arbitrary: fc.boolean(), weight: 6 }, fc.constant('yes')), edited, reason },
    { requiredKeys: [] },
  ),
  select: fc.record({ value: fc.oneof(fc.constantFrom(...optionValues, 'mars', ''), fc.integer()) }, { requiredKeys: [] }),
  multi_select: fc
    .record({ values: fc.uniqueArray(fc.constantFrom(...optionValues, 'mars'), { maxLength: 5 }) })
    .chain(({ values }) => fc.oneof(fc.constant({ values }), fc.constant({ values: [...values, ...values.slice(0, 1)] }))),
  input: fc.oneof(fc.record({ text: text(6) }), fc.record({ text: text(2), extra: fc.boolean() })),
}
/** Mostly answers shaped for the spec's mode, sometimes one of another mode's shape. */
const candidateFor = (mode: keyof typeof byMode) => fc.oneof({ arbitrary: byMode[mode], weight: 4 }, ...Object.values(byMode))

describe('agents — properties', () => {
  it('responseJsonSchema and respond agree on every candidate value, for every generated spec', async () => {
    let runs = 0
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(
        request.chain((r) => fc.tuple(fc.constant(r), candidateFor(r.spec.mode))),
        async ([{ type, spec, shared }, value]) => {
          runs++
          const interactions = createInteractions({ directory })
          const target = shared
            ? { target_actor: { type: 'group', id: 'group_all' }, routing_policy: 'all_members' }
            : { target_actor: members[0] }
          const interaction = await interactions.create('acme', { type, spec, ...target } as CreateInteractionInput)
          const byJsonSchema = new Validator(responseJsonSchema(interaction), '2020-12').validate(value).valid
          const byRespond = await interactions.respond('acme', interaction.id, { actor: members[0]!, value }).then(
            () => true,
            (error: unknown) => {
              if (isInteractionError(error, 'validation_failed')) return false
              throw error
            },
          )
          if (byRespond) accepted++
          expect(byRespond).toBe(byJsonSchema)
        },
      ),
      { numRuns: RUNS, seed: SEED },
    )
    expect(runs).toBe(RUNS)
    // Both sides of the agreement are exercised, not only refusals.
    expect(accepted).toBeGreaterThan(RUNS / 20)
    console.info(`response schema agreement: ${runs} runs, ${accepted} accepted by both, ${runs - accepted} refused by both`)
  }, 60_000)

  /**
   * Fields of a generated proposal schema, each with values the generator knows to satisfy it or
   * not: the expectation is written by hand, so it checks the validator and respond alike.
   */
  const FIELDS = {
    code: { schema: { type: 'string', pattern: '^[A-Z]{3}$' }, valid: ['ABC', 'XYZ'], invalid: ['AB', 'abc', 'ABCD', 3] },
    email: { schema: { type: 'string', format: 'email' }, valid: ['ops@example.com', 'a.b@c.io'], invalid: ['nobody', '', null] },
    tier: { schema: { enum: ['free', 'pro'] }, valid: ['free', 'pro'], invalid: ['gold', 1, ['free']] },
    limits: {
      schema: {
        type: 'object',
        properties: { cpu: { type: 'integer', minimum: 1, maximum: 8 } },
        required: ['cpu'],
        additionalProperties: false,
      },
      valid: [{ cpu: 1 }, { cpu: 8 }],
      invalid: [{}, { cpu: 0 }, { cpu: 9 }, { cpu: 1.5 }, { cpu: 2, gpu: 1 }, []],
    },
  }
  type FieldName = keyof typeof FIELDS
  const fieldNames = Object.keys(FIELDS) as FieldName[]

  /** A schema of some of the fields, some of them required, and an edit whose validity is known field by field. */
  const knownEdit = fc
    .record({ present: fc.subarray(fieldNames, { minLength: 1 }), required: fc.subarray(fieldNames) })
    .chain(({ present, required }) =>
      fc.record({
        present: fc.constant(present),
        required: fc.constant(required.filter((name) => present.includes(name))),
        // Each field of the edit: left out, or one of its valid or invalid values, by index.
        choices: fc.tuple(
          ...present.map((name) =>
            fc.oneof(
              fc.constant({ kind: 'absent' as const }),
              fc.nat(FIELDS[name].valid.length - 1).map((index) => ({ kind: 'valid' as const, value: FIELDS[name].valid[index] })),
              fc.nat(FIELDS[name].invalid.length - 1).map((index) => ({ kind: 'invalid' as const, value: FIELDS[name].invalid[index] })),
            ),
          ),
        ),
        extra: fc.boolean(),
      }),
    )

  it('an edit is accepted exactly when the generator knows it satisfies the proposal schema, by respond and the JSON Schema', async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(knownEdit, async ({ present, required, choices, extra }) => {
        const schema = {
          type: 'object',
          properties: Object.fromEntries(present.map((name) => [name, FIELDS[name].schema])),
          required,
          additionalProperties: false,
        }
        const value = Object.fromEntries(present.map((name) => [name, FIELDS[name].valid[0]]))
        const edited = {
          ...Object.fromEntries(
            present.flatMap((name, index) => (choices[index]!.kind === 'absent' ? [] : [[name, choices[index]!.value]])),
          ),
          ...(extra && { unknown: true }),
        }
        const expected =
          !extra &&
          choices.every((choice) => choice.kind !== 'invalid') &&
          required.every((name) => choices[present.indexOf(name)]!.kind !== 'absent')

        const interactions = createInteractions({ directory })
        const interaction = await interactions.create('acme', {
          type: 'approval',
          spec: { mode: 'confirm', proposal: { value, schema } },
          target_actor: members[0]!,
        })
        const answer = { confirmed: true, edited }
        expect(new Validator(responseJsonSchema(interaction), '2020-12').validate(answer).valid).toBe(expected)
        const byRespond = await interactions.respond('acme', interaction.id, { actor: members[0]!, value: answer }).then(
          (record) => record.approved_value,
          (error: unknown) => {
            if (isInteractionError(error, 'validation_failed')) return undefined
            throw error
          },
        )
        expect(byRespond).toEqual(expected ? edited : undefined)
        if (expected) accepted++
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(accepted).toBeGreaterThan(RUNS / 20)
    console.info(`known edits: ${RUNS} runs, ${accepted} accepted, ${RUNS - accepted} refused`)
  }, 60_000)

  /** One call of the sequence: a member answers, confirming or not, with an edit or a reason. */
  const call = fc.record({
    member: fc.integer({ min: 0, max: members.length - 1 }),
    confirmed: fc.boolean(),
    edit: fc.boolean(),
    reason: fc.boolean(),
  })
  const policy = fc.oneof(
    fc.constant({ routing: 'direct' as const }),
    fc.constant({ routing: 'first_responder' as const }),
    fc.constant({ routing: 'all_members' as const }),
    fc.integer({ min: 1, max: members.length }).map((required) => ({ routing: 'quorum' as const, required })),
  )

  const proposed = { n: 1 }

  it('no call sequence resumes a run with approved when the deciding responses rejected, on any policy', async () => {
    let runs = 0
    await fc.assert(
      fc.asyncProperty(policy, fc.array(call, { maxLength: 8 }), async (chosen, calls) => {
        runs++
        const signals: Signal[] = []
        const interactions = createInteractions({ directory, signals: callbackSignals((signal) => void signals.push(signal)) })
        const group = { type: 'group', id: 'group_all' } as const
        const { id } = await interactions.create('acme', {
          type: 'approval',
          spec: { mode: 'confirm', proposal: { value: proposed, schema: { type: 'object' } } },
          run_id: 'run_1',
          topic: 'gate',
          ...(chosen.routing === 'direct'
            ? { target_actor: members[0]! }
            : {
                target_actor: group,
                routing_policy: chosen.routing,
                ...(chosen.routing === 'quorum' && { quorum: { required: chosen.required } }),
              }),
        })
        for (const { member, confirmed, edit, reason } of calls) {
          const value = confirmed
            ? { confirmed, ...(edit && { edited: { n: 2 } }) }
            : { confirmed, ...(reason && { reason: { text: 'no' } }) }
          await interactions.respond('acme', id, { actor: members[member]!, value }).catch((error: unknown) => {
            if (!isInteractionError(error)) throw error
          })
        }
        const record = await interactions.get('acme', id)
        expect(signals.length).toBe(record.status === 'pending' ? 0 : 1)
        for (const signal of signals) {
          const confirms = signal.responses.map((response) => 'confirmed' in response.value && response.value.confirmed)
          const approvedByRule =
            chosen.routing === 'quorum'
              ? confirms.filter(Boolean).length >= chosen.required
              : chosen.routing === 'all_members'
                ? confirms.every(Boolean)
                : confirms[0] === true
          expect(signal.outcome).toBe(approvedByRule ? 'approved' : 'rejected')
          if (signal.outcome === 'rejected') expect(signal).not.toHaveProperty('approved_value')
          if (signal.outcome === 'approved') {
            // Several deciders approve the proposal as it is; one decider approves its own edit, or the proposal.
            const decider = signal.responses[0]!.value as { edited?: unknown }
            const decided = chosen.routing === 'all_members' || chosen.routing === 'quorum' ? proposed : (decider.edited ?? proposed)
            expect(signal.approved_value).toEqual(decided)
            expect(signal.edited).toBe(decided !== proposed)
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(runs).toBe(RUNS)
  }, 60_000)
})
