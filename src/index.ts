/**
 * @module
 * Human-in-the-loop interactions: create a request for a member, an agent or a group to act,
 * record their answer under the interaction's lifecycle rules, and resume the linked run with a
 * signal when it completes or expires.
 */
import { createInteractionsWith } from './service/create-interactions.js'
import type { Interactions, InteractionsOptions } from './service/types.js'
import { memoryStore } from './stores/memory/index.js'

export {
  InteractionError,
  isInteractionError,
  permanentFailure,
  retryLater,
  type InteractionErrorCode,
  type ValidationIssue,
} from './errors.js'
export { describeForAgent, type AgentDescription, type AgentDescriptionOptions } from './machine/describe-for-agent.js'
export { responseJsonSchema } from './machine/responses.js'
// Public to view and inspect the lifecycle (Stately's visualiser, @xstate/graph); the service alone drives records.
export { interactionMachine } from './machine/index.js'
export { ActorSchema, ParticipantSchema, type Actor, type Participant } from './model/actor.js'
export type { Fallback } from './model/fallback.js'
export type { HistoryEvent, HistoryEventType } from './model/history.js'
export {
  CreateInteractionInputSchema,
  InteractionSchema,
  type CreateInteractionInput,
  type EscalationStep,
  type Interaction,
  type InteractionStatus,
  type Outcome,
  type RoutingPolicy,
  type Tally,
} from './model/interaction.js'
export type { JsonObject } from './model/json.js'
export type { JsonSchema } from './model/json-schema.js'
export { createInputJsonSchema } from './model/json-schemas.js'
export { LIMITS } from './model/limits.js'
export {
  answersOf,
  approvedValue,
  fallbackOf,
  inputText,
  isApproved,
  rejectionReason,
  selectedValue,
  selectedValues,
  type Answer,
  type Answered,
} from './model/readers.js'
export { ReassignInputSchema, type ReassignInput } from './model/reassign.js'
export {
  CancelInputSchema,
  InteractionResponseSchema,
  RespondInputSchema,
  ResponseValueSchema,
  type CancelInput,
  type ConfirmValue,
  type InteractionResponse,
  type RejectionReason,
  type RespondInput,
  type ResponseValue,
} from './model/response.js'
export { InteractionNotificationSchema, type InteractionNotification, type NotificationKind } from './model/notification.js'
export { isSignalEntry, OutboxEntrySchema, SignalSchema, type OutboxEntry, type Signal, type SignalEntry } from './model/signal.js'
export {
  SpecOptionSchema,
  SpecSchema,
  type InteractionType,
  type Proposal,
  type Spec,
  type SpecMode,
  type SpecOption,
} from './model/spec.js'
export type {
  Decision,
  Directory,
  InboxChange,
  InboxPosition,
  InboxQuery,
  InteractionStore,
  ModifyQuery,
  Notifier,
  OutboxEntryKind,
  OutboxStore,
  SignalDelivery,
  SignalDeliveryFailure,
  SignalLease,
  SignalOutcome,
  Write,
} from './ports.js'
export type { BackoffPolicy } from './service/backoff.js'
export type {
  DeliveryPolicy,
  DeliveryReport,
  InboxOptions,
  InboxPage,
  Interactions,
  InteractionsOptions,
  PruneSignalsOptions,
  SweepReport,
} from './service/types.js'
export { callbackSignals } from './signals/callback.js'
export { memoryStore }

/**
 * Creates the interactions service over a store (a new {@link memoryStore} by default), a signal
 * adapter and a directory.
 *
 * @example
 * import { callbackSignals, createInteractions, memoryStore } from '@hitl/interactions'
 *
 * const interactions = createInteractions({
 *   store: memoryStore(),
 *   signals: callbackSignals((signal) => engine.resume(signal.run_id, signal.topic, signal)),
 * })
 * const approval = await interactions.create('acme', {
 *   type: 'approval',
 *   spec: { mode: 'confirm' },
 *   target_actor: { type: 'member', id: 'user_alice' },
 *   run_id: 'run_01abc',
 *   topic: 'deploy-gate',
 * })
 */
export function createInteractions(options: InteractionsOptions = {}): Interactions {
  return createInteractionsWith(options, memoryStore)
}
