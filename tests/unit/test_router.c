#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "router.h"

/* A path, a method, and what the table must make of them: the route's
 * name and its parameters, or 404, or 405 with its Allow list. */
struct route_case {
	char		 method[8];
	char		 path[72];
	char		 want[24];	/* route name, "404", or "405" */
	char		 args[40];	/* the parameters, '|'-separated */
	char		 allow[40];	/* for 405 */
};

/* The parameters a match found, as "a|b". */
static void
join_args(char *got, const char **args, int nargs)
{
	int	 i;

	got[0] = '\0';
	for (i = 0; i < nargs; i++) {
		if (i > 0)
			strcat(got, "|");
		strcat(got, args[i]);
	}
}

ParameterizedTestParameters(router, table)
{
	static struct route_case cases[] = {
		{ "GET", "/v1/health", "health", "", "" },
		{ "GET", "/v1/openapi.json", "openapi", "", "" },
		{ "GET", "/v1/admin/secrets", "secrets.list", "", "" },
		{ "POST", "/v1/admin/secrets", "secrets.create", "", "" },
		{ "GET", "/v1/admin/secrets/5", "secrets.get", "5", "" },
		{ "PATCH", "/v1/admin/secrets/5", "secrets.update", "5", "" },
		{ "DELETE", "/v1/admin/secrets/5", "secrets.delete", "5", "" },
		/* Any non-empty segment is a parameter; the id is checked
		 * by the route (400 invalid_id), after the key. */
		{ "GET", "/v1/admin/secrets/abc", "secrets.get", "abc", "" },
		{ "GET", "/v1/admin/secrets/9223372036854775808",
		  "secrets.get", "9223372036854775808", "" },
		{ "GET", "/v1/admin/secrets/%2F", "secrets.get", "%2F", "" },
		/* The lifecycle's routes; path words are never ids. */
		{ "GET", "/v1/admin/secrets/lookup", "secrets.lookup", "", "" },
		{ "GET", "/v1/admin/secrets/5/versions", "versions.list", "5",
		  "" },
		{ "GET", "/v1/admin/secrets/5/versions/3", "versions.get",
		  "5|3", "" },
		{ "POST", "/v1/admin/secrets/5/versions/3/restore",
		  "versions.restore", "5|3", "" },
		{ "GET", "/v1/admin/deleted-secrets", "deleted.list", "", "" },
		{ "POST", "/v1/admin/deleted-secrets/5/restore",
		  "deleted.restore", "5", "" },
		{ "DELETE", "/v1/admin/deleted-secrets/5", "deleted.destroy",
		  "5", "" },
		{ "PATCH", "/v1/admin/secrets/lookup", "405", "", "GET" },
		{ "GET", "/v1/admin/deleted-secrets/5", "405", "", "DELETE" },
		{ "GET", "/v1/admin/secrets/5/versions/3/restore", "405", "",
		  "POST" },
		{ "DELETE", "/v1/admin/secrets/5/versions", "405", "", "GET" },
		/* Exact tails: nothing after the pattern, nothing missing. */
		{ "GET", "/v1/admin/secrets/5/version", "404", "", "" },
		{ "GET", "/v1/admin/secrets/5/versions/3/restore/x", "404", "",
		  "" },
		{ "GET", "/v1/admin/deleted-secrets/5/restore/", "404", "", "" },
		{ "GET", "/v1/admin/secrets/5/", "404", "", "" },
		{ "GET", "/v1/admin/secrets/", "404", "", "" },
		{ "GET", "/v1/admin/secret", "404", "", "" },
		{ "GET", "/v1/admin/secretsx", "404", "", "" },
		{ "GET", "/v1/admin", "404", "", "" },
		{ "GET", "/v1/admin/secrets//5", "404", "", "" },
		{ "GET", "//v1/health", "404", "", "" },
		{ "GET", "v1/health", "404", "", "" },
		{ "GET", "", "404", "", "" },
		{ "GET", "/", "404", "", "" },
		{ "GET", "/v1/health/", "404", "", "" },
		{ "GET", "/V1/health", "404", "", "" },
		/* Known paths, other methods: 405 with that path's methods. */
		{ "PUT", "/v1/admin/secrets", "405", "", "GET, POST" },
		{ "DELETE", "/v1/admin/secrets", "405", "", "GET, POST" },
		{ "POST", "/v1/admin/secrets/5", "405", "",
		  "GET, PATCH, DELETE" },
		{ "PUT", "/v1/admin/secrets/5", "405", "", "GET, PATCH, DELETE" },
		{ "POST", "/v1/health", "405", "", "GET" },
		{ "OTHER", "/v1/health", "405", "", "GET" },
	};
	return cr_make_param_array(struct route_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

static enum http_method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0) return HTTP_GET;
	if (strcmp(m, "POST") == 0) return HTTP_POST;
	if (strcmp(m, "PATCH") == 0) return HTTP_PATCH;
	if (strcmp(m, "DELETE") == 0) return HTTP_DELETE;
	if (strcmp(m, "PUT") == 0) return HTTP_PUT;
	return HTTP_OTHER;
}

