/* The /v1/admin/secrets handlers: each reads checked input from the
 * validation module, talks to the store, and fills the response. */
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

/* Renders a secret; value (with value_len) only for GET of one secret. */
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

static enum lb_err
store_failed(struct http_response *resp, enum lb_err e)
{
	if (e == LB_ERR_DATABASE_UNAVAILABLE || e == LB_ERR_KEY_RETIRED)
		return http_error(resp, e, NULL,
		    "the database is unavailable; the request had no effect, "
		    "retry later");
	/* A statement that checks the key itself refused it: revoked since
	 * the lookup. */
	if (e == LB_ERR_NOT_FOUND)
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown or revoked");
	if (e == LB_ERR_INTEGRITY)
		return http_error(resp, e, NULL,
		    "the stored secret failed its integrity check");
	return http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
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

/* ---- list ----------------------------------------------------------- */

/* The page a list request asks for: its checked query, and the id its
 * cursor continues after (0 for the first page). */
static enum lb_err
list_page(struct lockbox_ctx *ctx, const struct http_request *req,
    struct list_query *q, int64_t *after, struct http_response *resp)
{
	enum lb_err	 e;

	*after = 0;
	if ((e = validate_list_query(req, q, resp)) != LB_OK)
		return e;
	if (q->cursor != NULL && cursor_decode(ctx->crypto, q->cursor,
	    q->provider_slug, after) != LB_OK)
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "the cursor was not issued by this server for this "
		    "filter, or was altered");
	return LB_OK;
}

void
secrets_list_ahead(struct lockbox_ctx *ctx, struct http_request *req)
{
	struct http_response	 quiet;
	struct list_query	 q;
	struct store_key	 k;
	int64_t			 after;

	memset(&quiet, 0, sizeof(quiet));
	if (auth_store_key(ctx, req, &k) &&
	    list_page(ctx, req, &q, &after, &quiet) == LB_OK)
		store_secret_list_ahead(ctx->db, q.provider_slug, after,
		    q.limit + 1, &k);
	http_response_free(&quiet);
}

enum lb_err
secrets_list(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	struct secret_row	 rows[LIMIT_MAX + 1];
	struct list_query	 q;
	struct store_key	 k;
	enum lb_err		 e;
	char			 next[CURSOR_LEN + 1];
	int64_t			 after;
	int			 n, i, more;

	if ((e = list_page(ctx, req, &q, &after, resp)) != LB_OK)
		return e;
	auth_store_key(ctx, req, &k);	/* checked: it passed auth_check */
	/* One row more than asked tells whether another page exists,
	 * without a trailing empty page. */
	_Static_assert(LIMIT_MAX + 1 == 101, "sql/queries.sql: the inner "
	    "LIMIT of secret_list and secret_list_after is LIMIT_MAX + 1");
	if ((e = store_secret_list(ctx->db, q.provider_slug, after,
	    q.limit + 1, &k, rows, &n)) != LB_OK)
		return store_failed(resp, e);
	more = n > q.limit;
	if (more)
		n = q.limit;
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&resp->body, ',');
		render_secret(&resp->body, &rows[i], NULL, 0);
	}
	buf_puts(&resp->body, more ? "],\"has_more\":true,\"next_cursor\":" :
	    "],\"has_more\":false,\"next_cursor\":");
	if (more) {
		if (cursor_encode(ctx->crypto, rows[n - 1].id, q.provider_slug,
		    next) < 0)
			return http_error(resp, LB_ERR_INTERNAL, NULL,
			    "internal error");
		buf_putc(&resp->body, '"');
		buf_puts(&resp->body, next);
		buf_puts(&resp->body, "\"}");
	} else
		buf_puts(&resp->body, "null}");
	return LB_OK;
}

/* ---- create --------------------------------------------------------- */

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
    struct http_response *resp, const struct secret_input *in,
    enum store_conflict conflict, const unsigned char *fp, int *again)
{
	struct idempotency_row	 row;
	unsigned char		 mine[CRYPTO_MAC_LEN];
	enum lb_err		 e;

