import { Buffer } from 'node:buffer'
import { createHmac, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInteractions, fallbackOf, memoryStore, type Signal } from '@hitl/interactions'
import {
  isWebhookVerificationError,
  signWebhook,
  verifyWebhook,
  webhookSignals,
  WebhookDeliveryError,
  WebhookVerificationError,
  type WebhookSecret,
  type WebhookVerificationReason,
} from '@hitl/interactions/webhook'
import { afterEach, describe, expect, it } from 'vitest'
import { alice, deployGate as canonicalGate } from '../support/harness.js'

// --- a real receiver on 127.0.0.1 ---------------------------------------------------------------

interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

interface Reply {
  status: number
  body?: string
  headers?: Record<string, string>
  /** Wait this long before answering, to play a slow receiver. */
  delayMs?: number
}

const open: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()))
})

/** Starts a node:http server that records every request and answers with `replies` in order, then 200. */
async function receiver(replies: Reply[] = []) {
  const requests: Received[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const reply = replies.shift() ?? { status: 200, body: 'ok' }
      const answer = () => {
        res.writeHead(reply.status, reply.headers)
        res.end(reply.body)
      }
      if (!reply.delayMs) return answer()
      const timer = setTimeout(() => {
        timers.delete(timer)
        answer()
      }, reply.delayMs)
      timers.add(timer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = async () => {
    timers.forEach(clearTimeout)
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  open.push(close)
  return { url: `http://127.0.0.1:${port}`, requests, replies }
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

// --- fixtures ------------------------------------------------------------------------------------

const secret = `whsec_${randomBytes(32).toString('base64')}`
const T0 = new Date('2026-04-21T09:00:00.000Z')
const T0_SECONDS = T0.getTime() / 1000

const signal: Signal = {
  interaction_id: 'iact_test1',
  project: 'acme',
  run_id: 'run_01abc',
  topic: 'deploy-gate',
  status: 'completed',
  responses: [{ actor: alice, value: { confirmed: true }, responded_at: '2026-04-21T09:00:00.000Z' }],
  idempotency_key: 'iact_test1:completed',
}

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now = new Date(now.getTime() + ms)) }
}

// Without expires_at: these tests move the clock freely.
const deployGate = { ...canonicalGate, expires_at: undefined }

/** Runs `fn` and returns what it throws, failing if it does not. */
async function thrown<T = unknown>(fn: () => unknown): Promise<T> {
  try {
    await fn()
  } catch (error) {
    return error as T
  }
  throw new Error('expected a throw, but the call succeeded')
}

function expectRejected(fn: () => unknown, reason: WebhookVerificationReason) {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect(isWebhookVerificationError(error, reason), `${(error as Error).message}`).toBe(true)
    return error as WebhookVerificationError
  }
  throw new Error(`expected verifyWebhook to reject with ${reason}, but it accepted`)
}

/** Delivers `signal` through a real receiver and returns what arrived, to verify or tamper with. */
async function capturedDelivery(options: { sendWith?: WebhookSecret | readonly WebhookSecret[] } = {}) {
  const target = await receiver()
  await webhookSignals({ url: `${target.url}/hook`, secret: options.sendWith ?? secret, clock: () => T0 }).deliver(signal)
  const request = target.requests[0]!
  return { headers: request.headers, body: request.body }
}

// --- signing -------------------------------------------------------------------------------------

