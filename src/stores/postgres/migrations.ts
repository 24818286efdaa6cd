/**
 * The versioned schema of the PostgreSQL store and `migrate()`, which applies it. Each migration is
 * also shipped as `sql/<version>_<name>.sql` (rendered for the default schema `hitl`) for teams that
 * run migrations with their own tool; a test keeps the files equal to what `migrate()` runs.
 */
import { checkPool, checkSchema, DEFAULT_SCHEMA, inTransaction, type PgPool } from './pool.js'

/** One step of the schema; every statement is idempotent, so a half-known state is safe to re-run. */
export interface Migration {
  version: number
  name: string
  /** The statements, for the schema `s`, run in order in one transaction. */
  statements: (s: string) => string[]
}

/** Every migration, oldest first. Append only: a shipped migration never changes. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    statements: (s) => [
      `CREATE SCHEMA IF NOT EXISTS ${s}`,
      `CREATE TABLE IF NOT EXISTS ${s}.hitl_migrations (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
      // One column per record field, so the record is readable and queryable in SQL; ids sort
      // in byte order (COLLATE "C") to match the library's string order whatever the database locale.
      `CREATE TABLE IF NOT EXISTS ${s}.interactions (
  project text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'completed', 'expired')),
  type text NOT NULL,
  spec jsonb NOT NULL,
  target_type text NOT NULL CHECK (target_type IN ('member', 'agent', 'group')),
  target_id text NOT NULL,
  routing_policy text CHECK (routing_policy IN ('first_responder', 'all_members')),
  run_id text,
  topic text,
  title text,
  message text,
  metadata jsonb,
  requested_by jsonb,
  expires_at timestamptz,
  idempotency_key text,
  members jsonb,
  claimed_by jsonb,
  claimed_at timestamptz,
  responses jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz,
  expired_at timestamptz,
  version integer NOT NULL CHECK (version >= 1),
  sweep_claimed_until timestamptz,
  PRIMARY KEY (project, id)
)`,
      `CREATE UNIQUE INDEX IF NOT EXISTS interactions_idempotency_key_idx
  ON ${s}.interactions (project, idempotency_key) WHERE idempotency_key IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS interactions_due_idx
  ON ${s}.interactions (expires_at, project, id) WHERE status = 'pending' AND expires_at IS NOT NULL`,
      // One row per actor whose inbox a pending interaction appears in (the target, or each member
      // of a group), written in the record's transaction; docs/postgres.md says why not a GIN index.
      `CREATE TABLE IF NOT EXISTS ${s}.interaction_inbox (
  project text COLLATE "C" NOT NULL,
  actor_key text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  interaction_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (project, actor_key, created_at, interaction_id),
  FOREIGN KEY (project, interaction_id) REFERENCES ${s}.interactions (project, id) ON DELETE CASCADE
)`,
      `CREATE INDEX IF NOT EXISTS interaction_inbox_interaction_idx
  ON ${s}.interaction_inbox (project, interaction_id)`,
      `CREATE TABLE IF NOT EXISTS ${s}.outbox (
  id text COLLATE "C" PRIMARY KEY,
  signal jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  lease_owner text,
  lease_expires_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
)`,
      `CREATE INDEX IF NOT EXISTS outbox_due_idx
  ON ${s}.outbox (next_attempt_at, id) WHERE status = 'pending'`,
      `CREATE INDEX IF NOT EXISTS outbox_status_idx
  ON ${s}.outbox (status, id)`,
      `INSERT INTO ${s}.hitl_migrations (version) VALUES (1) ON CONFLICT (version) DO NOTHING`,
    ],
  },
  {
    version: 2,
    name: 'outbox_retention',
    statements: (s) => [
      // pruneSignals deletes the oldest delivered entries first without reading the others.
      `CREATE INDEX IF NOT EXISTS outbox_delivered_idx
  ON ${s}.outbox (delivered_at) WHERE status = 'delivered'`,
      `INSERT INTO ${s}.hitl_migrations (version) VALUES (2) ON CONFLICT (version) DO NOTHING`,
    ],
  },
  {
    version: 3,
    name: 'open_lifecycle',
    statements: (s) => [
      // Statuses and routing policies are the service's to define: a new one needs no migration.
      `ALTER TABLE ${s}.interactions DROP CONSTRAINT IF EXISTS interactions_status_check`,
      `ALTER TABLE ${s}.interactions DROP CONSTRAINT IF EXISTS interactions_routing_policy_check`,
      // Every record field without a column of its own (cancel_reason, outcome…), so a new field needs no migration.
      `ALTER TABLE ${s}.interactions ADD COLUMN IF NOT EXISTS extra jsonb`,
      `CREATE INDEX IF NOT EXISTS interactions_run_idx
  ON ${s}.interactions (project, run_id, created_at, id) WHERE run_id IS NOT NULL`,
      // When the sweep must next look at a record, as the service hands it over (an expiry today, a
      // claim timeout or a reminder later), in place of the sweep's own reading of expires_at.
      `ALTER TABLE ${s}.interactions ADD COLUMN IF NOT EXISTS wake_at timestamptz`,
      `UPDATE ${s}.interactions SET wake_at = expires_at WHERE status = 'pending' AND expires_at IS NOT NULL AND wake_at IS NULL`,
      `CREATE INDEX IF NOT EXISTS interactions_wake_idx ON ${s}.interactions (wake_at, project, id) WHERE wake_at IS NOT NULL`,
      `DROP INDEX IF EXISTS ${s}.interactions_due_idx`,
      // A completed approval now carries its outcome: approved when every response confirmed (one
      // response for a direct or first-responder one), as the routing policies decide it.
      `UPDATE ${s}.interactions SET extra = coalesce(extra, '{}') || jsonb_build_object('outcome',
    CASE WHEN jsonb_array_length(responses) > 0
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(responses) r WHERE (r->'value'->'confirmed') IS DISTINCT FROM 'true')
    THEN 'approved' ELSE 'rejected' END)
  WHERE status = 'completed' AND type = 'approval' AND NOT coalesce(extra ? 'outcome', false)`,
      // Append-only: the library inserts events, numbered from 1 per interaction, and never changes them.
      `CREATE TABLE IF NOT EXISTS ${s}.interaction_history (
  project text COLLATE "C" NOT NULL,
  interaction_id text COLLATE "C" NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  type text NOT NULL,
  at timestamptz NOT NULL,
  actor jsonb,
  data jsonb,
  PRIMARY KEY (project, interaction_id, seq),
  FOREIGN KEY (project, interaction_id) REFERENCES ${s}.interactions (project, id) ON DELETE CASCADE
)`,
      // Inbox rows used to list everyone the record targets, with the claim and all-members rules
      // applied at read time; they now list who may act now, as the service hands them over.
      `DELETE FROM ${s}.interaction_inbox x
USING ${s}.interactions i
WHERE i.project = x.project AND i.id = x.interaction_id
  AND (
    i.status <> 'pending'
    OR (i.routing_policy = 'all_members'
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(i.responses) r WHERE x.actor_key = (r->'actor'->>'type') || ':' || (r->'actor'->>'id')))
    OR (i.routing_policy IS DISTINCT FROM 'all_members' AND i.claimed_by IS NOT NULL
      AND x.actor_key <> (i.claimed_by->>'type') || ':' || (i.claimed_by->>'id'))
  )`,
      // The history of interactions written before it existed, told from their columns, in time order,
      // each event as the service writes it (a response's value and comment in its data).
      `INSERT INTO ${s}.interaction_history (project, interaction_id, seq, type, at, actor, data)
SELECT e.project, e.id, row_number() OVER (PARTITION BY e.project, e.id ORDER BY e.at, e.rank), e.type, e.at, e.actor, e.data
FROM (
  SELECT project, id, 'created' AS type, created_at AS at,
    CASE WHEN requested_by->>'type' <> 'group' THEN requested_by END AS actor, NULL::jsonb AS data, 0 AS rank
  FROM ${s}.interactions
  UNION ALL
  SELECT project, id, 'claimed', claimed_at, claimed_by, NULL, 1 FROM ${s}.interactions WHERE claimed_by IS NOT NULL AND claimed_at IS NOT NULL
  UNION ALL
  SELECT i.project, i.id, 'responded', (r.response->>'responded_at')::timestamptz, r.response->'actor',
    jsonb_build_object('value', r.response->'value')
      || CASE WHEN r.response ? 'comment' THEN jsonb_build_object('comment', r.response->'comment') ELSE '{}' END,
    1 + r.n
  FROM ${s}.interactions i, jsonb_array_elements(i.responses) WITH ORDINALITY AS r(response, n)
  UNION ALL
  SELECT project, id, 'completed', completed_at, NULL, CASE WHEN extra ? 'outcome' THEN jsonb_build_object('outcome', extra->'outcome') END,
    2147483647
  FROM ${s}.interactions WHERE completed_at IS NOT NULL
  UNION ALL
  SELECT project, id, 'expired', expired_at, NULL, NULL, 2147483647 FROM ${s}.interactions WHERE expired_at IS NOT NULL
) e
WHERE NOT EXISTS (SELECT 1 FROM ${s}.interaction_history h WHERE h.project = e.project AND h.interaction_id = e.id)`,
      `INSERT INTO ${s}.hitl_migrations (version) VALUES (3) ON CONFLICT (version) DO NOTHING`,
    ],
  },
  {
    version: 4,
    name: 'notifications',
    statements: (s) => [
      // An entry carries a signal or a notification, each readable in its own jsonb column; signal
      // entries written before stay as they are.
      `ALTER TABLE ${s}.outbox ADD COLUMN IF NOT EXISTS notification jsonb`,
      `ALTER TABLE ${s}.outbox ALTER COLUMN signal DROP NOT NULL`,
      `ALTER TABLE ${s}.outbox DROP CONSTRAINT IF EXISTS outbox_payload_check`,
      `ALTER TABLE ${s}.outbox ADD CONSTRAINT outbox_payload_check CHECK (num_nonnulls(signal, notification) = 1)`,
      `INSERT INTO ${s}.hitl_migrations (version) VALUES (4) ON CONFLICT (version) DO NOTHING`,
    ],
  },
]

/** The file name a migration is shipped under, e.g. `001_init.sql`. */
export const migrationFileName = (migration: Migration): string => `${String(migration.version).padStart(3, '0')}_${migration.name}.sql`

