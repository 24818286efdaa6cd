-- @hitl/interactions PostgreSQL store, migration 2 (outbox_retention), for the schema "hitl".
-- Applied by migrate(pool) from @hitl/interactions/postgres, or by your own migration tool: run it in one
-- transaction. Every statement is idempotent, and it records itself in hitl_migrations, so migrate() skips it later.
-- To use another schema, replace "hitl." throughout and pass the same name as postgresStore({ schema }).

CREATE INDEX IF NOT EXISTS outbox_delivered_idx
  ON hitl.outbox (delivered_at) WHERE status = 'delivered';

INSERT INTO hitl.hitl_migrations (version) VALUES (2) ON CONFLICT (version) DO NOTHING;