describe('signWebhook — Standard Webhooks test vector', () => {
  // Published by the specification (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts).
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  }

  it('signWebhook — reproduces the published signature from a whsec_ secret', () => {
    expect(signWebhook(vector)).toBe(vector.signature)
  })

  it('signWebhook — the same key passed as bytes signs the same', () => {
    const key = new Uint8Array(Buffer.from(vector.secret.slice('whsec_'.length), 'base64'))
    expect(signWebhook({ ...vector, secret: key })).toBe(vector.signature)
  })

  it('verifyWebhook — accepts the published signature (and then refuses the body, which is not a signal)', () => {
    const headers = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature }
    const now = new Date(vector.timestamp * 1000)
    // invalid_payload is checked only after the signature matched.
    expectRejected(() => verifyWebhook(headers, vector.body, vector.secret, { now }), 'invalid_payload')
    expectRejected(() => verifyWebhook(headers, `${vector.body} `, vector.secret, { now }), 'invalid_signature')
  })

  it('signWebhook — a string without whsec_ is used as raw UTF-8 key bytes', () => {
    const raw = 'a shared secret, not base64'
    const independent = createHmac('sha256', Buffer.from(raw, 'utf8')).update(`msg_1.${T0_SECONDS}.{}`).digest('base64')
    expect(signWebhook({ id: 'msg_1', timestamp: T0_SECONDS, body: '{}', secret: raw })).toBe(`v1,${independent}`)
    // The same key in the interoperable form.
    const prefixed = `whsec_${Buffer.from(raw, 'utf8').toString('base64')}`
    expect(signWebhook({ id: 'msg_1', timestamp: T0_SECONDS, body: '{}', secret: prefixed })).toBe(`v1,${independent}`)
  })

  it('signWebhook — several secrets give space-separated signatures, in the order given', () => {
    const other = `whsec_${randomBytes(32).toString('base64')}`
    const both = signWebhook({ ...vector, secret: [vector.secret, other] })
    expect(both.split(' ')).toEqual([vector.signature, signWebhook({ ...vector, secret: other })])
  })

  it('signWebhook — refuses unusable secrets without echoing them', () => {
    expect(() => signWebhook({ ...vector, secret: 'whsec_not base64!' })).toThrow(/base64/)
    expect(() => signWebhook({ ...vector, secret: 'whsec_not base64!' })).not.toThrow(/not base64!/)
    expect(() => signWebhook({ ...vector, secret: '' })).toThrow(/empty/)
    expect(() => signWebhook({ ...vector, secret: [] })).toThrow(/at least one/)
    expect(() => webhookSignals({ url: 'http://127.0.0.1:9/', secret: 'whsec_%%%' })).toThrow(
      expect.objectContaining({ code: 'configuration' }),
    )
  })
})

// --- delivery to a real receiver -----------------------------------------------------------------

