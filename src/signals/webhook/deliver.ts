import { Buffer } from 'node:buffer'
import { configurationError } from '../../errors.js'
import type { Signal } from '../../model/signal.js'
import type { SignalDelivery, SignalDeliveryFailure } from '../../ports.js'
import { webhookKeys, type WebhookSecret } from './secret.js'
import { signatureHeader } from './sign.js'

/** Where {@link webhookSignals} sends: one URL for every signal, or one chosen per signal. */
export type WebhookTarget =
  | {
      /** The one URL every signal is posted to. */
      url: string | URL
      urlFor?: never
    }
  | {
      /** The URL for this signal, e.g. by its `topic` or `run_id`. */
      urlFor: (signal: Signal) => string | URL | Promise<string | URL>
      url?: never
    }

/** Options of {@link webhookSignals}. */
export type WebhookSignalsOptions = WebhookTarget & {
  /** Signs every delivery; with several (newest first), each adds one signature, so receivers can rotate keys. */
  secret: WebhookSecret | readonly WebhookSecret[]
  /** How long one attempt may take, response body included; 10 000 ms by default. */
  timeoutMs?: number
  /** Extra request headers, e.g. `authorization`; they cannot replace `content-type` or the `webhook-*` headers. */
  headers?: Record<string, string>
  /** The fetch to use, e.g. one that filters private addresses; the global `fetch` by default. */
  fetch?: typeof globalThis.fetch
  /** The time written to `webhook-timestamp`. Defaults to `() => new Date()`. */
  clock?: () => Date
}

/**
 * A failed delivery attempt; `permanent` tells the outbox to dead-letter it instead of retrying, and
 * `retryAfterMs` to wait as long as the receiver's `Retry-After` asked.
 */
export class WebhookDeliveryError extends Error implements SignalDeliveryFailure {
  override readonly name = 'WebhookDeliveryError'
  /** The target, without its query string or credentials. */
  readonly url: string
  /** The receiver's HTTP status, when it answered. */
  readonly status: number | undefined
  /** True for a 4xx other than 408 and 429: the receiver refused this signal, and a retry would not help. */
  readonly permanent: boolean
  /** The wait a 429 or 503 asked for in its `Retry-After` header, in milliseconds, when it had a readable one. */
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: { url: string; status?: number; permanent?: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.url = options.url
    this.status = options.status
    this.permanent = options.permanent ?? false
    this.retryAfterMs = options.retryAfterMs
  }
}

const CALLER = 'webhookSignals'
const DEFAULT_TIMEOUT_MS = 10_000
const BODY_PREFIX = 200

/** A 4xx says the request itself is wrong, except 408 (too slow) and 429 (too many), which a later try may pass. */
const isPermanentStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429

/** The answers whose `Retry-After` says when to come back: too many requests, and unavailable for a while. */
const RETRY_AFTER_STATUSES = new Set([429, 503])

/**
 * A `Retry-After` value as milliseconds from `now`: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, 0 when past). Undefined when absent or unreadable.
 */
function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  // Date.parse also reads strings that are no HTTP-date (`1.5`, `2026`); an HTTP-date names GMT.
  const at = value.endsWith(' GMT') ? Date.parse(value) : Number.NaN
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}

