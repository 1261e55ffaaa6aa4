-- Every statement lockbox sends, in one place: the server embeds this file
-- at build time and the benchmark feeds the same text to pgbench.
--
-- "-- name: NAME" starts a statement. "-- plan: each" marks one whose best
-- plan depends on its parameters (a provider's page: what is best for a
-- provider of 5 rows is not for one of 50,000, and a generic plan would
-- serve both with one): it is sent unnamed and planned on every execution. "-- retry: yes" marks a read that
-- may be re-sent once on a fresh connection after the old one died.
--
-- "-- keyed: yes" marks a statement that checks the request's API key
-- itself: a route's first statement, which goes to the server in the same
-- round trip as the key lookup, before the worker has checked the key
-- (src/dispatch.c), and must read or change nothing for a key that may
-- not. Its last three parameters are the key's prefix, its keyed hash
-- under every key of the worker's ring (a bytea[]: the stored hash was
-- made under one of them) and the level the route needs; the condition is
-- the same EXISTS over lockbox.api_keys and its level column (what the key
-- may do now, sql/004_scopes.sql) in each: an uncorrelated EXISTS, one
-- index probe, a one-time filter in front of everything else.

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
-- hash_key_retired: whether rewrap retired the ring key that made the
-- hash (then a worker that checked the key moves its hash to the active
-- key; not before, as hosts not yet reloaded could no longer check it).
-- providers: NULL, or the text[] literal the worker hands back to the
-- statements it sends once the key is checked.
SELECT id, key_hash, hash_key_id, level, audit, providers::text AS providers,
       revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired,
       EXISTS (SELECT FROM lockbox.retired_keys r
                WHERE r.key_id = api_keys.hash_key_id) AS hash_key_retired
  FROM lockbox.api_keys
 WHERE prefix = $1

-- name: api_key_insert
-- $8: seconds until it expires (NULL: never).
INSERT INTO lockbox.api_keys (name, prefix, key_hash, hash_key_id, scope,
                              audit, providers, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7,
        coalesce(now() + make_interval(secs => $8), 'infinity'))
RETURNING id, lockbox.api_time(expires_at) AS expires_at

-- name: api_key_rehash
-- A key whose hash was made under a retired ring key, just presented and
-- checked: its hash moves to the active key, so that the old key can
-- leave the ring. Only if the row still holds the hash that was checked.
UPDATE lockbox.api_keys
   SET key_hash = $3, hash_key_id = $4
 WHERE id = $1 AND key_hash = $2

-- name: api_key_unconverted
-- Hashes from before lockbox 0.2 (plain SHA-256), for lockboxctl migrate.
SELECT id, key_hash
  FROM lockbox.api_keys
 WHERE hash_key_id IS NULL
 ORDER BY id
   FOR UPDATE

-- name: api_key_convert
UPDATE lockbox.api_keys
   SET key_hash = $2, hash_key_id = $3
 WHERE id = $1 AND hash_key_id IS NULL

-- name: api_key_hashed_with
-- Keys, not revoked, whose hash a ring key made (keyring remove checks).
SELECT id, prefix
  FROM lockbox.api_keys
 WHERE hash_key_id = $1 AND revoked_at IS NULL
 ORDER BY id

-- name: api_key_list
-- Tab-separated for scripts: id, prefix, name, scope (the level, with
-- ",audit"; "audit" alone), state, created, providers (all, or a comma
-- list with "none" for secrets without a provider), expires (never).
SELECT id, prefix, name,
       CASE WHEN scope = 'none' THEN 'audit'
            WHEN audit THEN scope || ',audit' ELSE scope END,
       CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
            WHEN expires_at <= now() THEN 'expired' ELSE 'active' END,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       coalesce((SELECT string_agg(CASE WHEN p = '' THEN 'none' ELSE p END,
                                   ',' ORDER BY ord)
                   FROM unnest(providers) WITH ORDINALITY u (p, ord)), 'all'),
       CASE WHEN expires_at = 'infinity' THEN 'never'
            ELSE to_char(expires_at AT TIME ZONE 'UTC',
                         'YYYY-MM-DD"T"HH24:MI:SS"Z"') END
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
-- With an Idempotency-Key ($1, else NULL), the record the key already has,
-- if any, and whether it is younger than the ttl ($2): a retry is answered
-- from it without a second round trip.
-- A refused key takes no id and sees no record.
-- keyed: yes
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT nextval('lockbox.secrets_id_seq') AS id,
           lockbox.api_time(now()) AS created_at
     WHERE EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
               0,
               NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit, i.fingerprint, i.fingerprint_key_id, i.secret_id,
       i.response_status, i.response_body,
       i.created_at > now() - make_interval(secs => $2) AS fresh
  FROM a LEFT JOIN r ON true
  LEFT JOIN (lockbox.idempotency_keys i
             JOIN lockbox.api_keys k ON k.id = i.api_key_id AND k.prefix = $3)
         ON r.id IS NOT NULL AND i.idempotency_key = $1

-- name: secret_insert
-- The secret with its value, and its version 1 with the same sealed value,
-- by the key $10, in one statement.
-- Nothing is inserted when the value was sealed with a retired key ($6):
-- the worker's key ring is out of date (see sql/003_security.sql); nor
-- under a provider the key does not reach ($11, the key's providers, which
-- the worker checked first). Its event ($12) is stored with it.
-- audit: yes
WITH s AS (
    INSERT INTO lockbox.secrets
           (id, name, provider_slug, description, metadata, created_at,
            updated_at, key_id, nonce, ciphertext, value_format)
    SELECT $1, $2, $3, $4, $5, $9, $9, $6, $7, $8, 2
     WHERE NOT EXISTS (SELECT FROM lockbox.retired_keys WHERE key_id = $6)
       AND lockbox.key_reaches($11::text[], $3)
    RETURNING id, created_at
)
INSERT INTO lockbox.secret_versions
       (secret_id, version, key_id, nonce, ciphertext, value_format,
        value_changed, api_key_id, created_at)