describe('webhookSignals — a real node:http receiver', () => {
  it('deliver — POSTs the signal as JSON with the Standard Webhooks headers, and the receiver verifies it', async () => {
    const target = await receiver()
    const signals = webhookSignals({ url: `${target.url}/hitl/signals`, secret, clock: () => T0 })
    expect(signals.name).toBe('webhook')

    await signals.deliver(signal)

    expect(target.requests).toHaveLength(1)
    const request = target.requests[0]!
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/hitl/signals')
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers['webhook-id']).toBe(signal.idempotency_key)
    expect(request.headers['webhook-timestamp']).toBe(String(T0_SECONDS))
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(request.body).toBe(JSON.stringify(signal))
    expect(verifyWebhook(request.headers, request.body, secret, { now: T0 })).toEqual(signal)
  })

  it('verifyWebhook — takes a Headers instance or mixed-case names, and a Buffer body', async () => {
    const { headers, body } = await capturedDelivery()
    const mixedCase = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'Webhook-Signature': headers['webhook-signature'],
    }
    const asHeaders = new Headers(mixedCase as Record<string, string>)
    expect(verifyWebhook(asHeaders, body, secret, { now: T0 })).toEqual(signal)
    expect(verifyWebhook(mixedCase, Buffer.from(body), secret, { now: T0 })).toEqual(signal)
  })

  it('deliver — sends extra headers, which cannot replace content-type or the webhook headers', async () => {
    const target = await receiver()
    const headers = { Authorization: 'Bearer t0k3n', 'Content-Type': 'text/plain', 'Webhook-Id': 'forged' }
    await webhookSignals({ url: target.url, secret, headers, clock: () => T0 }).deliver(signal)
    const request = target.requests[0]!
    expect(request.headers.authorization).toBe('Bearer t0k3n')
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers['webhook-id']).toBe(signal.idempotency_key)
  })

  it('deliver — urlFor picks the target for each signal', async () => {
    const target = await receiver()
    const signals = webhookSignals({ urlFor: async (s) => `${target.url}/projects/${s.project}/runs/${s.run_id}`, secret })
    await signals.deliver(signal)
    expect(target.requests[0]!.url).toBe('/projects/acme/runs/run_01abc')
  })

  it('deliver — a receiver slower than timeoutMs fails with a retryable timeout error', async () => {
    const target = await receiver([{ status: 200, delayMs: 2_000 }])
    const error = await thrown<WebhookDeliveryError>(() =>
      webhookSignals({ url: `${target.url}/slow`, secret, timeoutMs: 200 }).deliver(signal),
    )
    expect(error).toBeInstanceOf(WebhookDeliveryError)
    expect(error.permanent).toBe(false)
    expect(error.message).toBe(`POST ${target.url}/slow timed out after 200 ms`)
  })

  it('deliver — a 4xx other than 408 and 429 is permanent; 408, 429, 3xx and 5xx are retryable', async () => {
    const permanent = [400, 401, 403, 404, 410, 422]
    const retryable = [302, 408, 429, 500, 502, 503]
    const target = await receiver([...permanent, ...retryable].map((status) => ({ status, headers: { location: '/elsewhere' } })))
    const signals = webhookSignals({ url: `${target.url}/hook`, secret })
    for (const status of [...permanent, ...retryable]) {
      const error = await thrown<WebhookDeliveryError>(() => signals.deliver(signal))
      expect(error, `status ${status}`).toMatchObject({ name: 'WebhookDeliveryError', status, permanent: permanent.includes(status) })
      expect(error.message).toContain(`answered ${status}`)
    }
    // The 302 was a failure, not a redirect to follow.
    expect(target.requests.map((r) => r.url)).not.toContain('/elsewhere')
  })

  it('deliver — the error names the status, the url without its query, and the start of the response body', async () => {
    const target = await receiver([{ status: 400, body: `missing field "run"\n${'x'.repeat(1_000)}` }])
    const error = await thrown<WebhookDeliveryError>(() =>
      webhookSignals({ url: `${target.url}/hook?token=s3cret`, secret }).deliver(signal),
    )
    expect(error.message).toMatch(
      new RegExp(`^POST ${target.url}/hook answered 400 Bad Request \\(permanent, not retried\\): missing field "run" x+…$`),
    )
    expect(error.message).not.toContain('s3cret')
    expect(error.message.length).toBeLessThan(300)
    expect(error.url).toBe(`${target.url}/hook`)
  })

  it('deliver — a refused connection is a retryable error that names the url', async () => {
    const port = await closedPort()
    const error = await thrown<WebhookDeliveryError>(() => webhookSignals({ url: `http://127.0.0.1:${port}/hook`, secret }).deliver(signal))
    expect(error).toMatchObject({ name: 'WebhookDeliveryError', permanent: false, status: undefined })
    expect(error.message).toMatch(new RegExp(`^POST http://127.0.0.1:${port}/hook failed: .*ECONNREFUSED`))
  })

  it('deliver — a 429 or 503 carries the wait its Retry-After asks for, in seconds or as an HTTP-date', async () => {
    const inSeconds = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toUTCString()
    const cases: { status: number; retryAfter: string; ms: number | undefined }[] = [
      { status: 429, retryAfter: '120', ms: 120_000 },
      { status: 503, retryAfter: ' 0 ', ms: 0 },
      { status: 503, retryAfter: inSeconds(90), ms: 90_000 },
      { status: 429, retryAfter: inSeconds(-30), ms: 0 },
      // Unreadable, or on an answer whose Retry-After is not about waiting: the outbox's backoff decides.
      { status: 429, retryAfter: '1.5', ms: undefined },
      { status: 429, retryAfter: '-5', ms: undefined },
      { status: 429, retryAfter: '2026-10-21', ms: undefined },
      { status: 503, retryAfter: 'soon', ms: undefined },
      { status: 500, retryAfter: '120', ms: undefined },
      { status: 408, retryAfter: '120', ms: undefined },
    ]
    const target = await receiver(cases.map(({ status, retryAfter }) => ({ status, headers: { 'retry-after': retryAfter } })))
    const signals = webhookSignals({ url: `${target.url}/hook`, secret, clock: () => T0 })
    for (const { status, retryAfter, ms } of cases) {
      const error = await thrown<WebhookDeliveryError>(() => signals.deliver(signal))
      expect(error.retryAfterMs, `${status} with Retry-After: ${retryAfter}`).toBe(ms)
      expect(error.permanent).toBe(false)
    }
    const bodiless = await receiver([{ status: 503, headers: { 'retry-after': '30' } }])
    const error = await thrown<WebhookDeliveryError>(() => webhookSignals({ url: bodiless.url, secret }).deliver(signal))
    expect(error.message).toBe(`POST ${bodiless.url}/ answered 503 Service Unavailable (retry after 30 s)`)
    const noHeader = await receiver([{ status: 429 }])
    const unasked = await thrown<WebhookDeliveryError>(() => webhookSignals({ url: noHeader.url, secret }).deliver(signal))
    expect(unasked.retryAfterMs).toBeUndefined()
  })

  it('deliver — the error of a 429 says how long the receiver asked to wait', async () => {
    const target = await receiver([{ status: 429, body: 'slow down', headers: { 'retry-after': '90' } }])
    const error = await thrown<WebhookDeliveryError>(() => webhookSignals({ url: `${target.url}/hook`, secret }).deliver(signal))
    expect(error.message).toBe(`POST ${target.url}/hook answered 429 Too Many Requests (retry after 90 s): slow down`)
  })

  it('webhookSignals — declares its timeoutMs, so the service can check the lease against it', () => {
    expect(webhookSignals({ url: 'https://engine.example.com/hook', secret }).timeoutMs).toBe(10_000)
    expect(webhookSignals({ url: 'https://engine.example.com/hook', secret, timeoutMs: 2_500 }).timeoutMs).toBe(2_500)
  })

  it('deliver — urlFor returning an unusable URL is permanent', async () => {
    const error = await thrown<WebhookDeliveryError>(() => webhookSignals({ urlFor: () => 'not a url', secret }).deliver(signal))
    expect(error).toMatchObject({ name: 'WebhookDeliveryError', permanent: true })
  })
})

