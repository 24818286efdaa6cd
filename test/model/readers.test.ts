import {
  answersOf,
  inputText,
  isApproved,
  isInteractionError,
  selectedValue,
  selectedValues,
  type Interaction,
  type Signal,
} from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, carol, deployGate, harness } from '../support/harness.js'
import { pendingApproval } from '../support/records.js'

// Hand-built records and signals in every mode and status; readers answer the same for both shapes.

const ops = { type: 'group', id: 'ops' } as const
const at = '2026-04-21T09:00:00.000Z'
type Value = Interaction['responses'][number]['value']
const answer = (value: Value, actor: typeof alice | typeof bob = alice) => ({ actor, value, responded_at: at })

/** A record in `spec`'s mode, of the type that allows it, pending unless `fields` say otherwise. */
function record(spec: Interaction['spec'], fields: Partial<Interaction> = {}): Interaction {
  const type = spec.mode === 'confirm' ? 'approval' : spec.mode === 'select' ? 'review' : 'input'
  return { ...pendingApproval, target_actor: alice, type, spec, ...fields } as Interaction
}

/** The signal a run receives for `interaction`. */
const signalOf = (interaction: Interaction): Signal => ({
  interaction_id: interaction.id,
  project: interaction.project,
  run_id: 'run_1',
  topic: 'gate',
  status: interaction.status === 'pending' ? 'completed' : (interaction.status as Signal['status']),
  responses: interaction.responses,
  ...(interaction.outcome === undefined ? {} : { outcome: interaction.outcome }),
  idempotency_key: `${interaction.id}:${interaction.status}`,
})

const options = [
  { value: 'blue', label: 'Blue' },
  { value: 'green', label: 'Green' },
]
const confirm = { mode: 'confirm' } as const
const select = { mode: 'select', options } as const
const multiSelect = { mode: 'multi_select', options } as const
const input = { mode: 'input' } as const
const completed = (fields: Partial<Interaction>) => ({ status: 'completed', completed_at: at, ...fields }) as Partial<Interaction>

/** Both shapes a reader accepts for one end state. */
const both = (interaction: Interaction) => [interaction, signalOf(interaction)] as const

function refusal(read: () => unknown) {
  try {
    read()
  } catch (error) {
    if (isInteractionError(error, 'validation_failed')) return error.issues
    throw error
  }
  throw new Error('the reader answered instead of refusing')
}