ParameterizedTest(struct route_case *c, router, table)
{
	const struct route	*r;
	const char		*args[ROUTE_MAX_ARGS];
	char			 argbuf[80], allow[64], got[48];
	int			 nargs = -1;
	enum router_result	 rr;

	allow[0] = '\0';
	rr = router_match(method_of(c->method), c->path, &r, args, &nargs,
	    argbuf, allow, sizeof(allow));
	if (strcmp(c->want, "404") == 0) {
		cr_assert_eq(rr, ROUTER_NO_PATH, "%s %s", c->method, c->path);
		return;
	}
	if (strcmp(c->want, "405") == 0) {
		cr_assert_eq(rr, ROUTER_NO_METHOD, "%s %s", c->method, c->path);
		cr_assert_str_eq(allow, c->allow, "%s %s", c->method, c->path);
		return;
	}
	cr_assert_eq(rr, ROUTER_FOUND, "%s %s", c->method, c->path);
	cr_assert_str_eq(r->name, c->want);
	join_args(got, args, nargs);
	cr_assert_str_eq(got, c->args, "%s %s", c->method, c->path);
}

/* Sub-resources and path words, as the next routes will bring them: the
 * most specific pattern wins (a literal beats a parameter at the first
 * segment where they differ), any number of parameters, and 405 lists
 * the methods of the pattern that won only. */
static const char *const none[] = { NULL };
#define R(m, p) { m, p, p, NULL, SCOPE_LEVEL_READ, 0, ROUTE_PROVIDER_ROW, none, \
	NULL, NULL }
static const struct route future[] = {
	R(HTTP_GET, "/v1/admin/secrets/{id}"),
	R(HTTP_PATCH, "/v1/admin/secrets/{id}"),
	R(HTTP_GET, "/v1/admin/secrets/lookup"),
	R(HTTP_GET, "/v1/admin/secrets/{id}/versions"),
	R(HTTP_GET, "/v1/admin/secrets/{id}/versions/{version}"),
	R(HTTP_POST, "/v1/admin/secrets/{id}/versions/{version}/restore"),
	R(HTTP_GET, "/v1/admin/{kind}/{id}/versions/{version}"),
};

struct future_case {
	char		 method[8];
	char		 path[64];
	char		 want[56];	/* the pattern, or "404", "405 Allow" */
	char		 args[24];
};

