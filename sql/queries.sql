-- Every statement lockbox sends, in one place: the server embeds this file
-- at build time and the benchmark feeds the same text to pgbench.
--
-- "-- name: NAME" starts a statement. "-- plan: each" marks one whose best
-- plan depends on its parameters (see NOTES on generic plans): it is sent
-- unnamed and planned on every execution. "-- retry: yes" marks a read that
-- may be re-sent once on a fresh connection after the old one died.

-- name: session_setup
-- Once per connection. Index pages are cached or on SSD: at the default
-- random_page_cost (4) the planner sometimes reads a small provider's rows
-- by bitmap and sorts them all, so that its first page costs as much as
-- the provider is large; at 1.1 it walks (provider_slug, id) backwards and
-- stops after one page, like every other list statement.
SET random_page_cost = 1.1

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

-- name: secret_next_id
-- The id is taken before the insert because the ciphertext's additional
-- data binds it; the time is the database's, formatted as the API shows it.
SELECT nextval('lockbox.secrets_id_seq'),
       lockbox.api_time(now())

-- name: secret_insert
INSERT INTO lockbox.secrets
       (id, name, provider_slug, description, metadata, key_id, nonce,
        ciphertext, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)

-- name: secret_insert_idempotent
-- One statement, so the secret and its idempotency record commit or fail
-- together; a concurrent request with the same key waits on the unique
-- index and then sees this one's record.
WITH s AS (
    INSERT INTO lockbox.secrets
           (id, name, provider_slug, description, metadata, key_id, nonce,
            ciphertext, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
    RETURNING id
)
INSERT INTO lockbox.idempotency_keys
       (api_key_id, idempotency_key, fingerprint, fingerprint_key_id,
        secret_id, response_status, response_body)
SELECT $10, $11, $12, $13, s.id, 201, $14 FROM s

-- name: idempotency_find
SELECT fingerprint, fingerprint_key_id, secret_id, response_status,
       response_body, created_at > now() - make_interval(secs => $3)
  FROM lockbox.idempotency_keys
 WHERE api_key_id = $1 AND idempotency_key = $2

-- name: idempotency_forget_expired
DELETE FROM lockbox.idempotency_keys
 WHERE api_key_id = $1 AND idempotency_key = $2
   AND created_at <= now() - make_interval(secs => $3)

-- name: idempotency_purge
-- In small batches, skipping rows another purger holds: workers on every
-- host run this between requests.
DELETE FROM lockbox.idempotency_keys
 WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM lockbox.idempotency_keys
        WHERE created_at <= now() - make_interval(secs => $1)
        LIMIT 1000
          FOR UPDATE SKIP LOCKED))

-- name: secret_get
-- retry: yes
SELECT id, name, provider_slug, description, metadata::text, version,
       lockbox.api_time(created_at), lockbox.api_time(updated_at),
       key_id, nonce, ciphertext
  FROM lockbox.secrets
 WHERE id = $1

-- name: secret_list
-- retry: yes
-- The inner LIMIT (the largest page, 100, plus the row that tells whether
-- another page exists) is a constant so that the planner prices the
-- generic plan right and keeps it: with only LIMIT $1 it assumes a tenth
-- of the table, keeps planning every execution, and planning (which
-- inlines api_time) costs more than the page. The scan still stops at
-- $1 rows.
SELECT id, name, provider_slug, description, metadata::text, version,
       lockbox.api_time(created_at), lockbox.api_time(updated_at)
  FROM (SELECT id, name, provider_slug, description, metadata, version,
               created_at, updated_at
          FROM lockbox.secrets
         ORDER BY id DESC
         LIMIT 101) page
 ORDER BY id DESC
 LIMIT $1

-- name: secret_list_after
-- retry: yes
-- The inner LIMIT: as in secret_list.
SELECT id, name, provider_slug, description, metadata::text, version,
       lockbox.api_time(created_at), lockbox.api_time(updated_at)
  FROM (SELECT id, name, provider_slug, description, metadata, version,
               created_at, updated_at
          FROM lockbox.secrets
         WHERE id < $1
         ORDER BY id DESC
         LIMIT 101) page
 ORDER BY id DESC
 LIMIT $2

