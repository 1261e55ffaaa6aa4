-- 004_scopes: what an API key may do, said once.
--
-- lockbox.scope_level() turns a scope into a level (src/scope.h has the
-- same numbers), and lockbox.api_keys.level is what a key may do now: its
-- scope's level while it is not revoked, 0 once it is. Every statement
-- that checks a key compares that one column with the level its route
-- needs (sql/queries.sql, "keyed"), so that no statement spells out the
-- scopes or what makes a key live. A stored column rather than a view: the
-- planner has nothing to expand, and a statement planned per execution
-- (a provider's page, everything behind pgbouncer) costs what it did.

CREATE FUNCTION lockbox.scope_level(scope text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (CASE scope WHEN 'read' THEN 2 WHEN 'write' THEN 3
                  ELSE 0 END)::smallint $$;
COMMENT ON FUNCTION lockbox.scope_level(text) IS
    'The level of an API key''s scope: read 2 (list and get), write 3 (also create, update, delete), anything else 0. A route needs a level; a key has at least it or is refused.';

ALTER TABLE lockbox.api_keys
    ADD COLUMN level smallint NOT NULL
        GENERATED ALWAYS AS (CASE WHEN revoked_at IS NULL
                                  THEN lockbox.scope_level(scope)
                                  ELSE 0 END) STORED;
COMMENT ON COLUMN lockbox.api_keys.level IS
    'What the key may do now: lockbox.scope_level(scope) while it is not revoked, 0 once it is. Every statement that checks a key reads this column.';