SELECT id, 1, $6, $7, $8, 2, true, $10, created_at FROM s
RETURNING lockbox.audit_done($12::text[], 201, secret_id, 1) AS audit

-- name: secret_insert_idempotent
-- secret_insert and the idempotency record in one statement, so that they
-- commit or fail together; a concurrent request with the same key waits
-- on the unique index and then sees this one's record.
-- audit: yes
WITH s AS (
    INSERT INTO lockbox.secrets
           (id, name, provider_slug, description, metadata, created_at,
            updated_at, key_id, nonce, ciphertext, value_format)
    SELECT $1, $2, $3, $4, $5, $9, $9, $6, $7, $8, 2
     WHERE NOT EXISTS (SELECT FROM lockbox.retired_keys WHERE key_id = $6)
       AND lockbox.key_reaches($15::text[], $3)
    RETURNING id, created_at
), v AS (
    INSERT INTO lockbox.secret_versions
           (secret_id, version, key_id, nonce, ciphertext, value_format,
            value_changed, api_key_id, created_at)
    SELECT id, 1, $6, $7, $8, 2, true, $10, created_at FROM s
)
INSERT INTO lockbox.idempotency_keys
       (api_key_id, idempotency_key, fingerprint, fingerprint_key_id,
        secret_id, response_status, response_body)
SELECT $10, $11, $12, $13, s.id, 201, $14 FROM s
RETURNING lockbox.audit_done($16::text[], 201, secret_id, 1) AS audit

-- name: idempotency_find
SELECT fingerprint, fingerprint_key_id, secret_id, response_status,
       response_body, created_at > now() - make_interval(secs => $3) AS fresh
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
-- keyed: yes
-- Nothing of the secret, not even the length of its ciphertext, reaches a
-- worker for a key that may not read it. The row holds its current value
-- (sql/006_current_value.sql): one row, no join. Sealed columns NULL (a
-- database edited by hand): integrity_error.
-- audit: yes
-- Its event (lockbox.audit_note): 200 when found, else 404. Found nothing,
-- it answers one row of NULLs with the event's outcome (src/store.c).
WITH r AS MATERIALIZED (
    SELECT s.id, s.name, s.provider_slug, s.description,
           s.metadata::text AS metadata, s.version,
           lockbox.api_time(s.created_at) AS created_at,
           lockbox.api_time(s.updated_at) AS updated_at,
           s.key_id, s.nonce, s.ciphertext, s.value_format
      FROM lockbox.secrets s
     WHERE s.id = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $2 AND key_hash = ANY ($3::bytea[])
                      AND level >= $4
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $2), s.provider_slug)
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($5::text[], $2, $3::bytea[], $4,
               CASE WHEN EXISTS (SELECT FROM r) THEN 200 ELSE 404 END,
               $1, (SELECT version FROM r), NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_lookup
-- retry: yes
-- keyed: yes
-- secret_get by (provider_slug, name): the unique index finds it.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT s.id, s.name, s.provider_slug, s.description,
           s.metadata::text AS metadata, s.version,
           lockbox.api_time(s.created_at) AS created_at,
           lockbox.api_time(s.updated_at) AS updated_at,
           s.key_id, s.nonce, s.ciphertext, s.value_format
      FROM lockbox.secrets s
     WHERE s.provider_slug = $2 AND s.name = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $3), s.provider_slug)
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
               CASE WHEN EXISTS (SELECT FROM r) THEN 200 ELSE 404 END,
               (SELECT id FROM r), (SELECT version FROM r), NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_lookup_unfiled
-- retry: yes
-- keyed: yes
-- secret_lookup among the secrets without a provider: IS NULL, which the
-- unique index (NULLS NOT DISTINCT) answers too; "= NULL" would match
-- nothing and IS NOT DISTINCT FROM no index.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT s.id, s.name, s.provider_slug, s.description,
           s.metadata::text AS metadata, s.version,
           lockbox.api_time(s.created_at) AS created_at,
           lockbox.api_time(s.updated_at) AS updated_at,
           s.key_id, s.nonce, s.ciphertext, s.value_format
      FROM lockbox.secrets s
     WHERE s.provider_slug IS NULL AND s.name = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $2 AND key_hash = ANY ($3::bytea[])
                      AND level >= $4
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $2), s.provider_slug)
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($5::text[], $2, $3::bytea[], $4,
               CASE WHEN EXISTS (SELECT FROM r) THEN 200 ELSE 404 END,
               (SELECT id FROM r), (SELECT version FROM r), NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_list
-- retry: yes
-- keyed: yes
-- The inner LIMIT (the largest page, 100, plus the row that tells whether
-- another page exists) is a constant so that the planner prices the
-- generic plan right and keeps it: with only LIMIT $1 it assumes a tenth
-- of the table, keeps planning every execution, and planning (which
-- inlines api_time) costs more than the page. The scan still stops at
-- $1 rows.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT id, name, provider_slug, description, metadata::text AS metadata,
           version, lockbox.api_time(created_at) AS created_at,
           lockbox.api_time(updated_at) AS updated_at
      FROM (SELECT id, name, provider_slug, description, metadata, version,
                   created_at, updated_at
              FROM lockbox.secrets
             WHERE lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                         WHERE prefix = $2), provider_slug)
             ORDER BY id DESC
             LIMIT 101) page
     WHERE EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $2 AND key_hash = ANY ($3::bytea[])
                      AND level >= $4
                      AND expires_at > now())
     ORDER BY id DESC
     LIMIT $1
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($5::text[], $2, $3::bytea[], $4,
               200,
               NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_list_after
-- retry: yes
-- keyed: yes
-- The inner LIMIT: as in secret_list.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT id, name, provider_slug, description, metadata::text AS metadata,
           version, lockbox.api_time(created_at) AS created_at,
           lockbox.api_time(updated_at) AS updated_at
      FROM (SELECT id, name, provider_slug, description, metadata, version,
                   created_at, updated_at
              FROM lockbox.secrets
             WHERE id < $1
               AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                         WHERE prefix = $3), provider_slug)
             ORDER BY id DESC
             LIMIT 101) page
     WHERE EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
     ORDER BY id DESC
     LIMIT $2
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
               200,
               NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_list_provider
