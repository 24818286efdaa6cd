import { z } from 'zod'
import { lazily } from './lazily.js'
import { LIMITS } from './limits.js'

// Whole numbers only: a fraction would need rounding rules of its own, and a smaller unit expresses it exactly.
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/
const UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const

/** A parsed ISO 8601 duration: the units it names, in date-fns's `Duration` shape. */
export type Duration = Partial<Record<(typeof UNITS)[number], number>>

/** The {@link Duration} of an ISO 8601 duration such as `PT30M` or `P1DT12H`; undefined when it is not one. */
export function parseDuration(text: string): Duration | undefined {
  const match = ISO_DURATION.exec(text)
  if (!match || text === 'P') return undefined
  return Object.fromEntries(UNITS.flatMap((unit, i) => (match[i + 1] === undefined ? [] : [[unit, Number(match[i + 1])]])))
}

const SECOND = 1_000
const DAY = 86_400 * SECOND

/**
 * The instant `duration` after `from`, as date-fns's `add` computes it but in UTC whatever the
 * process's time zone, so every instance agrees on when a timer is due: years and months by the
 * calendar (31 January plus `P1M` is 28 February), then days and time as fixed lengths.
 */
function addTo(from: Date, { years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0 }: Duration): Date {
  const date = new Date(from)
  const dayOfMonth = date.getUTCDate()
  // From the 1st, so a long month does not overflow into the next before the day is clamped.
  date.setUTCDate(1)
  date.setUTCFullYear(date.getUTCFullYear() + years, date.getUTCMonth() + months)
  const lastDay = new Date(0)
  lastDay.setUTCFullYear(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)
  date.setUTCDate(Math.min(dayOfMonth, lastDay.getUTCDate()))
  return new Date(date.getTime() + (weeks * 7 + days) * DAY + ((hours * 60 + minutes) * 60 + seconds) * SECOND)
}

/** The instant `duration` (a valid ISO 8601 duration) after `from`, in UTC, as an ISO string. */
export const addDuration = (from: string | Date, duration: string): string => addTo(new Date(from), parseDuration(duration)!).toISOString()

// Measured from a fixed day, so a duration in months or years is judged the same whenever it is given.
const REFERENCE = new Date('2000-01-01T00:00:00.000Z')
const spanOf = (duration: Duration) => addTo(REFERENCE, duration).getTime() - REFERENCE.getTime()
const longest = lazily(() => spanOf(parseDuration(LIMITS.longestDuration)!))

/** An ISO 8601 duration in whole units, such as `PT30M`, `PT4H` or `P1D`: longer than zero, at most `LIMITS.longestDuration`. */
export const DurationSchema = lazily(() =>
  z.string().superRefine((text, ctx) => {
    const duration = parseDuration(text)
    if (!duration) {
      ctx.addIssue({ code: 'custom', message: `must be an ISO 8601 duration in whole units, such as PT30M or P1D (got "${text}")` })
      return
    }
    const span = spanOf(duration)
    if (span <= 0) ctx.addIssue({ code: 'custom', message: `must be longer than zero (got "${text}")` })
    // Also NaN: a count too large for a date is absurd too.
    if (!(span <= longest())) ctx.addIssue({ code: 'custom', message: `must be at most ${LIMITS.longestDuration} (got "${text}")` })
  }),
)
