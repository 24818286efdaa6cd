import { z } from 'zod'
import type { Participant } from '../model/actor.js'
import { configurationError, count, method, optionIssues } from '../service/configuration.js'
import { defaultAuthorize, type Authorize } from './authorize.js'

/** Who the host says is calling: an actor, or `null` for a 401. */
export type Authenticated = { actor: Participant } | null

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /**
   * The host's answer to "who is calling, for this project?": `{ actor }` (a member, an agent, or the
   * agent a workflow service acts as) or `null` for a 401. Throwing an `InteractionError` answers with its status.
   */
  authenticate(request: Request, context: { project: string }): Authenticated | Promise<Authenticated>
  /**
   * Who may do what, asked on every route once the caller is known; a refusal answers 403 `forbidden` (an HTML
   * page on the pages and links). Default {@link defaultAuthorize}: agents do everything, members act as themselves.
   */
  authorize?: Authorize
  /** The secret signed response links are verified with, or several (newest first) while one rotates out. Without it the link routes answer 404. */
  links?: { secret: string | readonly string[] }
  /** The largest request body accepted, in bytes; larger ones get a 413. Default 64 KiB. */
  maxBodyBytes?: number
  /** The current time, against which signed links expire. Defaults to `() => new Date()`; pass the service's clock. */
  clock?: () => Date
}

const SecretSchema = z.string().min(16, 'must be at least 16 characters')

/** A link secret, or several (newest first), each long enough that guessing it is hopeless. */
export const SecretsSchema = z.union([SecretSchema, z.array(SecretSchema).min(1, 'must list at least one secret').readonly()])

const OptionsSchema = z.strictObject({
  authenticate: method('(request, { project }) => { actor } | null'),
  authorize: method('({ action, caller, project, interaction?, requested_by? }) => boolean').optional(),
  links: z.strictObject({ secret: SecretsSchema }).optional(),
  maxBodyBytes: count(64 * 1024),
  clock: method('() => Date').optional(),
})

/** The handler's options with defaults, or a `configuration` error naming each wrong option. */
export function resolveHttpOptions(options: HttpHandlerOptions) {
  const parsed = OptionsSchema.safeParse(options)
  if (!parsed.success) throw configurationError('createHttpHandler options', optionIssues(parsed.error))
  const { links, ...rest } = parsed.data
  // Signing uses the first secret; verifying accepts any, so a rotation never breaks links already sent.
  const secrets = links === undefined ? undefined : typeof links.secret === 'string' ? [links.secret] : [...links.secret]
  return {
    ...rest,
    authenticate: options.authenticate,
    authorize: options.authorize ?? defaultAuthorize,
    clock: options.clock ?? (() => new Date()),
    secrets,
  }
}
export type ResolvedHttpOptions = ReturnType<typeof resolveHttpOptions>
