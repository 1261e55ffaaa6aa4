# tests/bench/pgbench.sh -- sourced by tests/bench/run: each route's own SQL
# as a pgbench script, and pgbench running it.

sql() { "$here/sql-for" "$top/sql/queries.sql" "$1"; }

# RESTORE CHANGED META: a new version of secret :id, as a PATCH (RESTORE
# NULL) or a version restore makes it: the read of the version it follows
# (and of version RESTORE: two rows, of which pgbench keeps the current
# one's, as a variable takes one row), then the update with value_changed
# CHANGED and the metadata members META.
new_version() {
    [ "$1" = NULL ] || echo "SELECT * FROM ("
    sql secret_current | sed 's/\$1\b/:id/g; s/\$2\b/'"$1"'/g; s/\$3\b/:prefix/g;
        s/\$4\b/:hashes/g; s/\$5\b/:wr/g; s/\$6\b/:evw/g'
    [ "$1" = NULL ] || echo ") c WHERE current_version IS NOT NULL"
    echo '\gset c_'
    sql secret_update | sed 's/\$18/:evw/g; s/\$17/NULL/g; s/\$16/:maxv/g; s/\$15/:pkid/g; s/\$14/'"$2"'/g;
        s/\$10/'"$3"'/g; s/\$11/:c_key_id/g;
        s/\$12/:c_nonce/g; s/\$13/:c_ciphertext/g; s/\$1\b/:id/g;
        s/\$2\b/:c_current_version/g; s/\$3\b/NULL/g; s/\$4\b/false/g;
        s/\$5\b/NULL/g; s/\$6\b/false/g; s/\$7\b/NULL/g;
        s/\$8\b/false/g; s/\$9\b/:rm/g'
    echo ';'
}