-- plan: each
-- retry: yes
-- keyed: yes
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT id, name, provider_slug, description, metadata::text AS metadata,
           version, lockbox.api_time(created_at) AS created_at,
           lockbox.api_time(updated_at) AS updated_at
      FROM lockbox.secrets
     WHERE provider_slug = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $3), provider_slug)
     ORDER BY id DESC
     LIMIT $2
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
               200,
               NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_list_provider_after
-- plan: each
-- retry: yes
-- keyed: yes
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT id, name, provider_slug, description, metadata::text AS metadata,
           version, lockbox.api_time(created_at) AS created_at,
           lockbox.api_time(updated_at) AS updated_at
      FROM lockbox.secrets
     WHERE provider_slug = $1 AND id < $2
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $4 AND key_hash = ANY ($5::bytea[])
                      AND level >= $6
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $4), provider_slug)
     ORDER BY id DESC
     LIMIT $3
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($7::text[], $4, $5::bytea[], $6,
               200,
               NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_list_filtered
-- plan: each
-- retry: yes
-- keyed: yes
-- Every other list: some ids only ($3, NULL: all), the values ($5), a
-- provider ($1, NULL: all), after id $2 (the first page: 2^63-1). Planned
-- on every execution, so that each absent filter folds away and the plan
-- is the one of the filters given: the primary key walked backwards, the
-- provider's index, or the ids looked up one by one. Without values the
-- sealed columns are NULL: not even their lengths leave the database.
-- audit: yes
-- With values, the event lists the ids of the values the page shows:
-- every row but the one that only tells that another page exists ($4 is
-- the page's limit + 1), in the page's order (a CTE's rows come out in
-- the order they went in).
WITH r AS MATERIALIZED (
    SELECT s.id, s.name, s.provider_slug, s.description,
           s.metadata::text AS metadata, s.version,
           lockbox.api_time(s.created_at) AS created_at,
           lockbox.api_time(s.updated_at) AS updated_at,
           CASE WHEN $5::boolean THEN s.key_id END AS key_id,
           CASE WHEN $5::boolean THEN s.nonce END AS nonce,
           CASE WHEN $5::boolean THEN s.ciphertext END AS ciphertext,
           CASE WHEN $5::boolean THEN s.value_format END AS value_format
      FROM lockbox.secrets s
     WHERE ($1::text IS NULL OR s.provider_slug = $1)
       AND s.id < $2
       AND ($3::bigint[] IS NULL OR s.id = ANY ($3::bigint[]))
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $6 AND key_hash = ANY ($7::bytea[])
                      AND level >= $8
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $6), s.provider_slug)
     ORDER BY s.id DESC
     LIMIT $4
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($9::text[], $6, $7::bytea[], $8,
               200,
               NULL, NULL, CASE WHEN $5::boolean THEN
                   coalesce((SELECT array_agg(id)
                               FROM (SELECT id FROM r LIMIT $4 - 1) shown),
                            '{}') END) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_current
-- retry: yes
-- keyed: yes
-- A PATCH's or a version restore's first read, in the round trip of the
-- key lookup: the current version, which the write will follow, with its
-- sealed value from the secret's row, and version $2's (a restore's; NULL:
-- none) from lockbox.secret_versions, one row each; only the secret's row
-- has current_version. The current value is sealed again under the next
-- version (the additional data binds the version) and compared with the
-- new one. Each branch checks the key before it reads anything.
-- audit: yes
-- Found, the request goes on and its write stores the event (0).
WITH r AS MATERIALIZED (
    SELECT s.id, s.version AS current_version, s.version, s.key_id, s.nonce,
           s.ciphertext, s.value_format
      FROM lockbox.secrets s
     WHERE s.id = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $3), s.provider_slug)
    UNION ALL
    SELECT v.secret_id, NULL, v.version, v.key_id, v.nonce, v.ciphertext,
           v.value_format
      FROM lockbox.secret_versions v
     WHERE v.secret_id = $1 AND v.version = $2 AND $2 IS NOT NULL
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
       AND EXISTS (SELECT FROM lockbox.secrets s
                    WHERE s.id = $1
                      AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                                WHERE prefix = $3), s.provider_slug))
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
               CASE WHEN EXISTS (SELECT FROM r WHERE current_version IS NOT NULL)
                    THEN 0 ELSE 404 END,
               $1, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: secret_current_again
-- retry: yes
-- secret_current once the key was checked (its providers: $3): a write
-- reads again after another write got in between, which may have moved
-- the secret out of the key's reach.
SELECT s.id, s.version AS current_version, s.version, s.key_id, s.nonce,
       s.ciphertext, s.value_format
  FROM lockbox.secrets s
 WHERE s.id = $1 AND lockbox.key_reaches($3::text[], s.provider_slug)
