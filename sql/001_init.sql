-- @hitl/interactions PostgreSQL store, migration 1 (init), for the schema "hitl".
-- Applied by migrate(pool) from @hitl/interactions/postgres, or by your own migration tool: run it in one
-- transaction. Every statement is idempotent, and it records itself in hitl_migrations, so migrate() skips it later.
-- To use another schema, replace "hitl." throughout and pass the same name as postgresStore({ schema }).

CREATE SCHEMA IF NOT EXISTS hitl;

CREATE TABLE IF NOT EXISTS hitl.hitl_migrations (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS hitl.interactions (
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
);

CREATE UNIQUE INDEX IF NOT EXISTS interactions_idempotency_key_idx
  ON hitl.interactions (project, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE INDEX IF NOT EXISTS interactions_due_idx
  ON hitl.interactions (expires_at, project, id) WHERE status = 'pending' AND expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS hitl.interaction_inbox (
  project text COLLATE "C" NOT NULL,
  actor_key text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  interaction_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (project, actor_key, created_at, interaction_id),
  FOREIGN KEY (project, interaction_id) REFERENCES hitl.interactions (project, id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS interaction_inbox_interaction_idx
  ON hitl.interaction_inbox (project, interaction_id);

CREATE TABLE IF NOT EXISTS hitl.outbox (
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
);

CREATE INDEX IF NOT EXISTS outbox_due_idx
  ON hitl.outbox (next_attempt_at, id) WHERE status = 'pending';

CREATE INDEX IF NOT EXISTS outbox_status_idx
  ON hitl.outbox (status, id);

INSERT INTO hitl.hitl_migrations (version) VALUES (1) ON CONFLICT (version) DO NOTHING;
