/**
 * Schema names: `postgresStore` and `migrate` write the name into SQL unquoted, so they refuse the
 * names PostgreSQL cannot take that way, and every name they accept works.
 */
import { callbackSignals, createInteractions, type Signal } from '@hitl/interactions'
import { MIGRATIONS, migrate, postgresStore } from '@hitl/interactions/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alice } from '../support/harness.js'
import { createPool } from '../support/postgres.js'

let pool: pg.Pool
beforeAll(() => {
  pool = createPool()
})
afterAll(() => pool.end())

const refusal = (act: () => unknown) => {
  try {
    act()
  } catch (error) {
    return error
  }
  return undefined
}

const runLinked = { type: 'approval', spec: { mode: 'confirm' }, run_id: 'run_1', topic: 'gate' } as const

describe('schema names', () => {
  it('postgresStore, migrate — a reserved word, a pg_ name or one that would need quotes is a configuration error naming schema', async () => {
    const names = ['user', 'select', 'order', 'left', 'system_user', 'pg_interactions', 'Hitl', 'hitl-prod', '1hitl', 'h'.repeat(64)]
    for (const schema of names) {
      const expected = { code: 'configuration', issues: [{ path: ['schema'], message: expect.any(String) }] }
      expect(
        refusal(() => postgresStore({ pool, schema })),
        schema,
      ).toMatchObject(expected)
      await expect(migrate(pool, { schema }), schema).rejects.toMatchObject(expected)
    }
    expect(refusal(() => postgresStore({ pool, schema: 'user' }))).toMatchObject({
      message: expect.stringMatching(/"user" is a reserved word/),
    })
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = ANY($1)', [names])
    expect(rows[0].n).toBe(0)
  })

  it('postgresStore — refuses every reserved key word of this server, and accepts every other key word, which works unquoted', async () => {
    const { rows } = await pool.query(`SELECT word, catcode IN ('R', 'T') AS reserved FROM pg_get_keywords()`)
    const client = await pool.connect()
    const wrong: string[] = []
    try {
      for (const { word, reserved } of rows as { word: string; reserved: boolean }[]) {
        const refused = refusal(() => postgresStore({ pool, schema: word })) !== undefined
        if (refused !== reserved) wrong.push(`${word}: ${refused ? 'refused' : 'accepted'}`)
        if (refused) continue
        // The shapes of statement the store and its migration write, rolled back.
        await client
          .query(`BEGIN; CREATE SCHEMA IF NOT EXISTS ${word}; CREATE TABLE ${word}.t (id int); SELECT i.id FROM ${word}.t i; ROLLBACK`)
          .catch(async (error: Error) => {
            wrong.push(`${word}: ${error.message}`)
            await client.query('ROLLBACK')
          })
      }
    } finally {
      client.release()
    }
    expect(wrong).toEqual([])
  })

  it('migrate, postgresStore — a key word that PostgreSQL takes unquoted works end to end as the schema', async () => {
    const schema = 'values'
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    try {
      expect(await migrate(pool, { schema })).toEqual({ applied: MIGRATIONS.map((migration) => migration.version) })
      const delivered: Signal[] = []
      const signals = callbackSignals((signal) => void delivered.push(signal))
      const interactions = createInteractions({ store: postgresStore({ pool, schema }), signals })
      const gate = await interactions.create('acme', { ...runLinked, target_actor: alice })
      expect((await interactions.inbox('acme', alice)).items.map((r) => r.id)).toEqual([gate.id])
      const done = await interactions.respond('acme', gate.id, { actor: alice, value: { confirmed: true } })
      expect(done.status).toBe('completed')
      expect(await interactions.expireDue()).toEqual({ expired: 0 })
      expect(await interactions.deliverSignals()).toEqual({ delivered: 0, retrying: 0, dead: 0 })
      expect(delivered.map((s) => s.idempotency_key)).toEqual([`${gate.id}:completed`])
      expect(await migrate(pool, { schema })).toEqual({ applied: [] })
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    }
  })
})
