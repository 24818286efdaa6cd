/**
 * The DBOS adapter's own logic, without a DBOS runtime: how send failures are classified, and how
 * `waitForInteraction` turns what `recv` returns into a typed outcome. The real runtime is in
 * test/integration/dbos.test.ts.
 */
import { isInteractionError, SignalSchema, type Signal } from '@hitl/interactions'
import { dbosSignals, DBOSDeliveryError, isNonExistentWorkflowError, waitForInteraction, type DBOSReceiver } from '@hitl/interactions/dbos'
import { describe, expect, it } from 'vitest'

const signal: Signal = {
  interaction_id: 'iact_1',
  project: 'acme',
  run_id: 'run_01abc',
  topic: 'deploy-gate',
  status: 'completed',
  responses: [{ actor: { type: 'member', id: 'user_alice' }, value: { confirmed: true }, responded_at: '2026-04-21T09:00:00.000Z' }],
  idempotency_key: 'iact_1:completed',
}

/** An error shaped like the SDK's `DBOSNonExistentWorkflowError`: code 16, and no `name` of its own. */
class DBOSNonExistentWorkflowError extends Error {
  readonly dbosErrorCode = 16
}

const failure = async (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error as DBOSDeliveryError,
  )

describe('dbosSignals', () => {
  it('deliver — sends the signal to its run id on its topic, with its idempotency key', async () => {
    const calls: unknown[][] = []
    await dbosSignals({ client: { send: async (...args) => void calls.push(args) } }).deliver(signal)
    expect(calls).toEqual([['run_01abc', signal, 'deploy-gate', 'iact_1:completed']])
  })

  it('deliver — a workflow that does not exist is a permanent failure naming the run', async () => {
    for (const refusal of [
      new DBOSNonExistentWorkflowError('Sent to non-existent destination workflow UUID: run_01abc'),
      Object.assign(new Error('x'), { dbosErrorCode: 16 }),
    ]) {
      const error = await failure(dbosSignals({ client: { send: () => Promise.reject(refusal) } }).deliver(signal))
      expect(error).toBeInstanceOf(DBOSDeliveryError)
      expect(error).toMatchObject({ name: 'DBOSDeliveryError', permanent: true, runId: 'run_01abc', cause: refusal })
      expect(error.message).toMatch(/DBOS workflow run_01abc \(topic deploy-gate\) does not exist.*retrySignal\('iact_1:completed'\)/)
    }
  })

  it('deliver — any other failure is retryable and keeps its cause', async () => {
    const cause = Object.assign(new Error('Connection terminated unexpectedly'), { dbosErrorCode: 1 })
    const error = await failure(dbosSignals({ client: { send: () => Promise.reject(cause) } }).deliver(signal))
    expect(error).toMatchObject({ permanent: false, runId: 'run_01abc', cause })
    expect(error.message).toBe(
      'sending the signal to DBOS workflow run_01abc (topic deploy-gate) failed: Connection terminated unexpectedly',
    )
  })

  it('dbosSignals — a client without send, a bad inTransaction, or inTransaction without sendInTransaction is a configuration error', () => {
    const refusal = (options: unknown) => {
      try {
        dbosSignals(options as never)
      } catch (error) {
        return error
      }
      return undefined
    }
    const send = async () => undefined
    for (const [options, path, message] of [
      [{}, 'client', /needs a `client` with send/],
      [undefined, 'client', /needs a `client` with send/],
      [{ client: { send: 'no' } }, 'client', /needs a `client` with send/],
      [{ client: { send }, inTransaction: 'yes' }, 'inTransaction', /inTransaction must be true or false/],
      [{ client: { send }, inTransaction: true }, 'client', /inTransaction needs a DBOSClient.*sendInTransaction/],
    ] as const) {
      const error = refusal(options)
      expect(isInteractionError(error, 'configuration'), JSON.stringify(options)).toBe(true)
      expect(error).toMatchObject({ message: expect.stringMatching(message), issues: [{ path: [path] }] })
    }
  })

  it('isNonExistentWorkflowError — by code or class name, never by message', () => {
    expect(isNonExistentWorkflowError(new DBOSNonExistentWorkflowError('…'))).toBe(true)
    expect(isNonExistentWorkflowError({ dbosErrorCode: 16 })).toBe(true)
    expect(isNonExistentWorkflowError(new Error('Sent to non-existent destination workflow UUID: x'))).toBe(false)
    expect(isNonExistentWorkflowError(null)).toBe(false)
  })
})

