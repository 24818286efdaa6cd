import {
  answersOf,
  fallbackOf,
  inputText,
  InteractionSchema,
  isApproved,
  selectedValue,
  selectedValues,
  SignalSchema,
  type Answer,
  type Answered,
  type CreateInteractionInput,
  type ResponseValue,
} from '@hitl/interactions'
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, deployGate, harness, rejection } from '../support/harness.js'

const EXPIRES_AT = '2026-04-21T10:00:00.000Z'
const regions = [
  { value: 'eu', label: 'Europe' },
  { value: 'us', label: 'America' },
]

/** A spec mode with a default: the request, its fallback, how fallbackOf and the mode's reader read it. */
interface ModeWithDefault {
  mode: string
  request: Pick<CreateInteractionInput, 'type' | 'spec'>
  fallback: ResponseValue
  unwrapped: Answer['value']
  decided: (x: Answered) => unknown
}

/** One interaction per spec mode, each with a default. */
const modes: ModeWithDefault[] = [
  {
    mode: 'confirm',
    request: { type: 'approval', spec: { mode: 'confirm', default_confirmed: true } },
    fallback: { confirmed: true },
    unwrapped: true,
    decided: isApproved,
  },
  {
    mode: 'select',
    request: { type: 'review', spec: { mode: 'select', options: regions, default_value: 'eu' } },
    fallback: { value: 'eu' },
    unwrapped: 'eu',
    decided: selectedValue,
  },
  {
    mode: 'multi_select',
    request: { type: 'input', spec: { mode: 'multi_select', options: regions, default_values: ['eu', 'us'] } },
    fallback: { values: ['eu', 'us'] },
    unwrapped: ['eu', 'us'],
    decided: selectedValues,
  },
  {
    mode: 'input',
    request: { type: 'input', spec: { mode: 'input', default_text: 'no notes', max_length: 8 } },
    fallback: { text: 'no notes' },
    unwrapped: 'no notes',
    decided: inputText,
  },
]

/** A run-linked request for `alice` in the given mode, due at {@link EXPIRES_AT}. */
const requestFor = ({ mode, request }: ModeWithDefault): CreateInteractionInput => ({
  ...request,
  target_actor: alice,
  run_id: `run_${mode}`,
  topic: 'gate',
  expires_at: EXPIRES_AT,
})

