import { z } from 'zod'
import { validationError } from '../errors.js'
import type { Participant } from '../model/actor.js'
import { isStorableTime } from '../model/interaction.js'
import { lazily } from '../model/lazily.js'
import { LIMITS } from '../model/limits.js'
import type { InboxPosition } from '../ports.js'
import { check } from './parse.js'

/** The inbox a cursor was issued for; a cursor is valid for that inbox only. */
export interface CursorScope {
  project: string
  actor: Participant
}

// Only positions a stored record can have: a canonical UTC timestamp every store can parse, so even
// a hand-made cursor with a correct checksum never reaches a store with a value it cannot handle.
const PositionSchema = lazily(() =>
  z.tuple([
    z.iso.datetime().refine((at) => isStorableTime(Date.parse(at)) && new Date(at).toISOString() === at),
    z.string().min(1).max(LIMITS.identifier),
    z.string(),
  ]),
)

// btoa/atob rather than Buffer, so the library runs on edge runtimes too; UTF-8 bytes, since btoa takes Latin-1 only.
const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const fromBase64Url = (text: string) => {
  const bytes = Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0))
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
}

/**
 * A 64-bit checksum (two FNV-1a lanes) of the scope and position, as 16 hex digits. It tells an
 * altered cursor, or one from another inbox, from one `inbox` issued; it is not a secret signature,
 * and needs none: a position only ever selects within the inbox the call already names.
 */
function checksum({ project, actor }: CursorScope, position: InboxPosition): string {
  const text = JSON.stringify([project, actor.type, actor.id, position.created_at, position.id])
  let low = 0x811c9dc5
  let high = 0xcbf29ce4
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index)
    low = Math.imul(low ^ unit, 0x01000193)
    high = Math.imul(high ^ unit, 0x5bd1e995)
  }
  return [high, low].map((lane) => (lane >>> 0).toString(16).padStart(8, '0')).join('')
}

/** An opaque inbox cursor for the last item of a page, valid only for the same project and actor. */
export const encodeCursor = (scope: CursorScope, position: InboxPosition): string =>
  toBase64Url(JSON.stringify([position.created_at, position.id, checksum(scope, position)]))

/**
 * The position a cursor stands for. A cursor that `inbox` did not issue for this project and actor
 * is a `validation_failed` error on `cursor`.
 */
export function decodeCursor(scope: CursorScope, cursor: string): InboxPosition {
  let decoded: unknown
  try {
    decoded = JSON.parse(fromBase64Url(cursor))
  } catch {
    decoded = undefined
  }
  const checked = check(PositionSchema(), decoded)
  const position = checked.data && { created_at: checked.data[0], id: checked.data[1] }
  if (!position || encodeCursor(scope, position) !== cursor) {
    const message = 'is not a cursor that inbox() returned for this project and actor'
    throw validationError('inbox options', [{ path: ['cursor'], message }])
  }
  return position
}
