import { describe, expect, it } from 'vitest'
import { jsonSchemaIssues, slowPatternReason } from '../../src/model/json-schema.js'

describe('jsonSchemaIssues', () => {
  it('jsonSchemaIssues — a schema the validator throws on is an issue of the value, never an exception', () => {
    expect(jsonSchemaIssues({ $ref: '#/$defs/none' }, 1)).toEqual([{ path: [], message: expect.stringContaining('could not be checked') }])
  })
})

describe('slowPatternReason', () => {
  it.each(['^[a-z]+$', '^\\d{4}-\\d{2}-\\d{2}$', '^\\p{Lu}{1,3}[0-9]*$', 'abc', '^(?:ab)?c$', '^(?<year>\\d{4})$', '^[(+*)]+$', '^a+?b$'])(
    'slowPatternReason — accepts %s',
    (pattern) => expect(slowPatternReason(pattern)).toBeUndefined(),
  )

  it.each([
    ['^(a+)+$', 'repeat a group'],
    ['^((a)b*)*$', 'repeat a group'],
    ['^(a|b)*$', 'repeat a group'],
    ['^(a?){40}$', 'repeat a group'],
    ['^(a)\\1$', 'back-reference'],
    ['^(?<x>a)\\k<x>$', 'back-reference'],
    ['^a*b*$', 'at most once'],
    ['^ab|c+', 'must start with ^'],
    ['a+', 'must start with ^'],
  ])('slowPatternReason — refuses %s', (pattern, reason) => expect(slowPatternReason(pattern)).toContain(reason))
})
