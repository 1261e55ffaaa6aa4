# shellcheck shell=bash
# tests/lib/stack.sh -- start real servers for end-to-end tests, and stop them.
#
# Sourced by tests/e2e/*.test (and by deploy/quickstart).  Everything lives in
# one private temporary directory, on loopback ports found free at run time,
# so that tests can run in parallel (`make -j2 check`) and never touch the
# machine's own nginx, Apache or PostgreSQL.  An EXIT trap stops every process
# the stack started -- on success, on failure, on Ctrl-C -- and then checks
# that none is left.
#
#   stack_init                      temp dir $LB_TMP, EXIT trap
#   stack_stop                      stop everything now (the EXIT trap does it too);
#                                   false if a process is left behind
#   pg_start                        PostgreSQL 15; exports LB_PG_SOCKDIR, LB_PG_PORT,
#                                   LOCKBOX_DATABASE_URL
#   pg_stop|pg_restart [fast|immediate], pg_pause, pg_resume
#   pgbouncer_start                 pgbouncer in transaction pooling mode in front
#                                   of PostgreSQL; exports LB_PGB_URL; pgbouncer_stop
#   lockbox_setup [KEY=VALUE...]    config, key ring, migrations, API keys:
#                                   exports LB_KEY_WRITE, LB_KEY_READ, LB_KEY_REVOKED
#   lockbox_start [--listen ADDR] [--workers N] [-- EXTRA ARGS]
#                                   standalone pool (as root: --user nobody);
#                                   exports LB_POOL_PID
#   lockbox_stop, lockbox_workers
#   nginx_start [--port P] [--max-body N] [--fastcgi-pass ADDR] [--name N] [--mount /PATH]
#                                   exports LB_NGINX_URL (with --name, a second
#                                   nginx: LB_NGINX_NAMED_URL); nginx_stop
#   apache_start [--port P] [--max-body N] [--mount /PATH]
#                                   exports LB_APACHE_URL; apache_stop
#   proxy_fcgi_start|lighttpd_start|caddy_start [--port P] [--max-body N] [--mount /PATH]
#                   [--socket PATH] Apache + mod_proxy_fcgi, lighttpd + mod_fastcgi, Caddy
#                                   (reverse_proxy, transport fastcgi) in front of
#                                   the standalone pool's unix socket (lockbox_start);
#                                   export LB_PROXY_FCGI_URL, LB_LIGHTTPD_URL,
#                                   LB_CADDY_URL; proxy_fcgi_stop, lighttpd_stop, caddy_stop
#
# The servers are children of the test's shell: never use a bare `wait` in a
# test (it would wait for them too); wait for your own background pids.
#
# The functions print progress as TAP comments ("# ...") and, when something
# cannot be started, stop the test with "Bail out!" and the relevant log tail.
# Set LOCKBOX_KEEP_TMP=1 to keep $LB_TMP (logs, configs) after the test.

# Where things are.  `make check` exports abs_top_srcdir and abs_top_builddir;
# a developer running a test by hand gets the repository root, or its _build/
# (where tests/run and deploy/quickstart build) when the binaries are there.
: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
if [ -z "${abs_top_builddir:-}" ]; then
    if [ ! -x "$abs_top_srcdir/src/lockbox-fcgi" ] && [ -x "$abs_top_srcdir/_build/src/lockbox-fcgi" ]; then
        abs_top_builddir=$abs_top_srcdir/_build
    else
        abs_top_builddir=$abs_top_srcdir
    fi
fi
# Overridable, e.g. to try the harness against another build.
: "${LB_FCGI:=$abs_top_builddir/src/lockbox-fcgi}"
: "${LB_CTL:=$abs_top_builddir/src/lockboxctl}"
: "${LB_DEPLOY:=$abs_top_srcdir/deploy}"
: "${LB_PG_BINDIR:=$( (pg_config --bindir) 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
[ -x "$LB_PG_BINDIR/initdb" ] || LB_PG_BINDIR=/usr/lib/postgresql/15/bin
: "${LB_MAX_BODY:=1048576}"

LB_TMP=
_LB_PORTS=" "           # ports handed out by this stack, never twice
_LB_STOPPING=0

# ---------------------------------------------------------------- utilities

_lb_say() { printf '# %s\n' "$*"; }

# Stop the whole test: TAP "Bail out!" (the harness reports an error), or a
# plain message outside TAP (deploy/quickstart).  The EXIT trap cleans up.
_lb_die() {
    if [ "${LB_TAP:-0}" = 1 ]; then
        printf 'Bail out! %s\n' "$*"
    else
        printf 'lockbox: %s\n' "$*" >&2
    fi
    exit 1
}

# Alive = exists and is not a zombie.  Processes reparented to PID 1 are
# reaped late on this kind of machine, so `kill -0` alone would say a stopped
# server is still running.
lb_alive() {
    local stat
    [ -n "${1:-}" ] && { IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    case ${stat%% *} in Z|X|x) return 1 ;; esac
    return 0
}

