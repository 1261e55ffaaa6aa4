#include "autoconfig.h"

#include <string.h>

#include "handlers.h"
#include "router.h"

static const char *const no_params[] = { NULL };
static const char *const list_params[] = {
	"limit", "cursor", "provider_slug", "include", "ids", NULL
};
static const char *const get_params[] = { "version", NULL };
static const char *const delete_params[] = { "permanent", NULL };
static const char *const lookup_params[] = { "name", "provider_slug", NULL };
static const char *const page_params[] = { "limit", "cursor", NULL };
static const char *const audit_params[] = {
	"limit", "cursor", "action", "secret_id", "api_key_id", "status",
	"since", "until", NULL
};
static const char *const deleted_params[] = {
	"limit", "cursor", "provider_slug", NULL
};

/* Every route: a row here, its two functions (fn_prepare, fn_finish) in
 * the file named after its resource (handlers.h). */
#define ROUTE(m, pattern, name, action, level, writes, provider, params, \
	    fn)								\
	{ m, pattern, name, action, level, writes, provider, params,	\
	  fn##_prepare, fn##_finish }
#define R	ROUTE_PROVIDER_ROW
#define Q	ROUTE_PROVIDER_QUERY
#define B	ROUTE_PROVIDER_BODY
static const struct route routes[] = {
	/*     method       pattern
	 *     name (logs)        audit action
	 *     level              writes provider params         functions */
	ROUTE(HTTP_GET,    "/v1/health",
	       "health",          NULL,
	       SCOPE_LEVEL_NONE,  0, 0,     no_params,     health),
	ROUTE(HTTP_GET,    "/v1/openapi.json",
	       "openapi",         NULL,
	       SCOPE_LEVEL_NONE,  0, 0,     no_params,     openapi),
	/* include=value raises the list's level to read (secrets.c). */
	ROUTE(HTTP_GET,    "/v1/admin/secrets",
	       "secrets.list",    "secret.list",
	       SCOPE_LEVEL_LIST,  0, Q,     list_params,   secrets_list),
	ROUTE(HTTP_POST,   "/v1/admin/secrets",
	       "secrets.create",  "secret.create",
	       SCOPE_LEVEL_WRITE, 1, B,     no_params,     secrets_create),
	ROUTE(HTTP_GET,    "/v1/admin/secrets/lookup",
	       "secrets.lookup",  "secret.lookup",
	       SCOPE_LEVEL_READ,  0, Q,     lookup_params, secrets_lookup),
	ROUTE(HTTP_GET,    "/v1/admin/secrets/{id}",
	       "secrets.get",     "secret.read",
	       SCOPE_LEVEL_READ,  0, R,     get_params,    secrets_get),
	ROUTE(HTTP_PATCH,  "/v1/admin/secrets/{id}",
	       "secrets.update",  "secret.update",
	       SCOPE_LEVEL_WRITE, 1, R | B, no_params,     secrets_update),
	/* With ?permanent=true, secret.destroy (secrets.c). */
	ROUTE(HTTP_DELETE, "/v1/admin/secrets/{id}",
	       "secrets.delete",  "secret.delete",
	       SCOPE_LEVEL_WRITE, 1, R,     delete_params, secrets_delete),
	ROUTE(HTTP_GET,    "/v1/admin/secrets/{id}/versions",
	       "versions.list",   "version.list",
	       SCOPE_LEVEL_LIST,  0, R,     page_params,   versions_list),
	ROUTE(HTTP_GET,    "/v1/admin/secrets/{id}/versions/{version}",
	       "versions.get",    "version.read",
	       SCOPE_LEVEL_READ,  0, R,     no_params,     versions_get),
	ROUTE(HTTP_POST,
	       "/v1/admin/secrets/{id}/versions/{version}/restore",
	       "versions.restore", "version.restore",
	       SCOPE_LEVEL_WRITE, 1, R,     no_params,     versions_restore),
	ROUTE(HTTP_GET,    "/v1/admin/deleted-secrets",
	       "deleted.list",    "deleted.list",
	       SCOPE_LEVEL_LIST,  0, Q,     deleted_params, deleted_list),
	ROUTE(HTTP_POST,   "/v1/admin/deleted-secrets/{id}/restore",
	       "deleted.restore", "secret.restore",
	       SCOPE_LEVEL_WRITE, 1, R,     no_params,     deleted_restore),
	ROUTE(HTTP_DELETE, "/v1/admin/deleted-secrets/{id}",
	       "deleted.destroy", "secret.destroy",
	       SCOPE_LEVEL_WRITE, 1, R,     no_params,     deleted_destroy),
	/* The audit scope, whatever the key's level. */
	ROUTE(HTTP_GET,    "/v1/admin/audit",
	       "audit.list",      "audit.read",
	       SCOPE_LEVEL_AUDIT, 0, 0,     audit_params,  audit_list),
};
#undef R
#undef Q
#undef B

static const struct {
	enum http_method	 m;
	const char		*name;
} method_names[] = {
	{ HTTP_GET, "GET" }, { HTTP_POST, "POST" }, { HTTP_PATCH, "PATCH" },
	{ HTTP_DELETE, "DELETE" }, { HTTP_PUT, "PUT" },
};

const struct route *
router_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

/* The next segment of a path or pattern at *p (after its '/'): its start
 * and length; *p moves past it. 0 at the end. */
static int
segment(const char **p, const char **seg, size_t *len)
{
	if (**p != '/')
		return 0;
	*seg = ++*p;
	while (**p != '\0' && **p != '/')
		(*p)++;
	*len = (size_t)(*p - *seg);
	return 1;
}

/* Whether pattern matches path, segment for segment; *spec gets a bit
 * per segment, most significant first, set where the pattern has a
 * literal: of two patterns that match, the greater spec is the more
 * specific. Parameters are copied into argbuf, NUL-terminated. */
static int
match(const char *pattern, const char *path, unsigned *spec,
    const char **args, int *nargs, char *argbuf)
{
	const char	*pp = pattern, *tp = path, *ps, *ts;
	size_t		 pl, tl;
	int		 n = 0, more_p, more_t;

	*spec = 0;
	for (;;) {
		more_p = segment(&pp, &ps, &pl);
		more_t = segment(&tp, &ts, &tl);
		if (!more_p || !more_t)
			break;
		*spec <<= 1;
		if (pl >= 2 && ps[0] == '{' && ps[pl - 1] == '}') {
			if (tl == 0 || n == ROUTE_MAX_ARGS)
				return 0;
			if (args != NULL) {
				memcpy(argbuf, ts, tl);
				argbuf[tl] = '\0';
				args[n] = argbuf;
				argbuf += tl + 1;
			}
			n++;
			continue;
		}
		if (pl != tl || memcmp(ps, ts, tl) != 0)
			return 0;
		*spec |= 1;
	}
	/* Both at their end at once: the same number of segments. */
	if (more_p || more_t || *pp != '\0' || *tp != '\0')
		return 0;
	if (nargs != NULL)
		*nargs = n;
	return 1;
}

enum router_result
router_match(enum http_method method, const char *path,
    const struct route **r, const char **args, int *nargs, char *argbuf,
    char *allow, size_t allowlen)
{
	return router_match_in(routes, sizeof(routes) / sizeof(routes[0]),
	    method, path, r, args, nargs, argbuf, allow, allowlen);
}

enum router_result
router_match_in(const struct route *table, size_t n,
    enum http_method method, const char *path, const struct route **r,
    const char **args, int *nargs, char *argbuf, char *allow,
    size_t allowlen)
{
	const char	*best = NULL;
	unsigned	 spec, best_spec = 0, methods = 0;
	size_t		 i;

	*r = NULL;
	/* The most specific pattern that matches. */
	for (i = 0; i < n; i++)
		if (match(table[i].pattern, path, &spec, NULL, NULL, NULL) &&
		    (best == NULL || spec > best_spec)) {
			best = table[i].pattern;
			best_spec = spec;
		}
	if (best == NULL)
		return ROUTER_NO_PATH;
	for (i = 0; i < n; i++) {
		if (strcmp(table[i].pattern, best) != 0)
			continue;
		methods |= table[i].method;
		if (table[i].method == method)
			*r = &table[i];
	}
	if (*r != NULL) {
		match((*r)->pattern, path, &spec, args, nargs, argbuf);
		return ROUTER_FOUND;
	}
	allow[0] = '\0';
	for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (methods & method_names[i].m) {
			if (allow[0] != '\0')
				strncat(allow, ", ", allowlen - strlen(allow) - 1);
			strncat(allow, method_names[i].name,
			    allowlen - strlen(allow) - 1);
		}
	return ROUTER_NO_METHOD;
}

int
router_params_check(const struct route *r, struct http_request *req,
    struct http_response *resp)
{
	size_t		 i, j;
	const char *const *p;

	if (req->query_err != LB_OK) {
		http_error(resp, req->query_err,
		    req->query_err_field[0] ? req->query_err_field : NULL,
		    "the query string is malformed (bad percent-escape, "
		    "NUL byte, or too many parameters)");
		return 0;
	}
	for (i = 0; i < req->nparams; i++) {
		for (p = r->params; *p != NULL; p++)
			if (strcmp(*p, req->params[i].name) == 0)
				break;
		if (*p == NULL) {
			http_error(resp, LB_ERR_UNKNOWN_PARAMETER,
			    req->params[i].name, "this route takes no query "
			    "parameter of that name");
			return 0;
		}
		for (j = 0; j < i; j++)
			if (strcmp(req->params[j].name,
			    req->params[i].name) == 0) {
				http_error(resp, LB_ERR_INVALID_PARAMETER,
				    req->params[i].name,
				    "a query parameter may appear only once");
				return 0;
			}
	}
	return 1;
}
