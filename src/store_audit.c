/* The statements of the audit log (sql/008_audit.sql) that the workers
 * send apart from a request's own. */
#include "autoconfig.h"

#include <string.h>

#include "audit_chain.h"
#include "store_impl.h"
#include "validate.h"

enum lb_err
store_audit_chain_last(struct store *s, int64_t *id,
    unsigned char link[AUDIT_MAC_LEN])
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;
	int			 col;

	*id = 0;
	if ((e = store_connect(s)) != LB_OK ||
	    (e = store_exec_script(s, "BEGIN")) != LB_OK)
		return e;
	stmt_init(&st, SQL_AUDIT_CHAIN_LOCK);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	result_free(&res);
	stmt_init(&st, SQL_AUDIT_CHAIN_LAST);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	col = result_col(&res, "id");
	if (result_rows(&res) == 1) {
		*id = result_i64(&res, 0, col);
		if (result_bytes(&res, 0, result_col(&res, "link"), link,
		    AUDIT_MAC_LEN) < 0)
			e = LB_ERR_INTEGRITY;
	}
	result_free(&res);
	return e;
}

enum lb_err
store_audit_chain_open(struct store *s, const char *host, int pid,
    int64_t prev_id, const unsigned char link[AUDIT_MAC_LEN], int key_id,
    int64_t *id)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;

	stmt_init(&st, SQL_AUDIT_CHAIN_OPEN);
	stmt_text(&st, host);
	stmt_i64(&st, pid);
	if (prev_id > 0)
		stmt_i64(&st, prev_id);
	else
		stmt_text(&st, NULL);
	stmt_bytea(&st, link, AUDIT_MAC_LEN);
	stmt_i64(&st, key_id);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		if (result_rows(&res) == 1)
			*id = result_i64(&res, 0, 0);
		else
			e = LB_ERR_INTERNAL;
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}

enum lb_err
store_audit_chain_done(struct store *s, int commit)
{
	if (!store_connected(s))
		return LB_ERR_DATABASE_UNAVAILABLE;
	return store_exec_script(s, commit ? "COMMIT" : "ROLLBACK");
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

void
store_audit_list_bind(struct stmt *st, const struct audit_query *q,
    int64_t before, int limit)
{
	stmt_init(st, q->since != NULL || q->until != NULL ?
	    SQL_AUDIT_LIST_WINDOW : SQL_AUDIT_LIST);
	stmt_text(st, q->action);
	if (q->secret_id > 0)
		stmt_i64(st, q->secret_id);
	else
		stmt_text(st, NULL);
	if (q->api_key_id > 0)
		stmt_i64(st, q->api_key_id);
	else
		stmt_text(st, NULL);
	if (q->status > 0)
		stmt_i64(st, q->status);
	else
		stmt_text(st, NULL);
	stmt_text(st, q->since);
	stmt_text(st, q->until);
	stmt_i64(st, before);
	stmt_i64(st, limit);
}

void
store_audit_row_read(const struct store_result *res, int i,
    struct audit_row *row)
{
	static const char *const cols[] = { "at", "request_id", "action",
	    "status", "api_key_id", "api_key_prefix", "secret_id", "version",
	    "secret_ids", "remote_addr" };
	const char	**out[] = { &row->at, &row->request_id, &row->action,
	    &row->status, &row->api_key_id, &row->api_key_prefix,
	    &row->secret_id, &row->version, &row->secret_ids,
	    &row->remote_addr };
	size_t		 k;

	row->id = result_i64(res, i, result_col(res, "id"));
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		*out[k] = result_text(res, i, result_col(res, cols[k]));
}

/* ---- reading and purging events ---------------------------------- */

void
store_audit_event_read(const struct store_result *res, int i, struct audit_event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = result_i64(res, i, 0);
	e->chain_id = result_i64(res, i, 1);
	e->seq = result_i64(res, i, 2);
	e->at = result_text(res, i, 3);
	e->request_id = result_text(res, i, 4);
	e->action = result_text(res, i, 5);
	e->status = result_text(res, i, 6);
	e->api_key_id = result_text(res, i, 7);
	e->api_key_prefix = result_text(res, i, 8);
	e->secret_id = result_text(res, i, 9);
	e->version = result_text(res, i, 10);
	e->secret_ids = result_text(res, i, 11);
	e->remote_addr = result_text(res, i, 12);
	e->mac_key_id = (int)result_i64(res, i, 13);
	if (result_bytes(res, i, 14, e->prev_mac, sizeof(e->prev_mac)) < 0)
		memset(e->prev_mac, 0, sizeof(e->prev_mac));
}

enum lb_err
store_audit_purge_cuts(struct store *s, const char *before, long most,
    void (*fn)(void *, int64_t chain, int64_t cut), void *arg)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;
	int			 i;

	stmt_init(&st, SQL_AUDIT_PURGE_CUT);
	stmt_text(&st, before);
	stmt_i64(&st, most);
	e = store_run(s, &st, &res);
	stmt_free(&st);
	if (e != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res); i++)
		fn(arg, result_i64(&res, i, 0), result_i64(&res, i, 1));
	result_free(&res);
	return LB_OK;
}

enum lb_err
store_audit_chain_events(struct store *s, int64_t chain, int64_t from,
    int64_t to, int (*fn)(void *, const struct audit_event *), void *arg)
{
	struct stmt		 st;
	struct store_result	 res;
	struct audit_event	 ev;
	enum lb_err		 e;
	int			 i;

	stmt_init(&st, SQL_AUDIT_CHAIN_EVENTS);
	stmt_i64(&st, chain);
	stmt_i64(&st, from);
	stmt_i64(&st, to);
	e = store_run(s, &st, &res);
	stmt_free(&st);
	if (e != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res) && e == LB_OK; i++) {
		store_audit_event_read(&res, i, &ev);
		if (fn(arg, &ev) < 0)
			e = LB_ERR_INTERNAL;
	}
	result_free(&res);
	return e;
}

enum lb_err
store_audit_purge_begin(struct store *s, int *mine)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;

	if ((e = store_connect(s)) != LB_OK ||
	    (e = store_exec_script(s, "BEGIN")) != LB_OK)
		return e;
	stmt_init(&st, SQL_AUDIT_PURGE_ALLOW);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	/* One purge at a time, over every host: the others skip. */
	*mine = result_bool(&res, 0, result_col(&res, "mine"));
	result_free(&res);
	return e;
}

enum lb_err
store_audit_purge_end(struct store *s, int commit)
{
	return store_exec_script(s, commit ? "COMMIT" : "ROLLBACK");
}

enum lb_err
store_audit_purge_chain(struct store *s, const struct audit_seal *purge,
    long *n)
{
	struct stmt	 st;
	enum lb_err	 e;

	if ((e = store_audit_seal(s, purge)) != LB_OK)
		return e;
	stmt_init(&st, SQL_AUDIT_PURGE_CHAIN);
	stmt_i64(&st, purge->chain_id);
	stmt_i64(&st, purge->seq);
	e = store_run_count(s, &st, "n", n);
	stmt_free(&st);
	return e;
}
