/* X-API-Key authentication and scopes. */
#ifndef LOCKBOX_AUTH_H
#define LOCKBOX_AUTH_H

#include "router.h"

/* Accepts the request's key for scope need, or replies 401/403 (or 503
 * when the database is down) and returns the error. On success req->key
 * describes the key. An unknown key and a wrong one take the same path:
 * one lookup by prefix and one constant-time hash comparison. */
enum lb_err	auth_check(struct lockbox_ctx *, struct http_request *,
		    struct http_response *, enum http_scope need);

/* Whether the request carries a key of the right shape; its prefix and
 * hash are then in req->key_prefix and req->key_hash. Parsed (base64 and
 * SHA-256) at the first call of the request only. */
int		auth_key_parse(struct http_request *);

#endif
