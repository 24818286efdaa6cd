import { CreateInteractionInputSchema, type CreateInteractionInput } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { MODES_BY_TYPE } from '../../src/model/spec.js'
import { deployGate } from '../support/harness.js'

const specs = {
  confirm: { mode: 'confirm' },
  select: { mode: 'select', options: [{ value: 'a', label: 'A' }] },
  multi_select: { mode: 'multi_select', options: [{ value: 'a', label: 'A' }] },
  input: { mode: 'input' },
} as const

const base = { target_actor: { type: 'member', id: 'user_alice' } } as const

function issuesOf(input: unknown) {
  const result = CreateInteractionInputSchema.safeParse(input)
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
}

describe('type ↔ mode', () => {
  const cases = (['approval', 'review', 'input'] as const).flatMap((type) =>
    (Object.keys(specs) as (keyof typeof specs)[]).map((mode) => ({
      type,
      mode,
      allowed: (MODES_BY_TYPE[type] as readonly string[]).includes(mode),
    })),
  )

  it('allows exactly approval→confirm, review→select, input→select|multi_select|input', () => {
    expect(cases.filter((c) => c.allowed).map((c) => `${c.type}/${c.mode}`)).toEqual([
      'approval/confirm',
      'review/select',
      'input/select',
      'input/multi_select',
      'input/input',
    ])
  })

  it.each(cases)('$type with $mode — allowed: $allowed', ({ type, mode, allowed }) => {
    const issues = issuesOf({ ...base, type, spec: specs[mode] })
    if (allowed) expect(issues).toEqual([])
    else {
      expect(issues).toHaveLength(1)
      expect(issues[0]!.path).toBe('spec.mode')
      expect(issues[0]!.message).toContain(`type "${type}"`)
      expect(issues[0]!.message).toContain(`got "${mode}"`)
    }
  })
})

