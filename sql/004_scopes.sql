-- 004_scopes: what an API key's scope lets it do, said once.
--
-- lockbox.scope_level() turns a stored scope into a level (src/scope.h
-- has the same numbers): every statement that checks an API key compares
-- that level with the one its route needs, through lockbox.live_api_keys,
-- so that no statement spells out the scopes or what makes a key live.

CREATE FUNCTION lockbox.scope_level(scope text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE scope WHEN 'read' THEN 2 WHEN 'write' THEN 3 END $$;
COMMENT ON FUNCTION lockbox.scope_level(text) IS
    'The level of an API key''s scope: read 2 (list and get), write 3 (also create, update, delete). A route needs a level; a key has at least it or is refused.';

CREATE VIEW lockbox.live_api_keys AS
SELECT id, prefix, key_hash, hash_key_id, lockbox.scope_level(scope) AS level
  FROM lockbox.api_keys
 WHERE revoked_at IS NULL;
COMMENT ON VIEW lockbox.live_api_keys IS
    'The API keys that may be used now (not revoked), with their level: what the statements that check a key read.';
COMMENT ON COLUMN lockbox.live_api_keys.id IS 'The key id (lockbox.api_keys.id).';
COMMENT ON COLUMN lockbox.live_api_keys.prefix IS 'The key''s visible prefix, which finds it.';
COMMENT ON COLUMN lockbox.live_api_keys.key_hash IS 'Its keyed hash (lockbox.api_keys.key_hash).';
COMMENT ON COLUMN lockbox.live_api_keys.hash_key_id IS 'The ring key that made the hash.';
COMMENT ON COLUMN lockbox.live_api_keys.level IS 'lockbox.scope_level(scope): 2 read, 3 write.';
