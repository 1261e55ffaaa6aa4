/* The statements about API keys: the lookup every admin request makes,
 * the move of a hash to the active ring key, and lockboxctl's own. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

enum lb_err
store_api_key_find(struct store *s, const char *prefix,
    struct store_api_key *k)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*v[1] = { prefix };

	memset(k, 0, sizeof(*k));
	e = store_exec(s, SQL_API_KEY_BY_PREFIX, 1, v, NULL, NULL, &r);
	/* A write sent with the lookup broke off: its handler, which needs
	 * the key, must still learn what it did; and as it may have taken
	 * effect, no answer may say "no effect" (503). */
	if (e == LB_ERR_DATABASE_UNAVAILABLE && s->ahead.unknown &&
	    (e = store_exec_patiently(s, SQL_API_KEY_BY_PREFIX, 1, v, &r)) ==
	    LB_ERR_DATABASE_UNAVAILABLE)
		e = LB_ERR_INTERNAL;
	if (e != LB_OK)
		return e;
	if (PQntuples(r) != 1) {
		e = LB_ERR_NOT_FOUND;
		goto out;
	}
	k->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (store_bytea_get(r, 0, 1, k->hash, sizeof(k->hash)) < 0) {
		e = LB_ERR_INTERNAL;
		goto out;
	}
	k->hash_key_id = PQgetisnull(r, 0, 2) ? 0 : atoi(PQgetvalue(r, 0, 2));
	k->scope = strcmp(PQgetvalue(r, 0, 3), "write") == 0 ? SCOPE_WRITE :
	    SCOPE_READ;
	k->revoked = PQgetvalue(r, 0, 4)[0] == 't';
	k->hash_key_retired = PQgetvalue(r, 0, 5)[0] == 't';
out:
	PQclear(r);
	return e;
}

enum lb_err
store_api_key_rehash(struct store *s, int64_t id, const unsigned char *old,
    const unsigned char *new, int key_id)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN], kid[BUF_I64_LEN];
	const char	*v[4] = { I64(ids, id), (const char *)old,
			    (const char *)new, I64(kid, key_id) };
	const int	 len[4] = { 0, CRYPTO_HASH_LEN, CRYPTO_HASH_LEN, 0 };
	const int	 fmt[4] = { 0, 1, 1, 0 };

	if ((e = store_exec(s, SQL_API_KEY_REHASH, 4, v, len, fmt, &r)) !=
	    LB_OK)
		return e;
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_api_key_insert(struct store *s, const char *name, const char *prefix,
    const unsigned char *hash, int hash_key_id, const char *scope,
    int64_t *id)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN];
	const char	*v[5] = { name, prefix, (const char *)hash,
			    I64(kid, hash_key_id), scope };
	const int	 len[5] = { 0, 0, CRYPTO_HASH_LEN, 0, 0 };
	const int	 fmt[5] = { 0, 0, 1, 0, 0 };

	if ((e = store_exec(s, SQL_API_KEY_INSERT, 5, v, len, fmt, &r)) !=
	    LB_OK)
		return e;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_api_key_list(struct store *s,
    void (*fn)(void *, const char *const *cols), void *arg)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*cols[6];
	int		 i, j;

	if ((e = store_exec(s, SQL_API_KEY_LIST, 0, NULL, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	for (i = 0; i < PQntuples(r); i++) {
		for (j = 0; j < 6; j++)
			cols[j] = PQgetvalue(r, i, j);
		fn(arg, cols);
	}
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_api_key_revoke(struct store *s, int64_t id)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { I64(ids, id) };

	if ((e = store_exec(s, SQL_API_KEY_REVOKE, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	e = PQntuples(r) == 1 ? LB_OK : LB_ERR_NOT_FOUND;
	PQclear(r);
	return e;
}

enum lb_err
store_api_key_hashed_with(struct store *s, int key_id,
    void (*fn)(void *, const char *, const char *), void *arg, long *n)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN];
	const char	*v[1] = { I64(kid, key_id) };
	int		 i;

	*n = 0;
	if ((e = store_exec(s, SQL_API_KEY_HASHED_WITH, 1, v, NULL, NULL,
	    &r)) != LB_OK)
		return e;
	for (i = 0; i < PQntuples(r); i++)
		fn(arg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	*n = PQntuples(r);
	PQclear(r);
	return LB_OK;
}
