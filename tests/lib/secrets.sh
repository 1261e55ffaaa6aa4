# shellcheck shell=bash
# tests/lib/secrets.sh -- helpers for end-to-end tests of the secrets API.
#
# Sourced after assert.sh and stack.sh, by tests/e2e/api.sh (through
# nginx.test and apache.test), concurrency.test and storage.test.  Needs URL
# (the front end) and the API keys lockbox_setup exported.
#
# Speed matters: the suites make hundreds of requests, on 2 shared cores, and
# a jq process costs 30-80 ms to start.  So `api` runs curl alone, reads the
# headers with bash builtins, and hands the body to ONE long-lived jq
# (a coprocess) that answers with shell variables:
#
#   J_JSON      1 when the body is JSON, else 0
#   J_CODE J_FIELD J_RID J_ERRP
#               .error.code, .error.field ("-" when absent), .error.request_id,
#               and the problems with the error shape (empty when none)
#   J_ID J_VERSION J_NAME J_VALUE J_PROVIDER J_DESC J_META J_CREATED J_UPDATED
#               members of a secret (null as "null"; J_META compact, sorted keys)
#   J_NMETA     the number of metadata members
#   J_SP0 J_SP1 the problems of the body as a secret without / with "value"
#   J_HAS_MORE J_NEXT J_IDS J_NDATA J_PP
#               a list page: has_more, next_cursor, the ids of data (one
#               space between), their number, the problems of the page
#   H[name]     first value of each response header (lowercase name);
#   HC[name]    how many times it appears
#
#   LB_RUN                      a random lowercase hex tag, unique per run:
#                               names n$LB_RUN-..., provider slugs p$LB_RUN...
#   VMARK                       a marker every test value contains; any
#                               response but the reads of a value
#                               (api_may_show_value) that shows it is
#                               counted as a leak (api_leaks)
#
#   api METHOD PATH [curl args...]
#                               one request to $URL$PATH with the API key in
#                               $AK (default LB_KEY_WRITE; AK= sends none) and,
#                               for a body (api_body FILE or api_data STRING
#                               before the call), Content-Type $CT (default
#                               application/json; CT= sends none).  Sets
#                               STATUS, BODY, BODY_FILE, HEADERS_FILE like req.
#                               FRONT_POST_NEEDS_LENGTH=1 (set by a test whose
#                               front end refuses a POST without Content-Length:
#                               lighttpd's 411) sends a POST without a body
#                               with Content-Length: 0, the same request in
#                               HTTP terms; bq does the same
#   api_post JSON [args]        POST /v1/admin/secrets
#   api_post_file FILE [args]
#   api_get ID [args] | api_patch ID JSON [args] | api_delete ID [args]
#   api_list QUERY [args]       GET /v1/admin/secrets?QUERY
#   new_secret NAME VALUE [JSON-MEMBERS]
#                               create, set SID (empty on failure)
#   is_secret STATUS DESC [value]
#                               a secret response: status, exact member set
#                               (with "value" only when asked), types, RFC 3339
#                               times, ETag of the version, contract headers
#   is_err STATUS CODE FIELD DESC
#                               like assert.sh's is_error (status, code, shape,
#                               request_id = X-Request-Id, Cache-Control,
#                               Content-Type), plus .error.field == FIELD when
#                               FIELD is not empty ("-": field absent;
#                               "~ERE": .error.field matches ERE)
#   is_page STATUS DESC         a list page: {data, has_more, next_cursor}, each
#                               item a secret without value, ids descending,
#                               next_cursor null exactly when has_more false
#   js STRING                   STRING as a JSON string literal (pure bash)
#   nbytes N REPEAT             N bytes of REPEAT repeated
#   lb_psql SQL                 psql as postgres on the test database, -XAtq
#   api_leaks [DESC]            one assertion: no value leaked so far
#   api_every_response          one assertion: every response so far had the
#                               contract headers (and error shape on errors)
#   api_openapi_conformance     one assertion: every response recorded since
#                               the last call matches src/openapi.json
#                               (tests/lib/openapi.sh; `api` and bq_run record
#                               each response in $LB_TMP/responses.jsonl)
#   api_close                   stop the jq coprocess (done_testing would too)

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/openapi.sh"
LB_RUN=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
VMARK="Vk${LB_RUN}kV"
_API_LEAKS=()

