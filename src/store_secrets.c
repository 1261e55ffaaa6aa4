/* The statements about secrets. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_impl.h"

/* ---- reading rows -------------------------------------------------- */

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
	if (!sealed)
		return LB_OK;
	row->key_id = (int)result_i64(res, i, result_col(res, "key_id"));
	row->format = (enum crypto_format)result_i64(res, i, result_col(res,
	    "value_format"));
	if (result_bytes(res, i, result_col(res, "nonce"), row->nonce,
	    CRYPTO_NONCE_LEN) < 0 || result_blob(res, i, result_col(res,
	    "ciphertext"), &row->ct, &row->ct_len) < 0)
		return LB_ERR_INTEGRITY;
	return LB_OK;
}

/* ---- keyed first statements ---------------------------------------- */

void
store_secret_get_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_SECRET_GET);
	stmt_i64(st, id);
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
store_secret_next_id_bind(struct stmt *st)
{
	stmt_init(st, SQL_SECRET_NEXT_ID);
}

void
store_secret_current_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_SECRET_CURRENT);
	stmt_i64(st, id);
}

void
store_secret_delete_bind(struct stmt *st, int64_t id, const char *if_match)
{
	stmt_init(st, SQL_SECRET_DELETE);
	stmt_i64(st, id);
	stmt_text(st, if_match);
}

void
store_secret_exists_bind(struct stmt *st, int64_t id)
{
	stmt_init(st, SQL_SECRET_VERSION);
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
store_secret_current(struct store *s, int64_t id, struct store_result *res)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_SECRET_CURRENT_AGAIN);
	stmt_i64(&st, id);
	if ((e = store_run(s, &st, res)) == LB_OK && result_rows(res) != 1) {
		result_free(res);
		e = LB_ERR_NOT_FOUND;
	}
	stmt_free(&st);
	return e;
}

/* ---- writes -------------------------------------------------------- */

/* A write's connection broke: it may or may not have committed. Asks the
 * database (reconnecting, for up to a minute) whether secret id exists
 * now. Returns 1 or 0, or -1 when the database stayed out of reach. */
static int
exists_after_failure(struct store *s, int64_t id)
{
	struct store_result	 res;
	struct stmt		 st;
	int			 rc = -1;

	store_secret_exists_bind(&st, id);
	if (store_run_patiently(s, &st, &res) == LB_OK) {
		rc = result_rows(&res) == 1;
		result_free(&res);
		log_msg(LOG_LVL_WARN, "secret %lld: a write lost its "
		    "connection; the row %s now", (long long)id, rc ?
		    "exists" : "does not exist");
	}
	stmt_free(&st);
	return rc;
}

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
	struct stmt		 st;
	enum lb_err		 e;

	*conflict = CONFLICT_NONE;
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
	if (in->idempotency_key != NULL) {
		stmt_i64(&st, in->api_key_id);
		stmt_text(&st, in->idempotency_key);
		stmt_bytea(&st, in->fingerprint, CRYPTO_MAC_LEN);
		stmt_i64(&st, in->fingerprint_key_id);
		stmt_text(&st, in->response_body);
	}
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		e = result_changed(&res) == 1 ? LB_OK : key_retired(in->key_id);
		result_free(&res);
		goto out;
	}
	/* A 201 must mean stored and a 503 must mean no effect: when the
	 * connection broke mid-statement, find out which it was. The id is
	 * ours alone (nextval), so its row can only be this insert's. */
	if (e == LB_ERR_DATABASE_UNAVAILABLE && store_maybe_done(s)) {
		switch (exists_after_failure(s, in->id)) {
		case 1:
			e = LB_OK;
			break;
		case 0:
			break;
		default:
			e = LB_ERR_INTERNAL;	/* unknown: never 503 */
			break;
		}
	} else if (strcmp(s->sqlstate, "23505") == 0) {
		*conflict = strcmp(s->constraint,
		    "secrets_provider_slug_name_key") == 0 ? CONFLICT_NAME :
		    CONFLICT_IDEMPOTENCY;
		e = LB_ERR_NAME_CONFLICT;
	}
out:
	stmt_free(&st);
	return e;
}

/* A PATCH whose connection broke may have committed. Every PATCH seals
 * the value afresh, so the row holds this PATCH's nonce (96 fresh random
 * bits) if and only if it did; then its row is read again for the
 * answer. */
static enum lb_err
update_resolve(struct store *s, const struct secret_update *u,
    struct store_result *res)
{
	struct store_result	 nr;
	struct stmt		 st;
	unsigned char		 nonce[CRYPTO_NONCE_LEN];
	enum lb_err		 e = LB_ERR_INTERNAL;
	int			 applied;

	stmt_init(&st, SQL_SECRET_NONCE);
	stmt_i64(&st, u->id);
	if (store_run_patiently(s, &st, &nr) != LB_OK)
		goto out;
	applied = result_rows(&nr) == 1 &&
	    result_bytes(&nr, 0, 0, nonce, sizeof(nonce)) == 0 &&
	    memcmp(nonce, u->nonce, sizeof(nonce)) == 0;
	result_free(&nr);
	log_msg(LOG_LVL_WARN, "secret %lld: a PATCH lost its connection; it "
	    "was %s", (long long)u->id, applied ? "applied" : "not applied");
	if (!applied) {
		e = LB_ERR_DATABASE_UNAVAILABLE;
		goto out;
	}
	stmt_free(&st);
	stmt_init(&st, SQL_SECRET_ROW);
	stmt_i64(&st, u->id);
	if (store_run_patiently(s, &st, res) == LB_OK)
		e = LB_OK;
out:
	stmt_free(&st);
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
store_secret_delete_why(struct store *s, int64_t id)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	store_secret_exists_bind(&st, id);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		e = result_rows(&res) == 1 ? LB_ERR_PRECONDITION_FAILED :
		    LB_ERR_NOT_FOUND;
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}
