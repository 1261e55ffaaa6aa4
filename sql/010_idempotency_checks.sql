-- 010_idempotency_checks: the idempotency records without their CHECK
-- constraints and their foreign key.
--
-- The worker checks the Idempotency-Key where the request enters (1 to 255
-- printable ASCII characters, src/validate.c) and makes the fingerprint
-- itself (32 bytes, HMAC-SHA-256); the key's id is the one it has just
-- checked. The regular expression and the length repeated those checks
-- inside the statement of every create that carries a key, and the foreign
-- key locked the API key's row (FOR KEY SHARE) in every one of them, so
-- that concurrent creates by one key shared that lock through a multixact.
-- API keys are revoked, never deleted, so ON DELETE CASCADE had nothing to
-- do. pgbench on the idempotent create's SQL (tests/bench), 32 clients:
-- 2,230-2,420 tps with them, 2,750 without the foreign key, 3,830-4,250
-- without the checks as well; the plain create 3,560-4,660.
-- NOT NULL and the unique key stay: a replay depends on them.

ALTER TABLE lockbox.idempotency_keys
    DROP CONSTRAINT IF EXISTS idempotency_keys_api_key_id_fkey,
    DROP CONSTRAINT IF EXISTS idempotency_keys_idempotency_key_check,
    DROP CONSTRAINT IF EXISTS idempotency_keys_fingerprint_check;
COMMENT ON COLUMN lockbox.idempotency_keys.api_key_id IS
    'The API key (lockbox.api_keys.id) that sent the request: idempotency keys are scoped to it.';
