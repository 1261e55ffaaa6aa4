#include "autoconfig.h"

#include <string.h>

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

/* The document's one server URL, "/": under a mount, the mount. */
#define SERVER_URL	"\"url\": \"/\""

enum lb_err
openapi_finish(struct lockbox_ctx *ctx, struct http_request *req,
    struct call *c, struct http_response *resp)
{
	const char	*at;
	size_t		 off;

	(void)ctx, (void)c;
	http_json(resp, 200);
	at = req->mount[0] == '\0' ? NULL : memmem(openapi_json,
	    openapi_json_len, SERVER_URL, sizeof(SERVER_URL) - 1);
	if (at == NULL) {
		buf_append(&resp->body, openapi_json, openapi_json_len);
		return LB_OK;
	}
	off = (size_t)(at - (const char *)openapi_json);
	buf_append(&resp->body, openapi_json, off);
	buf_puts(&resp->body, "\"url\": \"");
	buf_puts(&resp->body, req->mount);	/* valid_mount: nothing to escape */
	buf_putc(&resp->body, '"');
	off += sizeof(SERVER_URL) - 1;
	buf_append(&resp->body, (const char *)openapi_json + off,
	    openapi_json_len - off);
	return LB_OK;
}
