-- 008_audit: the audit log.
--
-- One event per request to /v1/admin/*, written by the statement that
-- serves the request (sql/queries.sql): a read's event by the statement
-- that reads, in the same round trip; a write's by the statement that
-- writes, in its transaction. The workers chain the events (one chain at
-- a time per worker): each event carries the MAC of the one before it in
-- its chain, under a key-ring subkey the database never sees, and seals
-- close each chain's end (src/audit_chain.h). Nothing here can make a MAC:
-- whoever edits these tables without the key ring is found out by
-- lockboxctl audit verify.

CREATE TABLE lockbox.audit_chains (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    host        text NOT NULL CHECK (octet_length(host) BETWEEN 1 AND 255),
    pid         integer NOT NULL,
    prev_id     bigint,
    link        bytea NOT NULL CHECK (octet_length(link) = 32),
    link_key_id integer NOT NULL
);
COMMENT ON TABLE lockbox.audit_chains IS
    'Chains of audit events: a worker opens one when it starts (and a spare for when its connection breaks mid-statement). The chains are themselves a chain: each row names the one opened before it and carries a MAC over it, so that a chain removed whole, row and all, is found out.';
COMMENT ON COLUMN lockbox.audit_chains.prev_id IS 'The chain opened just before this one (NULL: the first).';
COMMENT ON COLUMN lockbox.audit_chains.link IS 'HMAC-SHA-256, under a key-ring subkey, over the previous chain''s id and link and this one''s host and pid.';
COMMENT ON COLUMN lockbox.audit_chains.link_key_id IS 'The key of the ring link is made under.';
COMMENT ON COLUMN lockbox.audit_chains.id IS 'The chain''s number, the chain_id of its events and seals.';
COMMENT ON COLUMN lockbox.audit_chains.started_at IS 'When the worker opened the chain.';
COMMENT ON COLUMN lockbox.audit_chains.host IS 'The host name of the worker that writes the chain.';
COMMENT ON COLUMN lockbox.audit_chains.pid IS 'Its process id.';

CREATE TABLE lockbox.audit_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL,
    request_id      text NOT NULL
        CHECK (request_id ~ '^[A-Za-z0-9._-]{1,64}$'),
    action          text NOT NULL CHECK (action IN (
        'secret.list', 'secret.read', 'secret.lookup', 'secret.create',
        'secret.update', 'secret.delete', 'secret.destroy',
        'secret.restore', 'version.list', 'version.read',
        'version.restore', 'deleted.list', 'audit.read',
        'request.refused')),
    status          smallint NOT NULL CHECK (status BETWEEN 100 AND 599),
    api_key_id      bigint,
    api_key_prefix  text CHECK (api_key_prefix ~ '^lbk_[A-Za-z0-9_-]{8}$'),
    secret_id       bigint,
    version         bigint,
    secret_ids      bigint[],
    remote_addr     text CHECK (remote_addr ~ '^[0-9A-Fa-f.:]{2,45}$'),
    chain_id        bigint NOT NULL,
    chain_seq       bigint NOT NULL CHECK (chain_seq >= 1),
    prev_mac        bytea NOT NULL CHECK (octet_length(prev_mac) = 32),
    mac_key_id      integer NOT NULL
);
COMMENT ON TABLE lockbox.audit_events IS
    'One row per request to /v1/admin/*, whatever its outcome, stored before the answer was sent; a write''s in the write''s transaction. Never a value, a name, a metadata value, a body or a whole API key. Append-only: a trigger refuses UPDATE and DELETE (lockboxctl audit purge alone removes old events, and leaves a seal).';
COMMENT ON COLUMN lockbox.audit_events.id IS 'The event''s number: newer events have larger ones.';
COMMENT ON COLUMN lockbox.audit_events.at IS 'When the worker began to serve the request (its clock, UTC, microseconds).';
COMMENT ON COLUMN lockbox.audit_events.request_id IS 'The request''s X-Request-Id, as answered.';
COMMENT ON COLUMN lockbox.audit_events.action IS 'What was asked: the route''s action whatever the outcome (a refused read is secret.read), or request.refused for a path or method no route serves.';
COMMENT ON COLUMN lockbox.audit_events.status IS 'The HTTP status answered.';
COMMENT ON COLUMN lockbox.audit_events.api_key_id IS 'The API key (lockbox.api_keys.id) that was presented and is valid; NULL when none was, or it was unknown, revoked or expired (status 401).';
COMMENT ON COLUMN lockbox.audit_events.api_key_prefix IS 'The prefix of the key presented, when it had a key''s shape, valid or not. Never the rest of the key.';
COMMENT ON COLUMN lockbox.audit_events.secret_id IS 'The secret the request named (its path) or found (a lookup, a create).';
COMMENT ON COLUMN lockbox.audit_events.version IS 'The version read or written, where the request read or wrote one.';
COMMENT ON COLUMN lockbox.audit_events.secret_ids IS 'Every secret whose value a list with include=value disclosed; NULL otherwise.';
COMMENT ON COLUMN lockbox.audit_events.remote_addr IS 'The client''s address as the web server passed it (REMOTE_ADDR).';
COMMENT ON COLUMN lockbox.audit_events.chain_id IS 'The chain (lockbox.audit_chains) this event belongs to.';
COMMENT ON COLUMN lockbox.audit_events.chain_seq IS 'Its place in the chain: 1, 2, 3, ... without gaps.';
COMMENT ON COLUMN lockbox.audit_events.prev_mac IS 'The MAC of the chain''s event before this one (for event 1, the chain''s start): HMAC-SHA-256 under a key-ring subkey.';
COMMENT ON COLUMN lockbox.audit_events.mac_key_id IS 'The key of the ring the chain''s MACs are made under.';

-- The events as the workers MAC them: each field in the text a worker
-- writes it in (lockbox.api_time for the time). lockboxctl audit verify
-- and purge read them so, in this column order (src/store_audit_admin.c).
CREATE VIEW lockbox.audit_macd AS
SELECT id, chain_id, chain_seq, lockbox.api_time(at) AS at, request_id,
       action, status::text AS status, api_key_id::text AS api_key_id,
       api_key_prefix, secret_id::text AS secret_id,
       version::text AS version, secret_ids::text AS secret_ids,
       remote_addr, mac_key_id, prev_mac
  FROM lockbox.audit_events;
COMMENT ON VIEW lockbox.audit_macd IS
    'lockbox.audit_events as the workers MAC them: every field as text in the form a worker writes it.';
COMMENT ON COLUMN lockbox.audit_macd.id IS 'lockbox.audit_events.id.';
COMMENT ON COLUMN lockbox.audit_macd.chain_id IS 'lockbox.audit_events.chain_id.';
COMMENT ON COLUMN lockbox.audit_macd.chain_seq IS 'lockbox.audit_events.chain_seq.';
COMMENT ON COLUMN lockbox.audit_macd.at IS 'lockbox.audit_events.at as lockbox.api_time() writes it.';
COMMENT ON COLUMN lockbox.audit_macd.request_id IS 'lockbox.audit_events.request_id.';
COMMENT ON COLUMN lockbox.audit_macd.action IS 'lockbox.audit_events.action.';
COMMENT ON COLUMN lockbox.audit_macd.status IS 'lockbox.audit_events.status, as text.';
COMMENT ON COLUMN lockbox.audit_macd.api_key_id IS 'lockbox.audit_events.api_key_id, as text.';
COMMENT ON COLUMN lockbox.audit_macd.api_key_prefix IS 'lockbox.audit_events.api_key_prefix.';
COMMENT ON COLUMN lockbox.audit_macd.secret_id IS 'lockbox.audit_events.secret_id, as text.';
COMMENT ON COLUMN lockbox.audit_macd.version IS 'lockbox.audit_events.version, as text.';
COMMENT ON COLUMN lockbox.audit_macd.secret_ids IS 'lockbox.audit_events.secret_ids, as text ({1,2}).';
COMMENT ON COLUMN lockbox.audit_macd.remote_addr IS 'lockbox.audit_events.remote_addr.';
COMMENT ON COLUMN lockbox.audit_macd.mac_key_id IS 'lockbox.audit_events.mac_key_id.';
COMMENT ON COLUMN lockbox.audit_macd.prev_mac IS 'lockbox.audit_events.prev_mac.';

-- One index per filter of GET /v1/admin/audit, each ending in id so that
-- a filtered page is read newest first and stops at the page's end; a
-- time window walks (at, id).
CREATE INDEX audit_events_secret_idx ON lockbox.audit_events (secret_id, id)
    WHERE secret_id IS NOT NULL;
CREATE INDEX audit_events_key_idx ON lockbox.audit_events (api_key_id, id)
    WHERE api_key_id IS NOT NULL;
CREATE INDEX audit_events_action_idx ON lockbox.audit_events (action, id);
CREATE INDEX audit_events_status_idx ON lockbox.audit_events (status, id);
CREATE INDEX audit_events_at_idx ON lockbox.audit_events (at, id);

CREATE TABLE lockbox.audit_seals (
    chain_id    bigint NOT NULL,
    chain_seq   bigint NOT NULL CHECK (chain_seq >= 0),
    kind        text NOT NULL CHECK (kind IN ('tick', 'close', 'purge')),
    at          timestamptz NOT NULL DEFAULT now(),
    mac         bytea NOT NULL CHECK (octet_length(mac) = 32),
    mac_key_id  integer NOT NULL,
    seal        bytea NOT NULL CHECK (octet_length(seal) = 32),
    PRIMARY KEY (chain_id, chain_seq, kind)
);
COMMENT ON TABLE lockbox.audit_seals IS
    'Seals of audit chains: "chain C, up to its event N, ends in MAC M", MAC''d. A worker writes one every 10 seconds while its chain grows (tick) and one when it stops (close); lockboxctl audit purge one where it cut a chain (purge). Events after a chain''s last seal are not yet protected against removal from the end.';
COMMENT ON COLUMN lockbox.audit_seals.chain_id IS 'The chain sealed.';
COMMENT ON COLUMN lockbox.audit_seals.chain_seq IS 'The last event it covers (0: none).';
COMMENT ON COLUMN lockbox.audit_seals.kind IS 'tick (the chain goes on), close (the worker stopped cleanly), purge (events up to chain_seq were purged on purpose).';
COMMENT ON COLUMN lockbox.audit_seals.at IS 'When it was written.';
COMMENT ON COLUMN lockbox.audit_seals.mac IS 'The chain''s MAC after event chain_seq.';
COMMENT ON COLUMN lockbox.audit_seals.mac_key_id IS 'The key of the ring the MACs are made under.';
COMMENT ON COLUMN lockbox.audit_seals.seal IS 'The seal''s own MAC, over the chain, chain_seq, kind and mac.';

-- Append-only. Revoking UPDATE and DELETE binds roles other than the
-- owner (run the service as one: README); the trigger binds the owner
-- too. lockboxctl audit purge sets lockbox.audit_purge for its own
-- transaction, and no statement of the service ever does.
REVOKE UPDATE, DELETE, TRUNCATE ON lockbox.audit_events, lockbox.audit_seals,
    lockbox.audit_chains FROM PUBLIC;

CREATE FUNCTION lockbox.audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' AND
       coalesce(current_setting('lockbox.audit_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'lockbox: the audit log is append-only (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
COMMENT ON FUNCTION lockbox.audit_append_only() IS
    'Refuses UPDATE, DELETE and TRUNCATE on the audit tables, but the DELETEs of lockboxctl audit purge.';

CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON lockbox.audit_events
    FOR EACH ROW EXECUTE FUNCTION lockbox.audit_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON lockbox.audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION lockbox.audit_append_only();
CREATE TRIGGER audit_seals_append_only
    BEFORE UPDATE OR DELETE ON lockbox.audit_seals
    FOR EACH ROW EXECUTE FUNCTION lockbox.audit_append_only();
CREATE TRIGGER audit_seals_no_truncate
    BEFORE TRUNCATE ON lockbox.audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION lockbox.audit_append_only();
CREATE TRIGGER audit_chains_append_only
    BEFORE UPDATE OR DELETE ON lockbox.audit_chains
    FOR EACH ROW EXECUTE FUNCTION lockbox.audit_append_only();
CREATE TRIGGER audit_chains_no_truncate
    BEFORE TRUNCATE ON lockbox.audit_chains
    FOR EACH STATEMENT EXECUTE FUNCTION lockbox.audit_append_only();

-- The event a worker hands a statement: one text[], in this order (the
-- worker made each field, so that it can MAC exactly what is stored):
--  1 at  2 request_id  3 action  4 api_key_prefix  5 secret_id (of the
--  path)  6 remote_addr  7 chain_id  8 chain_seq  9 prev_mac (hex)
--  10 mac_key_id  11 the status of an error the worker found in the
--  request (held until the key is checked)  12 'async' for an event whose
--  commit need not wait for the disk  13 the API key's id, once checked.
-- NULL: audit = off, no event.
--
-- audit_put stores it with what only the statement knows, and returns
-- what it stored of that: "status|api_key_id|secret_id|version|secret_ids"
-- (empty for NULL), which the worker adds to its MAC.
CREATE FUNCTION lockbox.audit_put(ev text[], status integer, key_id bigint,
                                  secret_id bigint, version bigint,
                                  secret_ids bigint[])
    RETURNS text
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF ev IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(ev) = 0 THEN
        -- A worker that lost its chain: no event, so nothing at all.
        RAISE EXCEPTION 'lockbox: the worker has no audit chain open'
            USING ERRCODE = 'LBA01';
    END IF;
    IF ev[12] = 'async' THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    INSERT INTO lockbox.audit_events
           (at, request_id, action, status, api_key_id, api_key_prefix,
            secret_id, version, secret_ids, remote_addr, chain_id,
            chain_seq, prev_mac, mac_key_id)
    VALUES (ev[1]::timestamptz, ev[2], ev[3], status, key_id, ev[4],
            secret_id, version, secret_ids, ev[6], ev[7]::bigint,
            ev[8]::bigint, decode(ev[9], 'hex'), ev[10]::integer);
    RETURN status || '|' || coalesce(key_id::text, '') || '|' ||
           coalesce(secret_id::text, '') || '|' ||
           coalesce(version::text, '') || '|' ||
           coalesce(secret_ids::text, '');
END
$$;
COMMENT ON FUNCTION lockbox.audit_put(text[], integer, bigint, bigint, bigint, bigint[]) IS
    'Stores one audit event as a worker describes it (ev), with its outcome; returns the outcome as stored, for the worker''s MAC.';

-- A write's event, once its key was checked: the key is the worker's.
CREATE FUNCTION lockbox.audit_done(ev text[], status integer,
                                   secret_id bigint, version bigint)
    RETURNS text
    LANGUAGE sql
    AS $$ SELECT lockbox.audit_put(ev, status, ev[13]::bigint, secret_id,
                                   version, NULL) $$;
COMMENT ON FUNCTION lockbox.audit_done(text[], integer, bigint, bigint) IS
    'audit_put for a request whose key the worker checked (ev[13]).';

-- A route's first statement decides its event as the worker will decide
-- its answer: the key (401: unknown, revoked or expired; 403: short of
-- the level need, or of the audit scope for need -1), then an error the
-- worker found in the request, then the statement's outcome. Outcome 0:
-- the request goes on (a write follows, and its statement carries the
-- event); nothing is stored and '0' returned.
CREATE FUNCTION lockbox.audit_note(ev text[], prefix text, hashes bytea[],
                                   need integer, outcome integer,
                                   secret_id bigint, version bigint,
                                   secret_ids bigint[])
    RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    k_id     bigint;
    k_level  integer;
    k_audit  boolean;
    st       integer;
BEGIN
    IF ev IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT k.id, k.level, k.audit INTO k_id, k_level, k_audit
      FROM lockbox.api_keys k
     WHERE k.prefix = audit_note.prefix AND k.key_hash = ANY (hashes)
       AND k.revoked_at IS NULL AND k.expires_at > now();
    IF k_id IS NULL THEN
        st := 401;
    ELSIF (need < 0 AND NOT k_audit) OR (need >= 0 AND k_level < need) THEN
        st := 403;
    ELSE
        st := coalesce(ev[11]::integer, outcome);
    END IF;
    IF st = 0 THEN
        RETURN '0';
    END IF;
    RETURN lockbox.audit_put(ev, st, k_id, coalesce(secret_id, ev[5]::bigint),
                             version, secret_ids);
END
$$;
COMMENT ON FUNCTION lockbox.audit_note(text[], text, bytea[], integer, integer, bigint, bigint, bigint[]) IS
    'A route''s first statement''s event: decided from the key presented, the worker''s error, and the statement''s outcome (0: a later write stores the event).';
