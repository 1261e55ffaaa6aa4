/* Every route handler (see router.c for the table that calls them). */
#ifndef LOCKBOX_HANDLERS_H
#define LOCKBOX_HANDLERS_H

#include "router.h"

/* health.c */
enum lb_err	health_get(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
/* openapi.c */
enum lb_err	openapi_get(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
/* secrets.c */
enum lb_err	secrets_list(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
enum lb_err	secrets_create(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
enum lb_err	secrets_get(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
enum lb_err	secrets_update(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
enum lb_err	secrets_delete(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
void		secrets_list_ahead(struct lockbox_ctx *,
		    struct http_request *);
void		secrets_create_ahead(struct lockbox_ctx *,
		    struct http_request *);
void		secrets_get_ahead(struct lockbox_ctx *,
		    struct http_request *);
void		secrets_update_ahead(struct lockbox_ctx *,
		    struct http_request *);

#endif