# lb_wait_gone SECONDS PID... -- true when every PID is gone in time.
lb_wait_gone() {
    local deadline=$((SECONDS + $1)) pid alive
    shift
    while :; do
        alive=0
        for pid in "$@"; do lb_alive "$pid" && alive=1; done
        [ "$alive" = 0 ] && return 0
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

# Child pids (not zombies) of a process.
lb_children() {
    { ps -o pid=,stat= --ppid "$1" 2>/dev/null || true; } | awk '$2 !~ /^Z/ { print $1 }'
}

# Is a TCP port bound by anything (listening, connected, TIME_WAIT)?  Read
# from /proc rather than ss/netstat, which a minimal image may lack.
_lb_port_in_use() {
    local hex
    printf -v hex ':%04X' "$1"
    awk -v h="$hex" 'FNR > 1 && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# lb_free_port VAR -- a loopback port nobody uses, stored in VAR.  Random in a
# wide range so that parallel tests rarely even try the same one.
lb_free_port() {
    local p i
    for i in $(seq 1 500); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        case $_LB_PORTS in *" $p "*) continue ;; esac
        _lb_port_in_use "$p" && continue
        _LB_PORTS="$_LB_PORTS$p "
        printf -v "$1" '%s' "$p"
        return 0
    done
    _lb_die "no free TCP port found"
}

# Wait until something accepts TCP connections on 127.0.0.1:PORT, while the
# process PID is alive.  lb_wait_tcp PORT PID SECONDS WHAT
lb_wait_tcp() {
    local port=$1 pid=$2 deadline=$((SECONDS + $3)) what=$4
    while :; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        lb_alive "$pid" || { stack_tails; _lb_die "$what exited during start-up"; }
        [ "$SECONDS" -ge "$deadline" ] && { stack_tails; _lb_die "$what does not accept on port $port"; }
        sleep 0.05
    done
}

# Close every file descriptor above 2, in a subshell about to exec a server:
# a server must not keep the test's pipes open (the TAP harness reads the
# test's output until EOF) nor make's jobserver.
_lb_close_fds() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

# lb_tail FILE [N] -- the last lines of a log, as TAP comments.
lb_tail() {
    [ -s "$1" ] || return 0
    printf '# ---- last %s lines of %s\n' "${2:-25}" "$1"
    tail -n "${2:-25}" -- "$1" | sed 's/^/#   /'
}

# Every log of the stack, for a failure report.
stack_tails() {
    [ -n "$LB_TMP" ] && [ -d "$LB_TMP" ] || return 0
    local f
    for f in "$LB_TMP/pg/postgres.log" "$LB_TMP/lockbox.log" \
             "$LB_TMP/nginx/error.log" "$LB_TMP/apache/error.log" \
             "$LB_TMP/proxy-fcgi/error.log" "$LB_TMP/lighttpd/error.log" "$LB_TMP/caddy/caddy.log"; do
        [ -e "$f" ] && lb_tail "$f" 30
    done
    return 0
}

# ---------------------------------------------------------------- lifecycle

stack_init() {
    [ "$(id -u)" = 0 ] || _lb_die "the end-to-end stack needs root (runuser, User www-data...)"
    LB_TMP=$(mktemp -d "/tmp/${LB_TMP_PREFIX:-lockbox-e2e}.XXXXXX")
    # postgres, nobody (nginx workers) and www-data (Apache, lockbox under
    # mod_fcgid) must traverse it.
    chmod 0755 "$LB_TMP"
    export LB_TMP
    trap '_lb_on_exit' EXIT
    # Turn signals into a normal exit, so that the EXIT trap runs.
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

_lb_on_exit() {
    local rc=$?
    # The cleanup must run to the end whatever the test's shell options.
    set +e +u
    set +o pipefail
    trap - EXIT
    trap '' INT TERM HUP          # a second Ctrl-C must not interrupt the cleanup
    [ -n "$LB_TMP" ] || exit "$rc"
    stack_stop || { [ "$rc" = 0 ] && rc=1; }
    # A failed assertion (assert.sh counts them) or a failed exit: show why.
    if { [ "$rc" != 0 ] && [ "$rc" != 77 ]; } || [ "${_T_FAILED:-0}" -gt 0 ]; then
        stack_tails
        [ "${LOCKBOX_KEEP_TMP_ON_FAILURE:-0}" = 1 ] && LOCKBOX_KEEP_TMP=1
    fi
    if [ "${LOCKBOX_KEEP_TMP:-0}" = 1 ]; then
        _lb_say "kept $LB_TMP"
    else
        rm -rf -- "$LB_TMP"
    fi
    exit "$rc"
}

# stack_stop -- stop everything the stack started (idempotent; the EXIT trap
# calls it too).  False when a process is left behind even after SIGKILL.
stack_stop() {
    [ -n "$LB_TMP" ] || return 0
    local was=$_LB_STOPPING j left
    _LB_STOPPING=1
    # The test's own background jobs (request loops...), then the servers,
    # front ends first so that they stop sending requests.
    for j in $(jobs -p); do kill -TERM "$j" 2>/dev/null || true; done
    nginx_stop
    apache_stop
    proxy_fcgi_stop
    lighttpd_stop
    caddy_stop
    lockbox_stop
    pgbouncer_stop
    pg_stop fast
    # Whatever else this shell started and still runs (a background job, a
    # pool the test stopped tracking...): SIGTERM, then SIGKILL.  Never a
    # bare `wait`, which would block on a process that refuses to die.
    left=$(_lb_my_children)
    if [ -n "$left" ]; then
        # shellcheck disable=SC2086
        kill -TERM $left 2>/dev/null || true
        # shellcheck disable=SC2086
        lb_wait_gone 3 $left || kill -KILL $left 2>/dev/null || true
        # shellcheck disable=SC2086
        lb_wait_gone 2 $left
    fi
    for j in $left $(jobs -p); do lb_alive "$j" || wait "$j" 2>/dev/null || true; done
    _LB_STOPPING=$was

    # Safety net: any process still naming our directory (command line, or
    # LOCKBOX_CONFIG in its environment for mod_fcgid's children) is ours.
    left=$(_lb_our_pids)
    [ -n "$left" ] || return 0
    _lb_say "killing leftover processes: $left"
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
    # shellcheck disable=SC2086
    lb_wait_gone 5 $left
    left=$(_lb_our_pids)
    [ -n "$left" ] || return 0
    _lb_say "PROCESSES LEFT BEHIND:"
    ps -o pid,ppid,stat,user,args -p "$(echo $left | tr ' ' ,)" | sed 's/^/#   /'
    return 1
}

# Lines of AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer
# reports in the stack's logs (lockbox's stderr, Apache's error log, where
# mod_fcgid's processes write): empty unless a build with
# --enable-sanitizers (make check-asan) found something.
stack_sanitizer_reports() {
    [ -n "$LB_TMP" ] && [ -d "$LB_TMP" ] || return 0
    grep -r -h -E 'ERROR: (Address|Leak)Sanitizer|runtime error: |SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' \
        --include='*.log' "$LB_TMP" 2>/dev/null | head -n 20
}

# Live children of this shell, less the subshell that runs this function.
_lb_my_children() {
    local me=$BASHPID
    lb_children "$$" | { grep -vx -- "$me" || true; } | tr '\n' ' '
}

# Pids (other than this shell) whose command line or environment names $LB_TMP.
# (Read with mapfile, not through tr and grep: four processes for each of
# the machine's processes made this slow.)
_lb_our_pids() {
    local d pid args envs e
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
        lb_alive "$pid" || continue
        # (Kernel threads and vanished processes make the reads fail: quiet.)
        args=() envs=()
        { mapfile -d '' args <"$d/cmdline"; } 2>/dev/null
        if [[ " ${args[*]} " == *"$LB_TMP/"* ]]; then
            printf '%s ' "$pid"
            continue
        fi
        { mapfile -d '' envs <"$d/environ"; } 2>/dev/null
        for e in "${envs[@]}"; do
            if [ "$e" = "LOCKBOX_CONFIG=$LB_TMP/lockbox.conf" ]; then
                printf '%s ' "$pid"
                break
            fi
        done
    done
}

# ---------------------------------------------------------------- pgbouncer

LB_PGB_DIR=
# pgbouncer_start -- transaction pooling, as several lockbox hosts sharing
# one database would use it; unix socket only.  Runs as postgres (pgbouncer
# refuses root).  Point lockbox at it with
#   lockbox_setup database_url="$LB_PGB_URL" prepared_statements=off
pgbouncer_start() {
    local port
    LB_PGB_DIR=$LB_TMP/pgbouncer
    lb_free_port port
    mkdir -p "$LB_PGB_DIR"
    printf '%s\n' "[databases]" \
        "lockbox = host=$LB_PG_SOCKDIR port=$LB_PG_PORT dbname=lockbox user=postgres" \
        "" "[pgbouncer]" "listen_addr =" "listen_port = $port" \
        "unix_socket_dir = $LB_PGB_DIR" "auth_type = trust" \
        "auth_file = $LB_PGB_DIR/users.txt" "pool_mode = transaction" \
        "max_client_conn = 500" "default_pool_size = 20" \
        "logfile = $LB_PGB_DIR/pgbouncer.log" \
        "pidfile = $LB_PGB_DIR/pgbouncer.pid" >"$LB_PGB_DIR/pgbouncer.ini"
    echo '"postgres" ""' >"$LB_PGB_DIR/users.txt"
    chown -R postgres "$LB_PGB_DIR"
    ( _lb_close_fds; exec runuser -u postgres -- pgbouncer -d "$LB_PGB_DIR/pgbouncer.ini" ) \
        </dev/null >>"$LB_PGB_DIR/start.log" 2>&1 \
        || { lb_tail "$LB_PGB_DIR/start.log"; _lb_die "pgbouncer does not start"; }
    local deadline=$((SECONDS + 15))
    until [ -S "$LB_PGB_DIR/.s.PGSQL.$port" ] && [ -s "$LB_PGB_DIR/pgbouncer.pid" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { lb_tail "$LB_PGB_DIR/pgbouncer.log"; _lb_die "pgbouncer does not listen"; }
        sleep 0.05
    done
    export LB_PGB_URL="host=$LB_PGB_DIR port=$port dbname=lockbox user=postgres"
    _lb_say "pgbouncer $(cat "$LB_PGB_DIR/pgbouncer.pid") (transaction pooling) on $LB_PGB_DIR/.s.PGSQL.$port"
}

pgbouncer_stop() {
    [ -n "$LB_PGB_DIR" ] && [ -s "$LB_PGB_DIR/pgbouncer.pid" ] || return 0
    local pid
    pid=$(cat "$LB_PGB_DIR/pgbouncer.pid")
    kill -TERM "$pid" 2>/dev/null || true
    lb_wait_gone 5 "$pid" || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$LB_PGB_DIR/pgbouncer.pid"
    LB_PGB_DIR=
}

# ---------------------------------------------------------------- PostgreSQL

LB_PG_DATA=
_lb_pg() { runuser -u postgres -- "$LB_PG_BINDIR/$1" "${@:2}"; }

pg_start() {
    LB_PG_SOCKDIR=$LB_TMP/pg
    LB_PG_DATA=$LB_PG_SOCKDIR/data
    mkdir -p "$LB_PG_SOCKDIR"
    chown postgres:postgres "$LB_PG_SOCKDIR"
    chmod 0755 "$LB_PG_SOCKDIR"
    # The port also names the socket file (.s.PGSQL.PORT); no TCP is opened.
    lb_free_port LB_PG_PORT

    # --no-sync only skips initdb's own fsync of the fresh cluster; the server
    # below runs with fsync on.
    timeout 120 runuser -u postgres -- "$LB_PG_BINDIR/initdb" -D "$LB_PG_DATA" \
        --auth=trust --username=postgres --encoding=UTF8 --no-locale --no-sync \
        >"$LB_TMP/initdb.out" 2>&1 || { lb_tail "$LB_TMP/initdb.out"; _lb_die "initdb failed"; }
    rm -f "$LB_TMP/initdb.out"
    cat >>"$LB_PG_DATA/postgresql.conf" <<EOF

# --- lockbox end-to-end test settings (tests/lib/stack.sh) ---
listen_addresses = ''
port = $LB_PG_PORT
unix_socket_directories = '$LB_PG_SOCKDIR'
# Durability is part of what is tested: keep the production settings.
fsync = on
synchronous_commit = on
full_page_writes = on
# The benchmark holds lockbox's default pool (up to 32 workers, each with a
# connection) and pgbench's 32 clients at once.
max_connections = 100
shared_buffers = 32MB
log_line_prefix = '%m [%p] %q%a '
EOF
    _lb_pg_ctl_start
    timeout 30 "$LB_PG_BINDIR/createdb" -h "$LB_PG_SOCKDIR" -p "$LB_PG_PORT" -U postgres lockbox \
        || _lb_die "createdb lockbox failed"
    export LB_PG_SOCKDIR LB_PG_PORT
    export LOCKBOX_DATABASE_URL="host=$LB_PG_SOCKDIR port=$LB_PG_PORT dbname=lockbox user=postgres"
    _lb_say "PostgreSQL on $LB_PG_SOCKDIR/.s.PGSQL.$LB_PG_PORT"
}

_lb_pg_ctl_start() {
    ( _lb_close_fds; exec timeout 60 runuser -u postgres -- "$LB_PG_BINDIR/pg_ctl" -D "$LB_PG_DATA" \
        -l "$LB_PG_SOCKDIR/postgres.log" -w -t 45 start ) </dev/null >/dev/null \
        || { lb_tail "$LB_PG_SOCKDIR/postgres.log"; _lb_die "PostgreSQL does not start"; }
}

# The postmaster's pid, empty when it is not running.
lb_pg_pid() {
    local pid
    [ -n "$LB_PG_DATA" ] && [ -r "$LB_PG_DATA/postmaster.pid" ] || return 0
    pid=$(head -n 1 "$LB_PG_DATA/postmaster.pid" 2>/dev/null)
    lb_alive "$pid" && echo "$pid"
    return 0
}

# pg_stop [fast|immediate] -- bounded: pg_ctl gets 20 s, then SIGKILL.
pg_stop() {
    local mode=${1:-fast} pid kids
    pid=$(lb_pg_pid)
    [ -n "$pid" ] || return 0
    # A paused server cannot stop: resume it first.
    pg_resume
    kids=$(lb_children "$pid")
    if ! timeout 30 runuser -u postgres -- "$LB_PG_BINDIR/pg_ctl" -D "$LB_PG_DATA" -m "$mode" -w -t 20 stop >/dev/null 2>&1; then
        _lb_say "pg_ctl stop -m $mode failed: SIGKILL"
        # shellcheck disable=SC2086
        kill -KILL "$pid" $kids 2>/dev/null || true
    fi
    # shellcheck disable=SC2086
    lb_wait_gone 10 "$pid" $kids || _lb_say "PostgreSQL ($pid) still running"
    [ "$_LB_STOPPING" = 1 ] || _lb_say "PostgreSQL stopped ($mode)"
}

pg_restart() {
    pg_stop "${1:-fast}"
    _lb_pg_ctl_start
    _lb_say "PostgreSQL started again"
}

# SIGSTOP / SIGCONT of the postmaster and every backend: the server looks
# alive (sockets accept) but answers nothing, like a hung database host.
pg_pause() {
    local pid
    pid=$(lb_pg_pid)
    [ -n "$pid" ] || _lb_die "pg_pause: PostgreSQL is not running"
    # The postmaster first, so that it forks no new backend meanwhile.
    kill -STOP "$pid"
    # shellcheck disable=SC2046
    kill -STOP $(lb_children "$pid") 2>/dev/null || true
    _lb_say "PostgreSQL paused"
}

pg_resume() {
    local pid
    pid=$(lb_pg_pid)
    [ -n "$pid" ] || return 0
    # shellcheck disable=SC2046
    kill -CONT $(lb_children "$pid") 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true
    return 0
}

# ---------------------------------------------------------------- lockbox

LB_CONF=
# lockbox_setup [KEY=VALUE...] -- extra settings are appended to the config.
lockbox_setup() {
    [ -x "$LB_CTL" ] || _lb_die "no lockboxctl at $LB_CTL (build first, or set LB_CTL)"
    [ -n "${LOCKBOX_DATABASE_URL:-}" ] || _lb_die "lockbox_setup: call pg_start first"
    LB_CONF=$LB_TMP/lockbox.conf
    {
        echo "# written by tests/lib/stack.sh"
        echo "database_url = $LOCKBOX_DATABASE_URL"
        echo "key_file = $LB_TMP/keyring"
        echo "log_level = ${LB_LOG_LEVEL:-info}"
        local kv
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
    } >"$LB_CONF"
    chmod 0644 "$LB_CONF"
    _lb_ctl keygen --out "$LB_TMP/keyring" >/dev/null || _lb_die "lockboxctl keygen failed"
    _lb_ctl migrate >/dev/null || _lb_die "lockboxctl migrate failed"

    LB_KEY_WRITE=$(_lb_ctl apikey create --name e2e-write --scope write) || _lb_die "apikey create failed"
    LB_KEY_READ=$(_lb_ctl apikey create --name e2e-read --scope read) || _lb_die "apikey create failed"
    LB_KEY_REVOKED=$(_lb_ctl apikey create --name e2e-revoked --scope write) || _lb_die "apikey create failed"
    # `apikey create` says "created api key id=N prefix=... scope=..." on stderr.
    local id
    id=$(sed -n 's/.*created api key id=\([0-9][0-9]*\).*/\1/p' "$LB_TMP/ctl.err" | tail -n 1)
    if [ -z "$id" ]; then
        # Fall back on the listing: ID<TAB>PREFIX<TAB>NAME<TAB>...
        id=$(_lb_ctl apikey list | awk -F '\t' '$3 == "e2e-revoked" { print $1 }' | tail -n 1)
    fi
    [ -n "$id" ] || _lb_die "cannot find the id of the key to revoke"
    _lb_ctl apikey revoke "$id" >/dev/null || _lb_die "lockboxctl apikey revoke $id failed"
    _lb_ctl apikey list | awk -F '\t' -v id="$id" '$1 == id && $5 == "revoked" { f = 1 } END { exit !f }' \
        || _lb_die "apikey revoke $id: the key is not listed as revoked"
    for kv in "$LB_KEY_WRITE" "$LB_KEY_READ" "$LB_KEY_REVOKED"; do
        [ -n "$kv" ] || _lb_die "apikey create printed no key"
    done
    export LB_KEY_WRITE LB_KEY_READ LB_KEY_REVOKED
    _lb_say "lockbox configured: $LB_CONF, 3 API keys (write, read, revoked id=$id)"
}

# Run lockboxctl with our config.  Its stderr is kept in $LB_TMP/ctl.err (the
# last call's) and shown, on stderr, when it fails.  Returns its status rather
# than dying, as it often runs inside $(...), where exit would only leave the
# subshell.
_lb_ctl() {
    if ! "$LB_CTL" --config "$LB_CONF" "$@" 2>"$LB_TMP/ctl.err"; then
        { echo "# lockboxctl $* failed:"; lb_tail "$LB_TMP/ctl.err"; } >&2
        return 1
    fi
}

LB_POOL_PID=
LB_POOL_LISTEN=
# lockbox_start [--listen ADDR] [--workers N] [-- EXTRA ARGS...]
lockbox_start() {
    local listen="unix:$LB_TMP/lockbox.sock" workers=2 extra=()
    while [ $# -gt 0 ]; do
        case $1 in
            --listen) listen=$2; shift 2 ;;
            --workers) workers=$2; shift 2 ;;
            --) shift; extra=("$@"); break ;;
            *) _lb_die "lockbox_start: unknown option $1" ;;
        esac
    done
    [ -x "$LB_FCGI" ] || _lb_die "no lockbox-fcgi at $LB_FCGI (build first, or set LB_FCGI)"
    [ -n "$LB_CONF" ] || _lb_die "lockbox_start: call lockbox_setup first"
    local mode=()
    # 0666: nginx's workers run as nobody.  Production uses 0660 and a group.
    case $listen in unix:*) mode=(--socket-mode 0666) ;; esac
    # Started as root, lockbox-fcgi refuses to serve without a user: the
    # workers run as nobody (the master reads the root-only key ring before
    # forking them; they reach PostgreSQL over its unix socket, mode 0777).
    # A later --user in EXTRA ARGS wins.
    if [ "$(id -u)" = 0 ]; then mode+=(--user nobody); fi
    # stdin from /dev/null: lockbox serves fd 0 when it is a listening socket
    # and no listen address is given; never let it inherit ours.
    ( _lb_close_fds; exec "$LB_FCGI" --config "$LB_CONF" --listen "$listen" --workers "$workers" "${mode[@]}" "${extra[@]}" ) \
        </dev/null >>"$LB_TMP/lockbox.log" 2>&1 &
    LB_POOL_PID=$!
    LB_POOL_LISTEN=$listen
    export LB_POOL_PID LB_POOL_LISTEN
    _lb_wait_pool 15 || { stack_tails; _lb_die "the lockbox pool does not answer on $listen"; }
    _lb_say "lockbox pool $LB_POOL_PID on $listen ($workers workers)"
}

