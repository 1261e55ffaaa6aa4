/* The /v1/admin/secrets routes: the list (with values in bulk), one
 * secret by id or by name, create, PATCH and DELETE. Each has a prepare
 * (checked input from the validation module, its first statement bound,
 * no I/O) and a finish (the answer from that statement's result;
 * dispatch.h). A secret's versions are in versions.c. */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "audit.h"
#include "config.h"
#include "auth.h"
#include "cursor.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "validate.h"
#include "versions.h"

#define CREATE_PATH	"/v1/admin/secrets"

/* ---- GET /v1/admin/secrets ------------------------------------------ */

struct list_state {
	struct list_query	 q;
	/* The filters besides the provider, which the cursor binds too:
	 * "include=value", "ids=3,2,1". */
	struct buf		 bound;
};

static void
list_state_free(void *p)
{
	struct list_state	*ls = p;

	if (ls == NULL)
		return;
	buf_free(&ls->bound);
	free(ls);
}

enum lb_err
secrets_list_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct list_state	*ls;
	struct buf		 ids = { 0 };
	const char		*v;
	enum lb_err		 e;
	int64_t			 after = 0;
	int			 i;

	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = ls;
	c->state_free = list_state_free;
	/* Values need a key that may read them; a list alone, less. Said
	 * before validation: the key's level is checked before what else
	 * is wrong with the request. */
	if ((v = http_param(req, "include")) != NULL && strcmp(v, "value") == 0)
		c->level = SCOPE_LEVEL_READ;
	if ((e = validate_list_query(req, &ls->q, resp)) != LB_OK)
		return e;
	buf_puts(&ls->bound, ls->q.values ? "include=value" : "");
	if (ls->q.nids > 0) {
		buf_puts(&ls->bound, ls->q.values ? "&ids=" : "ids=");
		buf_putc(&ids, '{');
		for (i = 0; i < ls->q.nids; i++) {
			if (i > 0) {
				buf_putc(&ls->bound, ',');
				buf_putc(&ids, ',');
			}
			buf_put_i64(&ls->bound, ls->q.ids[i]);
			buf_put_i64(&ids, ls->q.ids[i]);
		}
		buf_putc(&ids, '}');
	}
	if (ls->bound.oom || ids.oom) {
		e = http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	if (ls->q.cursor != NULL && cursor_decode_bound(ctx->crypto,
	    ls->q.cursor, ls->q.provider_slug, ls->bound.data, &after) !=
	    LB_OK) {
		e = http_error(resp, LB_ERR_INVALID_CURSOR, "cursor", "the "
		    "cursor was not issued by this server for this filter, or "
		    "was altered");
		goto out;
	}
	/* One row more than asked tells whether another page exists,
	 * without a trailing empty page. */
	_Static_assert(LIMIT_MAX + 1 == 101, "sql/queries.sql: the inner "
	    "LIMIT of secret_list and secret_list_after is LIMIT_MAX + 1");
	if (ls->q.values || ls->q.nids > 0)
		store_secret_list_filtered_bind(&c->stmt, ls->q.provider_slug,
		    after, ls->q.nids > 0 ? ids.data : NULL, ls->q.limit + 1,
		    ls->q.values);
	else
		store_secret_list_bind(&c->stmt, ls->q.provider_slug, after,
		    ls->q.limit + 1);
out:
	buf_free(&ids);
	return e;
}

/* The page's values, opened: room for all of them is made in the answer
 * before the first goes in. */
struct opened {
	char	*pt;
	size_t	 len;
};

static enum lb_err
open_page(struct lockbox_ctx *ctx, struct store_result *res, int n,
    struct opened *v, struct http_response *resp)
{
	struct secret_row	 row;
	enum lb_err		 e;
	size_t			 need = 64;
	int			 i;

	for (i = 0; i < n; i++) {
		if ((e = store_secret_read(res, i, 1, &row)) != LB_OK ||
		    (e = answer_open(ctx, &row, &v[i].pt, &v[i].len)) != LB_OK)
			return e;
		need += answer_size(&row, v[i].pt, v[i].len) + 1;
	}
	return answer_reserve(&resp->body, need) < 0 ? LB_ERR_INTERNAL : LB_OK;
}

