-- Every statement lockbox sends, in one place: the server embeds this file
-- at build time and the benchmark feeds the same text to pgbench.
--
-- "-- name: NAME" starts a statement. "-- plan: each" marks one whose best
-- plan depends on its parameters (see NOTES on generic plans): it is sent
-- unnamed and planned on every execution. "-- retry: yes" marks a read that
-- may be re-sent once on a fresh connection after the old one died.

-- name: ping
-- retry: yes
SELECT 1

-- name: api_key_by_prefix
-- retry: yes
SELECT id, key_hash, scope, revoked_at IS NOT NULL
  FROM lockbox.api_keys
 WHERE prefix = $1

-- name: api_key_insert
INSERT INTO lockbox.api_keys (name, prefix, key_hash, scope)
VALUES ($1, $2, $3, $4)
RETURNING id

-- name: api_key_list
SELECT id, prefix, name, scope,
       CASE WHEN revoked_at IS NULL THEN 'active' ELSE 'revoked' END,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM lockbox.api_keys
 ORDER BY id

-- name: api_key_revoke
UPDATE lockbox.api_keys
   SET revoked_at = coalesce(revoked_at, now())
 WHERE id = $1
RETURNING id

-- name: migrate_lock
SELECT pg_advisory_xact_lock(7362581902345101)

-- name: migrate_bootstrap
SET LOCAL client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS lockbox;
COMMENT ON SCHEMA lockbox IS 'lockbox: encrypted secrets, API key hashes and idempotency records.';
CREATE TABLE IF NOT EXISTS lockbox.schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE lockbox.schema_migrations IS 'Which sql/NNN_*.sql files "lockboxctl migrate" has applied.';
COMMENT ON COLUMN lockbox.schema_migrations.version IS 'The NNN of the migration file.';
COMMENT ON COLUMN lockbox.schema_migrations.name IS 'The migration file name without .sql.';
COMMENT ON COLUMN lockbox.schema_migrations.applied_at IS 'When it was applied.';

-- name: migrate_applied
SELECT version FROM lockbox.schema_migrations

-- name: migrate_record
INSERT INTO lockbox.schema_migrations (version, name) VALUES ($1, $2)
