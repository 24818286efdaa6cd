import { Buffer } from 'node:buffer'
import { timingSafeEqual } from 'node:crypto'
import { configurationError } from '../../errors.js'
import { SignalSchema, type Signal } from '../../model/signal.js'
import { BASE64, webhookKeys, type WebhookSecret } from './secret.js'
import { webhookHmac } from './sign.js'

/** Why a webhook was rejected; stable across versions, safe to branch on. */
export type WebhookVerificationReason = 'missing_header' | 'invalid_signature' | 'timestamp_out_of_tolerance' | 'invalid_payload'

const REASONS: readonly WebhookVerificationReason[] = [
  'missing_header',
  'invalid_signature',
  'timestamp_out_of_tolerance',
  'invalid_payload',
]

/** A webhook that {@link verifyWebhook} rejected; `reason` says why. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError'
  readonly reason: WebhookVerificationReason

  constructor(reason: WebhookVerificationReason, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.reason = reason
  }
}

/**
 * True for a WebhookVerificationError, also from another copy of this package, where `instanceof`
 * fails. Pass `reason` to test for one reason.
 */
export function isWebhookVerificationError(error: unknown, reason?: WebhookVerificationReason): error is WebhookVerificationError {
  if (typeof error !== 'object' || error === null) return false
  const candidate = error as { name?: unknown; reason?: unknown }
  return (
    candidate.name === 'WebhookVerificationError' &&
    REASONS.includes(candidate.reason as WebhookVerificationReason) &&
    (reason === undefined || candidate.reason === reason)
  )
}

/** Request headers as a `Headers` instance or a plain object such as Node's `req.headers`; names are matched case-insensitively. */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may lie from `now`, either way, in seconds; 300 by default. */
  toleranceSeconds?: number
  /** The receiver's current time. Defaults to `new Date()`. */
  now?: Date
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.join(' ')
  }
  return undefined
}

function requiredHeader(headers: WebhookHeaders, name: string): string {
  const value = headerValue(headers, name)?.trim()
  if (!value) throw new WebhookVerificationError('missing_header', `the ${name} header is missing or empty`)
  return value
}

/** The decoded `v1` signatures of a header; other schemes (such as `v1a`) and malformed entries are skipped. */
function v1Signatures(header: string): Buffer[] {
  // Node joins repeated header lines with ", ", which leaves a trailing comma on all but the last entry.
  return header.split(/\s+/).flatMap((raw) => {
    const entry = raw.replace(/,$/, '')
    const comma = entry.indexOf(',')
    if (comma < 0 || entry.slice(0, comma) !== 'v1') return []
    const encoded = entry.slice(comma + 1)
    return BASE64.test(encoded) ? [Buffer.from(encoded, 'base64')] : []
  })
}

/**
 * Checks a Standard Webhooks delivery and returns the signal it carries: the headers must be
 * present, `webhook-timestamp` within `toleranceSeconds` of now (either way, against replays),
 * one `v1` signature in `webhook-signature` must match one of the secrets (compared in constant
 * time), and the body must be a valid signal whose `idempotency_key` is the `webhook-id`. Pass
 * the raw body exactly as received: re-serialised JSON does not verify. Throws a
 * {@link WebhookVerificationError} otherwise.
 *
 * @example
 * import { verifyWebhook } from '@hitl/interactions/webhook'
 *
 * // In a handler, with the raw body as a string or Buffer:
 * const signal = verifyWebhook(req.headers, rawBody, [process.env.WEBHOOK_SECRET!, process.env.OLD_WEBHOOK_SECRET!])
 * await engine.resume(signal.run_id, signal.topic, signal)
 */
export function verifyWebhook(
  headers: WebhookHeaders,
  body: string | Uint8Array,
  secret: WebhookSecret | readonly WebhookSecret[],
  options: VerifyWebhookOptions = {},
): Signal {
  const keys = webhookKeys(secret, 'verifyWebhook')
  const toleranceSeconds = options.toleranceSeconds ?? 300
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw configurationError('verifyWebhook', ['toleranceSeconds'], `must be a number of seconds, 0 or more (got ${toleranceSeconds})`)
  }
  const id = requiredHeader(headers, 'webhook-id')
  const timestampText = requiredHeader(headers, 'webhook-timestamp')
  const signatureText = requiredHeader(headers, 'webhook-signature')

  // Digits only: parseInt would read "1614265330abc" as a valid time.
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError(
      'missing_header',
      `the webhook-timestamp header must be unix seconds (got ${JSON.stringify(timestampText.slice(0, 40))})`,
    )
  }
  const timestamp = Number(timestampText)
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000)
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    const drift = timestamp < now ? `${now - timestamp} s old` : `${timestamp - now} s in the future`
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `webhook-timestamp ${timestamp} is ${drift}; at most ${toleranceSeconds} s either way is accepted (a replay, or clocks out of sync)`,
    )
  }

  const expected = keys.map((key) => webhookHmac(key, id, timestampText, body))
  const matched = v1Signatures(signatureText).some((candidate) =>
    expected.some((mac) => candidate.length === mac.length && timingSafeEqual(candidate, mac)),
  )
  if (!matched) {
    throw new WebhookVerificationError(
      'invalid_signature',
      `no v1 signature in webhook-signature matches the body with any of the ${keys.length} secret(s); check the secret and that the raw body is passed unchanged`,
    )
  }

  let json: unknown
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
  } catch (error) {
    throw new WebhookVerificationError('invalid_payload', `the body is not JSON: ${(error as Error).message}`, { cause: error })
  }
  const parsed = SignalSchema.safeParse(json)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ')
    throw new WebhookVerificationError('invalid_payload', `the body is not a signal: ${detail}`, { cause: parsed.error })
  }
  // Receivers deduplicate on webhook-id, so it must name the signal in the body.
  if (parsed.data.idempotency_key !== id) {
    throw new WebhookVerificationError(
      'invalid_payload',
      `webhook-id ${JSON.stringify(id)} does not match the body's idempotency_key ${JSON.stringify(parsed.data.idempotency_key)}`,
    )
  }
  return parsed.data
}
