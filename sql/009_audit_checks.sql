-- 009_audit_checks: the audit events without their CHECK constraints.
--
-- Every field of an event comes from a worker that checked it where the
-- request entered (the request id, the key's prefix and the address in
-- src/http.c and src/audit.c; the action from the route table; the status
-- from the answer), and a row that anyone else writes fails its MAC in
-- lockboxctl audit verify. The constraints repeated those checks on every
-- request, inside the statement that serves it, and cost more than the
-- five filter indexes together: pgbench, one event per statement, 8
-- clients, 15.3k tps with them and 20.5k without (a bare table 28.7k).
-- NOT NULL stays: it costs nothing and keeps a half-made event out.

ALTER TABLE lockbox.audit_events
    DROP CONSTRAINT IF EXISTS audit_events_request_id_check,
    DROP CONSTRAINT IF EXISTS audit_events_action_check,
    DROP CONSTRAINT IF EXISTS audit_events_status_check,
    DROP CONSTRAINT IF EXISTS audit_events_api_key_prefix_check,
    DROP CONSTRAINT IF EXISTS audit_events_remote_addr_check,
    DROP CONSTRAINT IF EXISTS audit_events_chain_seq_check,
    DROP CONSTRAINT IF EXISTS audit_events_prev_mac_check;
