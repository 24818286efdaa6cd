/**
 * The approval gate from the product description, end to end on the embedded in-memory store:
 * a deployment run suspends on topic "deploy-gate" until Alice approves, then a second request
 * goes unanswered and expires, which resumes its run too. Then a change board decides by quorum:
 * two of its three members must approve, and the member who asked may not approve their own change.
 * Last, a hotfix nobody looks at is escalated: a reminder after an hour, then it goes to Carol.
 * A notifier prints who is told what (in production, an email or a chat message).
 *
 * Run it with `npm run demo`; with DATABASE_URL set, it runs on PostgreSQL instead (schema `hitl`, or HITL_SCHEMA).
 */
import {
  callbackSignals,
  createInteractions,
  isApproved,
  type Interaction,
  type InteractionNotification,
  type Signal,
} from '@hitl/interactions'
import { chooseStore } from './choose-store.js'

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

// On the service's clock, since this demo moves time by hand; a real deployment keeps the database's.
const { store, close } = await chooseStore({ clock: 'service' })
console.log(`store: ${store.name}`)
const alice = { type: 'member', id: 'user_alice' } as const
const bob = { type: 'member', id: 'user_bob' } as const
const carol = { type: 'member', id: 'user_carol' } as const
// The host's directory: who is in a group when an interaction is created.
const directory = { membersOf: async () => [alice, bob, carol] }
// Stands in for email or chat: every notification the outbox hands over.
const notifier = {
  async notify({ kind, interaction, recipients }: InteractionNotification) {
    console.log(`${now.toISOString()}  notify ${recipients.map((r) => r.id).join(', ')}: ${kind} "${interaction.message}"`)
  },
}
const interactions = createInteractions({ store, signals, clock, directory, notifier })

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

// Two of the change board must approve; Carol asked, so she may not, and only Alice and Bob count.
const change = await interactions.create('acme', {
  type: 'approval',
  run_id: 'run_03ghi',
  topic: 'change-board',
  target_actor: { type: 'group', id: 'change_board' },
  routing_policy: 'quorum',
  quorum: { required: 2 },
  requested_by: carol,
  message: 'Migrate the orders database to the new cluster?',
  spec: { mode: 'confirm' },
})
show('change board asked', change)
console.log(`${now.toISOString()}  Carol's inbox: ${(await interactions.inbox('acme', carol)).items.length} items (she asked)`)
now = new Date('2026-04-21T12:10:00Z')
const first = await interactions.respond('acme', change.id, { actor: alice, value: { confirmed: true } })
show(`Alice approved, tally ${first.tally?.approvals}/${first.tally?.required}`, first)
now = new Date('2026-04-21T12:20:00Z')
const decided = await interactions.respond('acme', change.id, { actor: bob, value: { confirmed: true } })
show(`Bob approved, tally ${decided.tally?.approvals}/${decided.tally?.required}`, decided)

// Bob does not answer the hotfix: the sweep reminds him after an hour and hands it to Carol after four.
const hotfix = await interactions.create('acme', {
  type: 'approval',
  run_id: 'run_04jkl',
  topic: 'hotfix-gate',
  target_actor: bob,
  message: 'Ship hotfix 1.4.2?',
  spec: { mode: 'confirm' },
  escalation: [
    { after: 'PT1H', action: 'remind' },
    { after: 'PT4H', action: 'reassign', to: carol },
  ],
})
show('hotfix asked of Bob', hotfix)
for (const hours of [1, 4]) {
  now = new Date(Date.parse(hotfix.created_at) + hours * 3_600_000)
  const swept = await interactions.sweep()
  show(`sweep: reminded ${swept.reminded}, escalated ${swept.escalated}`, await interactions.get('acme', hotfix.id))
}
console.log(
  `${now.toISOString()}  Carol's inbox: ${(await interactions.inbox('acme', carol)).items.map((item) => `"${item.message}"`).join(', ')}`,
)
const shipped = await interactions.respond('acme', hotfix.id, { actor: carol, value: { confirmed: true } })
show('Carol approved', shipped)
console.log(
  `${now.toISOString()}  hotfix history: ${(await interactions.history('acme', hotfix.id)).map((event) => event.type).join(' → ')}`,
)

await close()
const [deploy, expiry, board] = received
if (received.length !== 4 || !isApproved(deploy!) || expiry?.status !== 'expired' || !isApproved(board!) || !isApproved(received[3]!)) {
  throw new Error(
    `expected a completed, an expired, a quorum-approved and an escalated-then-approved signal, got ${JSON.stringify(received)}`,
  )
}
