/* Every route's two functions (router.c's table names them; dispatch.h
 * says what each does). One file per resource. */
#ifndef LOCKBOX_HANDLERS_H
#define LOCKBOX_HANDLERS_H

#include "dispatch.h"

#define ROUTE_FUNCTIONS(name)						\
	enum lb_err name##_prepare(struct lockbox_ctx *,		\
	    struct http_request *, struct call *, struct http_response *); \
	enum lb_err name##_finish(struct lockbox_ctx *,			\
	    struct http_request *, struct call *, struct http_response *)

/* health.c */
ROUTE_FUNCTIONS(health);
/* openapi.c */
ROUTE_FUNCTIONS(openapi);
/* secrets.c */
ROUTE_FUNCTIONS(secrets_list);
ROUTE_FUNCTIONS(secrets_create);
ROUTE_FUNCTIONS(secrets_lookup);
ROUTE_FUNCTIONS(secrets_get);
ROUTE_FUNCTIONS(secrets_update);
ROUTE_FUNCTIONS(secrets_delete);
/* versions.c */
ROUTE_FUNCTIONS(versions_list);
ROUTE_FUNCTIONS(versions_get);
ROUTE_FUNCTIONS(versions_restore);
/* audit_api.c */
ROUTE_FUNCTIONS(audit_list);
/* deleted.c */
ROUTE_FUNCTIONS(deleted_list);
ROUTE_FUNCTIONS(deleted_restore);
ROUTE_FUNCTIONS(deleted_destroy);

#endif
