import { z } from 'zod'
import { lazyShape } from './lazily.js'
import { LIMITS } from './limits.js'

/**
 * A non-empty identifier such as a project, actor id, run id, topic or idempotency key. Compared
 * exactly as given: surrounding whitespace is refused rather than trimmed, so `" acme"` never
 * becomes the project `acme`.
 */
export const IdentifierSchema = z.string().check(
  // One check() for the three: each chained call would build, and throw away, a schema of its own.
  z.minLength(1, 'must not be empty'),
  z.maxLength(LIMITS.identifier),
  z.refine((id: string) => id.trim() === id, 'must not start or end with whitespace'),
)

/** Who an interaction is routed to, or who acts on it. */
export const ActorSchema = z.strictObject(
  lazyShape({
    type: () => z.enum(['member', 'agent', 'group']),
    id: () => IdentifierSchema,
  }),
)
/** A member, an agent or a group, by type and id. */
export type Actor = z.infer<typeof ActorSchema>

/** An actor that can claim or respond: a member or an agent, never a group. */
export const ParticipantSchema = z.strictObject(
  lazyShape({
    type: () => z.enum(['member', 'agent']),
    id: () => IdentifierSchema,
  }),
)
/** A member or an agent: an actor who can claim or respond. */
export type Participant = z.infer<typeof ParticipantSchema>

/** An actor as messages name it, e.g. `member "user_alice"`. */
export const describeActor = (actor: Actor): string => `${actor.type} "${actor.id}"`

/** True when both values name the same actor. */
export const sameActor = (a: Actor, b: Actor): boolean => a.type === b.type && a.id === b.id

/**
 * A stable string for an actor, used as an index key: the inbox lists a write carries are made of these.
 *
 * @example
 * import { actorKey } from '@hitl/interactions/adapter'
 *
 * actorKey({ type: 'member', id: 'user_alice' }) // 'member:user_alice'
 */
export const actorKey = (actor: Actor): string => `${actor.type}:${actor.id}`

/** The actors without repeats, in their first order, in one pass: a large group costs linear time. */
export function uniqueActors<T extends Actor>(actors: readonly T[]): T[] {
  const seen = new Set<string>()
  return actors.filter((actor) => {
    const key = actorKey(actor)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
