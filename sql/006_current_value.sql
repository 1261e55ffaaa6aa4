-- 006_current_value: the current value on the secret's own row again.
--
-- 005 kept every value in lockbox.secret_versions only, so that a GET read
-- two rows (the secret's and its current version's): about a quarter of
-- the requests a second the read had before versions. A live secret's row
-- now also holds its current value, sealed: a GET, a lookup and a page of
-- values read the secret's rows alone. lockbox.secret_versions still holds
-- every kept version, the current one included; both are written by the
-- same statement (sql/queries.sql), so that they never tell two versions.
-- The additional data binds the secret's id, the version and the key id,
-- which both copies share: each opens on its own, and "lockboxctl rewrap"
-- seals each afresh. A deleted secret's row does not keep it: a restore
-- takes it from the version again.

ALTER TABLE lockbox.secrets
    ADD COLUMN key_id integer CHECK (key_id BETWEEN 1 AND 32767),
    ADD COLUMN nonce bytea CHECK (octet_length(nonce) = 12),
    ADD COLUMN ciphertext bytea CHECK (octet_length(ciphertext) > 16),
    ADD COLUMN value_format smallint CHECK (value_format IN (1, 2));

UPDATE lockbox.secrets s
   SET key_id = v.key_id, nonce = v.nonce, ciphertext = v.ciphertext,
       value_format = v.value_format
  FROM lockbox.secret_versions v
 WHERE v.secret_id = s.id AND v.version = s.version;

COMMENT ON TABLE lockbox.secrets IS
    'One row per live secret: its metadata in clear text for operators, and its current value only as ciphertext (as in its current version''s row of lockbox.secret_versions).';
COMMENT ON COLUMN lockbox.secrets.version IS
    '1 on create, +1 on every successful PATCH or version restore; the ETag and If-Match value. This row and lockbox.secret_versions both hold this version''s value.';
COMMENT ON COLUMN lockbox.secrets.key_id IS 'Which key of the key ring sealed the current value ("lockboxctl rewrap" moves it to the active key).';
COMMENT ON COLUMN lockbox.secrets.nonce IS 'The random 96-bit AES-GCM nonce of this ciphertext.';
COMMENT ON COLUMN lockbox.secrets.ciphertext IS 'AES-256-GCM ciphertext of the current value followed by the 16-byte tag; the additional data binds id, version and key_id, so that it opens nowhere else. NULL only in a database edited by hand, which a read answers with integrity_error.';
COMMENT ON COLUMN lockbox.secrets.value_format IS
    'What the ciphertext''s additional data binds: 2 = id, version and key_id; 1 = id and key_id only (written before lockbox 0.2).';
COMMENT ON TABLE lockbox.secret_versions IS
    'Every kept version of every secret, live or deleted: the current value (version = lockbox.secrets.version, whose row holds it too) and up to max_versions - 1 older ones. Values only as ciphertext; lockbox.secret_history shows the history without them.';
