/**
 * @module
 * Human-in-the-loop interactions: create a request for a member, an agent or a group to act,
 * record their answer under the interaction's lifecycle rules, and resume the linked run with a
 * signal when it completes or expires.
 */
export { InteractionError, isInteractionError, type InteractionErrorCode, type ValidationIssue } from './errors.js'
export { interactionMachine, signalOf, stateValueOf, step, type InteractionEvent, type Refusal, type StepResult } from './machine/index.js'
export * from './model/index.js'
export type { Directory, InboxPosition, InboxQuery, InteractionStore, SignalDelivery, SignalLease, SignalOutcome } from './ports.js'
export type { BackoffPolicy } from './service/backoff.js'
export {
  createInteractions,
  type DeliveryPolicy,
  type DeliveryReport,
  type InboxOptions,
  type InboxPage,
  type Interactions,
  type InteractionsOptions,
} from './service/create-interactions.js'
export { callbackSignals } from './signals/callback.js'
export { memoryStore } from './stores/memory/index.js'
