/* The /v1/admin/secrets routes. Each has a prepare (checked input from
 * the validation module, its first statement bound, no I/O) and a finish
 * (the answer from that statement's result; dispatch.h). */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cursor.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "validate.h"

#define CREATE_PATH	"/v1/admin/secrets"

/* ---- shared --------------------------------------------------------- */

/* Renders a secret; value (with value_len) only for GET of one secret.
 * The buffer was sized beforehand (reserve_values) when a value goes in. */
static void
render_secret(struct buf *b, const struct secret_row *r, const char *value,
    size_t value_len)
{
	buf_puts(b, "{\"id\":");
	buf_put_i64(b, r->id);
	buf_puts(b, ",\"name\":");
	buf_json_str(b, r->name, strlen(r->name));
	buf_puts(b, ",\"provider_slug\":");
	buf_json_str_or_null(b, r->provider_slug);
	buf_puts(b, ",\"description\":");
	buf_json_str_or_null(b, r->description);
	buf_puts(b, ",\"metadata\":");
	buf_puts(b, r->metadata);
	buf_puts(b, ",\"version\":");
	buf_put_i64(b, r->version);
	buf_puts(b, ",\"created_at\":\"");
	buf_puts(b, r->created_at);
	buf_puts(b, "\",\"updated_at\":\"");
	buf_puts(b, r->updated_at);
	buf_putc(b, '"');
	if (value != NULL) {
		buf_puts(b, ",\"value\":");
		buf_json_str(b, value, value_len);
	}
	buf_putc(b, '}');
}

/* Room, up front, for rows secrets whose values total value_bytes, at the
 * worst-case escaping: the buffer must not move once a value is in it,
 * leaving a copy in freed memory. */
static int
reserve_values(struct buf *b, size_t value_bytes, size_t rows)
{
	size_t	 need = b->len + value_bytes * 6 + rows * 4096 + 64;

	if (b->cap >= need)
		return 0;
	buf_wipe(b);
	if ((b->data = malloc(need)) == NULL)
		return -1;
	b->cap = need;
	b->len = 0;
	b->data[0] = '\0';
	return 0;
}

static void
secret_headers(struct http_response *resp, int64_t id, int64_t version,
    int location)
{
	char	 n[BUF_I64_LEN], v[sizeof(CREATE_PATH "/\"\"") + BUF_I64_LEN];

	/* strcat and buf_i64, not printf, as everywhere on the request path. */
	if (location) {
		strcpy(v, CREATE_PATH "/");
		http_header(resp, "Location", strcat(v, buf_i64(n, id)));
	}
	strcpy(v, "\"");
	strcat(strcat(v, buf_i64(n, version)), "\"");
	http_header(resp, "ETag", v);
}

/* The answer for what went wrong with secret id, whatever the route. */
static enum lb_err
secret_error(struct http_response *resp, enum lb_err e, int64_t id)
{
	switch (e) {
	case LB_ERR_NOT_FOUND:
		return http_error(resp, e, NULL, "no secret with id %" PRId64,
		    id);
	case LB_ERR_PRECONDITION_FAILED:
		return http_error(resp, e, NULL, "If-Match does not match the "
		    "secret's current version");
	case LB_ERR_INVALID_FIELD:
		return http_error(resp, e, "metadata", "metadata may have at "
		    "most %d members after the merge", METADATA_MAX_MEMBERS);
	case LB_ERR_NAME_CONFLICT:
		return http_error(resp, e, "name", "another secret already has "
		    "this name for this provider_slug");
	default:
		return dispatch_failed(resp, e);
	}
}

/* Opens the sealed value in row (secret id) into a fresh buffer, which
 * the caller releases with value_free: *pt and *ptlen, also on failure. */
static enum lb_err
open_value(struct lockbox_ctx *ctx, int64_t id, const struct secret_row *row,
    char **pt, size_t *ptlen)
{
	enum lb_err	 e;

	*pt = NULL;
	*ptlen = 0;
	if (row->ct_len < CRYPTO_TAG_LEN)
		return LB_ERR_INTEGRITY;
	if ((*pt = malloc(row->ct_len - CRYPTO_TAG_LEN + 1)) == NULL)
		return LB_ERR_INTERNAL;
	*ptlen = row->ct_len - CRYPTO_TAG_LEN;
	if ((e = crypto_open(ctx->crypto, id, row->version, row->format,
	    row->key_id, row->nonce, row->ct, row->ct_len, *pt)) != LB_OK)
		log_msg(LOG_LVL_ERROR, "secret %" PRId64 " (version %" PRId64
		    ", key %d) failed authentication: its ciphertext, nonce, "
		    "id or version was altered, or its key is not in the ring",
		    id, row->version, row->key_id);
	return e;
}