// --- through the outbox --------------------------------------------------------------------------

describe('webhookSignals — through the outbox of createInteractions', () => {
  /** A service whose run-linked interactions resume through a webhook to `url`, on a clock the test moves. */
  function service(url: string, timeoutMs = 200) {
    const clock = manualClock()
    const store = memoryStore()
    const interactions = createInteractions({
      store,
      clock: clock.now,
      random: () => 0,
      signals: webhookSignals({ url, secret, timeoutMs, clock: clock.now }),
      delivery: { baseMs: 1_000, factor: 2, maxMs: 60_000, maxAttempts: 5 },
    })
    return { interactions, store, clock }
  }

  /** Creates the deploy gate and has Alice approve it, which dispatches the signal once, inline. */
  async function approve(interactions: ReturnType<typeof service>['interactions']) {
    const gate = await interactions.create('acme', deployGate)
    await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
    return gate
  }

  it('respond — a 500 is retried by deliverSignals with the same webhook-id, and then delivered', async () => {
    const target = await receiver([{ status: 500, body: 'database unavailable' }])
    const { interactions, store, clock } = service(`${target.url}/hook`)

    const gate = await approve(interactions)

    // The first attempt failed and is scheduled again.
    expect(target.requests).toHaveLength(1)
    expect(await store.outbox.list({ status: 'pending', limit: 10 })).toMatchObject([
      {
        id: `${gate.id}:completed`,
        attempts: 1,
        last_error: expect.stringContaining('answered 500 Internal Server Error: database unavailable'),
      },
    ])
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(60_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })

    expect(target.requests).toHaveLength(2)
    const [first, second] = target.requests
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id'])
    expect(first!.headers['webhook-id']).toBe(`${gate.id}:completed`)
    // Each attempt is signed afresh, with its own timestamp.
    expect(Number(second!.headers['webhook-timestamp'])).toBe(Number(first!.headers['webhook-timestamp']) + 60)
    const received = verifyWebhook(second!.headers, second!.body, secret, { now: clock.now() })
    expect(received).toMatchObject({ interaction_id: gate.id, run_id: 'run_01abc', topic: 'deploy-gate', status: 'completed' })
    expect(received.responses[0]).toMatchObject({ actor: alice, value: { confirmed: true } })
    expect(await interactions.failedSignals()).toEqual([])
  })

  it('respond — a receiver slower than timeoutMs fails the attempt, and a later pass delivers', async () => {
    const target = await receiver([{ status: 200, delayMs: 2_000 }])
    const { interactions, store, clock } = service(`${target.url}/hook`)

    const gate = await approve(interactions)

    expect(await store.outbox.list({ status: 'pending', limit: 10 })).toMatchObject([
      { id: `${gate.id}:completed`, attempts: 1, last_error: expect.stringContaining('timed out after 200 ms') },
    ])
    clock.advance(60_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(target.requests).toHaveLength(2)
  })

  it('respond — a 400 dead-letters the signal at once, listed by failedSignals with its error', async () => {
    const target = await receiver([{ status: 400, body: '{"error":"unknown run"}' }])
    const { interactions, clock } = service(`${target.url}/hook`)

    const gate = await approve(interactions)

    const failed = await interactions.failedSignals()
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ id: `${gate.id}:completed`, status: 'dead', attempts: 1 })
    // The operator's only clue to why a signal died: status, url and what the receiver said.
    expect(failed[0]!.last_error).toBe(
      `WebhookDeliveryError: POST ${target.url}/hook answered 400 Bad Request (permanent, not retried): {"error":"unknown run"}`,
    )
    clock.advance(60 * 60_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    expect(target.requests).toHaveLength(1)
  })

  it('respond — 408 and 429 are retried until the receiver accepts', async () => {
    const target = await receiver([{ status: 408 }, { status: 429, headers: { 'retry-after': '1' } }])
    const { interactions, clock } = service(`${target.url}/hook`)

    await approve(interactions)
    clock.advance(60_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 1, dead: 0 })
    clock.advance(60_000)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })

    expect(target.requests).toHaveLength(3)
    expect(new Set(target.requests.map((r) => r.headers['webhook-id'])).size).toBe(1)
  })

  it('respond — a 429 with Retry-After is tried again after the wait it asks, not the shorter backoff', async () => {
    const target = await receiver([{ status: 429, headers: { 'retry-after': '45' } }])
    const { interactions, store, clock } = service(`${target.url}/hook`)

    const gate = await approve(interactions)
    expect(await store.outbox.list({ status: 'pending', limit: 10 })).toMatchObject([
      {
        id: `${gate.id}:completed`,
        next_attempt_at: new Date(T0.getTime() + 45_000).toISOString(),
        last_error: expect.stringContaining('(retry after 45 s)'),
      },
    ])
    clock.advance(44_999)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
    clock.advance(1)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(target.requests).toHaveLength(2)
  })

  it('respond — a 503 asking for longer than delivery.maxMs is tried again after maxMs', async () => {
    const target = await receiver([{ status: 503, headers: { 'retry-after': new Date(T0.getTime() + 24 * 3_600_000).toUTCString() } }])
    const { interactions, store } = service(`${target.url}/hook`)

    await approve(interactions)
    // The service's maxMs is 60 s.
    const [entry] = await store.outbox.list({ status: 'pending', limit: 10 })
    expect(entry?.next_attempt_at).toBe(new Date(T0.getTime() + 60_000).toISOString())
  })

  it('expireDue — an expired gate with a default sends its fallback in the payload, and verifyWebhook returns it', async () => {
    const target = await receiver()
    const { interactions, clock } = service(`${target.url}/hook`)
    const request = { ...deployGate, spec: { mode: 'confirm', default_confirmed: false }, expires_at: '2026-04-21T10:00:00Z' } as const
    const gate = await interactions.create('acme', request)
    clock.advance(60 * 60_000)
    expect(await interactions.expireDue()).toEqual({ expired: 1 })

    expect(target.requests).toHaveLength(1)
    const received = verifyWebhook(target.requests[0]!.headers, target.requests[0]!.body, secret, { now: clock.now() })
    const fallback = { value: { confirmed: false }, source: 'spec_default' }
    expect(received).toMatchObject({ interaction_id: gate.id, status: 'expired', responses: [], fallback })
    expect(fallbackOf(received)).toBe(false)
  })
})