UNION ALL
SELECT v.secret_id, NULL, v.version, v.key_id, v.nonce, v.ciphertext,
       v.value_format
  FROM lockbox.secret_versions v
 WHERE v.secret_id = $1 AND v.version = $2
   AND EXISTS (SELECT FROM lockbox.secrets s
                WHERE s.id = $1 AND lockbox.key_reaches($3::text[], s.provider_slug))

-- name: secret_row
-- retry: yes
-- A secret as the API shows it, once the key was checked (what a write
-- whose connection broke answers with, once it knows it took effect).
SELECT id, name, provider_slug, description, metadata::text AS metadata,
       version, lockbox.api_time(created_at) AS created_at,
       lockbox.api_time(updated_at) AS updated_at
  FROM lockbox.secrets
 WHERE id = $1

-- name: secret_update
-- A JSON Merge Patch, or a version restore, in one statement over the
-- version the worker read ($2), with the value it sealed for version
-- $2 + 1 ($11-$13) by the key $15: NULL parameters keep a column;
-- metadata loses the names in $9, then takes the members of $10. The
-- value goes on the row and in the new version's row, and the versions
-- that leaves beyond the newest $16 go. Nothing at all when the row moved
-- on since the read, when the result would exceed 50 metadata members, or
-- when the value was sealed with a retired key; secret_update_why then
-- tells which. Nor when the key ($17, its providers) does not reach the
-- secret, or the provider it would move to: the worker checked the
-- latter, and a secret moved away since has moved on, too. Its event
-- ($18) is stored with it.
-- audit: yes
WITH u AS (
    UPDATE lockbox.secrets
       SET name = coalesce($3, name),
           provider_slug = CASE WHEN $4::boolean THEN $5 ELSE provider_slug END,
           description = CASE WHEN $6::boolean THEN $7 ELSE description END,
           metadata = CASE WHEN $8::boolean THEN '{}'::jsonb
                           ELSE (metadata - $9::text[]) || $10::jsonb END,
           key_id = $11, nonce = $12, ciphertext = $13, value_format = 2,
           version = version + 1,
           updated_at = now()
     WHERE id = $1 AND version = $2
       AND (SELECT count(*) FROM jsonb_object_keys(
                CASE WHEN $8::boolean THEN '{}'::jsonb
                     ELSE (metadata - $9::text[]) || $10::jsonb END)) <= 50
       AND NOT EXISTS (SELECT FROM lockbox.retired_keys WHERE key_id = $11)
       AND lockbox.key_reaches($17::text[], provider_slug)
       AND lockbox.key_reaches($17::text[], CASE WHEN $4::boolean THEN $5
                                                 ELSE provider_slug END)
    RETURNING id, name, provider_slug, description, metadata, version,
              created_at, updated_at
), made AS (
    INSERT INTO lockbox.secret_versions
           (secret_id, version, key_id, nonce, ciphertext, value_format,
            value_changed, api_key_id, created_at)
    SELECT id, version, $11, $12, $13, 2, $14, $15, updated_at FROM u
), pruned AS (
    DELETE FROM lockbox.secret_versions o
     USING u
     WHERE o.secret_id = u.id AND o.version <= u.version - $16::bigint
)
SELECT id, name, provider_slug, description, metadata::text AS metadata,
       version, lockbox.api_time(created_at) AS created_at,
       lockbox.api_time(updated_at) AS updated_at,
       lockbox.audit_done($18::text[], 200, id, version) AS audit
  FROM u

-- name: secret_update_why
-- retry: yes
SELECT version = $2 AS same_version,
       (SELECT count(*) FROM jsonb_object_keys(
            CASE WHEN $3::boolean THEN '{}'::jsonb
                 ELSE (metadata - $4::text[]) || $5::jsonb END)) <= 50
           AS metadata_fits,
       EXISTS (SELECT FROM lockbox.retired_keys WHERE key_id = $6)
           AS key_retired
  FROM lockbox.secrets
 WHERE id = $1

-- name: secret_update_done
-- retry: yes
-- Whether a write of a version whose connection broke took effect: its
-- nonce (96 fresh random bits) is in a version row if and only if it
-- did. Without it, it did not if the secret is still at the version the
-- write followed ($3); otherwise later writes may have pruned it: NULL,
-- unknown.
SELECT CASE WHEN EXISTS (SELECT FROM lockbox.secret_versions
                          WHERE secret_id = $1 AND nonce = $2) THEN true
            WHEN (SELECT version FROM lockbox.secrets WHERE id = $1) = $3
            THEN false END AS done

-- name: secret_delete
-- keyed: yes
-- Sent with the key lookup: it deletes nothing for a key that may not
-- write. The row moves to the deleted secrets for its recovery window
-- ($3 seconds); its versions stay. Its event: 204 when it deleted; 404
-- when it did not and had no condition; else none yet (the worker learns
-- why, and stores it).
-- audit: yes
WITH d AS (
    DELETE FROM lockbox.secrets
     WHERE id = $1 AND ($2::bigint[] IS NULL OR version = ANY ($2::bigint[]))
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $4 AND key_hash = ANY ($5::bytea[])
                      AND level >= $6
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $4), provider_slug)
    RETURNING id, name, provider_slug, description, metadata, version,
              created_at, updated_at
), i AS (
    INSERT INTO lockbox.deleted_secrets
           (id, name, provider_slug, description, metadata, version,
            created_at, updated_at, deleted_at, destroy_at)
    SELECT id, name, provider_slug, description, metadata, version,
           created_at, updated_at, now(),
           now() + make_interval(secs => $3::bigint)
      FROM d
    RETURNING id, version
)
SELECT i.id, a.audit
  FROM (SELECT lockbox.audit_note($7::text[], $4, $5::bytea[], $6,
                   CASE WHEN EXISTS (SELECT FROM i) THEN 204
                        WHEN $2::bigint[] IS NULL THEN 404 ELSE 0 END,
                   $1, (SELECT version FROM i), NULL) AS audit) a
  LEFT JOIN i ON true

