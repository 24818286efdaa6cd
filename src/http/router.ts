import { HttpProblem } from './problem.js'

/** A route: a method, a path pattern whose `:name` segments become params, and what answers it. */
export interface Route<Context> {
  method: 'GET' | 'POST'
  path: string
  handle(context: Context, params: Record<string, string>): Promise<Response>
}

/** The names of a path pattern's `:name` segments, so a handler's params are typed by its path. */
type ParamsOf<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamsOf<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never

/** A route whose handler sees exactly the params its path names. */
export const route = <Context, const Path extends string>(
  method: Route<Context>['method'],
  path: Path,
  handle: (context: Context, params: Record<ParamsOf<Path>, string>) => Promise<Response>,
): Route<Context> => ({ method, path, handle })

/**
 * The route that answers a request and its decoded params. An unknown path is a 404; a known path with
 * another method is a 405 that lists the methods it allows.
 */
export function match<Context>(routes: readonly Route<Context>[], method: string, pathname: string) {
  const segments = pathname.split('/').filter(Boolean)
  const allowed = new Set<string>()
  for (const route of routes) {
    const params = paramsOf(route.path, segments)
    if (params === undefined) continue
    if (route.method === method) return { route, params }
    allowed.add(route.method)
  }
  if (allowed.size === 0) throw new HttpProblem(404, 'route_not_found', `No route for ${pathname}.`)
  const allow = [...allowed].sort().join(', ')
  throw new HttpProblem(405, 'method_not_allowed', `${method} is not allowed on ${pathname}; use ${allow}.`, { allow })
}

function paramsOf(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter(Boolean)
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (const [index, part] of parts.entries()) {
    const segment = decodeSegment(segments[index] as string)
    if (part.startsWith(':')) params[part.slice(1)] = segment
    else if (part !== segment) return undefined
  }
  return params
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpProblem(400, 'malformed_path', `The path segment "${segment}" is not valid percent-encoding.`)
  }
}
