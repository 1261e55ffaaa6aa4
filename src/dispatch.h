/* One request pipeline for every route.
 *
 * The dispatcher finds the route (router.h), checks the key's shape and
 * the query parameters, and lets the route's prepare check everything
 * else that needs no database and bind its first statement. It then sends
 * the API key lookup and that statement in one round trip; a statement
 * that goes before the key is checked is "keyed" (sql/queries.sql): it
 * checks the key itself and reads or changes nothing for a key that may
 * not, and the dispatcher appends the key and the route's level to it.
 * It decides the key (401, 403), then reports what prepare found wrong,
 * in the contract's order, and hands the statement's answer to the
 * route's finish. A write whose connection broke is resolved here, by
 * the probe its prepare named; errors of the database are answered here.
 * Routes never see the key lookup, the pipeline or the order of checks. */
#ifndef LOCKBOX_DISPATCH_H
#define LOCKBOX_DISPATCH_H

#include "router.h"
#include "store.h"

/* What a worker lends every route. */
struct lockbox_ctx {
	const struct config	*cfg;
	struct store		*db;
	struct crypto		*crypto;
	struct audit		*audit;		/* NULL: no audit log */
};

/* A request on its way through a route: what prepare leaves for the
 * dispatcher and for finish. */
struct call {
	/* The route's first statement (unbound: none). */
	struct stmt		 stmt;
	/* A first statement that writes names a probe (its route must
	 * declare that it writes): the statement that tells whether it took
	 * effect when its connection broke (store_resolve). */
	struct stmt		 probe;
	/* A level above the route's that this request needs (0: none), for
	 * a route whose requests may ask for more (a list with values). */
	enum scope_level	 level;
	/* The provider a secret will be under once this request is done (a
	 * create, a PATCH that moves it; NULL: none): the dispatcher refuses
	 * a key restricted to other providers, 403 on provider_slug. */
	int			 provider_set;
	const char		*provider;
	/* The request's audit action where it is not the route's (a DELETE
	 * that destroys); NULL: the route's. */
	const char		*action;
	/* Its answer, for finish; resolved when a lost write was found to
	 * have taken effect (res is then empty). */
	struct store_result	 res;
	int			 resolved;
	/* The request's key, for keyed statements finish sends. */
	struct store_key	 key;
	/* The route's own, from prepare to finish. */
	void			*state;
	void			(*state_free)(void *);
};

/* Answers req through its route; resp holds the answer or the error. */
void		dispatch(struct lockbox_ctx *, struct http_request *,
		    struct http_response *);

/* The answer for an error of the database (or the store) that a route
 * cannot put better: 503 when it had no effect, 500 otherwise, 401 when
 * a keyed statement refused the key. Returns the code, as http_error. */
enum lb_err	dispatch_failed(struct http_response *, enum lb_err);

#endif
