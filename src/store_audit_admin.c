/* The audit log as lockboxctl reads and purges it (linked into lockboxctl
 * alone): events and seals walked in one snapshot, exported, purged. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "store_admin.h"
#include "store_impl.h"

enum lb_err
store_audit_read_begin(struct store *s)
{
	enum lb_err	 e;

	if ((e = store_connect(s)) != LB_OK)
		return e;
	return store_exec_script(s,
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

enum lb_err
store_audit_seals(struct store *s,
    void (*fn)(void *, const struct audit_seal *), void *arg)
{
	struct stmt		 st;
	struct store_result	 res;
	struct audit_seal	 seal;
	enum lb_err		 e;
	int			 i;

	stmt_init(&st, SQL_AUDIT_SEALS_ALL);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res); i++) {
		store_audit_seal_read(&res, i, &seal);
		fn(arg, &seal);
	}
	result_free(&res);
	return LB_OK;
}

enum lb_err
store_audit_chains(struct store *s,
    void (*fn)(void *, const struct store_audit_chain *), void *arg)
{
	struct store_audit_chain c;
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;
	int			 i;

	stmt_init(&st, SQL_AUDIT_CHAINS_ALL);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res); i++) {
		memset(&c, 0, sizeof(c));
		c.id = result_i64(&res, i, 0);
		c.started_at = result_text(&res, i, 1);
		c.host = result_text(&res, i, 2);
		c.pid = result_text(&res, i, 3);
		if (result_text(&res, i, 4) != NULL)
			c.prev_id = result_i64(&res, i, 4);
		/* A link of another length fails its check. */
		(void)result_bytes(&res, i, 5, c.link, sizeof(c.link));
		c.link_key_id = (int)result_i64(&res, i, 6);
		fn(arg, &c);
	}
	result_free(&res);
	return LB_OK;
}

/* Rows of an open cursor, fetched in batches, to fn. */
static enum lb_err
cursor_walk(struct store *s, enum sql_query fetch,
    int (*row)(void *, struct store_result *, int), void *arg)
{
	struct stmt		 st;
	struct store_result	 res;
	enum lb_err		 e;
	int			 i, n;

	stmt_init(&st, fetch);
	do {
		if ((e = store_run(s, &st, &res)) != LB_OK)
			return e;
		n = result_rows(&res);
		for (i = 0; i < n; i++)
			if (row(arg, &res, i) < 0) {
				result_free(&res);
				return LB_ERR_INTERNAL;
			}
		result_free(&res);
	} while (n > 0);
	return LB_OK;
}

struct event_walk {
	int	(*fn)(void *, const struct audit_event *);
	void	 *arg;
};

static int
event_row(void *arg, struct store_result *res, int i)
{
	struct event_walk	*w = arg;
	struct audit_event	 e;

	store_audit_event_read(res, i, &e);
	return w->fn(w->arg, &e);
}

enum lb_err
store_audit_events(struct store *s,
    int (*fn)(void *, const struct audit_event *), void *arg)
{
	struct stmt		 st;
	struct event_walk	 w = { fn, arg };
	enum lb_err		 e;

	stmt_init(&st, SQL_AUDIT_EVENTS_CURSOR);
	if ((e = store_run_simple(s, &st)) != LB_OK)
		return e;
	return cursor_walk(s, SQL_AUDIT_EVENTS_FETCH, event_row, &w);
}

static int
export_row(void *arg, struct store_result *res, int i)
{
	FILE	*out = arg;

	return fprintf(out, "%s\n", result_text(res, i, 0)) < 0 ? -1 : 0;
}

enum lb_err
store_audit_export(struct store *s, const char *since, FILE *out)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_AUDIT_EXPORT_CURSOR);
	stmt_text(&st, since);
	e = store_run_simple(s, &st);
	stmt_free(&st);
	if (e != LB_OK)
		return e;
	return cursor_walk(s, SQL_AUDIT_EVENTS_FETCH, export_row, out);
}
