-- 002_planner_settings: the planner setting lockbox's list statements rely
-- on, for every session of this role in this database, pooled or not.
--
-- lockbox sets random_page_cost = 1.1 on each connection it opens
-- (session_setup in sql/queries.sql). Behind pgbouncer in transaction
-- pooling a statement may run on a server connection that never ran that
-- SET (pgbouncer does not carry random_page_cost over): at the default (4)
-- the page filtered by provider reads all of a provider's rows and sorts
-- them. A role setting in this database reaches every session of the role
-- here, whoever opened it. It is for the role that runs the migration;
-- when lockbox-fcgi connects as another role, give that role the same
-- setting (ALTER ROLE name IN DATABASE db SET random_page_cost = 1.1).
-- A role that may not change its own settings gets a notice, not a
-- failed migration.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET random_page_cost = 1.1',
                   current_user, current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'lockbox: cannot set random_page_cost for role %; behind a transaction-pooling pgbouncer, set it as shown in sql/002_planner_settings.sql',
        current_user;
END
$$;