-- name: secret_destroy
-- keyed: yes
-- A DELETE with ?permanent=true, or without a recovery window: the row
-- and every version, at once. The versions go through
-- lockbox.destroy_versions, after the row: a PATCH that committed one
-- while this waited for the row's lock is past this statement's snapshot
-- (sql/005_lifecycle.sql). Its event: as secret_delete's.
-- audit: yes
WITH d AS (
    DELETE FROM lockbox.secrets
     WHERE id = $1 AND ($2::bigint[] IS NULL OR version = ANY ($2::bigint[]))
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $3), provider_slug)
    RETURNING id, version
), x AS MATERIALIZED (
    SELECT id, version, lockbox.destroy_versions(id) AS versions FROM d
)
SELECT x.id, x.versions, a.audit
  FROM (SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
                   CASE WHEN EXISTS (SELECT FROM x) THEN 204
                        WHEN $2::bigint[] IS NULL THEN 404 ELSE 0 END,
                   $1, (SELECT version FROM x), NULL) AS audit) a
  LEFT JOIN x ON true

-- name: secret_exists
-- retry: yes
-- Whether a write that creates or brings back secret $1 took effect.
SELECT EXISTS (SELECT FROM lockbox.secrets WHERE id = $1) AS done

-- name: secret_gone
-- retry: yes
-- Whether a delete of secret $1 took effect.
SELECT NOT EXISTS (SELECT FROM lockbox.secrets WHERE id = $1) AS done

-- name: secret_version
-- retry: yes
-- Why a DELETE with If-Match deleted nothing: the secret's version, if
-- it is there for the key (its providers, $2): a secret it does not reach
-- is not found, not a failed precondition. The answer's event with it:
-- 412 when the secret is there, else 404.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT version FROM lockbox.secrets
     WHERE id = $1 AND lockbox.key_reaches($2::text[], provider_slug)
), a AS MATERIALIZED (
    SELECT lockbox.audit_done($3::text[],
               CASE WHEN EXISTS (SELECT FROM r) THEN 412 ELSE 404 END,
               $1, NULL) AS audit
)
SELECT r.version, a.audit FROM a LEFT JOIN r ON true

-- name: version_list
-- retry: yes
-- keyed: yes
-- A page of secret $1's versions below $2, newest first. One row with a
-- NULL version when the page is empty; none when the secret is not there.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT s.id, v.version, lockbox.api_time(v.created_at) AS created_at,
           v.api_key_id, v.value_changed
      FROM lockbox.secrets s
      LEFT JOIN LATERAL (
            SELECT version, created_at, api_key_id, value_changed
              FROM lockbox.secret_versions
             WHERE secret_id = s.id AND version < $2
             ORDER BY version DESC
             LIMIT $3) v ON true
     WHERE s.id = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $4 AND key_hash = ANY ($5::bytea[])
                      AND level >= $6
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $4), s.provider_slug)
     ORDER BY v.version DESC
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($7::text[], $4, $5::bytea[], $6,
               CASE WHEN EXISTS (SELECT FROM r) THEN 200 ELSE 404 END,
               $1, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: version_get
-- retry: yes
-- keyed: yes
-- Version $2 of secret $1: no row when the secret is not there, a NULL
-- version when that version is not kept.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT s.id, v.version, lockbox.api_time(v.created_at) AS created_at,
           v.api_key_id, v.key_id, v.nonce, v.ciphertext, v.value_format
      FROM lockbox.secrets s
      LEFT JOIN lockbox.secret_versions v
             ON v.secret_id = s.id AND v.version = $2
     WHERE s.id = $1
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $3 AND key_hash = ANY ($4::bytea[])
                      AND level >= $5
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $3), s.provider_slug)
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($6::text[], $3, $4::bytea[], $5,
               CASE WHEN EXISTS (SELECT FROM r WHERE version IS NOT NULL)
                    THEN 200 ELSE 404 END,
               $1, $2, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: deleted_list
-- plan: each
-- retry: yes
-- keyed: yes
-- Deleted secrets still in their window, the most recent deletion first,
-- all ($1 NULL) or one provider's, below delete_seq $2.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT id, name, provider_slug, description, metadata::text AS metadata,
           version, lockbox.api_time(created_at) AS created_at,
           lockbox.api_time(updated_at) AS updated_at,
           lockbox.api_time(deleted_at) AS deleted_at,
           lockbox.api_time(destroy_at) AS destroy_at, delete_seq
      FROM lockbox.deleted_secrets
     WHERE ($1::text IS NULL OR provider_slug = $1) AND delete_seq < $2
       AND destroy_at > now()
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $4 AND key_hash = ANY ($5::bytea[])
                      AND level >= $6
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $4), provider_slug)
     ORDER BY delete_seq DESC
     LIMIT $3
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($7::text[], $4, $5::bytea[], $6,
               200,
               NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: deleted_find
-- retry: yes
-- keyed: yes
-- A restore's first read: whether secret $1 is deleted and in its window.
-- audit: yes
WITH r AS MATERIALIZED (
    SELECT id
      FROM lockbox.deleted_secrets
     WHERE id = $1 AND destroy_at > now()
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $2 AND key_hash = ANY ($3::bytea[])
                      AND level >= $4
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $2), provider_slug)
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($5::text[], $2, $3::bytea[], $4,
               CASE WHEN EXISTS (SELECT FROM r) THEN 0 ELSE 404 END,
               $1, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: deleted_restore
-- Back under its id, at its version, with its versions (they never left);
-- its row takes its current value from its current version again. Only
-- within the reach of the key ($2, its providers) that deleted_find
-- checked.
-- A name taken since fails the whole statement (unique violation), which
-- changes nothing. Its event ($3) is stored with it.
-- audit: yes
WITH d AS (
    DELETE FROM lockbox.deleted_secrets
     WHERE id = $1 AND destroy_at > now()
       AND lockbox.key_reaches($2::text[], provider_slug)
    RETURNING id, name, provider_slug, description, metadata, version,
              created_at, updated_at
)
INSERT INTO lockbox.secrets
       (id, name, provider_slug, description, metadata, version,
        created_at, updated_at, key_id, nonce, ciphertext, value_format)
SELECT d.id, d.name, d.provider_slug, d.description, d.metadata, d.version,
       d.created_at, d.updated_at, v.key_id, v.nonce, v.ciphertext,
       v.value_format
  FROM d
  LEFT JOIN lockbox.secret_versions v
         ON v.secret_id = d.id AND v.version = d.version
RETURNING id, name, provider_slug, description, metadata::text AS metadata,
       version, lockbox.api_time(created_at) AS created_at,
       lockbox.api_time(updated_at) AS updated_at,
       lockbox.audit_done($3::text[], 200, id, version) AS audit

-- name: deleted_destroy
-- keyed: yes
-- A deleted secret in its window, destroyed now with every version.
-- Its event: 204, or 404 when there was none.
-- audit: yes
WITH d AS (
    DELETE FROM lockbox.deleted_secrets
     WHERE id = $1 AND destroy_at > now()
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $2 AND key_hash = ANY ($3::bytea[])
                      AND level >= $4
                      AND expires_at > now())
       AND lockbox.key_reaches((SELECT providers FROM lockbox.api_keys
                                 WHERE prefix = $2), provider_slug)
    RETURNING id
), v AS (
    DELETE FROM lockbox.secret_versions o USING d WHERE o.secret_id = d.id
)
SELECT d.id, a.audit
  FROM (SELECT lockbox.audit_note($5::text[], $2, $3::bytea[], $4,
                   CASE WHEN EXISTS (SELECT FROM d) THEN 204 ELSE 404 END,
                   $1, NULL, NULL) AS audit) a
  LEFT JOIN d ON true

