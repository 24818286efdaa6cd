import { describe, expect, it } from 'vitest'
import { addDuration, DurationSchema, parseDuration } from '../../src/model/duration.js'

describe('ISO 8601 durations', () => {
  it('parseDuration — reads every unit into a date-fns Duration', () => {
    expect(parseDuration('PT30M')).toEqual({ minutes: 30 })
    expect(parseDuration('P1D')).toEqual({ days: 1 })
    expect(parseDuration('P1Y2M3W4DT5H6M7S')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 })
  })

  it.each(['', 'P', 'PT', 'P1DT', 'PT1.5H', 'PT-1M', '30M', 'pt30m', 'P1H', 'PT1D', ' PT1M', 'PT1M ', 'P1M1Y'])('parseDuration — refuses "%s"', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it('addDuration — adds calendar units by the calendar, in UTC', () => {
    expect(addDuration('2026-01-31T09:00:00.000Z', 'P1M')).toBe('2026-02-28T09:00:00.000Z')
    expect(addDuration('2026-04-21T09:00:00.000Z', 'PT4H')).toBe('2026-04-21T13:00:00.000Z')
  })

  it('DurationSchema — accepts from one second to ten years; refuses zero and longer', () => {
    expect(DurationSchema.safeParse('PT1S').success).toBe(true)
    expect(DurationSchema.safeParse('P10Y').success).toBe(true)
    expect(DurationSchema.safeParse('P0D').error?.issues[0]?.message).toContain('longer than zero')
    expect(DurationSchema.safeParse('P10YT1S').error?.issues[0]?.message).toContain('at most P10Y')
    expect(DurationSchema.safeParse('P1H').error?.issues[0]?.message).toContain('ISO 8601 duration')
  })
})
