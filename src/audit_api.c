/* GET /v1/admin/audit: the audit log, newest first, for a key with the
 * audit scope. */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "cursor.h"
#include "handlers.h"
#include "validate.h"

struct audit_list {
	struct audit_query	 q;
	/* What a cursor is bound to: this list and every filter. */
	char			 bound[512];
};

enum lb_err
audit_list_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct audit_list	*al;
	enum lb_err		 e;
	int64_t			 before = INT64_MAX;

	if ((al = calloc(1, sizeof(*al))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = al;
	c->state_free = free;
	if ((e = validate_audit_query(req, &al->q, resp)) != LB_OK)
		return e;
	snprintf(al->bound, sizeof(al->bound), "audit|%s|%lld|%lld|%d|%s|%s",
	    al->q.action ? al->q.action : "", (long long)al->q.secret_id,
	    (long long)al->q.api_key_id, al->q.status,
	    al->q.since ? al->q.since : "", al->q.until ? al->q.until : "");
	if (al->q.cursor != NULL && cursor_decode_bound(ctx->crypto,
	    al->q.cursor, NULL, al->bound, &before) != LB_OK)
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "the cursor was not issued by this server for these "
		    "filters, or was altered");
	store_audit_list_bind(&c->stmt, &al->q, before, al->q.limit + 1);
	return LB_OK;
}

/* A number, or null. */
static void
num_or_null(struct buf *b, const char *s)
{
	buf_puts(b, s != NULL ? s : "null");
}

/* secret_ids as PostgreSQL writes a bigint[] ({1,2}): a JSON array. */
static void
ids_array(struct buf *b, const char *s)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) < 2) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '[');
	buf_append(b, s + 1, n - 2);
	buf_putc(b, ']');
}

static void
event_json(struct buf *b, const struct audit_row *r)
{
	buf_puts(b, "{\"id\":");
	buf_put_i64(b, r->id);
	buf_puts(b, ",\"at\":");
	buf_json_str_or_null(b, r->at);
	buf_puts(b, ",\"request_id\":");
	buf_json_str_or_null(b, r->request_id);
	buf_puts(b, ",\"action\":");
	buf_json_str_or_null(b, r->action);
	buf_puts(b, ",\"status\":");
	num_or_null(b, r->status);
	buf_puts(b, ",\"api_key_id\":");
	num_or_null(b, r->api_key_id);
	buf_puts(b, ",\"api_key_prefix\":");
	buf_json_str_or_null(b, r->api_key_prefix);
	buf_puts(b, ",\"secret_id\":");
	num_or_null(b, r->secret_id);
	buf_puts(b, ",\"version\":");
	num_or_null(b, r->version);
	buf_puts(b, ",\"secret_ids\":");
	ids_array(b, r->secret_ids);
	buf_puts(b, ",\"remote_addr\":");
	buf_json_str_or_null(b, r->remote_addr);
	buf_putc(b, '}');
}

enum lb_err
audit_list_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct audit_list	*al = c->state;
	struct audit_row	 row;
	int			 n, i, more;

	(void)req;
	memset(&row, 0, sizeof(row));
	n = result_rows(&c->res);
	more = n > al->q.limit;
	if (more)
		n = al->q.limit;
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&resp->body, ',');
		store_audit_row_read(&c->res, i, &row);
		event_json(&resp->body, &row);
	}
	return answer_page_end(ctx, resp, more, row.id, NULL, al->bound);
}
