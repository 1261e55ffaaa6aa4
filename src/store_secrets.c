/* The statements about secrets. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_impl.h"

/* ---- reading rows -------------------------------------------------- */

enum lb_err
store_sealed_read(struct store_result *res, int i, struct secret_row *row)
{
	row->key_id = (int)result_i64(res, i, result_col(res, "key_id"));
	row->format = (enum crypto_format)result_i64(res, i, result_col(res,
	    "value_format"));
	if (result_bytes(res, i, result_col(res, "nonce"), row->nonce,
	    CRYPTO_NONCE_LEN) < 0 || result_blob(res, i, result_col(res,
	    "ciphertext"), &row->ct, &row->ct_len) < 0)
		return LB_ERR_INTEGRITY;
	return LB_OK;
}

enum lb_err
store_secret_read(struct store_result *res, int i, int sealed,
    struct secret_row *row)
{
	memset(row, 0, sizeof(*row));
	row->id = result_i64(res, i, result_col(res, "id"));
	row->version = result_i64(res, i, result_col(res, "version"));
	row->name = result_text(res, i, result_col(res, "name"));
	row->provider_slug = result_text(res, i, result_col(res,
	    "provider_slug"));
	row->description = result_text(res, i, result_col(res,
	    "description"));
	row->metadata = result_text(res, i, result_col(res, "metadata"));
	row->created_at = result_text(res, i, result_col(res, "created_at"));
	row->updated_at = result_text(res, i, result_col(res, "updated_at"));
	return sealed ? store_sealed_read(res, i, row) : LB_OK;
}

/* ---- keyed first statements ---------------------------------------- */

void
store_secret_get_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_SECRET_GET);
	stmt_i64(st, id);
}

void
store_secret_lookup_bind(struct stmt *st, const char *name,
    const char *provider_slug)
{
	stmt_init(st, provider_slug != NULL ? SQL_SECRET_LOOKUP :
	    SQL_SECRET_LOOKUP_UNFILED);
	stmt_text(st, name);
	if (provider_slug != NULL)
		stmt_text(st, provider_slug);
}

void
store_secret_list_bind(struct stmt *st, const char *provider_slug,
    int64_t after_id, int limit)
{
	if (provider_slug != NULL)
		stmt_init(st, after_id > 0 ? SQL_SECRET_LIST_PROVIDER_AFTER :
		    SQL_SECRET_LIST_PROVIDER);
	else
		stmt_init(st, after_id > 0 ? SQL_SECRET_LIST_AFTER :
		    SQL_SECRET_LIST);
	if (provider_slug != NULL)
		stmt_text(st, provider_slug);
	if (after_id > 0)
		stmt_i64(st, after_id);
	stmt_i64(st, limit);
}

void
store_secret_list_filtered_bind(struct stmt *st, const char *provider_slug,
    int64_t after_id, const char *ids, int limit, int values)
{
	stmt_init(st, SQL_SECRET_LIST_FILTERED);
	stmt_text(st, provider_slug);
	stmt_i64(st, after_id > 0 ? after_id : INT64_MAX);
	stmt_text(st, ids);
	stmt_i64(st, limit);
	stmt_bool(st, values);
}

void
store_secret_next_id_bind(struct stmt *st, const char *key, long ttl)
{
	stmt_init(st, SQL_SECRET_NEXT_ID);
	stmt_text(st, key);
	stmt_i64(st, ttl);
}

void
store_secret_current_bind(struct stmt *st, int64_t id, int64_t restore)
{
	stmt_init(st, SQL_SECRET_CURRENT);
	stmt_i64(st, id);
	if (restore > 0)
		stmt_i64(st, restore);
	else
		stmt_text(st, NULL);
}

void
store_secret_delete_bind(struct stmt *st, int64_t id, const char *if_match,
    long retention, int permanent)
{
	stmt_init(st, permanent || retention == 0 ? SQL_SECRET_DESTROY :
	    SQL_SECRET_DELETE);
	stmt_i64(st, id);
	stmt_text(st, if_match);
	if (!permanent && retention > 0)
		stmt_i64(st, retention);
}

void
store_secret_exists_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_SECRET_EXISTS);
	stmt_i64(st, id);
}

void
store_secret_gone_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_SECRET_GONE);
	stmt_i64(st, id);
}

enum lb_err
store_secret_next_id_read(const struct store_result *res, int64_t *id,
    char created_at[40])
{
	const char	*t;

	if (result_rows(res) != 1)
		return LB_ERR_NOT_FOUND;
	*id = result_i64(res, 0, result_col(res, "id"));
	t = result_text(res, 0, result_col(res, "created_at"));
	snprintf(created_at, 40, "%s", t != NULL ? t : "");
	return LB_OK;
}

