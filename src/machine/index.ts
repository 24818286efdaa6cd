export { interactionMachine, type InteractionEvent, type Refusal } from './machine.js'
export { signalOf, stateValueOf, step, type StepResult } from './step.js'
