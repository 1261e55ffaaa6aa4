/* Migrations, key rotation, what lockboxctl checks before a key may
 * change, and API keys: statements only lockboxctl sends (linked into it
 * alone). */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "store_admin.h"
#include "store_impl.h"

/* "{1,2,3}": a PostgreSQL integer[] literal of ids. */
static void
int_array(struct buf *b, const int *ids, size_t n)
{
	char	 num[BUF_I64_LEN];
	size_t	 i;

	buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, buf_i64(num, ids[i]));
	}
	buf_putc(b, '}');
}

/* ---- migrations ---------------------------------------------------- */

/* API key hashes from before 0.2 are plain SHA-256: each becomes the
 * keyed hash of itself (apikey.h), under the ring's active key, in the
 * migration's transaction. No API key is needed for that, only the ring. */
static enum lb_err
convert_api_keys(struct store *s, struct crypto *c, FILE *log)
{
	struct store_result	 res;
	struct stmt		 st, up;
	enum lb_err		 e;
	unsigned char		 sha[CRYPTO_HASH_LEN], keyed[CRYPTO_HASH_LEN];
	int			 i, n;

	stmt_init(&st, SQL_API_KEY_UNCONVERTED);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	n = result_rows(&res);
	if (n > 0 && c == NULL) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%d API key hash(es) "
		    "from before lockbox 0.2 must be converted with the key "
		    "ring, which could not be read (see key_file)", n);
		e = LB_ERR_INTERNAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (result_bytes(&res, i, result_col(&res, "key_hash"), sha,
		    sizeof(sha)) < 0 || apikey_stored_hash(c,
		    crypto_active_key(c), sha, keyed) < 0) {
			snprintf(s->errmsg, sizeof(s->errmsg), "API key %s: "
			    "cannot convert its hash", result_text(&res, i, 0));
			e = LB_ERR_INTERNAL;
			goto out;
		}
		stmt_init(&up, SQL_API_KEY_CONVERT);
		stmt_i64(&up, result_i64(&res, i, result_col(&res, "id")));
		stmt_bytea(&up, keyed, sizeof(keyed));
		stmt_i64(&up, crypto_active_key(c));
		e = store_run_simple(s, &up);
		stmt_free(&up);
		if (e != LB_OK)
			goto out;
	}
	if (n > 0)
		fprintf(log, "converted %d API key hash(es) to keyed hashes "
		    "under key %d\n", n, crypto_active_key(c));
out:
	explicit_bzero(sha, sizeof(sha));
	result_free(&res);
	return e;
}

enum lb_err
store_migrate(struct store *s, struct crypto *c, FILE *log)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;
	unsigned char		 applied[1000] = { 0 };
	size_t			 i;
	int			 row, n, done = 0;

	if ((e = store_connect(s)) != LB_OK)
		return e;
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK)
		goto fail;
	stmt_init(&st, SQL_MIGRATE_LOCK);
	if ((e = store_run_simple(s, &st)) != LB_OK)
		goto fail;
	if ((e = store_exec_script(s,
	    sql_queries[SQL_MIGRATE_BOOTSTRAP].text)) != LB_OK)
		goto fail;
	stmt_init(&st, SQL_MIGRATE_APPLIED);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		goto fail;
	for (row = 0; row < result_rows(&res); row++) {
		n = (int)result_i64(&res, row, 0);
		if (n > 0 && n < (int)sizeof(applied))
			applied[n] = 1;
	}
	result_free(&res);
	for (i = 0; i < sql_nmigrations; i++) {
		if (applied[sql_migrations[i].version])
			continue;
		fprintf(log, "applying %s\n", sql_migrations[i].name);
		if ((e = store_exec_script(s, sql_migrations[i].text)) != LB_OK)
			goto fail;
		stmt_init(&st, SQL_MIGRATE_RECORD);
		stmt_i64(&st, sql_migrations[i].version);
		stmt_text(&st, sql_migrations[i].name);
		e = store_run_simple(s, &st);
		stmt_free(&st);
		if (e != LB_OK)
			goto fail;
		done++;
	}
	if ((e = convert_api_keys(s, c, log)) != LB_OK)
		goto fail;
	if ((e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	if (done > 0)
		fprintf(log, "%d migration(s) applied\n", done);
	else
		fprintf(log, "schema is up to date\n");
	return LB_OK;
fail:
	fprintf(log, "migration failed: %s%s%s\n", s->errmsg,
	    s->sqlstate[0] ? " SQLSTATE " : "", s->sqlstate);
	store_disconnect(s);
	return e;
}

/* ---- the workers, API keys by ring key ----------------------------- */

/* Runs a live-workers statement (q, with key_id, the liveness window and
 * maybe a flag) and calls fn per row. */
static enum lb_err
workers_each(struct store *s, enum sql_query q, const char *flag,
    int key_id, void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, long *count)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;
	int			 i;

	*count = 0;
	stmt_init(&st, q);
	stmt_i64(&st, key_id);
	stmt_i64(&st, STORE_WORKER_LIVE_S);
	if (flag != NULL)
		stmt_text(&st, flag);
	e = store_run(s, &st, &res);
	stmt_free(&st);
	if (e != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res); i++)
		fn(arg, result_text(&res, i, result_col(&res, "host")),
		    result_text(&res, i, result_col(&res, "pid")),
		    result_text(&res, i, result_col(&res, "seal_key_id")),
		    result_text(&res, i, result_col(&res, "age_s")));
	*count = result_rows(&res);
	result_free(&res);
	return LB_OK;
}