-- name: deleted_gone
-- retry: yes
-- Whether the destruction of deleted secret $1 took effect.
SELECT NOT EXISTS (SELECT FROM lockbox.deleted_secrets WHERE id = $1)
       AS done

-- name: deleted_destroy_expired
-- The background pass of every worker on every host: a batch of deleted
-- secrets past their window, with every version. Rows another pass holds
-- are skipped, and a row is deleted once, so each is destroyed once.
WITH d AS (
    DELETE FROM lockbox.deleted_secrets
     WHERE id = ANY (ARRAY(
           SELECT id FROM lockbox.deleted_secrets
            WHERE destroy_at <= now()
            ORDER BY destroy_at
            LIMIT 100
              FOR UPDATE SKIP LOCKED))
    RETURNING id
), v AS (
    DELETE FROM lockbox.secret_versions o USING d WHERE o.secret_id = d.id
)
SELECT count(*) AS n FROM d

-- name: rewrap_select
-- A batch of versions sealed with another key than the active one ($1),
-- or in the form from before 0.2, after version ($2, $3) (one pass over
-- the table, so that values that cannot be opened are reported once and
-- passed over), locked so that a concurrent write of the same secret
-- waits for the batch. Deleted secrets' versions too: they must open
-- after the old key has left the ring.
SELECT secret_id AS id, version, key_id, nonce, ciphertext, value_format
  FROM lockbox.secret_versions
 WHERE (key_id <> $1 OR value_format <> 2) AND (secret_id, version) > ($2, $3)
 ORDER BY secret_id, version
 LIMIT 100
   FOR UPDATE

-- name: rewrap_update
-- Not a change a client can see: versions and times stay.
UPDATE lockbox.secret_versions
   SET key_id = $3, nonce = $4, ciphertext = $5, value_format = 2
 WHERE secret_id = $1 AND version = $2

-- name: rewrap_select_current
-- rewrap_select over the current values that live secrets' rows hold
-- (sql/006_current_value.sql), after id $2 ($3 unused: the cursor is the
-- same pair). A pass of its own, after the versions', locking these rows
-- only: a write locks a secret's row before its versions, and a batch
-- that held both kinds of lock could wait for it in the other order.
SELECT id, version, key_id, nonce, ciphertext, value_format
  FROM lockbox.secrets
 WHERE (key_id <> $1 OR value_format <> 2) AND (id, version) > ($2, $3)
 ORDER BY id, version
 LIMIT 100
   FOR UPDATE

-- name: rewrap_update_current
UPDATE lockbox.secrets
   SET key_id = $3, nonce = $4, ciphertext = $5, value_format = 2
 WHERE id = $1 AND version = $2

-- name: rewrap_remaining
SELECT (SELECT count(*) FROM lockbox.secret_versions
         WHERE key_id <> $1 OR value_format <> 2) +
       (SELECT count(*) FROM lockbox.secrets
         WHERE key_id <> $1 OR value_format <> 2) AS n

-- name: rewrap_retire
-- Every key but the active one ($1): those of the ring doing the rewrap
-- ($2) and any other that a version or a secret's row still names. From
-- this commit on, no statement seals with them.
INSERT INTO lockbox.retired_keys (key_id)
SELECT k FROM (SELECT unnest($2::integer[])
               UNION SELECT DISTINCT key_id FROM lockbox.secret_versions
               UNION SELECT DISTINCT key_id FROM lockbox.secrets) ids (k)
 WHERE k IS NOT NULL AND k <> $1
