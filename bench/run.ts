/**
 * Benchmarks of the service on the in-memory store. Each figure is the median of several runs, and
 * scaling is reported as a ratio, because absolute times on a shared machine are noisy.
 *
 * Run with `npm run bench` (ROUNDS=N for more runs).
 */
import { callbackSignals, createInteractions, memoryStore, type Actor, type InteractionStore } from '@hitl/interactions'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const alice = { type: 'member', id: 'user_alice' } as const

async function time(fn: () => Promise<unknown>) {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

function service(store: InteractionStore = memoryStore(), groups: Record<string, Actor[]> = {}) {
  return createInteractions({
    store,
    signals: callbackSignals(() => {}),
    directory: { membersOf: async (_project, id) => groups[id] ?? [] },
  })
}

/** A store holding `others` pending interactions for other actors, all due later, plus 20 for Alice. */
async function populated(others: number) {
  const store = memoryStore()
  const interactions = service(store)
  for (let i = 0; i < others; i++) {
    await interactions.create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'member', id: `user_${i}` },
      expires_at: '2100-01-01T00:00:00Z',
    })
  }
  for (let i = 0; i < 20; i++) await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice })
  return interactions
}

async function perOperation(label: string, count: number, op: (i: number) => Promise<unknown>) {
  const runs: number[] = []
  for (let r = 0; r < ROUNDS; r++)
    runs.push(
      (await time(async () => {
        for (let i = 0; i < count; i++) await op(i)
      })) / count,
    )
  return { label, microseconds: Math.round(median(runs) * 1000) }
}

async function main() {
  const results: { label: string; microseconds: number }[] = []

  const interactions = service()
  const ids: string[] = []
  results.push(
    await perOperation('create (direct approval)', 2_000, async () => {
      ids.push(
        (
          await interactions.create('acme', {
            type: 'approval',
            spec: { mode: 'confirm' },
            target_actor: alice,
            run_id: 'run',
            topic: 'gate',
          })
        ).id,
      )
    }),
  )
  let next = 0
  results.push(
    await perOperation('respond (completes, signal delivered)', 2_000, () =>
      interactions.respond('acme', ids[next++]!, { actor: alice, value: { confirmed: true } }),
    ),
  )

  const small = await populated(1_000)
  const large = await populated(50_000)
  const inboxSmall = await perOperation('inbox, 20 items, 1 000 others in store', 500, () => small.inbox('acme', alice))
  const inboxLarge = await perOperation('inbox, 20 items, 50 000 others in store', 500, () => large.inbox('acme', alice))
  const sweepSmall = await perOperation('expireDue, nothing due, 1 000 pending', 500, () => small.expireDue())
  const sweepLarge = await perOperation('expireDue, nothing due, 50 000 pending', 500, () => large.expireDue())
  results.push(inboxSmall, inboxLarge, sweepSmall, sweepLarge)

  const crowd: Actor[] = Array.from({ length: 200 }, (_, i) => ({ type: 'member', id: `m${i}` }))
  const contended = service(memoryStore(), { crowd })
  const race = async (policy: 'first_responder' | 'all_members', racers: number) => {
    const runs: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const created = await contended.create('acme', {
        type: 'approval',
        spec: { mode: 'confirm' },
        target_actor: { type: 'group', id: 'crowd' },
        routing_policy: policy,
      })
      runs.push(
        await time(() =>
          Promise.allSettled(
            crowd
              .slice(0, racers)
              .map((actor) => contended.respond('acme', created.id, { actor: actor as never, value: { confirmed: true } })),
          ),
        ),
      )
    }
    return { label: `${racers} concurrent responders, ${policy} (whole race)`, microseconds: Math.round(median(runs) * 1000) }
  }
  results.push(await race('first_responder', 50), await race('all_members', 200))

  console.log(`median of ${ROUNDS} runs, Node ${process.version}`)
  for (const { label, microseconds } of results) console.log(`${label.padEnd(52)} ${String(microseconds).padStart(9)} µs`)
  console.log(`inbox time ratio, 50 000 vs 1 000 others:     ${(inboxLarge.microseconds / inboxSmall.microseconds).toFixed(2)}×`)
  console.log(`expireDue time ratio, 50 000 vs 1 000 pending: ${(sweepLarge.microseconds / sweepSmall.microseconds).toFixed(2)}×`)
}

await main()
