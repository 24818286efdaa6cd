/**
 * What the three agent examples share: the approval a tool call asks for (its arguments as the
 * proposal, its input schema as the rule for an edit), and what the run does once the approval's
 * signal arrives. Only an approval runs the tool, and then with the approved value: the edit, or
 * the proposal unchanged. A rejection, an expiry and a cancellation never do.
 */
import { z } from 'zod'
import {
  approvedValue,
  isApproved,
  rejectionReason,
  type CreateInteractionInput,
  type Participant,
  type Proposal,
  type Signal,
} from '@hitl/interactions'

/** The tool every example gates: a deployment, whose arguments a person may edit before approving. */
export const DeployInputSchema = z.strictObject({
  service: z.string().min(1),
  version: z.string().min(1),
  replicas: z.int().min(1).max(10),
})
/** A deployment's arguments, as the model proposes them and as an approver may edit them. */
export type DeployInput = z.infer<typeof DeployInputSchema>

/** The tool's input schema as JSON Schema (draft 2020-12): the rule an edit of its arguments must satisfy. */
export const deployJsonSchema = z.toJSONSchema(DeployInputSchema)

/** Who approves deployments in the examples. */
export const approver: Participant = { type: 'member', id: 'user_alice' }

/** A tool call waiting for a person: the run it belongs to, the call's id, its tool and the arguments the model chose. */
export interface ProposedCall {
  runId: string
  callId: string
  tool: string
  input: Proposal['value']
  /** The JSON Schema (draft 2020-12) an edited version must satisfy. */
  schema: Record<string, unknown>
}

/** The approval a proposed call asks for; its signal resumes the run `runId`. */
export const approvalOf = (call: ProposedCall): CreateInteractionInput => ({
  type: 'approval',
  spec: {
    mode: 'confirm',
    proposal: { value: call.input, schema: call.schema },
    reject_reasons: [
      { value: 'wrong_target', label: 'Wrong service or version' },
      { value: 'bad_timing', label: 'Not now' },
    ],
  },
  target_actor: approver,
  title: `Run ${call.tool}?`,
  message: `The agent wants to call ${call.tool} with ${JSON.stringify(call.input)}.`,
  run_id: call.runId,
  topic: call.callId,
  // A resumed or retried run asks again with the same key and gets the same approval back.
  idempotency_key: `${call.runId}:${call.callId}`,
})

/** What the run does with the call: run it with `input`, or tell the model `reason` and run nothing. */
export type Verdict = { run: true; input: unknown } | { run: false; reason: string }

/** The verdict a signal carries; anything but an approval is a refusal, with the words the model reads. */
export function verdictOf(signal: Signal): Verdict {
  if (isApproved(signal)) return { run: true, input: approvedValue(signal) }
  if (signal.status !== 'completed') return { run: false, reason: `The approval ${signal.status} before anyone decided.` }
  const reason = rejectionReason(signal)
  const because = [reason?.value, reason?.text].filter(Boolean).join(': ')
  return { run: false, reason: `A person rejected the call${because ? ` (${because})` : ''}.` }
}
