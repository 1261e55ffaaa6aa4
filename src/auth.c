#include "autoconfig.h"

#include <string.h>

#include "apikey.h"
#include "auth.h"
#include "hex.h"
#include "log.h"

/* The key's keyed hash under every ring key, as a bytea[] literal:
 * {"\\x<hex>",...}. Whichever of them made the stored hash, a statement
 * that checks the key in SQL finds it among these. */
static int
hashes_literal(struct lockbox_ctx *ctx, struct http_request *req)
{
	struct buf	*b = &req->key_hashes;
	unsigned char	 h[CRYPTO_HASH_LEN];
	char		 hex[2 * CRYPTO_HASH_LEN + 1];
	int		 ids[KEYRING_MAX_KEYS];
	size_t		 n, i;

	n = crypto_key_ids(ctx->crypto, ids, KEYRING_MAX_KEYS);
	buf_reset(b);
	buf_putc(b, '{');
	for (i = 0; i < n && i < KEYRING_MAX_KEYS; i++) {
		if (apikey_stored_hash(ctx->crypto, ids[i], req->key_hash,
		    h) < 0)
			continue;
		hex_encode(hex, h, sizeof(h));
		buf_puts(b, i > 0 ? ",\"\\\\x" : "\"\\\\x");
		buf_puts(b, hex);
		buf_putc(b, '"');
	}
	buf_putc(b, '}');
	explicit_bzero(h, sizeof(h));
	explicit_bzero(hex, sizeof(hex));
	return b->oom ? -1 : 0;
}

int
auth_key_parse(struct lockbox_ctx *ctx, struct http_request *req)
{
	if (req->key_shape == 0) {
		req->key_shape = -1;
		if (req->api_key != NULL && apikey_parse(req->api_key,
		    req->key_prefix, req->key_hash) == 0 &&
		    hashes_literal(ctx, req) == 0)
			req->key_shape = 1;
	}
	return req->key_shape > 0;
}

int
auth_store_key(struct lockbox_ctx *ctx, struct http_request *req,
    struct store_key *k)
{
	if (!auth_key_parse(ctx, req))
		return 0;
	k->prefix = req->key_prefix;
	k->hashes = req->key_hashes.data;
	return 1;
}

enum lb_err
auth_decide(struct lockbox_ctx *ctx, struct http_request *req,
    const struct store_result *lookup, enum scope_level need,
    struct http_response *resp)
{
	struct store_api_key	 k;
	unsigned char		 want[CRYPTO_HASH_LEN];
	enum lb_err		 e;
	int			 active = crypto_active_key(ctx->crypto), same;

	if ((e = store_api_key_read(lookup, &k)) != LB_OK &&
	    e != LB_ERR_NOT_FOUND)
		return http_error(resp, LB_ERR_INTERNAL, NULL, "internal error");
	/* A key whose hash a ring key this worker lacks made: this host's
	 * ring is older than the database (rewrap moved the key on); another
	 * host, or this one reloaded, can check it. */
	if (e == LB_OK && k.hash_key_id != 0 && !k.revoked &&
	    apikey_stored_hash(ctx->crypto, k.hash_key_id, req->key_hash,
	    want) < 0) {
		log_msg(LOG_LVL_ERROR, "API key %s is stored under ring key %d, "
		    "which this worker's key ring lacks: install the current "
		    "ring and reload (SIGHUP)", req->key_prefix, k.hash_key_id);
		return http_error(resp, LB_ERR_KEY_RETIRED, NULL, "this server "
		    "cannot check this API key now; retry later");
	}
	/* For an unknown prefix (or a hash from before 0.2), the hash under
	 * the active key, compared all the same: every failure costs one
	 * keyed hash and one comparison. */
	if (e != LB_OK || k.hash_key_id == 0 || k.revoked)
		apikey_stored_hash(ctx->crypto, active, req->key_hash, want);
	same = crypto_equal(want, k.hash, sizeof(want));
	explicit_bzero(want, sizeof(want));
	if (e == LB_ERR_NOT_FOUND || k.hash_key_id == 0 || !same || k.revoked ||
	    k.expired)
		return http_error(resp, LB_ERR_INVALID_API_KEY, NULL,
		    "the API key is unknown, revoked or expired");
	req->key.key_id = k.id;
	req->key.level = k.level;
	req->key.audit = k.audit;
	memcpy(req->key.providers, k.providers, sizeof(req->key.providers));
	_Static_assert(sizeof(req->key.prefix) >= sizeof(req->key_prefix),
	    "principal.prefix holds a key's prefix");
	memcpy(req->key.prefix, req->key_prefix, sizeof(req->key_prefix));
	req->key_ok = 1;
	if (k.hash_key_id != active && k.hash_key_retired) {
		req->key_rehash = 1;
		memcpy(req->key_stored, k.hash, sizeof(req->key_stored));
	}
	if (!scope_allows(&req->key, need))
		return http_error(resp, LB_ERR_INSUFFICIENT_SCOPE, NULL, "%s",
		    scope_refusal(need));
	return LB_OK;
}

void
auth_rehash(struct lockbox_ctx *ctx, struct http_request *req)
{
	unsigned char	 h[CRYPTO_HASH_LEN];
	int		 active = crypto_active_key(ctx->crypto);

	if (!req->key_rehash || !req->key_ok)
		return;
	req->key_rehash = 0;
	if (apikey_stored_hash(ctx->crypto, active, req->key_hash, h) == 0 &&
	    store_api_key_rehash(ctx->db, req->key.key_id, req->key_stored, h,
	    active) == LB_OK)
		log_msg(LOG_LVL_INFO, "API key %s: its stored hash moved to "
		    "key %d", req->key.prefix, active);
	explicit_bzero(h, sizeof(h));
}