# A real FastCGI request (GET /v1/health) to the pool, with cgi-fcgi: any
# answer, even a 503, proves that the socket accepts and a worker serves.
lb_fcgi_probe() {
    local addr=${1:-$LB_POOL_LISTEN}
    addr=${addr#unix:}
    env -i REQUEST_METHOD=GET REQUEST_URI=/v1/health SCRIPT_NAME= PATH_INFO=/v1/health \
        QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
        SERVER_NAME=localhost SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 HTTP_X_REQUEST_ID=stack-probe \
        timeout 5 cgi-fcgi -bind -connect "$addr" </dev/null 2>/dev/null
}

_lb_wait_pool() {
    local deadline=$((SECONDS + $1))
    while :; do
        lb_alive "$LB_POOL_PID" || { wait "$LB_POOL_PID" 2>/dev/null || true; return 1; }
        case $LB_POOL_LISTEN in
            unix:*) [ -S "${LB_POOL_LISTEN#unix:}" ] && [ -n "$(lb_fcgi_probe)" ] && return 0 ;;
            *) [ -n "$(lb_fcgi_probe)" ] && return 0 ;;
        esac
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# SIGTERM (graceful: in-flight requests finish), SIGKILL after 10 s.
lockbox_stop() {
    [ -n "$LB_POOL_PID" ] || return 0
    local pid=$LB_POOL_PID workers
    workers=$(lb_children "$pid")
    if lb_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        # shellcheck disable=SC2086
        if ! lb_wait_gone 10 "$pid" $workers; then
            _lb_say "lockbox pool did not stop in 10 s: SIGKILL"
            # shellcheck disable=SC2046
            kill -KILL "$pid" $workers $(lb_children "$pid") 2>/dev/null || true
            # shellcheck disable=SC2086
            lb_wait_gone 5 "$pid" $workers
        fi
    fi
    # Reap it (never block on one that survived SIGKILL).
    lb_alive "$pid" || wait "$pid" 2>/dev/null || true
    LB_POOL_PID=
    [ "$_LB_STOPPING" = 1 ] || _lb_say "lockbox pool stopped"
    return 0
}

