/**
 * The DBOS adapter's own logic, without a DBOS runtime: how send failures are classified, and how
 * `waitForInteraction` turns what `recv` returns into a typed outcome. The real runtime is in
 * test/integration/dbos.test.ts.
 */
import { isInteractionError, type OutboxEntry, type Signal } from '@hitl/interactions'
import { dbosSendInTransaction, dbosSignals, DBOSDeliveryError, isNonExistentWorkflowError, waitForInteraction, type DBOSReceiver } from '@hitl/interactions/dbos'
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

const failure = async (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a rejection') }, (error: unknown) => error as DBOSDeliveryError)

describe('dbosSignals', () => {
  it('deliver — sends the signal to its run id on its topic, with its idempotency key', async () => {
    const calls: unknown[][] = []
    await dbosSignals({ client: { send: async (...args) => void calls.push(args) } }).deliver(signal)
    expect(calls).toEqual([['run_01abc', signal, 'deploy-gate', 'iact_1:completed']])
  })

  it('deliver — a workflow that does not exist is a permanent failure naming the run', async () => {
    for (const refusal of [new DBOSNonExistentWorkflowError('Sent to non-existent destination workflow UUID: run_01abc'), Object.assign(new Error('x'), { dbosErrorCode: 16 })]) {
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
    expect(error.message).toBe('sending the signal to DBOS workflow run_01abc (topic deploy-gate) failed: Connection terminated unexpectedly')
  })

  it('dbosSignals — a missing client is a clear error', () => {
    expect(() => dbosSignals({} as never)).toThrow(/needs a `client`/)
    expect(() => dbosSendInTransaction({} as never)).toThrow(/needs a DBOSClient/)
  })

  it('isNonExistentWorkflowError — by code or class name, never by message', () => {
    expect(isNonExistentWorkflowError(new DBOSNonExistentWorkflowError('…'))).toBe(true)
    expect(isNonExistentWorkflowError({ dbosErrorCode: 16 })).toBe(true)
    expect(isNonExistentWorkflowError(new Error('Sent to non-existent destination workflow UUID: x'))).toBe(false)
    expect(isNonExistentWorkflowError(null)).toBe(false)
  })
})

describe('dbosSendInTransaction', () => {
  it('sends on the given connection, and classifies failures as deliver does', async () => {
    const connection = { query: async () => ({}) }
    const calls: unknown[][] = []
    const entry = { id: signal.idempotency_key, signal } as OutboxEntry
    await dbosSendInTransaction({ sendInTransaction: async (...args) => void calls.push(args) })(connection, entry)
    expect(calls).toEqual([[connection, 'run_01abc', signal, 'deploy-gate', 'iact_1:completed']])
    const error = await failure(dbosSendInTransaction({ sendInTransaction: () => Promise.reject(new DBOSNonExistentWorkflowError('…')) })(connection, entry))
    expect(error).toMatchObject({ permanent: true, runId: 'run_01abc' })
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
    expect(await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(expired).dbos })).toEqual({ status: 'expired', signal: expired })
  })

  it('waitForInteraction — no message before the timeout is a typed result, not an error', async () => {
    expect(await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS(null).dbos })).toEqual({ status: 'timed_out' })
  })

  it('waitForInteraction — a message that is not a signal is refused with validation_failed, naming the topic and field', async () => {
    const error = await waitForInteraction('deploy-gate', { timeoutSeconds: 1, dbos: fakeDBOS({ ...signal, status: 'approved' }).dbos }).catch((e: unknown) => e)
    expect(isInteractionError(error, 'validation_failed')).toBe(true)
    expect((error as Error).message).toMatch(/signal received on topic "deploy-gate".*status/)
  })

  it('waitForInteraction — a missing topic or timeout is refused before waiting', async () => {
    const { dbos, calls } = fakeDBOS(null)
    await expect(waitForInteraction('', { timeoutSeconds: 1, dbos })).rejects.toThrow(/needs the topic/)
    await expect(waitForInteraction('deploy-gate', { dbos } as never)).rejects.toThrow(/needs timeoutSeconds/)
    await expect(waitForInteraction('deploy-gate', { timeoutSeconds: Number.NaN, dbos })).rejects.toThrow(/needs timeoutSeconds/)
    expect(calls).toEqual([])
  })
})