enum lb_err
store_secret_current_read(struct store_result *res, int64_t restore,
    struct secret_row *cur, struct secret_row *old)
{
	struct secret_row	 row;
	enum lb_err		 e;
	int64_t			 current = 0;
	int			 i, ccol, vcol, found_cur = 0, found_old = 0;

	memset(cur, 0, sizeof(*cur));
	if (old != NULL)
		memset(old, 0, sizeof(*old));
	/* The secret's row, the one with current_version, may come in any
	 * place; without it the secret is not there (a deleted secret keeps
	 * its versions). */
	ccol = result_col(res, "current_version");
	for (i = 0; i < result_rows(res); i++)
		if (result_text(res, i, ccol) != NULL)
			current = result_i64(res, i, ccol);
	if (current < 1)
		return LB_ERR_NOT_FOUND;
	vcol = result_col(res, "version");
	for (i = 0; i < result_rows(res); i++) {
		memset(&row, 0, sizeof(row));
		row.id = result_i64(res, i, result_col(res, "id"));
		row.version = result_i64(res, i, vcol);
		if ((e = store_sealed_read(res, i, &row)) != LB_OK)
			return e;
		if (row.version == current) {
			*cur = row;
			found_cur = 1;
		}
		if (old != NULL && row.version == restore) {
			*old = row;
			found_old = 1;
		}
	}
	if (!found_cur)
		return LB_ERR_INTEGRITY;
	if (old != NULL && !found_old)
		return LB_ERR_VERSION_NOT_FOUND;
	return LB_OK;
}

enum lb_err
store_secret_current(struct store *s, int64_t id, int64_t restore,
    const char *providers, struct store_result *res)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_SECRET_CURRENT_AGAIN);
	stmt_i64(&st, id);
	if (restore > 0)
		stmt_i64(&st, restore);
	else
		stmt_text(&st, NULL);
	stmt_text(&st, providers != NULL && *providers ? providers : NULL);
	if ((e = store_run(s, &st, res)) == LB_OK && result_rows(res) < 1) {
		result_free(res);
		e = LB_ERR_NOT_FOUND;
	}
	stmt_free(&st);
	return e;
}

enum lb_err
store_secret_row(struct store *s, int64_t id, struct store_result *res)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_SECRET_ROW);
	stmt_i64(&st, id);
	if ((e = store_run_patiently(s, &st, res)) == LB_OK &&
	    result_rows(res) != 1) {
		result_free(res);
		e = LB_ERR_NOT_FOUND;
	}
	stmt_free(&st);
	return e;
}

/* ---- writes -------------------------------------------------------- */

/* A value sealed with a key that rewrap retired was refused by its own
 * statement: this host's key ring is older than the database. */
static enum lb_err
key_retired(int key_id)
{
	log_msg(LOG_LVL_ERROR, "a value sealed with key %d was refused: "
	    "\"lockboxctl rewrap\" retired that key; this host's key ring is "
	    "out of date: install the current one and reload (SIGHUP)",
	    key_id);
	return LB_ERR_KEY_RETIRED;
}

enum lb_err
store_secret_insert(struct store *s, const struct secret_insert *in,
    enum store_conflict *conflict)
{
	struct store_result	 res;
	struct stmt		 st, probe;
	enum lb_err		 e;

	*conflict = CONFLICT_NONE;
	stmt_init(&probe, SQL__COUNT);
	stmt_init(&st, in->idempotency_key != NULL ?
	    SQL_SECRET_INSERT_IDEMPOTENT : SQL_SECRET_INSERT);
	stmt_i64(&st, in->id);
	stmt_text(&st, in->name);
	stmt_text(&st, in->provider_slug);
	stmt_text(&st, in->description);
	stmt_text(&st, in->metadata);
	stmt_i64(&st, in->key_id);
	stmt_bytea(&st, in->nonce, CRYPTO_NONCE_LEN);
	stmt_bytea(&st, in->ct, in->ct_len);
	stmt_text(&st, in->created_at);
	stmt_i64(&st, in->api_key_id);
	if (in->idempotency_key != NULL) {
		stmt_text(&st, in->idempotency_key);
		stmt_bytea(&st, in->fingerprint, CRYPTO_MAC_LEN);
		stmt_i64(&st, in->fingerprint_key_id);
		stmt_text(&st, in->response_body);
	}
	stmt_text(&st, in->providers != NULL && *in->providers ?
	    in->providers : NULL);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		e = result_changed(&res) == 1 ? LB_OK : key_retired(in->key_id);
		result_free(&res);
		goto out;
	}
	/* A 201 must mean stored and a 503 must mean no effect. The id is
	 * ours alone (nextval), so its row can only be this insert's. */
	if (e == LB_ERR_DATABASE_UNAVAILABLE && store_maybe_done(s)) {
		store_secret_exists_bind(&probe, in->id);
		e = store_resolve(s, &probe);
	} else if (strcmp(s->sqlstate, "23505") == 0) {
		*conflict = strcmp(s->constraint,
		    "secrets_provider_slug_name_key") == 0 ? CONFLICT_NAME :
		    CONFLICT_IDEMPOTENCY;
		e = LB_ERR_NAME_CONFLICT;
	}