# The worker pids of the pool, one a line.
lockbox_workers() {
    [ -n "$LB_POOL_PID" ] || return 0
    lb_children "$LB_POOL_PID"
}

# ---------------------------------------------------------------- nginx

LB_NGINX_PID=
_LB_NGINX_NAMED=        # pids of the named (second, third...) nginx instances
# nginx_start [--port P] [--max-body N] [--fastcgi-pass ADDR]... [--next-upstream WHEN]
#             [--name N] [--mount /PATH]
# --fastcgi-pass once per host (several: an upstream of them all, with
# --next-upstream "error timeout" as deploy/nginx/lockbox.conf.in says).
nginx_start() {
    local port= max_body=$LB_MAX_BODY name= mount= passes=() next=()
    while [ $# -gt 0 ]; do
        case $1 in
            --port) port=$2; shift 2 ;;
            --max-body) max_body=$2; shift 2 ;;
            --fastcgi-pass) passes+=("FASTCGI_PASS=$2"); shift 2 ;;
            --next-upstream) next=("NEXT_UPSTREAM=$2"); shift 2 ;;
            --name) name=$2; shift 2 ;;
            --mount) mount=$2; shift 2 ;;
            *) _lb_die "nginx_start: unknown option $1" ;;
        esac
    done
    [ ${#passes[@]} -gt 0 ] || passes=("FASTCGI_PASS=${LB_POOL_LISTEN:-unix:$LB_TMP/lockbox.sock}")
    local pass="${passes[*]#FASTCGI_PASS=}"
    [ -n "$port" ] || lb_free_port port
    # nginx writes "unix:PATH" for a socket and "HOST:PORT" for TCP, like lockbox.
    local dir=$LB_TMP/nginx${name:+-$name}
    mkdir -p "$dir/tmp"
    # `include fastcgi_params;` in the site is relative to the directory of
    # nginx.conf: use the distribution's own file, as a stock nginx would.
    ln -sf /etc/nginx/fastcgi_params "$dir/fastcgi_params"
    "$LB_DEPLOY/render" "$LB_DEPLOY/nginx/lockbox-http.conf.in" "$dir/lockbox-http.conf" \
        || _lb_die "cannot render the nginx http template"
    "$LB_DEPLOY/render" "$LB_DEPLOY/nginx/lockbox.conf.in" "$dir/lockbox.conf" \
        LISTEN="127.0.0.1:$port" "${passes[@]}" "${next[@]}" MAX_BODY="$max_body" MOUNT="$mount" \
        || _lb_die "cannot render the nginx site template"
    local user=
    [ "$(id -u)" = 0 ] && user="user nobody nogroup;"
    cat >"$dir/nginx.conf" <<EOF
# written by tests/lib/stack.sh: a private nginx around the shipped templates.
$user
daemon off;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 1024; }
http {
    client_body_temp_path $dir/tmp/body;
    fastcgi_temp_path $dir/tmp/fastcgi;
    proxy_temp_path $dir/tmp/proxy;
    scgi_temp_path $dir/tmp/scgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    include $dir/lockbox-http.conf;
    # After the include: the "lockbox" log format is defined there.
    access_log $dir/access.log lockbox;
    include $dir/lockbox.conf;
}
EOF
    nginx -t -q -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/check.out" \
        || { lb_tail "$dir/check.out"; _lb_die "nginx rejects the configuration"; }
    ( _lb_close_fds; exec nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" ) </dev/null >>"$dir/error.log" 2>&1 &
    local pid=$!
    lb_wait_tcp "$port" "$pid" 15 nginx
    if [ -n "$name" ]; then
        _LB_NGINX_NAMED+=" $pid"
        export LB_NGINX_NAMED_URL="http://127.0.0.1:$port"
        _lb_say "nginx $name ($pid) on $LB_NGINX_NAMED_URL -> $pass"
        return 0
    fi
    LB_NGINX_PID=$pid
    export LB_NGINX_URL="http://127.0.0.1:$port"
    export LB_NGINX_PID
    _lb_say "nginx $LB_NGINX_PID on $LB_NGINX_URL -> $pass"
}

# SIGQUIT: graceful (open requests finish); SIGKILL after 10 s. The named
# instances too.
nginx_stop() {
    local p named=$_LB_NGINX_NAMED
    _LB_NGINX_NAMED=
    for p in $named; do _lb_nginx_stop1 "$p"; done
    _lb_nginx_stop1 "$LB_NGINX_PID"
    LB_NGINX_PID=
}

# _lb_stop_server NAME PID SIGNAL -- a front server that is our child: SIGNAL,
# SIGKILL after 10 s for it and the children it had, then reap it.
_lb_stop_server() {
    local what=$1 pid=$2 sig=$3 kids
    kids=$(lb_children "$pid")
    kill "-$sig" "$pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    if ! lb_wait_gone 10 "$pid" $kids; then
        _lb_say "$what did not stop in 10 s: SIGKILL"
        # shellcheck disable=SC2046,SC2086
        kill -KILL "$pid" $kids $(lb_children "$pid") 2>/dev/null || true
        # shellcheck disable=SC2086
        lb_wait_gone 5 "$pid" $kids
    fi
    # Reap it (never block on one that survived SIGKILL).
    lb_alive "$pid" || wait "$pid" 2>/dev/null || true
    [ "$_LB_STOPPING" = 1 ] || _lb_say "$what stopped"
    return 0
}

_lb_nginx_stop1() {   # _lb_nginx_stop1 PID -- SIGQUIT: a graceful stop
    [ -n "${1:-}" ] || return 0
    _lb_stop_server nginx "$1" QUIT
}

# ---------------------------------------------------------------- Apache

LB_APACHE_PID=
# apache_start [--port P] [--max-body N]
# mod_fcgid starts lockbox-fcgi itself (as www-data, socket on fd 0); no
# lockbox_start is needed, only lockbox_setup.
apache_start() {
    local port= max_body=$LB_MAX_BODY mount=
    while [ $# -gt 0 ]; do
        case $1 in
            --port) port=$2; shift 2 ;;
            --max-body) max_body=$2; shift 2 ;;
            --mount) mount=$2; shift 2 ;;
            *) _lb_die "apache_start: unknown option $1" ;;
        esac
    done
    [ -n "$LB_CONF" ] || _lb_die "apache_start: call lockbox_setup first"
    [ -x "$LB_FCGI" ] || _lb_die "no lockbox-fcgi at $LB_FCGI (build first, or set LB_FCGI)"
    [ -n "$port" ] || lb_free_port port
    local dir=$LB_TMP/apache mods=/usr/lib/apache2/modules
    mkdir -p "$dir/run" "$dir/fcgid"
    # lockbox runs as www-data under Apache: it must read its config and key
    # file (which stays 0600, or lockbox refuses it).
    chown www-data:www-data "$LB_CONF" "$LB_TMP/keyring"
    chown www-data:www-data "$dir/fcgid"
    "$LB_DEPLOY/render" "$LB_DEPLOY/apache/lockbox.conf.in" "$dir/lockbox.conf" \
        LISTEN="127.0.0.1:$port" LOCKBOX_FCGI="$LB_FCGI" LOCKBOX_CONFIG="$LB_CONF" MAX_BODY="$max_body" \
        MOUNT="$mount" || _lb_die "cannot render the Apache template"
    _lb_apache_run Apache "$dir" "$port" LB_APACHE_PID "LoadModule alias_module $mods/mod_alias.so
