#include "autoconfig.h"

#include "handlers.h"

/* XXX issue 3 fills these in. */
static enum lb_err
todo(struct http_response *resp)
{
	return http_error(resp, LB_ERR_INTERNAL, NULL, "not implemented yet");
}

enum lb_err
secrets_list(struct lockbox_ctx *c, struct http_request *q, struct http_response *r)
{ (void)c; (void)q; return todo(r); }
enum lb_err
secrets_create(struct lockbox_ctx *c, struct http_request *q, struct http_response *r)
{ (void)c; (void)q; return todo(r); }
enum lb_err
secrets_get(struct lockbox_ctx *c, struct http_request *q, struct http_response *r)
{ (void)c; (void)q; return todo(r); }
enum lb_err
secrets_update(struct lockbox_ctx *c, struct http_request *q, struct http_response *r)
{ (void)c; (void)q; return todo(r); }
enum lb_err
secrets_delete(struct lockbox_ctx *c, struct http_request *q, struct http_response *r)
{ (void)c; (void)q; return todo(r); }
