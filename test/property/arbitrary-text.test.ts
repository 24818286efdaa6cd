import { isInteractionError, type InteractionStore } from '@hitl/interactions'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { countingStore, describeEachStore, snapshot } from '../support/each-store.js'
import { alice, bob, harness } from '../support/harness.js'

// Arbitrary strings (any code point, lone surrogates, NUL, whitespace) in every text argument of
// create, get, respond, claim and inbox: a call either succeeds and keeps the text exactly, or is
// refused with the library's own error, changing nothing. FC_RUNS raises the number of runs.
const RUNS = Number(process.env.FC_RUNS ?? 100)

const oddUnit = fc.oneof(
  fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2028', '\uFEFF', '\u0000', '\uFFFD'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
)
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.oneof(oddUnit, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 }),
)
/** Mostly a usable value, so that the call gets past its first argument to the others. */
const or = <T>(usable: T) => fc.oneof({ arbitrary: fc.constant(usable), weight: 2 }, { arbitrary: text, weight: 1 })

/** What the rules refuse in any string: NUL or a lone surrogate. */
const unstorable = (value: string) => value.includes('\u0000') || /\p{Cs}/u.test(value)
/** What they refuse in an identifier as well: surrounding whitespace, or nothing at all. */
const badIdentifier = (value: string) => unstorable(value) || value.trim() !== value || value.length === 0

const call = fc.oneof(
  fc.record({ op: fc.constant('create' as const), project: or('acme'), target: or('user_alice'), title: text, key: text, value: text }),
  fc.record({ op: fc.constant('get' as const), project: or('acme'), id: text }),
  fc.record({ op: fc.constant('respond' as const), project: or('acme'), actor: or('user_alice'), answer: text, comment: text }),
  fc.record({ op: fc.constant('claim' as const), project: or('acme'), actor: or('user_bob') }),
  fc.record({ op: fc.constant('inbox' as const), project: or('acme'), actor: or('user_alice'), cursor: text }),
)
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never
const groupAsk = { type: 'approval', target_actor: { type: 'group', id: 'group_ops' }, spec: { mode: 'confirm' } } as const

/** The identifiers and texts of a call, so a refusal can be checked against the rules. */
function argumentsOf(c: Call): { identifiers: string[]; texts: string[] } {
  switch (c.op) {
    case 'create':
      return { identifiers: [c.project, c.target, c.key], texts: [c.title, c.value] }
    case 'get':
      return { identifiers: [c.project], texts: [c.id] }
    case 'respond':
      return { identifiers: [c.project, c.actor], texts: [c.answer, c.comment] }
    case 'claim':
      return { identifiers: [c.project, c.actor], texts: [] }
    case 'inbox':
      return { identifiers: [c.project, c.actor], texts: [c.cursor] }
  }
}

type Service = ReturnType<typeof harness>['interactions']

/** Makes the call; what succeeds must keep the text exactly: no trimming, no U+FFFD for half a character. */
async function perform(interactions: Service, c: Call, answerable: string, group: string) {
  switch (c.op) {
    case 'create': {
      const metadata = { [c.value]: c.value }
      const target_actor = { type: 'member', id: c.target }
      const input = { type: 'input', target_actor, spec: { mode: 'input' }, title: c.title, idempotency_key: c.key, metadata }
      const created = await interactions.create(c.project, input as never)
      expect(await interactions.get(c.project, created.id)).toMatchObject({ project: c.project, title: c.title, metadata })
      return
    }
    case 'get':
      await interactions.get(c.project, c.id)
      return
    case 'respond': {
      const answer = { actor: { type: 'member', id: c.actor }, value: { text: c.answer }, comment: c.comment } as const
      const answered = await interactions.respond(c.project, answerable, answer)
      expect(answered.responses).toEqual([expect.objectContaining({ value: answer.value, comment: c.comment })])
      return
    }
    case 'claim':
      await interactions.claim(c.project, group, { type: 'member', id: c.actor })
      return
    case 'inbox':
      await interactions.inbox(c.project, { type: 'member', id: c.actor }, { cursor: c.cursor || null })
      return
  }
}

describeEachStore('arbitrary text', (emptyStore: () => Promise<InteractionStore>) => {
  it(
    'arbitrary text — every call succeeds keeping the text, or is refused with validation_failed and the store unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(call, async (c) => {
          const counting = countingStore(await emptyStore())
          const { interactions } = harness({ store: counting.store })
          const answerable = await interactions.create('acme', { type: 'input', target_actor: alice, spec: { mode: 'input' } })
          const group = await interactions.create('acme', groupAsk)
          const ids = [answerable.id, group.id]
          const before = await snapshot(counting.store, 'acme', ids, [alice, bob])
          const writes = counting.writes.count
          try {
            await perform(interactions, c, answerable.id, group.id)
          } catch (error) {
            expect(isInteractionError(error), String(error)).toBe(true)
            const { code, message } = error as { code: string; message: string }
            const { identifiers, texts } = argumentsOf(c)
            // Text the rules refuse is always refused as input; only well-formed calls meet other refusals.
            if (identifiers.some(badIdentifier) || texts.some(unstorable)) expect(code, message).toBe('validation_failed')
            else expect(['validation_failed', 'not_found', 'not_eligible'], message).toContain(code)
            expect(counting.writes.count).toBe(writes)
            expect(await snapshot(counting.store, 'acme', ids, [alice, bob])).toBe(before)
          }
        }),
        { numRuns: RUNS },
      )
    },
    Math.max(60_000, RUNS * 500),
  )
})
