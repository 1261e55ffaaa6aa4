#include "autoconfig.h"

#include <string.h>

#include "stmt.h"

void
stmt_init(struct stmt *st, enum sql_query q)
{
	memset(st, 0, sizeof(*st));
	st->q = q;
}

/* Appends n bytes and a NUL (text parameters are C strings to libpq). */
static void
add(struct stmt *st, const void *p, size_t n, int isnull, int binary)
{
	if (st->n == STMT_MAX_PARAMS) {
		st->overflow = 1;
		return;
	}
	st->isnull[st->n] = isnull;
	st->binary[st->n] = binary;
	st->off[st->n] = st->data.len;
	st->len[st->n] = n;
	if (!isnull) {
		buf_append(&st->data, p, n);
		buf_putc(&st->data, '\0');
	}
	st->n++;
}

void
stmt_text(struct stmt *st, const char *s)
{
	add(st, s, s != NULL ? strlen(s) : 0, s == NULL, 0);
}

void
stmt_i64(struct stmt *st, int64_t v)
{
	char	 n[BUF_I64_LEN];

	stmt_text(st, buf_i64(n, v));
}

void
stmt_bool(struct stmt *st, int v)
{
	stmt_text(st, v ? "t" : "f");
}

void
stmt_bytea(struct stmt *st, const void *p, size_t n)
{
	add(st, p, n, p == NULL, 1);
}

int
stmt_bound(const struct stmt *st)
{
	return st->q != SQL__COUNT;
}

int
stmt_ok(const struct stmt *st)
{
	return stmt_bound(st) && !st->overflow && !st->data.oom &&
	    st->n + sql_queries[st->q].audited == sql_queries[st->q].nparams;
}

void
stmt_params(const struct stmt *st, const char **vals, int *lens, int *fmts)
{
	int	 i;

	for (i = 0; i < st->n; i++) {
		vals[i] = st->isnull[i] ? NULL : st->data.data + st->off[i];
		lens[i] = (int)st->len[i];
		fmts[i] = st->binary[i];
	}
}

void
stmt_free(struct stmt *st)
{
	buf_wipe(&st->data);
	stmt_init(st, SQL__COUNT);
}