ParameterizedTestParameters(router, specificity)
{
	static struct future_case cases[] = {
		{ "GET", "/v1/admin/secrets/7", "/v1/admin/secrets/{id}", "7" },
		{ "GET", "/v1/admin/secrets/lookup",
		  "/v1/admin/secrets/lookup", "" },
		{ "PATCH", "/v1/admin/secrets/lookup", "405 GET", "" },
		{ "PATCH", "/v1/admin/secrets/8", "/v1/admin/secrets/{id}",
		  "8" },
		{ "GET", "/v1/admin/secrets/7/versions",
		  "/v1/admin/secrets/{id}/versions", "7" },
		{ "POST", "/v1/admin/secrets/7/versions", "405 GET", "" },
		{ "GET", "/v1/admin/secrets/7/versions/3",
		  "/v1/admin/secrets/{id}/versions/{version}", "7|3" },
		{ "GET", "/v1/admin/others/7/versions/3",
		  "/v1/admin/{kind}/{id}/versions/{version}", "others|7|3" },
		{ "POST", "/v1/admin/secrets/7/versions/3/restore",
		  "/v1/admin/secrets/{id}/versions/{version}/restore", "7|3" },
		{ "GET", "/v1/admin/secrets/7/versions/3/restore", "405 POST",
		  "" },
		{ "GET", "/v1/admin/secrets/7/versions/3/x", "404", "" },
		{ "GET", "/v1/admin/secrets/7/version", "404", "" },
	};
	return cr_make_param_array(struct future_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct future_case *c, router, specificity)
{
	const struct route	*r;
	const char		*args[ROUTE_MAX_ARGS];
	char			 argbuf[80], allow[64], got[80];
	int			 nargs = 0;
	enum router_result	 rr;

	rr = router_match_in(future, sizeof(future) / sizeof(future[0]),
	    method_of(c->method), c->path, &r, args, &nargs, argbuf, allow,
	    sizeof(allow));
	if (rr == ROUTER_NO_PATH)
		strcpy(got, "404");
	else if (rr == ROUTER_NO_METHOD)
		snprintf(got, sizeof(got), "405 %s", allow);
	else
		snprintf(got, sizeof(got), "%s", r->pattern);
	cr_assert_str_eq(got, c->want, "%s %s", c->method, c->path);
	if (rr != ROUTER_FOUND)
		return;
	join_args(got, args, nargs);
	cr_assert_str_eq(got, c->args, "%s %s", c->method, c->path);
}

/* Every route says what it needs: a level (none only for the open
 * ones), its query parameters, and both functions. */
static int
takes(const struct route *r, const char *param)
{
	const char *const	*p;

	for (p = r->params; *p != NULL; p++)
		if (strcmp(*p, param) == 0)
			return 1;
	return 0;
}

Test(router, every_route_declares_its_needs)
{
	const struct route	*rt;
	size_t			 n, i, j;

	rt = router_routes(&n);
	cr_assert_gt(n, 0);
	for (i = 0; i < n; i++) {
		cr_assert_not_null(rt[i].prepare, "%s", rt[i].name);
		cr_assert_not_null(rt[i].finish, "%s", rt[i].name);
		cr_assert_not_null(rt[i].params, "%s", rt[i].name);
		cr_assert_eq(rt[i].level == SCOPE_LEVEL_NONE,
		    strncmp(rt[i].pattern, "/v1/admin/", 10) != 0,
		    "%s: an admin route needs a key, no other does",
		    rt[i].name);
		/* A key that may only read never reaches a write. */
		if (rt[i].writes)
			cr_expect_eq(rt[i].level, SCOPE_LEVEL_WRITE, "%s",
			    rt[i].name);
		if (rt[i].method == HTTP_GET)
			cr_expect(!rt[i].writes, "%s: a GET writes", rt[i].name);
		/* A provider comes from somewhere the route reads. */
		if (rt[i].provider & ROUTE_PROVIDER_QUERY)
			cr_expect(takes(&rt[i], "provider_slug"), "%s",
			    rt[i].name);
		if (rt[i].provider & ROUTE_PROVIDER_ROW)
			cr_expect_not_null(strstr(rt[i].pattern, "{id}"), "%s",
			    rt[i].name);
		if (rt[i].provider & ROUTE_PROVIDER_BODY)
			cr_expect(rt[i].method == HTTP_POST ||
			    rt[i].method == HTTP_PATCH, "%s", rt[i].name);
		/* The audit log is about no secret. */
		if (rt[i].level != SCOPE_LEVEL_NONE &&
		    rt[i].level != SCOPE_LEVEL_AUDIT)
			cr_expect_neq(rt[i].provider, 0, "%s: acts on a "
			    "secret but names no provider", rt[i].name);
		/* Every request under /v1/admin/ leaves an audit event. */
		cr_expect_eq(rt[i].action != NULL,
		    rt[i].level != SCOPE_LEVEL_NONE, "%s: an admin route has "
		    "an audit action, no other does", rt[i].name);
		/* One row per method and pattern; names unique. */
		for (j = 0; j < i; j++) {
			cr_expect(rt[j].method != rt[i].method ||
			    strcmp(rt[j].pattern, rt[i].pattern) != 0, "%s",
			    rt[i].name);
			cr_expect_str_neq(rt[j].name, rt[i].name);
		}
	}
}