LoadModule fcgid_module $mods/mod_fcgid.so
# mod_fcgid's sockets and process table: private, not /var/lib/apache2/fcgid.
FcgidIPCDir $dir/fcgid
FcgidProcessTableFile $dir/fcgid/shm"
    export LB_APACHE_URL="http://127.0.0.1:$port"
    export LB_APACHE_PID
    _lb_say "Apache $LB_APACHE_PID on $LB_APACHE_URL (mod_fcgid -> $LB_FCGI)"
}

# _lb_apache_run WHAT DIR PORT PIDVAR MODULES -- a private Apache around
# DIR/lockbox.conf (a rendered template), with the modules every site uses
# and MODULES (LoadModule lines and their settings); its children run as
# www-data.  In the foreground, our child: its pid into PIDVAR.
_lb_apache_run() {
    local what=$1 dir=$2 port=$3 pidvar=$4 extra=$5 mods=/usr/lib/apache2/modules pid
    cat >"$dir/apache2.conf" <<EOF
# written by tests/lib/stack.sh: a private Apache around the shipped template.
ServerRoot $dir
PidFile $dir/apache2.pid
DefaultRuntimeDir $dir/run
ErrorLog $dir/error.log
LogLevel info
Listen 127.0.0.1:$port
User www-data
Group www-data
ServerName 127.0.0.1
ServerTokens Prod
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule headers_module $mods/mod_headers.so
LoadModule unique_id_module $mods/mod_unique_id.so
LoadModule setenvif_module $mods/mod_setenvif.so
LoadModule rewrite_module $mods/mod_rewrite.so
$extra
LogFormat "%h \"%r\" %>s %b rid=%{LOCKBOX_REQUEST_ID}e %D" lockbox
CustomLog $dir/access.log lockbox
Include $dir/lockbox.conf
EOF
    apache2 -t -f "$dir/apache2.conf" >"$dir/check.out" 2>&1 \
        || { lb_tail "$dir/check.out"; _lb_die "$what rejects the configuration"; }
    # -DFOREGROUND: Apache stays our child (no daemon to find again).
    ( _lb_close_fds; exec apache2 -f "$dir/apache2.conf" -k start -DFOREGROUND ) </dev/null >>"$dir/error.log" 2>&1 &
    pid=$!
    printf -v "$pidvar" '%s' "$pid"
    lb_wait_tcp "$port" "$pid" 15 "$what"
}

