import type { z } from 'zod'
import { validationError } from '../errors.js'
import { check } from '../service/parse.js'
import type { RequestContext } from './context.js'
import { route, type Route } from './router.js'
import { requireSameOrigin } from './same-origin.js'

/** What the OpenAPI document says about a route: its purpose, what it takes, what it answers and how it refuses. */
export interface Operation {
  operationId: string
  summary: string
  /** The status of a successful answer. */
  status: 200 | 201
  /** The request body's schema, one of the shared models, when the route reads one; `bodyRequired` when it may not be empty. */
  body?: z.ZodType
  bodyRequired?: boolean
  /** The query's schema, when the route reads one: each key is one query parameter. */
  query?: z.ZodObject
  /** The successful answer's schema, one of the shared models; without one, any JSON object. */
  response?: z.ZodType
  /** The problem statuses the service can answer with for this operation, beyond those of the request itself. */
  problems: readonly (403 | 404 | 409 | 410)[]
  /** False for the one route anyone may read. */
  authenticated?: boolean
}

/** A route of the JSON API, documented by its operation. */
export interface ApiRoute extends Route<RequestContext> {
  operation: Operation
}

/**
 * A JSON API route whose handler sees exactly the params its path names, with the operation that documents it.
 * A `POST` from another site's page is refused first: a host may authenticate browsers by cookie.
 */
export const apiRoute = <const Path extends string>(
  method: Route<RequestContext>['method'],
  path: Path,
  operation: Operation,
  handle: Parameters<typeof route<RequestContext, Path>>[2],
): ApiRoute => {
  const guarded: typeof handle =
    method === 'GET'
      ? handle
      : (context, params) => {
          requireSameOrigin(context.request, context.url)
          return handle(context, params)
        }
  return { ...route(method, path, guarded), operation }
}

/**
 * The parsed input, or a `validation_failed` error naming each field: an unknown field is named at its own
 * path (`colour`, not the body as a whole), so a client sees which key to drop.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const checked = check(schema, value)
  if (!checked.issues) return checked.data
  throw validationError(
    what,
    checked.issues.flatMap((issue): Parameters<typeof validationError>[1] =>
      'code' in issue && issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ code: 'custom', path: [...issue.path, key], message: 'is not a field of this request' }))
        : [issue],
    ),
  )
}
