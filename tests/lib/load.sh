# shellcheck shell=bash
# tests/lib/load.sh -- load with a ledger, for tests that break things under
# load (tests/faults).  Sourced after assert.sh and stack.sh.
#
#   load_build                  compile tests/faults/loadgen.c into $LB_TMP
#                               (cc, no dependency); sets LOADGEN
#   load_start DIR PREFIX [loadgen run options...]
#                               start the load through nginx ($LB_NGINX_URL)
#                               with the write key, in the background; the
#                               ledger goes to DIR/ledger-*.tsv; sets LOAD_PID
#   load_stop                   ask the load to stop (DIR/stop) and wait for it
#                               (bounded: SIGKILL after 60 s)
#   load_resolve DIR            re-send every operation without a definite
#                               outcome until it has one (DIR/ledger-resolve.tsv)
#   load_check DIR PREFIX       compare the ledger with the database; sets LC_*
#                               (sent, statuses, lost, unacked, dup, ... see
#                               tests/faults/ledger.awk) and LC_PROBLEMS
#   load_gap DIR                the longest interval with no 2xx completion
#                               during the load: LG_GAP_MS, LG_GAP_FROM_MS and
#                               LG_GAP_TO_MS (ms after the load started),
#                               LG_START_US, LG_END_US (wall clock, us)
#   load_db_rows [PREFIX]       the rows of the secrets table, "DB<TAB>id<TAB>name"
#   lb_now_us                   wall clock in microseconds ($EPOCHREALTIME)

: "${LB_FAULTS_SRC:=$abs_top_srcdir/tests/faults}"
LOADGEN=
LOAD_PID=
LOAD_DIR=

lb_now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

load_build() {
    LOADGEN=$LB_TMP/loadgen
    ${CC:-cc} -O2 -Wall -Wextra -o "$LOADGEN" "$LB_FAULTS_SRC/loadgen.c" 2>"$LB_TMP/loadgen.cc.out" \
        || { lb_tail "$LB_TMP/loadgen.cc.out"; _lb_die "cannot compile tests/faults/loadgen.c"; }
}

load_start() {
    local dir=$1 prefix=$2
    shift 2
    mkdir -p "$dir"
    rm -f "$dir/stop"
    LOAD_DIR=$dir
    ( _lb_close_fds; exec "$LOADGEN" run --port "${LB_NGINX_URL##*:}" --key "$LB_KEY_WRITE" \
        --prefix "$prefix" --out "$dir" --stop-file "$dir/stop" "$@" ) </dev/null 2>"$dir/loadgen.err" &
    LOAD_PID=$!
}

load_stop() {
    [ -n "$LOAD_PID" ] || return 0
    touch "$LOAD_DIR/stop"
    local deadline=$((SECONDS + 60))
    while lb_alive "$LOAD_PID" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
    if lb_alive "$LOAD_PID"; then
        _lb_say "the load did not stop in 60 s: SIGKILL"
        kill -KILL "$LOAD_PID" 2>/dev/null
    fi
    wait "$LOAD_PID" 2>/dev/null
    LOAD_PID=
}

load_resolve() {
    local dir=$1
    awk -v mode=unresolved -f "$LB_FAULTS_SRC/ledger.awk" "$dir"/ledger-*.tsv >"$dir/unresolved.txt"
    [ -s "$dir/unresolved.txt" ] || return 0
    "$LOADGEN" resolve --port "${LB_NGINX_URL##*:}" --key "$LB_KEY_WRITE" \
        --in "$dir/unresolved.txt" --out "$dir/ledger-resolve.tsv" --deadline "${LOAD_RESOLVE_DEADLINE:-45}" \
        2>>"$dir/loadgen.err"
}

load_db_rows() {
    local like=${1:-}
    psql "${LOCKBOX_DATABASE_URL:?}" -X -A -t -q -F $'\t' -v ON_ERROR_STOP=1 \
        -c "SELECT 'DB', id, name FROM lockbox.secrets${like:+ WHERE name LIKE '${like}-%'} ORDER BY id"
}

load_check() {
    local dir=$1 prefix=$2 line k v
    load_db_rows "$prefix" >"$dir/db.tsv" || { LC_PROBLEMS="cannot read the database"; return 1; }
    awk -v mode=check -f "$LB_FAULTS_SRC/ledger.awk" "$dir/db.tsv" "$dir"/ledger-*.tsv >"$dir/check.out"
    LC_PROBLEMS=
    while IFS= read -r line; do
        case $line in
            problem:*) LC_PROBLEMS+="${line#problem: }"$'\n' ;;
            *=*) k=${line%%=*}; v=${line#*=}; printf -v "LC_$k" '%s' "$v" ;;
        esac
    done <"$dir/check.out"
}

load_gap() {
    local dir=$1 out
    # The 2xx completion times, sorted, after one line "W START END" (the
    # window: first request sent, last answer received).
    cat "$dir"/ledger-[0-9]*.tsv | awk -F '\t' '
        $1 == "C" || $1 == "D" || $1 == "G" {
            if (start == "" || $11 < start) start = $11
            if ($12 > end) end = $12
            if ($7 >= 200 && $7 < 300) print $12
        }
        END { print "W", start, end > "/dev/stderr" }' 2>"$dir/window" | sort -n >"$dir/ok-times"
    out=$(awk -v w="$(cat "$dir/window")" '
        BEGIN { split(w, a, " "); start = a[2]; end = a[3]; prev = start; gap = -1 }
        { if ($1 - prev > gap) { gap = $1 - prev; from = prev; to = $1 } prev = $1 }
        END {
            if (start == "") { print "0 0 0 0 0"; exit }
            if (end - prev > gap) { gap = end - prev; from = prev; to = end }
            printf "%d %d %d %s %s\n", gap / 1000, (from - start) / 1000, (to - start) / 1000, start, end
        }' "$dir/ok-times")
    read -r LG_GAP_MS LG_GAP_FROM_MS LG_GAP_TO_MS LG_START_US LG_END_US <<<"$out"
}
