/**
 * Migration 004 on a populated database: an outbox written by migrations 1 to 3, every entry a
 * signal, reads back unchanged afterwards, and the same table takes notifications beside them.
 */
import type { OutboxEntry } from '@hitl/interactions'
import { migrate, MIGRATIONS, postgresStore } from '@hitl/interactions/postgres'
import { insertRecord, makeNotificationEntry, makeOutboxEntry, makeRecord, writeRecord } from '@hitl/interactions/testing'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool, freshSchemaName } from '../support/postgres.js'

const T0 = '2026-04-21T09:00:00.000Z'
const record = makeRecord({ project: 'acme', run_id: 'run_1', topic: 'gate', status: 'completed', completed_at: T0 })
const pending = makeOutboxEntry(record)
const dead: OutboxEntry = { ...makeOutboxEntry({ ...record, id: 'iact_dead' }), status: 'dead', attempts: 10, last_error: 'gone' }

let pool: pg.Pool
const schema = freshSchemaName()

beforeAll(async () => {
  pool = createPool()
  for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) {
    for (const statement of migration.statements(schema)) await pool.query(statement)
  }
  // Entries in the shape migration 1 defined, written as the store of that time wrote them.
  for (const entry of [pending, dead]) {
    await pool.query(
      `INSERT INTO ${schema}.outbox (id, signal, status, attempts, next_attempt_at, last_error, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.id,
        JSON.stringify('signal' in entry && entry.signal),
        entry.status,
        entry.attempts,
        entry.next_attempt_at,
        entry.last_error ?? null,
        entry.created_at,
      ],
    )
  }
  expect(await migrate(pool, { schema })).toEqual({ applied: [4] })
})
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await pool.end()
})

describe('migration 004 on a populated database', () => {
  it('outbox.list, lease — signal entries written before read back as they were, and are delivered as before', async () => {
    const store = postgresStore({ pool, schema, clock: 'service' })
    expect(await store.outbox.list({ status: 'pending', limit: 10 })).toEqual([pending])
    expect(await store.outbox.list({ status: 'dead', limit: 10 })).toEqual([dead])
    expect(await store.outbox.lease({ now: T0, limit: 10, lease: { owner: 'a', until: '2026-04-21T09:01:00.000Z' } })).toMatchObject([
      { id: pending.id, signal: 'signal' in pending && pending.signal, attempts: 1 },
    ])
  })

  it('modify — a notification entry is written beside them, in its own column', async () => {
    const store = postgresStore({ pool, schema, clock: 'service' })
    const assigned = await insertRecord(store, makeRecord({ project: 'acme' }))
    const entry = makeNotificationEntry(assigned)
    await writeRecord(store, { ...assigned, version: 2 }, { outbox: [entry] })
    expect((await store.outbox.list({ status: 'pending', limit: 10 })).find((e) => e.id === entry.id)).toEqual(entry)
    const { rows } = await pool.query(`SELECT signal, notification->>'kind' AS kind FROM ${schema}.outbox WHERE id = $1`, [entry.id])
    expect(rows).toEqual([{ signal: null, kind: 'assigned' }])
  })

  it('migrate — an entry carries exactly one of a signal and a notification; the statements run again change nothing', async () => {
    for (const statement of MIGRATIONS.find((m) => m.version === 4)!.statements(schema)) await pool.query(statement)
    const insert = (signal: string | null, notification: string | null) =>
      pool.query(
        `INSERT INTO ${schema}.outbox (id, signal, notification, status, attempts, next_attempt_at, created_at)
VALUES ($1, $2, $3, 'pending', 0, $4, $4)`,
        [`bad_${Math.random()}`, signal, notification, T0],
      )
    await expect(insert(null, null)).rejects.toThrow(/outbox_payload_check/)
    await expect(insert('{}', '{}')).rejects.toThrow(/outbox_payload_check/)
    expect(await postgresStore({ pool, schema }).outbox.list({ status: 'pending', limit: 10 })).toHaveLength(2)
  })
})
