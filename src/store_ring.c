/* Migrations, key rotation and the workers' heartbeats: what lockboxctl
 * and the workers' background pass ask of the database. */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
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
		buf_puts(b, I64(num, ids[i]));
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
	PGresult	*r = NULL, *u;
	enum lb_err	 e;
	unsigned char	 sha[CRYPTO_HASH_LEN], keyed[CRYPTO_HASH_LEN];
	char		 kid[BUF_I64_LEN];
	const char	*v[3];
	const int	 len[3] = { 0, CRYPTO_HASH_LEN, 0 };
	const int	 fmt[3] = { 0, 1, 0 };
	int		 i;

	if ((e = store_exec(s, SQL_API_KEY_UNCONVERTED, 0, NULL, NULL, NULL,
	    &r)) != LB_OK)
		return e;
	if (PQntuples(r) > 0 && c == NULL) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%d API key hash(es) "
		    "from before lockbox 0.2 must be converted with the key "
		    "ring, which could not be read (see key_file)",
		    PQntuples(r));
		e = LB_ERR_INTERNAL;
		goto out;
	}
	for (i = 0; i < PQntuples(r); i++) {
		if (store_bytea_get(r, i, 1, sha, sizeof(sha)) < 0 ||
		    apikey_stored_hash(c, crypto_active_key(c), sha,
		    keyed) < 0) {
			snprintf(s->errmsg, sizeof(s->errmsg), "API key %s: "
			    "cannot convert its hash", PQgetvalue(r, i, 0));
			e = LB_ERR_INTERNAL;
			goto out;
		}
		v[0] = PQgetvalue(r, i, 0);
		v[1] = (const char *)keyed;
		v[2] = I64(kid, crypto_active_key(c));
		if ((e = store_exec(s, SQL_API_KEY_CONVERT, 3, v, len, fmt,
		    &u)) != LB_OK)
			goto out;
		PQclear(u);
	}
	if (PQntuples(r) > 0)
		fprintf(log, "converted %d API key hash(es) to keyed hashes "
		    "under key %d\n", PQntuples(r), crypto_active_key(c));
out:
	explicit_bzero(sha, sizeof(sha));
	PQclear(r);
	return e;
}

