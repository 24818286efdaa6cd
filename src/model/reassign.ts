import { z } from 'zod'
import { ParticipantSchema } from './actor.js'
import { lazyShape } from './lazily.js'
import { LIMITS } from './limits.js'

/**
 * What a caller sends to reassign a pending interaction: who does it (`by`, recorded as given), who
 * takes it over (`to`), whom it is taken from (`from`: required for a group, the member being
 * replaced; optional for a member or an agent target, then checked to be the current target) and why.
 */
export const ReassignInputSchema = z.strictObject(
  lazyShape({
    by: () => ParticipantSchema,
    to: () => ParticipantSchema,
    from: () => ParticipantSchema.optional(),
    reason: () => z.string().max(LIMITS.comment).optional(),
  }),
)
/** What a caller sends to reassign a pending interaction. */
export type ReassignInput = z.input<typeof ReassignInputSchema>
