/* Method and path to a route, through one static table of patterns made
 * of segments: a literal ("secrets") or a parameter ("{id}", any one
 * non-empty segment). The most specific pattern that matches a path wins
 * (at the first segment where two differ, a literal beats a parameter),
 * so /v1/admin/secrets/lookup is never taken for an id; 405 and its Allow
 * list come from the methods of that one pattern. */
#ifndef LOCKBOX_ROUTER_H
#define LOCKBOX_ROUTER_H

#include <stddef.h>

#include "http.h"
#include "scope.h"

struct lockbox_ctx;
struct call;

/* A route's two halves (dispatch.h runs them): prepare checks the
 * request and binds the route's first statement, without I/O, so that it
 * can travel with the API key lookup; finish answers from its result. */
typedef enum lb_err (*route_prepare_fn)(struct lockbox_ctx *,
    struct http_request *, struct call *, struct http_response *);
typedef enum lb_err (*route_finish_fn)(struct lockbox_ctx *,
    struct http_request *, struct call *, struct http_response *);

#define ROUTE_MAX_ARGS	HTTP_MAX_ARGS

/* Where the provider a route acts on comes from (bits), for keys that may
 * act on some providers only (scope.h). */
enum route_provider {
	ROUTE_PROVIDER_NONE	= 0,		/* health, openapi */
	ROUTE_PROVIDER_QUERY	= 1 << 0,	/* ?provider_slug= (a list) */
	ROUTE_PROVIDER_BODY	= 1 << 1,	/* the body's provider_slug */
	ROUTE_PROVIDER_ROW	= 1 << 2,	/* the stored secret's */
};

/* What a route needs, declared once; dispatch.c acts on it. */
struct route {
	enum http_method	 method;
	const char		*pattern;
	const char		*name;		/* for logs and tests */
	const char		*action;	/* its audit events' (NULL: none) */
	enum scope_level	 level;		/* SCOPE_LEVEL_NONE: no key */
	/* Whether it changes stored data: only then may its first
	 * statement write, and a lost one be resolved by its probe. */
	int			 writes;
	unsigned		 provider;	/* enum route_provider bits */
	const char *const	*params;	/* allowed query parameters */
	route_prepare_fn	 prepare;
	route_finish_fn		 finish;
};

enum router_result { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };

/* Finds the route for method and path (decoded, NUL-terminated). On
 * ROUTER_FOUND, *r is the route and args[0..*nargs) its parameters, each
 * a NUL-terminated copy in argbuf (at least strlen(path) + 1 bytes). On
 * ROUTER_NO_METHOD, allow holds the path's methods ("GET, PATCH"). */
enum router_result router_match(enum http_method method, const char *path,
	    const struct route **r, const char **args, int *nargs,
	    char *argbuf, char *allow, size_t allowlen);

/* router_match over another table (the tests'). */
enum router_result router_match_in(const struct route *table, size_t n,
	    enum http_method method, const char *path,
	    const struct route **r, const char **args, int *nargs,
	    char *argbuf, char *allow, size_t allowlen);

/* Checks the query parameters against the ones route r allows: a
 * malformed query string, an unknown or a repeated parameter is a 400 in
 * resp, and 0. */
int		 router_params_check(const struct route *r,
		    struct http_request *, struct http_response *);

/* The table itself, for the tests: n entries. */
const struct route *router_routes(size_t *n);

#endif
