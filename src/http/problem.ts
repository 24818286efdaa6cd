import { isInteractionError, statusOf } from '../errors.js'
import type { Problem } from './schemas.js'

/** The media type of RFC 9457 problem details. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/**
 * An HTTP-level refusal that is not one of the library's errors: an unknown route, a wrong method,
 * a body too large or not JSON, a caller not authenticated. Its `code` is named in docs/http.md.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem'

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

// Answers name people and their decisions: no cache keeps them, and no browser reads them as anything but JSON.
const PRIVATE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }

/** A JSON response with the given status, never cached. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  Response.json(body, { status, headers: { ...PRIVATE, ...headers } })

/**
 * The problem details for a thrown value. Library and HTTP errors keep their code, and the status its table
 * names; anything else is the server's fault, answered as a 500 that does not leak its message. A library
 * error may come from another copy of the package or a plain object, so nothing else of it is trusted.
 */
export function problemFor(error: unknown): Response {
  try {
    if (isInteractionError(error)) {
      const issues = Array.isArray(error.issues) ? [...error.issues] : []
      // A host's setup error is for its operators, not for whoever sent the request.
      const detail = error.code === 'configuration' ? 'The server is not set up correctly.' : String(error.message)
      return problem(statusOf(error.code), error.code, detail, { issues: error.code === 'configuration' ? [] : issues })
    }
    if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, {}, error.headers)
  } catch {
    // Issues that cannot be serialised, say: still an answer, and a safe one.
  }
  return problem(500, 'internal', 'The server failed to handle the request.')
}

function problem(status: number, code: string, detail: string, extra: Pick<Problem, 'issues'> = {}, headers: Record<string, string> = {}) {
  const body: Problem = { type: `https://hitl.dev/problems/${code}`, title: code.replaceAll('_', ' '), status, detail, code, ...extra }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...PRIVATE, ...headers } })
}
