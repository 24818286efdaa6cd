-- @hitl/interactions PostgreSQL store, migration 3 (open_lifecycle), for the schema "hitl".
-- Applied by migrate(pool) from @hitl/interactions/postgres, or by your own migration tool: run it in one
-- transaction. Every statement is idempotent, and it records itself in hitl_migrations, so migrate() skips it later.
-- To use another schema, replace "hitl." throughout and pass the same name as postgresStore({ schema }).

ALTER TABLE hitl.interactions DROP CONSTRAINT IF EXISTS interactions_status_check;

ALTER TABLE hitl.interactions DROP CONSTRAINT IF EXISTS interactions_routing_policy_check;

ALTER TABLE hitl.interactions ADD COLUMN IF NOT EXISTS extra jsonb;

CREATE INDEX IF NOT EXISTS interactions_run_idx
  ON hitl.interactions (project, run_id, created_at, id) WHERE run_id IS NOT NULL;

ALTER TABLE hitl.interactions ADD COLUMN IF NOT EXISTS wake_at timestamptz;

UPDATE hitl.interactions SET wake_at = expires_at WHERE status = 'pending' AND expires_at IS NOT NULL AND wake_at IS NULL;

CREATE INDEX IF NOT EXISTS interactions_wake_idx ON hitl.interactions (wake_at, project, id) WHERE wake_at IS NOT NULL;

DROP INDEX IF EXISTS hitl.interactions_due_idx;

UPDATE hitl.interactions SET extra = coalesce(extra, '{}') || jsonb_build_object('outcome',
    CASE WHEN jsonb_array_length(responses) > 0
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(responses) r WHERE (r->'value'->'confirmed') IS DISTINCT FROM 'true')
    THEN 'approved' ELSE 'rejected' END)
  WHERE status = 'completed' AND type = 'approval' AND NOT coalesce(extra ? 'outcome', false);

CREATE TABLE IF NOT EXISTS hitl.interaction_history (
  project text COLLATE "C" NOT NULL,
  interaction_id text COLLATE "C" NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  type text NOT NULL,
  at timestamptz NOT NULL,
  actor jsonb,
  data jsonb,
  PRIMARY KEY (project, interaction_id, seq),
  FOREIGN KEY (project, interaction_id) REFERENCES hitl.interactions (project, id) ON DELETE CASCADE
);

DELETE FROM hitl.interaction_inbox x
USING hitl.interactions i
WHERE i.project = x.project AND i.id = x.interaction_id
  AND (
    i.status <> 'pending'
    OR (i.routing_policy = 'all_members'
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(i.responses) r WHERE x.actor_key = (r->'actor'->>'type') || ':' || (r->'actor'->>'id')))
    OR (i.routing_policy IS DISTINCT FROM 'all_members' AND i.claimed_by IS NOT NULL
      AND x.actor_key <> (i.claimed_by->>'type') || ':' || (i.claimed_by->>'id'))
  );

INSERT INTO hitl.interaction_history (project, interaction_id, seq, type, at, actor, data)
SELECT e.project, e.id, row_number() OVER (PARTITION BY e.project, e.id ORDER BY e.at, e.rank), e.type, e.at, e.actor, e.data
FROM (
  SELECT project, id, 'created' AS type, created_at AS at,
    CASE WHEN requested_by->>'type' <> 'group' THEN requested_by END AS actor, NULL::jsonb AS data, 0 AS rank
  FROM hitl.interactions
  UNION ALL
  SELECT project, id, 'claimed', claimed_at, claimed_by, NULL, 1 FROM hitl.interactions WHERE claimed_by IS NOT NULL AND claimed_at IS NOT NULL
  UNION ALL
  SELECT i.project, i.id, 'responded', (r.response->>'responded_at')::timestamptz, r.response->'actor',
    jsonb_build_object('value', r.response->'value')
      || CASE WHEN r.response ? 'comment' THEN jsonb_build_object('comment', r.response->'comment') ELSE '{}' END,
    1 + r.n
  FROM hitl.interactions i, jsonb_array_elements(i.responses) WITH ORDINALITY AS r(response, n)
  UNION ALL
  SELECT project, id, 'completed', completed_at, NULL, CASE WHEN extra ? 'outcome' THEN jsonb_build_object('outcome', extra->'outcome') END,
    2147483647
  FROM hitl.interactions WHERE completed_at IS NOT NULL
  UNION ALL
  SELECT project, id, 'expired', expired_at, NULL, NULL, 2147483647 FROM hitl.interactions WHERE expired_at IS NOT NULL
) e
WHERE NOT EXISTS (SELECT 1 FROM hitl.interaction_history h WHERE h.project = e.project AND h.interaction_id = e.id);

INSERT INTO hitl.hitl_migrations (version) VALUES (3) ON CONFLICT (version) DO NOTHING;
