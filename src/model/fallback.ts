import { z } from 'zod'
import { lazily } from './lazily.js'
import { ResponseValueSchema, type ResponseValue } from './response.js'
import type { Spec } from './spec.js'

/**
 * What an expired interaction offers its run in place of an answer: the spec's default as a
 * response value, with `source: 'spec_default'` saying that nobody gave it.
 */
export const FallbackSchema = lazily(() =>
  z.strictObject({
    value: ResponseValueSchema,
    source: z.literal('spec_default'),
  }),
)
/** The spec's default, carried by an expired interaction's signal for the run to use or not. */
export type Fallback = z.infer<ReturnType<typeof FallbackSchema>>

function defaultValueOf(spec: Spec): ResponseValue | undefined {
  switch (spec.mode) {
    case 'confirm':
      return spec.default_confirmed === undefined ? undefined : { confirmed: spec.default_confirmed }
    case 'select':
      return spec.default_value === undefined ? undefined : { value: spec.default_value }
    case 'multi_select':
      return spec.default_values === undefined ? undefined : { values: [...spec.default_values] }
    case 'input':
      return spec.default_text === undefined ? undefined : { text: spec.default_text }
  }
}

/** The fallback a spec's default gives, or undefined when the spec has no default. */
export function fallbackFor(spec: Spec): Fallback | undefined {
  const value = defaultValueOf(spec)
  return value && { value, source: 'spec_default' }
}
