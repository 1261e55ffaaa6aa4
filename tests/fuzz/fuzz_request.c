/* Whole CGI requests: http_request_parse over an environment built from
 * the input, then everything the router and the handlers run on a request
 * before the database: the header validators, the list query, the path
 * id, the JSON body gate, and the rendering of the error they produce.
 *
 * Input: "NAME=value" strings separated by NUL bytes (as FastCGI hands
 * them over); an empty string (two NULs in a row) ends the environment
 * and whatever follows is the request body. */
#include "autoconfig.h"

#include "crypto.h"
#include "fuzz_common.h"
#include "router.h"
#include "validate.h"

#define MAX_ENV	64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (crypto_init() < 0)
		abort();
	return 0;
}

static const char *
ref_env(char **envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int
request_id_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 1 || n > HTTP_REQUEST_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* {}, or {N,N,...} with every N an id in 1..2^63-1. */
static int
pg_bigint_array_ok(const char *s)
{
	size_t	 digits = 0;

	if (*s++ != '{')
		return 0;
	if (*s == '}')
		return s[1] == '\0';
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (digits == 0 && *s == '0')
				return 0;
			if (++digits > 19)
				return 0;
			continue;
		}
		if (digits == 0)
			return 0;
		digits = 0;
		if (*s == ',')
			continue;
		return *s == '}' && s[1] == '\0';
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct list_query	 q;
	struct json_object	*body = NULL;
	struct secret_input	 in;
	struct buf		 arr = { 0 };
	char			*copy, *envp[MAX_ENV + 1], *p, *end;
	const char		*v, *uri, *xrid;
	const char		*args[ROUTE_MAX_ARGS];
	const struct route	*route;
	enum router_result	 rr;
	char			*argbuf, allow[64];
	size_t			 nenv = 0, i;
	int			 nargs = 0;
	int64_t			 idv;
	enum lb_err		 e;

	copy = fuzz_cstr(data, size);
	end = copy + size;
	for (p = copy; p < end && nenv < MAX_ENV; p += strlen(p) + 1) {
		if (*p == '\0') {
			p++;
			break;
		}
		envp[nenv++] = p;
	}
	envp[nenv] = NULL;
	if (nenv == MAX_ENV)
		p = end;

	/* Every other input as if mounted by the operator at /m/v. */
	FUZZ_CHECK("request-parse-rc", http_request_parse(&req, envp,
	    size % 2 ? "/m/v" : "") == 0,
	    "http_request_parse failed (it only may when out of memory)");

	/* What the parse recorded is what the environment says. */
	v = ref_env(envp, "REQUEST_METHOD");
	FUZZ_CHECK("request-method", strcmp(req.method_name, v ? v : "") == 0,
	    "method_name is not REQUEST_METHOD");
	FUZZ_CHECK("request-method", (req.method == HTTP_OTHER) ==
	    !(v && (!strcmp(v, "GET") || !strcmp(v, "POST") ||
	    !strcmp(v, "PATCH") || !strcmp(v, "DELETE") || !strcmp(v, "PUT") ||
	    !strcmp(v, "HEAD") || !strcmp(v, "OPTIONS"))),
	    "method and method_name disagree");
	FUZZ_CHECK("request-raw-path", req.raw_path != NULL, "no raw_path");
	if ((uri = ref_env(envp, "REQUEST_URI")) != NULL)
		FUZZ_CHECK("request-raw-path", strncmp(req.raw_path, uri,
		    strlen(req.raw_path)) == 0 && (uri[strlen(req.raw_path)] ==
		    '\0' || uri[strlen(req.raw_path)] == '?'),
		    "raw_path is not REQUEST_URI up to '?'");
	if (req.path != NULL)
		FUZZ_CHECK("request-path", strlen(req.path) <=
		    strlen(req.raw_path), "the decoded path grew");
	/* A mount is valid, and the raw path starts with it as sent. */
	FUZZ_CHECK("request-mount", req.mount[0] == '\0' ||
	    (valid_mount(req.mount, strlen(req.mount)) && strncmp(req.raw_path,
	    req.mount, strlen(req.mount)) == 0), "a mount not as sent");
	FUZZ_CHECK("request-mount", !(size % 2) || req.path == NULL ||
	    strcmp(req.mount, "/m/v") == 0, "base_path not cut off");
	FUZZ_CHECK("request-headers", req.api_key == ref_env(envp,
	    "HTTP_X_API_KEY") && req.idempotency_key == ref_env(envp,
	    "HTTP_IDEMPOTENCY_KEY") && req.if_match == ref_env(envp,
	    "HTTP_IF_MATCH"), "a header that is not the environment's");
	xrid = ref_env(envp, "HTTP_X_REQUEST_ID");
	FUZZ_CHECK("request-id", http_request_id_valid(req.request_id) &&
	    request_id_ok(req.request_id), "an invalid request id");
	FUZZ_CHECK("request-id-valid-ref", xrid == NULL ||
	    http_request_id_valid(xrid) == request_id_ok(xrid),
	    "http_request_id_valid disagrees with [A-Za-z0-9._-]{1,64}");
	if (xrid != NULL && request_id_ok(xrid))
		FUZZ_CHECK("request-id-kept", strcmp(req.request_id, xrid) == 0,
		    "a valid X-Request-Id was not kept");
	v = ref_env(envp, "CONTENT_LENGTH");
	FUZZ_CHECK("request-content-length", req.content_length >= 0 ||
	    (req.content_length == -1 && (v == NULL || *v == '\0')),
	    "a negative Content-Length was kept");

	memset(&resp, 0, sizeof(resp));

	/* Header validators, as the handlers call them. */
	e = validate_idempotency_key(req.idempotency_key, &resp);
	if (e != LB_OK) {
		fuzz_check_rendered(&req, &resp);
		http_response_reset(&resp);
	}
	if (validate_if_match(req.if_match, &arr)) {
		FUZZ_CHECK("if-match-oom", !arr.oom, "out of memory");
		FUZZ_CHECK("if-match-array", pg_bigint_array_ok(arr.data),
		    "If-Match gave something other than a bigint[] literal");
	}
	buf_free(&arr);

	/* The router: a query string error, then the list query. */
	if (req.query_err != LB_OK) {
		http_error(&resp, req.query_err, req.query_err_field[0] ?
		    req.query_err_field : NULL, "the query string is malformed");
		fuzz_check_rendered(&req, &resp);
		http_response_reset(&resp);
	}
	if (validate_list_query(&req, &q, &resp) != LB_OK) {
		fuzz_check_rendered(&req, &resp);
		http_response_reset(&resp);
	} else {
		FUZZ_CHECK("list-limit", q.limit >= 1 && q.limit <= LIMIT_MAX,
		    "limit out of range");
		FUZZ_CHECK("list-slug", q.provider_slug == NULL ||
		    valid_provider_slug(q.provider_slug,
		    strlen(q.provider_slug)), "an invalid provider_slug passed");
	}

	/* The router, on the decoded path: what it finds, and the {id} it
	 * hands a route. */
	if (req.path != NULL && (argbuf = malloc(strlen(req.path) + 1)) !=
	    NULL) {
		rr = router_match(req.method, req.path, &route, args, &nargs,
		    argbuf, allow, sizeof(allow));
		if (rr == ROUTER_FOUND) {
			FUZZ_CHECK("router-nargs", nargs >= 0 &&
			    nargs <= ROUTE_MAX_ARGS, "too many arguments");
			for (i = 0; i < (size_t)nargs; i++)
				FUZZ_CHECK("router-arg", args[i][0] != '\0' &&
				    strchr(args[i], '/') == NULL &&
				    strstr(req.path, args[i]) != NULL,
				    "an argument that is not a path segment");
			if (nargs > 0 && validate_id(args[0], &idv, &resp) !=
			    LB_OK) {
				fuzz_check_rendered(&req, &resp);
				http_response_reset(&resp);
			} else if (nargs > 0)
				FUZZ_CHECK("path-id", idv >= 1, "an id below 1");
		} else if (rr == ROUTER_NO_METHOD)
			FUZZ_CHECK("router-allow", allow[0] != '\0',
			    "405 without an Allow list");
		free(argbuf);
	}

	/* The body gate of POST and PATCH. */
	if (p < end) {
		req.body = p;
		req.body_len = (size_t)(end - p);
		e = validate_json_body(&req, &resp, req.method == HTTP_PATCH,
		    &body);
		if (e == LB_OK) {
			FUZZ_CHECK("json-body-tree", body != NULL &&
			    json_object_is_type(body, json_type_object),
			    "LB_OK without an object");
			e = req.method == HTTP_PATCH ?
			    validate_patch(body, &in, &resp) :
			    validate_create(body, &in, &resp);
		}
		if (e != LB_OK) {
			FUZZ_CHECK("json-body-null", e != LB_ERR_INVALID_JSON ||
			    body == NULL, "an error that leaves a tree");
			fuzz_check_rendered(&req, &resp);
			http_response_reset(&resp);
		}
		json_free_wiped(body);
	}

	http_response_free(&resp);
	http_request_free(&req);
	for (i = 0; i < nenv; i++)
		envp[i] = NULL;
	free(copy);
	return 0;
}
