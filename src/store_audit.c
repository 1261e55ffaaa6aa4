/* The statements of the audit log (sql/008_audit.sql) that the workers
 * send apart from a request's own. */
#include "autoconfig.h"

#include "audit_chain.h"
#include "store_impl.h"

enum lb_err
store_audit_chains_open(struct store *s, const char *host, int pid, int n,
    int64_t *ids)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;
	int			 i;

	stmt_init(&st, SQL_AUDIT_CHAINS_OPEN);
	stmt_text(&st, host);
	stmt_i64(&st, pid);
	stmt_i64(&st, n);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		if (result_rows(&res) == n)
			for (i = 0; i < n; i++)
				ids[i] = result_i64(&res, i, 0);
		else
			e = LB_ERR_INTERNAL;
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}

enum lb_err
store_audit_seal(struct store *s, const struct audit_seal *seal)
{
	static const char *const kinds[] = {
		[AUDIT_SEAL_TICK] = "tick",
		[AUDIT_SEAL_CLOSE] = "close",
		[AUDIT_SEAL_PURGE] = "purge",
	};
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_AUDIT_SEAL);
	stmt_i64(&st, seal->chain_id);
	stmt_i64(&st, seal->seq);
	stmt_text(&st, kinds[seal->kind]);
	stmt_bytea(&st, seal->mac, sizeof(seal->mac));
	stmt_i64(&st, seal->mac_key_id);
	stmt_bytea(&st, seal->seal, sizeof(seal->seal));
	e = store_run_simple(s, &st);
	stmt_free(&st);
	return e;
}

enum lb_err
store_audit_event(struct store *s, int status, int64_t api_key_id)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;

	stmt_init(&st, SQL_AUDIT_EVENT);
	stmt_i64(&st, status);
	if (api_key_id > 0)
		stmt_i64(&st, api_key_id);
	else
		stmt_text(&st, NULL);
	if ((e = store_run(s, &st, &res)) == LB_OK)
		result_free(&res);
	stmt_free(&st);
	return e;
}

void
store_audit_refused_bind(struct stmt *st)
{
	stmt_init(st, SQL_AUDIT_REFUSED);
}