ON CONFLICT (key_id) DO NOTHING

-- name: rewrap_settle
-- Waits for every write that began before the retirement committed (one
-- may have checked retired_keys before it): SHARE conflicts with their
-- ROW EXCLUSIVE lock (every statement that seals writes a version).
-- Writes wait meanwhile, for the moment it takes.
LOCK TABLE lockbox.secret_versions IN SHARE MODE

-- name: key_unretire
-- A key made active again (keyring add of an old key is not possible, but
-- an operator may restore a ring): rewrap leaves the active key usable.
DELETE FROM lockbox.retired_keys WHERE key_id = $1

-- name: key_is_retired
SELECT EXISTS (SELECT FROM lockbox.retired_keys WHERE key_id = $1) AS retired

-- name: key_rows
-- Values still sealed with a key (keyring remove checks): versions, and
-- the current values on secrets' rows.
SELECT (SELECT count(*) FROM lockbox.secret_versions WHERE key_id = $1) +
       (SELECT count(*) FROM lockbox.secrets WHERE key_id = $1) AS n

-- name: worker_heartbeat
-- Every worker, at start and every 10 s: which key it seals with.
INSERT INTO lockbox.workers (worker_id, host, pid, seal_key_id, ring_key_ids)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (worker_id) DO UPDATE
   SET seen_at = now(), seal_key_id = excluded.seal_key_id,
       ring_key_ids = excluded.ring_key_ids

-- name: worker_gone
DELETE FROM lockbox.workers WHERE worker_id = $1

-- name: worker_purge
-- Workers killed without a goodbye leave their row: gone after a day.
DELETE FROM lockbox.workers WHERE seen_at < now() - interval '1 day'

-- name: workers_lacking
-- Live workers whose ring lacks key $1 (keyring activate checks).
SELECT host, pid, seal_key_id,
       round(extract(epoch FROM now() - seen_at))::integer AS age_s
  FROM lockbox.workers
 WHERE seen_at > now() - make_interval(secs => $2)
   AND NOT $1 = ANY (ring_key_ids)
 ORDER BY host, pid

-- name: workers_sealing
-- Live workers (seen within $2 seconds) that seal with another key than
-- $1 (rewrap) or with key $1 (keyring remove, $3 true).
SELECT host, pid, seal_key_id,
       round(extract(epoch FROM now() - seen_at))::integer AS age_s
  FROM lockbox.workers
 WHERE seen_at > now() - make_interval(secs => $2)
   AND (seal_key_id = $1) = $3::boolean
 ORDER BY host, pid

-- name: audit_chain_lock
-- A worker about to open chains, in a transaction: every other opener
-- waits until it ends. A statement of its own: the next one's snapshot
-- must be taken after the lock, or it would miss the chain of an opener
-- it waited for (sql/008_audit.sql).
SELECT pg_advisory_xact_lock(hashtext('lockbox.audit_chains'))

-- name: audit_chain_last
-- The newest chain, which the next one links to.
SELECT id, link FROM lockbox.audit_chains ORDER BY id DESC LIMIT 1

-- name: audit_chain_open
INSERT INTO lockbox.audit_chains (host, pid, prev_id, link, link_key_id)
VALUES ($1, $2, $3, $4, $5)
RETURNING id

-- name: audit_seal
-- Seals are written once: a second try of the same seal changes nothing.
INSERT INTO lockbox.audit_seals (chain_id, chain_seq, kind, mac, mac_key_id,
                                 seal)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING

-- name: audit_event
-- audit: yes
-- A request's event that none of its statements stored: one refused
-- before any statement (no key, a key of the wrong shape, no route), or
-- answered after them (a conflict, a failed precondition, a replay, an
-- error), with the status answered ($1) and the key checked ($2, NULL:
-- none). Its secret is the path's.
SELECT lockbox.audit_put($3::text[], $1, $2, ($3::text[])[5]::bigint,
                         NULL, NULL) AS audit

-- name: audit_refused
-- keyed: yes
-- audit: yes
-- The event of a request whose error the worker found before sending any
-- statement of the route: the key decides it first (401, 403), as the
-- answer.
SELECT lockbox.audit_note($4::text[], $1, $2::bytea[], $3, 0, NULL, NULL,
                          NULL) AS audit

-- name: audit_seals_all
-- lockboxctl audit verify: every seal (few: one per chain every 10 s of
-- activity, and one per purge).
SELECT chain_id, chain_seq, kind, mac, mac_key_id, seal
  FROM lockbox.audit_seals
 ORDER BY chain_id, chain_seq

-- name: audit_chains_all
SELECT id, lockbox.api_time(started_at) AS started_at, host, pid, prev_id,
       link, link_key_id
  FROM lockbox.audit_chains
 ORDER BY id

-- name: audit_events_cursor
-- plan: each
-- lockboxctl audit verify: every event in chain order, as the workers
-- MAC'd it, read through a cursor in one snapshot.
DECLARE lockbox_audit_events NO SCROLL CURSOR FOR
SELECT * FROM lockbox.audit_macd ORDER BY chain_id, chain_seq

-- name: audit_events_fetch
-- plan: each
FETCH 2000 FROM lockbox_audit_events

-- name: audit_export_cursor
-- plan: each
-- lockboxctl audit export: events from $1 on (NULL: all), oldest first,
-- as the API shows them.
DECLARE lockbox_audit_events NO SCROLL CURSOR FOR
SELECT json_build_object(
           'id', id, 'at', lockbox.api_time(at), 'request_id', request_id,
           'action', action, 'status', status, 'api_key_id', api_key_id,
           'api_key_prefix', api_key_prefix, 'secret_id', secret_id,
           'version', version, 'secret_ids', secret_ids,
           'remote_addr', remote_addr)::text AS event
  FROM lockbox.audit_events
 WHERE $1::timestamptz IS NULL OR at >= $1::timestamptz
 ORDER BY id