	*again = 0;
	e = store_idempotency_find(ctx->db, req->key.id, req->idempotency_key,
	    ctx->cfg->idempotency_ttl, &row);
	if (e == LB_ERR_NOT_FOUND) {
		if (conflict == CONFLICT_NAME)
			return name_taken(resp, in);
		/* The key was taken a moment ago and is free now: the
		 * request holding it rolled back. */
		*again = 1;
		return LB_OK;
	}
	if (e != LB_OK)
		return store_failed(resp, e);
	if (!row.fresh) {
		if ((e = store_idempotency_forget_expired(ctx->db, req->key.id,
		    req->idempotency_key, ctx->cfg->idempotency_ttl)) != LB_OK)
			return store_failed(resp, e);
		*again = 1;
		return LB_OK;
	}
	if (row.fingerprint_key_id == crypto_active_key(ctx->crypto))
		memcpy(mine, fp, sizeof(mine));
	else
		memset(mine, 0, sizeof(mine));
	if (row.fingerprint_key_id != crypto_active_key(ctx->crypto) ||
	    !crypto_equal(mine, row.fingerprint, sizeof(mine)))
		return http_error(resp, LB_ERR_IDEMPOTENCY_KEY_REUSED, NULL,
		    "this Idempotency-Key was already used for a different "
		    "request");
	http_json(resp, row.status);
	buf_puts(&resp->body, row.body);
	secret_headers(resp, row.secret_id, 1, 1);
	http_header(resp, "Idempotent-Replayed", "true");
	return LB_OK;
}

void
secrets_create_ahead(struct lockbox_ctx *ctx, struct http_request *req)
{
	struct store_key	 k;

	if (auth_store_key(ctx, req, &k))
		store_secret_next_id_ahead(ctx->db, &k);
}

enum lb_err
secrets_create(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	struct json_object	*body = NULL;
	struct secret_input	 in;
	struct secret_insert	 ins;
	struct secret_row	 view;
	struct store_key	 k;
	struct buf		 meta = { 0 }, answer = { 0 };
	enum store_conflict	 conflict;
	unsigned char		 fp[CRYPTO_MAC_LEN], nonce[CRYPTO_NONCE_LEN];
	unsigned char		*ct = NULL;
	char			 created[40];
	enum lb_err		 e;
	int			 key_id, again, attempt;

	if ((e = validate_idempotency_key(req->idempotency_key, resp)) != LB_OK)
		goto out;
	if ((e = validate_json_body(req, resp, 0, &body)) != LB_OK)
		goto out;
	if ((e = validate_create(body, &in, resp)) != LB_OK)
		goto out;
	if (req->idempotency_key != NULL && fingerprint(ctx, body,
	    req->body_len, crypto_active_key(ctx->crypto), fp) < 0) {
		e = http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
		goto out;
	}
	if (in.metadata != NULL)
		json_write(&meta, in.metadata);
	else
		buf_puts(&meta, "{}");
	if ((ct = malloc(in.value_len + CRYPTO_TAG_LEN)) == NULL || meta.oom) {
		e = http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}

	auth_store_key(ctx, req, &k);	/* checked: it passed auth_check */
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = store_secret_next_id(ctx->db, &k, &ins.id, created)) !=
		    LB_OK) {
			store_failed(resp, e);
			goto out;
		}
		if ((e = crypto_seal(ctx->crypto, ins.id, 1, in.value,
		    in.value_len, &key_id, nonce, ct)) != LB_OK) {
			http_error(resp, LB_ERR_INTERNAL, NULL,
			    "internal error");
			goto out;
		}
		memset(&view, 0, sizeof(view));
		view.id = ins.id;
		view.name = in.name;
		view.provider_slug = in.provider_slug;
		view.description = in.description;
		view.metadata = meta.data;
		view.version = 1;
		view.created_at = view.updated_at = created;
		buf_reset(&answer);
		render_secret(&answer, &view, NULL, 0);

		ins.name = in.name;
		ins.provider_slug = in.provider_slug;
		ins.description = in.description;
		ins.metadata = meta.data;
		ins.key_id = key_id;
		ins.nonce = nonce;
		ins.ct = ct;
		ins.ct_len = in.value_len + CRYPTO_TAG_LEN;
		ins.created_at = created;
		ins.api_key_id = req->key.id;
		ins.idempotency_key = req->idempotency_key;
		ins.fingerprint = fp;
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
			store_failed(resp, e);
			goto out;
		}
		/* With a key, a conflict may be our own earlier attempt: its
		 * record decides, even when the name is what collided. */
		if (req->idempotency_key != NULL) {
			e = replay(ctx, req, resp, &in, conflict, fp, &again);
			if (e != LB_OK || !again)
				goto out;
			continue;
		}
		e = name_taken(resp, &in);
		goto out;
	}
	e = http_error(resp, LB_ERR_IDEMPOTENCY_KEY_IN_PROGRESS, NULL,
	    "a request with this Idempotency-Key is being processed; retry "
	    "later");
