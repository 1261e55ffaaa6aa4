#include "autoconfig.h"

#include "handlers.h"

enum lb_err
health_get(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	(void)req;
	if (store_ping(ctx->db) != LB_OK)
		return http_error(resp, LB_ERR_DATABASE_UNAVAILABLE, NULL,
		    "the database is unavailable");
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"status\":\"ok\"}");
	return LB_OK;
}
