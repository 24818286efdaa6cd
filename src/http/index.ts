/**
 * @module
 * The interactions service on the web platform's own types: `createHttpHandler` returns a
 * `(request: Request) => Promise<Response>` that runs unchanged on Node, Bun, Deno, edge and
 * serverless functions, with the JSON API, its OpenAPI document, signed one-click response links
 * and a server-rendered inbox page.
 */
export { defaultAuthorize, type Authorize, type AuthorizeRequest, type HttpAction } from './authorize.js'
export { createHttpHandler } from './handler.js'
export { createResponseLink, DEFAULT_LINK_TTL, type ResponseLinkOptions } from './links.js'
export type { Authenticated, HttpHandlerOptions } from './options.js'
