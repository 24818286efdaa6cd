/**
 * A Vercel AI SDK (`ai@6`) tool that needs approval: `needsApproval: true` stops `generateText` at
 * the call with a `tool-approval-request`; this asks a person through an interaction whose proposal
 * is the call's arguments, and the interaction's signal resumes the conversation with a
 * `tool-approval-response`. An edit becomes the call's input before the SDK runs it, so the tool
 * runs exactly what was approved; a rejection's reason is what the model reads in the denied result.
 */
import { generateText, stepCountIs, tool, type LanguageModel, type ModelMessage } from 'ai'
import { permanentFailure, type CreateInteractionInput, type Signal } from '@hitl/interactions'
import { approvalOf, deployJsonSchema, DeployInputSchema, verdictOf, type DeployInput } from './approval.js'

/** What the agent needs: a model, the deployment to gate, and a way to create an interaction. */
export interface AiSdkDeployAgentOptions {
  model: LanguageModel
  deploy: (input: DeployInput) => Promise<string>
  ask: (input: CreateInteractionInput) => Promise<unknown>
}

/**
 * An agent with one gated tool. `start` runs a conversation until it ends or waits for an approval;
 * `resume` is the signal handler (pass it to `callbackSignals`); `answer` is a finished run's last text.
 */
export function aiSdkDeployAgent({ model, deploy, ask }: AiSdkDeployAgentOptions) {
  const tools = {
    deploy: tool({ description: 'Deploys a version of a service', inputSchema: DeployInputSchema, needsApproval: true, execute: deploy }),
  }
  const waiting = new Map<string, ModelMessage[]>()
  const answers = new Map<string, string>()

  async function advance(runId: string, messages: ModelMessage[]) {
    const result = await generateText({ model, tools, messages, stopWhen: stepCountIs(5) })
    const conversation = [...messages, ...result.response.messages]
    const [request] = result.content.filter((part) => part.type === 'tool-approval-request')
    if (!request) return void answers.set(runId, result.text)
    waiting.set(runId, conversation)
    const { toolCallId, toolName, input } = request.toolCall
    // The SDK checked the input against the tool's schema already; the parse gives it its type back.
    const proposal = DeployInputSchema.parse(input)
    await ask(approvalOf({ runId, callId: toolCallId, tool: toolName, input: proposal, schema: deployJsonSchema }))
  }

  return {
    start: (runId: string, prompt: string) => advance(runId, [{ role: 'user', content: prompt }]),

    async resume(signal: Signal) {
      const conversation = waiting.get(signal.run_id)
      if (!conversation) throw permanentFailure(`run ${signal.run_id} is not waiting for an approval`)
      waiting.delete(signal.run_id)
      const verdict = verdictOf(signal)
      const parts = conversation.flatMap((message) =>
        message.role === 'assistant' && Array.isArray(message.content) ? message.content : [],
      )
      const call = parts.find((part) => part.type === 'tool-call' && part.toolCallId === signal.topic)
      const request = parts.find((part) => part.type === 'tool-approval-request' && part.toolCallId === signal.topic)
      if (call?.type !== 'tool-call' || request?.type !== 'tool-approval-request') {
        throw permanentFailure(`run ${signal.run_id} has no approval request for call ${signal.topic}`)
      }
      // The SDK runs the call's input once approved: the approved value takes its place, so an edit is what runs.
      if (verdict.run) call.input = verdict.input
      const response = { type: 'tool-approval-response', approvalId: request.approvalId, approved: verdict.run } as const
      const content = [verdict.run ? response : { ...response, reason: verdict.reason }]
      await advance(signal.run_id, [...conversation, { role: 'tool', content }])
    },

    answer: (runId: string) => answers.get(runId),
  }
}
