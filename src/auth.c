#include "autoconfig.h"

#include <string.h>

#include "apikey.h"
#include "auth.h"

int
auth_key_parse(struct http_request *req)
{
	if (req->key_shape == 0)
		req->key_shape = req->api_key != NULL &&
		    apikey_parse(req->api_key, req->key_prefix,
		    req->key_hash) == 0 ? 1 : -1;
	return req->key_shape > 0;
}

enum lb_err
auth_check(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp, enum http_scope need)
{
	struct store_api_key	 k;
	enum lb_err		 e;
	int			 same;

	if (req->api_key == NULL || req->api_key[0] == '\0')
		return http_error(resp, LB_ERR_MISSING_API_KEY, NULL,
		    "send an API key in the X-API-Key header");
	/* The shape of a key is public; failing it fast leaks nothing. */
	if (!auth_key_parse(req))
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown or revoked");
	e = store_api_key_find(ctx->db, req->key_prefix, &k);
	if (e != LB_OK && e != LB_ERR_NOT_FOUND)
		return http_error(resp, e, NULL, e == LB_ERR_DATABASE_UNAVAILABLE ?
		    "the database is unavailable; retry later" :
		    "internal error");
	/* For an unknown prefix k.hash is all zeros: compare anyway, so that
	 * both failures cost the same. */
	same = crypto_equal(req->key_hash, k.hash, sizeof(req->key_hash));
	if (e == LB_ERR_NOT_FOUND || !same || k.revoked)
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown or revoked");
	req->key.id = k.id;
	req->key.scope = k.scope;
	_Static_assert(sizeof(req->key.prefix) >= sizeof(req->key_prefix),
	    "http_key.prefix holds a key's prefix");
	memcpy(req->key.prefix, req->key_prefix, sizeof(req->key_prefix));
	req->key_ok = 1;
	if (need == SCOPE_WRITE && k.scope != SCOPE_WRITE)
		return http_error(resp, LB_ERR_INSUFFICIENT_SCOPE, NULL,
		    "this API key may only read; this route writes");
	return LB_OK;
}