# Writes a pgbench script for a route: the API key lookup every admin
# request makes, then the route's statements, parameters as pgbench
# variables (NULL where lockbox passes NULL; the level a keyed statement
# checks is rd for reads, wr for writes, as src/scope.h numbers them; the
# audit event, evr for reads and evw for writes, as lockbox's audit setting
# makes it: event_of). The page size is a variable too, not a literal: as
# a parameter it is planned as lockbox's is.
# $1..$9 are matched as whole words (\b), so that $1 never eats the start
# of $10..$16.
pgscript() {
    local route=$1 f=$LB_TMP/pgbench-$1.sql
    {
        sql api_key_by_prefix | sed 's/\$1/:prefix/g'; echo ';'
        case $route in
        get)
            echo "\\set id random(1, $ROWS)"
            sql secret_get | sed 's/\$5/:evr/g; s/\$1/:id/g; s/\$2/:prefix/g; s/\$3/:hashes/g; s/\$4/:rd/g'; echo ';' ;;
        list_first)
            sql secret_list | sed 's/\$5/:evr/g; s/\$1/:lim/g; s/\$2/:prefix/g; s/\$3/:hashes/g; s/\$4/:rd/g'; echo ';' ;;
        list_deep)
            sql secret_list_after | sed 's/\$6/:evr/g; s/\$1/:deep/g; s/\$2/:lim/g; s/\$3/:prefix/g; s/\$4/:hashes/g; s/\$5/:rd/g'; echo ';' ;;
        list_provider)
            sql secret_list_provider | sed 's/\$6/:evr/g; s/\$1/:prov/g; s/\$2/:lim/g; s/\$3/:prefix/g; s/\$4/:hashes/g; s/\$5/:rd/g'; echo ';' ;;
        lookup)
            # A seeded secret by name: "seed-ID", under aws (every fifth).
            echo "\\set id 5 * random(1, $((ROWS / 5)))"
            sql secret_lookup | sed "s/\\\$1\\b/('seed-' || :id::text)/g; s/\\\$2\\b/:prov/g;
                s/\\\$3\\b/:prefix/g; s/\\\$4\\b/:hashes/g; s/\\\$5\\b/:rd/g; s/\\\$6\\b/:evr/g"; echo ';' ;;
        values)
            # The first page of 100 with values: no provider, no ids,
            # the first page (the largest id), values.
            sql secret_list_filtered | sed 's/\$1\b/NULL/g; s/\$2\b/9223372036854775807/g;
                s/\$3\b/NULL/g; s/\$4\b/101/g; s/\$5\b/true/g; s/\$6\b/:prefix/g;
                s/\$7\b/:hashes/g; s/\$8\b/:rd/g; s/\$9\b/:evr/g'; echo ';' ;;
        versions)
            # The first page of a secret's versions (10 of them), checked
            # at the lists' level (1).
            echo "\\set id $HIST_FIRST + random(0, $((HIST_ROWS - 1)))"
            sql version_list | sed 's/\$1\b/:id/g; s/\$2\b/9223372036854775807/g;
                s/\$3\b/:lim/g; s/\$4\b/:prefix/g; s/\$5\b/:hashes/g; s/\$6\b/1/g; s/\$7\b/:evr/g'; echo ';' ;;
        create)
            sql secret_next_id | sed 's/\$1\b/NULL/g; s/\$2\b/86400/g; s/\$3\b/:prefix/g; s/\$4\b/:hashes/g;
                s/\$5\b/:wr/g; s/\$6\b/:evw/g'; echo '\gset p_'
            # The secret and its version 1, by the key ($10, unrestricted:
            # its providers $11 NULL), as lockbox inserts them.
            sql secret_insert | sed 's/\$12/:evw/g; s/\$11/NULL/g; s/\$10/:kid/g; s/\$1\b/:p_id/g; s/\$2\b/:p_id/g;
                s/\$3\b/NULL/g; s/\$4\b/NULL/g; s/\$5\b/:meta/g; s/\$6\b/1/g;
                s/\$7\b/:nonce/g; s/\$8\b/:ct/g; s/\$9\b/:p_created_at/g'; echo ';' ;;
        create_idem)
            # The keyed statement that takes the id and looks for the key's
            # record (none: a fresh key), then the secret with its
            # idempotency record (a key unique to the transaction, a
            # 32-byte fingerprint by key 1, the answer's body), as lockbox
            # inserts them in one statement.
            sql secret_next_id | sed "s/\\\$1\\b/('idem-new-' || :client_id::text)/g; s/\\\$2\\b/86400/g;
                s/\\\$3\\b/:prefix/g; s/\\\$4\\b/:hashes/g; s/\\\$5\\b/:wr/g; s/\\\$6\\b/:evw/g"; echo '\gset p_'
            sql secret_insert_idempotent | sed "s/\\\$16\\b/:evw/g; s/\\\$15\\b/NULL/g; s/\\\$14\\b/:body/g;
                s/\\\$13\\b/1/g; s/\\\$12\\b/:fp/g; s/\\\$11\\b/('idem-' || :p_id::text)/g; s/\\\$10\\b/:kid/g;
                s/\\\$1\\b/:p_id/g; s/\\\$2\\b/:p_id/g; s/\\\$3\\b/NULL/g; s/\\\$4\\b/NULL/g; s/\\\$5\\b/:meta/g;
                s/\\\$6\\b/1/g; s/\\\$7\\b/:nonce/g; s/\\\$8\\b/:ct/g; s/\\\$9\\b/:p_created_at/g"; echo ';' ;;
        replay)
            # A replay is that first statement, which finds the key's
            # record (one per client, 'replay-CLIENT', see settle).
            sql secret_next_id | sed "s/\\\$1\\b/('replay-' || :client_id::text)/g; s/\\\$2\\b/86400/g;
                s/\\\$3\\b/:prefix/g; s/\\\$4\\b/:hashes/g; s/\\\$5\\b/:wr/g; s/\\\$6\\b/:evw/g"; echo ';'
            # Its event is stored apart, once the worker has compared
            # the fingerprints (audit_event): a read's, as a replay
            # changes nothing.
            [ "$AUDIT" = off ] ||
                { sql audit_event | sed 's/\$1\b/201/g; s/\$2\b/:kid/g; s/\$3\b/:evr/g'; echo ';'; } ;;
        patch)
            # The read of the version the PATCH follows (no version to
            # restore: $2 NULL; one row, the current version's), then
            # the update, as lockbox sends them: the new version's row,
            # with a changed value, and the versions beyond max_versions
            # pruned. The current version's own sealed value goes into
            # the new version (lockbox seals afresh; a made-up ciphertext
            # would cost the same): that version no longer opens, so it
            # is marked as made by key 0, and unpatch takes it back
            # before any other turn. The key is unrestricted ($17 NULL).
            echo "\\set id random(1, $ROWS)"
            new_version NULL true :meta ;;
        version_get)
            # Version 1 of a random secret below those with 10 versions
            # (their version 1 goes with their next version).
            echo "\\set id random(1, $((HIST_FIRST - 1)))"
            sql version_get | sed 's/\$1\b/:id/g; s/\$2\b/1/g; s/\$3\b/:prefix/g;
                s/\$4\b/:hashes/g; s/\$5\b/:rd/g; s/\$6\b/:evr/g'; echo ';' ;;
        version_restore)
            # Version 1 back as a new version: the read of the current
            # version and of version 1 (two rows; pgbench keeps the
            # current one's, as a variable takes one row), then the
            # update as a PATCH makes it, metadata untouched. As for
            # patch, the value no longer opens: key 0, unpatch.
            echo "\\set id random(1, $((HIST_FIRST - 1)))"
            new_version 1 false :rm ;;
        deleted_list)
            # The first page of deleted secrets, at the lists' level (1).
            sql deleted_list | sed 's/\$1\b/NULL/g; s/\$2\b/9223372036854775807/g; s/\$3\b/:lim/g;
                s/\$4\b/:prefix/g; s/\$5\b/:hashes/g; s/\$6\b/1/g; s/\$7\b/:evr/g'; echo ';' ;;
        deleted_restore|deleted_destroy)
            # Each client its own ids of the deleted pool, from its top
            # down (wrk takes them from the bottom up).
            echo "\\set n :n + 1"
            echo "\\set id $POOL_HI - :n * $PGB_CLIENTS - :client_id"
            if [ "$route" = deleted_restore ]; then
                sql deleted_find | sed 's/\$1\b/:id/g; s/\$2\b/:prefix/g; s/\$3\b/:hashes/g;
                    s/\$4\b/:wr/g; s/\$5\b/:evw/g'; echo ';'
                sql deleted_restore | sed 's/\$1\b/:id/g; s/\$2\b/NULL/g; s/\$3\b/:evw/g'; echo ';'
            else
                sql deleted_destroy | sed 's/\$1\b/:id/g; s/\$2\b/:prefix/g; s/\$3\b/:hashes/g;
                    s/\$4\b/:wr/g; s/\$5\b/:evw/g'; echo ';'
            fi ;;
        audit_list)
            # The first page of 20 events, no filter, by a key with the
            # audit scope (level -1: any).
            sql audit_list | sed 's/\$12\b/:evr/g; s/\$11\b/-1/g; s/\$10\b/:hashes/g; s/\$9\b/:prefix/g;
                s/\$8\b/:lim/g; s/\$7\b/9223372036854775807/g; s/\$[1-6]\b/NULL/g'; echo ';' ;;
        delete)
            # Distinct ids from the bottom up (wrk took them from the top
            # down): deleting a row already gone would be a commit
            # without a write, cheaper than any real delete.
            echo "\\set n :n + 1"
            echo "\\set id 1 + :n * $PGB_CLIENTS + :client_id"
            # A DELETE without ?permanent: the row moves to the deleted
            # secrets for the recovery window ($3), its versions stay.
            sql secret_delete | sed 's/\$1\b/:id/g; s/\$2\b/NULL/g; s/\$3\b/:ret/g;
                s/\$4\b/:prefix/g; s/\$5\b/:hashes/g; s/\$6\b/:wr/g; s/\$7\b/:evw/g'; echo ';' ;;
        esac
    } >"$f"
    # No audit log, no event: a NULL, which a variable cannot pass.
    [ "$AUDIT" = off ] && sed -i 's/:ev[rw]\b/NULL/g' "$f"
    echo "$f"
}

