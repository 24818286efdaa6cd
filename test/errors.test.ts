import { InteractionError, isInteractionError, type InteractionErrorCode } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { describeError, validationError } from '../src/errors.js'

const statuses: Record<InteractionErrorCode, number> = {
  validation_failed: 400,
  not_found: 404,
  not_eligible: 403,
  already_claimed: 409,
  already_responded: 409,
  not_pending: 409,
  expired: 410,
  conflict: 409,
  configuration: 500,
}

describe('InteractionError', () => {
  it.each(Object.entries(statuses))('new InteractionError — code %s suggests HTTP status %i', (code, status) => {
    const error = new InteractionError(code as InteractionErrorCode, 'what happened')
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'InteractionError', code, status, message: 'what happened', issues: [] })
  })

  it('new InteractionError — keeps its cause and issues', () => {
    const cause = new Error('socket closed')
    const issues = [{ path: ['expires_at'], message: 'has not passed yet' }]
    const error = new InteractionError('validation_failed', 'bad', { cause, issues })
    expect(error.cause).toBe(cause)
    expect(error.issues).toEqual(issues)
  })

  it('toJSON — gives name, code, status, message and issues, and survives JSON', () => {
    const error = new InteractionError('not_found', 'interaction iact_1 not found in project acme', {
      issues: [{ path: ['id'], message: 'unknown' }],
    })
    const json = {
      name: 'InteractionError',
      code: 'not_found',
      status: 404,
      message: 'interaction iact_1 not found in project acme',
      issues: [{ path: ['id'], message: 'unknown' }],
    }
    expect(error.toJSON()).toStrictEqual(json)
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual(json)
  })
})

describe('isInteractionError', () => {
  const error = new InteractionError('expired', 'interaction iact_1 has expired')

  it('isInteractionError — true for an InteractionError and for its serialised form', () => {
    expect(isInteractionError(error)).toBe(true)
    expect(isInteractionError(JSON.parse(JSON.stringify(error)))).toBe(true)
    expect(isInteractionError({ name: 'InteractionError', code: 'configuration' })).toBe(true)
  })

  it('isInteractionError — with a code, true only for that code', () => {
    expect(isInteractionError(error, 'expired')).toBe(true)
    expect(isInteractionError(error, 'not_pending')).toBe(false)
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'InteractionError'],
    ['a plain Error', new Error('expired')],
    ['an error of another name with a known code', Object.assign(new Error('x'), { code: 'expired' })],
    ['an unknown code', { name: 'InteractionError', code: 'teapot' }],
    ['a code inherited from Object.prototype', { name: 'InteractionError', code: 'toString' }],
    ['a numeric code', { name: 'InteractionError', code: 410 }],
    ['a code that is not a string but reads as a known one', { name: 'InteractionError', code: ['expired'] }],
    ['no code', { name: 'InteractionError' }],
  ])('isInteractionError — false for %s', (_, value) => {
    expect(isInteractionError(value)).toBe(false)
  })
})

describe('describeError', () => {
  it('describeError — an Error as its name and message', () => {
    expect(describeError(new TypeError('fetch failed'))).toBe('TypeError: fetch failed')
  })

  it('describeError — anything else as its string form', () => {
    expect(describeError('receiver down')).toBe('receiver down')
    expect(describeError(503)).toBe('503')
  })

  it('describeError — at most 2 000 characters', () => {
    expect(describeError(new Error('x'.repeat(5_000)))).toBe(`Error: ${'x'.repeat(1_993)}`)
    expect(describeError('y'.repeat(2_000))).toHaveLength(2_000)
  })
})

describe('validationError', () => {
  it('validationError — names every field, under the prefix, in the message and the issues', () => {
    const error = validationError(
      'create input',
      [
        { path: ['spec', 'options', 1, 'value'], message: 'duplicate option value "a"' },
        { path: [], message: 'Unrecognized key: "priority"' },
      ],
      ['body'],
    )
    expect(error).toBeInstanceOf(InteractionError)
    expect(error.code).toBe('validation_failed')
    expect(error.message).toBe(
      'Invalid create input: body.spec.options.1.value: duplicate option value "a"; body: Unrecognized key: "priority"',
    )
    expect(error.issues).toStrictEqual([
      { path: ['body', 'spec', 'options', 1, 'value'], message: 'duplicate option value "a"' },
      { path: ['body'], message: 'Unrecognized key: "priority"' },
    ])
  })

  it('validationError — a problem with the whole input is at (root)', () => {
    expect(validationError('inbox options', [{ path: [], message: 'expected object' }]).message).toBe(
      'Invalid inbox options: (root): expected object',
    )
  })

  it('validationError — a symbol key in a zod path becomes its string form', () => {
    const key = Symbol('secret')
    const error = validationError('metadata', [{ code: 'custom', path: [key, 'a'], message: 'bad', input: undefined }])
    expect(error.issues).toStrictEqual([{ path: ['Symbol(secret)', 'a'], message: 'bad' }])
    expect(error.message).toBe('Invalid metadata: Symbol(secret).a: bad')
  })
})