describeEachStore('a fallback on expiry', (emptyStore) => {
  const service = async () => harness({ store: await emptyStore() })

  it('expireDue — in every mode, the default is the fallback of the expired record, its signal and its expired event', async () => {
    const { interactions, clock, delivered } = await service()
    const created = await Promise.all(modes.map((mode) => interactions.create('acme', requestFor(mode))))
    clock.set(EXPIRES_AT)
    expect(await interactions.expireDue()).toEqual({ expired: modes.length })

    for (const [index, { fallback }] of modes.entries()) {
      const { id } = created[index]!
      const expected = { value: fallback, source: 'spec_default' }
      const stored = await interactions.get('acme', id)
      expect(stored).toMatchObject({ status: 'expired', expired_at: EXPIRES_AT, responses: [], fallback: expected })
      expect(stored).not.toHaveProperty('outcome')
      expect(InteractionSchema.parse(stored)).toEqual(stored)
      const signal = delivered.find((s) => s.interaction_id === id)!
      expect(signal).toMatchObject({ status: 'expired', responses: [], fallback: expected })
      expect(signal).not.toHaveProperty('outcome')
      expect(SignalSchema.parse(signal)).toEqual(signal)
      const expiredEvent = (await interactions.history('acme', id)).at(-1)
      expect(expiredEvent).toEqual({ seq: 2, type: 'expired', at: EXPIRES_AT, data: { fallback: expected } })
    }
  })

  it('respond — a late response is refused with expired, and the lazy expiry carries the fallback in every mode', async () => {
    const { interactions, clock, delivered } = await service()
    const created = await Promise.all(modes.map((mode) => interactions.create('acme', requestFor(mode))))
    clock.set(EXPIRES_AT)

    for (const [index, { fallback }] of modes.entries()) {
      const { id } = created[index]!
      const error = await rejection(() => interactions.respond('acme', id, { actor: alice, value: fallback }))
      expect(error.code).toBe('expired')
      const expected = { value: fallback, source: 'spec_default' }
      expect(await interactions.get('acme', id)).toMatchObject({ status: 'expired', responses: [], fallback: expected, version: 2 })
      expect(delivered.find((s) => s.interaction_id === id)).toMatchObject({ status: 'expired', fallback: expected })
    }
    expect(delivered).toHaveLength(modes.length)
  })

  it('get — the lazy expiry it records carries the fallback too', async () => {
    const { interactions, clock, delivered } = await service()
    const gate = await interactions.create('acme', requestFor(modes[0]!))
    clock.set(EXPIRES_AT)
    const fallback = { value: { confirmed: true }, source: 'spec_default' }
    expect(await interactions.get('acme', gate.id)).toMatchObject({ status: 'expired', fallback })
    expect(delivered).toMatchObject([{ status: 'expired', fallback }])
  })

  it('expireDue — without a default there is no fallback, in the record, the signal or the expired event', async () => {
    const { interactions, clock, delivered } = await service()
    const gate = await interactions.create('acme', { ...deployGate, expires_at: EXPIRES_AT })
    clock.set(EXPIRES_AT)
    await interactions.expireDue()
    const expired = await interactions.get('acme', gate.id)
    expect(expired.status).toBe('expired')
    expect(expired).not.toHaveProperty('fallback')
    expect(delivered).toHaveLength(1)
    expect(delivered[0]).not.toHaveProperty('fallback')
    expect((await interactions.history('acme', gate.id)).at(-1)).toEqual({ seq: 2, type: 'expired', at: EXPIRES_AT })
    expect(fallbackOf(expired)).toBeUndefined()
  })

  it('respond and cancel — an interaction that completes or is cancelled has no fallback, whatever its default', async () => {
    const { interactions, delivered } = await service()
    const answered = await interactions.create('acme', requestFor(modes[0]!))
    const completed = await interactions.respond('acme', answered.id, { actor: alice, value: { confirmed: false } })
    const withdrawn = await interactions.create('acme', { ...requestFor(modes[1]!), run_id: 'run_withdrawn' })
    const cancelled = await interactions.cancel('acme', withdrawn.id, { actor: alice })
    for (const ended of [completed, cancelled, ...delivered]) expect(ended).not.toHaveProperty('fallback')
    expect(delivered.map((signal) => signal.status)).toEqual(['completed', 'cancelled'])
    expect([completed, cancelled].map(fallbackOf)).toEqual([undefined, undefined])
  })

  it("readers — a fallback is not an answer: the mode's reader and answersOf read nothing, fallbackOf reads the default", async () => {
    const { interactions, clock, delivered } = await service()
    const created = await Promise.all(modes.map((mode) => interactions.create('acme', requestFor(mode))))
    expect(created.map(fallbackOf)).toEqual(modes.map(() => undefined))
    clock.set(EXPIRES_AT)
    await interactions.expireDue()

    for (const [index, { decided, unwrapped }] of modes.entries()) {
      const { id } = created[index]!
      const stored = await interactions.get('acme', id)
      const signal = delivered.find((s) => s.interaction_id === id)!
      for (const expired of [stored, signal]) {
        expect(decided(expired)).toBe(index === 0 ? false : undefined)
        expect(answersOf(expired)).toEqual([])
        expect(fallbackOf(expired)).toEqual(unwrapped)
      }
    }
  })
})

it('InteractionSchema — a pending record carries no fallback; a fallback says it was given by nobody', async () => {
  const { interactions } = harness()
  const pending = await interactions.create('acme', requestFor(modes[0]!))
  const fallback = { value: { confirmed: true }, source: 'spec_default' }
  const paths = (value: unknown) => InteractionSchema.safeParse(value).error?.issues.map((issue) => issue.path.join('.'))
  expect(paths({ ...pending, fallback })).toEqual(['fallback'])
  const expired = { ...pending, status: 'expired', expired_at: EXPIRES_AT }
  expect(paths({ ...expired, fallback })).toBeUndefined()
  expect(paths({ ...expired, fallback: { ...fallback, source: 'user_alice' } })).toEqual(['fallback.source'])
  expect(paths({ ...expired, fallback: { value: { confirmed: true } } })).toEqual(['fallback.source'])
})