-- name: audit_purge_events
-- A purge (lockboxctl audit purge, audit_retention): the events before
-- $1, at most $2 of each chain past its first, in chain order: one walk of
-- audit_events_at_idx for every chain (src/audit_purge.c keeps, of each
-- chain, the run of events that follow one another from its first).
SELECT m.*
  FROM lockbox.audit_events e
  JOIN (SELECT chain_id, min(chain_seq) + $2 - 1 AS last
          FROM lockbox.audit_events
         WHERE at < $1::timestamptz
         GROUP BY chain_id) c ON c.chain_id = e.chain_id
  JOIN lockbox.audit_macd m ON m.id = e.id
 WHERE e.at < $1::timestamptz AND e.chain_seq <= c.last
 ORDER BY e.chain_id, e.chain_seq

-- name: audit_purge_seals
-- The seals of the chains a purge before $1 cuts: the purge seal each
-- starts from, and the seals its events must agree with.
SELECT chain_id, chain_seq, kind, mac, mac_key_id, seal
  FROM lockbox.audit_seals
 WHERE chain_id IN (SELECT chain_id FROM lockbox.audit_events
                     WHERE at < $1::timestamptz)
 ORDER BY chain_id, chain_seq

-- name: audit_purge_allow
-- The one statement that lets the audit tables' trigger take a DELETE:
-- for a purge's transaction alone, and for one purge at a time.
SELECT set_config('lockbox.audit_purge', 'on', true),
       pg_try_advisory_xact_lock(hashtext('lockbox.audit_purge')) AS mine

-- name: audit_purge_chain
-- Chain $1's events up to $2, and its seals before $2, after its purge
-- seal at $2 was written. Its events' ids lie from $3 to $4 (a worker
-- inserts a chain's events in turn): the primary key finds them.
WITH e AS (
    DELETE FROM lockbox.audit_events
     WHERE id BETWEEN $3 AND $4 AND chain_id = $1 AND chain_seq <= $2
    RETURNING 1
), s AS (
    DELETE FROM lockbox.audit_seals
     WHERE chain_id = $1 AND chain_seq < $2
)
SELECT count(*) AS n FROM e

-- name: audit_list
-- plan: each
-- retry: yes
-- keyed: yes
-- audit: yes
-- GET /v1/admin/audit: a page of events, newest first, below id $7, at
-- most $8 (the page's limit + 1); each filter ($1 action, $2 secret_id,
-- $3 api_key_id, $4 status, $5 since, $6 until; NULL: none) folds away
-- when absent (planned per execution), and the one given walks its
-- index (sql/008_audit.sql). The key needs the audit scope, whatever its
-- level (need: -1). Its own event is stored by the same statement, after
-- the page's snapshot: it is on the next page read, not this one.
WITH r AS MATERIALIZED (
    SELECT id, lockbox.api_time(at) AS at, request_id, action, status,
           api_key_id, api_key_prefix, secret_id, version,
           secret_ids::text AS secret_ids, remote_addr
      FROM lockbox.audit_events
     WHERE ($1::text IS NULL OR action = $1)
       AND ($2::bigint IS NULL OR secret_id = $2)
       AND ($3::bigint IS NULL OR api_key_id = $3)
       AND ($4::integer IS NULL OR status = $4)
       AND ($5::timestamptz IS NULL OR at >= $5)
       AND ($6::timestamptz IS NULL OR at < $6)
       AND id < $7
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $9 AND key_hash = ANY ($10::bytea[])
                      AND audit AND revoked_at IS NULL AND level >= $11
                      AND expires_at > now())
     ORDER BY id DESC
     LIMIT $8
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($12::text[], $9, $10::bytea[], $11, 200,
                              NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true

-- name: audit_list_window
-- plan: each
-- retry: yes
-- keyed: yes
-- audit: yes
-- audit_list with since ($5) or until ($6): newest first by time, then
-- id, walking audit_events_at_idx from the window's end (by id, the
-- planner would walk the primary key from the newest event, through
-- every event after the window, taking them for few). The cursor is the
-- last event's id; its time comes from its row.
WITH r AS MATERIALIZED (
    SELECT id, lockbox.api_time(at) AS at, request_id, action, status,
           api_key_id, api_key_prefix, secret_id, version,
           secret_ids::text AS secret_ids, remote_addr
      FROM lockbox.audit_events
     WHERE ($1::text IS NULL OR action = $1)
       AND ($2::bigint IS NULL OR secret_id = $2)
       AND ($3::bigint IS NULL OR api_key_id = $3)
       AND ($4::integer IS NULL OR status = $4)
       AND ($5::timestamptz IS NULL OR at >= $5)
       AND ($6::timestamptz IS NULL OR at < $6)
       AND (at, id) < (coalesce((SELECT c.at FROM lockbox.audit_events c
                                  WHERE c.id = $7), 'infinity'), $7)
       AND EXISTS (SELECT FROM lockbox.api_keys
                    WHERE prefix = $9 AND key_hash = ANY ($10::bytea[])
                      AND audit AND revoked_at IS NULL AND level >= $11
                      AND expires_at > now())
     ORDER BY at DESC, id DESC
     LIMIT $8
), a AS MATERIALIZED (
    SELECT lockbox.audit_note($12::text[], $9, $10::bytea[], $11, 200,
                              NULL, NULL, NULL) AS audit
)
SELECT r.*, a.audit FROM a LEFT JOIN r ON true
