/**
 * Fills a scratch schema with 100 000 interactions (plus their inbox rows and outbox entries)
 * and prints EXPLAIN (ANALYZE, BUFFERS) for the queries the PostgreSQL store runs most: the inbox
 * page, a run's interactions, the sweep of what is due and the signal lease. The output is pasted into docs/postgres.md.
 *
 *   npx tsx --conditions=@hitl/source bench/postgres-explain.ts
 *
 * Uses DATABASE_URL when set, else starts a throwaway cluster as the tests do. The scratch schema
 * is dropped at the end.
 */
import { InteractionSchema, type InteractionStore } from '@hitl/interactions'
import { migrate, postgresStore, type PgPool } from '@hitl/interactions/postgres'
import pg from 'pg'
import startTestDatabase from '../test/support/postgres-global-setup.js'

const ROWS = 100_000
/** Of which pending for one busy agent, whose inbox is long. */
const BUSY = 5_000
const NOW = '2026-04-21T12:00:00.000Z'

let url = process.env.DATABASE_URL
const stop = url ? undefined : await startTestDatabase({ provide: (_key: string, value: string) => void (url = value) } as never)
const pool = new pg.Pool({ connectionString: url })
const schema = `explain_${Date.now().toString(36)}`

try {
  await migrate(pool, { schema })
  const s = schema
  const started = performance.now()
  // Ten projects (p) of 200 members, 10 000 interactions each (h numbers them within the project).
  // A quarter target a group of 20 members (half first-responder, half all-members), the rest one
  // member. 30 % are pending, due in a week, except one in a hundred that is overdue and waits for
  // the sweep; a finished one had a deadline every other time.
  await pool.query(`
INSERT INTO ${s}.interactions (project, id, status, type, spec, target_type, target_id, routing_policy, run_id, topic,
  members, responses, created_at, updated_at, expires_at, completed_at, expired_at, version)
SELECT
  'project_' || p,
  'iact_' || lpad(g::text, 8, '0'),
  CASE WHEN h % 10 < 3 THEN 'pending' WHEN h % 10 < 9 THEN 'completed' ELSE 'expired' END,
  'approval', '{"mode":"confirm"}',
  CASE WHEN h % 4 = 0 THEN 'group' ELSE 'member' END,
  CASE WHEN h % 4 = 0 THEN 'group_' || (h % 50) ELSE 'user_' || ((h * 7919) % 200) END,
  CASE WHEN h % 4 = 0 THEN CASE WHEN h % 8 = 0 THEN 'all_members' ELSE 'first_responder' END END,
  'run_' || g, 'gate',
  CASE WHEN h % 4 = 0 THEN (SELECT jsonb_agg(jsonb_build_object('type', 'member', 'id', 'user_' || ((h * 13 + k * 17) % 200))) FROM generate_series(0, 19) k) END,
  '[]',
  ts, ts,
  CASE WHEN h % 10 < 3 THEN ts + CASE WHEN h % 100 = 0 THEN interval '1 hour' ELSE interval '7 days' END
       WHEN h % 2 = 0 THEN ts + interval '3 days' END,
  CASE WHEN h % 10 BETWEEN 3 AND 8 THEN ts + interval '1 hour' END,
  CASE WHEN h % 10 = 9 THEN ts + interval '3 days' END,
  CASE WHEN h % 10 < 3 THEN 1 ELSE 2 END
FROM generate_series(1, ${ROWS - BUSY}) g,
  LATERAL (SELECT g % 10 AS p, g / 10 AS h, timestamptz '${NOW}' - interval '6 days' + g * interval '5 seconds' AS ts) v`)
  await pool.query(`
INSERT INTO ${s}.interactions (project, id, status, type, spec, target_type, target_id, responses, created_at, updated_at, expires_at, version)
SELECT 'project_2', 'iact_busy_' || lpad(g::text, 5, '0'), 'pending', 'review',
  '{"mode":"select","options":[{"value":"ok","label":"OK"},{"value":"no","label":"No"}]}',
  'agent', 'agent_triage', '[]', ts, ts, ts + interval '7 days', 1
FROM generate_series(1, ${BUSY}) g, LATERAL (SELECT timestamptz '${NOW}' - interval '6 days' + g * interval '90 seconds' AS ts) v`)
  // A pending interaction's wake-up is its expiry, as the service writes it.
  await pool.query(`UPDATE ${s}.interactions SET wake_at = expires_at WHERE status = 'pending'`)
  // The inbox rows the store keeps for pending interactions: the target, or each group member.
  await pool.query(`
INSERT INTO ${s}.interaction_inbox (project, actor_key, created_at, interaction_id)
SELECT project, 'member:' || (m->>'id'), created_at, id FROM ${s}.interactions, jsonb_array_elements(members) m
WHERE status = 'pending' AND target_type = 'group'
UNION ALL
SELECT project, target_type || ':' || target_id, created_at, id FROM ${s}.interactions
WHERE status = 'pending' AND target_type <> 'group'`)
  // An outbox entry per finished interaction: most delivered, some waiting for a retry, a few dead.
  await pool.query(`
INSERT INTO ${s}.outbox (id, signal, status, attempts, next_attempt_at, last_error, created_at, delivered_at)
SELECT id || ':' || status,
  jsonb_build_object('interaction_id', id, 'project', project, 'run_id', run_id, 'topic', topic, 'status', status, 'responses', responses, 'idempotency_key', id || ':' || status),
  CASE WHEN n % 50 = 0 THEN 'pending' WHEN n % 97 = 0 THEN 'dead' ELSE 'delivered' END,
  CASE WHEN n % 50 = 0 THEN 3 WHEN n % 97 = 0 THEN 10 ELSE 1 END,
  updated_at + CASE WHEN n % 50 = 0 THEN (n % 7200) * interval '1 minute' ELSE interval '0' END,
  CASE WHEN n % 50 = 0 OR n % 97 = 0 THEN 'HTTP 503' END,
  updated_at,
  CASE WHEN n % 50 <> 0 AND n % 97 <> 0 THEN updated_at END
FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM ${s}.interactions WHERE status <> 'pending') finished`)
  await pool.query(`VACUUM ANALYZE ${s}.interactions, ${s}.interaction_inbox, ${s}.outbox`)
  const counts = (
    await pool.query(`SELECT
  (SELECT count(*) FROM ${s}.interactions) AS interactions,
  (SELECT count(*) FROM ${s}.interactions WHERE status = 'pending') AS pending,
  (SELECT count(*) FROM ${s}.interaction_inbox) AS inbox_rows,
  (SELECT count(*) FROM ${s}.outbox) AS outbox,
  (SELECT count(*) FROM ${s}.outbox WHERE status = 'pending') AS outbox_pending`)
  ).rows[0]
  console.log(`-- seeded in ${Math.round(performance.now() - started)} ms:`, counts)

  // The rows read back as valid records through the store.
  const store = postgresStore({ pool, schema })
  const { rows: sample } = await pool.query(
    `SELECT project, id FROM ${s}.interactions WHERE id IN ('iact_00000004', 'iact_00000007', 'iact_00000010')`,
  )
  for (const { project, id } of sample) InteractionSchema.parse(await store.get({ project, id }))

  /** Captures the statement `call` makes through a store (without running it), then explains it. */
  async function explain(title: string, call: (store: InteractionStore) => Promise<unknown>) {
    let captured: { text: string; values: unknown[] } | undefined
    const recording: PgPool = {
      query: async (statement, values = []) => {
        captured = typeof statement === 'string' ? { text: statement, values } : statement
        return { rows: [], rowCount: 0 }
      },
      connect: () => pool.connect(),
    }
    await call(postgresStore({ pool: recording, schema }))
    const client = await pool.connect()
    try {
      // In a transaction that is rolled back, so a lease or a lock leaves nothing behind.
      await client.query('BEGIN')
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${captured!.text}`, captured!.values)
      await client.query('ROLLBACK')
      console.log(`\n-- ${title}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`)
    } finally {
      client.release()
    }
  }

  const member = 'member:user_42'
  await explain('inbox: first page of 21 for one member', (st) => st.inbox({ project: 'project_2', actorKey: member, now: NOW, limit: 21 }))
  const first = await store.inbox({ project: 'project_2', actorKey: member, now: NOW, limit: 21 })
  const after = first.at(-1)
  if (after) {
    await explain('inbox: the next page, resumed after the last item', (st) =>
      st.inbox({ project: 'project_2', actorKey: member, now: NOW, limit: 21, after: { created_at: after.created_at, id: after.id } }),
    )
  }
  await explain(`inbox: first page of 21 for an agent with ${BUSY} pending`, (st) =>
    st.inbox({ project: 'project_2', actorKey: 'agent:agent_triage', now: NOW, limit: 21 }),
  )
  await explain('due: a sweep of 100', (st) => st.due({ now: NOW, limit: 100, claimUntil: NOW }))
  await explain('runInteractions: the pending interactions of one run', (st) =>
    st.runInteractions({ project: 'project_2', run_id: 'run_1002', status: 'pending', limit: 100 }),
  )
  // The service leases one entry right before each send, so this is the lease it takes.
  await explain('outbox.lease: the next entry due', (st) =>
    st.outbox.lease({ now: NOW, limit: 1, lease: { owner: 'explain', until: '2026-04-21T12:01:00.000Z' } }),
  )
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await pool.end()
  await stop?.()
}
