/**
 * An OpenAI Agents SDK (`@openai/agents`) tool with `needsApproval`: the run stops with the call
 * among `result.interruptions`; this asks a person through an interaction whose proposal is the
 * call's arguments, keeps the run's state as a string (what a real host would store), and the
 * interaction's signal resumes it with `state.approve` or `state.reject`. The SDK has no edited
 * arguments, so the tool runs the approved value the signal carried, never the model's own; a
 * rejection's reason is the message the model reads instead of a result.
 */
import { Agent, RunState, run, tool, type Model, type RunToolApprovalItem } from '@openai/agents'
import { permanentFailure, type CreateInteractionInput, type Signal } from '@hitl/interactions'
import { approvalOf, deployJsonSchema, DeployInputSchema, verdictOf, type DeployInput } from './approval.js'

/** What the agent needs: a model, the deployment to gate, and a way to create an interaction. */
export interface OpenAiDeployAgentOptions {
  model: Model
  deploy: (input: DeployInput) => Promise<string>
  ask: (input: CreateInteractionInput) => Promise<unknown>
}

/**
 * An agent with one gated tool. `start` runs until the agent answers or waits for an approval;
 * `resume` is the signal handler (pass it to `callbackSignals`); `answer` is a finished run's output.
 */
export function openAiDeployAgent({ model, deploy, ask }: OpenAiDeployAgentOptions) {
  // The value each call may run, by call id, set only by an approval's signal.
  const approved = new Map<string, DeployInput>()
  const deployTool = tool({
    name: 'deploy',
    description: 'Deploys a version of a service',
    parameters: DeployInputSchema,
    needsApproval: true,
    async execute(_input, _context, details) {
      const input = approved.get(details?.toolCall?.callId ?? '')
      if (!input) throw new Error('deploy runs only with an approved value')
      return deploy(input)
    },
  })
  const agent = new Agent({ name: 'Deployer', instructions: 'Deploy what the user asks for.', model, tools: [deployTool] })
  const waiting = new Map<string, string>()
  const answers = new Map<string, string>()

  async function advance(runId: string, input: string | RunState<unknown, typeof agent>) {
    const result = await run(agent, input)
    const [call] = result.interruptions
    if (!call) return void answers.set(runId, String(result.finalOutput))
    waiting.set(runId, result.state.toString())
    await ask(
      approvalOf({
        runId,
        callId: callIdOf(call),
        tool: call.name ?? 'deploy',
        input: JSON.parse(call.arguments ?? '{}'),
        schema: deployJsonSchema,
      }),
    )
  }

  return {
    start: (runId: string, prompt: string) => advance(runId, prompt),

    async resume(signal: Signal) {
      const saved = waiting.get(signal.run_id)
      if (!saved) throw permanentFailure(`run ${signal.run_id} is not waiting for an approval`)
      waiting.delete(signal.run_id)
      const state = await RunState.fromString(agent, saved)
      const call = state.getInterruptions().find((item) => callIdOf(item) === signal.topic)
      if (!call) throw permanentFailure(`run ${signal.run_id} has no approval request for call ${signal.topic}`)
      const verdict = verdictOf(signal)
      if (verdict.run) {
        approved.set(signal.topic, DeployInputSchema.parse(verdict.input))
        state.approve(call)
      } else {
        state.reject(call, { message: verdict.reason })
      }
      await advance(signal.run_id, state)
    },

    answer: (runId: string) => answers.get(runId),
  }
}

/** The call id of a function call waiting for approval. */
const callIdOf = (item: RunToolApprovalItem) => ('callId' in item.rawItem ? item.rawItem.callId : item.rawItem.id) ?? ''
