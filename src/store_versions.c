/* The statements about a secret's versions. */
#include "autoconfig.h"

#include <string.h>

#include "store_impl.h"

void
store_version_list_bind(struct stmt *st, int64_t id, int64_t before,
    int limit)
{
	stmt_init(st, SQL_VERSION_LIST);
	stmt_i64(st, id);
	stmt_i64(st, before);
	stmt_i64(st, limit);
}

void
store_version_get_bind(struct stmt *st, int64_t id, int64_t version)
{
	stmt_init(st, SQL_VERSION_GET);
	stmt_i64(st, id);
	stmt_i64(st, version);
}

enum lb_err
store_version_read(struct store_result *res, int i, int sealed,
    struct secret_row *row)
{
	int	 col;

	memset(row, 0, sizeof(*row));
	row->id = result_i64(res, i, result_col(res, "id"));
	/* 0: the LEFT JOIN found no version. */
	col = result_col(res, "version");
	if (result_text(res, i, col) == NULL)
		return LB_OK;
	row->version = result_i64(res, i, col);
	row->created_at = result_text(res, i, result_col(res, "created_at"));
	col = result_col(res, "api_key_id");
	row->api_key_id = result_text(res, i, col) != NULL ?
	    result_i64(res, i, col) : 0;
	if ((col = result_col(res, "value_changed")) >= 0)
		row->value_changed = result_bool(res, i, col);
	return sealed ? store_sealed_read(res, i, row) : LB_OK;
}