enum lb_err
store_workers_sealing(struct store *s, int key_id, int others,
    void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, long *n)
{
	return workers_each(s, SQL_WORKERS_SEALING, others ? "f" : "t",
	    key_id, fn, arg, n);
}

enum lb_err
store_workers_lacking(struct store *s, int key_id,
    void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, long *n)
{
	return workers_each(s, SQL_WORKERS_LACKING, NULL, key_id, fn, arg, n);
}

enum lb_err
store_api_key_hashed_with(struct store *s, int key_id,
    void (*fn)(void *, const char *, const char *), void *arg, long *n)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;
	int			 i;

	*n = 0;
	stmt_init(&st, SQL_API_KEY_HASHED_WITH);
	stmt_i64(&st, key_id);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		goto out;
	for (i = 0; i < result_rows(&res); i++)
		fn(arg, result_text(&res, i, result_col(&res, "id")),
		    result_text(&res, i, result_col(&res, "prefix")));
	*n = result_rows(&res);
	result_free(&res);
out:
	stmt_free(&st);
	return e;
}

/* ---- key rotation -------------------------------------------------- */

enum lb_err
store_rewrap_begin(struct store *s, int active, const int *ids, size_t nids)
{
	struct buf	 arr = { 0 };
	struct stmt	 un, ret, settle;
	enum lb_err	 e;

	int_array(&arr, ids, nids);
	stmt_init(&un, SQL_KEY_UNRETIRE);
	stmt_i64(&un, active);
	stmt_init(&ret, SQL_REWRAP_RETIRE);
	stmt_i64(&ret, active);
	stmt_text(&ret, arr.oom ? NULL : arr.data);
	stmt_init(&settle, SQL_REWRAP_SETTLE);
	if ((e = store_connect(s)) != LB_OK)
		goto out;
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK ||
	    (e = store_run_simple(s, &un)) != LB_OK ||
	    (e = store_run_simple(s, &ret)) != LB_OK ||
	    (e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	/* Its own transaction, after the retirement is visible to all: it
	 * waits for the writes that began before. */
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK ||
	    (e = store_run_simple(s, &settle)) != LB_OK ||
	    (e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	goto out;
fail:
	store_disconnect(s);
out:
	stmt_free(&un);
	stmt_free(&ret);
	buf_free(&arr);
	return e;
}

/* Opens row i of a rewrap_select result and seals it again under the
 * active key, in the current form. LB_ERR_INTEGRITY (reported) when it
 * cannot be opened. */
static enum lb_err
rewrap_row(struct store *s, struct crypto *c, enum store_rewrap_walk walk,
    struct store_result *res, int i)
{
	struct stmt		 up;
	const unsigned char	*old = NULL;
	unsigned char		*pt = NULL, *ct = NULL, nonce[CRYPTO_NONCE_LEN];
	enum lb_err		 e = LB_ERR_INTEGRITY;
	int			 key_id, format;
	size_t			 n = 0, oldlen;
	int64_t			 id, version;

	stmt_init(&up, SQL__COUNT);
	id = result_i64(res, i, result_col(res, "id"));
	version = result_i64(res, i, result_col(res, "version"));
	key_id = (int)result_i64(res, i, result_col(res, "key_id"));
	format = (int)result_i64(res, i, result_col(res, "value_format"));
	if (result_bytes(res, i, result_col(res, "nonce"), nonce,
	    CRYPTO_NONCE_LEN) < 0 || result_blob(res, i, result_col(res,
	    "ciphertext"), &old, &oldlen) < 0 || oldlen < CRYPTO_TAG_LEN)
		goto report;
	n = oldlen - CRYPTO_TAG_LEN;
	if ((pt = malloc(n + 1)) == NULL || (ct = malloc(oldlen)) == NULL) {
		e = LB_ERR_INTERNAL;
		goto out;
	}
	if ((e = crypto_open(c, id, version, (enum crypto_format)format,
	    key_id, nonce, old, oldlen, pt)) != LB_OK)
		goto report;
	if ((e = crypto_seal(c, id, version, pt, n, &key_id, nonce, ct)) !=
	    LB_OK)
		goto out;
	stmt_init(&up, walk == STORE_REWRAP_CURRENT ?
	    SQL_REWRAP_UPDATE_CURRENT : SQL_REWRAP_UPDATE);
	stmt_i64(&up, id);
	stmt_i64(&up, version);
	stmt_i64(&up, key_id);
	stmt_bytea(&up, nonce, CRYPTO_NONCE_LEN);
	stmt_bytea(&up, ct, oldlen);
	e = store_run_simple(s, &up);
	goto out;
report:
	fprintf(stderr, "secret %" PRId64 " (key %d, version %" PRId64 "%s) "
	    "fails authentication: left as it is\n", id, key_id, version,
	    walk == STORE_REWRAP_CURRENT ? ", its row's current value" : "");
	e = LB_ERR_INTEGRITY;
out:
	stmt_free(&up);
	if (pt != NULL) {
		explicit_bzero(pt, n);
		free(pt);
	}
	free(ct);
	return e;
}

enum lb_err
store_rewrap_batch(struct store *s, struct crypto *c,
    enum store_rewrap_walk walk, int64_t after[2], long *moved, long *failed,
    int *more)
{
	struct store_result	 res = { 0 };
	struct stmt		 st;
	enum lb_err		 e;
	int			 i;

	*moved = *failed = 0;
	*more = 0;
	stmt_init(&st, walk == STORE_REWRAP_CURRENT ?
	    SQL_REWRAP_SELECT_CURRENT : SQL_REWRAP_SELECT);
	stmt_i64(&st, crypto_active_key(c));
	stmt_i64(&st, after[0]);
	stmt_i64(&st, after[1]);
	if ((e = store_connect(s)) != LB_OK)
		goto out;
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK ||
	    (e = store_run(s, &st, &res)) != LB_OK)
		goto fail;
	for (i = 0; i < result_rows(&res); i++) {
		e = rewrap_row(s, c, walk, &res, i);
		if (e == LB_ERR_INTEGRITY)
			(*failed)++;	/* reported; passed over */
		else if (e != LB_OK)
			goto fail;
		else
			(*moved)++;
	}
	if (result_rows(&res) > 0) {
		after[0] = result_i64(&res, result_rows(&res) - 1,
		    result_col(&res, "id"));
		after[1] = result_i64(&res, result_rows(&res) - 1,
		    result_col(&res, "version"));
	}
	*more = result_rows(&res) == 100;
	if ((e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	goto out;
fail:
	*moved = *failed = 0;
	store_disconnect(s);
out:
	result_free(&res);
	stmt_free(&st);
	return e;
}

enum lb_err
store_rewrap_remaining(struct store *s, int active, long *n)
{
	struct stmt	 st;
	enum lb_err	 e;

	stmt_init(&st, SQL_REWRAP_REMAINING);
	stmt_i64(&st, active);
	e = store_run_count(s, &st, "n", n);
	stmt_free(&st);
	return e;
}

enum lb_err
store_key_usage(struct store *s, int key_id, int *retired, long *rows)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	*retired = 0;
	*rows = 0;
	stmt_init(&st, SQL_KEY_IS_RETIRED);
	stmt_i64(&st, key_id);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		goto out;
	*retired = result_bool(&res, 0, result_col(&res, "retired"));
	result_free(&res);
	stmt_free(&st);
	stmt_init(&st, SQL_KEY_ROWS);
	stmt_i64(&st, key_id);
	e = store_run_count(s, &st, "n", rows);
out:
	stmt_free(&st);
	return e;
}

/* ---- API keys ------------------------------------------------------ */

enum lb_err
store_api_key_insert(struct store *s, const struct store_new_key *k,
    int64_t *id, char expires_at[40])
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;
	const char		*t;

	stmt_init(&st, SQL_API_KEY_INSERT);
	stmt_text(&st, k->name);
	stmt_text(&st, k->prefix);
	stmt_bytea(&st, k->hash, CRYPTO_HASH_LEN);
	stmt_i64(&st, k->hash_key_id);
	stmt_text(&st, scope_name(k->level));
	stmt_bool(&st, k->audit);
	stmt_text(&st, k->providers);
	if (k->expires_in > 0)
		stmt_i64(&st, k->expires_in);
	else
		stmt_text(&st, NULL);
	if ((e = store_run(s, &st, &res)) == LB_OK) {
		*id = result_i64(&res, 0, result_col(&res, "id"));
		t = result_text(&res, 0, result_col(&res, "expires_at"));
		snprintf(expires_at, 40, "%s", t != NULL ? t : "");
		result_free(&res);
	}
	stmt_free(&st);
	return e;
}

enum lb_err
store_api_key_list(struct store *s,
    void (*fn)(void *, const char *const *cols), void *arg)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;
	const char		*cols[8];
	int			 i, j;

	stmt_init(&st, SQL_API_KEY_LIST);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		return e;
	for (i = 0; i < result_rows(&res); i++) {
		for (j = 0; j < 8; j++)
			cols[j] = result_text(&res, i, j);
		fn(arg, cols);
	}
	result_free(&res);
	return LB_OK;
}

enum lb_err
store_api_key_revoke(struct store *s, int64_t id)
{
	struct store_result	 res;
	struct stmt		 st;
	enum lb_err		 e;

	stmt_init(&st, SQL_API_KEY_REVOKE);
	stmt_i64(&st, id);
	if ((e = store_run(s, &st, &res)) != LB_OK)
		goto out;
	e = result_rows(&res) == 1 ? LB_OK : LB_ERR_NOT_FOUND;
	result_free(&res);
out:
	stmt_free(&st);
	return e;
}