out:
	free(ct);
	buf_free(&meta);
	buf_free(&answer);
	json_free_wiped(body);
	return resp->err;
}

/* ---- get ------------------------------------------------------------ */

/* Opens the sealed value in row (secret id) into a fresh buffer, which
 * the caller wipes and frees: *pt and *ptlen, also on failure. */
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

/* Reads ahead, with fn, the secret a route's {id} names, when the request
 * has a key of the right shape and a valid id. */
static void
by_id_ahead(struct lockbox_ctx *ctx, struct http_request *req,
    void (*fn)(struct store *, int64_t, const struct store_key *))
{
	struct http_response	 quiet;
	struct store_key	 k;
	int64_t			 id;

	memset(&quiet, 0, sizeof(quiet));
	if (auth_store_key(ctx, req, &k) &&
	    validate_id(req->path_arg, &id, &quiet) == LB_OK)
		fn(ctx->db, id, &k);
	http_response_free(&quiet);
}

void
secrets_get_ahead(struct lockbox_ctx *ctx, struct http_request *req)
{
	by_id_ahead(ctx, req, store_secret_get_ahead);
}

enum lb_err
secrets_get(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	struct secret_row	 row;
	struct store_key	 k;
	enum lb_err		 e;
	int64_t			 id;
	char			*pt = NULL;
	size_t			 ptlen = 0, need;

	if ((e = validate_id(req->path_arg, &id, resp)) != LB_OK)
		return e;
	auth_store_key(ctx, req, &k);	/* checked: it passed auth_check */
	e = store_secret_get(ctx->db, id, &k, &row);
	if (e == LB_ERR_NOT_FOUND)
		return http_error(resp, e, NULL, "no secret with id %" PRId64,
		    id);
	if (e != LB_OK)
		return store_failed(resp, e);
	if ((e = open_value(ctx, id, &row, &pt, &ptlen)) != LB_OK)
		goto fail;
	/* Room for the worst-case escaping up front: the buffer must not
	 * move, leaving a copy of the value in freed memory. */
	need = resp->body.len + ptlen * 6 + 4096;
	if (resp->body.cap < need) {
		buf_wipe(&resp->body);
		if ((resp->body.data = malloc(need)) == NULL) {
			e = LB_ERR_INTERNAL;
			goto fail;
		}
		resp->body.cap = need;
		resp->body.data[0] = '\0';
	}
	http_json(resp, 200);
	render_secret(&resp->body, &row, pt, ptlen);
	secret_headers(resp, id, row.version, 0);
	value_free(pt, ptlen);
	return LB_OK;
fail:
	value_free(pt, ptlen);
	return store_failed(resp, e);
}

/* ---- update --------------------------------------------------------- */

/* How many times a PATCH reads the secret again when another write got
 * in between its read and its update. */
#define UPDATE_ATTEMPTS	8

void
secrets_update_ahead(struct lockbox_ctx *ctx, struct http_request *req)
{
	by_id_ahead(ctx, req, store_secret_current_ahead);
}

/* Checks a PATCH body into u (pointing into the tree and the buffers):
 * everything but the version and the sealed value. */
static enum lb_err
update_build(struct http_request *req, struct http_response *resp,
    struct secret_update *u, struct secret_input *in,
    struct json_object **body, struct buf *set, struct buf *rm)
{
	enum lb_err	 e;

