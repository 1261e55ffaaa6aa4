/* X-API-Key authentication and scopes. */
#ifndef LOCKBOX_AUTH_H
#define LOCKBOX_AUTH_H

#include "router.h"

/* Accepts the request's key for scope need, or replies 401/403 (or 503
 * when the database is down) and returns the error. On success req->key
 * describes the key. An unknown key and a wrong one take the same path:
 * one lookup by prefix, one keyed hash and one constant-time comparison. */
enum lb_err	auth_check(struct lockbox_ctx *, struct http_request *,
		    struct http_response *, enum http_scope need);

/* Whether the request carries a key of the right shape. Its prefix,
 * SHA-256 and keyed hashes under every ring key are then in req. Parsed
 * at the first call of the request only. */
int		auth_key_parse(struct lockbox_ctx *, struct http_request *);

/* The request's key as the statements that check it in SQL take it
 * (pointing into req); 0 when it has no key's shape. */
int		auth_store_key(struct lockbox_ctx *, struct http_request *,
		    struct store_key *);

/* After the answer: a key accepted under an older ring key gets its
 * stored hash moved to the active key (auth_check marks it). */
void		auth_rehash(struct lockbox_ctx *, struct http_request *);

#endif
