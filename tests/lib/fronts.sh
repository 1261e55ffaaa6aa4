# shellcheck shell=bash
# tests/lib/fronts.sh -- the front servers that pass requests to the
# standalone pool's socket besides nginx: Apache with mod_proxy_fcgi,
# lighttpd, Caddy, each running its template from deploy/.  Sourced by
# tests/lib/stack.sh, whose helpers (_lb_die, _lb_say, lb_free_port,
# lb_wait_tcp, lb_children...) and stack_stop it relies on; see its
# header for the functions.

# The pool's unix socket path, for the servers that take a path (SOCKET).
_lb_pool_socket() {
    local listen=${LB_POOL_LISTEN:-unix:$LB_TMP/lockbox.sock}
    case $listen in
        unix:*) printf '%s\n' "${listen#unix:}" ;;
        *) _lb_die "the pool listens on $listen: this server needs its unix socket (lockbox_start)" ;;
    esac
}

# _lb_front_args FUNC [--port P] [--max-body N] [--mount /PATH] [--socket PATH]
# The options of a front server in front of the standalone pool, into the
# caller's locals port, max_body, mount and sock (a free port, LB_MAX_BODY,
# the root and the pool's socket by default).
_lb_front_args() {
    local func=$1
    shift
    max_body=$LB_MAX_BODY
    while [ $# -gt 0 ]; do
        case $1 in
            --port) port=$2; shift 2 ;;
            --max-body) max_body=$2; shift 2 ;;
            --mount) mount=$2; shift 2 ;;
            --socket) sock=$2; shift 2 ;;
            *) _lb_die "$func: unknown option $1" ;;
        esac
    done
    [ -n "$sock" ] || sock=$(_lb_pool_socket)
    [ -n "$port" ] || lb_free_port port
    return 0
}

# ---------------------------------------------------------------- Apache + mod_proxy_fcgi

LB_PROXY_FCGI_PID=
# proxy_fcgi_start [--port P] [--max-body N] [--mount /PATH] [--socket PATH]
# A private Apache with mod_proxy_fcgi in front of the standalone pool
# (lockbox_start first); deploy/apache/lockbox-proxy-fcgi.conf.in.
proxy_fcgi_start() {
    local port= max_body= mount= sock=
    _lb_front_args proxy_fcgi_start "$@"
    local dir=$LB_TMP/proxy-fcgi mods=/usr/lib/apache2/modules
    mkdir -p "$dir/run"
    "$LB_DEPLOY/render" "$LB_DEPLOY/apache/lockbox-proxy-fcgi.conf.in" "$dir/lockbox.conf" \
        LISTEN="127.0.0.1:$port" SOCKET="$sock" MAX_BODY="$max_body" MOUNT="$mount" \
        || _lb_die "cannot render the Apache mod_proxy_fcgi template"
    # Its children run as www-data, which connects to the pool's socket
    # (0666 here, see lockbox_start).
    _lb_apache_run "Apache (mod_proxy_fcgi)" "$dir" "$port" LB_PROXY_FCGI_PID \
        "LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_fcgi_module $mods/mod_proxy_fcgi.so"
    export LB_PROXY_FCGI_URL="http://127.0.0.1:$port"
    export LB_PROXY_FCGI_PID
    _lb_say "Apache $LB_PROXY_FCGI_PID on $LB_PROXY_FCGI_URL (mod_proxy_fcgi -> unix:$sock)"
}

# SIGTERM (apache2 -k stop): the children end with it.
proxy_fcgi_stop() {
    [ -n "$LB_PROXY_FCGI_PID" ] || return 0
    _lb_stop_server "Apache (mod_proxy_fcgi)" "$LB_PROXY_FCGI_PID" TERM
    LB_PROXY_FCGI_PID=
}

# ---------------------------------------------------------------- lighttpd

