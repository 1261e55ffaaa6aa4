/* The statements about idempotency records. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

enum lb_err
store_idempotency_read(const struct store_result *res,
    struct idempotency_row *out)
{
	int	 fcol;

	memset(out, 0, sizeof(*out));
	fcol = result_col(res, "fingerprint");
	if (result_rows(res) != 1 || fcol < 0 ||
	    result_text(res, 0, fcol) == NULL)
		return LB_ERR_NOT_FOUND;
	if (result_bytes(res, 0, fcol, out->fingerprint, CRYPTO_MAC_LEN) < 0)
		return LB_ERR_INTERNAL;
	out->fingerprint_key_id = (int)result_i64(res, 0,
	    result_col(res, "fingerprint_key_id"));
	out->secret_id = result_i64(res, 0, result_col(res, "secret_id"));
	out->status = (int)result_i64(res, 0, result_col(res,
	    "response_status"));
	out->body = result_text(res, 0, result_col(res, "response_body"));
	out->fresh = result_bool(res, 0, result_col(res, "fresh"));
	return LB_OK;
}

enum lb_err
store_idempotency_find(struct store *s, int64_t api_key_id, const char *key,
    long ttl, struct store_result *res, struct idempotency_row *out)
{
	struct stmt	 st;
	enum lb_err	 e;

	memset(out, 0, sizeof(*out));
	stmt_init(&st, SQL_IDEMPOTENCY_FIND);
	stmt_i64(&st, api_key_id);
	stmt_text(&st, key);
	stmt_i64(&st, ttl);
	if ((e = store_run(s, &st, res)) != LB_OK)
		goto out;
	if ((e = store_idempotency_read(res, out)) != LB_OK)
		result_free(res);
out:
	stmt_free(&st);
	return e;
}

enum lb_err
store_idempotency_forget_expired(struct store *s, int64_t api_key_id,
    const char *key, long ttl)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_IDEMPOTENCY_FORGET_EXPIRED);
	stmt_i64(&st, api_key_id);
	stmt_text(&st, key);
	stmt_i64(&st, ttl);
	e = store_run_simple(s, &st);
	stmt_free(&st);
	return e;
}

enum lb_err
store_idempotency_purge(struct store *s, long ttl, long *n)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	*n = 0;
	stmt_init(&st, SQL_IDEMPOTENCY_PURGE);
	stmt_i64(&st, ttl);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		*n = result_changed(&res);
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}