-- name: secret_list_provider
-- plan: each
-- retry: yes
SELECT id, name, provider_slug, description, metadata::text, version,
       lockbox.api_time(created_at), lockbox.api_time(updated_at)
  FROM lockbox.secrets
 WHERE provider_slug = $1
 ORDER BY id DESC
 LIMIT $2

-- name: secret_list_provider_after
-- plan: each
-- retry: yes
SELECT id, name, provider_slug, description, metadata::text, version,
       lockbox.api_time(created_at), lockbox.api_time(updated_at)
  FROM lockbox.secrets
 WHERE provider_slug = $1 AND id < $2
 ORDER BY id DESC
 LIMIT $3

-- name: secret_update
-- A JSON Merge Patch in one statement: NULL parameters keep a column;
-- metadata loses the names in $9, then takes the members of $10; the row
-- is left alone when If-Match ($2) fails or the result would exceed 50
-- metadata members, and secret_update_why then tells which.
-- The last condition is the API key ($14 prefix, $15 SHA-256) that may
-- write: the worker sends this with the key lookup, before it has checked
-- the key itself (one round trip, not two), so the statement checks it
-- too, in the same transaction, and does nothing for any other key.
UPDATE lockbox.secrets
   SET name = coalesce($3, name),
       provider_slug = CASE WHEN $4::boolean THEN $5 ELSE provider_slug END,
       description = CASE WHEN $6::boolean THEN $7 ELSE description END,
       metadata = CASE WHEN $8::boolean THEN '{}'::jsonb
                       ELSE (metadata - $9::text[]) || $10::jsonb END,
       key_id = coalesce($11, key_id),
       nonce = coalesce($12, nonce),
       ciphertext = coalesce($13, ciphertext),
       version = version + 1,
       updated_at = now()
 WHERE id = $1
   AND ($2::bigint[] IS NULL OR version = ANY ($2::bigint[]))
   AND (SELECT count(*) FROM jsonb_object_keys(
            CASE WHEN $8::boolean THEN '{}'::jsonb
                 ELSE (metadata - $9::text[]) || $10::jsonb END)) <= 50
   AND EXISTS (SELECT FROM lockbox.api_keys
                WHERE prefix = $14 AND key_hash = $15
                  AND scope = 'write' AND revoked_at IS NULL)
RETURNING id, name, provider_slug, description, metadata::text, version,
       lockbox.api_time(created_at), lockbox.api_time(updated_at)

-- name: secret_update_why
SELECT $2::bigint[] IS NULL OR version = ANY ($2::bigint[]),
       (SELECT count(*) FROM jsonb_object_keys(
            CASE WHEN $3::boolean THEN '{}'::jsonb
                 ELSE (metadata - $4::text[]) || $5::jsonb END)) <= 50
  FROM lockbox.secrets
 WHERE id = $1

-- name: secret_delete
-- The API key's condition ($3, $4): as in secret_update.
DELETE FROM lockbox.secrets
 WHERE id = $1 AND ($2::bigint[] IS NULL OR version = ANY ($2::bigint[]))
   AND EXISTS (SELECT FROM lockbox.api_keys
                WHERE prefix = $3 AND key_hash = $4
                  AND scope = 'write' AND revoked_at IS NULL)
RETURNING id

-- name: secret_version
-- retry: yes
SELECT version FROM lockbox.secrets WHERE id = $1

-- name: rewrap_select
-- A batch of rows sealed with an older key, locked so that a concurrent
-- PATCH of the same secret waits for the batch to commit.
SELECT id, key_id, nonce, ciphertext
  FROM lockbox.secrets
 WHERE key_id <> $1
 ORDER BY id
 LIMIT 100
   FOR UPDATE SKIP LOCKED

-- name: rewrap_update
-- Not a change a client can see: version and updated_at stay.
UPDATE lockbox.secrets
   SET key_id = $2, nonce = $3, ciphertext = $4
 WHERE id = $1

-- name: rewrap_remaining
SELECT count(*) FROM lockbox.secrets WHERE key_id <> $1