enum lb_err
store_migrate(struct store *s, struct crypto *c, FILE *log)
{
	PGresult	*r = NULL;
	enum lb_err	 e;
	unsigned char	 applied[1000] = { 0 };
	char		 ver[16];
	const char	*v[2];
	size_t		 i;
	int		 row, n, done = 0;

	if ((e = store_connect(s)) != LB_OK)
		return e;
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK)
		goto fail;
	if ((e = store_exec(s, SQL_MIGRATE_LOCK, 0, NULL, NULL, NULL, &r)) !=
	    LB_OK)
		goto fail;
	PQclear(r);
	if ((e = store_exec_script(s, sql_queries[SQL_MIGRATE_BOOTSTRAP].text)) !=
	    LB_OK)
		goto fail;
	if ((e = store_exec(s, SQL_MIGRATE_APPLIED, 0, NULL, NULL, NULL, &r)) !=
	    LB_OK)
		goto fail;
	for (row = 0; row < PQntuples(r); row++) {
		n = atoi(PQgetvalue(r, row, 0));
		if (n > 0 && n < (int)sizeof(applied))
			applied[n] = 1;
	}
	PQclear(r);
	for (i = 0; i < sql_nmigrations; i++) {
		if (applied[sql_migrations[i].version])
			continue;
		fprintf(log, "applying %s\n", sql_migrations[i].name);
		if ((e = store_exec_script(s, sql_migrations[i].text)) != LB_OK)
			goto fail;
		snprintf(ver, sizeof(ver), "%d", sql_migrations[i].version);
		v[0] = ver;
		v[1] = sql_migrations[i].name;
		if ((e = store_exec(s, SQL_MIGRATE_RECORD, 2, v, NULL, NULL,
		    &r)) != LB_OK)
			goto fail;
		PQclear(r);
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

/* ---- key rotation -------------------------------------------------- */

/* Runs one statement that returns nothing to read, inside whatever
 * transaction is open. */
static enum lb_err
exec_simple(struct store *s, enum sql_query q, int n, const char *const *v)
{
	PGresult	*r;
	enum lb_err	 e;

	if ((e = store_exec(s, q, n, v, NULL, NULL, &r)) != LB_OK)
		return e;
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_rewrap_begin(struct store *s, int active, const int *ids, size_t nids)
{
	struct buf	 arr = { 0 };
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN];
	const char	*v[2] = { I64(kid, active), NULL };

	int_array(&arr, ids, nids);
	if (arr.oom) {
		e = LB_ERR_INTERNAL;
		goto out;
	}
	v[1] = arr.data;
	if ((e = store_connect(s)) != LB_OK)
		goto out;
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK ||
	    (e = exec_simple(s, SQL_KEY_UNRETIRE, 1, v)) != LB_OK ||
	    (e = exec_simple(s, SQL_REWRAP_RETIRE, 2, v)) != LB_OK ||
	    (e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	/* Its own transaction, after the retirement is visible to all: it
	 * waits for the writes that began before. */
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK ||
	    (e = exec_simple(s, SQL_REWRAP_SETTLE, 0, NULL)) != LB_OK ||
	    (e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	goto out;
fail:
	store_disconnect(s);
out:
	buf_free(&arr);
	return e;
}

/* Opens row i of a rewrap_select result and seals it again under the
 * active key, in the current form. LB_ERR_INTEGRITY (reported) when it
 * cannot be opened. */
static enum lb_err
rewrap_row(struct store *s, struct crypto *c, PGresult *r, int i)
{
	PGresult		*u = NULL;
	const unsigned char	*old = NULL;
	unsigned char		*pt = NULL, *ct = NULL, nonce[CRYPTO_NONCE_LEN];
	enum lb_err		 e = LB_ERR_INTEGRITY;
	char			 kid[BUF_I64_LEN];
	const char		*v[4];
	int			 len[4] = { 0 }, fmt[4] = { 0 }, key_id, format;
	size_t			 n = 0, oldlen;
	int64_t			 id, version;

	id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	version = strtoll(PQgetvalue(r, i, 1), NULL, 10);
	key_id = atoi(PQgetvalue(r, i, 2));
	format = atoi(PQgetvalue(r, i, 5));
	if (store_bytea_get(r, i, 3, nonce, CRYPTO_NONCE_LEN) < 0 ||
	    store_bytea_any(s, r, i, 4, &old, &oldlen) < 0 ||
	    oldlen < CRYPTO_TAG_LEN)
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
	v[0] = PQgetvalue(r, i, 0);
	v[1] = I64(kid, key_id);
	v[2] = (const char *)nonce;
	len[2] = CRYPTO_NONCE_LEN;
	fmt[2] = 1;
	v[3] = (const char *)ct;
	len[3] = (int)oldlen;
	fmt[3] = 1;
	/* Unnamed, and not through store_exec: the select's result, which
	 * the rows are read from, stays alive. */
	e = store_result_check(s, u = PQexecParams(s->conn,
	    sql_queries[SQL_REWRAP_UPDATE].text, 4, NULL, v, len, fmt, 0));
	goto out;
report:
	fprintf(stderr, "secret %" PRId64 " (key %d, version %" PRId64 ") "
	    "fails authentication: left as it is\n", id, key_id, version);
	e = LB_ERR_INTEGRITY;
out:
	PQclear(u);
	if (pt != NULL) {
		explicit_bzero(pt, n);
		free(pt);
	}
	free(ct);
	return e;
}

enum lb_err
store_rewrap_batch(struct store *s, struct crypto *c, int64_t *after,
    long *moved, long *failed, int *more)
{
	PGresult	*r = NULL;
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN], aft[BUF_I64_LEN];
	const char	*v[2] = { I64(kid, crypto_active_key(c)),
			    I64(aft, *after) };
	int		 i;

	*moved = *failed = 0;
	*more = 0;
	if ((e = store_connect(s)) != LB_OK)
		return e;
	if ((e = store_exec_script(s, "BEGIN")) != LB_OK)
		goto fail;
	r = PQexecParams(s->conn, sql_queries[SQL_REWRAP_SELECT].text, 2, NULL,
	    v, NULL, NULL, 0);
	if ((e = store_result_check(s, r)) != LB_OK)
		goto fail;
	for (i = 0; i < PQntuples(r); i++) {
		e = rewrap_row(s, c, r, i);
		if (e == LB_ERR_INTEGRITY)
			(*failed)++;	/* reported; passed over */
		else if (e != LB_OK)
			goto fail;
		else
			(*moved)++;
	}
	if (PQntuples(r) > 0)
		*after = strtoll(PQgetvalue(r, PQntuples(r) - 1, 0), NULL, 10);
	*more = PQntuples(r) == 100;
	PQclear(r);
	r = NULL;
	if ((e = store_exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	return LB_OK;
fail:
	PQclear(r);
	*moved = *failed = 0;
	store_disconnect(s);
	return e;
}

/* Runs q, whose one row's first column is a count, into *n. */
static enum lb_err
count_of(struct store *s, enum sql_query q, int n, const char *const *v,
    long *out)
{
	PGresult	*r;
	enum lb_err	 e;

	*out = 0;
	if ((e = store_exec(s, q, n, v, NULL, NULL, &r)) != LB_OK)
		return e;
	*out = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_rewrap_remaining(struct store *s, int active, long *n)
{
	char		 kid[BUF_I64_LEN];
	const char	*v[1] = { I64(kid, active) };

	return count_of(s, SQL_REWRAP_REMAINING, 1, v, n);
}

enum lb_err
store_key_usage(struct store *s, int key_id, int *retired, long *rows)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN];
	const char	*v[1] = { I64(kid, key_id) };

	if ((e = store_exec(s, SQL_KEY_IS_RETIRED, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	*retired = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return count_of(s, SQL_KEY_ROWS, 1, v, rows);
}

/* ---- the workers --------------------------------------------------- */

enum lb_err
store_worker_heartbeat(struct store *s, const struct store_worker *w)
{
	struct buf	 arr = { 0 };
	enum lb_err	 e;
	char		 id[BUF_I64_LEN], pid[BUF_I64_LEN], kid[BUF_I64_LEN];
	const char	*v[5];

	int_array(&arr, w->ring_ids, w->nring);
	v[0] = I64(id, w->id);
	v[1] = w->host;
	v[2] = I64(pid, w->pid);
	v[3] = I64(kid, w->seal_key_id);
	v[4] = arr.data;
	e = arr.oom ? LB_ERR_INTERNAL :
	    exec_simple(s, SQL_WORKER_HEARTBEAT, 5, v);
	buf_free(&arr);
	return e;
}

enum lb_err
store_worker_gone(struct store *s, int64_t id)
{
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { I64(ids, id) };

	return exec_simple(s, SQL_WORKER_GONE, 1, v);
}

enum lb_err
store_worker_purge(struct store *s)
{
	return exec_simple(s, SQL_WORKER_PURGE, 0, NULL);
}

/* Runs a live-workers statement (q, with key_id, the liveness window and
 * maybe a flag) and calls fn per row. */
static enum lb_err
workers_each(struct store *s, enum sql_query q, int n, const char *flag,
    int key_id, void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, long *count)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN], live[BUF_I64_LEN];
	const char	*v[3] = { I64(kid, key_id), I64(live, STORE_WORKER_LIVE_S),
			    flag };
	int		 i;

	*count = 0;
	if ((e = store_exec(s, q, n, v, NULL, NULL, &r)) != LB_OK)
		return e;
	for (i = 0; i < PQntuples(r); i++)
		fn(arg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 3));
	*count = PQntuples(r);
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_workers_sealing(struct store *s, int key_id, int others,
    void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, long *n)
{
	return workers_each(s, SQL_WORKERS_SEALING, 3, others ? "f" : "t",
	    key_id, fn, arg, n);
}

enum lb_err
store_workers_lacking(struct store *s, int key_id,
    void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, long *n)
{
	return workers_each(s, SQL_WORKERS_LACKING, 2, NULL, key_id, fn, arg,
	    n);
}