// --- verification failures -----------------------------------------------------------------------

describe('verifyWebhook — rejections', () => {
  it('verifyWebhook — rejects a tampered body', async () => {
    const { headers, body } = await capturedDelivery()
    const tampered = body.replace('"confirmed":true', '"confirmed":false')
    expect(tampered).not.toBe(body)
    expectRejected(() => verifyWebhook(headers, tampered, secret, { now: T0 }), 'invalid_signature')
  })

  it('verifyWebhook — rejects a tampered signature', async () => {
    const { headers, body } = await capturedDelivery()
    const signature = String(headers['webhook-signature'])
    const flipped = Buffer.from(signature.slice(3), 'base64')
    flipped[0] = flipped[0]! ^ 1
    for (const forged of [`v1,${flipped.toString('base64')}`, signature.slice(0, 20), 'v1,', `v2,${signature.slice(3)}`]) {
      expectRejected(() => verifyWebhook({ ...headers, 'webhook-signature': forged }, body, secret, { now: T0 }), 'invalid_signature')
    }
  })

  it('verifyWebhook — rejects a signature made with another secret', async () => {
    const { headers, body } = await capturedDelivery()
    expectRejected(() => verifyWebhook(headers, body, `whsec_${randomBytes(32).toString('base64')}`, { now: T0 }), 'invalid_signature')
  })

  it('verifyWebhook — rejects a replay outside the tolerance, and accepts one at its edge', async () => {
    const { headers, body } = await capturedDelivery()
    const later = (seconds: number) => new Date(T0.getTime() + seconds * 1_000)
    expect(verifyWebhook(headers, body, secret, { now: later(300) })).toEqual(signal)
    const error = expectRejected(() => verifyWebhook(headers, body, secret, { now: later(301) }), 'timestamp_out_of_tolerance')
    expect(error.message).toContain('301 s old')
    expectRejected(() => verifyWebhook(headers, body, secret, { now: later(61), toleranceSeconds: 60 }), 'timestamp_out_of_tolerance')
  })

  it('verifyWebhook — rejects a timestamp in the future beyond the tolerance', async () => {
    const { headers, body } = await capturedDelivery()
    const error = expectRejected(
      () => verifyWebhook(headers, body, secret, { now: new Date(T0.getTime() - 301_000) }),
      'timestamp_out_of_tolerance',
    )
    expect(error.message).toContain('301 s in the future')
  })

  it('verifyWebhook — rejects missing or unreadable headers', async () => {
    const { headers, body } = await capturedDelivery()
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _dropped, ...rest } = headers
      const error = expectRejected(() => verifyWebhook(rest, body, secret, { now: T0 }), 'missing_header')
      expect(error.message).toContain(name)
    }
    expectRejected(
      () => verifyWebhook({ ...headers, 'webhook-timestamp': `${T0_SECONDS}abc` }, body, secret, { now: T0 }),
      'missing_header',
    )
  })

  it('verifyWebhook — rejects a correctly signed body that is not a signal, or names another signal', () => {
    const send = (id: string, body: string) => {
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(T0_SECONDS),
        'webhook-signature': signWebhook({ id, timestamp: T0_SECONDS, body, secret }),
      }
      return () => verifyWebhook(headers, body, secret, { now: T0 })
    }
    expectRejected(send('msg_1', 'not json'), 'invalid_payload')
    const wrongShape = expectRejected(send('msg_1', JSON.stringify({ ...signal, status: 'pending' })), 'invalid_payload')
    expect(wrongShape.message).toContain('status')
    const otherId = expectRejected(send('iact_other:completed', JSON.stringify(signal)), 'invalid_payload')
    expect(otherId.message).toContain('does not match')
  })

  it('isWebhookVerificationError — recognises a copy that lost its prototype, by name and reason', async () => {
    const { headers, body } = await capturedDelivery()
    const error = expectRejected(() => verifyWebhook(headers, body, 'wrong', { now: T0 }), 'invalid_signature')
    const copy = { ...error, name: error.name, message: error.message }
    expect(isWebhookVerificationError(copy)).toBe(true)
    expect(isWebhookVerificationError(copy, 'invalid_payload')).toBe(false)
    expect(isWebhookVerificationError(new Error('x'))).toBe(false)
  })
})

