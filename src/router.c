#include "autoconfig.h"

#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "router.h"

struct route {
	const char		*pattern;	/* "{id}" matches one segment */
	enum http_method	 method;
	enum http_scope		 scope;		/* SCOPE_NONE: no key needed */
	const char *const	*params;	/* allowed query parameters */
	route_handler		 handler;
	route_ahead		 ahead;		/* NULL: nothing to read ahead */
	int			 admits;	/* the handler calls router_admit */
};

static const char *const no_params[] = { NULL };
static const char *const list_params[] = {
	"limit", "cursor", "provider_slug", NULL
};

static const struct route routes[] = {
	{ "/v1/health", HTTP_GET, SCOPE_NONE, no_params, health_get, NULL,
	  0 },
	{ "/v1/openapi.json", HTTP_GET, SCOPE_NONE, no_params, openapi_get,
	  NULL, 0 },
	{ "/v1/admin/secrets", HTTP_GET, SCOPE_READ, list_params,
	  secrets_list, secrets_list_ahead, 0 },
	/* The create's id is a read (nextval), read ahead; one taken for a
	 * refused request is a gap, nothing more. The insert waits for the
	 * key: the value is sealed with the id. */
	{ "/v1/admin/secrets", HTTP_POST, SCOPE_WRITE, no_params,
	  secrets_create, secrets_create_ahead, 0 },
	{ "/v1/admin/secrets/{id}", HTTP_GET, SCOPE_READ, no_params,
	  secrets_get, secrets_get_ahead, 0 },
	/* PATCH reads the version it follows first (the sealed value binds
	 * it); DELETE's write goes with the key lookup, and does nothing
	 * unless the key may write (store.h). */
	{ "/v1/admin/secrets/{id}", HTTP_PATCH, SCOPE_WRITE, no_params,
	  secrets_update, secrets_update_ahead, 0 },
	{ "/v1/admin/secrets/{id}", HTTP_DELETE, SCOPE_WRITE, no_params,
	  secrets_delete, NULL, 1 },
};

static const struct {
	enum http_method	 m;
	const char		*name;
} method_names[] = {
	{ HTTP_GET, "GET" }, { HTTP_POST, "POST" }, { HTTP_PATCH, "PATCH" },
	{ HTTP_DELETE, "DELETE" }, { HTTP_PUT, "PUT" },
};

/* Whole-segment match; "{id}" takes one non-empty segment, whose start
 * is returned in *arg. */
static int
pattern_match(const char *pat, const char *path, const char **arg)
{
	const char	*brace = strchr(pat, '{');
	size_t		 fixed;

	*arg = NULL;
	if (brace == NULL)
		return strcmp(pat, path) == 0;
	fixed = (size_t)(brace - pat);
	if (strncmp(pat, path, fixed) != 0)
		return 0;
	path += fixed;
	if (*path == '\0' || strchr(path, '/') != NULL)
		return 0;
	*arg = path;
	return 1;
}

static int
params_allowed(const struct route *r, struct http_request *req,
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

int
router_params_ok(struct http_request *req)
{
	struct http_response	 quiet;
	int			 ok;

	memset(&quiet, 0, sizeof(quiet));
	ok = params_allowed(req->route, req, &quiet);
	http_response_free(&quiet);
	return ok;
}

enum lb_err
router_admit(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	const struct route	*r = req->route;
	enum lb_err		 e;

	if (r->scope != SCOPE_NONE &&
	    (e = auth_check(ctx, req, resp, r->scope)) != LB_OK)
		return e;
	if (!params_allowed(r, req, resp))
		return resp->err;
	return LB_OK;
}

void
router_dispatch(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	const struct route	*r, *found = NULL;
	const char		*arg = NULL, *a;
	unsigned		 allow = 0;
	size_t			 i;
	char			 allowbuf[64];

	for (i = 0; req->path != NULL && i < sizeof(routes) / sizeof(routes[0]);
	    i++) {
		r = &routes[i];
		if (!pattern_match(r->pattern, req->path, &a))
			continue;
		allow |= r->method;
		if (r->method == req->method) {
			found = r;
			arg = a;
		}
	}
	if (allow == 0) {
		http_error(resp, LB_ERR_ROUTE_NOT_FOUND, NULL,
		    "no such path");
		return;
	}
	if (found == NULL) {
		allowbuf[0] = '\0';
		for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]);
		    i++)
			if (allow & method_names[i].m) {
				if (allowbuf[0] != '\0')
					strcat(allowbuf, ", ");
				strcat(allowbuf, method_names[i].name);
			}
		http_header(resp, "Allow", allowbuf);
		http_error(resp, LB_ERR_METHOD_NOT_ALLOWED, NULL,
		    "this path does not take that method");
		return;
	}
	req->path_arg = arg;
	req->route = found;
	if (found->admits) {
		found->handler(ctx, req, resp);
		return;
	}
	if (found->ahead != NULL && found->scope != SCOPE_NONE &&
	    req->api_key != NULL)
		found->ahead(ctx, req);
	if (router_admit(ctx, req, resp) != LB_OK)
		return;
	found->handler(ctx, req, resp);
}
