#include "autoconfig.h"

#include "handlers.h"
#include "openapi_doc.h"

enum lb_err
openapi_get(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp)
{
	(void)ctx;
	(void)req;
	http_json(resp, 200);
	buf_append(&resp->body, openapi_json, openapi_json_len);
	return LB_OK;
}
