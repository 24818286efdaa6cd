import { describe, expect, it } from 'vitest'
import { addDuration, DurationSchema, parseDuration } from '../../src/model/duration.js'

describe('ISO 8601 durations', () => {
  it('parseDuration — reads every unit into a date-fns Duration', () => {
    expect(parseDuration('PT30M')).toEqual({ minutes: 30 })
    expect(parseDuration('P1D')).toEqual({ days: 1 })
    expect(parseDuration('P1Y2M3W4DT5H6M7S')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 })
  })

  const malformed = ['', 'P', 'PT', 'P1DT', 'PT1.5H', 'PT-1M', '30M', 'pt30m', 'P1H', 'PT1D', ' PT1M', 'PT1M ', 'P1M1Y']
  it.each(malformed)('parseDuration — refuses "%s"', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it("addDuration — adds years and months by the calendar, clamped to the month's last day, then days and time", () => {
    expect(addDuration('2026-01-31T09:00:00.000Z', 'P1M')).toBe('2026-02-28T09:00:00.000Z')
    expect(addDuration('2028-01-31T09:00:00.000Z', 'P1M')).toBe('2028-02-29T09:00:00.000Z')
    expect(addDuration('2026-11-30T09:00:00.000Z', 'P1Y3M1D')).toBe('2028-03-01T09:00:00.000Z')
    expect(addDuration('2026-04-21T09:00:00.000Z', 'P1WT4H30M15S')).toBe('2026-04-28T13:30:15.000Z')
    expect(addDuration('0050-06-15T00:00:00.000Z', 'P1Y')).toBe('0051-06-15T00:00:00.000Z')
  })

  it("addDuration — a day is 24 hours whatever the process's time zone, so every instance agrees", () => {
    const zone = process.env.TZ
    process.env.TZ = 'Europe/Berlin'
    try {
      // Berlin moves its clocks forward on 29 March 2026.
      expect(addDuration('2026-03-28T12:00:00.000Z', 'P1D')).toBe('2026-03-29T12:00:00.000Z')
      expect(addDuration('2026-03-28T12:00:00.000Z', 'P1M')).toBe('2026-04-28T12:00:00.000Z')
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it('DurationSchema — accepts from one second to ten years; refuses zero and longer', () => {
    expect(DurationSchema().safeParse('PT1S').success).toBe(true)
    expect(DurationSchema().safeParse('P10Y').success).toBe(true)
    expect(DurationSchema().safeParse('P0D').error?.issues[0]?.message).toContain('longer than zero')
    expect(DurationSchema().safeParse('P10YT1S').error?.issues[0]?.message).toContain('at most P10Y')
    expect(DurationSchema().safeParse('P1H').error?.issues[0]?.message).toContain('ISO 8601 duration')
  })
})
