#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "dispatch.h"
#include "log.h"
#include "validate.h"

/* An error prepare found, held until the key is accepted. */
struct held_error {
	enum lb_err	 err;
	char		 field[128];
	char		 message[256];
};

static void
hold_error(struct held_error *h, const struct http_response *resp)
{
	h->err = resp->err;
	memcpy(h->field, resp->err_field, sizeof(h->field));
	memcpy(h->message, resp->err_message, sizeof(h->message));
}

static enum lb_err
report_error(struct http_response *resp, const struct held_error *h)
{
	return http_error(resp, h->err, h->field[0] ? h->field : NULL, "%s",
	    h->message);
}

enum lb_err
dispatch_failed(struct http_response *resp, enum lb_err e)
{
	if (e == LB_ERR_DATABASE_UNAVAILABLE || e == LB_ERR_KEY_RETIRED)
		return http_error(resp, e, NULL,
		    "the database is unavailable; the request had no effect, "
		    "retry later");
	if (e == LB_ERR_INTEGRITY)
		return http_error(resp, e, NULL,
		    "the stored secret failed its integrity check");
	/* A keyed statement that refused the key: revoked since its
	 * lookup. */
	if (e == LB_ERR_NOT_FOUND)
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown, revoked or expired");
	return http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
}

/* The route of req, or the 404/405 answer. */
static const struct route *
find_route(struct http_request *req, struct http_response *resp)
{
	const struct route	*r = NULL;
	char			 allow[64];

	if (req->path != NULL && (req->args_store = malloc(strlen(req->path) +
	    1)) == NULL) {
		http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	switch (req->path == NULL ? ROUTER_NO_PATH : router_match(req->method,
	    req->path, &r, req->args, &req->nargs, req->args_store, allow,
	    sizeof(allow))) {
	case ROUTER_FOUND:
		req->route = r;
		return r;
	case ROUTER_NO_METHOD:
		http_header(resp, "Allow", allow);
		http_error(resp, LB_ERR_METHOD_NOT_ALLOWED, NULL,
		    "this path does not take that method");
		return NULL;
	default:
		http_error(resp, LB_ERR_ROUTE_NOT_FOUND, NULL, "no such path");
		return NULL;
	}
}

/* A route that needs no key: its statement, if any, alone. */
static void
run_open(struct lockbox_ctx *ctx, const struct route *r,
    struct http_request *req, struct call *c, struct http_response *resp)
{
	enum lb_err	 e;

	if (!router_params_check(r, req, resp) ||
	    r->prepare(ctx, req, c, resp) != LB_OK)
		return;
	if (stmt_bound(&c->stmt) &&
	    (e = store_run(ctx->db, &c->stmt, &c->res)) != LB_OK) {
		dispatch_failed(resp, e);
		return;
	}
	r->finish(ctx, req, c, resp);
}

/* The key lookup and the route's first statement, in one round trip;
 * then the key, what prepare found, and the route's finish. */
static void
run_keyed(struct lockbox_ctx *ctx, const struct route *r,
    struct http_request *req, struct call *c, struct http_response *resp)
{
	struct stmt		 lookup;
	const struct stmt	*st[2];
	struct store_result	 res[2];
	enum store_outcome	 out[2];
	struct held_error	 held;
	enum lb_err		 e;
	enum scope_level	 need;
	int			 n = 1, prepared, writes;

	memset(res, 0, sizeof(res));
	memset(&held, 0, sizeof(held));
	store_api_key_find_bind(&lookup, req->key_prefix);
	/* What needs no database is checked first; what it finds wrong is
	 * answered once the key is accepted, as the contract orders. */
	prepared = router_params_check(r, req, resp) &&
	    r->prepare(ctx, req, c, resp) == LB_OK;
	if (!prepared) {
		hold_error(&held, resp);
		stmt_free(&c->stmt);
	}
	if (ctx->audit != NULL) {
		if (c->action != NULL)
			audit_action(ctx->audit, c->action);
		audit_async(ctx->audit, !r->writes);
		/* The key decides the event first, then this error, as
		 * they decide the answer (lockbox.audit_note). */
		if (!prepared) {
			audit_held(ctx->audit, resp->status);
			store_audit_refused_bind(&c->stmt);
		}
	}
	writes = stmt_bound(&c->probe);
	if (writes && !r->writes) {
		/* A bug: the table says this route changes nothing. */
		log_msg(LOG_LVL_ERROR, "route %s wrote without saying so",
		    r->name);
		http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
		goto out;
	}
	/* What this request needs: the route's level, or more where the
	 * request asks for more (a list with values). */
	need = c->level != SCOPE_LEVEL_NONE && c->level > r->level ? c->level :
	    r->level;
	st[0] = &lookup;
	if (stmt_bound(&c->stmt)) {
		if (sql_queries[c->stmt.q].keyed)
			store_key_bind(&c->stmt, &c->key, need);
		st[n++] = &c->stmt;
	}
	e = store_pipeline(ctx->db, st, n, res, out);
	if (out[0] != STORE_DONE) {
		/* A write that went with the lookup may have taken effect:
		 * the key decides whether it could, so learn it first. */
		if (n == 2 && writes && out[1] == STORE_LOST &&
		    store_run_patiently(ctx->db, &lookup, &res[0]) != LB_OK) {
			http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
			goto out;
		}
		if (res[0].pg == NULL) {
			dispatch_failed(resp, e);
			goto out;
		}
	}
	if (auth_decide(ctx, req, &res[0], need, resp) != LB_OK)
		goto out;
	if (ctx->audit != NULL) {
		audit_key(ctx->audit, req->key.key_id);
		/* The statement saw the key revoked since its lookup (the
		 * same round trip): its event says so, and so does the
		 * answer. */
		switch (audit_stored_status(ctx->audit)) {
		case 401:
			dispatch_failed(resp, LB_ERR_NOT_FOUND);
			goto out;
		case 403:
			http_error(resp, LB_ERR_INSUFFICIENT_SCOPE, NULL,
			    "this API key's scope does not allow this request");
			goto out;
		}
	}
	if (!prepared) {
		report_error(resp, &held);
		goto out;
	}
	/* A write under a provider the key may not use; but a secret the key
	 * cannot see (the statement found nothing) is 404 first, as the
	 * statement's event already says: the finish answers that. */
	if (c->provider_set && !scope_reaches(&req->key, c->provider) &&
	    !(n == 2 && out[1] == STORE_DONE && result_rows(&res[1]) == 0)) {
		http_error(resp, LB_ERR_INSUFFICIENT_SCOPE, "provider_slug",
		    "this API key may not put a secret under this provider");
		goto out;
	}
	if (n == 2) {
		switch (out[1]) {
		case STORE_DONE:
			c->res = res[1];
			memset(&res[1], 0, sizeof(res[1]));
			break;
		case STORE_LOST:
			if (writes && (e = store_resolve(ctx->db,
			    &c->probe)) == LB_OK) {
				/* Its event went with it. */
				c->resolved = 1;
				if (ctx->audit != NULL)
					audit_settled(ctx->audit);
				break;
			}
			/* FALLTHROUGH */
		default:
			dispatch_failed(resp, e);
			goto out;
		}
	}
	r->finish(ctx, req, c, resp);
out:
	result_free(&res[0]);
	result_free(&res[1]);
	stmt_free(&lookup);
}

/* Whether req asks for something under /v1/admin/: every such request
 * leaves an audit event, routed or not. */
static int
is_admin(const struct http_request *req)
{
	return req->path != NULL && (strcmp(req->path, "/v1/admin") == 0 ||
	    strncmp(req->path, "/v1/admin/", 10) == 0);
}

/* The request's audit event opens: 0, or -1 when it could not be stored
 * (the answer is then 503). */
static int
audit_open(struct lockbox_ctx *ctx, struct http_request *req,
    const struct route *r)
{
	int64_t	 id;

	if (ctx->audit == NULL)
		return 0;
	/* The shape of a key is public; a prefix goes in the event only
	 * from a key of the right shape. */
	auth_key_parse(ctx, req);
	if (audit_begin(ctx->audit, req, r != NULL ? r->action :
	    "request.refused") < 0)
		return -1;
	/* The secret the path names, when it is a valid id. */
	if (r != NULL && (r->provider & ROUTE_PROVIDER_ROW) &&
	    req->nargs > 0 && valid_id(req->args[0], &id) == 0)
		audit_secret(ctx->audit, id);
	return 0;
}

/* An answer whose event cannot be stored is 503, and says nothing else. */
static void
audit_unavailable(struct http_response *resp)
{
	http_response_reset(resp);
	http_error(resp, LB_ERR_DATABASE_UNAVAILABLE, NULL,
	    "the audit log is unavailable; retry later");
}

/* The event no statement stored, before the answer goes. */
static void
audit_close_request(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	int	 status = resp->status != 0 ? resp->status : 200;

	if (ctx->audit != NULL && audit_end(ctx->audit, status,
	    req->key_ok && status != 401 ? req->key.key_id : 0) != LB_OK)
		audit_unavailable(resp);
}

void
dispatch(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	const struct route	*r;
	struct call		 c;
	long			 rt0 = store_round_trips(ctx->db);
	int			 audited = 0;

	memset(&c, 0, sizeof(c));
	stmt_init(&c.stmt, SQL__COUNT);
	stmt_init(&c.probe, SQL__COUNT);
	r = find_route(req, resp);
	if ((r == NULL && is_admin(req)) || (r != NULL && r->action != NULL)) {
		audited = 1;
		if (audit_open(ctx, req, r) < 0) {
			audit_unavailable(resp);
			goto out;
		}
	}
	if (r == NULL)
		goto done;
	if (r->level == SCOPE_LEVEL_NONE)
		run_open(ctx, r, req, &c, resp);
	else if (req->api_key == NULL || req->api_key[0] == '\0')
		http_error(resp, LB_ERR_MISSING_API_KEY, NULL,
		    "send an API key in the X-API-Key header");
	/* The shape of a key is public; failing it fast leaks nothing. */
	else if (!auth_store_key(ctx, req, &c.key))
		http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown, revoked or expired");
	else
		run_keyed(ctx, r, req, &c, resp);
done:
	if (audited)
		audit_close_request(ctx, req, resp);
out:
	if (c.state_free != NULL)
		c.state_free(c.state);
	result_free(&c.res);
	stmt_free(&c.stmt);
	stmt_free(&c.probe);
	req->round_trips = store_round_trips(ctx->db) - rt0;
}