describe('dbosSignals with inTransaction', () => {
  const connection = { query: async () => ({}) }

  it('deliverInTransaction — sends on the transaction given, with sendInTransaction, and classifies failures as deliver does', async () => {
    const calls: unknown[][] = []
    const client = {
      send: async () => void calls.push(['send']),
      // A method that reads `this`, as DBOSClient's does.
      sendInTransaction(this: { calls: unknown[][] }, ...args: unknown[]) {
        this.calls.push(args)
        return Promise.resolve()
      },
      calls,
    }
    const signals = dbosSignals({ client, inTransaction: true })
    await signals.deliverInTransaction!(signal, connection)
    expect(calls).toEqual([[connection, 'run_01abc', signal, 'deploy-gate', 'iact_1:completed']])
    const refusing = dbosSignals({
      client: { send: async () => undefined, sendInTransaction: () => Promise.reject(new DBOSNonExistentWorkflowError('…')) },
      inTransaction: true,
    })
    expect(await failure(refusing.deliverInTransaction!(signal, connection))).toMatchObject({ permanent: true, runId: 'run_01abc' })
  })

  it('deliverInTransaction — only with inTransaction: true; a transaction that is no connection is a configuration error', async () => {
    const client = { send: async () => undefined, sendInTransaction: async () => undefined }
    expect(dbosSignals({ client })).not.toHaveProperty('deliverInTransaction')
    expect(dbosSignals({ client, inTransaction: false })).not.toHaveProperty('deliverInTransaction')
    const error = await dbosSignals({ client, inTransaction: true }).deliverInTransaction!(signal, {}).catch((e: unknown) => e)
    expect(isInteractionError(error, 'configuration')).toBe(true)
  })
})

describe('waitForInteraction', () => {
  /** A stand-in for the DBOS class whose `recv` returns `message` and records its arguments. */
  const fakeDBOS = (message: unknown) => {
    const calls: unknown[][] = []
    const dbos: DBOSReceiver = { recv: async (...args) => (calls.push(args), message) }
    return { dbos, calls }
  }

  it('waitForInteraction — a completed signal, validated, with recv called on the topic and timeout', async () => {
    const { dbos, calls } = fakeDBOS(structuredClone(signal))
    expect(await waitForInteraction('deploy-gate', { timeoutSeconds: 3_600, dbos })).toEqual({ status: 'completed', signal })
    expect(calls).toEqual([['deploy-gate', 3_600]])
  })

  it('waitForInteraction — an expired signal', async () => {
    const expired = { ...signal, status: 'expired', responses: [], idempotency_key: 'iact_1:expired' }
    expect(await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(expired).dbos })).toEqual({
      status: 'expired',
      signal: expired,
    })
  })

  it('waitForInteraction — an expired signal with a fallback keeps it, validated', async () => {
    const fallback = { value: { confirmed: false }, source: 'spec_default' } as const
    const expired = { ...signal, status: 'expired', responses: [], fallback, idempotency_key: 'iact_1:expired' }
    const received = await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(expired).dbos })
    expect(received).toEqual({ status: 'expired', signal: expired })
    const unsourced = { ...expired, fallback: { value: { confirmed: false } } }
    const error = await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(unsourced).dbos }).catch((e: unknown) => e)
    expect(isInteractionError(error, 'validation_failed')).toBe(true)
    expect((error as Error).message).toMatch(/fallback\.source/)
  })

  it('waitForInteraction — no message before the timeout is a typed result, not an error', async () => {
    expect(await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(null).dbos })).toEqual({ status: 'timed_out' })
  })

  it('waitForInteraction — a message that is not a signal is refused with validation_failed, naming the topic and field', async () => {
    const error = await waitForInteraction('deploy-gate', {
      timeoutSeconds: 1,
      dbos: fakeDBOS({ ...signal, status: 'approved' }).dbos,
    }).catch((e: unknown) => e)
    expect(isInteractionError(error, 'validation_failed')).toBe(true)
    expect((error as Error).message).toMatch(/signal received on topic "deploy-gate".*status/)
  })

  it('waitForInteraction — every status a signal may carry is reported as itself, never as another', async () => {
    for (const status of SignalSchema.shape.status.options) {
      const ended = { ...signal, status, idempotency_key: `iact_1:${status}` }
      expect(await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(ended).dbos })).toEqual({ status, signal: ended })
    }
  })

  it('waitForInteraction — a missing topic or timeout is a configuration error naming it, before waiting', async () => {
    const { dbos, calls } = fakeDBOS(null)
    const refused = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      )
    for (const [call, path] of [
      [waitForInteraction('', { timeoutSeconds: 1, dbos }), 'topic'],
      [waitForInteraction('deploy-gate', { dbos } as never), 'timeoutSeconds'],
      [waitForInteraction('deploy-gate', { timeoutSeconds: Number.NaN, dbos }), 'timeoutSeconds'],
    ] as const) {
      const error = await refused(call)
      expect(isInteractionError(error, 'configuration')).toBe(true)
      expect(error).toMatchObject({ issues: [{ path: [path] }] })
    }
    expect(calls).toEqual([])
  })
})
