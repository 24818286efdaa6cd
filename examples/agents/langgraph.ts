/**
 * A LangGraph (`@langchain/langgraph`) agent whose tool call waits at an `interrupt()`: the approve
 * node asks a person through an interaction whose proposal is the call's arguments, and the
 * interaction's signal resumes the thread (by interrupt id, as `langgraphSignals` in
 * examples/engines/langgraph.ts does). The node runs the tool with the approved value — the edit, or
 * the proposal unchanged — or, on a rejection, answers the call with the reason and runs nothing.
 */
import { type AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages'
import { END, MemorySaver, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph'
import type { CreateInteractionInput, Interaction, Signal } from '@hitl/interactions'
import { langgraphSignals, type InteractionInterrupt } from '../engines/langgraph.js'
import { approvalOf, deployJsonSchema, DeployInputSchema, verdictOf, type DeployInput } from './approval.js'

/** What the agent needs: a chat model bound to the deploy tool, the deployment to gate, and a way to create an interaction. */
export interface LangGraphDeployAgentOptions {
  model: { invoke(messages: BaseMessage[]): Promise<AIMessage> }
  deploy: (input: DeployInput) => Promise<string>
  ask: (input: CreateInteractionInput) => Promise<Interaction>
}

/**
 * An agent graph with one gated tool. `start` runs a thread until it ends or waits at the interrupt;
 * `resume` is the signal handler (pass it to `callbackSignals`); `answer` is a finished thread's last text.
 */
export function langGraphDeployAgent({ model, deploy, ask }: LangGraphDeployAgentOptions) {
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode('approve', async (state, config) => {
      const runId = String(config.configurable?.thread_id)
      const last = state.messages.at(-1) as AIMessage
      const call = last.tool_calls![0]!
      // A resumed node runs again from its start: the idempotency key returns the same interaction.
      const gate = await ask(approvalOf({ runId, callId: call.id!, tool: call.name, input: call.args, schema: deployJsonSchema }))
      const verdict = verdictOf(interrupt<InteractionInterrupt, Signal>({ interaction_id: gate.id }))
      const content = verdict.run ? await deploy(DeployInputSchema.parse(verdict.input)) : verdict.reason
      return { messages: [new ToolMessage({ content, tool_call_id: call.id!, status: verdict.run ? 'success' : 'error' })] }
    })
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (state) => ((state.messages.at(-1) as AIMessage).tool_calls?.length ? 'approve' : END), ['approve', END])
    .addEdge('approve', 'agent')
    .compile({ checkpointer: new MemorySaver() }) // a durable checkpointer (e.g. PostgresSaver) in production
  const thread = (runId: string) => ({ configurable: { thread_id: runId } })

  return {
    start: (runId: string, prompt: string) => graph.invoke({ messages: [{ role: 'user', content: prompt }] }, thread(runId)),
    // Typed for any graph, the adapter's Command names no node; this graph's names its own, hence the widening.
    resume: langgraphSignals({
      getState: (config) => graph.getState(config),
      invoke: (command, config) => graph.invoke(command as never, config),
    }).deliver,
    async answer(runId: string) {
      const { values, next } = await graph.getState(thread(runId))
      return next.length === 0 ? String((values.messages as BaseMessage[]).at(-1)?.content) : undefined
    },
  }
}