	if ((e = validate_id(req->path_arg, &u->id, resp)) != LB_OK ||
	    (e = validate_json_body(req, resp, 1, body)) != LB_OK ||
	    (e = validate_patch(*body, in, resp)) != LB_OK)
		return e;
	u->name = in->name;
	u->set_provider = (in->has & SM_PROVIDER) != 0;
	u->provider_slug = in->provider_slug;
	u->set_description = (in->has & SM_DESCRIPTION) != 0;
	u->description = in->description;
	if (in->has & SM_METADATA) {
		if (in->metadata == NULL)
			u->clear_metadata = 1;
		else {
			validate_metadata_split(in->metadata, set, rm);
			u->metadata_set = set->data;
			u->metadata_remove = rm->data;
		}
	}
	if (set->oom || rm->oom)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
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
secrets_update(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	struct json_object	*body = NULL;
	struct secret_input	 in;
	struct secret_update	 u;
	struct secret_row	 cur, row;
	struct store_key	 k;
	struct buf		 set = { 0 }, rm = { 0 };
	unsigned char		 nonce[CRYPTO_NONCE_LEN], *ct = NULL;
	enum lb_err		 e;
	int			 attempt;

	memset(&u, 0, sizeof(u));
	if (update_build(req, resp, &u, &in, &body, &set, &rm) != LB_OK)
		goto out;
	auth_store_key(ctx, req, &k);	/* checked: it passed auth_check */
	u.key = &k;
	if ((ct = malloc(VALUE_MAX_BYTES + CRYPTO_TAG_LEN)) == NULL) {
		http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	/* Read, seal for the next version, write that version unless another
	 * write got in between; then again from the read. */
	for (attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
		e = store_secret_current(ctx->db, u.id, &k, &cur);
		if (e == LB_OK && !validate_if_match_ok(req->if_match,
		    cur.version))
			e = LB_ERR_PRECONDITION_FAILED;
		if (e == LB_OK)
			e = update_seal(ctx, &in, &cur, &u, nonce, ct);
		if (e != LB_OK)
			break;
		u.version = cur.version;
		if ((e = store_secret_update(ctx->db, &u, &row)) !=
		    LB_ERR_PRECONDITION_FAILED)
			break;
	}
	switch (e) {
	case LB_OK:
		http_json(resp, 200);
		render_secret(&resp->body, &row, NULL, 0);
		secret_headers(resp, u.id, row.version, 0);
		break;
	case LB_ERR_NOT_FOUND:
		http_error(resp, e, NULL, "no secret with id %" PRId64, u.id);
		break;
	case LB_ERR_PRECONDITION_FAILED:
		http_error(resp, e, NULL, attempt < UPDATE_ATTEMPTS ?
		    "If-Match does not match the secret's current version" :
		    "the secret kept changing while this PATCH was applied; "
		    "retry");
		break;
	case LB_ERR_INVALID_FIELD:
		http_error(resp, e, "metadata", "metadata may have at most %d "
		    "members after the merge", METADATA_MAX_MEMBERS);
		break;
	case LB_ERR_NAME_CONFLICT:
		http_error(resp, e, "name", "another secret already has this "
		    "name for this provider_slug");
		break;
	default:
		store_failed(resp, e);
		break;
	}
out:
	if (ct != NULL) {
		explicit_bzero(ct, VALUE_MAX_BYTES + CRYPTO_TAG_LEN);
		free(ct);
	}
	buf_free(&set);
	buf_free(&rm);
	json_free_wiped(body);
	return resp->err;
}

/* ---- delete --------------------------------------------------------- */

/* Whether a write may go ahead with the key lookup: the request passes
 * every check that needs no database (store.h: the statement itself
 * refuses a key that may not write). */
static int
may_go_ahead(struct lockbox_ctx *ctx, struct http_request *req,
    struct store_key *k)
{
	return auth_store_key(ctx, req, k) && router_params_ok(req);
}

/* Reports, once the request is admitted, what validation found before. */
static enum lb_err
report(struct http_response *resp, const struct http_response *found)
{
	return http_error(resp, found->err, found->err_field[0] ?
	    found->err_field : NULL, "%s", found->err_message);
}

enum lb_err
secrets_delete(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	struct http_response	 found;
	struct store_key	 k;
	struct buf		 ifm = { 0 };
	const char		*im;
	enum lb_err		 e;
	int64_t			 id = 0;

	memset(&found, 0, sizeof(found));
	im = validate_if_match(req->if_match, &ifm) ? ifm.data : NULL;
	e = validate_id(req->path_arg, &id, &found);
	if (e == LB_OK && ifm.oom)
		e = http_error(&found, LB_ERR_INTERNAL, NULL, "out of memory");
	if (e == LB_OK && may_go_ahead(ctx, req, &k))
		store_secret_delete_ahead(ctx->db, id, im, &k);
	if (router_admit(ctx, req, resp) != LB_OK)
		goto out;
	auth_store_key(ctx, req, &k);	/* checked: it passed auth_check */
	if (e != LB_OK) {
		report(resp, &found);
		goto out;
	}
	switch ((e = store_secret_delete(ctx->db, id, im, &k))) {
	case LB_OK:
		resp->status = 204;
		break;
	case LB_ERR_NOT_FOUND:
		http_error(resp, e, NULL, "no secret with id %" PRId64, id);
		break;
	case LB_ERR_PRECONDITION_FAILED:
		http_error(resp, e, NULL, "If-Match does not match the "
		    "secret's current version");
		break;
	default:
		store_failed(resp, e);
		break;
	}
out:
	http_response_free(&found);
	buf_free(&ifm);
	return resp->err;
}
