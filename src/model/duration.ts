import { add } from 'date-fns/add'
import { z } from 'zod'

// date-fns formats ISO 8601 durations but does not parse them. Whole numbers only: a fraction would
// need rounding rules of its own, and minutes or seconds express it exactly.
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/
/** date-fns's `Duration`, which its subpath entries do not export by name. */
type Duration = Parameters<typeof add>[1]
const UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const

/** The longest duration accepted: ten years, far beyond any human wait, well inside the dates every store keeps. */
export const LONGEST_DURATION = 'P10Y'
// Measured from a fixed day, so a duration in months or years is judged the same whenever it is given.
const REFERENCE = new Date('2000-01-01T00:00:00.000Z')

/** The date-fns `Duration` of an ISO 8601 duration such as `PT30M` or `P1DT12H`; undefined when it is not one. */
export function parseDuration(text: string): Duration | undefined {
  const match = ISO_DURATION.exec(text)
  if (!match || text === 'P') return undefined
  return Object.fromEntries(UNITS.flatMap((unit, i) => (match[i + 1] === undefined ? [] : [[unit, Number(match[i + 1])]])))
}

/** The instant `duration` (a valid ISO 8601 duration) after `from`, as an ISO string. */
export const addDuration = (from: string | Date, duration: string): string => add(new Date(from), parseDuration(duration)!).toISOString()

const spanOf = (duration: Duration) => add(REFERENCE, duration).getTime() - REFERENCE.getTime()
const LONGEST = spanOf(parseDuration(LONGEST_DURATION)!)

/** An ISO 8601 duration in whole units, such as `PT30M`, `PT4H` or `P1D`: longer than zero, at most {@link LONGEST_DURATION}. */
export const DurationSchema = z.string().superRefine((text, ctx) => {
  const duration = parseDuration(text)
  if (!duration) {
    ctx.addIssue({ code: 'custom', message: `must be an ISO 8601 duration in whole units, such as PT30M or P1D (got "${text}")` })
    return
  }
  const span = spanOf(duration)
  if (span <= 0) ctx.addIssue({ code: 'custom', message: `must be longer than zero (got "${text}")` })
  // Also NaN: a count too large for a date is absurd too.
  if (!(span <= LONGEST)) ctx.addIssue({ code: 'custom', message: `must be at most ${LONGEST_DURATION} (got "${text}")` })
})
