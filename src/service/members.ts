import { z } from 'zod'
import { InteractionError, validationError } from '../errors.js'
import { ParticipantSchema, uniqueActors, type Participant } from '../model/actor.js'
import type { EscalationStep } from '../model/interaction.js'
import { LIMITS } from '../model/limits.js'
import type { Directory } from '../ports.js'
import { configurationError } from './configuration.js'
import { check } from './parse.js'

// Built once: constructing a zod schema costs far more than using it.
const MembersSchema = z.array(ParticipantSchema)

/**
 * The members of a group, as the host's directory answers, checked and without repeats. The
 * directory is the host's code, not the caller's input: a malformed answer is a configuration error.
 */
export async function resolveMembers(directory: Directory | undefined, project: string, groupId: string): Promise<Participant[]> {
  if (!directory) {
    throw new InteractionError('configuration', 'createInteractions needs a `directory` to resolve the members of group targets')
  }
  const resolved: unknown = await directory.membersOf(project, groupId)
  // Counted before any member is read, so an oversized answer is refused at once, whatever it holds.
  if (Array.isArray(resolved) && resolved.length > LIMITS.members) {
    throw validationError('create input', [
      {
        path: ['target_actor', 'id'],
        message: `group "${groupId}" has ${resolved.length} members (repeats included); at most ${LIMITS.members} are allowed`,
      },
    ])
  }
  const checked = check(MembersSchema, resolved)
  if (checked.issues) throw configurationError(`members of group "${groupId}" from the directory`, checked.issues)
  const members = uniqueActors(checked.data)
  if (members.length === 0) {
    throw validationError('create input', [{ path: ['target_actor', 'id'], message: `group "${groupId}" has no members` }])
  }
  return members
}

/** Refuses an escalation whose `add_members` steps would grow a group's snapshot past `LIMITS.members`. */
export function checkGrownSnapshot(members: Participant[], escalation: EscalationStep[] = []): void {
  const added = escalation.flatMap((step) => (step.action === 'add_members' ? step.members : []))
  const size = uniqueActors([...members, ...added]).length
  if (size > LIMITS.members) {
    throw validationError('create input', [
      { path: ['escalation'], message: `add_members steps would grow the group to ${size} members; at most ${LIMITS.members} are allowed` },
    ])
  }
}
