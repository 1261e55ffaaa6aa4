# shellcheck shell=bash
# tests/lib/assert.sh -- TAP output and HTTP helpers for bash tests.
#
# Every assertion prints one "ok N - desc" or "not ok N - desc" line, plus
# "# ..." diagnostics on failure, so that automake's tap-driver.sh counts each
# one.  A test script ends with done_testing, which prints the plan when none
# was given, and exits 0: the verdict is in the TAP lines (tap-driver.sh
# would report any non-zero exit as an extra ERROR).
#
#   plan N | done_testing | skip_all REASON | bail_out REASON
#   ok 'SHELL COMMAND' DESC       passes when the command (eval'ed) exits 0
#   is GOT WANT DESC              string equality
#   isnt GOT UNWANTED DESC
#   like GOT ERE DESC             bash regex match ([[ =~ ]])
#   pass DESC | fail DESC | diag MSG
#
#   req METHOD URL [curl args...] one HTTP request; sets STATUS (000 when no
#                                 response), BODY, BODY_FILE, HEADERS_FILE, CURL_RC
#   header NAME                   value of a response header (case-insensitive)
#   header_count NAME             how many times the header appears
#   json JQ_EXPR                  jq -r over the last body
#   is_error STATUS CODE DESC     status, .error.code, .error.request_id equal to
#                                 X-Request-Id, Cache-Control: no-store and the
#                                 exact JSON Content-Type, in one assertion

LB_TAP=1                # stack.sh then reports fatal errors as "Bail out!"
_T_COUNT=0
_T_FAILED=0
_T_PLANNED=

plan() {
    _T_PLANNED=$1
    echo "1..$1"
}

diag() {
    local line
    while IFS= read -r line; do printf '#   %s\n' "$line"; done <<<"$*"
}

pass() { _T_COUNT=$((_T_COUNT + 1)); echo "ok $_T_COUNT - $1"; }

fail() {
    _T_COUNT=$((_T_COUNT + 1))
    _T_FAILED=$((_T_FAILED + 1))
    echo "not ok $_T_COUNT - $1"
    [ -n "${2:-}" ] && diag "$2"
    return 1
}

# ok 'COMMAND' DESC
ok() {
    if (eval "$1") >/dev/null 2>&1; then pass "$2"; else fail "$2" "failed: $1"; fi
}

is() {
    if [ "$1" == "$2" ]; then pass "$3"; else fail "$3" "got:      '$1'
expected: '$2'"; fi
}

isnt() {
    if [ "$1" != "$2" ]; then pass "$3"; else fail "$3" "got:      '$1'
expected anything else"; fi
}

like() {
    if [[ $1 =~ $2 ]]; then pass "$3"; else fail "$3" "got:      '$1'
expected to match: $2"; fi
}

skip_all() {
    # Exit 0, not 77: under tap-driver.sh any non-zero exit is an ERROR; the
    # "1..0 # SKIP" plan is what marks the whole script as skipped.
    echo "1..0 # SKIP $1"
    exit 0
}

bail_out() {
    echo "Bail out! $1"
    exit 1
}

done_testing() {
    # Stopping the stack is part of the test: a process left behind fails.
    if [ -n "${LB_TMP:-}" ] && declare -F stack_stop >/dev/null; then
        if stack_stop; then pass "every process of the stack stopped"; else fail "every process of the stack stopped"; fi
        local reports
        reports=$(stack_sanitizer_reports)
        if [ -z "$reports" ]; then pass "no sanitizer report in any log of the stack"
        else fail "no sanitizer report in any log of the stack" "$reports"; fi
    fi
    if [ -z "$_T_PLANNED" ]; then
        echo "1..$_T_COUNT"
    elif [ "$_T_PLANNED" != "$_T_COUNT" ]; then
        diag "planned $_T_PLANNED tests but ran $_T_COUNT"
    fi
    [ "$_T_FAILED" = 0 ] || diag "$_T_FAILED of $_T_COUNT failed"
    exit 0
}

# ---------------------------------------------------------------- HTTP

STATUS= BODY= BODY_FILE= HEADERS_FILE= CURL_RC=

