import { Buffer } from 'node:buffer'

/**
 * A signing secret: `whsec_` followed by the base64 of the key (the Standard Webhooks form), any
 * other string (its UTF-8 bytes are the key), or the key's bytes.
 */
export type WebhookSecret = string | Uint8Array

const PREFIX = 'whsec_'
// Padding optional: some generators drop it, and Node's decoder does not need it.
/** Standard base64, as keys and signatures are written. */
export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** The HMAC key of one secret; throws a TypeError (never echoing the secret) when it is unusable. */
export function webhookKey(secret: WebhookSecret): Buffer {
  if (typeof secret === 'string') {
    if (secret.startsWith(PREFIX)) {
      const encoded = secret.slice(PREFIX.length)
      if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
        throw new TypeError(`a webhook secret that starts with "${PREFIX}" must continue with the base64 of the key (${encoded.length} characters after the prefix are not valid base64)`)
      }
      return Buffer.from(encoded, 'base64')
    }
    if (secret.length === 0) throw new TypeError('the webhook secret must not be empty')
    return Buffer.from(secret, 'utf8')
  }
  if (secret instanceof Uint8Array) {
    if (secret.byteLength === 0) throw new TypeError('the webhook secret must not be empty')
    return Buffer.from(secret)
  }
  throw new TypeError(`a webhook secret must be a string or a Uint8Array (got ${secret === null ? 'null' : typeof secret})`)
}

/** The keys of one secret or several (newest first, for rotation); at least one is required. */
export function webhookKeys(secret: WebhookSecret | readonly WebhookSecret[]): Buffer[] {
  const secrets = Array.isArray(secret) ? (secret as readonly WebhookSecret[]) : [secret as WebhookSecret]
  if (secrets.length === 0) throw new TypeError('at least one webhook secret is required')
  return secrets.map(webhookKey)
}
