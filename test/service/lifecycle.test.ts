import { isInteractionError, InteractionError } from '@hitl/interactions'
import { actorKey } from '@hitl/interactions/adapter'
import { describe, expect, it } from 'vitest'
import { alice, bob, bot, deployGate, harness, rejection } from '../support/harness.js'

describe('create', () => {
  it('create — stores a pending record with defaults applied and wire names', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', deployGate)
    expect(created).toMatchObject({
      ...deployGate,
      expires_at: '2026-04-22T10:00:00.000Z',
      project: 'acme',
      status: 'pending',
      responses: [],
      created_at: '2026-04-21T09:00:00.000Z',
      updated_at: '2026-04-21T09:00:00.000Z',
      version: 1,
    })
    expect(created.id).toMatch(/^iact_[0-9A-Za-z]{21}$/)
    expect(created).not.toHaveProperty('routing_policy')
    expect(await interactions.get('acme', created.id)).toEqual(created)
  })

  it('create — normalizes expires_at with an offset to UTC', async () => {
    const { interactions } = harness()
    const created = await interactions.create('acme', { ...deployGate, expires_at: '2026-04-22T12:00:00+02:00' })
    expect(created.expires_at).toBe('2026-04-22T10:00:00.000Z')
  })

  it('create — refuses expires_at at or before now, naming both times', async () => {
    const { interactions } = harness()
    for (const expires_at of ['2026-04-21T09:00:00Z', '2026-04-20T10:00:00Z']) {
      const error = await rejection(() => interactions.create('acme', { ...deployGate, expires_at }))
      expect(error.code).toBe('validation_failed')
      expect(error.issues[0]!.path).toEqual(['expires_at'])
      expect(error.message).toContain(`got ${expires_at}, now 2026-04-21T09:00:00.000Z`)
    }
  })

  it('create — a validation error is a typed InteractionError with every issue', async () => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.create('acme', { ...deployGate, spec: { mode: 'select', options: [] } } as never))
    expect(error).toBeInstanceOf(InteractionError)
    expect(isInteractionError(error, 'validation_failed')).toBe(true)
    expect(error).toMatchObject({ name: 'InteractionError', status: 400 })
    expect(error.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['spec.options', 'spec.mode']))
  })

  it('create — a run-linked interaction without a signals adapter is a configuration error', async () => {
    const { interactions } = harness({ signals: undefined })
    const error = await rejection(() => interactions.create('acme', deployGate))
    expect(error.code).toBe('configuration')
    expect(error.message).toContain('signals')
  })

  it('create — a project with surrounding whitespace is refused, not trimmed into the tenant "acme"', async () => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.create(' acme ', deployGate))
    expect(error.code).toBe('validation_failed')
    expect(error.issues).toEqual([{ path: ['project'], message: 'must not start or end with whitespace' }])
  })

  it('create — an empty project is refused', async () => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.create('', deployGate))
    expect(error.code).toBe('validation_failed')
    expect(error.issues[0]!.path).toEqual(['project'])
  })
})

