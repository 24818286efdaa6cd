import { Buffer } from 'node:buffer'
import { configurationError } from '../../errors.js'

/**
 * A signing secret: `whsec_` followed by the base64 of the key (the Standard Webhooks form), any
 * other string (its UTF-8 bytes are the key), or the key's bytes.
 */
export type WebhookSecret = string | Uint8Array

const PREFIX = 'whsec_'
// Padding optional: some generators drop it, and Node's decoder does not need it.
/** Standard base64, as keys and signatures are written. */
export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** Why a secret cannot be used, never echoing it; undefined when it can. */
function secretProblem(secret: WebhookSecret): string | undefined {
  if (typeof secret === 'string') {
    if (!secret.startsWith(PREFIX)) return secret.length === 0 ? 'must not be empty' : undefined
    const encoded = secret.slice(PREFIX.length)
    if (BASE64.test(encoded) && encoded.length % 4 !== 1) return undefined
    return `must continue after "${PREFIX}" with the base64 of the key (the ${encoded.length} characters after it are not valid base64)`
  }
  if (secret instanceof Uint8Array) return secret.byteLength === 0 ? 'must not be empty' : undefined
  return `must be a string or a Uint8Array (got ${secret === null ? 'null' : typeof secret})`
}

/** The HMAC key of a usable secret. */
function webhookKey(secret: WebhookSecret): Buffer {
  if (typeof secret !== 'string') return Buffer.from(secret)
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8')
}

/**
 * The keys of one secret or several (newest first, for rotation). An unusable one is a
 * `configuration` error of `caller` naming the `secret` (and its index in a list), never its value.
 */
export function webhookKeys(secret: WebhookSecret | readonly WebhookSecret[], caller: string): Buffer[] {
  const several = Array.isArray(secret)
  const secrets = several ? (secret as readonly WebhookSecret[]) : [secret as WebhookSecret]
  if (secrets.length === 0) throw configurationError(caller, ['secret'], 'must hold at least one webhook secret')
  return secrets.map((one, index) => {
    const problem = secretProblem(one)
    if (problem) throw configurationError(caller, several ? ['secret', index] : ['secret'], problem)
    return webhookKey(one)
  })
}
