import { InteractionSchema, OutboxEntrySchema, SignalSchema, type Actor } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { alice, bob, deployGate, harness } from '../support/harness.js'

// The published schemas describe what the service stores and sends: every record, signal and
// outbox entry it produces parses unchanged, and values no service writes are refused.

const ops: Actor = { type: 'group', id: 'group_ops' }

async function producedValues() {
  const { interactions, store, delivered } = harness()
  const gate = await interactions.create('acme', { ...deployGate, metadata: { ticket: 'OPS-1' }, idempotency_key: 'deploy-1' })
  const answered = await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true }, comment: 'ship it' })
  const vote = await interactions.create('acme', {
    type: 'input',
    target_actor: ops,
    routing_policy: 'all_members',
    spec: { mode: 'input' },
  })
  const partial = await interactions.respond('acme', vote.id, { actor: bob, value: { text: 'fine by me' } })
  const claimed = await interactions.claim('acme', (await interactions.create('acme', { ...deployGate, target_actor: ops })).id, alice)
  const [entry] = await store.outbox.list({ status: 'delivered', limit: 10 })
  return { records: [gate, answered, partial, claimed], signals: delivered, entry: entry! }
}

describe('wire schemas', () => {
  it('InteractionSchema — every record the service returns parses unchanged', async () => {
    const { records } = await producedValues()
    expect(records.map((record) => record.version)).toEqual([1, 2, 2, 2])
    for (const record of records) expect(InteractionSchema.parse(record)).toEqual(record)
  })

  it('SignalSchema and OutboxEntrySchema — the delivered signal and its outbox entry parse unchanged', async () => {
    const { signals, entry } = await producedValues()
    expect(signals).toHaveLength(1)
    expect(SignalSchema.parse(signals[0])).toEqual(signals[0])
    expect(entry).toMatchObject({ status: 'delivered', attempts: 1 })
    expect(OutboxEntrySchema.parse(entry)).toEqual(entry)
    expect(OutboxEntrySchema.parse({ ...entry, attempts: 2 })).toMatchObject({ attempts: 2 })
  })

  it('InteractionSchema — a version below 1, an unknown status or a group as claimant is refused', async () => {
    const { records } = await producedValues()
    const record = records[0]!
    expect(InteractionSchema.safeParse({ ...record, version: 0 }).success).toBe(false)
    expect(InteractionSchema.safeParse({ ...record, status: 'withdrawn' }).success).toBe(false)
    expect(InteractionSchema.safeParse({ ...record, claimed_by: ops }).success).toBe(false)
  })

  it('InteractionSchema — each status has its own end-state fields, and a pending record none', async () => {
    const { records } = await producedValues()
    const [pending, completed] = [records[0]!, records[1]!]
    const at = '2026-04-21T10:00:00.000Z'
    expect(completed).toMatchObject({ status: 'completed', outcome: 'approved' })
    const paths = (value: unknown) => InteractionSchema.safeParse(value).error?.issues.map((issue) => issue.path.join('.'))
    expect(paths({ ...completed, completed_at: undefined })).toEqual(['completed_at'])
    expect(paths({ ...pending, status: 'expired' })).toEqual(['expired_at'])
    expect(paths({ ...pending, status: 'cancelled', cancelled_at: at })).toEqual(['cancelled_by'])
    for (const field of ['completed_at', 'expired_at', 'cancelled_at'] as const) expect(paths({ ...pending, [field]: at })).toEqual([field])
    expect(paths({ ...pending, outcome: 'approved' })).toEqual(['outcome'])
    expect(InteractionSchema.parse({ ...pending, status: 'expired', expired_at: at })).toMatchObject({ status: 'expired', expired_at: at })
  })

  it('OutboxEntrySchema and SignalSchema — negative attempts, an unknown status or a pending signal are refused', async () => {
    const { signals, entry } = await producedValues()
    expect(OutboxEntrySchema.safeParse({ ...entry, attempts: -1 }).success).toBe(false)
    expect(OutboxEntrySchema.safeParse({ ...entry, status: 'sent' }).success).toBe(false)
    expect(SignalSchema.safeParse({ ...signals[0], status: 'pending' }).success).toBe(false)
  })
})
