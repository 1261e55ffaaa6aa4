/* Method and path to handler, through one static table: 404 and 405 are
 * decided here, then authentication, scope and the query parameters the
 * route allows, in the contract's order, before any handler runs. */
#ifndef LOCKBOX_ROUTER_H
#define LOCKBOX_ROUTER_H

#include "config.h"
#include "crypto.h"
#include "http.h"
#include "store.h"

/* What a worker lends every handler. */
struct lockbox_ctx {
	const struct config	*cfg;
	struct store		*db;
	struct crypto		*crypto;
};

/* A handler fills resp: a success status and body, or an error through
 * http_error (whose code it returns). */
typedef enum lb_err (*route_handler)(struct lockbox_ctx *,
    struct http_request *, struct http_response *);
/* Names the read its handler will make first, before the API key is
 * checked, so that both travel in one round trip (store.h, read ahead).
 * Silent: a request it cannot read ahead for is simply not read ahead. */
typedef void (*route_ahead)(struct lockbox_ctx *, struct http_request *);

void	router_dispatch(struct lockbox_ctx *, struct http_request *,
	    struct http_response *);

/* For the handlers of writes, which admit their own requests: they first
 * queue the write to go with the key lookup (store.h), then call
 * router_admit, which checks the key, its scope and the query
 * parameters, in the contract's order, and reports what fails.
 * router_params_ok tells beforehand, silently, whether the parameters
 * will pass. */
enum lb_err	router_admit(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);
int		router_params_ok(struct http_request *);

#endif
