import { setTracingDisabled, Usage, type Model, type ModelRequest, type ModelResponse } from '@openai/agents'
import { beforeAll } from 'vitest'
import { openAiDeployAgent } from '../../examples/agents/openai-agents.js'
import { describeGatedAgent, proposed } from './gated-agent.js'

/** A scripted model implementing the SDK's Model: it calls deploy first, then repeats what the call returned (or why it was refused). */
class ScriptedModel implements Model {
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const items = typeof request.input === 'string' ? [] : request.input
    const result = items.find((item) => item.type === 'function_call_result')
    const output: ModelResponse['output'] = result
      ? [
          {
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: `Tool said: ${JSON.stringify(result.output)}` }],
          },
        ]
      : [{ type: 'function_call', callId: 'call_1', name: 'deploy', arguments: JSON.stringify(proposed), status: 'completed' }]
    return { usage: new Usage(), output }
  }

  // biome-ignore lint/correctness/useYield: the agents here never stream
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('the scripted model does not stream')
  }
}

// Traces would go to the OpenAI API; the tests reach nothing beyond this machine.
beforeAll(() => setTracingDisabled(true))

describeGatedAgent('OpenAI Agents SDK tool with needsApproval', (dependencies) =>
  openAiDeployAgent({ model: new ScriptedModel(), ...dependencies }),
)
