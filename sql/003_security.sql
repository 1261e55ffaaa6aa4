-- 003_security: what the security review of lockbox 0.1 changed in storage.
--
-- 1. A sealed value's additional data binds its version (value_format 2),
--    so that an older ciphertext of a secret written back over a newer one
--    fails to open. Rows written before stay readable (value_format 1)
--    until "lockboxctl rewrap" seals them again in the new form.
-- 2. API keys are stored as keyed hashes (HMAC under a key-ring subkey),
--    so that someone who can write lockbox.api_keys but lacks the key ring
--    cannot mint a working key. The plain SHA-256 hashes of 0.1 are
--    converted by "lockboxctl migrate" itself, in this migration's
--    transaction, with the key ring (it needs no API key to do so: the new
--    hash is the HMAC of the old one).
-- 3. Key rotation is safe by construction: every worker records which key
--    it seals with (lockbox.workers), "lockboxctl rewrap" waits for every
--    live worker to seal with the active key and then retires the others
--    (lockbox.retired_keys); a write sealed with a retired key is refused
--    by its own statement, whichever host sends it.

ALTER TABLE lockbox.secrets
    ADD COLUMN value_format smallint NOT NULL DEFAULT 1
        CHECK (value_format IN (1, 2));
-- Existing rows keep 1; new rows are 2 (lockbox's own writes say so).
ALTER TABLE lockbox.secrets ALTER COLUMN value_format SET DEFAULT 2;
COMMENT ON COLUMN lockbox.secrets.value_format IS
    'What the ciphertext''s additional data binds: 2 = id, version and key_id; 1 = id and key_id only (written before lockbox 0.2; "lockboxctl rewrap" moves such rows to 2).';
COMMENT ON COLUMN lockbox.secrets.ciphertext IS
    'AES-256-GCM ciphertext of the value followed by the 16-byte tag; the additional data binds id, version and key_id (see value_format).';
COMMENT ON COLUMN lockbox.secrets.version IS
    '1 on create, +1 on every successful PATCH; the ETag and If-Match value, and bound into the ciphertext.';

ALTER TABLE lockbox.api_keys
    ADD COLUMN hash_key_id integer CHECK (hash_key_id BETWEEN 1 AND 32767);
COMMENT ON COLUMN lockbox.api_keys.key_hash IS
    'HMAC-SHA-256, under a subkey of key-ring key hash_key_id, of the SHA-256 of the whole key: without the key ring nobody can make a hash that authenticates.';
COMMENT ON COLUMN lockbox.api_keys.hash_key_id IS
    'The key-ring key whose subkey made key_hash. A key used after a rotation moves to the active key by itself. NULL only for a plain SHA-256 from before lockbox 0.2, which authenticates nothing.';

CREATE TABLE lockbox.retired_keys (
    key_id      integer PRIMARY KEY CHECK (key_id BETWEEN 1 AND 32767),
    retired_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE lockbox.retired_keys IS
    'Key-ring keys that "lockboxctl rewrap" retired: no value may be sealed with them any more (every sealing statement checks), so that a host with an old key ring cannot strand a secret under a key about to leave the ring.';
COMMENT ON COLUMN lockbox.retired_keys.key_id IS 'The key-ring key id.';
COMMENT ON COLUMN lockbox.retired_keys.retired_at IS 'When rewrap retired it.';

CREATE TABLE lockbox.workers (
    worker_id     bigint PRIMARY KEY,
    host          text NOT NULL,
    pid           integer NOT NULL,
    seal_key_id   integer NOT NULL,
    ring_key_ids  integer[] NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    seen_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE lockbox.workers IS
    'A heartbeat per lockbox worker process, on every host: which key it seals with. "lockboxctl rewrap" and "keyring remove" read it; rows of workers gone for a day are purged.';
COMMENT ON COLUMN lockbox.workers.worker_id IS 'Random, chosen by the worker at start.';
COMMENT ON COLUMN lockbox.workers.host IS 'The host name of the machine the worker runs on.';
COMMENT ON COLUMN lockbox.workers.pid IS 'Its process id there.';
COMMENT ON COLUMN lockbox.workers.seal_key_id IS 'The key-ring key it seals new values with (its ring''s active key).';
COMMENT ON COLUMN lockbox.workers.ring_key_ids IS 'Every key id in its key ring.';
COMMENT ON COLUMN lockbox.workers.started_at IS 'When it first reported.';
COMMENT ON COLUMN lockbox.workers.seen_at IS 'Its last heartbeat (every 10 s while it runs); a worker not seen for 30 s is taken for gone.';
