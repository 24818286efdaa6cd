import type { Interaction } from '../model/interaction.js'
import type { JsonSchema } from '../model/json-schema.js'
import { responseJsonSchemaFor } from '../model/json-schemas.js'
import { responseValueIssues } from '../model/response.js'
import { policyOf } from './policies.js'

/** What the record's policy lets a response carry: an edit of the proposal only when one response decides. */
const optionsOf = (interaction: Interaction) => ({ editable: policyOf(interaction).decidedByOne })

/** What is wrong with a response value to this interaction; the machine's guards check it. */
export const responseValueIssuesOf = (interaction: Interaction, value: unknown) =>
  responseValueIssues(interaction.spec, optionsOf(interaction), value)

/**
 * The JSON Schema (draft 2020-12) of exactly the response `value`s that `respond` accepts for this
 * interaction, besides the limits every input has (text no store can keep, JSON size and nesting):
 * the option values, the selection bounds, the text's length, the proposal's schema for an edit, the
 * reject reasons.
 *
 * @example
 * import { responseJsonSchema } from '@hitl/interactions'
 *
 * const schema = responseJsonSchema(await interactions.get('acme', id))
 * // give it to a model as a tool's input schema, or check an answer with any 2020-12 validator
 */
export const responseJsonSchema = (interaction: Interaction): JsonSchema => responseJsonSchemaFor(interaction.spec, optionsOf(interaction))
