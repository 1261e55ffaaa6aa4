/* The statements of the workers' heartbeats (lockbox.workers). */
#include "autoconfig.h"

#include "store_impl.h"

/* "{1,2,3}": a PostgreSQL integer[] literal of ids. */
static void
int_array(struct stmt *st, const int *ids, size_t n)
{
	struct buf	 b = { 0 };
	char		 num[BUF_I64_LEN];
	size_t		 i;

	buf_putc(&b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		buf_puts(&b, buf_i64(num, ids[i]));
	}
	buf_putc(&b, '}');
	stmt_text(st, b.oom ? NULL : b.data);
	buf_free(&b);
}

enum lb_err
store_worker_heartbeat(struct store *s, const struct store_worker *w)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_WORKER_HEARTBEAT);
	stmt_i64(&st, w->id);
	stmt_text(&st, w->host);
	stmt_i64(&st, w->pid);
	stmt_i64(&st, w->seal_key_id);
	int_array(&st, w->ring_ids, w->nring);
	e = store_run_simple(s, &st);
	stmt_free(&st);
	return e;
}

enum lb_err
store_worker_gone(struct store *s, int64_t id)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_WORKER_GONE);
	stmt_i64(&st, id);
	e = store_run_simple(s, &st);
	stmt_free(&st);
	return e;
}

enum lb_err
store_worker_purge(struct store *s)
{
	struct stmt	 st;

	stmt_init(&st, SQL_WORKER_PURGE);
	return store_run_simple(s, &st);
}
