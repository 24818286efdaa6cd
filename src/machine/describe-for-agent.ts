import { configurationError } from '../errors.js'
import type { Interaction } from '../model/interaction.js'
import type { JsonSchema } from '../model/json-schema.js'
import { LIMITS } from '../model/limits.js'
import type { Spec, SpecOption } from '../model/spec.js'
import { policyOf } from './policies.js'
import { responseJsonSchema } from './responses.js'

/** What a model needs to answer an interaction: a prompt to read, and a tool whose arguments are a response `value`. */
export interface AgentDescription {
  /** Plain text: the question, the choices with their labels, the proposal and what may be done with it. */
  prompt: string
  /** A tool definition in the shape OpenAI, Anthropic and MCP clients take; its arguments go to `respond` as `value`. */
  tool: { name: string; description: string; inputSchema: JsonSchema }
}

/** The tool's name unless the caller names it: the same for every interaction. */
const TOOL_NAME = 'respond_to_interaction'
/** What OpenAI, Anthropic and MCP all accept as a tool's name. */
const TOOL_NAME_RULE = /^[a-zA-Z0-9_-]{1,64}$/

/** Options of {@link describeForAgent}. */
export interface AgentDescriptionOptions {
  /**
   * The tool's name, `respond_to_interaction` by default. Name each tool apart (`respond_to_${index}`,
   * say) when one model is offered several interactions at once, since a model calls tools by name.
   */
  toolName?: string
}

const listed = (options: SpecOption[]) =>
  options.map((option) => `- ${option.value}: ${option.label}${option.description ? ` — ${option.description}` : ''}`).join('\n')

const FIXED = 'Approve it as it is or reject it: several people decide this one together, so it cannot be changed.'

/** How to answer a spec, in the words the prompt uses. */
function instructionsFor(spec: Spec, editable: boolean): string[] {
  switch (spec.mode) {
    case 'confirm': {
      const lines = ['Approve with { "confirmed": true }, or reject with { "confirmed": false }.']
      if (spec.proposal) {
        lines.push('', 'The proposed action, as JSON:', JSON.stringify(spec.proposal.value, null, 2))
        const edit = 'You may approve it as it is, or approve a changed version in "edited", which must satisfy the schema given for it.'
        lines.push(editable ? `${edit} Approving runs exactly what you approve.` : FIXED)
      }
      const required = spec.require_reason ? 'A rejection must give a reason' : 'A rejection may give a reason'
      if (spec.reject_reasons)
        lines.push('', `${required}: "reason": { "value": one of these, "text": your own words }.`, listed(spec.reject_reasons))
      else lines.push('', `${required}: "reason": { "text": your own words }.`)
      return lines
    }
    case 'select':
      return ['Choose exactly one option, as { "value": <option> }:', listed(spec.options)]
    case 'multi_select': {
      const min = spec.min_selections ?? 0
      const max = spec.max_selections ?? spec.options.length
      return [`Choose from ${min} to ${max} different options, as { "values": [<option>, …] }:`, listed(spec.options)]
    }
    case 'input':
      return [`Answer in text of at most ${spec.max_length ?? LIMITS.text} characters, as { "text": <your answer> }.`]
  }
}

/**
 * What a model needs to answer this interaction: a short plain-text prompt (the message, the
 * choices with their labels, the proposal and whether it may be edited, the reasons for a
 * rejection) and a tool definition whose input schema is {@link responseJsonSchema}, so the
 * tool's arguments are a valid response `value`. Name the tool with `toolName` when a model is
 * offered several interactions at once.
 *
 * @example
 * import { describeForAgent } from '@hitl/interactions'
 *
 * const { prompt, tool } = describeForAgent(await interactions.get('acme', id))
 * // call the model with `prompt` and `tool`; then pass the tool call's arguments on as the answer
 * await interactions.respond('acme', id, { actor: { type: 'agent', id: 'agent_reviewer' }, value: toolCall.arguments })
 */
export function describeForAgent(interaction: Interaction, { toolName = TOOL_NAME }: AgentDescriptionOptions = {}): AgentDescription {
  if (!TOOL_NAME_RULE.test(toolName)) throw configurationError('describeForAgent', ['toolName'], `must match ${TOOL_NAME_RULE.source}`)
  const { spec, title, message } = interaction
  const prompt = [
    ...(title ? [title] : []),
    ...(message ? [message] : []),
    ...(title || message ? [''] : []),
    ...instructionsFor(spec, policyOf(interaction).decidedByOne),
    '',
    `Answer by calling ${toolName}.`,
  ].join('\n')
  const what = { approval: 'Approve or reject', review: 'Review', input: 'Answer' }[interaction.type]
  const description = `${what} interaction ${interaction.id}${title ? `: ${title}` : ''}. The arguments are your answer.`
  return { prompt, tool: { name: toolName, description, inputSchema: responseJsonSchema(interaction) } }
}