describe('validation rules', () => {
  const valid: CreateInteractionInput = { ...base, type: 'input', spec: specs.input }
  const cases: { name: string; input: unknown; path: string; message: RegExp }[] = [
    { name: 'unknown type', input: { ...valid, type: 'vote' }, path: 'type', message: /approval/ },
    { name: 'unknown mode', input: { ...valid, spec: { mode: 'slider' } }, path: 'spec.mode', message: /confirm/ },
    { name: 'missing spec', input: { ...base, type: 'input' }, path: 'spec', message: /./ },
    { name: 'missing target', input: { type: 'input', spec: specs.input }, path: 'target_actor', message: /./ },
    {
      name: 'unknown actor type',
      input: { ...valid, target_actor: { type: 'team', id: 'x' } },
      path: 'target_actor.type',
      message: /member/,
    },
    { name: 'empty actor id', input: { ...valid, target_actor: { type: 'member', id: '' } }, path: 'target_actor.id', message: /empty/ },
    { name: 'blank actor id', input: { ...valid, target_actor: { type: 'member', id: '  ' } }, path: 'target_actor.id', message: /space/ },
    {
      name: 'actor id with a leading space',
      input: { ...valid, target_actor: { type: 'member', id: ' a' } },
      path: 'target_actor.id',
      message: /space/,
    },
    { name: 'run_id with a trailing newline', input: { ...valid, run_id: 'run_1\n' }, path: 'run_id', message: /whitespace/ },
    { name: 'topic with a trailing no-break space', input: { ...valid, topic: 'gate\u00a0' }, path: 'topic', message: /whitespace/ },
    {
      name: 'idempotency_key with a leading tab',
      input: { ...valid, idempotency_key: '\tk' },
      path: 'idempotency_key',
      message: /whitespace/,
    },
    {
      name: 'option value with surrounding spaces',
      input: { ...valid, type: 'review', spec: { mode: 'select', options: [{ value: ' a ', label: 'A' }] } },
      path: 'spec.options.0.value',
      message: /whitespace/,
    },
    {
      name: 'expires_at past year 9999 in UTC',
      input: { ...valid, expires_at: '9999-12-31T23:59:59-05:00' },
      path: 'expires_at',
      message: /^must be between 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in UTC \(got 9999-12-31T23:59:59-05:00, \+010000-/,
    },
    {
      name: 'expires_at before year 1 in UTC',
      input: { ...valid, expires_at: '0000-01-01T00:00:00+01:00' },
      path: 'expires_at',
      message: /between/,
    },
    { name: 'expires_at in year 0', input: { ...valid, expires_at: '0000-12-31T23:59:59Z' }, path: 'expires_at', message: /between/ },
    {
      name: 'routing policy on a member',
      input: { ...valid, routing_policy: 'all_members' },
      path: 'routing_policy',
      message: /only to group targets/,
    },
    {
      name: 'unknown routing policy',
      input: { ...valid, target_actor: { type: 'group', id: 'g' }, routing_policy: 'round_robin' },
      path: 'routing_policy',
      message: /first_responder/,
    },
    { name: 'run_id without topic', input: { ...valid, run_id: 'run_1' }, path: 'topic', message: /topic is required when run_id is set/ },
    { name: 'topic without run_id', input: { ...valid, topic: 'gate' }, path: 'run_id', message: /run_id is required when topic is set/ },
    { name: 'expires_at without offset', input: { ...valid, expires_at: '2026-04-22T10:00:00' }, path: 'expires_at', message: /datetime/i },
    { name: 'expires_at not a date', input: { ...valid, expires_at: 'tomorrow' }, path: 'expires_at', message: /datetime/i },
    { name: 'metadata not an object', input: { ...valid, metadata: [1, 2] }, path: 'metadata', message: /./ },
    { name: 'requested_by malformed', input: { ...valid, requested_by: { type: 'member' } }, path: 'requested_by.id', message: /./ },
    { name: 'extra field', input: { ...valid, priority: 'high' }, path: '', message: /priority/ },
    {
      name: 'select without options',
      input: { ...valid, spec: { mode: 'select', options: [] } },
      path: 'spec.options',
      message: /at least one option/,
    },
    {
      name: 'select with duplicate values',
      input: {
        ...valid,
        spec: {
          mode: 'select',
          options: [
            { value: 'a', label: 'A' },
            { value: 'a', label: 'B' },
          ],
        },
      },
      path: 'spec.options.1.value',
      message: /duplicate option value "a"/,
    },
    {
      name: 'select default not an option',
      input: { ...valid, spec: { ...specs.select, default_value: 'z' } },
      path: 'spec.default_value',
      message: /"z" is not one of the option values/,
    },
    {
      name: 'multi_select defaults not a subset',
      input: { ...valid, spec: { ...specs.multi_select, default_values: ['a', 'z'] } },
      path: 'spec.default_values.1',
      message: /"z" is not one of the option values/,
    },
    {
      name: 'multi_select min above options',
      input: { ...valid, spec: { ...specs.multi_select, min_selections: 2 } },
      path: 'spec.min_selections',
      message: /must not exceed the number of options \(1\)/,
    },
    {
      name: 'multi_select max above options',
      input: { ...valid, spec: { ...specs.multi_select, max_selections: 3 } },
      path: 'spec.max_selections',
      message: /must not exceed the number of options/,
    },
    {
      name: 'multi_select min above max',
      input: {
        ...valid,
        spec: {
          mode: 'multi_select',
          options: [
            { value: 'a', label: 'A' },
            { value: 'b', label: 'B' },
            { value: 'c', label: 'C' },
          ],
          min_selections: 3,
          max_selections: 2,
        },
      },
      path: 'spec.min_selections',
      message: /must not exceed max_selections \(2\)/,
    },
    {
      name: 'input default longer than max_length',
      input: { ...valid, spec: { mode: 'input', default_text: 'abcdef', max_length: 3 } },
      path: 'spec.default_text',
      message: /max_length \(3\)/,
    },
    { name: 'input max_length zero', input: { ...valid, spec: { mode: 'input', max_length: 0 } }, path: 'spec.max_length', message: /./ },
  ]

  it.each(cases)('$name → $path', ({ input, path, message }) => {
    const issues = issuesOf(input)
    const issue = issues.find((i) => i.path === path)
    expect(issue, JSON.stringify(issues)).toBeDefined()
    expect(issue!.message).toMatch(message)
  })

  it('accepts the canonical approval gate as is', () => {
    expect(issuesOf(deployGate)).toEqual([])
  })

  it('accepts expires_at at both ends of the storable range, in any offset', () => {
    const ends = ['0001-01-01T00:00:00Z', '0001-01-01T01:00:00+01:00', '9999-12-31T23:59:59.999Z', '9999-12-31T18:59:59.999-05:00']
    for (const expires_at of ends) {
      expect(issuesOf({ ...deployGate, expires_at }), expires_at).toEqual([])
    }
  })

  it('accepts identifiers with inner whitespace and non-ASCII text, exactly as given', () => {
    const input = { ...deployGate, target_actor: { type: 'member', id: 'Zoë Smith' }, topic: 'déploiement 🚀' }
    expect(CreateInteractionInputSchema.parse(input)).toMatchObject({ target_actor: { id: 'Zoë Smith' }, topic: 'déploiement 🚀' })
  })
})
