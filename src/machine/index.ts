export { interactionMachine, isDue, type InteractionEvent, type Refusal } from './machine.js'
export { notificationsOf } from './notifications.js'
export {
  creationIssues,
  inboxOf,
  mayActNow,
  POLICIES,
  policyNameOf,
  policyOf,
  type PendingState,
  type Policy,
  type PolicyName,
} from './policies.js'
export { signalOf, stateValueOf, step, wakeAtOf, type StepResult } from './step.js'
