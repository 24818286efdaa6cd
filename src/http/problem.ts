import { isInteractionError } from '../errors.js'
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

/** A JSON response with the given status. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  Response.json(body, { status, headers })

/**
 * The problem details for a thrown value. Library and HTTP errors keep their status and code; anything
 * else is the server's fault, answered as a 500 that does not leak its message.
 */
export function problemFor(error: unknown): Response {
  if (isInteractionError(error)) {
    return problem(error.status, error.code, error.message, { issues: [...error.issues] })
  }
  if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, {}, error.headers)
  return problem(500, 'internal', 'The server failed to handle the request.')
}

function problem(status: number, code: string, detail: string, extra: Pick<Problem, 'issues'> = {}, headers: Record<string, string> = {}) {
  const body: Problem = { type: `https://hitl.dev/problems/${code}`, title: code.replaceAll('_', ' '), status, detail, code, ...extra }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } })
}
