import {
  createInteractions,
  type CreateInteractionInput,
  type Fallback,
  type Interaction,
  type InteractionErrorCode,
  InteractionSchema,
  type Participant,
  type ResponseValue,
  type Signal,
  type Spec,
} from '@hitl/interactions'
import type * as root from '@hitl/interactions'
import { describe, expectTypeOf, it } from 'vitest'

describe('public types', () => {
  it('the root entry exports these values and no others: adding or removing one is a decision, made here', () => {
    expectTypeOf<keyof typeof root>().toEqualTypeOf<
      | 'ActorSchema'
      | 'CancelInputSchema'
      | 'CreateInteractionInputSchema'
      | 'InteractionError'
      | 'InteractionResponseSchema'
      | 'InteractionSchema'
      | 'LIMITS'
      | 'InteractionNotificationSchema'
      | 'OutboxEntrySchema'
      | 'ParticipantSchema'
      | 'ReassignInputSchema'
      | 'RespondInputSchema'
      | 'ResponseValueSchema'
      | 'SignalSchema'
      | 'SpecOptionSchema'
      | 'SpecSchema'
      | 'answersOf'
      | 'approvedValue'
      | 'callbackSignals'
      | 'createInputJsonSchema'
      | 'createInteractions'
      | 'describeForAgent'
      | 'fallbackOf'
      | 'inputText'
      | 'interactionMachine'
      | 'isApproved'
      | 'isInteractionError'
      | 'isSignalEntry'
      | 'memoryStore'
      | 'permanentFailure'
      | 'rejectionReason'
      | 'responseJsonSchema'
      | 'retryLater'
      | 'selectedValue'
      | 'selectedValues'
    >()
  })

  it('infers the record and the signal from the schemas', () => {
    expectTypeOf<Interaction['status']>().toEqualTypeOf<'pending' | 'completed' | 'expired' | 'cancelled'>()
    expectTypeOf<Interaction['routing_policy']>().toEqualTypeOf<'first_responder' | 'all_members' | 'quorum' | undefined>()
    expectTypeOf<Signal['status']>().toEqualTypeOf<'completed' | 'expired' | 'cancelled'>()
    expectTypeOf<Spec['mode']>().toEqualTypeOf<'confirm' | 'select' | 'multi_select' | 'input'>()
    expectTypeOf<Signal['edited']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<Signal['rejection_reason']>().toEqualTypeOf<{ value?: string; text?: string } | undefined>()
    expectTypeOf<Extract<ResponseValue, { confirmed: false }>>().not.toHaveProperty('edited')
    expectTypeOf<InteractionErrorCode>().toEqualTypeOf<
      | 'validation_failed'
      | 'not_found'
      | 'not_eligible'
      | 'already_claimed'
      | 'already_responded'
      | 'not_pending'
      | 'expired'
      | 'conflict'
      | 'configuration'
    >()
  })

  it('narrows an interaction on its status to the end-state fields it has', () => {
    const interaction = {} as Interaction
    if (interaction.status === 'completed') {
      expectTypeOf(interaction.completed_at).toEqualTypeOf<string>()
      expectTypeOf(interaction.outcome).toEqualTypeOf<'approved' | 'rejected' | undefined>()
    }
    if (interaction.status === 'expired') {
      expectTypeOf(interaction.expired_at).toEqualTypeOf<string>()
      expectTypeOf(interaction.fallback).toEqualTypeOf<Fallback | undefined>()
    }
    if (interaction.status === 'cancelled') {
      expectTypeOf(interaction.cancelled_at).toEqualTypeOf<string>()
      expectTypeOf(interaction.cancelled_by).toEqualTypeOf<Participant>()
      expectTypeOf(interaction.cancel_reason).toEqualTypeOf<string | undefined>()
    }
    if (interaction.status === 'pending') {
      expectTypeOf(interaction.completed_at).toEqualTypeOf<undefined>()
      expectTypeOf(interaction.expired_at).toEqualTypeOf<undefined>()
      expectTypeOf(interaction.cancelled_at).toEqualTypeOf<undefined>()
      expectTypeOf(interaction.outcome).toEqualTypeOf<undefined>()
      expectTypeOf(interaction.fallback).toEqualTypeOf<undefined>()
    }
    // Without narrowing, an end-state field may be missing.
    expectTypeOf(interaction.completed_at).toEqualTypeOf<string | undefined>()
    expectTypeOf<Interaction<'expired'>['expired_at']>().toEqualTypeOf<string>()
    expectTypeOf(InteractionSchema.parse({})).toEqualTypeOf<Interaction>()
  })

  it('refuses a record whose end-state fields do not fit its status', () => {
    const pending = {} as Interaction<'pending'>
    // @ts-expect-error a completed interaction has its completed_at
    const completed: Interaction = { ...pending, status: 'completed' }
    // @ts-expect-error an expired interaction has its expired_at
    const expired: Interaction = { ...pending, status: 'expired' }
    // @ts-expect-error a pending interaction has no completed_at
    const stillPending: Interaction = { ...pending, completed_at: '2026-04-21T09:00:00.000Z' }
    const by = { type: 'member', id: 'a' } as const
    const cancelled: Interaction = { ...pending, status: 'cancelled', cancelled_at: '2026-04-21T09:00:00.000Z', cancelled_by: by }
    void [completed, expired, stillPending, cancelled]
  })

  it('accepts the canonical request body as create input', () => {
    expectTypeOf({
      type: 'approval',
      run_id: 'run_01abc',
      topic: 'deploy-gate',
      target_actor: { type: 'member', id: 'user_alice' },
      message: 'Approve deployment of service-api to production?',
      spec: { mode: 'confirm' },
      expires_at: '2026-04-22T10:00:00Z',
    } as const).toExtend<CreateInteractionInput>()
  })

  it('refuses what does not compile', () => {
    const interactions = createInteractions()
    // @ts-expect-error a group cannot respond
    void interactions.respond('acme', 'iact_1', { actor: { type: 'group', id: 'g' }, value: { confirmed: true } })
    // @ts-expect-error type is required
    void interactions.create('acme', { spec: { mode: 'confirm' }, target_actor: { type: 'member', id: 'a' } })
    // @ts-expect-error unknown mode
    void interactions.create('acme', { type: 'input', spec: { mode: 'slider' }, target_actor: { type: 'member', id: 'a' } })
    expectTypeOf(interactions.get).returns.resolves.toEqualTypeOf<Interaction>()
    // @ts-expect-error olderThan is a duration in milliseconds, and required
    void interactions.pruneSignals({ limit: 10 })
    expectTypeOf(interactions.pruneSignals).returns.resolves.toEqualTypeOf<{ pruned: number }>()
  })
})
