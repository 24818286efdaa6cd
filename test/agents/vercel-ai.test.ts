import { MockLanguageModelV3 } from 'ai/test'
import { aiSdkDeployAgent } from '../../examples/agents/vercel-ai.js'
import { describeGatedAgent, proposed } from './gated-agent.js'

const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } }

/** A scripted model: it calls deploy first, then repeats what the call returned (or why it was denied) as its answer. */
function scriptedModel() {
  return new MockLanguageModelV3({
    async doGenerate({ prompt }) {
      const result = prompt
        .flatMap((message) => (message.role === 'tool' ? message.content : []))
        .find((part) => part.type === 'tool-result')
      if (!result) {
        const call = { type: 'tool-call', toolCallId: 'call_1', toolName: 'deploy', input: JSON.stringify(proposed) } as const
        return { content: [call], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] }
      }
      return {
        content: [{ type: 'text', text: `Tool said: ${JSON.stringify(result.output)}` }],
        finishReason: { unified: 'stop', raw: undefined },
        usage,
        warnings: [],
      }
    },
  })
}

describeGatedAgent('Vercel AI SDK tool with needsApproval', (dependencies) => aiSdkDeployAgent({ model: scriptedModel(), ...dependencies }))
