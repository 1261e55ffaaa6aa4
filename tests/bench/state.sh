# tests/bench/state.sh -- sourced by tests/bench/run: the rows the routes
# read and write, and the state each turn starts from.
#
# The seeded ids, 1..ROWS:
#   1 ..             pgbench's deletes, from the bottom up
#   POOL_LO..POOL_HI a pool that the routes of deleted secrets (list,
#                    restore, destroy) find deleted, and every other
#                    route finds live (pool_deleted, pool_live)
#   HIST_FIRST..     a thousand secrets with 10 versions each
#   .. ROWS          wrk's deletes, from the top down

# The columns seed writes (tests/bench/seed.c): a secret's row with its
# current value, and with --versions its version 1, which holds it too
# (sql/005_lifecycle.sql, sql/006_current_value.sql).
COLUMNS="id, name, provider_slug, description, metadata, version, created_at,
    updated_at, key_id, nonce, ciphertext, value_format"
VCOLUMNS="secret_id, version, key_id, nonce, ciphertext, value_format,
    value_changed, api_key_id, created_at"
seed() { "$build/tests/bench/seed" --key-file "$LB_TMP/keyring" "$@"; }

# Seeds ROWS secrets, each with its version 1, and the secrets with 10
# versions; sets HIST_FIRST, HIST_ROWS and the pool's range.
seed_all() {
    say "seeding $ROWS secrets"
    t0=$SECONDS
    seed --rows "$ROWS" | "${PSQL[@]}" -c "COPY lockbox.secrets ($COLUMNS) FROM STDIN" || exit 1
    seed --rows "$ROWS" --versions |
        "${PSQL[@]}" -c "COPY lockbox.secret_versions ($VCOLUMNS) FROM STDIN" || exit 1
    # A thousand secrets in the middle of the table (out of the deletes' way)
    # with 10 versions each, for the page of versions.
    HIST_FIRST=$((ROWS / 2 + 1)) HIST_ROWS=$((ROWS / 10 < 1000 ? ROWS / 10 : 1000))
    [ "$HIST_ROWS" -ge 1 ] || HIST_ROWS=1
    "${PSQL[@]}" -c "DELETE FROM lockbox.secret_versions WHERE secret_id BETWEEN $HIST_FIRST AND $((HIST_FIRST + HIST_ROWS - 1))" \
        -c "DELETE FROM lockbox.secrets WHERE id BETWEEN $HIST_FIRST AND $((HIST_FIRST + HIST_ROWS - 1))" >/dev/null || exit 1
    seed --first-id "$HIST_FIRST" --rows "$HIST_ROWS" --history 10 |
        "${PSQL[@]}" -c "COPY lockbox.secrets ($COLUMNS) FROM STDIN" || exit 1
    seed --first-id "$HIST_FIRST" --rows "$HIST_ROWS" --history 10 --versions |
        "${PSQL[@]}" -c "COPY lockbox.secret_versions ($VCOLUMNS) FROM STDIN" || exit 1
    "${PSQL[@]}" -c "SELECT setval('lockbox.secrets_id_seq', $ROWS)" \
        -c "VACUUM ANALYZE lockbox.secrets" -c "VACUUM ANALYZE lockbox.secret_versions" >/dev/null
    say "seeded in $((SECONDS - t0)) s"
    # The pool: below the secrets with versions, above most of pgbench's
    # deletes; as many as a turn of restores can take (8,000 a second).
    POOL_LO=$((ROWS / 10 + 1))
    POOL_N=$((8000 * DUR))
    [ "$POOL_N" -le $((HIST_FIRST - POOL_LO)) ] || POOL_N=$((HIST_FIRST - POOL_LO))
    POOL_HI=$((POOL_LO + POOL_N - 1))
    POOL=live
}


