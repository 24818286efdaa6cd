import { isInteractionError, type ValidationIssue } from '@hitl/interactions'
import { signWebhook, verifyWebhook, webhookSignals, type WebhookSecret, type WebhookSignalsOptions } from '@hitl/interactions/webhook'
import { describe, expect, it } from 'vitest'

// A host's mistake in setting up the webhook entry is a `configuration` error naming the option,
// raised when the adapter is created or the function called, and never echoing a secret.

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const url = 'https://engine.example.com/hitl/signals'

/** The code, message and issues of what `run` throws. */
function thrown(run: () => unknown): { code: string; message: string; issues: readonly ValidationIssue[] } {
  try {
    run()
  } catch (error) {
    if (isInteractionError(error)) return { code: error.code, message: error.message, issues: error.issues }
    throw error
  }
  throw new Error('nothing was thrown')
}

const configuration = (path: (string | number)[], message: string) => ({ code: 'configuration', issues: [{ path, message }] })
const adapter = (options: Partial<WebhookSignalsOptions>) => () => webhookSignals({ url, secret, ...options } as WebhookSignalsOptions)

describe('webhook configuration errors', () => {
  it('webhookSignals — an unusable secret names the option, and its index in a list, without echoing it', () => {
    const notBase64 = 'whsec_not base64, hunter2'
    const error = thrown(adapter({ secret: notBase64 }))
    const rule = 'must continue after "whsec_" with the base64 of the key (the 19 characters after it are not valid base64)'
    expect(error).toMatchObject(configuration(['secret'], rule))
    expect(error.message).not.toContain('hunter2')
    expect(thrown(adapter({ secret: '' }))).toMatchObject(configuration(['secret'], 'must not be empty'))
    expect(thrown(adapter({ secret: new Uint8Array() }))).toMatchObject(configuration(['secret'], 'must not be empty'))
    expect(thrown(adapter({ secret: [] }))).toMatchObject(configuration(['secret'], 'must hold at least one webhook secret'))
    expect(thrown(adapter({ secret: [secret, ''] }))).toMatchObject(configuration(['secret', 1], 'must not be empty'))
    const notASecret = null as unknown as WebhookSecret
    expect(thrown(adapter({ secret: notASecret }))).toMatchObject(configuration(['secret'], 'must be a string or a Uint8Array (got null)'))
  })

  it('webhookSignals — a timeoutMs that is not a positive number', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const rule = `must be a number of milliseconds above 0 (got ${timeoutMs})`
      expect(thrown(adapter({ timeoutMs }))).toMatchObject(configuration(['timeoutMs'], rule))
    }
  })

  it('webhookSignals — a url that is not absolute http(s), or neither url nor urlFor', () => {
    const relative = thrown(adapter({ url: 'engine/hitl' }))
    expect(relative).toMatchObject(configuration(['url'], 'must be an absolute http(s) URL (got "engine/hitl")'))
    expect(thrown(adapter({ url: 'ftp://engine.example.com/' }))).toMatchObject(configuration(['url'], 'must use http or https (got ftp:)'))
    const error = thrown(() => webhookSignals({ secret } as WebhookSignalsOptions))
    expect(error).toMatchObject(configuration(['url'], 'is required, or a `urlFor(signal)` function'))
    expect(error.message).toBe('webhookSignals: url is required, or a `urlFor(signal)` function')
  })

  it('webhookSignals — urlFor, fetch and clock must be functions when given', () => {
    const notAFunction = 'https://engine.example.com/' as never
    expect(thrown(() => webhookSignals({ urlFor: notAFunction, secret }))).toMatchObject(configuration(['urlFor'], 'must be a function'))
    expect(thrown(adapter({ fetch: notAFunction }))).toMatchObject(configuration(['fetch'], 'must be a function'))
    expect(thrown(adapter({ clock: notAFunction }))).toMatchObject(configuration(['clock'], 'must be a function'))
  })

  it('webhookSignals — a malformed extra header names the header and never echoes its value', () => {
    const rule = 'must be a valid HTTP header name with a valid value'
    expect(thrown(adapter({ headers: { 'bad name': 'x' } }))).toMatchObject(configuration(['headers', 'bad name'], rule))
    const error = thrown(adapter({ headers: { authorization: 'Bearer tok3n\nx-injected: 1' } }))
    expect(error).toMatchObject(configuration(['headers', 'authorization'], rule))
    expect(error.message).not.toContain('tok3n')
  })

  it('verifyWebhook — an unusable secret or a negative toleranceSeconds is the receiver’s configuration error', () => {
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,x' }
    const error = thrown(() => verifyWebhook(headers, '{}', ''))
    expect(error).toMatchObject(configuration(['secret'], 'must not be empty'))
    expect(error.message).toBe('verifyWebhook: secret must not be empty')
    expect(thrown(() => verifyWebhook(headers, '{}', secret, { toleranceSeconds: -1 }))).toMatchObject(
      configuration(['toleranceSeconds'], 'must be a number of seconds, 0 or more (got -1)'),
    )
  })

  it('signWebhook — an unusable secret is a configuration error; a timestamp that is not unix seconds is bad input', () => {
    expect(thrown(() => signWebhook({ id: 'msg_1', timestamp: 1614265330, body: '{}', secret: [] }))).toMatchObject(
      configuration(['secret'], 'must hold at least one webhook secret'),
    )
    expect(thrown(() => signWebhook({ id: 'msg_1', timestamp: 1.5, body: '{}', secret }))).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: ['timestamp'], message: 'must be whole unix seconds (got 1.5)' }],
    })
  })
})
