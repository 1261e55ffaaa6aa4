# shellcheck shell=bash
# tests/e2e/front.sh -- checks shared by the tests of a front server that
# passes requests to the standalone pool (proxy-fcgi.test, lighttpd.test,
# caddy.test).  Sourced after stack.sh, assert.sh and foundation.sh, with
# URL set to the server.  Defines:
#
#   raw REQUEST           send bytes as they are (printf %b), print the
#                         answer without CRs
#   is_raw_error STATUS CODE DESC
#                         the raw answer in $RAW is in the error shape
#   front_pool_down NAME STATUS WAIT
#                         stop the pool: NAME's own STATUS in the error shape,
#                         with the client's X-Request-Id (a fresh one for an
#                         invalid id) and Retry-After: 1; start it again and
#                         expect a 200 within WAIT seconds (0: at once)
#   front_mount NAME START STOP URLVAR
#                         restart the server (STOP, then START --mount M) and
#                         check the site under a mount; URL is then its new
#                         URL, read from the variable URLVAR

raw() {
    local host=${URL#http://}
    host=${host%%/*}
    printf '%b' "$1" | timeout 10 bash -c "exec 3<>/dev/tcp/${host%:*}/${host##*:}; cat >&3; cat <&3" 2>/dev/null | tr -d '\r'
}

is_raw_error() {
    local body rid problems=()
    body=$(sed '1,/^$/d' <<<"$RAW")
    rid=$(sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p' <<<"$RAW")
    [[ $(head -n 1 <<<"$RAW") =~ ^HTTP/1\.[01]\ $1\  ]] || problems+=("status line '$(head -n 1 <<<"$RAW")', expected $1")
    [ "$(jq -r .error.code <<<"$body" 2>/dev/null)" = "$2" ] || problems+=("body '${body:0:200}', expected code $2")
    [[ $rid =~ ^[A-Za-z0-9._-]{1,64}$ ]] && [ "$(jq -r .error.request_id <<<"$body" 2>/dev/null)" = "$rid" ] \
        || problems+=("X-Request-Id '$rid' and request_id differ or are invalid")
    [[ $RAW == *$'\nContent-Type: application/json; charset=utf-8\n'* ]] || problems+=("no JSON Content-Type")
    [[ $RAW == *$'\nCache-Control: no-store\n'* ]] || problems+=("no Cache-Control: no-store")
    if [ ${#problems[@]} = 0 ]; then pass "$3"; else fail "$3" "$(printf '%s\n' "${problems[@]}")"; fi
}

front_pool_down() {
    local name=$1 status=$2 wait=$3 t0 deadline
    lockbox_stop
    req GET "$URL/v1/health" -H "X-Request-Id: pool-down-$$"
    is_error "$status" internal_error "pool stopped: $status internal_error from $name in the error shape"
    is "$(header X-Request-Id)" "pool-down-$$" "... with the client's X-Request-Id"
    is "$(header Retry-After)" 1 "... and Retry-After: 1"
    req GET "$URL/v1/health" -H "X-Request-Id: bad id"
    is_error "$status" internal_error "... and with a fresh id when the client's is invalid"
    lockbox_start
    t0=$(date +%s%N)
    deadline=$((SECONDS + wait))
    while req GET "$URL/v1/health"; [ "$STATUS" != 200 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    is "$STATUS" 200 "pool started again: 200 within $wait s (after $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
}

front_mount() {
    local name=$1 start=$2 stop=$3 urlvar=$4 M=/tools/vault id p
    "$stop"
    "$start" --mount "$M"
    URL=${!urlvar}
    req POST "$URL$M/v1/admin/secrets" -H "X-API-Key: $LB_KEY_WRITE" -H 'Content-Type: application/json' \
        --data-binary "{\"name\":\"$name-mount-$$\",\"value\":\"v\"}"
    id=$(json .id)
    is "$STATUS|$(header Location)" "201|$M/v1/admin/secrets/$id" "mount: a create's Location is under the mount"
    req GET "$URL$M/v1/admin/secrets/$id" -H "X-API-Key: $LB_KEY_READ"
    is "$STATUS|$(json .value)" "200|v" "mount: ... and the secret is read there"
    req GET "$URL$M/v1/openapi.json"
    is "$STATUS|$(json '.servers[0].url')" "200|$M" "mount: the OpenAPI document's server is the mount"
    req GET "$URL$M/v1"
    is_error 404 route_not_found "mount: $M/v1 is lockbox's 404"
    for p in /v1/health /tools/vaults/v1/health /TOOLS/VAULT/v1/health "$M" /index.html; do
        req GET "$URL$p"
        is_error 404 route_not_found "mount: $p is not served ($name's 404 in the error shape)"
    done
}
