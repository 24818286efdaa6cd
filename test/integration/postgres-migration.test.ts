/**
 * Migration 003 on a populated database: a schema built by migrations 1 and 2 and filled in their
 * shape is brought to the open lifecycle's — inbox rows list who may act now, every interaction has
 * a history told from its columns — and the new store reads and writes it.
 */
import type { Interaction } from '@hitl/interactions'
import { actorKey } from '@hitl/interactions/adapter'
import { migrate, MIGRATIONS, postgresStore } from '@hitl/interactions/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool, freshSchemaName } from '../support/postgres.js'

const alice = { type: 'member', id: 'user_alice' } as const
const bob = { type: 'member', id: 'user_bob' } as const
const carol = { type: 'member', id: 'user_carol' } as const
const ops = { type: 'group', id: 'group_ops' } as const
const at = (minutes: number) => new Date(Date.parse('2026-04-21T09:00:00.000Z') + minutes * 60_000).toISOString()
const yes = { confirmed: true }

/** Records as the service of migrations 1 and 2 wrote them. */
const before: Record<string, Interaction> = {
  direct: {
    id: 'iact_direct',
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: alice,
    status: 'pending',
    responses: [],
    expires_at: at(60),
    created_at: at(0),
    updated_at: at(0),
    version: 1,
  },
  claimed: {
    id: 'iact_claimed',
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: ops,
    routing_policy: 'first_responder',
    requested_by: { type: 'agent', id: 'planner' },
    members: [alice, bob, carol],
    claimed_by: bob,
    claimed_at: at(2),
    status: 'pending',
    responses: [],
    created_at: at(1),
    updated_at: at(2),
    version: 2,
  },
  voting: {
    id: 'iact_voting',
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: ops,
    routing_policy: 'all_members',
    requested_by: ops,
    members: [alice, bob, carol],
    status: 'pending',
    responses: [{ actor: alice, value: yes, comment: 'fine by me', responded_at: at(4) }],
    created_at: at(3),
    updated_at: at(4),
    version: 2,
  },
  completed: {
    id: 'iact_completed',
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: ops,
    members: [alice, bob],
    claimed_by: alice,
    claimed_at: at(6),
    status: 'completed',
    responses: [{ actor: alice, value: yes, responded_at: at(6) }],
    created_at: at(5),
    updated_at: at(6),
    completed_at: at(6),
    version: 2,
    run_id: 'run_1',
    topic: 'gate',
  },
  vetoed: {
    id: 'iact_vetoed',
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: ops,
    routing_policy: 'all_members',
    members: [alice, bob],
    status: 'completed',
    responses: [
      { actor: alice, value: yes, responded_at: at(6) },
      { actor: bob, value: { confirmed: false }, responded_at: at(7) },
    ],
    created_at: at(5),
    updated_at: at(7),
    completed_at: at(7),
    version: 3,
  },
  expired: {
    id: 'iact_expired',
    project: 'acme',
    type: 'approval',
    spec: { mode: 'confirm' },
    target_actor: alice,
    status: 'expired',
    responses: [],
    expires_at: at(8),
    created_at: at(7),
    updated_at: at(8),
    expired_at: at(8),
    version: 2,
  },
}

/** The inbox rows migration 1 kept: every target or member, for as long as the interaction was pending. */
const oldInboxRows: [string, string][] = [
  ['iact_direct', actorKey(alice)],
  ...[alice, bob, carol].flatMap((member): [string, string][] => [
    ['iact_claimed', actorKey(member)],
    ['iact_voting', actorKey(member)],
  ]),
  // A row left behind by an ended interaction: the rebuild drops it too.
  ['iact_completed', actorKey(bob)],
]

let pool: pg.Pool
const schema = freshSchemaName()