LB_LIGHTTPD_PID=
# lighttpd_start [--port P] [--max-body N] [--mount /PATH] [--socket PATH]
# lighttpd + mod_fastcgi + mod_magnet in front of the standalone pool
# (lockbox_start first); deploy/lighttpd/lockbox.conf.in and lockbox.lua.
lighttpd_start() {
    local port= max_body= mount= sock=
    _lb_front_args lighttpd_start "$@"
    command -v lighttpd >/dev/null || _lb_die "no lighttpd (deploy/install-deps installs it)"
    local dir=$LB_TMP/lighttpd
    mkdir -p "$dir/docroot"
    # The server's own document root has a page, as a stock one does: the
    # site must not serve it (lighttpd.test).
    echo 'not lockbox' >"$dir/docroot/index.html"
    # lighttpd's user reads the script at the first request, after it has
    # dropped root.
    install -m 0644 "$LB_DEPLOY/lighttpd/lockbox.lua" "$dir/lockbox.lua"
    "$LB_DEPLOY/render" "$LB_DEPLOY/lighttpd/lockbox.conf.in" "$dir/lockbox.conf" \
        LISTEN="127.0.0.1:$port" SOCKET="$sock" MAX_BODY="$max_body" MOUNT="$mount" \
        LOCKBOX_LUA="$dir/lockbox.lua" || _lb_die "cannot render the lighttpd template"
    local user=
    # Started as root, lighttpd binds, then runs as this user (who must be
    # able to connect to the pool's socket: 0666 here, see lockbox_start).
    [ "$(id -u)" = 0 ] && user='server.username = "nobody"
server.groupname = "nogroup"'
    # No server.errorlog: in the foreground (-D) lighttpd logs to stderr,
    # which goes to error.log (lighttpd would open a log file only after
    # dropping root).
    cat >"$dir/lighttpd.conf" <<EOF
# written by tests/lib/stack.sh: a private lighttpd around the shipped template.
server.document-root = "$dir/docroot"
server.bind = "127.0.0.1"
server.port = $port
$user
server.modules = ( )
include "$dir/lockbox.conf"
EOF
    lighttpd -tt -f "$dir/lighttpd.conf" >"$dir/check.out" 2>&1 \
        || { lb_tail "$dir/check.out"; _lb_die "lighttpd rejects the configuration"; }
    ( _lb_close_fds; exec lighttpd -D -f "$dir/lighttpd.conf" ) </dev/null >>"$dir/error.log" 2>&1 &
    LB_LIGHTTPD_PID=$!
    lb_wait_tcp "$port" "$LB_LIGHTTPD_PID" 15 lighttpd
    export LB_LIGHTTPD_URL="http://127.0.0.1:$port"
    export LB_LIGHTTPD_PID
    _lb_say "lighttpd $LB_LIGHTTPD_PID on $LB_LIGHTTPD_URL -> unix:$sock"
}

# SIGTERM: lighttpd closes its connections and exits.
lighttpd_stop() {
    [ -n "$LB_LIGHTTPD_PID" ] || return 0
    _lb_stop_server lighttpd "$LB_LIGHTTPD_PID" TERM
    LB_LIGHTTPD_PID=
}

# ---------------------------------------------------------------- Caddy

LB_CADDY_PID=
# caddy_start [--port P] [--max-body N] [--mount /PATH] [--socket PATH]
# Caddy (reverse_proxy, transport fastcgi) in front of the standalone pool
# (lockbox_start first); deploy/caddy/Caddyfile.in.
caddy_start() {
    local port= max_body= mount= sock=
    _lb_front_args caddy_start "$@"
    command -v caddy >/dev/null || _lb_die "no caddy (deploy/install-deps installs it)"
    local dir=$LB_TMP/caddy
    mkdir -p "$dir/home"
    "$LB_DEPLOY/render" "$LB_DEPLOY/caddy/Caddyfile.in" "$dir/Caddyfile" \
        LISTEN_HOST=127.0.0.1 LISTEN_PORT="$port" SOCKET="$sock" MAX_BODY="$max_body" \
        MOUNT="$mount" || _lb_die "cannot render the Caddyfile template"
    # Caddy never drops privileges itself: started by root, it runs as the
    # user Debian's package creates for it (nobody without it), which must
    # be able to connect to the pool's socket (0666 here, see lockbox_start).
    # Its admin endpoint on a private socket, its state (autosave.json...)
    # in its own directory, never ~root or localhost:2019.
    local run=()
    if [ "$(id -u)" = 0 ]; then
        local user=caddy
        id -u "$user" >/dev/null 2>&1 || user=nobody
        chown -R "$user" "$dir/home"
        run=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --)
    fi
    local env=(HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/config" XDG_DATA_HOME="$dir/home/data"
               LOCKBOX_CADDY_ADMIN="unix/$dir/home/admin.sock")
    env "${env[@]}" caddy validate --config "$dir/Caddyfile" --adapter caddyfile >"$dir/check.out" 2>&1 \
        || { lb_tail "$dir/check.out"; _lb_die "Caddy rejects the configuration"; }
    ( _lb_close_fds; exec env "${env[@]}" "${run[@]}" caddy run --config "$dir/Caddyfile" --adapter caddyfile ) \
        </dev/null >>"$dir/caddy.log" 2>&1 &
    LB_CADDY_PID=$!
    lb_wait_tcp "$port" "$LB_CADDY_PID" 15 Caddy
    export LB_CADDY_URL="http://127.0.0.1:$port"
    export LB_CADDY_PID
    _lb_say "Caddy $LB_CADDY_PID on $LB_CADDY_URL -> unix:$sock"
}

# SIGTERM: Caddy stops accepting, lets open requests finish, and exits.
caddy_stop() {
    [ -n "$LB_CADDY_PID" ] || return 0
    _lb_stop_server Caddy "$LB_CADDY_PID" TERM
    LB_CADDY_PID=
}
