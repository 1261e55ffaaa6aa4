#include "autoconfig.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "cursor.h"
#include "log.h"
#include "validate.h"

#define SECRETS_PATH	"/v1/admin/secrets"

void
answer_secret(struct buf *b, const struct secret_row *r, const char *value,
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

void
answer_deleted(struct buf *b, const struct secret_row *r)
{
	answer_secret(b, r, NULL, 0);
	/* The object's closing brace gives way to two more members. */
	b->data[--b->len] = '\0';
	buf_puts(b, ",\"deleted_at\":\"");
	buf_puts(b, r->deleted_at);
	buf_puts(b, "\",\"destroy_at\":\"");
	buf_puts(b, r->destroy_at);
	buf_puts(b, "\"}");
}

void
answer_version(struct buf *b, const struct secret_row *r, const char *value,
    size_t value_len)
{
	if (value != NULL) {
		buf_puts(b, "{\"id\":");
		buf_put_i64(b, r->id);
		buf_puts(b, ",\"version\":");
	} else
		buf_puts(b, "{\"version\":");
	buf_put_i64(b, r->version);
	buf_puts(b, ",\"created_at\":\"");
	buf_puts(b, r->created_at);
	buf_puts(b, "\",\"api_key_id\":");
	if (r->api_key_id > 0)
		buf_put_i64(b, r->api_key_id);
	else
		buf_puts(b, "null");
	if (value != NULL) {
		buf_puts(b, ",\"value\":");
		buf_json_str(b, value, value_len);
	} else
		buf_puts(b, r->value_changed ? ",\"value_changed\":true" :
		    ",\"value_changed\":false");
	buf_putc(b, '}');
}

static size_t
opt_len(const char *s)
{
	return s != NULL ? buf_json_len(s, strlen(s)) : 4;
}

size_t
answer_size(const struct secret_row *r, const char *value, size_t value_len)
{
	/* The members' names, numbers and times take less than 256. */
	return 256 + opt_len(r->name) + opt_len(r->provider_slug) +
	    opt_len(r->description) + (r->metadata != NULL ?
	    strlen(r->metadata) : 0) + (value != NULL ?
	    buf_json_len(value, value_len) : 0);
}

int
answer_reserve(struct buf *b, size_t n)
{
	char	*p;
	size_t	 len = b->len, need = len + n + 1;

	if (b->cap >= need)
		return 0;
	/* Not realloc: what the buffer held before (an earlier answer) is
	 * wiped, not left behind in freed memory. */
	if ((p = malloc(need)) == NULL)
		return -1;
	if (len > 0)
		memcpy(p, b->data, len);
	p[len] = '\0';
	buf_wipe(b);
	b->data = p;
	b->cap = need;
	b->len = len;
	return 0;
}

enum lb_err
answer_open(struct lockbox_ctx *ctx, const struct secret_row *row,
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
	if ((e = crypto_open(ctx->crypto, row->id, row->version, row->format,
	    row->key_id, row->nonce, row->ct, row->ct_len, *pt)) != LB_OK)
		log_msg(LOG_LVL_ERROR, "secret %" PRId64 " (version %" PRId64
		    ", key %d) failed authentication: its ciphertext, nonce, "
		    "id or version was altered, or its key is not in the ring",
		    row->id, row->version, row->key_id);
	return e;
}

enum lb_err
answer_value(struct lockbox_ctx *ctx, struct http_response *resp,
    const struct secret_row *row, int version_body)
{
	enum lb_err	 e;
	char		*pt = NULL;
	size_t		 ptlen = 0;

	if ((e = answer_open(ctx, row, &pt, &ptlen)) != LB_OK)
		goto out;
	http_json(resp, 200);
	if (answer_reserve(&resp->body, answer_size(row, pt, ptlen)) < 0) {
		e = LB_ERR_INTERNAL;
		goto out;
	}
	if (version_body)
		answer_version(&resp->body, row, pt, ptlen);
	else
		answer_secret(&resp->body, row, pt, ptlen);
	answer_headers(resp, row->id, row->version, 0);
out:
	answer_value_free(pt, ptlen);
	return e == LB_OK ? LB_OK : answer_error(resp, e, row->id);
}

void
answer_value_free(char *pt, size_t ptlen)
{
	if (pt == NULL)
		return;
	explicit_bzero(pt, ptlen);
	free(pt);
}

void
answer_headers(struct http_response *resp, int64_t id, int64_t version,
    int location)
{
	char	 n[BUF_I64_LEN], v[HTTP_MOUNT_MAX + sizeof(SECRETS_PATH "/\"\"") +
	    BUF_I64_LEN];

	/* strcat and buf_i64, not printf, as everywhere on the request path. */
	if (location) {
		strcpy(v, resp->mount != NULL ? resp->mount : "");
		strcat(v, SECRETS_PATH "/");
		http_header(resp, "Location", strcat(v, buf_i64(n, id)));
	}
	strcpy(v, "\"");
	strcat(strcat(v, buf_i64(n, version)), "\"");
	http_header(resp, "ETag", v);
}

enum lb_err
answer_error(struct http_response *resp, enum lb_err e, int64_t id)
{
	switch (e) {
	case LB_ERR_NOT_FOUND:
		return http_error(resp, e, NULL, "no secret with id %" PRId64,
		    id);
	case LB_ERR_VERSION_NOT_FOUND:
		return http_error(resp, e, "version", "secret %" PRId64 " has "
		    "no such version kept", id);
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

enum lb_err
answer_path_id(struct http_request *req, int64_t *id,
    struct http_response *resp)
{
	return validate_id(req->nargs > 0 ? req->args[0] : NULL, id, resp);
}

int
answer_keep_id(struct call *c, int64_t id)
{
	int64_t	*p;

	if ((p = malloc(sizeof(*p))) == NULL)
		return -1;
	*p = id;
	c->state = p;
	c->state_free = free;
	return 0;
}

enum lb_err
answer_page_end(struct lockbox_ctx *ctx, struct http_response *resp,
    int more, int64_t last, const char *provider_slug, const char *bound)
{
	char	 next[CURSOR_LEN + 1];

	if (!more) {
		buf_puts(&resp->body, "],\"has_more\":false,"
		    "\"next_cursor\":null}");
		return LB_OK;
	}
	if (cursor_encode_bound(ctx->crypto, last, provider_slug, bound,
	    next) < 0)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
	buf_puts(&resp->body, "],\"has_more\":true,\"next_cursor\":\"");
	buf_puts(&resp->body, next);
	buf_puts(&resp->body, "\"}");
	return LB_OK;
}