enum lb_err
secrets_list_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct list_state	*ls = c->state;
	struct secret_row	 row;
	struct opened		 v[LIMIT_MAX];
	enum lb_err		 e = LB_OK;
	int			 n, i, more;

	(void)req;
	memset(v, 0, sizeof(v));
	memset(&row, 0, sizeof(row));
	n = result_rows(&c->res);
	more = n > ls->q.limit;
	if (more)
		n = ls->q.limit;
	http_json(resp, 200);
	if (ls->q.values && (e = open_page(ctx, &c->res, n, v, resp)) != LB_OK)
		goto out;
	buf_puts(&resp->body, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&resp->body, ',');
		store_secret_read(&c->res, i, 0, &row);
		answer_secret(&resp->body, &row, v[i].pt, v[i].len);
	}
	e = answer_page_end(ctx, resp, more, row.id, ls->q.provider_slug,
	    ls->bound.data);
out:
	for (i = 0; i < n; i++)
		answer_value_free(v[i].pt, v[i].len);
	return e == LB_OK ? LB_OK : answer_error(resp, e, 0);
}

/* ---- GET /v1/admin/secrets/{id} and /lookup -------------------------- */

struct get_state {
	int64_t		 id;
	int64_t		 version;	/* ?version=N; 0: the current */
};

enum lb_err
secrets_get_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct get_state	*gs;
	const char		*v;
	enum lb_err		 e;

	(void)ctx;
	if ((gs = calloc(1, sizeof(*gs))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = gs;
	c->state_free = free;
	if ((e = answer_path_id(req, &gs->id, resp)) != LB_OK)
		return e;
	if ((v = http_param(req, "version")) != NULL) {
		if ((e = validate_version(v, 0, &gs->version, resp)) != LB_OK)
			return e;
		store_version_get_bind(&c->stmt, gs->id, gs->version);
	} else
		store_secret_get_bind(&c->stmt, gs->id);
	return LB_OK;
}

/* A secret with its value, from a statement that returns it sealed. */
static enum lb_err
answer_with_value(struct lockbox_ctx *ctx, struct call *c, int64_t id,
    struct http_response *resp)
{
	struct secret_row	 row;
	enum lb_err		 e;

	if (result_rows(&c->res) != 1)
		return answer_error(resp, LB_ERR_NOT_FOUND, id);
	if ((e = store_secret_read(&c->res, 0, 1, &row)) != LB_OK)
		return answer_error(resp, e, id);
	return answer_value(ctx, resp, &row, 0);
}

enum lb_err
secrets_get_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct get_state	*gs = c->state;

	(void)req;
	if (gs->version > 0)
		return versions_answer_one(ctx, c, gs->id, resp);
	return answer_with_value(ctx, c, gs->id, resp);
}

enum lb_err
secrets_lookup_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const char	*name, *provider_slug;
	enum lb_err	 e;

	(void)ctx;
	if ((e = validate_lookup(req, &name, &provider_slug, resp)) != LB_OK)
		return e;
	store_secret_lookup_bind(&c->stmt, name, provider_slug);
	return LB_OK;
}

enum lb_err
secrets_lookup_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	if (result_rows(&c->res) != 1)
		return http_error(resp, LB_ERR_NOT_FOUND, NULL, "no secret has "
		    "that name%s", http_param(req, "provider_slug") != NULL ?
		    " for that provider_slug" : " without a provider_slug");
	return answer_with_value(ctx, c, 0, resp);
}

/* ---- POST /v1/admin/secrets ----------------------------------------- */

struct create_state {
	struct json_object	*body;
	struct secret_input	 in;
	struct buf		 meta;	/* the metadata object as stored */
	unsigned char		 fp[CRYPTO_MAC_LEN];
};

static void
create_state_free(void *p)
{
	struct create_state	*cs = p;

	if (cs == NULL)
		return;
	json_free_wiped(cs->body);
	buf_free(&cs->meta);
	free(cs);
}

/* The keyed MAC of the request as a JSON value, so a retry matches
 * whatever its member order, spacing or escapes. The canonical text holds
 * the value: it is sized up front and wiped. */
