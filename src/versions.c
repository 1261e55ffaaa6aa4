/* A secret's versions: the list, one version's value, a restore, and the
 * making of every new version (a PATCH's too). */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "config.h"
#include "cursor.h"
#include "handlers.h"
#include "log.h"
#include "validate.h"
#include "versions.h"

/* How many times a write reads the secret again when another write got
 * in between its read and its update. Each round of writers racing on
 * one secret lets one through, so this bounds a request only under a
 * storm; the pauses between attempts spread the racers out. */
#define WRITE_ATTEMPTS	64

/* ---- a new version --------------------------------------------------- */

/* Whether two values are the same bytes (in constant time for equal
 * lengths: a value's content is not to be timed). */
static int
same_value(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && crypto_equal(a, b, alen);
}

/* A random pause of up to attempt milliseconds (at most 10) before the
 * next attempt of a write that lost a race. */
static void
back_off(int attempt)
{
	struct timespec	 ts;
	uint32_t	 r;
	int		 cap = attempt < 10 ? attempt : 10;

	crypto_random(&r, sizeof(r));
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(r % (uint32_t)(cap * 1000 + 1)) * 1000;
	nanosleep(&ts, NULL);
}

/* Seals the value of the version after cur's, into nonce and ct (which
 * holds VALUE_MAX_BYTES + CRYPTO_TAG_LEN): the PATCH's new value, the
 * restored version old's, or the current one again (the additional data
 * binds the version, so every new version seals afresh). Says whether it
 * differs from the current value. */
static enum lb_err
seal_next(struct lockbox_ctx *ctx, struct new_version *nv,
    const struct secret_row *cur, const struct secret_row *old,
    unsigned char nonce[CRYPTO_NONCE_LEN], unsigned char *ct)
{
	struct secret_update	*u = &nv->u;
	enum lb_err		 e;
	char			*now = NULL, *then = NULL;
	const char		*pt;
	size_t			 nowlen = 0, thenlen = 0, ptlen;

	/* A key the ring lacks means this host's ring is older than the
	 * database's, not that the value was altered: another host, or this
	 * one reloaded, can write. */
	if (!crypto_has_key(ctx->crypto, cur->key_id) ||
	    (nv->restore > 0 && !crypto_has_key(ctx->crypto, old->key_id))) {
		log_msg(LOG_LVL_ERROR, "secret %" PRId64 " is sealed with key "
		    "%d, which this host's key ring lacks: the ring is out of "
		    "date; install the current one and reload (SIGHUP)",
		    cur->id, crypto_has_key(ctx->crypto, cur->key_id) ?
		    old->key_id : cur->key_id);
		e = LB_ERR_KEY_RETIRED;
		goto out;
	}
	if ((e = answer_open(ctx, cur, &now, &nowlen)) != LB_OK)
		goto out;
	if (nv->restore > 0) {
		if ((e = answer_open(ctx, old, &then, &thenlen)) != LB_OK)
			goto out;
		pt = then;
		ptlen = thenlen;
	} else if (nv->value != NULL) {
		pt = nv->value;
		ptlen = nv->value_len;
	} else {
		pt = now;
		ptlen = nowlen;
	}
	if (ptlen > VALUE_MAX_BYTES) {
		e = LB_ERR_INTEGRITY;
		goto out;
	}
	u->value_changed = !same_value(pt, ptlen, now, nowlen);
	e = crypto_seal(ctx->crypto, u->id, cur->version + 1, pt, ptlen,
	    &u->key_id, nonce, ct);
	u->nonce = nonce;
	u->ct = ct;
	u->ct_len = ptlen + CRYPTO_TAG_LEN;
out:
	answer_value_free(now, nowlen);
	answer_value_free(then, thenlen);
	return e;
}

enum lb_err
versions_write(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct new_version *nv, struct http_response *resp)
{
	struct secret_update	*u = &nv->u;
	struct secret_row	 cur, old, row;
	struct store_result	 res = { 0 };
	unsigned char		 nonce[CRYPTO_NONCE_LEN], *ct = NULL;
	enum lb_err		 e = LB_OK;
	int			 attempt;

	if ((ct = malloc(VALUE_MAX_BYTES + CRYPTO_TAG_LEN)) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	u->api_key_id = req->key.key_id;
	u->providers = req->key.providers;
	u->max_versions = ctx->cfg->max_versions;
	/* Read, seal for the next version, write that version unless another
	 * write got in between; then again from the read. */
	for (attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			if (attempt > 1)
				back_off(attempt);
			result_free(&c->res);
			e = store_secret_current(ctx->db, u->id, nv->restore,
			    req->key.providers, &c->res);
		}
		if (e == LB_OK)
			e = store_secret_current_read(&c->res, nv->restore,
			    &cur, nv->restore > 0 ? &old : NULL);
		if (e == LB_OK && !validate_if_match_ok(req->if_match,
		    cur.version))
			e = LB_ERR_PRECONDITION_FAILED;
		if (e == LB_OK)
			e = seal_next(ctx, nv, &cur, &old, nonce, ct);
		if (e != LB_OK)
			break;
		u->version = cur.version;
		if ((e = store_secret_update(ctx->db, u, &res)) !=
		    LB_ERR_PRECONDITION_FAILED)
			break;
	}
	if (e == LB_OK && store_secret_read(&res, 0, 0, &row) == LB_OK) {
		http_json(resp, 200);
		answer_secret(&resp->body, &row, NULL, 0);
		answer_headers(resp, u->id, row.version, 0);
	} else if (e == LB_ERR_PRECONDITION_FAILED &&
	    attempt == WRITE_ATTEMPTS)
		/* Without If-Match, 412 would be false: nothing was asked of
		 * the version. Nothing was written; busy, retry. */
		http_error(resp, req->if_match != NULL ? e :
		    LB_ERR_DATABASE_UNAVAILABLE, NULL, "the secret kept "
		    "changing while this write was applied; it had no effect, "
		    "retry");
	else
		answer_error(resp, e, u->id);
	result_free(&res);
	explicit_bzero(ct, VALUE_MAX_BYTES + CRYPTO_TAG_LEN);
	free(ct);
	return resp->err;
}

