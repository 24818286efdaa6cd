import type { Participant } from '@hitl/interactions'

/** What a small reference model expects of one interaction; compared with the real record after every step. */
export interface ModelInteraction {
  id: string
  routing: 'direct' | 'first_responder' | 'all_members' | 'quorum'
  target: Participant
  members: Participant[]
  /** Answers a quorum needs. */
  required?: number
  /** The approval's requester, who may not answer it. */
  requester?: Participant
  runLinked: boolean
  expiresAt?: number
  status: 'pending' | 'completed' | 'expired' | 'cancelled'
  claimedBy?: Participant
  /** When the current claim was made, and how long a claim lasts, for a first-responder group with a claim_timeout. */
  claimedAt?: number
  claimTimeoutMs?: number
  responders: Participant[]
  /** Each responder's answer, in order. */
  answers: boolean[]
  outcome?: 'approved' | 'rejected'
  version: number
}

const same = (x: Participant, y: Participant) => x.type === y.type && x.id === y.id

/**
 * The timers every call applies first, in the order their times came (a claim's lapse before an
 * expiry at the same time), in one change. Returns whether it expired the interaction. A call that
 * then changes the interaction itself writes once with them: its version moves by one in all.
 */
export function applyTimers(m: ModelInteraction, now: number): boolean {
  if (m.status !== 'pending') return false
  const lapseAt = m.claimedBy && m.claimTimeoutMs !== undefined ? m.claimedAt! + m.claimTimeoutMs : undefined
  const lapses = lapseAt !== undefined && lapseAt <= now && (m.expiresAt === undefined || lapseAt <= m.expiresAt)
  const expires = m.expiresAt !== undefined && now >= m.expiresAt
  if (lapses) m.claimedBy = m.claimedAt = undefined
  if (expires) m.status = 'expired'
  if (lapses || expires) m.version++
  return expires
}

const endStateCode = (m: ModelInteraction) => (m.status === 'expired' ? 'expired' : m.status === 'pending' ? undefined : 'not_pending')
const placesOf = (m: ModelInteraction) => (m.routing === 'direct' ? [m.target] : m.members)
const routedTo = (m: ModelInteraction) => placesOf(m).filter((x) => !m.requester || !same(x, m.requester))
const eligible = (m: ModelInteraction, actor: Participant) => routedTo(m).some((x) => same(x, actor))

/** The error code the rules give for a claim, or undefined when it succeeds; applies the change. */
export function modelClaim(m: ModelInteraction, actor: Participant, now: number): string | undefined {
  const before = m.version
  applyTimers(m, now)
  const ended = endStateCode(m)
  if (ended) return ended
  if (m.routing !== 'first_responder') return 'validation_failed'
  if (!eligible(m, actor)) return 'not_eligible'
  if (m.claimedBy) return same(m.claimedBy, actor) ? undefined : 'already_claimed'
  m.claimedBy = actor
  m.claimedAt = now
  m.version = before + 1
  return undefined
}

export function modelRelease(m: ModelInteraction, actor: Participant, now: number): string | undefined {
  const before = m.version
  applyTimers(m, now)
  const ended = endStateCode(m)
  if (ended) return ended
  if (m.routing !== 'first_responder') return 'validation_failed'
  if (!m.claimedBy || !same(m.claimedBy, actor)) return 'not_eligible'
  m.claimedBy = m.claimedAt = undefined
  m.version = before + 1
  return undefined
}

/** Whether the actor may act on the interaction now: what lists it in their inbox. */
export function modelMayAct(m: ModelInteraction, actor: Participant): boolean {
  if (m.status !== 'pending' || !eligible(m, actor)) return false
  if (m.routing === 'first_responder') return !m.claimedBy || same(m.claimedBy, actor)
  return m.routing === 'direct' || !m.responders.some((x) => same(x, actor))
}

/** Whether the answers so far complete the interaction, and how it ends, by the rule of its policy. */
function decide(m: ModelInteraction): 'approved' | 'rejected' | undefined {
  const approvals = m.answers.filter(Boolean).length
  const rejections = m.answers.length - approvals
  if (m.routing === 'quorum') {
    if (approvals >= m.required!) return 'approved'
    return rejections > routedTo(m).length - m.required! ? 'rejected' : undefined
  }
  if (m.routing === 'all_members')
    return routedTo(m).every((x) => m.responders.some((r) => same(r, x))) ? (rejections === 0 ? 'approved' : 'rejected') : undefined
  return m.answers[0] === undefined ? undefined : m.answers[0] ? 'approved' : 'rejected'
}

/** Cancelling: any actor may, while it is pending; an ended one is not_pending whatever ended it. */
export function modelCancel(m: ModelInteraction, now: number): string | undefined {
  const before = m.version
  applyTimers(m, now)
  if (m.status !== 'pending') return 'not_pending'
  m.status = 'cancelled'
  m.version = before + 1
  return undefined
}

/**
 * Reassigning: `to` takes the place of `from` (the target when left out; required for a group), with
 * its claim; `from` must hold a place and not have responded, and `to` must hold none nor be the requester.
 */
export function modelReassign(m: ModelInteraction, from: Participant | undefined, to: Participant, now: number): string | undefined {
  const before = m.version
  applyTimers(m, now)
  if (m.status !== 'pending') return 'not_pending'
  if (m.routing !== 'direct' && !from) return 'validation_failed'
  const replaced = from ?? m.target
  const holdsPlace = (actor: Participant) => placesOf(m).some((x) => same(x, actor))
  if (!holdsPlace(replaced)) return 'conflict'
  if (m.responders.some((x) => same(x, replaced))) return 'already_responded'
  if (holdsPlace(to)) return 'conflict'
  if (m.requester && same(to, m.requester)) return 'not_eligible'
  if (m.routing === 'direct') m.target = to
  else m.members = m.members.map((x) => (same(x, replaced) ? to : x))
  if (m.claimedBy && same(m.claimedBy, replaced)) [m.claimedBy, m.claimedAt] = [to, now]
  m.version = before + 1
  return undefined
}

export function modelRespond(m: ModelInteraction, actor: Participant, answer: boolean | 'invalid', now: number): string | undefined {
  const before = m.version
  applyTimers(m, now)
  const ended = endStateCode(m)
  if (ended) return ended
  if (!eligible(m, actor)) return 'not_eligible'
  if (m.routing === 'first_responder' && m.claimedBy && !same(m.claimedBy, actor)) return 'already_claimed'
  if ((m.routing === 'all_members' || m.routing === 'quorum') && m.responders.some((x) => same(x, actor))) return 'already_responded'
  if (answer === 'invalid') return 'validation_failed'
  m.responders.push(actor)
  m.answers.push(answer)
  if (m.routing === 'first_responder') m.claimedBy = actor
  m.outcome = decide(m)
  if (m.outcome) m.status = 'completed'
  m.version = before + 1
  return undefined
}
