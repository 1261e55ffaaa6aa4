/* The statements about API keys: the lookup every admin request makes,
 * the move of a hash to the active ring key, and lockboxctl's own. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

void
store_key_bind(struct stmt *st, const struct store_key *k,
    enum scope_level need)
{
	stmt_text(st, k->prefix);
	stmt_text(st, k->hashes);
	stmt_i64(st, need);
}

void
store_api_key_find_bind(struct stmt *st, const char *prefix)
{
	stmt_init(st, SQL_API_KEY_BY_PREFIX);
	stmt_text(st, prefix);
}

enum lb_err
store_api_key_read(const struct store_result *res, struct store_api_key *k)
{
	const char	*p;

	memset(k, 0, sizeof(*k));
	if (result_rows(res) != 1)
		return LB_ERR_NOT_FOUND;
	k->id = result_i64(res, 0, result_col(res, "id"));
	if (result_bytes(res, 0, result_col(res, "key_hash"), k->hash,
	    sizeof(k->hash)) < 0)
		return LB_ERR_INTERNAL;
	k->hash_key_id = (int)result_i64(res, 0, result_col(res,
	    "hash_key_id"));
	k->hash_key_retired = result_bool(res, 0, result_col(res,
	    "hash_key_retired"));
	k->level = (enum scope_level)result_i64(res, 0, result_col(res,
	    "level"));
	k->revoked = result_bool(res, 0, result_col(res, "revoked"));
	k->expired = result_bool(res, 0, result_col(res, "expired"));
	k->audit = result_bool(res, 0, result_col(res, "audit"));
	p = result_text(res, 0, result_col(res, "providers"));
	/* Too long for any list lockboxctl mints: reaches nothing. */
	if (p != NULL && snprintf(k->providers, sizeof(k->providers), "%s",
	    p) >= (int)sizeof(k->providers))
		snprintf(k->providers, sizeof(k->providers), "{}");
	return LB_OK;
}

enum lb_err
store_api_key_rehash(struct store *s, int64_t id, const unsigned char *old,
    const unsigned char *new, int key_id)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_API_KEY_REHASH);
	stmt_i64(&st, id);
	stmt_bytea(&st, old, CRYPTO_HASH_LEN);
	stmt_bytea(&st, new, CRYPTO_HASH_LEN);
	stmt_i64(&st, key_id);
	e = store_run_simple(s, &st);
	stmt_free(&st);
	return e;
}
