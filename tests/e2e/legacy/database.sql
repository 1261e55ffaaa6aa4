--
-- PostgreSQL database dump
--

\restrict mDnGi87YwcOoSRUi5ktq0Mvn9U9aYT2YwJ9crARXdajkbLpF6Yjoskafwb3a1nB

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: lockbox; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA lockbox;


--
-- Name: SCHEMA lockbox; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA lockbox IS 'lockbox: encrypted secrets, API key hashes and idempotency records.';


--
-- Name: api_time(timestamp with time zone); Type: FUNCTION; Schema: lockbox; Owner: -
--

CREATE FUNCTION lockbox.api_time(t timestamp with time zone) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;


--
-- Name: FUNCTION api_time(t timestamp with time zone); Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON FUNCTION lockbox.api_time(t timestamp with time zone) IS 'Formats a time as the API shows it: 2026-11-27T10:02:16.123456Z.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: lockbox; Owner: -
--

CREATE TABLE lockbox.api_keys (
    id bigint NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    key_hash bytea NOT NULL,
    scope text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_key_hash_check CHECK ((octet_length(key_hash) = 32)),
    CONSTRAINT api_keys_name_check CHECK (((octet_length(name) >= 1) AND (octet_length(name) <= 255))),
    CONSTRAINT api_keys_scope_check CHECK ((scope = ANY (ARRAY['read'::text, 'write'::text])))
);


--
-- Name: TABLE api_keys; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON TABLE lockbox.api_keys IS 'Keys that may call /v1/admin/*. Minted by "lockboxctl apikey create"; the key itself is shown once and never stored.';


--
-- Name: COLUMN api_keys.id; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.id IS 'Key id, as "lockboxctl apikey list" and "revoke" use it.';


--
-- Name: COLUMN api_keys.name; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.name IS 'Who or what the key is for, chosen by the admin who minted it.';


--
-- Name: COLUMN api_keys.prefix; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.prefix IS 'The first 12 characters of the key: finds the row and names the key in logs. Not enough to use it.';


--
-- Name: COLUMN api_keys.key_hash; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.key_hash IS 'SHA-256 of the whole key (256 random bits, so a fast hash is enough).';


--
-- Name: COLUMN api_keys.scope; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.scope IS 'read: list and get secrets; write: also create, update and delete.';


--
-- Name: COLUMN api_keys.created_at; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.created_at IS 'When the key was minted.';


--
-- Name: COLUMN api_keys.revoked_at; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.api_keys.revoked_at IS 'When the key was revoked; NULL while it is valid. Checked on every request.';


--
-- Name: api_keys_id_seq; Type: SEQUENCE; Schema: lockbox; Owner: -
--

ALTER TABLE lockbox.api_keys ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME lockbox.api_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: lockbox; Owner: -
--

CREATE TABLE lockbox.idempotency_keys (
    api_key_id bigint NOT NULL,
    idempotency_key text NOT NULL,
    fingerprint bytea NOT NULL,
    fingerprint_key_id integer NOT NULL,
    secret_id bigint NOT NULL,
    response_status smallint NOT NULL,
    response_body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_fingerprint_check CHECK ((octet_length(fingerprint) = 32)),
    CONSTRAINT idempotency_keys_idempotency_key_check CHECK ((idempotency_key ~ '^[!-~]{1,255}$'::text))
);


--
-- Name: TABLE idempotency_keys; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON TABLE lockbox.idempotency_keys IS 'Creates made with an Idempotency-Key, written in the same transaction as the secret, replayed on a retry, purged after idempotency_ttl.';


--
-- Name: COLUMN idempotency_keys.api_key_id; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.api_key_id IS 'The API key that sent the request: idempotency keys are scoped to it.';


--
-- Name: COLUMN idempotency_keys.idempotency_key; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.idempotency_key IS 'The Idempotency-Key header as sent (1 to 255 printable ASCII characters).';


--
-- Name: COLUMN idempotency_keys.fingerprint; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.fingerprint IS 'HMAC-SHA-256 of the normalised request under a key-ring subkey: tells a retry from a different request without storing anything a value could be guessed from.';


--
-- Name: COLUMN idempotency_keys.fingerprint_key_id; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.fingerprint_key_id IS 'The key-ring key the fingerprint was made with.';


--
-- Name: COLUMN idempotency_keys.secret_id; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.secret_id IS 'The secret the request created (it may since have been deleted).';


--
-- Name: COLUMN idempotency_keys.response_status; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.response_status IS 'The HTTP status of the original answer, replayed as is.';


--
-- Name: COLUMN idempotency_keys.response_body; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.response_body IS 'The original answer body, replayed as is (it never holds the value).';


--
-- Name: COLUMN idempotency_keys.created_at; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.idempotency_keys.created_at IS 'When the key was first used; rows older than idempotency_ttl are purged.';


--
-- Name: schema_migrations; Type: TABLE; Schema: lockbox; Owner: -
--