static int
fingerprint(struct lockbox_ctx *ctx, struct json_object *body,
    size_t body_len, int key_id, unsigned char out[CRYPTO_MAC_LEN])
{
	struct buf	 b = { 0 };
	int		 rc;

	if (buf_reserve(&b, body_len + 256) < 0)
		return -1;
	buf_puts(&b, "POST " CREATE_PATH "\n");
	json_canonical(&b, body);
	rc = b.oom ? -1 : crypto_mac(ctx->crypto, CRYPTO_MAC_FINGERPRINT,
	    key_id, b.data, b.len, out);
	buf_wipe(&b);
	return rc;
}

enum lb_err
secrets_create_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct create_state	*cs;
	enum lb_err		 e;

	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = cs;
	c->state_free = create_state_free;
	if ((e = validate_idempotency_key(req->idempotency_key, resp)) != LB_OK ||
	    (e = validate_json_body(req, resp, 0, &cs->body)) != LB_OK ||
	    (e = validate_create(cs->body, &cs->in, resp)) != LB_OK)
		return e;
	if (req->idempotency_key != NULL && fingerprint(ctx, cs->body,
	    req->body_len, crypto_active_key(ctx->crypto), cs->fp) < 0)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
	if (cs->in.metadata != NULL)
		json_write(&cs->meta, cs->in.metadata);
	else
		buf_puts(&cs->meta, "{}");
	if (cs->meta.oom)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->provider_set = 1;
	c->provider = cs->in.provider_slug;
	/* The id is read first: the sealed value binds it. With a key, the
	 * key's record comes with it, so that a retry is answered at once. */
	store_secret_next_id_bind(&c->stmt, req->idempotency_key,
	    ctx->cfg->idempotency_ttl);
	return LB_OK;
}

static enum lb_err
name_taken(struct http_response *resp, const struct secret_input *in)
{
	return http_error(resp, LB_ERR_NAME_CONFLICT, "name",
	    "another secret already has this name%s", in->provider_slug ?
	    " for this provider_slug" : " (without a provider_slug)");
}

/* Answers a create from its Idempotency-Key's record: the original answer
 * replayed, or 422 when this request differs. *again is set when the
 * record had expired: it is removed, and the create may go on. */
static enum lb_err
replay_row(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp, const struct create_state *cs,
    const struct idempotency_row *row, int *again)
{
	unsigned char		 mine[CRYPTO_MAC_LEN];
	enum lb_err		 e;

	*again = 0;
	if (!row->fresh) {
		if ((e = store_idempotency_forget_expired(ctx->db,
		    req->key.key_id, req->idempotency_key,
		    ctx->cfg->idempotency_ttl)) != LB_OK)
			return dispatch_failed(resp, e);
		*again = 1;
		return LB_OK;
	}
	/* A record made before the ring's active key changed: this request's
	 * fingerprint under the key that made it. A ring without that key
	 * cannot tell the requests apart, and refuses to replay. */
	if (row->fingerprint_key_id == crypto_active_key(ctx->crypto))
		memcpy(mine, cs->fp, sizeof(mine));
	else if (fingerprint(ctx, cs->body, req->body_len,
	    row->fingerprint_key_id, mine) < 0)
		memset(mine, 0, sizeof(mine));
	if (!crypto_equal(mine, row->fingerprint, sizeof(mine)))
		return http_error(resp, LB_ERR_IDEMPOTENCY_KEY_REUSED, NULL,
		    "this Idempotency-Key was already used for a different "
		    "request");
	http_json(resp, row->status);
	buf_puts(&resp->body, row->body);
	answer_headers(resp, row->secret_id, 1, 1);
	http_header(resp, "Idempotent-Replayed", "true");
	/* The replay's event names the secret it answers with. A replay
	 * changes nothing: with audit_async_reads its event is a read's. */
	if (ctx->audit != NULL) {
		audit_secret(ctx->audit, row->secret_id);
		audit_async(ctx->audit, 1);
	}
	return LB_OK;
}

/* A create with an Idempotency-Key hit a unique constraint: the key's
 * record decides (replay_row); without a record, a name conflict is just
 * that. *again is set when the create may simply go again: the record
 * had expired and was removed, or the request that held the key rolled
 * back. */
static enum lb_err
replay(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp, const struct create_state *cs,
    enum store_conflict conflict, int *again)
{
	struct idempotency_row	 row;
	struct store_result	 res = { 0 };
	enum lb_err		 e;

