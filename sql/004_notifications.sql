-- @hitl/interactions PostgreSQL store, migration 4 (notifications), for the schema "hitl".
-- Applied by migrate(pool) from @hitl/interactions/postgres, or by your own migration tool: run it in one
-- transaction. Every statement is idempotent, and it records itself in hitl_migrations, so migrate() skips it later.
-- To use another schema, replace "hitl." throughout and pass the same name as postgresStore({ schema }).

ALTER TABLE hitl.outbox ADD COLUMN IF NOT EXISTS notification jsonb;

ALTER TABLE hitl.outbox ALTER COLUMN signal DROP NOT NULL;

ALTER TABLE hitl.outbox DROP CONSTRAINT IF EXISTS outbox_payload_check;

ALTER TABLE hitl.outbox ADD CONSTRAINT outbox_payload_check CHECK (num_nonnulls(signal, notification) = 1);

INSERT INTO hitl.hitl_migrations (version) VALUES (4) ON CONFLICT (version) DO NOTHING;