lb_psql() {
    psql "${LOCKBOX_DATABASE_URL:?}" -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

# ---------------------------------------------------------------- JSON text

# js STRING -- a JSON string literal, in bash alone (openapi.sh's _oa_str,
# which _api_record uses too).
js() {
    local r
    _oa_str r "$1"
    printf '%s' "$r"
}

# nbytes N REPEAT -- N bytes: REPEAT repeated, cut to N bytes (whole
# characters only when N is a multiple of REPEAT's length in bytes).
nbytes() {
    local LC_ALL=C s=$2
    while [ ${#s} -lt "$1" ]; do s=$s$s; done
    printf '%s' "${s:0:$1}"
}

# ---------------------------------------------------------------- the jq coprocess

_API_JQ_FILTER='
def ts: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$");
def canon: if type == "object" then "{" + (to_entries | sort_by(.key) | map("\(.key | tojson):\(.value | canon)") | join(",")) + "}"
           elif type == "array" then "[" + (map(canon) | join(",")) + "]" else tojson end;
def str: if type == "string" then . elif . == null then "null" else canon end;
def problems($wv):
  if type != "object" then ["not an object"] else
  (["id","name","provider_slug","description","metadata","version","created_at","updated_at"]
     + (if $wv then ["value"] else [] end)) as $want
  | [ (keys - $want | select(length > 0) | "unexpected members \(.)"),
      ($want - keys | select(length > 0) | "missing members \(.)"),
      (select(has("id") and (.id | type != "number" or . < 1 or . != floor)) | "id \(.id)"),
      (select(has("name") and (.name | type != "string")) | "name not a string"),
      (select(has("provider_slug") and (.provider_slug | type != "string" and type != "null")) | "provider_slug type"),
      (select(has("description") and (.description | type != "string" and type != "null")) | "description type"),
      (select(has("metadata") and (.metadata | type != "object" or (to_entries | any(.value | type != "string")))) | "metadata not an object of strings"),
      (select(has("version") and (.version | type != "number" or . < 1 or . != floor)) | "version \(.version)"),
      (select(has("created_at") and (.created_at | ts | not)) | "created_at \(.created_at)"),
      (select(has("updated_at") and (.updated_at | ts | not)) | "updated_at \(.updated_at)"),
      (select($wv and has("value") and (.value | type != "string")) | "value not a string")
    ] end;
def page_problems:
  if type != "object" then ["not an object"] else
  [ (keys - ["data","has_more","next_cursor"] | select(length > 0) | "unexpected members \(.)"),
    (["data","has_more","next_cursor"] - keys | select(length > 0) | "missing members \(.)"),
    (select(.data | type != "array") | "data is not an array"),
    (select(.has_more | type != "boolean") | "has_more is not a boolean"),
    (select((.has_more == false) != (.next_cursor == null)) | "has_more \(.has_more) with next_cursor \(.next_cursor)"),
    (select(.next_cursor != null and (.next_cursor | type != "string" or length == 0)) | "next_cursor \(.next_cursor)"),
    (.data | arrays | .[] | problems(false)[] | "item: \(.)"),
    (.data | arrays | [.[].id] | select(. != (sort | reverse) or (unique | length) != length) | "ids not strictly descending: \(.)")
  ] end;
def err_problems:
  if type != "object" or (.error | type) != "object" then ["body is not the JSON error shape"] else
  [ (select(.error.code | type != "string") | "error.code is not a string"),
    (select(.error.message | type != "string") | "error.message is not a string"),
    (select(.error.request_id | type != "string" or length == 0) | "no error.request_id"),
    (select(.error | has("field") and (.field | type != "string")) | "error.field is not a string"),
    (select(keys != ["error"]) | "members besides error: \(keys)"),
    (.error | keys - ["code","message","field","request_id"] | select(length > 0) | "unexpected error members \(.)")
  ] end;
def ob: if type == "object" then . else {} end;
def eo: if (ob.error | type) == "object" then .error else {} end;
def sh($n; v): "\($n)=\(v | @sh)";
(try [fromjson] catch null) as $w
| if $w == null then "J_JSON=0", (["J_CODE","J_FIELD","J_RID","J_ID","J_VERSION","J_NAME","J_VALUE","J_PROVIDER","J_DESC",
      "J_META","J_NMETA","J_CREATED","J_UPDATED","J_HAS_MORE","J_NEXT","J_IDS","J_NDATA"][] | "\(.)="),
      "J_ERRP=\("body is not JSON" | @sh)", "J_SP0=\("body is not JSON" | @sh)", "J_SP1=\("body is not JSON" | @sh)",
      "J_PP=\("body is not JSON" | @sh)"
  else $w[0] |
    "J_JSON=1",
    sh("J_CODE"; eo.code // "" | str),
    sh("J_FIELD"; if eo | has("field") then eo.field | str else "-" end),
    sh("J_RID"; eo.request_id // "" | str),
    sh("J_ERRP"; err_problems | join("\n")),
    sh("J_ID"; ob.id | str), sh("J_VERSION"; ob.version | str), sh("J_NAME"; ob.name | str),
    sh("J_VALUE"; ob.value | str), sh("J_PROVIDER"; ob.provider_slug | str),
    sh("J_DESC"; ob.description | str), sh("J_META"; ob.metadata | canon),
    sh("J_NMETA"; if (ob.metadata | type) == "object" then ob.metadata | length else "" end),
    sh("J_CREATED"; ob.created_at | str), sh("J_UPDATED"; ob.updated_at | str),
    sh("J_SP0"; problems(false) | join("\n")), sh("J_SP1"; problems(true) | join("\n")),
    sh("J_HAS_MORE"; ob.has_more | str), sh("J_NEXT"; ob.next_cursor | str),
    sh("J_IDS"; if (ob.data | type) == "array" then [ob.data[] | .id? | tostring] | join(" ") else "" end),
    sh("J_NDATA"; if (ob.data | type) == "array" then ob.data | length else "" end),
    sh("J_PP"; page_problems | join("\n"))
  end,
  $sentinel
'
_API_JQ_MYPID=
_api_jq_start() {
    _API_JQ_END="__api_jq_end_${LB_RUN}__"
    coproc _API_JQ { exec jq -R -r --unbuffered --arg sentinel "$_API_JQ_END" "$_API_JQ_FILTER"; }
    _API_JQ_MYPID=$_API_JQ_PID
}

api_close() {
    [ -n "$_API_JQ_MYPID" ] || return 0
    local pid=$_API_JQ_MYPID
    eval "exec ${_API_JQ[1]}>&-" 2>/dev/null
    lb_wait_gone 5 "$pid" || kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    _API_JQ_MYPID=
    return 0
}

# Parse the last body ($BODY) into the J_ variables.
_api_parse() {
    local line out='' got=0
    { [ -n "$_API_JQ_MYPID" ] && [ -n "${_API_JQ[1]:-}" ] && [ -e "/proc/$_API_JQ_MYPID/fd" ]; } || _api_jq_start
    # One JSON text per line: newlines outside strings are whitespace, and
    # inside strings they are invalid anyway (the body stays invalid).
    printf '%s\n' "${BODY//$'\n'/ }" >&"${_API_JQ[1]}"
    while IFS= read -r line <&"${_API_JQ[0]}"; do
        [ "$line" = "$_API_JQ_END" ] && { got=1; break; }
        out+=$line$'\n'
    done
    if [ "$got" != 1 ]; then
        diag "the jq coprocess died; restarting it"
        _API_JQ_MYPID=
        return 1
    fi
    eval "$out"
}

hdr() { printf '%s' "${H[${1,,}]:-}"; }

# ---------------------------------------------------------------- requests

_API_BODY=
api() {
    local method=$1 path=$2 key=${AK-$LB_KEY_WRITE} args=() dir=$LB_TMP
    shift 2
    [ -n "$key" ] && args+=(-H "X-API-Key: $key")
    if [ -n "$_API_BODY" ]; then
        if [ -n "${CT-application/json}" ]; then
            args+=(-H "Content-Type: ${CT-application/json}")
        else
            args+=(-H "Content-Type:")      # no Content-Type at all
        fi
        args+=(--data-binary "@$_API_BODY")
    elif [ "$method" = POST ] && [ "${FRONT_POST_NEEDS_LENGTH:-0}" = 1 ]; then
        args+=(-H "Content-Length: 0")      # see FRONT_POST_NEEDS_LENGTH above
    fi
    _API_BODY=
    BODY_FILE=$dir/last-body
    HEADERS_FILE=$dir/last-headers
    : >"$BODY_FILE"
    : >"$HEADERS_FILE"
    STATUS=$(curl -sS --max-time "${REQ_TIMEOUT:-20}" -X "$method" -o "$BODY_FILE" -D "$HEADERS_FILE" \
        -w '%{http_code}' "${args[@]}" "$@" -- "$URL$path" 2>"$dir/last-curl-err")
    CURL_RC=$?
    [ -n "$STATUS" ] || STATUS=000
    [ "$CURL_RC" = 0 ] || printf '# curl %s %s: exit %s: %s\n' "$method" "$path" "$CURL_RC" "$(head -c 300 "$dir/last-curl-err")"
    BODY=
    IFS= read -r -d '' BODY <"$BODY_FILE" || true
    parse_headers
    _api_parse || _api_parse
    _api_check_response "$method" "$path"
    return 0
}

# api_may_show_value METHOD PATH STATUS -- true for the only answers that
# may carry a value (docs/api.md): a 200 to GET /v1/admin/secrets/{id}
# (with or without ?version=N), GET /v1/admin/secrets/{id}/versions/{version},
# GET /v1/admin/secrets/lookup?... and GET /v1/admin/secrets?...include=value...
# Creates, PATCHes, restores, version and deleted lists, errors: never.
api_may_show_value() {
    [ "$1" = GET ] && [ "$3" = 200 ] || return 1
    local p=${2%%\?*} q=
    [[ $2 == *\?* ]] && q=${2#*\?}
    case $p in
        /v1/admin/secrets/lookup) return 0 ;;
        /v1/admin/secrets) [[ "&$q&" == *"&include=value&"* ]] ;;
        *) [[ $p =~ ^/v1/admin/secrets/[0-9]+(/versions/[0-9]+)?$ ]] &&
               { [ -z "$q" ] || [[ $q =~ ^version=[0-9]+$ ]]; } ;;
    esac
}

# What every response must carry (docs/api.md): X-Request-Id (once, valid) and
# Cache-Control: no-store; a JSON body with the exact Content-Type, except
# for a 204, which has no body; on an error, the error shape whose
# request_id is the X-Request-Id.  Violations are collected for
# api_every_response, values where none may be for api_leaks.
_API_BAD_RESPONSES=()
_api_check_response() {
    local p=
    # Only the four reads of a value may ever carry one (api_may_show_value),
    # in their body or in a header.
    if [[ $BODY == *"$VMARK"* || $HDRS_TEXT == *"$VMARK"* ]] &&
       ! api_may_show_value "$1" "$2" "$STATUS"; then
        _API_LEAKS+=("$1 $2 -> $STATUS: ${BODY:0:200}")
    fi
    [ "$STATUS" = 000 ] && return 0
    [[ ${H[x-request-id]:-} =~ ^[A-Za-z0-9._-]{1,64}$ ]] && [ "${HC[x-request-id]:-0}" = 1 ] ||
        p+="X-Request-Id '${H[x-request-id]:-}' (${HC[x-request-id]:-0} times); "
    [ "${H[cache-control]:-}" = no-store ] || p+="Cache-Control '${H[cache-control]:-}'; "
    if [ "$STATUS" = 204 ]; then
        [ -z "$BODY" ] || p+="a body on a 204; "
    else
        [ "${H[content-type]:-}" = "application/json; charset=utf-8" ] || p+="Content-Type '${H[content-type]:-}'; "
        [ "$J_JSON" = 1 ] || p+="the body is not JSON; "
        if [ "$STATUS" -ge 400 ]; then
            [ -z "$J_ERRP" ] || p+="${J_ERRP//$'\n'/, }; "
            [ "$J_RID" = "${H[x-request-id]:-}" ] || p+="error.request_id '$J_RID' is not the X-Request-Id; "
        fi
    fi
    [ -z "$p" ] || _API_BAD_RESPONSES+=("$1 ${2:0:80} -> $STATUS: $p")
    _API_NRESP=$(( ${_API_NRESP:-0} + 1 ))
    _api_record "$1" "$2"
    return 0
}

# One assertion over every response api has seen so far.
api_every_response() {
    local d="every response (${_API_NRESP:-0}) had X-Request-Id, Cache-Control: no-store, the exact JSON Content-Type and, on errors, the error shape"
    if [ ${#_API_BAD_RESPONSES[@]} = 0 ]; then
        pass "$d"
    else
        fail "$d" "$(printf '%s\n' "${_API_BAD_RESPONSES[@]}" | head -n 20)"
    fi
}

# The body of the next api call: api_body FILE, or api_data STRING.
api_body() { _API_BODY=$1; }
api_data() {
    _API_BODY=$LB_TMP/api-req-body
    printf '%s' "$1" >"$_API_BODY"
}

api_post() { api_data "$1"; shift; api POST /v1/admin/secrets "$@"; }
api_post_file() { api_body "$1"; shift; api POST /v1/admin/secrets "$@"; }
api_get() { local id=$1; shift; api GET "/v1/admin/secrets/$id" "$@"; }
api_patch() { local id=$1; api_data "$2"; shift 2; api PATCH "/v1/admin/secrets/$id" "$@"; }
api_delete() { local id=$1; shift; api DELETE "/v1/admin/secrets/$id" "$@"; }
api_list() { local q=$1; shift; api GET "/v1/admin/secrets${q:+?$q}" "$@"; }

# ---------------------------------------------------------------- batches
#
# Independent requests (a matrix of invalid inputs, say) need not pay for a
# curl process each: queue them, run them through one curl (one after the
# other, on a kept-alive connection), then run their assertions in order
# with the response loaded as if `api` had made the request.
#
#   bq ASSERTION WORDS... -- METHOD PATH [--data STRING | --file FILE] [-H HEADER]...
#                           (AK and CT as for api)
#   bq_run

_BQ_N=0
_BQ_ASSERT=()
_BQ_META=()
# _bq_q VAR STRING -- STRING as a quoted curl config value, into VAR (no
# subshell: a batch of a hundred requests would otherwise fork hundreds).
_bq_q() { local s=${2//\\/\\\\}; s=${s//\"/\\\"}; printf -v "$1" '"%s"' "$s"; }
bq() {
    local words=() method path key=${AK-$LB_KEY_WRITE} ct=${CT-application/json} body='' i dir=$LB_TMP/bq q
    local cfg=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do words+=("$1"); shift; done
    shift
    method=$1 path=$2
    shift 2
    i=$_BQ_N
    _BQ_N=$((i + 1))
    if [ "$i" = 0 ]; then
        mkdir -p "$dir"
        : >"$dir/cfg"
    fi
    [ "$i" -gt 0 ] && cfg+=(next)
    cfg+=(globoff "max-time = 20")
    _bq_q q "$URL$path"; cfg+=("url = $q")
    _bq_q q "$method"; cfg+=("request = $q")
    [ -n "$key" ] && { _bq_q q "X-API-Key: $key"; cfg+=("header = $q"); }
    while [ $# -gt 0 ]; do
        case $1 in
            --data) printf '%s' "$2" >"$dir/$i.req"; body=$dir/$i.req; shift 2 ;;
            --file) body=$2; shift 2 ;;
            -H) _bq_q q "$2"; cfg+=("header = $q"); shift 2 ;;
            *) echo "bq: unknown option $1" >&2; shift ;;
        esac
    done
    if [ -n "$body" ]; then
        if [ -n "$ct" ]; then _bq_q q "Content-Type: $ct"; cfg+=("header = $q"); else cfg+=('header = "Content-Type:"'); fi
        _bq_q q "@$body"; cfg+=("data-binary = $q")
    elif [ "$method" = POST ] && [ "${FRONT_POST_NEEDS_LENGTH:-0}" = 1 ]; then
        cfg+=('header = "Content-Length: 0"')
    fi
    _bq_q q "$dir/$i.body"; cfg+=("output = $q")
    _bq_q q "$dir/$i.hdr"; cfg+=("dump-header = $q")
    cfg+=("write-out = \"$i %{http_code}\\n\"")
    printf '%s\n' "${cfg[@]}" >>"$dir/cfg"
    printf -v '_BQ_ASSERT[i]' '%q ' "${words[@]}"
    _BQ_META[i]="$method $path"
}
bq_run() {
    local dir=$LB_TMP/bq i n=$_BQ_N code codes=()
    [ "$n" -gt 0 ] || return 0
    _BQ_N=0
    for ((i = 0; i < n; i++)); do : >"$dir/$i.body"; : >"$dir/$i.hdr"; done
    curl -sS -K "$dir/cfg" >"$dir/out" 2>"$dir/err"
    while read -r i code; do codes[i]=$code; done <"$dir/out"
    for ((i = 0; i < n; i++)); do
        STATUS=${codes[i]:-000}
        BODY_FILE=$dir/$i.body
        HEADERS_FILE=$dir/$i.hdr
        BODY=
        IFS= read -r -d '' BODY <"$BODY_FILE" || true
        parse_headers
        _api_parse || _api_parse
        _api_check_response "${_BQ_META[i]%% *}" "${_BQ_META[i]#* }"
        eval "${_BQ_ASSERT[i]}"
    done
    _BQ_ASSERT=() _BQ_META=()
    [ -s "$dir/err" ] && diag "curl: $(head -c 300 "$dir/err")"
    return 0
}

# The leaks seen so far, as one assertion.
api_leaks() {
    local d=${1:-no response but a read of a value (api_may_show_value) showed one}
    if [ ${#_API_LEAKS[@]} = 0 ]; then
        pass "$d"
    else
        fail "$d" "$(printf '%s\n' "${_API_LEAKS[@]}" | head -n 20)"
    fi
}

# new_secret NAME VALUE [EXTRA-MEMBERS: JSON text of members, without braces]
new_secret() {
    api_post "{\"name\":$(js "$1"),\"value\":$(js "$2")${3:+,$3}}"
    SID=
    [ "$STATUS" = 201 ] && SID=$J_ID
    [ -n "$SID" ] || diag "new_secret $1: $STATUS ${BODY:0:300}"
    return 0
}

# ---------------------------------------------------------------- assertions

# The contract headers of any JSON response, one problem a line.
_json_header_problems() {
    [ "${H[content-type]:-}" = "application/json; charset=utf-8" ] || echo "Content-Type '${H[content-type]:-}'"
    [ "${H[cache-control]:-}" = no-store ] || echo "Cache-Control '${H[cache-control]:-}'"
    [[ ${H[x-request-id]:-} =~ ^[A-Za-z0-9._-]{1,64}$ ]] || echo "X-Request-Id '${H[x-request-id]:-}'"
    [ "${HC[x-request-id]:-0}" = 1 ] || echo "X-Request-Id appears ${HC[x-request-id]:-0} times"
}

_verdict() {   # _verdict DESC PROBLEMS
    if [ -z "$2" ]; then pass "$1"; else fail "$1" "$2
body: ${BODY:0:400}"; fi
}

# is_secret STATUS DESC [value]
is_secret() {
    local p sp=$J_SP0
    [ "${3:-}" = value ] && sp=$J_SP1
    p=$(
        [ "$STATUS" = "$1" ] || echo "status $STATUS, expected $1"
        _json_header_problems
        [ -z "$sp" ] || echo "$sp"
        [ "$J_JSON" = 1 ] && { [ "${H[etag]:-}" = "\"$J_VERSION\"" ] || echo "ETag '${H[etag]:-}', version $J_VERSION"; }
    )
    _verdict "$2" "$p"
}

# is_page STATUS DESC
is_page() {
    local p
    p=$(
        [ "$STATUS" = "$1" ] || echo "status $STATUS, expected $1"
        _json_header_problems
        [ -z "$J_PP" ] || echo "$J_PP"
    )
    _verdict "$2" "$p"
}

# is_err STATUS CODE FIELD DESC
is_err() {
    local field=$3 p
    p=$(
        [ "$STATUS" = "$1" ] || echo "status $STATUS, expected $1"
        _json_header_problems
        [ -z "$J_ERRP" ] || echo "$J_ERRP"
        [ "$J_CODE" = "$2" ] || echo "error.code '$J_CODE', expected '$2'"
        [ "$J_RID" = "${H[x-request-id]:-}" ] || echo "error.request_id '$J_RID' differs from X-Request-Id '${H[x-request-id]:-}'"
        if [ -n "$field" ]; then
            case $field in
                "~"*) [[ $J_FIELD =~ ${field#\~} ]] || echo "error.field '$J_FIELD', expected to match ${field#\~}" ;;
                *) [ "$J_FIELD" = "$field" ] || echo "error.field '$J_FIELD', expected '$field'" ;;
            esac
        fi
    )
    _verdict "$4" "$p"
}
