/* The statements of the audit log (sql/008_audit.sql) that the workers
 * send apart from a request's own. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "store_impl.h"
#include "validate.h"

/* The seals' kinds as lockbox.audit_seals names them. */
static const char *const seal_kinds[] = {
	[AUDIT_SEAL_TICK] = "tick",
	[AUDIT_SEAL_CLOSE] = "close",
	[AUDIT_SEAL_PURGE] = "purge",
};

/* A transaction of the audit log's own (opening chains, a purge). */
static enum lb_err
tx_begin(struct store *s)
{
	enum lb_err	 e;

	if ((e = store_connect(s)) != LB_OK)
		return e;
	return store_exec_script(s, "BEGIN");
}

/* A number, or NULL for 0 (none). */
static void
i64_or_null(struct stmt *st, int64_t v)
{
	if (v > 0)
		stmt_i64(st, v);
	else
		stmt_text(st, NULL);
}

enum lb_err
store_audit_tx_end(struct store *s, int commit)
{
	if (!store_connected(s))
		return LB_ERR_DATABASE_UNAVAILABLE;
	return store_exec_script(s, commit ? "COMMIT" : "ROLLBACK");
}

enum lb_err
store_audit_chain_last(struct store *s, int64_t *id,
    unsigned char link[AUDIT_MAC_LEN])
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;
	int			 col;

	*id = 0;
	if ((e = tx_begin(s)) != LB_OK)
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
	i64_or_null(&st, prev_id);
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
store_audit_seal(struct store *s, const struct audit_seal *seal)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_AUDIT_SEAL);
	stmt_i64(&st, seal->chain_id);
	stmt_i64(&st, seal->seq);
	stmt_text(&st, seal_kinds[seal->kind]);
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
	i64_or_null(&st, api_key_id);
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
	i64_or_null(st, q->secret_id);
	i64_or_null(st, q->api_key_id);
	i64_or_null(st, q->status);
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
store_audit_seal_read(const struct store_result *res, int i,
    struct audit_seal *seal)
{
	const char	*k = result_text(res, i, 2);
	size_t		 j;

	memset(seal, 0, sizeof(*seal));
	seal->chain_id = result_i64(res, i, 0);
	seal->seq = result_i64(res, i, 1);
	/* The table's CHECK allows these three only. */
	for (j = AUDIT_SEAL_TICK; j <= AUDIT_SEAL_PURGE; j++)
		if (k != NULL && strcmp(k, seal_kinds[j]) == 0)
			seal->kind = (enum audit_seal_kind)j;
	seal->mac_key_id = (int)result_i64(res, i, 4);
	/* A MAC of another length fails its check (the seal stays zero). */
	if (result_bytes(res, i, 3, seal->mac, sizeof(seal->mac)) < 0 ||
	    result_bytes(res, i, 5, seal->seal, sizeof(seal->seal)) < 0)
		memset(seal->seal, 0, sizeof(seal->seal));
}

void
store_audit_event_read(const struct store_result *res, int i,
    struct audit_event *e)
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
store_audit_purge_begin(struct store *s, int *mine)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;

	if ((e = tx_begin(s)) != LB_OK)
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
store_audit_purge_seals(struct store *s, const char *before,
    void (*fn)(void *, const struct audit_seal *), void *arg)
{
	struct stmt		 st;
	struct store_result	 res;
	struct audit_seal	 seal;
	enum lb_err		 e;
	int			 i;

	stmt_init(&st, SQL_AUDIT_PURGE_SEALS);
	stmt_text(&st, before);
	e = store_run(s, &st, &res);
	stmt_free(&st);
	if (e != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res); i++) {
		store_audit_seal_read(&res, i, &seal);
		fn(arg, &seal);
	}
	result_free(&res);
	return LB_OK;
}

enum lb_err
store_audit_purge_events(struct store *s, const char *before, long most,
    int (*fn)(void *, const struct audit_event *, size_t), void *arg)
{
	struct stmt		 st;
	struct store_result	 res;
	struct audit_event	*ev = NULL;
	enum lb_err		 e;
	int			 i, n, first;

	stmt_init(&st, SQL_AUDIT_PURGE_EVENTS);
	stmt_text(&st, before);
	stmt_i64(&st, most);
	e = store_run(s, &st, &res);
	stmt_free(&st);
	if (e != LB_OK)
		return e;
	n = result_rows(&res);
	if (n > 0 && (ev = calloc((size_t)n, sizeof(*ev))) == NULL)
		e = LB_ERR_INTERNAL;
	for (i = 0; i < n && e == LB_OK; i++)
		store_audit_event_read(&res, i, &ev[i]);
	/* Each chain's events, in order, at once. */
	for (first = 0, i = 1; i <= n && e == LB_OK; i++)
		if (i == n || ev[i].chain_id != ev[first].chain_id) {
			if (fn(arg, ev + first, (size_t)(i - first)) < 0)
				e = LB_ERR_INTERNAL;
			first = i;
		}
	free(ev);
	result_free(&res);
	return e;
}

enum lb_err
store_audit_purge_chain(struct store *s, const struct audit_seal *purge,
    int64_t first_id, int64_t last_id, long *n)
{
	struct stmt	 st;
	enum lb_err	 e;

	if ((e = store_audit_seal(s, purge)) != LB_OK)
		return e;
	stmt_init(&st, SQL_AUDIT_PURGE_CHAIN);
	stmt_i64(&st, purge->chain_id);
	stmt_i64(&st, purge->seq);
	stmt_i64(&st, first_id);
	stmt_i64(&st, last_id);
	e = store_run_count(s, &st, "n", n);
	stmt_free(&st);
	return e;
}