static void
value_free(char *pt, size_t ptlen)
{
	if (pt == NULL)
		return;
	explicit_bzero(pt, ptlen);
	free(pt);
}

/* The {id} of the path, checked. */
static enum lb_err
path_id(struct http_request *req, int64_t *id, struct http_response *resp)
{
	return validate_id(req->nargs > 0 ? req->args[0] : NULL, id, resp);
}

/* A state of one int64 (the secret's id), for routes that need no more. */
static int
keep_id(struct call *c, int64_t id)
{
	int64_t	*p;

	if ((p = malloc(sizeof(*p))) == NULL)
		return -1;
	*p = id;
	c->state = p;
	c->state_free = free;
	return 0;
}

/* ---- GET /v1/admin/secrets ------------------------------------------ */

struct list_state {
	struct list_query	 q;
};

enum lb_err
secrets_list_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct list_state	*ls;
	enum lb_err		 e;
	int64_t			 after = 0;

	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = ls;
	c->state_free = free;
	if ((e = validate_list_query(req, &ls->q, resp)) != LB_OK)
		return e;
	if (ls->q.cursor != NULL && cursor_decode(ctx->crypto, ls->q.cursor,
	    ls->q.provider_slug, &after) != LB_OK)
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "the cursor was not issued by this server for this "
		    "filter, or was altered");
	/* One row more than asked tells whether another page exists,
	 * without a trailing empty page. */
	_Static_assert(LIMIT_MAX + 1 == 101, "sql/queries.sql: the inner "
	    "LIMIT of secret_list and secret_list_after is LIMIT_MAX + 1");
	store_secret_list_bind(&c->stmt, ls->q.provider_slug, after,
	    ls->q.limit + 1);
	return LB_OK;
}

enum lb_err
secrets_list_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct list_state	*ls = c->state;
	struct secret_row	 row;
	char			 next[CURSOR_LEN + 1];
	int			 n, i, more;

	(void)req;
	n = result_rows(&c->res);
	more = n > ls->q.limit;
	if (more)
		n = ls->q.limit;
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&resp->body, ',');
		store_secret_read(&c->res, i, 0, &row);
		render_secret(&resp->body, &row, NULL, 0);
	}
	buf_puts(&resp->body, more ? "],\"has_more\":true,\"next_cursor\":" :
	    "],\"has_more\":false,\"next_cursor\":");
	if (!more) {
		buf_puts(&resp->body, "null}");
		return LB_OK;
	}
	if (cursor_encode(ctx->crypto, row.id, ls->q.provider_slug, next) < 0)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
	buf_putc(&resp->body, '"');
	buf_puts(&resp->body, next);
	buf_puts(&resp->body, "\"}");
	return LB_OK;
}

/* ---- GET /v1/admin/secrets/{id} ------------------------------------- */

enum lb_err
secrets_get_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	enum lb_err	 e;
	int64_t		 id;

	(void)ctx;
	if ((e = path_id(req, &id, resp)) != LB_OK)
		return e;
	if (keep_id(c, id) < 0)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	store_secret_get_bind(&c->stmt, id);
	return LB_OK;
}

enum lb_err
secrets_get_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct secret_row	 row;
	enum lb_err		 e;
	int64_t			 id = *(int64_t *)c->state;
	char			*pt = NULL;
	size_t			 ptlen = 0;

	(void)req;
	if (result_rows(&c->res) != 1)
		return secret_error(resp, LB_ERR_NOT_FOUND, id);
	if ((e = store_secret_read(&c->res, 0, 1, &row)) != LB_OK ||
	    (e = open_value(ctx, id, &row, &pt, &ptlen)) != LB_OK)
		goto fail;
	if (reserve_values(&resp->body, ptlen, 1) < 0) {
		e = LB_ERR_INTERNAL;
		goto fail;
	}
	http_json(resp, 200);
	render_secret(&resp->body, &row, pt, ptlen);
	secret_headers(resp, id, row.version, 0);
	value_free(pt, ptlen);
	return LB_OK;
