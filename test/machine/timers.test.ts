import type { Interaction, Participant } from '@hitl/interactions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { step, wakeAtOf } from '../../src/machine/index.js'

const RUNS = Number(process.env.FC_RUNS ?? 200)
const CREATED = Date.parse('2026-04-21T09:00:00.000Z')
const MINUTE = 60_000
const a: Participant = { type: 'member', id: 'a' }
const b: Participant = { type: 'member', id: 'b' }
const iso = (time: number) => new Date(time).toISOString()

/** A pending first-responder record with no timer. */
const base: Interaction = {
  id: 'iact_timers',
  project: 'acme',
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: { type: 'group', id: 'ops' },
  routing_policy: 'first_responder',
  members: [a],
  status: 'pending',
  responses: [],
  created_at: iso(CREATED),
  updated_at: iso(CREATED),
  version: 1,
}

/** A pending first-responder record with any mix of expiry, claim with timeout and escalation steps, some already run. */
const records = fc
  .record({
    expiresIn: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
    claimedAfter: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
    claimTimeout: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
    stepGaps: fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 4 }),
    stepsRun: fc.nat({ max: 4 }),
  })
  .map(({ expiresIn, claimedAfter, claimTimeout, stepGaps, stepsRun }): Interaction => {
    const afters = stepGaps.map((_, i) => stepGaps.slice(0, i + 1).reduce((sum, gap) => sum + gap, 0))
    const escalation = afters.map((minutes, i) => {
      const after = `PT${minutes}M`
      return i % 2 ? { after, action: 'remind' as const } : { after, action: 'add_members' as const, members: [b] }
    })
    return {
      ...base,
      ...(expiresIn !== undefined && { expires_at: iso(CREATED + expiresIn * MINUTE) }),
      ...(claimTimeout !== undefined && { claim_timeout: `PT${claimTimeout}M` }),
      ...(claimedAfter !== undefined && { claimed_by: a, claimed_at: iso(CREATED + claimedAfter * MINUTE) }),
      ...(escalation.length > 0 && { escalation }),
      ...(Math.min(stepsRun, escalation.length) > 0 && { escalation_step: Math.min(stepsRun, escalation.length) }),
    }
  })

describe('wakeAtOf', () => {
  it('wakeAtOf — at or after it, stepping with no event changes the record, and that step leaves nothing due', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: 0, max: 24 * 60 * MINUTE }), (record, late) => {
        const wakeAt = wakeAtOf(record)
        fc.pre(wakeAt !== undefined)
        const now = new Date(Date.parse(wakeAt!) + late)
        const woken = step(record, undefined, now)
        expect(woken.changed).toBe(true)
        const next = wakeAtOf(woken.record)
        // A woken record never stays due: whatever it waits for next lies ahead.
        if (next !== undefined) expect(Date.parse(next)).toBeGreaterThan(now.getTime())
      }),
      { numRuns: RUNS },
    )
  })

  it('wakeAtOf — before it, stepping with no event changes nothing', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: 1, max: 24 * 60 * MINUTE }), (record, early) => {
        const wakeAt = wakeAtOf(record)
        const now = new Date(wakeAt === undefined ? CREATED + early : Date.parse(wakeAt) - early)
        expect(step(record, undefined, now).changed).toBe(false)
      }),
      { numRuns: RUNS },
    )
  })

  it('wakeAtOf — the earliest of expires_at, the claim lapse and the next step not yet run; none once ended', () => {
    const escalation = [
      { after: 'PT1H', action: 'remind' as const },
      { after: 'PT2H', action: 'remind' as const },
    ]
    expect(wakeAtOf(base)).toBeUndefined()
    const expiring = { ...base, expires_at: '2026-04-21T12:00:00.000Z' }
    expect(wakeAtOf(expiring)).toBe('2026-04-21T12:00:00.000Z')
    const claimed = { ...expiring, claim_timeout: 'PT30M', claimed_by: a, claimed_at: '2026-04-21T10:00:00.000Z' }
    expect(wakeAtOf(claimed)).toBe('2026-04-21T10:30:00.000Z')
    expect(wakeAtOf({ ...expiring, escalation })).toBe('2026-04-21T10:00:00.000Z')
    expect(wakeAtOf({ ...expiring, escalation, escalation_step: 1 })).toBe('2026-04-21T11:00:00.000Z')
    expect(wakeAtOf({ ...expiring, escalation, escalation_step: 2 })).toBe('2026-04-21T12:00:00.000Z')
    expect(wakeAtOf({ ...base, escalation, status: 'cancelled', cancelled_at: iso(CREATED), cancelled_by: a })).toBeUndefined()
  })
})