	*again = 0;
	e = store_idempotency_find(ctx->db, req->key.key_id,
	    req->idempotency_key, ctx->cfg->idempotency_ttl, &res, &row);
	if (e == LB_ERR_NOT_FOUND) {
		if (conflict == CONFLICT_NAME)
			return name_taken(resp, &cs->in);
		/* The key was taken a moment ago and is free now: the
		 * request holding it rolled back. */
		*again = 1;
		return LB_OK;
	}
	if (e != LB_OK)
		return dispatch_failed(resp, e);
	e = replay_row(ctx, req, resp, cs, &row, again);
	result_free(&res);
	return e;
}

/* Another id, after a first attempt lost to a rolled-back or expired
 * Idempotency-Key: the same keyed statement, alone. */
static enum lb_err
next_id_again(struct lockbox_ctx *ctx, struct call *c, int64_t *id,
    char created[40])
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	store_secret_next_id_bind(&st, NULL, ctx->cfg->idempotency_ttl);
	store_key_bind(&st, &c->key, SCOPE_LEVEL_WRITE);
	if ((e = store_run(ctx->db, &st, &res)) == LB_OK) {
		e = store_secret_next_id_read(&res, id, created);
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}

enum lb_err
secrets_create_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct create_state	*cs = c->state;
	struct secret_insert	 ins;
	struct secret_row	 view;
	struct idempotency_row	 row;
	struct buf		 answer = { 0 };
	enum store_conflict	 conflict;
	unsigned char		 nonce[CRYPTO_NONCE_LEN], *ct = NULL;
	char			 created[40];
	enum lb_err		 e, found;
	int			 key_id, again, attempt;

	if ((ct = malloc(cs->in.value_len + CRYPTO_TAG_LEN)) == NULL) {
		e = http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	e = store_secret_next_id_read(&c->res, &ins.id, created);
	/* A retry: the key's record came with the id. */
	if (e == LB_OK && req->idempotency_key != NULL) {
		if ((found = store_idempotency_read(&c->res, &row)) ==
		    LB_ERR_INTERNAL) {
			http_error(resp, LB_ERR_INTERNAL, NULL,
			    "internal error");
			goto out;
		}
		if (found == LB_OK && (replay_row(ctx, req, resp, cs, &row,
		    &again) != LB_OK || !again))
			goto out;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0)
			e = next_id_again(ctx, c, &ins.id, created);
		if (e != LB_OK) {
			dispatch_failed(resp, e);
			goto out;
		}
		if ((e = crypto_seal(ctx->crypto, ins.id, 1, cs->in.value,
		    cs->in.value_len, &key_id, nonce, ct)) != LB_OK) {
			http_error(resp, LB_ERR_INTERNAL, NULL,
			    "internal error");
			goto out;
		}
		memset(&view, 0, sizeof(view));
		view.id = ins.id;
		view.name = cs->in.name;
		view.provider_slug = cs->in.provider_slug;
		view.description = cs->in.description;
		view.metadata = cs->meta.data;
		view.version = 1;
		view.created_at = view.updated_at = created;
		buf_reset(&answer);
		answer_secret(&answer, &view, NULL, 0);

		ins.name = cs->in.name;
		ins.provider_slug = cs->in.provider_slug;
		ins.description = cs->in.description;
		ins.metadata = cs->meta.data;
		ins.key_id = key_id;
		ins.nonce = nonce;
		ins.ct = ct;
		ins.ct_len = cs->in.value_len + CRYPTO_TAG_LEN;
		ins.created_at = created;
		ins.api_key_id = req->key.key_id;
		ins.providers = req->key.providers;
		ins.idempotency_key = req->idempotency_key;
		ins.fingerprint = cs->fp;
		ins.fingerprint_key_id = crypto_active_key(ctx->crypto);
		ins.response_body = answer.data;
		e = store_secret_insert(ctx->db, &ins, &conflict);
		if (e == LB_OK) {
			http_json(resp, 201);
			buf_append(&resp->body, answer.data, answer.len);
			answer_headers(resp, ins.id, 1, 1);
			goto out;
		}
		if (e != LB_ERR_NAME_CONFLICT) {
			dispatch_failed(resp, e);
			goto out;
		}
		/* With a key, a conflict may be our own earlier attempt: its
		 * record decides, even when the name is what collided. */
		if (req->idempotency_key != NULL) {
			e = replay(ctx, req, resp, cs, conflict, &again);
			if (e != LB_OK || !again)
				goto out;
			continue;
		}
		e = name_taken(resp, &cs->in);
		goto out;
	}
	e = http_error(resp, LB_ERR_IDEMPOTENCY_KEY_IN_PROGRESS, NULL,
	    "a request with this Idempotency-Key is being processed; retry "
	    "later");
