/* X-API-Key authentication: the key's shape and hashes, and the decision
 * from its lookup (which dispatch.c sends in the route's first round
 * trip). What a key may do is scope.h's. */
#ifndef LOCKBOX_AUTH_H
#define LOCKBOX_AUTH_H

#include "dispatch.h"

/* Whether the request carries a key of the right shape. Its prefix,
 * SHA-256 and keyed hashes under every ring key are then in req. Parsed
 * at the first call of the request only. */
int		auth_key_parse(struct lockbox_ctx *, struct http_request *);

/* The request's key as keyed statements take it (pointing into req); 0
 * when it has no key's shape. */
int		auth_store_key(struct lockbox_ctx *, struct http_request *,
		    struct store_key *);

/* Accepts the request's key for a route of level need from its lookup's
 * answer, or replies 401 or 403 (503 when this worker's ring cannot check
 * it) and returns the error. On success req->key is the principal. An
 * unknown key and a wrong one take the same path: one keyed hash and one
 * constant-time comparison. */
enum lb_err	auth_decide(struct lockbox_ctx *, struct http_request *,
		    const struct store_result *lookup, enum scope_level need,
		    struct http_response *);

/* After the answer: a key accepted under a retired ring key gets its
 * stored hash moved to the active key (auth_decide marks it). */
void		auth_rehash(struct lockbox_ctx *, struct http_request *);

#endif