describe('respond on a direct target', () => {
  it('respond — the target member completes it and the run gets one signal', async () => {
    const { interactions, clock, delivered } = harness()
    const gate = await interactions.create('acme', deployGate)
    clock.advance(60_000)
    const done = await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true }, comment: 'Ship it' })
    expect(done).toMatchObject({
      status: 'completed',
      completed_at: '2026-04-21T09:01:00.000Z',
      updated_at: '2026-04-21T09:01:00.000Z',
      version: 2,
      responses: [{ actor: alice, value: { confirmed: true }, comment: 'Ship it', responded_at: '2026-04-21T09:01:00.000Z' }],
    })
    expect(delivered).toEqual([
      {
        interaction_id: gate.id,
        project: 'acme',
        run_id: 'run_01abc',
        topic: 'deploy-gate',
        status: 'completed',
        responses: done.responses,
        outcome: 'approved',
        idempotency_key: `${gate.id}:completed`,
      },
    ])
  })

  it('respond — an agent target responds like a member', async () => {
    const { interactions } = harness()
    const review = await interactions.create('acme', {
      type: 'review',
      target_actor: bot,
      spec: {
        mode: 'select',
        options: [
          { value: 'lgtm', label: 'Looks good' },
          { value: 'changes', label: 'Needs changes' },
        ],
      },
    })
    const done = await interactions.respond('acme', review.id, { actor: bot, value: { value: 'changes' } })
    expect(done.responses[0]!.value).toEqual({ value: 'changes' })
  })

  it('respond — anyone but the target is not_eligible and nothing changes', async () => {
    const { interactions, delivered } = harness()
    const gate = await interactions.create('acme', deployGate)
    for (const actor of [bob, { type: 'agent', id: 'user_alice' } as const]) {
      const error = await rejection(() => interactions.respond('acme', gate.id, { actor, value: { confirmed: true } }))
      expect(error).toMatchObject({ code: 'not_eligible', status: 403 })
    }
    expect(await interactions.get('acme', gate.id)).toEqual(gate)
    expect(delivered).toEqual([])
  })

  it('respond — a group actor cannot respond', async () => {
    const { interactions } = harness()
    const gate = await interactions.create('acme', deployGate)
    const error = await rejection(() =>
      interactions.respond('acme', gate.id, { actor: { type: 'group', id: 'g' } as never, value: { confirmed: true } }),
    )
    expect(error.code).toBe('validation_failed')
    expect(error.issues[0]!.path).toEqual(['actor', 'type'])
  })

  it('respond — a second response is not_pending and the first stands', async () => {
    const { interactions, delivered } = harness()
    const gate = await interactions.create('acme', deployGate)
    const done = await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: false } })
    const error = await rejection(() => interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } }))
    expect(error).toMatchObject({ code: 'not_pending', status: 409 })
    expect(await interactions.get('acme', gate.id)).toEqual(done)
    expect(delivered).toHaveLength(1)
  })

  it('claim — a direct target cannot be claimed', async () => {
    const { interactions } = harness()
    const gate = await interactions.create('acme', deployGate)
    const error = await rejection(() => interactions.claim('acme', gate.id, alice))
    expect(error.code).toBe('validation_failed')
    expect(error.message).toContain('first_responder')
  })
})

describe('response values by mode', () => {
  const options = [
    { value: 'a', label: 'A' },
    { value: 'b', label: 'B' },
    { value: 'c', label: 'C' },
  ]
  const cases = [
    {
      mode: 'confirm',
      type: 'approval',
      spec: { mode: 'confirm' },
      good: { confirmed: false },
      bad: [{ confirmed: 'yes' }, { value: 'a' }, {}],
      field: 'value',
    },
    {
      mode: 'select',
      type: 'review',
      spec: { mode: 'select', options },
      good: { value: 'b' },
      bad: [{ value: 'z' }, { value: 1 }],
      field: 'value',
    },
    {
      mode: 'multi_select',
      type: 'input',
      spec: { mode: 'multi_select', options, min_selections: 1, max_selections: 2 },
      good: { values: ['a', 'c'] },
      bad: [{ values: [] }, { values: ['a', 'b', 'c'] }, { values: ['a', 'a'] }, { values: ['z'] }],
      field: 'value.values',
    },
    {
      mode: 'input',
      type: 'input',
      spec: { mode: 'input', max_length: 5 },
      good: { text: 'hello' },
      bad: [{ text: 'hello!' }, { text: 5 }],
      field: 'value',
    },
  ] as const

  it.each(cases)(
    'respond — $mode accepts a fitting value and refuses others, naming the field',
    async ({ type, spec, good, bad, field }) => {
      const { interactions } = harness()
      const interaction = await interactions.create('acme', { type, spec, target_actor: alice } as never)
      for (const value of bad) {
        const error = await rejection(() => interactions.respond('acme', interaction.id, { actor: alice, value: value as never }))
        expect(error.code, JSON.stringify(value)).toBe('validation_failed')
        expect(error.issues.length, error.message).toBeGreaterThan(0)
        expect(
          error.issues.every((issue) => issue.path.join('.').startsWith(field)),
          error.message,
        ).toBe(true)
      }
      expect(await interactions.get('acme', interaction.id)).toEqual(interaction)
      const done = await interactions.respond('acme', interaction.id, { actor: alice, value: good as never })
      expect(done.responses[0]!.value).toEqual(good)
    },
  )

  it('respond — a multi_select repeat names the repeated index', async () => {
    const { interactions } = harness()
    const interaction = await interactions.create('acme', { type: 'input', spec: { mode: 'multi_select', options }, target_actor: alice })
    const error = await rejection(() => interactions.respond('acme', interaction.id, { actor: alice, value: { values: ['a', 'a'] } }))
    expect(error.issues).toEqual([{ path: ['value', 'values', 1], message: '"a" is selected twice' }])
  })
})

