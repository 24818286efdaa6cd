import type { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import { validationError } from '../../errors.js'
import { webhookKeys, type WebhookSecret } from './secret.js'

/** HMAC-SHA256 over `${id}.${timestamp}.${body}`, the content the Standard Webhooks scheme signs. */
export function webhookHmac(key: Buffer, id: string, timestamp: number | string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest()
}

/** The `webhook-signature` value for already parsed keys. */
export function signatureHeader(keys: readonly Buffer[], id: string, timestamp: number, body: string | Uint8Array): string {
  return keys.map((key) => `v1,${webhookHmac(key, id, timestamp, body).toString('base64')}`).join(' ')
}

/**
 * The `webhook-signature` header value for one delivery: `v1,<base64 HMAC-SHA256>`, one entry per
 * secret, space-separated (several secrets let receivers rotate keys without downtime).
 *
 * @example
 * import { signWebhook } from '@hitl/interactions/webhook'
 *
 * const signature = signWebhook({ id: 'msg_1', timestamp: 1614265330, body: '{"test": 2432232314}', secret: process.env.WEBHOOK_SECRET! })
 * // 'v1,…'
 */
export function signWebhook(input: {
  /** The `webhook-id` header value. */
  id: string
  /** The `webhook-timestamp` header value, in unix seconds. */
  timestamp: number
  /** The exact bytes (or string) sent as the request body. */
  body: string | Uint8Array
  secret: WebhookSecret | readonly WebhookSecret[]
}): string {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw validationError('signWebhook input', [{ path: ['timestamp'], message: `must be whole unix seconds (got ${input.timestamp})` }])
  }
  return signatureHeader(webhookKeys(input.secret, 'signWebhook'), input.id, input.timestamp, input.body)
}
