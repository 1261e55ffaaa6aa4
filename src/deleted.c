/* The deleted secrets, in their recovery window: the list, a restore,
 * and destruction before the window ends. */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "cursor.h"
#include "handlers.h"
#include "validate.h"

/* What a cursor of this list is bound to besides the provider. */
#define DELETED_BOUND	"deleted"

/* ---- GET /v1/admin/deleted-secrets ----------------------------------- */

enum lb_err
deleted_list_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct list_query	*q;
	enum lb_err		 e;
	int64_t			 after = 0;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	c->state = q;
	c->state_free = free;
	if ((e = validate_list_query(req, q, resp)) != LB_OK)
		return e;
	if (q->cursor != NULL && cursor_decode_bound(ctx->crypto, q->cursor,
	    q->provider_slug, DELETED_BOUND, &after) != LB_OK)
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "the cursor was not issued by this server for this "
		    "filter, or was altered");
	store_deleted_list_bind(&c->stmt, q->provider_slug, after,
	    q->limit + 1);
	return LB_OK;
}

enum lb_err
deleted_list_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const struct list_query	*q = c->state;
	struct secret_row	 row;
	int			 n, i, more;

	(void)req;
	memset(&row, 0, sizeof(row));
	n = result_rows(&c->res);
	more = n > q->limit;
	if (more)
		n = q->limit;
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&resp->body, ',');
		store_deleted_read(&c->res, i, &row);
		answer_deleted(&resp->body, &row);
	}
	return answer_page_end(ctx, resp, more, row.delete_seq,
	    q->provider_slug, DELETED_BOUND);
}

/* ---- POST /v1/admin/deleted-secrets/{id}/restore --------------------- */

enum lb_err
deleted_restore_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	enum lb_err	 e;
	int64_t		 id;

	(void)ctx;
	if ((e = answer_path_id(req, &id, resp)) != LB_OK ||
	    (e = validate_no_body(req, resp)) != LB_OK)
		return e;
	if (answer_keep_id(c, id) < 0)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	/* Whether it is there to restore, with the key lookup; the restore
	 * itself may fail on the name, which only its own answer tells. */
	store_deleted_find_bind(&c->stmt, id);
	return LB_OK;
}

enum lb_err
deleted_restore_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	struct store_result	 res = { 0 };
	struct secret_row	 row;
	enum lb_err		 e;
	int64_t			 id = *(int64_t *)c->state;

	if (result_rows(&c->res) != 1)
		return http_error(resp, LB_ERR_NOT_FOUND, NULL, "no deleted "
		    "secret with id %" PRId64 " in its recovery window", id);
	switch ((e = store_deleted_restore(ctx->db, id, req->key.providers,
	    &res))) {
	case LB_OK:
		store_secret_read(&res, 0, 0, &row);
		http_json(resp, 200);
		answer_secret(&resp->body, &row, NULL, 0);
		answer_headers(resp, id, row.version, 0);
		break;
	case LB_ERR_NAME_CONFLICT:
		http_error(resp, e, "name", "another secret has taken this "
		    "secret's name (and provider_slug) since it was deleted; "
		    "rename or delete that one first");
		break;
	case LB_ERR_NOT_FOUND:
		http_error(resp, e, NULL, "no deleted secret with id %" PRId64
		    " in its recovery window", id);
		break;
	default:
		dispatch_failed(resp, e);
		break;
	}
	result_free(&res);
	return resp->err;
}

/* ---- DELETE /v1/admin/deleted-secrets/{id} --------------------------- */

enum lb_err
deleted_destroy_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	enum lb_err	 e;
	int64_t		 id;

	(void)ctx;
	if ((e = answer_path_id(req, &id, resp)) != LB_OK)
		return e;
	if (answer_keep_id(c, id) < 0)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	store_deleted_destroy_bind(&c->stmt, id);
	store_deleted_gone_bind(&c->probe, id);
	return LB_OK;
}

enum lb_err
deleted_destroy_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	(void)ctx, (void)req;
	if (c->resolved || result_rows(&c->res) == 1) {
		resp->status = 204;
		return LB_OK;
	}
	return http_error(resp, LB_ERR_NOT_FOUND, NULL, "no deleted secret "
	    "with id %" PRId64 " in its recovery window", *(int64_t *)c->state);
}