CREATE TABLE lockbox.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE schema_migrations; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON TABLE lockbox.schema_migrations IS 'Which sql/NNN_*.sql files "lockboxctl migrate" has applied.';


--
-- Name: COLUMN schema_migrations.version; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.schema_migrations.version IS 'The NNN of the migration file.';


--
-- Name: COLUMN schema_migrations.name; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.schema_migrations.name IS 'The migration file name without .sql.';


--
-- Name: COLUMN schema_migrations.applied_at; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.schema_migrations.applied_at IS 'When it was applied.';


--
-- Name: secrets; Type: TABLE; Schema: lockbox; Owner: -
--

CREATE TABLE lockbox.secrets (
    id bigint NOT NULL,
    name text NOT NULL,
    provider_slug text,
    description text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    key_id integer NOT NULL,
    nonce bytea NOT NULL,
    ciphertext bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT secrets_ciphertext_check CHECK ((octet_length(ciphertext) > 16)),
    CONSTRAINT secrets_description_check CHECK ((octet_length(description) <= 1024)),
    CONSTRAINT secrets_key_id_check CHECK (((key_id >= 1) AND (key_id <= 32767))),
    CONSTRAINT secrets_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT secrets_name_check CHECK (((octet_length(name) >= 1) AND (octet_length(name) <= 255))),
    CONSTRAINT secrets_nonce_check CHECK ((octet_length(nonce) = 12)),
    CONSTRAINT secrets_provider_slug_check CHECK ((provider_slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT secrets_version_check CHECK ((version >= 1))
);


--
-- Name: TABLE secrets; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON TABLE lockbox.secrets IS 'One row per secret. Metadata is clear text for operators; the value is only ciphertext.';


--
-- Name: COLUMN secrets.id; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.id IS 'Secret id, assigned by the server, increasing with creation; lists are newest (highest id) first.';


--
-- Name: COLUMN secrets.name; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.name IS 'Name, unique per provider_slug (secrets without a provider share one namespace).';


--
-- Name: COLUMN secrets.provider_slug; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.provider_slug IS 'Optional provider the secret belongs to, e.g. aws; NULL for none.';


--
-- Name: COLUMN secrets.description; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.description IS 'Optional free text for people; NULL for none.';


--
-- Name: COLUMN secrets.metadata; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.metadata IS 'Up to 50 string members set by clients, e.g. {"team": "payments"}.';


--
-- Name: COLUMN secrets.version; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.version IS '1 on create, +1 on every successful PATCH; the ETag and If-Match value.';


--
-- Name: COLUMN secrets.key_id; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.key_id IS 'Which key of the key ring sealed the value ("lockboxctl rewrap" moves rows to the active key).';


--
-- Name: COLUMN secrets.nonce; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.nonce IS 'The random 96-bit AES-GCM nonce of this ciphertext, fresh on every write.';


--
-- Name: COLUMN secrets.ciphertext; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.ciphertext IS 'AES-256-GCM ciphertext of the value followed by the 16-byte tag; the additional data binds id and key_id.';


--
-- Name: COLUMN secrets.created_at; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.created_at IS 'When the secret was created (UTC).';


--
-- Name: COLUMN secrets.updated_at; Type: COMMENT; Schema: lockbox; Owner: -
--

COMMENT ON COLUMN lockbox.secrets.updated_at IS 'When the secret was last changed (UTC).';


--
-- Name: secrets_id_seq; Type: SEQUENCE; Schema: lockbox; Owner: -
--

ALTER TABLE lockbox.secrets ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME lockbox.secrets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: lockbox; Owner: -
--

COPY lockbox.api_keys (id, name, prefix, key_hash, scope, created_at, revoked_at) FROM stdin;
1	e2e-write	lbk_agKqGOht	\\xd4ec55a7ebeb27f27572f8ded74f62b0454a87509ccdba37a249c1778bef77e3	write	2026-12-03 02:21:28.664549+00	\N
2	e2e-read	lbk_RQm4RIir	\\x2faa1ad010cf20f20393124f36cd787f9eebf32375c415503bfe0887f512c574	read	2026-12-03 02:21:28.776351+00	\N
3	e2e-revoked	lbk_4aQ5JO9T	\\x684446b5e8fe0cd7411a4da8f1b0cbbc57f765283e3550c1a5131d30ee8d33ed	write	2026-12-03 02:21:28.893598+00	2026-12-03 02:21:29.008529+00
\.


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: lockbox; Owner: -
--

COPY lockbox.idempotency_keys (api_key_id, idempotency_key, fingerprint, fingerprint_key_id, secret_id, response_status, response_body, created_at) FROM stdin;
1	legacy-idem	\\xc4f0d144fc1af168cfb8302261a72cc00da48a4ab7a76aef110b8ab9efe062ff	1	6	201	{"id":6,"name":"legacy-idem","provider_slug":null,"description":null,"metadata":{},"version":1,"created_at":"2026-12-03T02:21:30.087700Z","updated_at":"2026-12-03T02:21:30.087700Z"}	2026-12-03 02:21:30.093125+00
\.


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: lockbox; Owner: -
--

COPY lockbox.schema_migrations (version, name, applied_at) FROM stdin;
1	001_initial	2026-12-03 02:21:28.43783+00
2	002_planner_settings	2026-12-03 02:21:28.43783+00
\.


--
-- Data for Name: secrets; Type: TABLE DATA; Schema: lockbox; Owner: -
--

COPY lockbox.secrets (id, name, provider_slug, description, metadata, version, key_id, nonce, ciphertext, created_at, updated_at) FROM stdin;
1	legacy-1	aws	\N	{"n": "1"}	1	1	\\x11743d3eccc7db9bb2b671c5	\\x5f1204077d2c62c39807c37f8ed42641618e6e0b7df700a00d665b5ab7c7a81a7dab83cc1ab150ef2430	2026-12-03 02:21:29.562038+00	2026-12-03 02:21:29.562038+00
4	legacy-4	aws	\N	{"n": "4"}	1	1	\\xfa71a7c55f99119884863de5	\\xebfe967d27508553a0cfb4acde866237c2e15a933f428d756a4aabb973b82ef8cbeed3140ebc8751c101	2026-12-03 02:21:29.884193+00	2026-12-03 02:21:29.884193+00
5	legacy-5	aws	\N	{"n": "5"}	1	1	\\x676139c0476dd154e2f17ce1	\\xe535879c4a8695ec90d74a7f3f346017e6772a9cabee334af05e19e178f4f62b86bf4d0770335c21ee8b	2026-12-03 02:21:29.992799+00	2026-12-03 02:21:29.992799+00
6	legacy-idem	\N	\N	{}	1	1	\\x10dc8bf5c50ff9a203cc7f1d	\\x6c8111ca9b4571cd950702a916c3b9093ae410d373ef8f44f8595eb89ef458ede1	2026-12-03 02:21:30.0877+00	2026-12-03 02:21:30.0877+00
2	legacy-2	aws	\N	{"n": "2"}	2	1	\\x7e4b999fa21cebf04260c465	\\x0e2e38cae85fe4401bd9c51fc6e0252e6d6ab9e479d71287a5e2df5c5cdd922109e694f5d00d	2026-12-03 02:21:29.680851+00	2026-12-03 02:21:30.192898+00
3	legacy-3	aws	patched without value	{"n": "3"}	2	1	\\x3702e93c7b6ecf3d9611689d	\\xeab624fc47adda40e7882044b64c52988750970ea3765b1376175fdd5eb916883cfb5dabde3384f99d1d	2026-12-03 02:21:29.78477+00	2026-12-03 02:21:30.285542+00
\.


--
-- Name: api_keys_id_seq; Type: SEQUENCE SET; Schema: lockbox; Owner: -
--

SELECT pg_catalog.setval('lockbox.api_keys_id_seq', 3, true);


--
-- Name: secrets_id_seq; Type: SEQUENCE SET; Schema: lockbox; Owner: -
--

SELECT pg_catalog.setval('lockbox.secrets_id_seq', 6, true);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: api_keys api_keys_prefix_key; Type: CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.api_keys
    ADD CONSTRAINT api_keys_prefix_key UNIQUE (prefix);


--
-- Name: idempotency_keys idempotency_keys_api_key_id_idempotency_key_key; Type: CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.idempotency_keys
    ADD CONSTRAINT idempotency_keys_api_key_id_idempotency_key_key UNIQUE (api_key_id, idempotency_key);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: secrets secrets_pkey; Type: CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.secrets
    ADD CONSTRAINT secrets_pkey PRIMARY KEY (id);


--
-- Name: secrets secrets_provider_slug_name_key; Type: CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.secrets
    ADD CONSTRAINT secrets_provider_slug_name_key UNIQUE NULLS NOT DISTINCT (provider_slug, name);


--
-- Name: idempotency_keys_created_at_idx; Type: INDEX; Schema: lockbox; Owner: -
--

CREATE INDEX idempotency_keys_created_at_idx ON lockbox.idempotency_keys USING btree (created_at);


--
-- Name: secrets_provider_slug_id_idx; Type: INDEX; Schema: lockbox; Owner: -
--

CREATE INDEX secrets_provider_slug_id_idx ON lockbox.secrets USING btree (provider_slug, id);


--
-- Name: idempotency_keys idempotency_keys_api_key_id_fkey; Type: FK CONSTRAINT; Schema: lockbox; Owner: -
--

ALTER TABLE ONLY lockbox.idempotency_keys
    ADD CONSTRAINT idempotency_keys_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES lockbox.api_keys(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict mDnGi87YwcOoSRUi5ktq0Mvn9U9aYT2YwJ9crARXdajkbLpF6Yjoskafwb3a1nB