fail:
	value_free(pt, ptlen);
	return secret_error(resp, e, id);
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
	/* The id is read first: the sealed value binds it. */
	store_secret_next_id_bind(&c->stmt);
	return LB_OK;
}

static enum lb_err
name_taken(struct http_response *resp, const struct secret_input *in)
{
	return http_error(resp, LB_ERR_NAME_CONFLICT, "name",
	    "another secret already has this name%s", in->provider_slug ?
	    " for this provider_slug" : " (without a provider_slug)");
}

/* A create with an Idempotency-Key hit a unique constraint: the key's
 * record decides. It replays the original answer, or is 422 when the
 * request differs; without a record, a name conflict is just that. *again
 * is set when the create may simply go again: the record had expired and
 * was removed, or the request that held the key rolled back. */
static enum lb_err
replay(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp, const struct create_state *cs,
    enum store_conflict conflict, int *again)
{
	struct idempotency_row	 row;
	struct store_result	 res = { 0 };
	unsigned char		 mine[CRYPTO_MAC_LEN];
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
	if (!row.fresh) {
		result_free(&res);
		if ((e = store_idempotency_forget_expired(ctx->db,
		    req->key.key_id, req->idempotency_key,
		    ctx->cfg->idempotency_ttl)) != LB_OK)
			return dispatch_failed(resp, e);
		*again = 1;
		return LB_OK;
	}
	if (row.fingerprint_key_id == crypto_active_key(ctx->crypto))
		memcpy(mine, cs->fp, sizeof(mine));
	else
		memset(mine, 0, sizeof(mine));
	if (row.fingerprint_key_id != crypto_active_key(ctx->crypto) ||
	    !crypto_equal(mine, row.fingerprint, sizeof(mine)))
		e = http_error(resp, LB_ERR_IDEMPOTENCY_KEY_REUSED, NULL,
		    "this Idempotency-Key was already used for a different "
		    "request");
	else {
		http_json(resp, row.status);
		buf_puts(&resp->body, row.body);
		secret_headers(resp, row.secret_id, 1, 1);
		http_header(resp, "Idempotent-Replayed", "true");
	}
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

	store_secret_next_id_bind(&st);
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
	struct buf		 answer = { 0 };
	enum store_conflict	 conflict;
	unsigned char		 nonce[CRYPTO_NONCE_LEN], *ct = NULL;
	char			 created[40];
	enum lb_err		 e;
	int			 key_id, again, attempt;

