import { z } from 'zod'
import { validationError } from '../errors.js'
import type { InboxPosition } from '../ports.js'

const PositionSchema = z.tuple([z.iso.datetime(), z.string().min(1).max(256)])

// btoa/atob rather than Buffer, so the library runs on edge runtimes too; cursors are ASCII only.
const toBase64Url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const fromBase64Url = (text: string) => atob(text.replace(/-/g, '+').replace(/_/g, '/'))

/** An opaque inbox cursor for the last item of a page. */
export const encodeCursor = (position: InboxPosition): string => toBase64Url(JSON.stringify([position.created_at, position.id]))

/** The position a cursor stands for; a cursor we did not issue is a `validation_failed` error on `cursor`. */
export function decodeCursor(cursor: string): InboxPosition {
  let decoded: unknown
  try {
    decoded = JSON.parse(fromBase64Url(cursor))
  } catch {
    decoded = undefined
  }
  const parsed = PositionSchema.safeParse(decoded)
  if (!parsed.success || encodeCursor({ created_at: parsed.data[0], id: parsed.data[1] }) !== cursor) {
    throw validationError('inbox options', [{ path: ['cursor'], message: 'is not a cursor returned by inbox()' }])
  }
  return { created_at: parsed.data[0], id: parsed.data[1] }
}
