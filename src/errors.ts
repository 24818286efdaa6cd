import type { z } from 'zod'

/** HTTP status a host may answer with, for each error code. */
const STATUS_BY_CODE = {
  validation_failed: 400,
  not_found: 404,
  not_eligible: 403,
  already_claimed: 409,
  already_responded: 409,
  not_pending: 409,
  expired: 410,
  conflict: 409,
  configuration: 500,
} as const

/** The closed set of error codes; stable across versions, safe to branch on. */
export type InteractionErrorCode = keyof typeof STATUS_BY_CODE

/** The HTTP status suggested for `code`, from the one table: an error from elsewhere may carry no `status`, or a wrong one. */
export const statusOf = (code: InteractionErrorCode): number => STATUS_BY_CODE[code]

/** One problem with an input: where it is and what rule it broke. */
export interface ValidationIssue {
  path: (string | number)[]
  message: string
}

/** The one error type this library throws; `code` says what went wrong, `status` suggests an HTTP answer. */
export class InteractionError extends Error {
  override readonly name = 'InteractionError'
  readonly code: InteractionErrorCode
  readonly status: number
  /** For `validation_failed`: every problem found, each naming its field. */
  readonly issues: readonly ValidationIssue[]

  constructor(code: InteractionErrorCode, message: string, options: { cause?: unknown; issues?: readonly ValidationIssue[] } = {}) {
    super(message, { cause: options.cause })
    this.code = code
    this.status = STATUS_BY_CODE[code]
    this.issues = options.issues ?? []
  }

  /** A plain object for logs and HTTP bodies. */
  toJSON() {
    return { name: this.name, code: this.code, status: this.status, message: this.message, issues: this.issues }
  }
}

/**
 * True for an InteractionError, also when it comes from another copy of this package or was
 * serialised by a workflow engine, where `instanceof` fails. Pass `code` to test for one code.
 */
export function isInteractionError(error: unknown, code?: InteractionErrorCode): error is InteractionError {
  if (typeof error !== 'object' || error === null) return false
  const candidate = error as { name?: unknown; code?: unknown }
  return (
    candidate.name === 'InteractionError' &&
    typeof candidate.code === 'string' &&
    Object.hasOwn(STATUS_BY_CODE, candidate.code) &&
    (code === undefined || candidate.code === code)
  )
}

/** An error as one line for a stored `last_error`: its name and message, at most 2 000 characters. */
export const describeError = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2_000)

const formatPath = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(root)'

/**
 * A `configuration` error for one option of a host's setup: the message reads `caller: path rule`,
 * and the one issue names the option's path and the rule it breaks.
 */
export function configurationError(caller: string, path: (string | number)[], rule: string, options: { cause?: unknown } = {}) {
  const issues = [{ path, message: rule }]
  return new InteractionError('configuration', `${caller}: ${formatPath(path)} ${rule}`, { issues, cause: options.cause })
}

/** Turns zod issues into a `validation_failed` error whose message names every field. */
export function validationError(what: string, issues: readonly (z.core.$ZodIssue | ValidationIssue)[], prefix: (string | number)[] = []) {
  const normalized: ValidationIssue[] = issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
    message: issue.message,
  }))
  const detail = normalized.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ')
  return new InteractionError('validation_failed', `Invalid ${what}: ${detail}`, { issues: normalized })
}

/**
 * An error for a signal adapter's `deliver` to throw when retrying cannot help (the receiver refused
 * the signal, the run no longer exists): the outbox dead-letters the entry at once, and
 * `failedSignals()` lists it with this message.
 *
 * @example
 * import { permanentFailure, type SignalDelivery } from '@hitl/interactions'
 *
 * const signals: SignalDelivery = {
 *   async deliver(signal) {
 *     const answer = await engine.resume(signal.run_id, signal.topic, signal)
 *     if (answer.status === 'unknown_run') throw permanentFailure(`run ${signal.run_id} does not exist`)
 *   },
 * }
 */
export function permanentFailure(message: string, options: { cause?: unknown } = {}): Error & { readonly permanent: true } {
  return Object.assign(new Error(message, { cause: options.cause }), { permanent: true as const })
}

/**
 * An error for a signal adapter's `deliver` to throw when the receiver asked to wait (a rate limit,
 * a `Retry-After`): the outbox tries again after `retryAfterMs`, or after its own backoff when that
 * is longer, and never later than `delivery.maxMs`.
 *
 * @example
 * import { retryLater, type SignalDelivery } from '@hitl/interactions'
 *
 * const signals: SignalDelivery = {
 *   async deliver(signal) {
 *     const answer = await engine.resume(signal.run_id, signal.topic, signal)
 *     if (answer.status === 'rate_limited') throw retryLater('engine rate limit', { retryAfterMs: answer.resetInMs })
 *   },
 * }
 */
export function retryLater(message: string, options: { retryAfterMs: number; cause?: unknown }): Error & { readonly retryAfterMs: number } {
  return Object.assign(new Error(message, { cause: options.cause }), { retryAfterMs: options.retryAfterMs })
}
