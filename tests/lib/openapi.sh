# shellcheck shell=bash
# tests/lib/openapi.sh -- src/openapi.json and the responses the tests saw,
# held to a real OpenAPI validator (tests/lib/openapi/check.mjs).
#
# Sourced by tests/lib/secrets.sh (so by every suite that uses `api`) and by
# tests/unit/openapi.test; check.mjs sources it too, to install what it needs.
#
#   openapi_install         print the directory whose node_modules/ holds the
#                           validators, installing them first if need be
#   openapi_check ARGS...   node tests/lib/openapi/check.mjs ARGS (doc FILE |
#                           responses DOC JSONL); 2 when it could not install
#   openapi_doc_valid FILE DESC
#                           one assertion: FILE passes `check.mjs doc`
#   api_openapi_conformance [DESC]
#                           one assertion: every response `api` (and bq_run)
#                           recorded since the last call matches
#                           src/openapi.json (path, method, status, headers,
#                           body schema); the record then starts afresh
#   _api_record METHOD PATH called by `api` for each response: one JSON line
#                           appended to $LB_TMP/responses.jsonl
#
# The validators (@seriousme/openapi-schema-validator, ajv, ajv-formats, at
# the versions of tests/lib/openapi/package-lock.json) come from the npm
# registry, installed by `npm ci` on first use and kept in
#   ${LOCKBOX_NPM_CACHE:-/var/tmp/lockbox-npm}/openapi-KEY/
# where KEY is a hash of package.json and package-lock.json: a new lock file
# installs afresh, an unchanged one costs a hash and a test -f.  npm's own
# download cache is .../npm/, so reinstalling after a lock change fetches
# only what changed.  Concurrent suites (make -j) serialise the install on
# a lock file (flock); the tree is moved into place only once complete.
# When npm cannot reach the registry the install fails loudly, and so does
# every assertion that needed it: nothing is skipped.

_OA_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_OA_DIR=$_OA_LIB/openapi
_OA_DOC=$(cd "$_OA_LIB/../.." && pwd)/src/openapi.json
_OA_ROUND=0

openapi_install() {
    local cache=${LOCKBOX_NPM_CACHE:-/var/tmp/lockbox-npm} key dir
    key=$(cat "$_OA_DIR/package.json" "$_OA_DIR/package-lock.json" | sha256sum) || return 1
    key=${key:0:16}
    dir=$cache/openapi-$key
    if [ -f "$dir/.complete" ]; then
        printf '%s\n' "$dir"
        return 0
    fi
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "openapi: node and npm are needed to install the OpenAPI validator (deploy/install-deps installs Debian's nodejs and npm)" >&2
        return 1
    fi
    if ! mkdir -p "$cache" 2>/dev/null || ! [ -w "$cache" ]; then
        echo "openapi: cannot write $cache: set LOCKBOX_NPM_CACHE to a directory of yours" >&2
        return 1
    fi
    (
        if ! flock -w 900 9; then
            echo "openapi: gave up waiting for another install of the validator ($cache/.lock)" >&2
            exit 1
        fi
        [ -f "$dir/.complete" ] && exit 0
        rm -rf "$dir"
        tmp=$(mktemp -d "$cache/.openapi-$key.XXXXXX") && chmod 0755 "$tmp" || exit 1
        cp "$_OA_DIR/package.json" "$_OA_DIR/package-lock.json" "$tmp/" || exit 1
        echo "openapi: installing the OpenAPI validator into $dir (npm ci)" >&2
        if ! (cd "$tmp" && timeout 900 npm ci --ignore-scripts --no-audit --no-fund --prefer-offline \
                --cache "$cache/npm" --fetch-retries 1 --fetch-timeout 60000 --loglevel warn) >"$tmp.log" 2>&1; then
            {
                echo "openapi: npm could not install the OpenAPI validator from the npm registry"
                echo "openapi: (tests/lib/openapi/package-lock.json; is the registry reachable?); npm said:"
                tail -n 25 "$tmp.log" | sed 's/^/openapi:   /'
            } >&2
            rm -rf "$tmp" "$tmp.log"
            exit 1
        fi
        rm -f "$tmp.log"
        touch "$tmp/.complete" && mv -T "$tmp" "$dir"
    ) 9>>"$cache/.lock" || return 1
    printf '%s\n' "$dir"
}

openapi_check() {
    local dir
    dir=$(openapi_install) || return 2
    LOCKBOX_OPENAPI_DIR=$dir node "$_OA_DIR/check.mjs" "$@"
}

# openapi_doc_valid FILE DESC -- one assertion.
openapi_doc_valid() {
    local out
    if out=$(openapi_check doc "$1" 2>&1); then
        pass "$2"
    else
        fail "$2" "$(head -n 40 <<<"$out")"
    fi
}

# ---------------------------------------------------------------- recording

# _oa_str VAR STRING -- STRING as a JSON string literal, into VAR, in bash
# alone (no process: `api` runs hundreds of times per suite).  Its locals
# carry a prefix so that VAR may be any other name.
_oa_str() {
    local LC_ALL=C _oa_s=$2 _oa_i _oa_c _oa_r
    _oa_s=${_oa_s//\\/\\\\}
    _oa_s=${_oa_s//\"/\\\"}
    _oa_s=${_oa_s//$'\n'/\\n}
    _oa_s=${_oa_s//$'\r'/\\r}
    _oa_s=${_oa_s//$'\t'/\\t}
    if [[ $_oa_s == *[$'\001'-$'\037']* ]]; then
        for _oa_i in 1 2 3 4 5 6 7 8 11 12 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
            printf -v _oa_c "\\$(printf '%03o' "$_oa_i")"
            printf -v _oa_r '\\u%04x' "$_oa_i"
            _oa_s=${_oa_s//$_oa_c/$_oa_r}
        done
    fi
    printf -v "$1" '"%s"' "$_oa_s"
}

# _api_record METHOD PATH -- the response in STATUS, H and BODY, as one line
# of $LB_TMP/responses.jsonl.
_api_record() {
    local m p ct b hs='' k v line
    _oa_str m "$1"
    _oa_str p "$2"
    _oa_str ct "${H[content-type]:-}"
    _oa_str b "$BODY"
    for k in "${!H[@]}"; do
        _oa_str v "${H[$k]}"
        _oa_str k "$k"
        hs+=${hs:+,}$k:$v
    done
    [[ $STATUS =~ ^[0-9]+$ ]] || STATUS=0
    printf -v line '{"method":%s,"path":%s,"status":%d,"content_type":%s,"headers":{%s},"body":%s}' \
        "$m" "$p" "$((10#$STATUS))" "$ct" "$hs" "$b"
    printf '%s\n' "$line" >>"$LB_TMP/responses.jsonl"
}

# api_openapi_conformance [DESC] -- one assertion over what was recorded.
api_openapi_conformance() {
    local rec=$LB_TMP/responses.jsonl n=0 out d
    [ -f "$rec" ] && n=$(wc -l <"$rec")
    d=${1:-"every response api saw ($n) matches src/openapi.json: path, method, status, headers, body schema"}
    if out=$(openapi_check responses "$_OA_DOC" "$rec" 2>&1) && [ "$n" -gt 0 ]; then
        pass "$d"
    else
        [ "$n" -gt 0 ] || out="no response was recorded in $rec
$out"
        fail "$d" "$(head -n 40 <<<"$out")"
    fi
    # The next call checks what comes after; this round stays for reading.
    _OA_ROUND=$((_OA_ROUND + 1))
    [ -f "$rec" ] && mv -f "$rec" "$LB_TMP/responses.$_OA_ROUND.jsonl"
    return 0
}
