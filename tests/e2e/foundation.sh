# shellcheck shell=bash
# tests/e2e/foundation.sh -- the API foundation, checked through a front end.
#
# Sourced by nginx.test and apache.test (and proxy-fcgi.test, lighttpd.test,
# caddy.test, mount.test) with URL set to the front end, after stack.sh has
# started everything and lockbox_setup exported the API keys, so that the
# very same checks run through every server.  Uses assert.sh.

: "${URL:?foundation.sh needs URL}"
BIG=$LB_TMP/body-2MiB
EXACT=$LB_TMP/body-max
OVER=$LB_TMP/body-max+1
head -c 2097152 /dev/zero | tr '\0' x >"$BIG"
head -c "$LB_MAX_BODY" /dev/zero | tr '\0' x >"$EXACT"
head -c "$((LB_MAX_BODY + 1))" /dev/zero | tr '\0' x >"$OVER"

# A successful JSON response: status, exact body, contract headers.
is_json_ok() {   # is_json_ok STATUS 'JSON' DESC
    local problems=()
    [ "$STATUS" = "$1" ] || problems+=("status $STATUS, expected $1")
    [ "$(jq -cS . <"$BODY_FILE" 2>/dev/null)" = "$(jq -cS . <<<"$2")" ] || problems+=("body $(head -c 300 "$BODY_FILE"), expected $2")
    [ "$(header Content-Type)" = "application/json; charset=utf-8" ] || problems+=("Content-Type '$(header Content-Type)'")
    [ "$(header Cache-Control)" = no-store ] || problems+=("Cache-Control '$(header Cache-Control)'")
    [[ $(header X-Request-Id) =~ ^[A-Za-z0-9._-]{1,64}$ ]] || problems+=("X-Request-Id '$(header X-Request-Id)'")
    [ "$(header_count X-Request-Id)" = 1 ] || problems+=("X-Request-Id appears $(header_count X-Request-Id) times")
    if [ ${#problems[@]} = 0 ]; then pass "$3"; else fail "$3" "$(printf '%s\n' "${problems[@]}")"; fi
}

# --- health ----------------------------------------------------------------
req GET "$URL/v1/health"
is_json_ok 200 '{"status":"ok"}' "GET /v1/health without a key: 200 {\"status\":\"ok\"}"
req GET "$URL/v1/health" -H "X-API-Key: $LB_KEY_READ"
is_json_ok 200 '{"status":"ok"}' "GET /v1/health with a valid key: 200"
req GET "$URL/v1/health" -H "X-API-Key: lbk_not_a_key_at_all"
is_json_ok 200 '{"status":"ok"}' "GET /v1/health with an unknown key: still 200 (no key check)"

# --- routing -----------------------------------------------------------------
req GET "$URL/nope"
is_error 404 route_not_found "GET /nope without a key: 404 route_not_found"
req GET "$URL/v1/admin/nope"
is_error 404 route_not_found "GET /v1/admin/nope without a key: 404 route_not_found (route before key)"
req GET "$URL/v1/admin/nope" -H "X-API-Key: $LB_KEY_WRITE"
is_error 404 route_not_found "GET /v1/admin/nope with a key: 404 route_not_found"

req PUT "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_WRITE" -H 'Content-Type: application/json' --data '{}'
is_error 405 method_not_allowed "PUT /v1/admin/secrets: 405 method_not_allowed"
like "$(header Allow)" 'GET' "PUT /v1/admin/secrets: Allow lists GET ($(header Allow))"
like "$(header Allow)" 'POST' "PUT /v1/admin/secrets: Allow lists POST"
req POST "$URL/v1/health" -H 'Content-Type: application/json' --data '{}'
is_error 405 method_not_allowed "POST /v1/health: 405 method_not_allowed"
like "$(header Allow)" 'GET' "POST /v1/health: Allow lists GET ($(header Allow))"

# --- authentication ------------------------------------------------------------
req GET "$URL/v1/admin/secrets"
is_error 401 missing_api_key "GET /v1/admin/secrets without a key: 401 missing_api_key"
is "$(header WWW-Authenticate)" "ApiKey" "401 missing_api_key carries WWW-Authenticate: ApiKey"
req GET "$URL/v1/admin/secrets" -H "X-API-Key: lbk_0000000000000000000000000000dead"
is_error 401 invalid_api_key "GET /v1/admin/secrets with an unknown key: 401 invalid_api_key"
is "$(header WWW-Authenticate)" "ApiKey" "401 invalid_api_key carries WWW-Authenticate: ApiKey"
req GET "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_REVOKED"
is_error 401 invalid_api_key "GET /v1/admin/secrets with a revoked key: 401 invalid_api_key"
req GET "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_READ"
is "$STATUS" 200 "GET /v1/admin/secrets with a read key: 200"

# --- request id ------------------------------------------------------------------
rid="e2e.Request_id-$$"
req GET "$URL/v1/health" -H "X-Request-Id: $rid"
is "$(header X-Request-Id)" "$rid" "a valid X-Request-Id is echoed"
req GET "$URL/nope" -H "X-Request-Id: $rid"
is "$(json .error.request_id)" "$rid" "a valid X-Request-Id is the error's request_id"
is_error 404 route_not_found "... and the error keeps the shape"
long=$(printf 'a%.0s' $(seq 1 64))
req GET "$URL/v1/health" -H "X-Request-Id: $long"
is "$(header X-Request-Id)" "$long" "a 64-character X-Request-Id is valid and echoed"
for bad in "has space" "semi;colon" "${long}b" "slash/no" "quote\"d"; do
    req GET "$URL/nope" -H "X-Request-Id: $bad"
    isnt "$(header X-Request-Id)" "$bad" "an invalid X-Request-Id ($bad) is replaced"
    is_error 404 route_not_found "... by a fresh valid id, also in the body"
done

# --- body limit ------------------------------------------------------------------
req POST "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_WRITE" -H 'Content-Type: application/json' \
    -H "X-Request-Id: big-$$" --data-binary "@$BIG"
is_error 413 payload_too_large "a 2 MiB body: 413 payload_too_large in the error shape"
is "$(header X-Request-Id)" "big-$$" "... with the client's X-Request-Id"
req GET "$URL/v1/health"
is "$STATUS" 200 "the next request after a 413 is served normally"
req POST "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_WRITE" -H 'Content-Type: application/json' --data-binary "@$OVER"
is_error 413 payload_too_large "a body of max_body+1 bytes: 413"
req POST "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_WRITE" -H 'Content-Type: application/json' --data-binary "@$EXACT"
ok '[ "$STATUS" != 413 ] && [ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ]' \
    "a body of exactly max_body bytes is not refused as too large (got $STATUS $(json .error.code))"
req POST "$URL/v1/admin/secrets" -H "X-API-Key: $LB_KEY_WRITE" -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary "@$BIG"
is_error 413 payload_too_large "a 2 MiB chunked body (no Content-Length): 413"
req GET "$URL/v1/health"
is "$STATUS" 200 "served normally after the chunked 413"

# --- requests the front end refuses by itself ----------------------------------------
# Two hooks for a front end that cannot do here what nginx and Apache do, set
# by its own test (never by nginx.test or apache.test), which then checks
# what that server does instead:
#   FRONT_LONG_URI_STATUS    the status it refuses a long request line with,
#                            when not 414 (lighttpd: 431, it counts the request
#                            line with the headers)
#   FRONT_PARSE_ERROR_SKIP   why its answers to a request it cannot parse are
#                            not in the error shape (Caddy: Go's net/http
#                            writes them itself): the shape checks of this
#                            section are then TAP-skipped with that reason
front_shaped() {   # front_shaped ASSERTION ARGS... DESC -- run it, or skip it
    if [ -n "${FRONT_PARSE_ERROR_SKIP:-}" ]; then
        pass "${!#} # SKIP $FRONT_PARSE_ERROR_SKIP"
    else
        "$@"
    fi
}
req GET "$URL/v1/health?q=$(printf 'q%.0s' $(seq 1 9000))"
ok '[ "$STATUS" = "${FRONT_LONG_URI_STATUS:-414}" ] || [ "$STATUS" = 400 ]' "a 9000-byte request line is refused by the front end ($STATUS)"
front_shaped is_error "$STATUS" invalid_parameter "... in the error shape"
req GET "$URL/v1/health" -H "X-Big: $(printf 'b%.0s' $(seq 1 17000))"
ok '[ "$STATUS" = 431 ] || [ "$STATUS" = 400 ]' "a 17000-byte header is refused by the front end ($STATUS)"
front_shaped is_error "$STATUS" invalid_parameter "... in the error shape"
# A header line without a colon: curl cannot send it, bash can.
host=${URL#http://} host=${host%%/*}
raw=$(printf 'GET %s/v1/health HTTP/1.1\r\nHost: %s\r\nNo colon here\r\nConnection: close\r\n\r\n' "${MOUNT:-}" "$host" |
      timeout 10 bash -c "exec 3<>/dev/tcp/${host%:*}/${host##*:}; cat >&3; cat <&3" 2>/dev/null | tr -d '\r')
like "$(head -n 1 <<<"$raw")" '^HTTP/1\.1 400' "a malformed header line: 400 from the front end"
body=$(sed '1,/^$/d' <<<"$raw")
hdr_rid=$(sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p' <<<"$raw")
front_shaped is "$(jq -r .error.code <<<"$body" 2>/dev/null)" invalid_parameter "... with the JSON error shape"
front_shaped ok '[ -n "$hdr_rid" ] && [ "$(jq -r .error.request_id <<<"$body")" = "$hdr_rid" ]' "... and request_id equal to X-Request-Id ($hdr_rid)"
front_shaped like "$raw" $'\n[Cc]ontent-[Tt]ype: application/json; charset=utf-8\n' "... with the JSON Content-Type"