	if ((ct = malloc(cs->in.value_len + CRYPTO_TAG_LEN)) == NULL) {
		e = http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	e = store_secret_next_id_read(&c->res, &ins.id, created);
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
		render_secret(&answer, &view, NULL, 0);

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
		ins.idempotency_key = req->idempotency_key;
		ins.fingerprint = cs->fp;
		ins.fingerprint_key_id = crypto_active_key(ctx->crypto);
		ins.response_body = answer.data;
		e = store_secret_insert(ctx->db, &ins, &conflict);
		if (e == LB_OK) {
			http_json(resp, 201);
			buf_append(&resp->body, answer.data, answer.len);
			secret_headers(resp, ins.id, 1, 1);
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

/* How many times a PATCH reads the secret again when another write got
 * in between its read and its update. */
#define UPDATE_ATTEMPTS	8

struct update_state {
	struct json_object	*body;
	struct secret_input	 in;
	struct secret_update	 u;
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
	u = &us->u;
	if ((e = path_id(req, &u->id, resp)) != LB_OK ||
	    (e = validate_json_body(req, resp, 1, &us->body)) != LB_OK ||
	    (e = validate_patch(us->body, &us->in, resp)) != LB_OK)
		return e;
	u->name = us->in.name;
	u->set_provider = (us->in.has & SM_PROVIDER) != 0;
	u->provider_slug = us->in.provider_slug;
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
	/* The version it follows is read first: the sealed value binds
	 * it. */
	store_secret_current_bind(&c->stmt, u->id);
	return LB_OK;
}

/* Seals the PATCH's value for the version after cur's: the new one, or,
 * when the PATCH keeps it, the current one opened (the additional data
 * binds the version, so every PATCH seals afresh). ct holds
 * VALUE_MAX_BYTES + CRYPTO_TAG_LEN. */
static enum lb_err
update_seal(struct lockbox_ctx *ctx, const struct secret_input *in,
    const struct secret_row *cur, struct secret_update *u,
    unsigned char nonce[CRYPTO_NONCE_LEN], unsigned char *ct)
{
	enum lb_err	 e;
	char		*pt = NULL;
	size_t		 ptlen = 0;

	if (in->has & SM_VALUE)
		e = crypto_seal(ctx->crypto, u->id, cur->version + 1, in->value,
		    in->value_len, &u->key_id, nonce, ct);
	else if ((e = open_value(ctx, u->id, cur, &pt, &ptlen)) == LB_OK &&
	    ptlen > VALUE_MAX_BYTES)
		e = LB_ERR_INTEGRITY;
	else if (e == LB_OK)
		e = crypto_seal(ctx->crypto, u->id, cur->version + 1, pt, ptlen,
		    &u->key_id, nonce, ct);
	u->nonce = nonce;
	u->ct = ct;
	u->ct_len = ((in->has & SM_VALUE) ? in->value_len : ptlen) +
	    CRYPTO_TAG_LEN;
	value_free(pt, ptlen);
	return e;
}

enum lb_err
secrets_update_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct update_state	*us = c->state;
	struct secret_update	*u = &us->u;
	struct secret_row	 cur, row;
	struct store_result	 res = { 0 };
	unsigned char		 nonce[CRYPTO_NONCE_LEN], *ct = NULL;
	enum lb_err		 e = LB_OK;
	int			 attempt;

	if ((ct = malloc(VALUE_MAX_BYTES + CRYPTO_TAG_LEN)) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	/* Read, seal for the next version, write that version unless another
	 * write got in between; then again from the read. */
	for (attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			result_free(&c->res);
			e = store_secret_current(ctx->db, u->id, &c->res);
		} else if (result_rows(&c->res) != 1)
			e = LB_ERR_NOT_FOUND;
		if (e == LB_OK)
			e = store_secret_read(&c->res, 0, 1, &cur);
		if (e == LB_OK && !validate_if_match_ok(req->if_match,
		    cur.version))
			e = LB_ERR_PRECONDITION_FAILED;
		if (e == LB_OK)
			e = update_seal(ctx, &us->in, &cur, u, nonce, ct);
		if (e != LB_OK)
			break;
		u->version = cur.version;
		if ((e = store_secret_update(ctx->db, u, &res)) !=
		    LB_ERR_PRECONDITION_FAILED)
			break;
	}
	if (e == LB_OK && store_secret_read(&res, 0, 0, &row) == LB_OK) {
		http_json(resp, 200);
		render_secret(&resp->body, &row, NULL, 0);
		secret_headers(resp, u->id, row.version, 0);
	} else if (e == LB_ERR_PRECONDITION_FAILED &&
	    attempt == UPDATE_ATTEMPTS)
		http_error(resp, e, NULL, "the secret kept changing while this "
		    "PATCH was applied; retry");
	else
		secret_error(resp, e, u->id);
	result_free(&res);
	explicit_bzero(ct, VALUE_MAX_BYTES + CRYPTO_TAG_LEN);
	free(ct);
	return resp->err;
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

	(void)ctx;
	if ((e = path_id(req, &id, resp)) != LB_OK)
		return e;
	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = ds;
	c->state_free = free;
	ds->id = id;
	ds->conditional = validate_if_match(req->if_match, &ifm);
	/* The delete itself goes with the key lookup (keyed: it deletes
	 * nothing for a key that may not write); if its connection breaks,
	 * the secret being gone is what the client asked for. */
	store_secret_delete_bind(&c->stmt, id, ds->conditional ? ifm.data :
	    NULL);
	e = ifm.oom ? http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory") :
	    LB_OK;
	buf_free(&ifm);
	store_secret_exists_bind(&c->probe, id);
	c->probe_row_means_done = 0;
	return e;
}

enum lb_err
secrets_delete_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct delete_state *ds = c->state;

	(void)req;
	if (c->resolved || result_rows(&c->res) == 1) {
		resp->status = 204;
		return LB_OK;
	}
	/* Nothing deleted for an accepted key: without a condition, there
	 * was no such secret; with one, ask which. */
	return secret_error(resp, ds->conditional ?
	    store_secret_delete_why(ctx->db, ds->id) : LB_ERR_NOT_FOUND, ds->id);
}
