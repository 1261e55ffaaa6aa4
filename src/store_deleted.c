/* The statements about deleted secrets, in their recovery window. */
#include "autoconfig.h"

#include <string.h>

#include "store_impl.h"

void
store_deleted_list_bind(struct stmt *st, const char *provider_slug,
    int64_t after, int limit)
{
	stmt_init(st, SQL_DELETED_LIST);
	stmt_text(st, provider_slug);
	stmt_i64(st, after > 0 ? after : INT64_MAX);
	stmt_i64(st, limit);
}

void
store_deleted_read(struct store_result *res, int i, struct secret_row *row)
{
	store_secret_read(res, i, 0, row);
	row->deleted_at = result_text(res, i, result_col(res, "deleted_at"));
	row->destroy_at = result_text(res, i, result_col(res, "destroy_at"));
	row->delete_seq = result_i64(res, i, result_col(res, "delete_seq"));
}

void
store_deleted_find_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_DELETED_FIND);
	stmt_i64(st, id);
}

void
store_deleted_destroy_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_DELETED_DESTROY);
	stmt_i64(st, id);
}

void
store_deleted_gone_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_DELETED_GONE);
	stmt_i64(st, id);
}

enum lb_err
store_deleted_restore(struct store *s, int64_t id, const char *providers,
    struct store_result *res)
{
	struct stmt	 st, probe;
	enum lb_err	 e;

	stmt_init(&probe, SQL__COUNT);
	stmt_init(&st, SQL_DELETED_RESTORE);
	stmt_i64(&st, id);
	stmt_text(&st, providers != NULL && *providers ? providers : NULL);
	if ((e = store_run(s, &st, res)) == LB_OK) {
		if (result_rows(res) != 1) {
			result_free(res);
			e = LB_ERR_NOT_FOUND;	/* destroyed or restored since */
		}
		goto out;
	}
	if (strcmp(s->sqlstate, "23505") == 0)
		e = LB_ERR_NAME_CONFLICT;
	else if (e == LB_ERR_DATABASE_UNAVAILABLE && store_maybe_done(s)) {
		store_secret_exists_bind(&probe, id);
		if ((e = store_resolve(s, &probe)) == LB_OK &&
		    store_secret_row(s, id, res) != LB_OK)
			e = LB_ERR_INTERNAL;
	}
out:
	stmt_free(&probe);
	stmt_free(&st);
	return e;
}

enum lb_err
store_deleted_destroy_expired(struct store *s, long *n)
{
	struct stmt	 st;
	enum lb_err	 e;

	*n = 0;
	stmt_init(&st, SQL_DELETED_DESTROY_EXPIRED);
	e = store_run_count(s, &st, "n", n);
	stmt_free(&st);
	return e;
}