out:
	stmt_free(&probe);
	stmt_free(&st);
	return e;
}

/* A write of a version whose connection broke may have committed: its
 * nonce (96 fresh random bits) is in a version row if and only if it
 * did; then the secret is read again for the answer. */
static enum lb_err
update_resolve(struct store *s, const struct secret_update *u,
    struct store_result *res)
{
	struct stmt	 probe;
	enum lb_err	 e;

	stmt_init(&probe, SQL_SECRET_UPDATE_DONE);
	stmt_i64(&probe, u->id);
	stmt_bytea(&probe, u->nonce, CRYPTO_NONCE_LEN);
	stmt_i64(&probe, u->version);
	if ((e = store_resolve(s, &probe)) == LB_OK &&
	    store_secret_row(s, u->id, res) != LB_OK)
		e = LB_ERR_INTERNAL;
	stmt_free(&probe);
	return e;
}

/* The update changed nothing: finds out why, with the same inputs. */
static enum lb_err
update_why(struct store *s, const struct secret_update *u)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	stmt_init(&st, SQL_SECRET_UPDATE_WHY);
	stmt_i64(&st, u->id);
	stmt_i64(&st, u->version);
	stmt_bool(&st, u->clear_metadata);
	stmt_text(&st, u->metadata_remove ? u->metadata_remove : "{}");
	stmt_text(&st, u->metadata_set ? u->metadata_set : "{}");
	stmt_i64(&st, u->key_id);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		goto out;
	if (result_rows(&res) != 1)
		e = LB_ERR_NOT_FOUND;
	else if (result_bool(&res, 0, result_col(&res, "key_retired")))
		e = key_retired(u->key_id);
	else if (!result_bool(&res, 0, result_col(&res, "same_version")))
		e = LB_ERR_PRECONDITION_FAILED;	/* moved on: read again */
	else if (!result_bool(&res, 0, result_col(&res, "metadata_fits")))
		e = LB_ERR_INVALID_FIELD;
	else
		e = LB_ERR_PRECONDITION_FAILED;	/* changed in between */
	result_free(&res);
out:
	stmt_free(&st);
	return e;
}

enum lb_err
store_secret_update(struct store *s, const struct secret_update *u,
    struct store_result *res)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_SECRET_UPDATE);
	stmt_i64(&st, u->id);
	stmt_i64(&st, u->version);
	stmt_text(&st, u->name);
	stmt_bool(&st, u->set_provider);
	stmt_text(&st, u->provider_slug);
	stmt_bool(&st, u->set_description);
	stmt_text(&st, u->description);
	stmt_bool(&st, u->clear_metadata);
	stmt_text(&st, u->metadata_remove ? u->metadata_remove : "{}");
	stmt_text(&st, u->metadata_set ? u->metadata_set : "{}");
	stmt_i64(&st, u->key_id);
	stmt_bytea(&st, u->nonce, CRYPTO_NONCE_LEN);
	stmt_bytea(&st, u->ct, u->ct_len);
	stmt_bool(&st, u->value_changed);
	stmt_i64(&st, u->api_key_id);
	stmt_i64(&st, u->max_versions);
	stmt_text(&st, u->providers != NULL && *u->providers ? u->providers :
	    NULL);
	e = store_run(s, &st, res);
	stmt_free(&st);
	if (e != LB_OK) {
		if (strcmp(s->sqlstate, "23505") == 0)
			return LB_ERR_NAME_CONFLICT;
		if (e == LB_ERR_DATABASE_UNAVAILABLE && store_maybe_done(s))
			return update_resolve(s, u, res);
		return e;
	}
	if (result_rows(res) == 1)
		return LB_OK;
	result_free(res);
	return update_why(s, u);
}

enum lb_err
store_secret_delete_why(struct store *s, int64_t id, const char *providers)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	stmt_init(&st, SQL_SECRET_VERSION);
	stmt_i64(&st, id);
	stmt_text(&st, providers != NULL && *providers ? providers : NULL);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		e = result_rows(&res) == 1 ? LB_ERR_PRECONDITION_FAILED :
		    LB_ERR_NOT_FOUND;
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}
