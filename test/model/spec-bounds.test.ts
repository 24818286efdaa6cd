import { CreateInteractionInputSchema, SpecSchema, type Spec } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { responseValueSchemaFor } from '../../src/model/response.js'

// The edges of each spec rule: the last accepted value and the first refused one, with the message a caller sees.

const options = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `v${i}`, label: `Option ${i}` }))
const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
const specIssues = (spec: unknown) => issuesOf(SpecSchema.safeParse(spec))
const answerIssues = (spec: unknown, value: unknown) =>
  issuesOf(responseValueSchemaFor(SpecSchema.parse(spec) as Spec, { editable: true }).safeParse(value))

describe('spec bounds', () => {
  it('create — the mode a type requires is listed in full when another is given', () => {
    const result = CreateInteractionInputSchema.safeParse({
      type: 'input',
      target_actor: { type: 'member', id: 'a' },
      spec: { mode: 'slider' },
    })
    expect(issuesOf(result).map((issue) => issue.path)).toEqual(['spec.mode'])
    const wrongMode = CreateInteractionInputSchema.safeParse({
      type: 'review',
      target_actor: { type: 'member', id: 'a' },
      spec: { mode: 'confirm' },
    })
    expect(issuesOf(wrongMode)).toEqual([{ path: 'spec.mode', message: 'type "review" requires spec.mode "select" (got "confirm")' }])
    const input = CreateInteractionInputSchema.safeParse({
      type: 'approval',
      target_actor: { type: 'member', id: 'a' },
      spec: { mode: 'input' },
    })
    expect(issuesOf(input)).toEqual([{ path: 'spec.mode', message: 'type "approval" requires spec.mode "confirm" (got "input")' }])
  })

  it('create — routing_policy on an agent target names the target type', () => {
    const result = CreateInteractionInputSchema.safeParse({
      type: 'approval',
      target_actor: { type: 'agent', id: 'bot' },
      spec: { mode: 'confirm' },
      routing_policy: 'first_responder',
    })
    expect(issuesOf(result)).toEqual([
      { path: 'routing_policy', message: 'routing_policy applies only to group targets (target_actor.type is "agent")' },
    ])
  })

  it('select — an option needs a non-blank label; a default that is an option is accepted', () => {
    expect(specIssues({ mode: 'select', options: [{ value: 'a', label: ' ' }] })).toEqual([
      { path: 'options.0.label', message: 'must not be empty' },
    ])
    expect(specIssues({ mode: 'select', options: options(3), default_value: 'v2' })).toEqual([])
    expect(specIssues({ mode: 'select', options: [] })).toEqual([{ path: 'options', message: 'must have at least one option' }])
    expect(specIssues({ mode: 'select', options: [...options(2), { value: 'v0', label: 'Again' }] })).toEqual([
      { path: 'options.2.value', message: 'duplicate option value "v0"' },
    ])
  })

  it('multi_select — min_selections and max_selections may equal the number of options', () => {
    expect(specIssues({ mode: 'multi_select', options: options(3), min_selections: 3, max_selections: 3 })).toEqual([])
    expect(specIssues({ mode: 'multi_select', options: options(3), min_selections: 0 })).toEqual([])
    expect(specIssues({ mode: 'multi_select', options: options(3), min_selections: 2, max_selections: 2 })).toEqual([])
  })

  it('multi_select — bounds past the options are refused, each naming its field', () => {
    expect(specIssues({ mode: 'multi_select', options: options(3), min_selections: 4 })).toEqual([
      { path: 'min_selections', message: 'must not exceed the number of options (3)' },
      { path: 'min_selections', message: 'must not exceed max_selections (3)' },
    ])
    expect(specIssues({ mode: 'multi_select', options: options(3), max_selections: 4 })).toEqual([
      { path: 'max_selections', message: 'must not exceed the number of options (3)' },
    ])
    expect(specIssues({ mode: 'multi_select', options: options(3), max_selections: 0 })).toEqual([
      { path: 'max_selections', message: 'Too small: expected number to be >=1' },
    ])
  })

  it('multi_select — default_values are checked against the options and the bounds', () => {
    const spec = { mode: 'multi_select', options: options(3), min_selections: 1, max_selections: 2 }
    expect(specIssues({ ...spec, default_values: ['v0', 'v2'] })).toEqual([])
    expect(specIssues({ ...spec, default_values: [] })).toEqual([{ path: 'default_values', message: 'must select at least 1 (got 0)' }])
    expect(specIssues({ ...spec, default_values: ['v0', 'v1', 'v2'] })).toEqual([
      { path: 'default_values', message: 'must select at most 2 (got 3)' },
    ])
    expect(specIssues({ ...spec, default_values: ['v0', 'v0'] })).toEqual([{ path: 'default_values.1', message: '"v0" is selected twice' }])
    expect(specIssues({ ...spec, default_values: ['zz'] })).toEqual([
      { path: 'default_values.0', message: '"zz" is not one of the option values' },
    ])
  })

  it('input — default_text may be exactly max_length long', () => {
    expect(specIssues({ mode: 'input', default_text: 'abc', max_length: 3 })).toEqual([])
    expect(specIssues({ mode: 'input', default_text: 'abcd', max_length: 3 })).toEqual([
      { path: 'default_text', message: 'must be at most max_length (3) characters' },
    ])
    expect(specIssues({ mode: 'input', default_text: 'a long default with no max_length' })).toEqual([])
  })
})

