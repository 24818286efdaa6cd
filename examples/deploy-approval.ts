/**
 * The approval gate from the product description, end to end on the embedded in-memory store:
 * a deployment run suspends on topic "deploy-gate" until Alice approves, then a second request
 * goes unanswered and expires, which resumes its run too.
 *
 * Run it with `npm run demo`; with DATABASE_URL set, it runs on PostgreSQL instead (schema `hitl`).
 */
import {
  callbackSignals,
  createInteractions,
  isApproved,
  memoryStore,
  type Interaction,
  type InteractionStore,
  type Signal,
} from '@hitl/interactions'

/** The embedded default, or PostgreSQL when DATABASE_URL names a database. */
async function chooseStore(): Promise<{ store: InteractionStore; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL
  if (!url) return { store: memoryStore(), close: async () => {} }
  const { default: pg } = await import('pg')
  const { migrate, postgresStore } = await import('@hitl/interactions/postgres')
  const pool = new pg.Pool({ connectionString: url })
  await migrate(pool)
  // On the service's clock, since this demo moves time by hand; a real deployment keeps the database's.
  return { store: postgresStore({ pool, clock: 'service' }), close: () => pool.end() }
}

// A hand-moved clock, so the expiry happens now instead of in a day.
let now = new Date('2026-04-21T09:00:00Z')
const clock = () => now

const show = (label: string, interaction: Interaction) =>
  console.log(`${now.toISOString()}  ${label.padEnd(30)} ${interaction.id}  status=${interaction.status}  version=${interaction.version}`)

// Stands in for the workflow engine: each suspended run waits for one signal on its topic.
const received: Signal[] = []
const signals = callbackSignals((signal) => {
  received.push(signal)
  const decision = signal.status === 'completed' ? ` approved=${isApproved(signal)}` : ''
  console.log(`${now.toISOString()}  run ${signal.run_id} resumed on "${signal.topic}": status=${signal.status}${decision}`)
})

const { store, close } = await chooseStore()
console.log(`store: ${store.name}`)
const interactions = createInteractions({ store, signals, clock })
const alice = { type: 'member', id: 'user_alice' } as const

const gate = await interactions.create('acme', {
  type: 'approval',
  run_id: 'run_01abc',
  topic: 'deploy-gate',
  target_actor: alice,
  message: 'Approve deployment of service-api to production?',
  spec: { mode: 'confirm' },
  expires_at: '2026-04-22T10:00:00Z',
})
show('created', gate)

const inbox = await interactions.inbox('acme', alice)
console.log(`${now.toISOString()}  Alice's inbox: ${inbox.items.map((item) => `"${item.message}"`).join(', ')}`)

now = new Date('2026-04-21T09:05:00Z')
const approved = await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true }, comment: 'Ship it' })
show('Alice responded', approved)

const rollback = await interactions.create('acme', {
  type: 'approval',
  run_id: 'run_02def',
  topic: 'rollback-gate',
  target_actor: alice,
  message: 'Roll back service-api?',
  spec: { mode: 'confirm' },
  expires_at: '2026-04-21T12:00:00Z',
})
show('created', rollback)

now = new Date('2026-04-21T12:00:00Z')
const { expired } = await interactions.expireDue()
show(`sweeper expired ${expired}`, await interactions.get('acme', rollback.id))

await close()
if (received.length !== 2 || !isApproved(received[0]!) || received[1]?.status !== 'expired') {
  throw new Error(`expected one completed and one expired signal, got ${JSON.stringify(received)}`)
}