/** The URL to POST to, or the rule `value` breaks. */
function parseTarget(value: string | URL): { url: URL } | { rule: string; cause?: unknown } {
  let url: URL
  try {
    url = new URL(value)
  } catch (error) {
    return { rule: `must be an absolute http(s) URL (got ${JSON.stringify(String(value))})`, cause: error }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { rule: `must use http or https (got ${url.protocol})` }
  return { url }
}

// Query strings and credentials often carry tokens; they must not end up in the outbox's last_error.
const redacted = (url: URL) => `${url.origin}${url.pathname}`

/** The first characters of a body, whitespace collapsed, so an error can say what the receiver answered. */
async function bodyPrefix(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    // Read a little more than needed, but never a whole large body.
    while (size < BODY_PREFIX * 4) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } catch {
    // A body cut short (e.g. by the timeout) still leaves the status to report.
  } finally {
    reader.cancel().catch(() => undefined)
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim()
  return text.length > BODY_PREFIX ? `${text.slice(0, BODY_PREFIX)}…` : text
}

function failureText(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`
  // fetch reports network errors as `TypeError: fetch failed`; the cause says which (e.g. ECONNREFUSED).
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) return `failed: ${cause.message}`
  return `failed: ${error instanceof Error ? error.message : String(error)}`
}

/**
 * Delivers signals as signed HTTP POSTs following the Standard Webhooks specification: the body is
 * the signal as JSON; `webhook-id` is its `idempotency_key` (the same on every retry), and
 * `webhook-signature` signs id, timestamp and body. A non-2xx answer, a timeout or a network error
 * throws, and the outbox retries; a 4xx other than 408 and 429 throws a `permanent` error, and the
 * outbox dead-letters the signal at once. A 429 or 503 with a `Retry-After` header makes the outbox
 * wait as long as it asks, up to `delivery.maxMs`.
 *
 * @example
 * import { createInteractions } from '@hitl/interactions'
 * import { webhookSignals } from '@hitl/interactions/webhook'
 *
 * const interactions = createInteractions({
 *   signals: webhookSignals({ url: 'https://engine.example.com/hitl/signals', secret: process.env.HITL_WEBHOOK_SECRET!, timeoutMs: 5_000 }),
 * })
 */
export function webhookSignals(options: WebhookSignalsOptions): SignalDelivery & { name: 'webhook' } {
  const keys = webhookKeys(options.secret, CALLER)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw configurationError(CALLER, ['timeoutMs'], `must be a number of milliseconds above 0 (got ${timeoutMs})`)
  }
  for (const name of ['fetch', 'clock', 'urlFor'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw configurationError(CALLER, [name], 'must be a function')
  }
  const send = options.fetch ?? globalThis.fetch
  const clock = options.clock ?? (() => new Date())
  const { urlFor } = options
  const fixedUrl = options.url === undefined ? undefined : fixedTarget(options.url)
  if (!fixedUrl && typeof urlFor !== 'function') throw configurationError(CALLER, ['url'], 'is required, or a `urlFor(signal)` function')
  const extraHeaders = headersOf(options.headers)

  return {
    name: 'webhook',
    timeoutMs,
    async deliver(signal) {
      const url = fixedUrl ?? (await resolveUrl(urlFor!, signal))
      const body = JSON.stringify(signal)
      const id = signal.idempotency_key
      const timestamp = Math.floor(clock().getTime() / 1000)
      // Set, not merged from an object literal, so a caller's `Content-Type` cannot sit next to ours.
      const headers = new Headers(extraHeaders)
      headers.set('content-type', 'application/json')
      headers.set('webhook-id', id)
      headers.set('webhook-timestamp', String(timestamp))
      headers.set('webhook-signature', signatureHeader(keys, id, timestamp, body))

      let response: Response
      try {
        // Redirects are failures, as the specification advises: the sender should fix the URL instead.
        response = await send(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      } catch (error) {
        throw new WebhookDeliveryError(`POST ${redacted(url)} ${failureText(error, timeoutMs)}`, { url: redacted(url), cause: error })
      }
      if (response.ok) {
        await response.body?.cancel().catch(() => undefined)
        return
      }
      const permanent = isPermanentStatus(response.status)
      const wait = RETRY_AFTER_STATUSES.has(response.status) ? retryAfterMs(response.headers.get('retry-after'), clock()) : undefined
      const answer = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
      const note = permanent ? ' (permanent, not retried)' : wait === undefined ? '' : ` (retry after ${Math.ceil(wait / 1000)} s)`
      const text = await bodyPrefix(response)
      throw new WebhookDeliveryError(`POST ${redacted(url)} answered ${answer}${note}${text ? `: ${text}` : ''}`, {
        url: redacted(url),
        status: response.status,
        permanent,
        retryAfterMs: wait,
      })
    },
  }
}

function fixedTarget(value: string | URL): URL {
  const target = parseTarget(value)
  if ('rule' in target) throw configurationError(CALLER, ['url'], target.rule, { cause: target.cause })
  return target.url
}

// Built once, so a malformed extra header fails when the adapter is created rather than on every delivery.
function headersOf(headers: Record<string, string> | undefined): Headers {
  const built = new Headers()
  for (const [name, value] of Object.entries(headers ?? {})) {
    try {
      built.set(name, value)
    } catch (error) {
      // The value may be a credential, such as an authorization token: name the header, never echo its value.
      throw configurationError(CALLER, ['headers', name], 'must be a valid HTTP header name with a valid value', { cause: error })
    }
  }
  return built
}

async function resolveUrl(urlFor: (signal: Signal) => string | URL | Promise<string | URL>, signal: Signal): Promise<URL> {
  const value = await urlFor(signal)
  const target = parseTarget(value)
  if ('url' in target) return target.url
  // The same signal would get the same bad URL again: dead-letter it until the host fixes urlFor.
  throw new WebhookDeliveryError(`urlFor returned an unusable URL for signal ${signal.idempotency_key}: it ${target.rule}`, {
    url: String(value),
    permanent: true,
    cause: target.cause,
  })
}