describe('answer bounds', () => {
  it('responseValueSchemaFor — select takes one of the option values and names them all otherwise', () => {
    const spec = { mode: 'select', options: options(3) }
    expect(answerIssues(spec, { value: 'v1' })).toEqual([])
    expect(answerIssues(spec, { value: 'v9' })).toEqual([{ path: 'value', message: 'must be one of: v0, v1, v2' }])
  })

  it('responseValueSchemaFor — multi_select without bounds takes none up to all of the options', () => {
    const spec = { mode: 'multi_select', options: options(3) }
    expect(answerIssues(spec, { values: [] })).toEqual([])
    expect(answerIssues(spec, { values: ['v2', 'v0', 'v1'] })).toEqual([])
    expect(answerIssues(spec, { values: ['v0', 'v3'] })).toEqual([{ path: 'values.1', message: '"v3" is not one of the option values' }])
  })

  it('responseValueSchemaFor — multi_select bounds are inclusive', () => {
    const spec = { mode: 'multi_select', options: options(4), min_selections: 2, max_selections: 3 }
    expect(answerIssues(spec, { values: ['v0', 'v1'] })).toEqual([])
    expect(answerIssues(spec, { values: ['v0', 'v1', 'v2'] })).toEqual([])
    expect(answerIssues(spec, { values: ['v0'] })).toEqual([{ path: 'values', message: 'must select at least 2 (got 1)' }])
    expect(answerIssues(spec, { values: ['v0', 'v1', 'v2', 'v3'] })).toEqual([{ path: 'values', message: 'must select at most 3 (got 4)' }])
  })

  it('responseValueSchemaFor — input text may be exactly max_length long, and up to 100 000 characters without one', () => {
    expect(answerIssues({ mode: 'input', max_length: 5 }, { text: 'abcde' })).toEqual([])
    expect(answerIssues({ mode: 'input', max_length: 5 }, { text: 'abcdef' })).toEqual([
      { path: 'text', message: 'must be at most 5 characters' },
    ])
    expect(answerIssues({ mode: 'input' }, { text: 'x'.repeat(100_000) })).toEqual([])
    expect(answerIssues({ mode: 'input' }, { text: 'x'.repeat(100_001) })).toEqual([
      { path: 'text', message: 'must be at most 100000 characters' },
    ])
  })

  it('responseValueSchemaFor — max_length counts characters (code points), as JSON Schema maxLength does, so an emoji is one', () => {
    expect(answerIssues({ mode: 'input', max_length: 2 }, { text: '🚀🚀' })).toEqual([])
    expect(answerIssues({ mode: 'input', max_length: 2 }, { text: '🚀🚀🚀' })).toEqual([
      { path: 'text', message: 'must be at most 2 characters' },
    ])
    expect(SpecSchema.safeParse({ mode: 'input', max_length: 2, default_text: '🚀🚀' }).success).toBe(true)
  })

  it('responseValueSchemaFor — confirm takes a boolean and nothing else', () => {
    expect(answerIssues({ mode: 'confirm' }, { confirmed: false })).toEqual([])
    expect(answerIssues({ mode: 'confirm' }, { confirmed: false, note: 'x' }).map((issue) => issue.path)).toEqual([''])
  })
})