beforeAll(async () => {
  pool = createPool()
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2))
      for (const statement of migration.statements(schema)) await client.query(statement)
    for (const r of Object.values(before)) {
      const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value))
      await client.query(
        `INSERT INTO ${schema}.interactions (project, id, status, type, spec, target_type, target_id, routing_policy, run_id, topic, requested_by,
  expires_at, members, claimed_by, claimed_at, responses, created_at, updated_at, completed_at, expired_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
        [
          r.project,
          r.id,
          r.status,
          r.type,
          json(r.spec),
          r.target_actor.type,
          r.target_actor.id,
          r.routing_policy ?? null,
          r.run_id ?? null,
          r.topic ?? null,
          json(r.requested_by),
          r.expires_at ?? null,
          json(r.members),
          json(r.claimed_by),
          r.claimed_at ?? null,
          json(r.responses),
          r.created_at,
          r.updated_at,
          r.completed_at ?? null,
          r.expired_at ?? null,
          r.version,
        ],
      )
    }
    for (const [id, key] of oldInboxRows) {
      await client.query(
        `INSERT INTO ${schema}.interaction_inbox (project, actor_key, created_at, interaction_id) SELECT project, $2, created_at, id FROM ${schema}.interactions WHERE id = $1`,
        [id, key],
      )
    }
    await client.query('COMMIT')
  } finally {
    client.release()
  }
  expect(await migrate(pool, { schema })).toEqual({ applied: [3, 4] })
})
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await pool.end()
})

const inboxOf = async (id: string) =>
  (await pool.query(`SELECT actor_key FROM ${schema}.interaction_inbox WHERE interaction_id = $1 ORDER BY actor_key`, [id])).rows.map(
    (row) => row.actor_key,
  )

describe('migration 003 on a populated database', () => {
  it('migrate — inbox rows become who may act now: the claimant of a claim, the members yet to answer, nobody once ended', async () => {
    expect(await inboxOf('iact_direct')).toEqual([actorKey(alice)])
    expect(await inboxOf('iact_claimed')).toEqual([actorKey(bob)])
    expect(await inboxOf('iact_voting')).toEqual([actorKey(bob), actorKey(carol)])
    expect(await inboxOf('iact_completed')).toEqual([])
    expect(await inboxOf('iact_expired')).toEqual([])
  })

  it('migrate — every interaction gets its history from its columns, numbered in time order', async () => {
    const store = postgresStore({ pool, schema, clock: 'service' })
    const history = async (id: string) => store.history({ project: 'acme', id })
    expect(await history('iact_direct')).toEqual([{ seq: 1, type: 'created', at: at(0) }])
    expect(await history('iact_claimed')).toEqual([
      { seq: 1, type: 'created', at: at(1), actor: { type: 'agent', id: 'planner' } },
      { seq: 2, type: 'claimed', at: at(2), actor: bob },
    ])
    expect(await history('iact_voting')).toEqual([
      { seq: 1, type: 'created', at: at(3) },
      { seq: 2, type: 'responded', at: at(4), actor: alice, data: { value: yes, comment: 'fine by me' } },
    ])
    // A claim and a response at the same instant: the claim comes first, the end last.
    expect(await history('iact_completed')).toEqual([
      { seq: 1, type: 'created', at: at(5) },
      { seq: 2, type: 'claimed', at: at(6), actor: alice },
      { seq: 3, type: 'responded', at: at(6), actor: alice, data: { value: yes } },
      { seq: 4, type: 'completed', at: at(6), data: { outcome: 'approved' } },
    ])
    expect((await history('iact_vetoed')).at(-1)).toEqual({ seq: 4, type: 'completed', at: at(7), data: { outcome: 'rejected' } })
    expect(await history('iact_expired')).toEqual([
      { seq: 1, type: 'created', at: at(7) },
      { seq: 2, type: 'expired', at: at(8) },
    ])
  })

  it('migrate — its statements run again change nothing', async () => {
    const snapshot = () => pool.query(`SELECT * FROM ${schema}.interaction_history ORDER BY interaction_id, seq`).then(({ rows }) => rows)
    const inbox = () => pool.query(`SELECT * FROM ${schema}.interaction_inbox ORDER BY interaction_id, actor_key`).then(({ rows }) => rows)
    const [history, rows] = [await snapshot(), await inbox()]
    for (const statement of MIGRATIONS.find((m) => m.version === 3)!.statements(schema)) await pool.query(statement)
    expect(await snapshot()).toEqual(history)
    expect(await inbox()).toEqual(rows)
  })

  it('get, inbox, modify — the new store reads the migrated records as they were, and writes after their history', async () => {
    const store = postgresStore({ pool, schema, clock: 'service' })
    // A completed approval gains the outcome its routing policy gives it; nothing else changes.
    const outcomes: Record<string, 'approved' | 'rejected'> = { iact_completed: 'approved', iact_vetoed: 'rejected' }
    for (const r of Object.values(before)) {
      const outcome = outcomes[r.id]
      expect(await store.get({ project: 'acme', id: r.id })).toStrictEqual(outcome ? { ...r, outcome } : r)
    }
    // The sweep finds a pending record at its expiry, as the service would have scheduled it.
    expect((await store.due({ now: at(59), limit: 10, claimUntil: at(59) })).map((r) => r.id)).toEqual([])
    expect((await store.due({ now: at(60), limit: 10, claimUntil: at(60) })).map((r) => r.id)).toEqual(['iact_direct'])
    const inboxIds = async (actor: { type: string; id: string }) =>
      (await store.inbox({ project: 'acme', actorKey: `${actor.type}:${actor.id}`, now: at(10), limit: 10 })).map((r) => r.id)
    expect(await inboxIds(alice)).toEqual(['iact_direct'])
    expect(await inboxIds(bob)).toEqual(['iact_claimed', 'iact_voting'])
    expect(await inboxIds(carol)).toEqual(['iact_voting'])

    // A release of the claim, as the service would write it: back in every member's inbox, event 3.
    const { claimed_by: _claimant, claimed_at: _claimedAt, ...released } = before.claimed!
    await store.modify({
      project: 'acme',
      id: 'iact_claimed',
      decide: () => ({
        result: undefined,
        write: {
          record: { ...released, updated_at: at(9), version: 3 },
          inbox: [alice, bob, carol].map(actorKey),
          events: [{ type: 'released', at: at(9), actor: bob }],
        },
      }),
    })
    expect(await inboxIds(carol)).toEqual(['iact_claimed', 'iact_voting'])
    expect((await store.history({ project: 'acme', id: 'iact_claimed' })).at(-1)).toEqual({
      seq: 3,
      type: 'released',
      at: at(9),
      actor: bob,
    })
    // Only the checks on target_type and version remain: statuses and policies are the service's to define.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = '${schema}.interactions'::regclass AND contype = 'c'`,
    )
    expect(rows[0].n).toBe(2) // target_type and version
  })
})