// --- key rotation --------------------------------------------------------------------------------

describe('key rotation', () => {
  const oldSecret = `whsec_${randomBytes(32).toString('base64')}`
  const newSecret = `whsec_${randomBytes(32).toString('base64')}`
  const unrelated = `whsec_${randomBytes(32).toString('base64')}`

  it('webhookSignals — signed with new and old secrets, verifies for receivers holding either', async () => {
    const { headers, body } = await capturedDelivery({ sendWith: [newSecret, oldSecret] })
    expect(String(headers['webhook-signature']).split(' ')).toHaveLength(2)
    expect(verifyWebhook(headers, body, oldSecret, { now: T0 })).toEqual(signal)
    expect(verifyWebhook(headers, body, newSecret, { now: T0 })).toEqual(signal)
    expectRejected(() => verifyWebhook(headers, body, unrelated, { now: T0 }), 'invalid_signature')
  })

  it('verifyWebhook — a receiver holding new and old secrets accepts a sender still on either', async () => {
    for (const sendWith of [oldSecret, newSecret]) {
      const { headers, body } = await capturedDelivery({ sendWith })
      expect(verifyWebhook(headers, body, [newSecret, oldSecret], { now: T0 })).toEqual(signal)
      expect(verifyWebhook(headers, body, [unrelated, newSecret, oldSecret], { now: T0 })).toEqual(signal)
    }
  })

  it('verifyWebhook — reads signatures that Node joined with ", " from repeated header lines', async () => {
    const { headers, body } = await capturedDelivery({ sendWith: oldSecret })
    const other = signWebhook({ id: signal.idempotency_key, timestamp: T0_SECONDS, body, secret: unrelated })
    const joined = `${String(headers['webhook-signature'])}, ${other}`
    expect(verifyWebhook({ ...headers, 'webhook-signature': joined }, body, oldSecret, { now: T0 })).toEqual(signal)
  })
})
