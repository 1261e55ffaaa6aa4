#include "autoconfig.h"

#include "handlers.h"
#include "openapi_doc.h"

/* GET /v1/openapi.json: the API, compiled in. */
enum lb_err
openapi_prepare(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	(void)ctx, (void)req, (void)c, (void)resp;
	return LB_OK;
}

enum lb_err
openapi_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	(void)ctx, (void)req, (void)c;
	http_json(resp, 200);
	buf_append(&resp->body, openapi_json, openapi_json_len);
	return LB_OK;
}
