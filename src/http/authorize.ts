import { sameActor, type Actor, type Participant } from '../model/actor.js'
import type { Interaction } from '../model/interaction.js'

/** What a caller of the handler asks to do, one name per route (the pages and links `read`, `inbox` and `respond`). */
export type HttpAction = 'create' | 'read' | 'respond' | 'claim' | 'release' | 'cancel' | 'reassign' | 'cancel_run' | 'inbox'

/** One question to the handler's `authorize` option: may `caller` do `action` in `project`? */
export interface AuthorizeRequest {
  action: HttpAction
  /** The actor `authenticate` named, or a signed link's actor. */
  caller: Participant
  project: string
  /** The interaction acted on or read, for every action but `create`, `cancel_run` and `inbox`. */
  interaction?: Interaction
  /** For `create`: who the new interaction names as its requester, the caller unless the body names another. */
  requested_by?: Actor
}

/** The host's rule for who may do what, asked after `authenticate` on every route; anything but `true` refuses with 403. */
export type Authorize = (request: AuthorizeRequest) => boolean | Promise<boolean>

/**
 * The rule the handler applies when the host gives none. Agents (the service that runs the workflows) may do
 * everything. Members read, list their inbox, respond, claim and release (the service still decides whether they
 * may answer now), create only as themselves, and cancel or reassign only what they requested; cancelling a
 * whole run is for agents. Four eyes stay four: a member cannot hand someone's approval to themselves, nor
 * create one in another's name.
 *
 * @example
 * import { createHttpHandler, defaultAuthorize } from '@hitl/interactions/http'
 *
 * const handler = createHttpHandler(interactions, {
 *   authenticate,
 *   // Team leads may also cancel and reassign anything; everyone else follows the default.
 *   authorize: (request) => (leads.has(request.caller.id) && ['cancel', 'reassign'].includes(request.action)) || defaultAuthorize(request),
 * })
 */
export function defaultAuthorize({ action, caller, interaction, requested_by }: AuthorizeRequest): boolean {
  if (caller.type === 'agent') return true
  switch (action) {
    case 'read':
    case 'inbox':
    case 'respond':
    case 'claim':
    case 'release':
      return true
    case 'create':
      return requested_by === undefined || sameActor(requested_by, caller)
    case 'cancel':
    case 'reassign':
      return interaction?.requested_by !== undefined && sameActor(interaction.requested_by, caller)
    case 'cancel_run':
      return false
  }
}