/** A migration as one SQL script for the given schema: the content of its file in `sql/` for `hitl`. */
export function migrationSql(migration: Migration, schema: string = DEFAULT_SCHEMA): string {
  const s = checkSchema(schema, 'migrationSql')
  const header = [
    `-- @hitl/interactions PostgreSQL store, migration ${migration.version} (${migration.name}), for the schema "${s}".`,
    '-- Applied by migrate(pool) from @hitl/interactions/postgres, or by your own migration tool: run it in one',
    '-- transaction. Every statement is idempotent, and it records itself in hitl_migrations, so migrate() skips it later.',
    `-- To use another schema, replace "${s}." throughout and pass the same name as postgresStore({ schema }).`,
  ]
  return `${header.join('\n')}\n\n${migration.statements(s).join(';\n\n')};\n`
}

// A fixed first key ('hitl' in ASCII) keeps our advisory locks apart from a host's own.
const LOCK_CLASS = 0x6869746c

/** FNV-1a, 32 bits, as a signed integer: the second advisory lock key, one per schema. */
function lockKey(schema: string): number {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(schema)) hash = Math.imul(hash ^ byte, 0x01000193)
  return hash | 0
}

/**
 * Creates or upgrades the store's tables in `schema` (default `hitl`); safe to run from many
 * instances at once, and a no-op when the schema is current.
 *
 * @example
 * import pg from 'pg'
 * import { migrate } from '@hitl/interactions/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const { applied } = await migrate(pool) // [1, 2, 3] the first time, [] after
 */
export async function migrate(pool: PgPool, options: { schema?: string } = {}): Promise<{ applied: number[] }> {
  const checkedPool = checkPool(pool, 'migrate')
  const schema = checkSchema(options.schema ?? DEFAULT_SCHEMA, 'migrate')
  return inTransaction(checkedPool, async (client) => {
    // Held until commit: a second instance waits here, then finds every version applied.
    await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [LOCK_CLASS, lockKey(schema)])
    const { rows: exists } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${schema}.hitl_migrations`])
    const done = new Set<number>()
    if (exists[0]?.present === true) {
      const { rows } = await client.query(`SELECT version FROM ${schema}.hitl_migrations`)
      for (const row of rows) done.add(Number(row.version))
    }
    const applied: number[] = []
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue
      for (const statement of migration.statements(schema)) await client.query(statement)
      applied.push(migration.version)
    }
    return { applied }
  })
}
