import { sameActor, type Actor, type Participant } from './actor.js'
import type { Interaction } from './interaction.js'

/** Whether `actor` is the target, or a member of the target group's snapshot. */
export const isEligible = (interaction: Interaction, actor: Participant): boolean =>
  interaction.target_actor.type === 'group'
    ? (interaction.members ?? []).some((member) => sameActor(member, actor))
    : sameActor(interaction.target_actor, actor)

/** Whether `actor` has a response recorded. */
export const hasResponded = (interaction: Interaction, actor: Participant): boolean =>
  interaction.responses.some((response) => sameActor(response.actor, actor))

/** Whether `actor` may act on this pending interaction now: what puts it in the actor's inbox. */
export function canActNow(interaction: Interaction, actor: Participant): boolean {
  if (!isEligible(interaction, actor)) return false
  if (interaction.routing_policy === 'all_members') return !hasResponded(interaction, actor)
  return interaction.claimed_by === undefined || sameActor(interaction.claimed_by, actor)
}

/** The actors whose inboxes a pending interaction can appear in. */
export const inboxActors = (interaction: Interaction): Actor[] =>
  interaction.target_actor.type === 'group' ? (interaction.members ?? []) : [interaction.target_actor]

/** Whether `expires_at` has come at time `at`: a response at exactly `expires_at` is late. */
export const isDue = (interaction: Interaction, at: string | Date): boolean =>
  interaction.expires_at !== undefined && new Date(at).getTime() >= Date.parse(interaction.expires_at)