out:
	free(ct);
	buf_free(&answer);
	return resp->err;
}

/* ---- PATCH /v1/admin/secrets/{id} ----------------------------------- */

struct update_state {
	struct json_object	*body;
	struct secret_input	 in;
	struct new_version	 nv;
	struct buf		 set, rm;
};

static void
update_state_free(void *p)
{
	struct update_state	*us = p;

	if (us == NULL)
		return;
	json_free_wiped(us->body);
	buf_free(&us->set);
	buf_free(&us->rm);
	free(us);
}

enum lb_err
secrets_update_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct update_state	*us;
	struct secret_update	*u;
	enum lb_err		 e;

	(void)ctx;
	if ((us = calloc(1, sizeof(*us))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = us;
	c->state_free = update_state_free;
	u = &us->nv.u;
	if ((e = answer_path_id(req, &u->id, resp)) != LB_OK ||
	    (e = validate_json_body(req, resp, 1, &us->body)) != LB_OK ||
	    (e = validate_patch(us->body, &us->in, resp)) != LB_OK)
		return e;
	u->name = us->in.name;
	u->set_provider = (us->in.has & SM_PROVIDER) != 0;
	u->provider_slug = us->in.provider_slug;
	c->provider_set = u->set_provider;
	c->provider = u->provider_slug;
	u->set_description = (us->in.has & SM_DESCRIPTION) != 0;
	u->description = us->in.description;
	if (us->in.has & SM_METADATA) {
		if (us->in.metadata == NULL)
			u->clear_metadata = 1;
		else {
			validate_metadata_split(us->in.metadata, &us->set,
			    &us->rm);
			u->metadata_set = us->set.data;
			u->metadata_remove = us->rm.data;
		}
	}
	if (us->set.oom || us->rm.oom)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	if (us->in.has & SM_VALUE) {
		us->nv.value = us->in.value;
		us->nv.value_len = us->in.value_len;
	}
	/* The version it follows is read first: the sealed value binds
	 * it. */
	store_secret_current_bind(&c->stmt, u->id, 0);
	return LB_OK;
}

enum lb_err
secrets_update_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct update_state	*us = c->state;

	return versions_write(ctx, req, c, &us->nv, resp);
}

/* ---- DELETE /v1/admin/secrets/{id} ---------------------------------- */

struct delete_state {
	int64_t		 id;
	int		 conditional;	/* If-Match named versions */
};

enum lb_err
secrets_delete_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct delete_state	*ds;
	struct buf		 ifm = { 0 };
	enum lb_err		 e;
	int64_t			 id;
	int			 permanent;

	if ((e = answer_path_id(req, &id, resp)) != LB_OK ||
	    (e = validate_flag(req, "permanent", &permanent, resp)) != LB_OK)
		return e;
	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = ds;
	c->state_free = free;
	ds->id = id;
	ds->conditional = validate_if_match(req->if_match, &ifm);
	if (permanent || ctx->cfg->deleted_retention == 0)
		c->action = "secret.destroy";
	/* The delete itself goes with the key lookup (keyed: it deletes
	 * nothing for a key that may not write); if its connection breaks,
	 * the secret being gone is what the client asked for. */
	store_secret_delete_bind(&c->stmt, id, ds->conditional ? ifm.data :
	    NULL, ctx->cfg->deleted_retention, permanent);
	e = ifm.oom ? http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory") :
	    LB_OK;
	buf_free(&ifm);
	store_secret_gone_bind(&c->probe, id);
	return e;
}

enum lb_err
secrets_delete_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct delete_state *ds = c->state;

	if (c->resolved || result_rows(&c->res) == 1) {
		resp->status = 204;
		return LB_OK;
	}
	/* Nothing deleted for an accepted key: without a condition, there
	 * was no such secret; with one, ask which. */
	return answer_error(resp, ds->conditional ?
	    store_secret_delete_why(ctx->db, ds->id, req->key.providers) :
	    LB_ERR_NOT_FOUND, ds->id);
}
