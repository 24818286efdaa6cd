import { describeActor, ParticipantSchema, type Participant } from '../model/actor.js'
import type { Interactions } from '../service/types.js'
import { configurationError } from '../service/configuration.js'
import type { AuthorizeRequest } from './authorize.js'
import type { ResolvedHttpOptions } from './options.js'
import { HttpProblem } from './problem.js'

/** What every route gets: the request, the service, the options, and the two steps most routes share. */
export interface RequestContext {
  request: Request
  url: URL
  interactions: Interactions
  options: ResolvedHttpOptions
  /** The caller the host's `authenticate` names for `project`; a 401 problem when it names nobody. */
  caller(project: string): Promise<Participant>
  /** Asks the host's `authorize`; a 403 `forbidden` problem unless it answers `true`. */
  allow(request: AuthorizeRequest): Promise<void>
  /** The JSON body (`{}` when there is none), within the size limit. */
  body(): Promise<unknown>
  /** The fields of an HTML form's `application/x-www-form-urlencoded` body, within the size limit. */
  form(): Promise<URLSearchParams>
}

export function requestContext(request: Request, interactions: Interactions, options: ResolvedHttpOptions): RequestContext {
  return {
    request,
    url: new URL(request.url),
    interactions,
    options,
    async caller(project) {
      const authenticated = await options.authenticate(request, { project })
      if (authenticated === null) {
        throw new HttpProblem(401, 'unauthenticated', 'The request has no valid credentials for this project.', {
          'www-authenticate': 'Bearer',
        })
      }
      const actor = ParticipantSchema.safeParse(authenticated?.actor)
      if (!actor.success)
        throw configurationError(
          'authenticate() result',
          actor.error.issues.map((issue) => ({ ...issue, path: ['actor', ...issue.path] })),
        )
      return actor.data
    },
    async allow(question) {
      if ((await options.authorize(question)) !== true) {
        throw new HttpProblem(403, 'forbidden', `${describeActor(question.caller)} may not ${question.action.replace('_', ' ')} here.`)
      }
    },
    body: () => readJsonBody(request, options.maxBodyBytes),
    form: () => readFormBody(request, options.maxBodyBytes),
  }
}

const isJsonType = (type: string) => /^application\/([\w.+-]+\+)?json$/i.test(type.split(';')[0]?.trim() ?? '')

async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  // The type is checked before an empty body reads as `{}`: a form another site posts has a type, and no body.
  const type = request.headers.get('content-type') ?? ''
  if (type !== '' && !isJsonType(type)) throw notJson(type)
  const text = await readBoundedText(request, limit)
  if (text.trim() === '') return {}
  if (!isJsonType(type)) throw notJson(type)
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new HttpProblem(400, 'malformed_json', `The body is not valid JSON: ${(error as Error).message}`)
  }
}

const notJson = (type: string) =>
  new HttpProblem(415, 'unsupported_media_type', `The body must be application/json (got ${type === '' ? 'no content type' : type}).`)

async function readFormBody(request: Request, limit: number): Promise<URLSearchParams> {
  const text = await readBoundedText(request, limit)
  const type = request.headers.get('content-type') ?? ''
  if (text !== '' && type.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    const got = type === '' ? 'no content type' : type
    throw new HttpProblem(415, 'unsupported_media_type', `The body must be application/x-www-form-urlencoded (got ${got}).`)
  }
  // A browser sends each line break of a text area as CRLF, where its `maxlength` counted one character.
  return new URLSearchParams(
    [...new URLSearchParams(text)].map(([name, value]): [string, string] => [name, value.replaceAll('\r\n', '\n')]),
  )
}

/** Reads at most `limit` bytes, so a huge body is refused before it is buffered whole. */
async function readBoundedText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > limit) throw tooLarge(limit)
  return readText(request, limit)
}

async function readText(request: Request, limit: number): Promise<string> {
  if (request.body === null) return ''
  const reader = request.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw tooLarge(limit)
    }
    text += decoder.decode(value, { stream: true })
  }
}

const tooLarge = (limit: number) => new HttpProblem(413, 'payload_too_large', `The body must be at most ${limit} bytes.`)