# SIGTERM (apache2 -k stop): children and mod_fcgid's lockbox processes end.
apache_stop() {
    [ -n "$LB_APACHE_PID" ] || return 0
    local pid=$LB_APACHE_PID kids all k
    kids=$(lb_children "$pid")
    # mod_fcgid's processes are children of its process manager (a child of
    # the parent): note them too, to wait for them.
    all=$kids
    for k in $kids; do all="$all $(lb_children "$k")"; done
    kill -TERM "$pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    if ! lb_wait_gone 15 "$pid" $all; then
        _lb_say "Apache did not stop in 15 s: SIGKILL"
        # shellcheck disable=SC2086
        kill -KILL "$pid" $all 2>/dev/null || true
        # shellcheck disable=SC2086
        lb_wait_gone 5 "$pid" $all
    fi
    # Reap it (never block on one that survived SIGKILL).
    lb_alive "$pid" || wait "$pid" 2>/dev/null || true
    LB_APACHE_PID=
    [ "$_LB_STOPPING" = 1 ] || _lb_say "Apache stopped"
    return 0
}

# The servers in front of the standalone pool besides nginx (Apache with
# mod_proxy_fcgi, lighttpd, Caddy): tests/lib/fronts.sh.
. "$(dirname "${BASH_SOURCE[0]}")/fronts.sh"