describe('readers', () => {
  it('isApproved — answers from the outcome of a completed approval, for the record and its signal', () => {
    for (const x of both(record(confirm, completed({ responses: [answer({ confirmed: true })], outcome: 'approved' })))) {
      expect(isApproved(x)).toBe(true)
    }
    for (const x of both(record(confirm, completed({ responses: [answer({ confirmed: false })], outcome: 'rejected' })))) {
      expect(isApproved(x)).toBe(false)
    }
    // All members: one refusal rejects, though a confirmation came first.
    const split = [answer({ confirmed: true }), answer({ confirmed: false }, bob)]
    for (const x of both(record(confirm, completed({ responses: split, outcome: 'rejected' })))) expect(isApproved(x)).toBe(false)
  })

  it('isApproved — false while pending and once expired', () => {
    expect(isApproved(record(confirm))).toBe(false)
    for (const x of both(record(confirm, { status: 'expired', expired_at: at }))) expect(isApproved(x)).toBe(false)
  })

  it('isApproved — refuses a review or input interaction, and a signal carrying another mode of answer', () => {
    expect(refusal(() => isApproved(record(select, completed({ responses: [answer({ value: 'blue' })] }))))).toEqual([
      { path: ['type'], message: 'isApproved reads an approval (got "review")' },
    ])
    expect(refusal(() => isApproved(signalOf(record(select, completed({ responses: [answer({ value: 'blue' })] })))))).toEqual([
      { path: ['responses', 0, 'value'], message: 'isApproved reads a "confirm" answer (got a "select" answer)' },
    ])
  })

  it('selectedValue — the chosen option of a completed select; undefined while pending or expired', () => {
    for (const x of both(record(select, completed({ responses: [answer({ value: 'green' })] })))) expect(selectedValue(x)).toBe('green')
    expect(selectedValue(record(select))).toBeUndefined()
    for (const x of both(record(select, { status: 'expired', expired_at: at }))) expect(selectedValue(x)).toBeUndefined()
  })

  it('selectedValue — a partial all-members answer is no decision yet', () => {
    const pending = record(select, { target_actor: ops, routing_policy: 'all_members', responses: [answer({ value: 'blue' })] })
    expect(selectedValue(pending)).toBeUndefined()
  })

  it('selectedValues — the chosen options of a completed multi_select, as a copy', () => {
    const done = record(multiSelect, completed({ responses: [answer({ values: ['blue', 'green'] })] }))
    for (const x of both(done)) expect(selectedValues(x)).toEqual(['blue', 'green'])
    selectedValues(done)!.pop()
    expect(selectedValues(done)).toEqual(['blue', 'green'])
    expect(selectedValues(record(multiSelect))).toBeUndefined()
  })

  it('inputText — the text of a completed input; undefined while pending or expired', () => {
    for (const x of both(record(input, completed({ responses: [answer({ text: 'looks fine' })] })))) expect(inputText(x)).toBe('looks fine')
    expect(inputText(record(input))).toBeUndefined()
    for (const x of both(record(input, { status: 'expired', expired_at: at }))) expect(inputText(x)).toBeUndefined()
  })

  it('selectedValue, selectedValues, inputText — refuse another mode, named by spec.mode or by the answer', () => {
    expect(refusal(() => selectedValue(record(input)))).toEqual([
      { path: ['spec', 'mode'], message: 'selectedValue reads a "select" answer (got "input")' },
    ])
    expect(refusal(() => selectedValues(record(select)))).toEqual([
      { path: ['spec', 'mode'], message: 'selectedValues reads a "multi_select" answer (got "select")' },
    ])
    const approved = signalOf(record(confirm, completed({ responses: [answer({ confirmed: true })], outcome: 'approved' })))
    expect(refusal(() => inputText(approved))).toEqual([
      { path: ['responses', 0, 'value'], message: 'inputText reads a "input" answer (got a "confirm" answer)' },
    ])
  })

  it('selectedValue — refuses an all-members result, which holds one answer per member', () => {
    const votes = [answer({ value: 'blue' }), answer({ value: 'green' }, bob)]
    const message = 'selectedValue reads the one deciding answer, and all 2 members answered; read them with answersOf'
    for (const x of both(record(select, completed({ target_actor: ops, routing_policy: 'all_members', responses: votes })))) {
      expect(refusal(() => selectedValue(x))).toEqual([{ path: ['responses'], message }])
    }
  })

  it('answersOf — every response so far, in order, with its value unwrapped and its comment kept', () => {
    const votes = [{ ...answer({ values: ['blue'] }), comment: 'only blue' }, answer({ values: [] }, bob)]
    const vote = record(multiSelect, { target_actor: ops, routing_policy: 'all_members', responses: votes })
    expect(answersOf(vote)).toEqual([
      { actor: alice, value: ['blue'], comment: 'only blue', responded_at: at },
      { actor: bob, value: [], responded_at: at },
    ])
    const rejected = signalOf(record(confirm, completed({ responses: [answer({ confirmed: false })], outcome: 'rejected' })))
    expect(answersOf(rejected)).toEqual([{ actor: alice, value: false, responded_at: at }])
    const text = record(input, completed({ responses: [answer({ text: 'ok' })] }))
    expect(answersOf(text)).toEqual([{ actor: alice, value: 'ok', responded_at: at }])
    const choice = record(select, completed({ responses: [answer({ value: 'green' })] }))
    expect(answersOf(choice)).toEqual([{ actor: alice, value: 'green', responded_at: at }])
    expect(answersOf(record(input))).toEqual([])
  })
})

describeEachStore('readers over what the service stores and signals', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })
  const ops = { type: 'group', id: 'group_ops' } as const

  it('isApproved — true for a confirmed approval, on the returned record, the stored one and the delivered signal', async () => {
    const { interactions, delivered } = await service()
    const gate = await interactions.create('acme', deployGate)
    const approved = await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    expect([approved, await interactions.get('acme', gate.id), ...delivered].map(isApproved)).toEqual([true, true, true])
  })

  it('isApproved — an all-members approval with one refusal is rejected; answersOf names who said what', async () => {
    const { interactions, delivered } = await service()
    const vote = await interactions.create('acme', { ...deployGate, target_actor: ops, routing_policy: 'all_members' })
    for (const [actor, confirmed] of [
      [alice, true],
      [bob, false],
      [carol, true],
    ] as const) {
      await interactions.respond('acme', vote.id, { actor, value: { confirmed } })
    }
    expect(delivered.map(isApproved)).toEqual([false])
    expect(answersOf(delivered[0]!).map(({ actor, value }) => [actor.id, value])).toEqual([
      ['user_alice', true],
      ['user_bob', false],
      ['user_carol', true],
    ])
  })

  it('selectedValue — the chosen option of a review, and undefined once a question is cancelled', async () => {
    const { interactions, delivered } = await service()
    const spec = {
      mode: 'select' as const,
      options: [
        { value: 'eu', label: 'Europe' },
        { value: 'us', label: 'America' },
      ],
    }
    const region = await interactions.create('acme', { ...deployGate, type: 'review', spec })
    await interactions.respond('acme', region.id, { actor: alice, value: { value: 'us' } })
    const withdrawn = await interactions.create('acme', { ...deployGate, type: 'review', spec, topic: 'region-2' })
    const cancelled = await interactions.cancel('acme', withdrawn.id, { actor: alice })
    expect(delivered.map(selectedValue)).toEqual(['us', undefined])
    expect(selectedValue(cancelled)).toBeUndefined()
    expect(isApproved(await interactions.cancel('acme', (await interactions.create('acme', deployGate)).id, { actor: alice }))).toBe(false)
  })
})
