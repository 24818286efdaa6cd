import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages'
import { langGraphDeployAgent } from '../../examples/agents/langgraph.js'
import { describeGatedAgent, proposed } from './gated-agent.js'

/** A scripted chat model: it calls deploy first, then repeats what the call returned (or why it was refused). */
const scriptedModel = {
  async invoke(messages: BaseMessage[]) {
    const result = messages.find((message) => message instanceof ToolMessage)
    if (result) return new AIMessage(`Tool said: ${String(result.content)}`)
    return new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'deploy', args: proposed, type: 'tool_call' }] })
  },
}

describeGatedAgent('LangGraph interrupt before a tool call', (dependencies) =>
  langGraphDeployAgent({ model: scriptedModel, ...dependencies }),
)