/* ---- GET /v1/admin/secrets/{id}/versions ----------------------------- */

struct vlist_state {
	int64_t			 id;
	struct list_query	 q;
	char			 bound[40];	/* "versions=ID" */
};

enum lb_err
versions_list_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct vlist_state	*vs;
	char			 n[BUF_I64_LEN];
	enum lb_err		 e;
	int64_t			 before = INT64_MAX;

	if ((vs = calloc(1, sizeof(*vs))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = vs;
	c->state_free = free;
	if ((e = answer_path_id(req, &vs->id, resp)) != LB_OK ||
	    (e = validate_list_query(req, &vs->q, resp)) != LB_OK)
		return e;
	/* A cursor of one secret's versions is good for no other list. */
	strcat(strcpy(vs->bound, "versions="), buf_i64(n, vs->id));
	if (vs->q.cursor != NULL && cursor_decode_bound(ctx->crypto,
	    vs->q.cursor, NULL, vs->bound, &before) != LB_OK)
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "the cursor was not issued by this server for this "
		    "secret's versions, or was altered");
	store_version_list_bind(&c->stmt, vs->id, before, vs->q.limit + 1);
	return LB_OK;
}

enum lb_err
versions_list_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct vlist_state	*vs = c->state;
	struct secret_row	 row;
	int			 n, i, more;

	(void)req;
	if ((n = result_rows(&c->res)) == 0)
		return answer_error(resp, LB_ERR_NOT_FOUND, vs->id);
	memset(&row, 0, sizeof(row));
	/* One row without a version: the secret is there, the page empty. */
	store_version_read(&c->res, 0, 0, &row);
	if (row.version == 0)
		n = 0;
	more = n > vs->q.limit;
	if (more)
		n = vs->q.limit;
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&resp->body, ',');
		store_version_read(&c->res, i, 0, &row);
		answer_version(&resp->body, &row, NULL, 0);
	}
	return answer_page_end(ctx, resp, more, row.version, NULL, vs->bound);
}

/* ---- GET /v1/admin/secrets/{id}/versions/{version} ------------------- */

struct version_ref {
	int64_t		 id;
	int64_t		 version;
};

/* The {id} and {version} of the path, checked, kept in c->state. */
static enum lb_err
path_version(struct http_request *req, struct call *c,
    struct http_response *resp)
{
	struct version_ref	*vr;
	enum lb_err		 e;

	if ((vr = calloc(1, sizeof(*vr))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = vr;
	c->state_free = free;
	if ((e = answer_path_id(req, &vr->id, resp)) != LB_OK)
		return e;
	return validate_version(req->nargs > 1 ? req->args[1] : NULL, 1,
	    &vr->version, resp);
}

enum lb_err
versions_get_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct version_ref	*vr;
	enum lb_err		 e;

	(void)ctx;
	if ((e = path_version(req, c, resp)) != LB_OK)
		return e;
	vr = c->state;
	store_version_get_bind(&c->stmt, vr->id, vr->version);
	return LB_OK;
}

enum lb_err
versions_answer_one(struct lockbox_ctx *ctx, struct call *c, int64_t id,
    struct http_response *resp)
{
	struct secret_row	 row;
	enum lb_err		 e;

	if (result_rows(&c->res) != 1)
		return answer_error(resp, LB_ERR_NOT_FOUND, id);
	/* No version on the row: the secret has no such version kept. */
	if ((e = store_version_read(&c->res, 0, 0, &row)) == LB_OK &&
	    row.version == 0)
		e = LB_ERR_VERSION_NOT_FOUND;
	if (e == LB_OK)
		e = store_version_read(&c->res, 0, 1, &row);
	if (e != LB_OK)
		return answer_error(resp, e, id);
	return answer_value(ctx, resp, &row, 1);
}

enum lb_err
versions_get_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct version_ref *vr = c->state;

	(void)req;
	return versions_answer_one(ctx, c, vr->id, resp);
}

/* ---- POST /v1/admin/secrets/{id}/versions/{version}/restore ---------- */

enum lb_err
versions_restore_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct version_ref	*vr;
	enum lb_err		 e;

	(void)ctx;
	if ((e = path_version(req, c, resp)) != LB_OK ||
	    (e = validate_no_body(req, resp)) != LB_OK)
		return e;
	vr = c->state;
	/* The current version, which the restore follows, and the one it
	 * brings back, in the round trip of the key lookup. */
	store_secret_current_bind(&c->stmt, vr->id, vr->version);
	return LB_OK;
}

enum lb_err
versions_restore_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct version_ref *vr = c->state;
	struct new_version	 nv;

	memset(&nv, 0, sizeof(nv));
	nv.u.id = vr->id;
	nv.restore = vr->version;
	return versions_write(ctx, req, c, &nv, resp);
}
