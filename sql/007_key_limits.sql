-- 007_key_limits: least privilege for API keys.
--
-- A key has a level: list 1 < read 2 < write 3, or none (0) for a key
-- that may only read the audit log. Besides its level it may have the
-- audit scope, a restriction to some providers, and an expiry. Every
-- keyed statement (sql/queries.sql) compares level and expires_at; those
-- that reach secrets also ask lockbox.key_reaches() whether the key's
-- providers include the secret's, so that a restricted key is refused
-- by the statement itself, and its lists hold only what it may see.

CREATE OR REPLACE FUNCTION lockbox.scope_level(scope text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (CASE scope WHEN 'list' THEN 1 WHEN 'read' THEN 2
                  WHEN 'write' THEN 3 ELSE 0 END)::smallint $$;
COMMENT ON FUNCTION lockbox.scope_level(text) IS
    'The level of an API key''s scope: list 1 (lists, never a value), read 2 (also values), write 3 (also create, update, delete, restore), none 0. A route needs a level; a key has at least it or is refused.';

-- Whether a provider list is one lockbox can mint: 1 to 32 provider
-- slugs, '' standing for "secrets without a provider"; indexed from 1, so
-- that its text form is the plain {...} the workers read.
CREATE FUNCTION lockbox.valid_providers(providers text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT providers IS NULL
              OR (array_ndims(providers) = 1 AND array_lower(providers, 1) = 1
                  AND cardinality(providers) BETWEEN 1 AND 32
                  AND NOT EXISTS (SELECT FROM unnest(providers) p
                                   WHERE p IS NULL
                                      OR (p <> '' AND p !~ '^[a-z0-9][a-z0-9_-]{0,62}$'))) $$;
COMMENT ON FUNCTION lockbox.valid_providers(text[]) IS
    'Whether an API key''s provider restriction is well formed: NULL (every provider), or 1 to 32 provider slugs, '''' for secrets without a provider.';

-- providers is used once, so that the planner inlines this where a
-- statement passes it a sub-select: the sub-select then runs once per
-- statement, and each row costs one array comparison.
CREATE FUNCTION lockbox.key_reaches(providers text[], provider_slug text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(provider_slug, '') =
                 ANY (coalesce(providers, ARRAY[coalesce(provider_slug, '')])) $$;
COMMENT ON FUNCTION lockbox.key_reaches(text[], text) IS
    'Whether a key restricted to providers (NULL: every provider) may see a secret of provider_slug (NULL: none, which the restriction names as '''').';

ALTER TABLE lockbox.api_keys
    DROP CONSTRAINT api_keys_scope_check,
    ADD CONSTRAINT api_keys_scope_check
        CHECK (scope IN ('none', 'list', 'read', 'write')),
    ADD COLUMN audit boolean NOT NULL DEFAULT false,
    ADD COLUMN providers text[]
        CHECK (lockbox.valid_providers(providers)),
    ADD COLUMN expires_at timestamptz NOT NULL DEFAULT 'infinity',
    ADD CONSTRAINT api_keys_may_something CHECK (scope <> 'none' OR audit);
COMMENT ON COLUMN lockbox.api_keys.scope IS
    'The key''s level: list (lists of secrets, versions and deleted secrets; never a value), read (also values), write (also create, update, delete, restore, destroy), or none (a key for the audit log alone).';
COMMENT ON COLUMN lockbox.api_keys.audit IS
    'Whether the key may read the audit log, whatever its level.';
COMMENT ON COLUMN lockbox.api_keys.providers IS
    'The providers whose secrets the key reaches; NULL for every one, '''' for secrets without a provider. Other secrets are not found for it, and it cannot put a secret under another provider.';
COMMENT ON COLUMN lockbox.api_keys.expires_at IS
    'When the key stops working (infinity: never); afterwards it is refused like an unknown key.';