# req METHOD URL [curl args...]
# The body is kept whole in $BODY_FILE (and in $BODY, fine for JSON); the
# headers of the final response in $HEADERS_FILE.
req() {
    local method=$1 url=$2 dir
    shift 2
    dir=${LB_TMP:-${TMPDIR:-/tmp}}
    BODY_FILE=$dir/last-body
    HEADERS_FILE=$dir/last-headers
    : >"$BODY_FILE"
    : >"$HEADERS_FILE"
    local how=(-X "$method")
    [ "$method" = HEAD ] && how=(--head)
    STATUS=$(curl -sS --max-time "${REQ_TIMEOUT:-20}" "${how[@]}" -o "$BODY_FILE" -D "$HEADERS_FILE" \
        -w '%{http_code}' "$@" -- "$url" 2>"$dir/last-curl-err")
    CURL_RC=$?
    [ -n "$STATUS" ] || STATUS=000
    BODY=$(cat "$BODY_FILE")
    if [ "$CURL_RC" != 0 ]; then
        printf '# curl %s %s: exit %s: %s\n' "$method" "$url" "$CURL_RC" "$(head -c 300 "$dir/last-curl-err")"
    fi
    return 0
}

# The headers of the last response ($HEADERS_FILE) into H (each name,
# lower-cased: its first value, trimmed) and HC (how many times it came);
# with `curl -D`, a 100 Continue and the final response are both written:
# the last block counts.  HDRS_TEXT gets the whole file, every block.  In
# bash alone: the suites ask for headers often, and each process forked
# costs more than the request.
declare -gA H=() HC=()
HDRS_TEXT=
parse_headers() {
    local line name
    H=() HC=() HDRS_TEXT=
    while IFS= read -r line || [ -n "$line" ]; do
        HDRS_TEXT+=$line$'\n'
        line=${line%$'\r'}
        if [[ $line == HTTP/* ]]; then H=() HC=(); continue; fi
        [[ $line == *:* ]] || continue
        name=${line%%:*}
        name=${name,,}
        line=${line#*:}
        line=${line#"${line%%[![:space:]]*}"}
        line=${line%"${line##*[![:space:]]}"}
        [ -n "${H[$name]+x}" ] || H[$name]=$line
        HC[$name]=$(( ${HC[$name]:-0} + 1 ))
    done <"$HEADERS_FILE"
}

# header NAME -- the first value of header NAME (case-insensitive);
# header_count NAME -- how many times it came.
header() {
    parse_headers
    [ -z "${H[${1,,}]+x}" ] || printf '%s\n' "${H[${1,,}]}"
}

header_count() {
    parse_headers
    echo "${HC[${1,,}]:-0}"
}

json() {
    jq -r "$1" <"$BODY_FILE" 2>/dev/null
}

# is_error STATUS CODE DESC
is_error() {
    local want_status=$1 want_code=$2 desc=$3 problems=() rid hdr
    [ "$STATUS" = "$want_status" ] || problems+=("status $STATUS, expected $want_status")
    if ! jq -e 'type == "object" and (.error | type == "object")' <"$BODY_FILE" >/dev/null 2>&1; then
        problems+=("body is not the JSON error shape")
    else
        [ "$(json .error.code)" = "$want_code" ] || problems+=("error.code '$(json .error.code)', expected '$want_code'")
        [ "$(json '.error.message | type')" = string ] || problems+=("error.message is not a string")
        rid=$(json '.error.request_id // empty')
        hdr=$(header X-Request-Id)
        [ -n "$rid" ] || problems+=("no error.request_id")
        [ "$rid" = "$hdr" ] || problems+=("error.request_id '$rid' differs from X-Request-Id '$hdr'")
        [[ $hdr =~ ^[A-Za-z0-9._-]{1,64}$ ]] || problems+=("X-Request-Id '$hdr' is not a valid id")
    fi
    [ "$(header_count X-Request-Id)" = 1 ] || problems+=("X-Request-Id appears $(header_count X-Request-Id) times")
    [ "$(header Cache-Control)" = no-store ] || problems+=("Cache-Control '$(header Cache-Control)', expected 'no-store'")
    [ "$(header Content-Type)" = "application/json; charset=utf-8" ] \
        || problems+=("Content-Type '$(header Content-Type)', expected 'application/json; charset=utf-8'")
    if [ ${#problems[@]} = 0 ]; then
        pass "$desc"
    else
        fail "$desc" "$(printf '%s\n' "${problems[@]}")
body: $(head -c 400 "$BODY_FILE")"
    fi
}
