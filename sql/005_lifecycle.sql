-- 005_lifecycle: versions, deleted secrets and their recovery window.
--
-- 1. Every sealed value is a version: lockbox.secret_versions holds the
--    current value and the older ones still kept (max_versions, the
--    current one included), each sealed on its own with a fresh nonce and
--    additional data binding the secret's id, the version and the key id.
--    lockbox.secrets keeps the metadata and the number of its current
--    version; its sealed columns move to version rows here.
-- 2. A DELETE moves the secret's row to lockbox.deleted_secrets, where it
--    waits for its recovery window (deleted_retention) to pass; its name
--    is free at once, and its versions stay where they are. Restore moves
--    it back under its id. After the window the workers' background pass
--    destroys the row and every version.
-- Every change of a secret and its versions is one statement
-- (sql/queries.sql), so that no crash leaves a version without its secret
-- or a secret without its current version.

CREATE TABLE lockbox.secret_versions (
    secret_id      bigint NOT NULL,
    version        bigint NOT NULL CHECK (version >= 1),
    key_id         integer NOT NULL CHECK (key_id BETWEEN 1 AND 32767),
    nonce          bytea NOT NULL CHECK (octet_length(nonce) = 12),
    ciphertext     bytea NOT NULL CHECK (octet_length(ciphertext) > 16),
    value_format   smallint NOT NULL DEFAULT 2 CHECK (value_format IN (1, 2)),
    value_changed  boolean NOT NULL,
    -- No foreign key: its check would lock the key's row in every write,
    -- and every write of one key would contend for that lock.
    api_key_id     bigint,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (secret_id, version)
);
COMMENT ON TABLE lockbox.secret_versions IS
    'Every kept version of every secret, live or deleted: the current value (version = lockbox.secrets.version) and up to max_versions - 1 older ones. Values only as ciphertext; lockbox.secret_history shows the history without them.';
COMMENT ON COLUMN lockbox.secret_versions.secret_id IS 'The secret (lockbox.secrets.id, or lockbox.deleted_secrets.id while it is deleted).';
COMMENT ON COLUMN lockbox.secret_versions.version IS '1 for the create, +1 for every PATCH or version restore.';
COMMENT ON COLUMN lockbox.secret_versions.key_id IS 'Which key of the key ring sealed this value ("lockboxctl rewrap" moves every version to the active key).';
COMMENT ON COLUMN lockbox.secret_versions.nonce IS 'The random 96-bit AES-GCM nonce of this ciphertext, fresh for every version.';
COMMENT ON COLUMN lockbox.secret_versions.ciphertext IS 'AES-256-GCM ciphertext of the value followed by the 16-byte tag; the additional data binds secret_id, version and key_id (see value_format), so that it opens nowhere else.';
COMMENT ON COLUMN lockbox.secret_versions.value_format IS
    'What the ciphertext''s additional data binds: 2 = id, version and key_id; 1 = id and key_id only (written before lockbox 0.2; "lockboxctl rewrap" moves such rows to 2).';
COMMENT ON COLUMN lockbox.secret_versions.value_changed IS 'Whether this version''s value differs from the one before it (true for version 1; false for a PATCH that left the value as it was).';
COMMENT ON COLUMN lockbox.secret_versions.api_key_id IS 'The API key whose request made this version (lockbox.api_keys.id); NULL for versions made before lockbox 0.3.';
COMMENT ON COLUMN lockbox.secret_versions.created_at IS 'When the version was made (UTC).';

-- Every version of a secret, destroyed: for a statement that has just
-- deleted the secret's row. VOLATILE, in its own language, so that its
-- DELETE takes a snapshot of its own, after that row's deletion: a write
-- that committed a new version while the statement waited for the row's
-- lock is seen and destroyed too, where the statement's own snapshot,
-- taken before the wait, would leave that version behind.
CREATE FUNCTION lockbox.destroy_versions(secret bigint) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM lockbox.secret_versions WHERE secret_id = secret;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION lockbox.destroy_versions(bigint) IS
    'Destroys every version of a secret whose row the calling statement deleted, seeing versions committed while it waited for that row.';

-- What the secrets hold now becomes each secret's current version.
INSERT INTO lockbox.secret_versions
       (secret_id, version, key_id, nonce, ciphertext, value_format,
        value_changed, api_key_id, created_at)
SELECT id, version, key_id, nonce, ciphertext, value_format, true, NULL,
       updated_at
  FROM lockbox.secrets;

ALTER TABLE lockbox.secrets
    DROP COLUMN key_id, DROP COLUMN nonce, DROP COLUMN ciphertext,
    DROP COLUMN value_format;
COMMENT ON TABLE lockbox.secrets IS
    'One row per live secret: its metadata in clear text for operators. Its value is in lockbox.secret_versions, only as ciphertext.';
COMMENT ON COLUMN lockbox.secrets.version IS
    '1 on create, +1 on every successful PATCH or version restore; the ETag and If-Match value. lockbox.secret_versions holds this version''s value.';

CREATE TABLE lockbox.deleted_secrets (
    id             bigint PRIMARY KEY,
    name           text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 255),
    provider_slug  text CHECK (provider_slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    description    text CHECK (octet_length(description) <= 1024),
    metadata       jsonb NOT NULL CHECK (jsonb_typeof(metadata) = 'object'),
    version        bigint NOT NULL CHECK (version >= 1),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz NOT NULL,
    destroy_at     timestamptz NOT NULL,
    delete_seq     bigint GENERATED ALWAYS AS IDENTITY UNIQUE
);
-- The deleted list walks delete_seq backwards (newest deletion first),
-- all of it or one provider's; the background pass finds the expired.
CREATE INDEX deleted_secrets_provider_slug_seq_idx
    ON lockbox.deleted_secrets (provider_slug, delete_seq);