describe('standalone inbox items', () => {
  it('respond — an interaction without a run link completes and sends no signal', async () => {
    const { interactions, delivered } = harness({ signals: undefined })
    const item = await interactions.create('acme', { type: 'input', spec: { mode: 'input' }, target_actor: alice })
    const done = await interactions.respond('acme', item.id, { actor: alice, value: { text: 'noted' } })
    expect(done.status).toBe('completed')
    expect(delivered).toEqual([])
  })
})

describe('tenancy', () => {
  it('every call with another project answers not_found and leaks nothing', async () => {
    const { interactions } = harness()
    const gate = await interactions.create('acme', deployGate)
    const calls = [
      () => interactions.get('globex', gate.id),
      () => interactions.claim('globex', gate.id, alice),
      () => interactions.release('globex', gate.id, alice),
      () => interactions.respond('globex', gate.id, { actor: alice, value: { confirmed: true } }),
    ]
    for (const call of calls) {
      const error = await rejection(call)
      expect(error).toMatchObject({ code: 'not_found', status: 404 })
      expect(error.message).not.toContain('deploy')
    }
    expect((await interactions.inbox('globex', alice)).items).toEqual([])
    expect(await interactions.get('acme', gate.id)).toEqual(gate)
  })

  it('idempotency keys are per project', async () => {
    const { interactions } = harness()
    const first = await interactions.create('acme', { ...deployGate, idempotency_key: 'k1' })
    const other = await interactions.create('globex', { ...deployGate, idempotency_key: 'k1' })
    expect(other.id).not.toBe(first.id)
    expect(other.project).toBe('globex')
  })
})

describe('idempotent create', () => {
  it('create — the same key returns the first interaction unchanged, even with another body', async () => {
    const { interactions, store } = harness()
    const first = await interactions.create('acme', { ...deployGate, idempotency_key: 'deploy-42' })
    const again = await interactions.create('acme', { ...deployGate, message: 'other', idempotency_key: 'deploy-42' })
    expect(again).toEqual(first)
    expect(
      (await store.inbox({ project: 'acme', actorKey: actorKey(alice), now: '2026-04-21T09:00:00.000Z', limit: 10 })).map((i) => i.id),
    ).toEqual([first.id])
  })

  it('create — concurrent creates with one key make one interaction', async () => {
    const { interactions } = harness()
    const results = await Promise.all(
      Array.from({ length: 20 }, () => interactions.create('acme', { ...deployGate, idempotency_key: 'same' })),
    )
    expect(new Set(results.map((r) => r.id)).size).toBe(1)
  })
})

describe('errors', () => {
  it('isInteractionError recognises serialised errors by name and code, not instanceof', () => {
    const error = new InteractionError('expired', 'gone')
    const copy = JSON.parse(JSON.stringify(error))
    expect(isInteractionError(copy)).toBe(true)
    expect(isInteractionError(copy, 'expired')).toBe(true)
    expect(isInteractionError(copy, 'conflict')).toBe(false)
    expect(isInteractionError({ name: 'InteractionError', code: 42 })).toBe(false)
    expect(isInteractionError(new Error('expired'))).toBe(false)
  })

  it('get — an unknown id is not_found', async () => {
    const { interactions } = harness()
    const error = await rejection(() => interactions.get('acme', 'iact_missing'))
    expect(error.code).toBe('not_found')
  })
})
