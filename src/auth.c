#include "autoconfig.h"

#include <string.h>

#include "apikey.h"
#include "auth.h"

enum lb_err
auth_check(struct lockbox_ctx *ctx, struct http_request *req,
    struct http_response *resp, enum http_scope need)
{
	struct store_api_key	 k;
	char			 prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char		 hash[CRYPTO_HASH_LEN];
	enum lb_err		 e;
	int			 same;

	if (req->api_key == NULL || req->api_key[0] == '\0')
		return http_error(resp, LB_ERR_MISSING_API_KEY, NULL,
		    "send an API key in the X-API-Key header");
	/* The shape of a key is public; failing it fast leaks nothing. */
	if (apikey_parse(req->api_key, prefix, hash) < 0)
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown or revoked");
	e = store_api_key_find(ctx->db, prefix, &k);
	if (e != LB_OK && e != LB_ERR_NOT_FOUND)
		return http_error(resp, e, NULL, e == LB_ERR_DATABASE_UNAVAILABLE ?
		    "the database is unavailable; retry later" :
		    "internal error");
	/* For an unknown prefix k.hash is all zeros: compare anyway, so that
	 * both failures cost the same. */
	same = crypto_equal(hash, k.hash, sizeof(hash));
	if (e == LB_ERR_NOT_FOUND || !same || k.revoked)
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown or revoked");
	req->key.id = k.id;
	req->key.scope = k.scope;
	memcpy(req->key.prefix, prefix, sizeof(prefix));
	req->key_ok = 1;
	if (need == SCOPE_WRITE && k.scope != SCOPE_WRITE)
		return http_error(resp, LB_ERR_INSUFFICIENT_SCOPE, NULL,
		    "this API key may only read; this route writes");
	return LB_OK;
}
