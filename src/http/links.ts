import { z } from 'zod'
import { validationError } from '../errors.js'
import { ParticipantSchema, type Participant } from '../model/actor.js'
import type { Interaction } from '../model/interaction.js'
import { method } from '../service/configuration.js'
import { SecretsSchema } from './options.js'
import { HttpProblem } from './problem.js'

/** How long a signed link lasts when `ttl` is not given: 7 days, in seconds. */
export const DEFAULT_LINK_TTL = 7 * 24 * 60 * 60

/** Options of {@link createResponseLink}. */
export interface ResponseLinkOptions {
  /** Who the link answers as: the response it records is theirs. */
  actor: Participant
  /** Where the handler is served, e.g. `https://hitl.example.com`; the link is `<baseUrl>/links/<token>`. */
  baseUrl: string
  /** The handler's `links.secret`: a string, or a list whose first (newest) secret signs. */
  secret: string | readonly string[]
  /** Seconds the link lasts, 7 days by default; never past the interaction's `expires_at`. */
  ttl?: number
  /** The current time. Defaults to `() => new Date()`. */
  clock?: () => Date
}

/** What a verified token names: one actor's answer to one interaction, until `expires_at`. */
export interface LinkClaims {
  project: string
  id: string
  actor: Participant
  /** Seconds since the epoch. */
  exp: number
}

const ClaimsSchema = z.strictObject({ project: z.string(), id: z.string(), actor: ParticipantSchema, exp: z.int() })

const OptionsSchema = z.strictObject({
  actor: ParticipantSchema,
  baseUrl: z.url(),
  secret: SecretsSchema,
  ttl: z.int('must be a whole number of seconds').min(1, 'must be at least 1 second').default(DEFAULT_LINK_TTL),
  clock: method('() => Date').optional(),
})

/**
 * A one-click URL that lets `actor` answer `interaction` without signing in: opening it shows the
 * question and its controls and changes nothing; only submitting the page's form records the response.
 * The token is an HMAC-SHA256 signature (Web Crypto, so it runs on edge runtimes too) over the project,
 * the interaction, the actor and an expiry no later than the interaction's `expires_at`.
 *
 * @example
 * import { createResponseLink } from '@hitl/interactions/http'
 *
 * const url = await createResponseLink(interaction, {
 *   actor: { type: 'member', id: 'user_alice' },
 *   baseUrl: 'https://hitl.example.com',
 *   secret: process.env.LINK_SECRET!,
 *   ttl: 24 * 60 * 60,
 * })
 */
export async function createResponseLink(interaction: Interaction, options: ResponseLinkOptions): Promise<string> {
  const parsed = OptionsSchema.safeParse(options)
  if (!parsed.success) throw validationError('createResponseLink options', parsed.error.issues)
  const { actor, baseUrl, secret, ttl } = parsed.data
  const now = Math.floor((options.clock ?? (() => new Date()))().getTime() / 1000)
  const ends = interaction.expires_at === undefined ? Number.POSITIVE_INFINITY : Math.floor(Date.parse(interaction.expires_at) / 1000)
  const claims: LinkClaims = { project: interaction.project, id: interaction.id, actor, exp: Math.min(now + ttl, ends) }
  const payload = base64url(new TextEncoder().encode(JSON.stringify(claims)))
  const signature = new Uint8Array(
    await crypto.subtle.sign('HMAC', await keyOf(typeof secret === 'string' ? secret : secret[0]!), ascii(payload)),
  )
  return new URL(`links/${payload}.${base64url(signature)}`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href
}

/**
 * The claims of a token signed with one of `secrets`, or a refusal: 403 when it is malformed or its
 * signature matches no secret, 410 when it has expired at `now`.
 */
export async function verifyLinkToken(token: string, secrets: readonly string[], now: Date): Promise<LinkClaims> {
  const [payload, signature, ...rest] = token.split('.')
  const signatureBytes = signature === undefined || rest.length > 0 ? undefined : fromBase64url(signature)
  if (payload === undefined || signatureBytes === undefined) throw invalidLink()
  // crypto.subtle.verify compares in constant time, so a forger learns nothing from how long a refusal takes.
  const verified = await Promise.all(
    secrets.map(async (secret) => crypto.subtle.verify('HMAC', await keyOf(secret), signatureBytes, ascii(payload))),
  )
  if (!verified.includes(true)) throw invalidLink()
  const claims = ClaimsSchema.safeParse(parseJson(fromBase64url(payload)))
  if (!claims.success) throw invalidLink()
  if (claims.data.exp * 1000 <= now.getTime()) {
    throw new HttpProblem(410, 'link_expired', 'This link has expired. Open the interaction from your inbox, or ask for a new link.')
  }
  return claims.data
}

const invalidLink = () => new HttpProblem(403, 'invalid_link', 'This link is not valid: it was changed, or was not made by this server.')

const keyOf = (secret: string) =>
  crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])

const ascii = (text: string) => new TextEncoder().encode(text)

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[\w-]*$/.test(text)) return undefined
  try {
    return Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}

function parseJson(bytes: Uint8Array | undefined): unknown {
  try {
    return bytes && JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined
  }
}