# Seeds again the rows a delete round took: wrk deletes from the top of the
# seeded ids down, pgbench from the bottom up. A DELETE moved each to
# lockbox.deleted_secrets and kept its versions: those go, and the secret
# comes back at version 1 with its seeded value.
reseed() {
    local lo hi dir=$LB_TMP/reseed
    lo=$("${PSQL[@]}" -At -c "SELECT coalesce(max(g), 0)
        FROM generate_series(1, $ROWS / 2) g
        WHERE NOT EXISTS (SELECT FROM lockbox.secrets WHERE id = g)")
    hi=$("${PSQL[@]}" -At -c "SELECT coalesce(min(g), $ROWS + 1)
        FROM generate_series($ROWS / 2 + 1, $ROWS) g
        WHERE NOT EXISTS (SELECT FROM lockbox.secrets WHERE id = g)")
    mkdir -p "$dir"
    : >"$dir/s.copy"
    : >"$dir/v.copy"
    if [ "$lo" -gt 0 ]; then
        seed --rows "$lo" >>"$dir/s.copy" || exit 1
        seed --rows "$lo" --versions >>"$dir/v.copy" || exit 1
    fi
    if [ "$hi" -le "$ROWS" ]; then
        seed --first-id "$hi" --rows $((ROWS - hi + 1)) >>"$dir/s.copy" || exit 1
        seed --first-id "$hi" --rows $((ROWS - hi + 1)) --versions >>"$dir/v.copy" || exit 1
    fi
    put_back "$dir"
}

# Seeded rows back from DIR/s.copy and DIR/v.copy (seed's output): those
# of them the secrets lack, deleted or not, with their version 1 alone.
put_back() {
    local dir=$1
    "${PSQL[@]}" >/dev/null <<EOF || exit 1
BEGIN;
CREATE TEMP TABLE back_s (LIKE lockbox.secrets INCLUDING DEFAULTS);
CREATE TEMP TABLE back_v (LIKE lockbox.secret_versions INCLUDING DEFAULTS);
\copy back_s ($(echo $COLUMNS)) FROM '$dir/s.copy'
\copy back_v ($(echo $VCOLUMNS)) FROM '$dir/v.copy'
DELETE FROM back_s b USING lockbox.secrets s WHERE s.id = b.id;
DELETE FROM lockbox.deleted_secrets d USING back_s b WHERE d.id = b.id;
DELETE FROM lockbox.secret_versions v USING back_s b WHERE v.secret_id = b.id;
INSERT INTO lockbox.secrets ($COLUMNS) SELECT $COLUMNS FROM back_s;
INSERT INTO lockbox.secret_versions ($VCOLUMNS)
SELECT $VCOLUMNS FROM back_v v WHERE EXISTS (SELECT FROM back_s b WHERE b.id = v.secret_id);
COMMIT;
EOF
}

# pgbench's PATCHes cannot seal: each puts the current version's sealed
# value into the new version and onto the row, where it then no longer
# opens (the additional data binds the version), and every PATCH opens the
# current value (to compare it with the new one). They are marked as made
# by API key 0 (no key has that id; the same statement, one parameter's
# value): this takes them back, each secret to its last version lockbox
# made (its row's value from that version's), so that no
# later turn (wrk's PATCHes, GETs through pgbouncer or TCP) meets one.
unpatch() {
    "${PSQL[@]}" >/dev/null <<EOF || exit 1
BEGIN;
CREATE TEMP TABLE touched AS
SELECT DISTINCT secret_id AS id FROM lockbox.secret_versions WHERE api_key_id = 0;
DELETE FROM lockbox.secret_versions WHERE api_key_id = 0;
UPDATE lockbox.secrets s
   SET version = m.v, key_id = v.key_id, nonce = v.nonce,
       ciphertext = v.ciphertext, value_format = v.value_format
  FROM (SELECT secret_id, max(version) AS v FROM lockbox.secret_versions
         WHERE secret_id IN (SELECT id FROM touched) GROUP BY 1) m
  JOIN lockbox.secret_versions v ON v.secret_id = m.secret_id AND v.version = m.v
 WHERE m.secret_id = s.id;
COMMIT;
EOF
    local lost
    lost=$("${PSQL[@]}" -At -c "SELECT count(*) FROM lockbox.secrets s WHERE NOT EXISTS
        (SELECT FROM lockbox.secret_versions v WHERE v.secret_id = s.id AND v.version = s.version)")
    [ "${lost:-0}" = 0 ] || say "warning: $lost secrets lost every version lockbox made to pgbench's PATCHes (max_versions)"
}

# The pool live: its deleted secrets back (at their version, with its
# value), and those a destroy took seeded again.
pool_live() {
    local gone dir=$LB_TMP/pool
    "${PSQL[@]}" >/dev/null <<EOF || exit 1
WITH d AS (
    DELETE FROM lockbox.deleted_secrets WHERE id BETWEEN $POOL_LO AND $POOL_HI
    RETURNING id, name, provider_slug, description, metadata, version,
              created_at, updated_at)
INSERT INTO lockbox.secrets ($COLUMNS)
SELECT d.id, d.name, d.provider_slug, d.description, d.metadata, d.version,
       d.created_at, d.updated_at, v.key_id, v.nonce, v.ciphertext, v.value_format
  FROM d JOIN lockbox.secret_versions v ON v.secret_id = d.id AND v.version = d.version;
EOF
    gone=$("${PSQL[@]}" -At -c "SELECT count(*) FROM generate_series($POOL_LO, $POOL_HI) g
        WHERE NOT EXISTS (SELECT FROM lockbox.secrets WHERE id = g)")
    if [ "$gone" -gt 0 ]; then
        mkdir -p "$dir"
        seed --first-id "$POOL_LO" --rows "$POOL_N" >"$dir/s.copy" || exit 1
        seed --first-id "$POOL_LO" --rows "$POOL_N" --versions >"$dir/v.copy" || exit 1
        put_back "$dir"
    fi
    POOL=live
}

# The whole pool deleted, as a DELETE leaves a secret (the default
# recovery window), the most recent deletion the pool's last id.
pool_deleted() {
    pool_live
    "${PSQL[@]}" >/dev/null <<EOF || exit 1
WITH d AS (
    DELETE FROM lockbox.secrets WHERE id BETWEEN $POOL_LO AND $POOL_HI
    RETURNING id, name, provider_slug, description, metadata, version,
              created_at, updated_at)
INSERT INTO lockbox.deleted_secrets
       (id, name, provider_slug, description, metadata, version,
        created_at, updated_at, deleted_at, destroy_at)
SELECT id, name, provider_slug, description, metadata, version,
       created_at, updated_at, now(), now() + make_interval(secs => $RETENTION)
  FROM d ORDER BY id;
EOF
    POOL=deleted
}

# Before each turn of a route: the same starting state for wrk and
# pgbench. Writes start with no dead rows left by the turn before and no
# checkpoint due; deletes with every seeded secret there; the routes of
# deleted secrets with the whole pool deleted, every other with it live.
settle() {
    unpatch
    case $1 in
    deleted_*) [ "$1" = deleted_list ] && [ "$POOL" = deleted ] || pool_deleted ;;
    *) [ "$POOL" = live ] || pool_live ;;
    esac
    [ "$1" = delete ] && reseed
    case $1 in
    create|create_idem|replay|patch|version_restore|delete|deleted_restore|deleted_destroy)
        "${PSQL[@]}" -c "VACUUM lockbox.secrets" -c "VACUUM lockbox.secret_versions" \
            -c "VACUUM lockbox.deleted_secrets" -c "VACUUM lockbox.idempotency_keys" \
            -c "CHECKPOINT" >/dev/null ;;
    esac
    # pgbench's replays find a record each, as lockbox's do (one per
    # client, 'replay-CLIENT'; the secret it names need not exist).
    [ "$1" = replay ] && "${PSQL[@]}" -c "INSERT INTO lockbox.idempotency_keys
        (api_key_id, idempotency_key, fingerprint, fingerprint_key_id, secret_id, response_status, response_body)
        SELECT $KEY_ID, 'replay-' || g, '\\x$(printf '%064d' 0)', 1, 1, 201, '{}'
          FROM generate_series(0, $CONNS - 1) g ON CONFLICT DO NOTHING" >/dev/null
    return 0
}
