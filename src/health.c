#include "autoconfig.h"

#include "handlers.h"

/* GET /v1/health: whether this worker reaches PostgreSQL. */
enum lb_err
health_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	(void)ctx, (void)req, (void)resp;
	stmt_init(&c->stmt, SQL_PING);
	return LB_OK;
}

enum lb_err
health_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	(void)ctx, (void)req, (void)c;
	http_json(resp, 200);
	buf_puts(&resp->body, "{\"status\":\"ok\"}");
	return LB_OK;
}