# event_of ASYNC -> the event a worker hands a route's statements, as
# sql/008_audit.sql lists its fields: the key's prefix and id (a write's
# event carries the id the worker checked), a chain and a MAC of the
# sizes a worker's have; ASYNC is "async" for the events of reads under
# audit_async_reads, else NULL. The same event every time: its cost is a
# row and its index entries, whatever the values.
event_of() {
    printf '{2026-01-01T00:00:00Z,bench-request,secret.read,%s,NULL,127.0.0.1,1,1,%064d,1,NULL,%s,%s}' \
        "$PREFIX" 0 "$1" "$KEY_ID"
}

# pgb ROUTE [HOST PORT] -> "tps p50_ms p99_ms"; through pgbouncer (HOST
# PORT) every statement goes unnamed, as lockbox sends it there. The
# latencies come from a tenth of the transactions, logged by pgbench: the
# tail PostgreSQL itself has at this concurrency, for lockbox's to be read
# against.
pgb() {
    local route=$1 host=${2:-$LB_PG_SOCKDIR} port=${3:-$LB_PG_PORT}
    local mode=prepared f log=$LB_TMP/pgbench-lat-$1-${3:-$LB_PG_PORT} tps
    f=$(pgscript "$route")
    # lockbox plans the filtered page per execution (unnamed statements).
    [ "$route" = list_provider ] && mode=extended
    case $route in values|deleted_list|audit_list) mode=extended ;; esac
    [ -n "${2:-}" ] && mode=extended
    rm -f "$log".*
    "$PGBENCH" -n -M "$mode" -c "$PGB_CLIENTS" -j "$THREADS" -T "$DUR" \
        -l --sampling-rate 0.1 --log-prefix "$log" \
        -h "$host" -p "$port" -U postgres \
        -D prefix="$PREFIX" -D hashes="$HASHES" -D deep="$DEEP_ID" -D prov=aws -D lim=21 -D n=-1 -D rd=2 -D wr=3 \
        -D kid="$KEY_ID" -D pkid=0 -D maxv="$MAX_VERSIONS" -D ret="$RETENTION" \
        -D meta='{"team": "bench"}' -D rm='{}' \
        -D fp='\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' \
        -D body='{"id":1,"name":"bench","provider_slug":null,"description":null,"metadata":{"team":"bench"},"version":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}' \
        -D evr="$(event_of "$([ "$AUDIT" = async ] && echo async || echo NULL)")" \
        -D evw="$(event_of NULL)" \
        -D nonce='\x000102030405060708090a0b' \
        -D ct='\x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677' \
        -f "$f" lockbox >"$LB_TMP/pgbench-$route-$port.log" 2>&1
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$LB_TMP/pgbench-$route-$port.log" | head -n 1)
    # Each log line: client, transaction, latency in microseconds, ...
    cat "$log".* 2>/dev/null | cut -d' ' -f3 | sort -n |
        awk -v tps="${tps:-0}" '{ a[NR] = $1 }
            END { if (NR == 0) { print tps, 0, 0; exit }
                  printf "%s %.3f %.3f\n", tps, a[int((NR + 1) * 0.5)] / 1000,
                      a[int((NR - 1) * 0.99) + 1] / 1000 }'
    rm -f "$log".*
}