CREATE INDEX deleted_secrets_destroy_at_idx
    ON lockbox.deleted_secrets (destroy_at);
COMMENT ON TABLE lockbox.deleted_secrets IS
    'Secrets deleted through the API, waiting out their recovery window (deleted_retention): restorable until destroy_at, then destroyed with every version by the workers'' background pass. Their names are free for new secrets meanwhile.';
COMMENT ON COLUMN lockbox.deleted_secrets.id IS 'The secret''s id, which a restore gives back to it.';
COMMENT ON COLUMN lockbox.deleted_secrets.name IS 'Its name when it was deleted (another secret may have it now).';
COMMENT ON COLUMN lockbox.deleted_secrets.provider_slug IS 'Its provider when it was deleted; NULL for none.';
COMMENT ON COLUMN lockbox.deleted_secrets.description IS 'Its description when it was deleted.';
COMMENT ON COLUMN lockbox.deleted_secrets.metadata IS 'Its metadata when it was deleted.';
COMMENT ON COLUMN lockbox.deleted_secrets.version IS 'Its current version when it was deleted; lockbox.secret_versions still holds it and the older ones kept.';
COMMENT ON COLUMN lockbox.deleted_secrets.created_at IS 'When the secret was created (UTC).';
COMMENT ON COLUMN lockbox.deleted_secrets.updated_at IS 'When it was last changed before its deletion (UTC).';
COMMENT ON COLUMN lockbox.deleted_secrets.deleted_at IS 'When it was deleted (UTC).';
COMMENT ON COLUMN lockbox.deleted_secrets.destroy_at IS 'The end of its recovery window: deleted_at plus the deleted_retention in force then. From this time on it cannot be restored, and it is destroyed.';
COMMENT ON COLUMN lockbox.deleted_secrets.delete_seq IS 'The order of deletions: the deleted list shows the highest (most recent) first and pages by it.';

CREATE VIEW lockbox.secret_overview AS
SELECT s.id, s.provider_slug, s.name, 'live'::text AS state, s.version,
       (SELECT count(*) FROM lockbox.secret_versions v
         WHERE v.secret_id = s.id) AS versions_kept,
       s.created_at, s.updated_at, NULL::timestamptz AS deleted_at,
       NULL::timestamptz AS destroy_at
  FROM lockbox.secrets s
UNION ALL
SELECT d.id, d.provider_slug, d.name, 'deleted', d.version,
       (SELECT count(*) FROM lockbox.secret_versions v
         WHERE v.secret_id = d.id),
       d.created_at, d.updated_at, d.deleted_at, d.destroy_at
  FROM lockbox.deleted_secrets d;
COMMENT ON VIEW lockbox.secret_overview IS
    'What is stored, at a glance: every secret, live or deleted (still in its recovery window, or past it and about to be destroyed), with its current version and how many versions are kept. No value.';
COMMENT ON COLUMN lockbox.secret_overview.id IS 'The secret''s id.';
COMMENT ON COLUMN lockbox.secret_overview.provider_slug IS 'Its provider; NULL for none.';
COMMENT ON COLUMN lockbox.secret_overview.name IS 'Its name.';
COMMENT ON COLUMN lockbox.secret_overview.state IS 'live, or deleted (restorable until destroy_at).';
COMMENT ON COLUMN lockbox.secret_overview.version IS 'Its current version.';
COMMENT ON COLUMN lockbox.secret_overview.versions_kept IS 'How many of its versions are kept (at most max_versions).';
COMMENT ON COLUMN lockbox.secret_overview.created_at IS 'When it was created (UTC).';
COMMENT ON COLUMN lockbox.secret_overview.updated_at IS 'When it was last changed (UTC).';
COMMENT ON COLUMN lockbox.secret_overview.deleted_at IS 'When it was deleted; NULL while it is live.';
COMMENT ON COLUMN lockbox.secret_overview.destroy_at IS 'When it will be destroyed; NULL while it is live.';

CREATE VIEW lockbox.secret_history AS
SELECT v.secret_id, v.version, v.created_at, v.api_key_id,
       k.name AS api_key_name, v.value_changed, v.key_id,
       CASE WHEN s.id IS NOT NULL THEN 'live' ELSE 'deleted' END AS state,
       v.version = coalesce(s.version, d.version) AS current
  FROM lockbox.secret_versions v
  LEFT JOIN lockbox.api_keys k ON k.id = v.api_key_id
  LEFT JOIN lockbox.secrets s ON s.id = v.secret_id
  LEFT JOIN lockbox.deleted_secrets d ON d.id = v.secret_id;
COMMENT ON VIEW lockbox.secret_history IS
    'Each secret''s version history: who made each kept version, when, and whether it changed the value. Never a value or a ciphertext.';
COMMENT ON COLUMN lockbox.secret_history.secret_id IS 'The secret.';
COMMENT ON COLUMN lockbox.secret_history.version IS 'The version.';
COMMENT ON COLUMN lockbox.secret_history.created_at IS 'When it was made (UTC).';
COMMENT ON COLUMN lockbox.secret_history.api_key_id IS 'The API key whose request made it; NULL before lockbox 0.3.';
COMMENT ON COLUMN lockbox.secret_history.api_key_name IS 'That key''s name, as minted.';
COMMENT ON COLUMN lockbox.secret_history.value_changed IS 'Whether it changed the value.';
COMMENT ON COLUMN lockbox.secret_history.key_id IS 'The key-ring key its value is sealed with.';
COMMENT ON COLUMN lockbox.secret_history.state IS 'Whether the secret is live or deleted.';
COMMENT ON COLUMN lockbox.secret_history.current IS 'Whether this is the secret''s current version.';
