#include "autoconfig.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sql_queries.h"
#include "store.h"

struct store {
	const char	*conninfo;
	PGconn		*conn;
	unsigned char	 prepared[SQL__COUNT];
	char		 sqlstate[6];
	char		 errmsg[256];
};

struct store *
store_new(const char *conninfo)
{
	struct store	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->conninfo = conninfo;
	return s;
}

static void
store_disconnect(struct store *s)
{
	PQfinish(s->conn);
	s->conn = NULL;
	memset(s->prepared, 0, sizeof(s->prepared));
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	store_disconnect(s);
	free(s);
}

const char *
store_sqlstate(const struct store *s)
{
	return s->sqlstate;
}

const char *
store_error(const struct store *s)
{
	return s->errmsg;
}

/* libpq messages end in a newline and may span lines; keep one line. */
static void
save_error(struct store *s, const char *msg)
{
	size_t	 i;

	snprintf(s->errmsg, sizeof(s->errmsg), "%s", msg ? msg : "");
	for (i = 0; s->errmsg[i] != '\0'; i++)
		if (s->errmsg[i] == '\n' || s->errmsg[i] == '\r')
			s->errmsg[i] = ' ';
	while (i > 0 && s->errmsg[i - 1] == ' ')
		s->errmsg[--i] = '\0';
}

static enum lb_err
store_connect(struct store *s)
{
	/* The configured string comes last so that it overrides these
	 * defaults; a bounded connect keeps a worker from hanging on a
	 * database that accepts connections but never answers. */
	static const char *const kw[] = {
		"connect_timeout", "fallback_application_name", "dbname", NULL
	};
	const char	*val[] = { "5", "lockbox", s->conninfo, NULL };

	if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK)
		return LB_OK;
	store_disconnect(s);
	s->conn = PQconnectdbParams(kw, val, 1);
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
		save_error(s, s->conn ? PQerrorMessage(s->conn) : "out of memory");
		log_msg(LOG_LVL_WARN, "database connection failed: %s",
		    s->errmsg);
		store_disconnect(s);
		return LB_ERR_DATABASE_UNAVAILABLE;
	}
	return LB_OK;
}

/* Connection-level SQLSTATE classes: the server is going away or not
 * accepting work, which is "unavailable" rather than a bug. */
static int
sqlstate_unavailable(const char *st)
{
	return strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0 ||
	    strncmp(st, "53", 2) == 0;
}

static enum lb_err
result_check(struct store *s, PGresult *r)
{
	ExecStatusType	 st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	const char	*code;

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		s->sqlstate[0] = '\0';
		return LB_OK;
	}
	code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(s->sqlstate, sizeof(s->sqlstate), "%s", code ? code : "");
	/* The primary message only: the detail line can quote values. */
	save_error(s, r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    PQerrorMessage(s->conn));
	if (PQstatus(s->conn) == CONNECTION_BAD ||
	    sqlstate_unavailable(s->sqlstate))
		return LB_ERR_DATABASE_UNAVAILABLE;
	return LB_ERR_INTERNAL;
}

/* Runs statement q. On LB_OK *res holds the result (caller clears it).
 * On failure nothing is returned; store_sqlstate tells why. */
static enum lb_err
store_exec(struct store *s, enum sql_query q, int n,
    const char *const *vals, const int *lens, const int *fmts,
    PGresult **res)
{
	const struct sql_query_def	*d = &sql_queries[q];
	PGresult			*r = NULL;
	enum lb_err			 e = LB_ERR_INTERNAL;
	char				 name[64];
	int				 attempt;

	*res = NULL;
	snprintf(name, sizeof(name), "lockbox_%s", d->name);
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = store_connect(s)) != LB_OK)
			return e;
		if (d->plan_each)
			r = PQexecParams(s->conn, d->text, n, NULL, vals, lens,
			    fmts, 0);
		else {
			if (!s->prepared[q]) {
				r = PQprepare(s->conn, name, d->text, n, NULL);
				if ((e = result_check(s, r)) != LB_OK)
					goto failed;
				PQclear(r);
				s->prepared[q] = 1;
			}
			r = PQexecPrepared(s->conn, name, n, vals, lens, fmts,
			    0);
		}
		if ((e = result_check(s, r)) == LB_OK) {
			*res = r;
			return LB_OK;
		}
failed:
		PQclear(r);
		r = NULL;
		if (e != LB_ERR_DATABASE_UNAVAILABLE)
			break;
		/* A connection that died while idle (a database restart)
		 * is found only when used: a read may go again, once. */
		store_disconnect(s);
		if (!d->retry)
			break;
	}
	if (e == LB_ERR_INTERNAL)
		log_msg(LOG_LVL_ERROR, "statement %s failed: SQLSTATE %s: %s",
		    d->name, s->sqlstate, s->errmsg);
	else
		log_msg(LOG_LVL_WARN, "statement %s: database unavailable: %s",
		    d->name, s->errmsg);
	return e;
}

enum lb_err
store_ping(struct store *s)
{
	PGresult	*r;
	enum lb_err	 e;

	if ((e = store_exec(s, SQL_PING, 0, NULL, NULL, NULL, &r)) != LB_OK)
		return LB_ERR_DATABASE_UNAVAILABLE;
	PQclear(r);
	return LB_OK;
}

static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes a bytea column in hex output format ("\x0a1b...") of exactly
 * n bytes. */
static int
bytea_get(const PGresult *r, int row, int col, unsigned char *out, size_t n)
{
	const char	*v = PQgetvalue(r, row, col);
	size_t		 i;
	int		 hi, lo;

	if ((size_t)PQgetlength(r, row, col) != 2 + 2 * n ||
	    v[0] != '\\' || v[1] != 'x')
		return -1;
	for (i = 0; i < n; i++) {
		hi = unhex(v[2 + 2 * i]);
		lo = unhex(v[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

enum lb_err
store_api_key_find(struct store *s, const char *prefix,
    struct store_api_key *k)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*v[1] = { prefix };

	memset(k, 0, sizeof(*k));
	if ((e = store_exec(s, SQL_API_KEY_BY_PREFIX, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	if (PQntuples(r) != 1) {
		e = LB_ERR_NOT_FOUND;
		goto out;
	}
	k->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (bytea_get(r, 0, 1, k->hash, sizeof(k->hash)) < 0) {
		e = LB_ERR_INTERNAL;
		goto out;
	}
	k->scope = strcmp(PQgetvalue(r, 0, 2), "write") == 0 ? SCOPE_WRITE :
	    SCOPE_READ;
	k->revoked = PQgetvalue(r, 0, 3)[0] == 't';
out:
	PQclear(r);
	return e;
}

enum lb_err
store_api_key_insert(struct store *s, const char *name, const char *prefix,
    const unsigned char *hash, const char *scope, int64_t *id)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*v[4] = { name, prefix, (const char *)hash, scope };
	const int	 len[4] = { 0, 0, CRYPTO_HASH_LEN, 0 };
	const int	 fmt[4] = { 0, 0, 1, 0 };

	if ((e = store_exec(s, SQL_API_KEY_INSERT, 4, v, len, fmt, &r)) !=
	    LB_OK)
		return e;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_api_key_list(struct store *s,
    void (*fn)(void *, const char *const *cols), void *arg)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*cols[6];
	int		 i, j;

	if ((e = store_exec(s, SQL_API_KEY_LIST, 0, NULL, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	for (i = 0; i < PQntuples(r); i++) {
		for (j = 0; j < 6; j++)
			cols[j] = PQgetvalue(r, i, j);
		fn(arg, cols);
	}
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_api_key_revoke(struct store *s, int64_t id)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[24];
	const char	*v[1] = { ids };

	snprintf(ids, sizeof(ids), "%" PRId64, id);
	if ((e = store_exec(s, SQL_API_KEY_REVOKE, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	e = PQntuples(r) == 1 ? LB_OK : LB_ERR_NOT_FOUND;
	PQclear(r);
	return e;
}

/* Runs SQL text with the simple protocol (several statements allowed). */
static enum lb_err
exec_script(struct store *s, const char *sql)
{
	PGresult	*r = PQexec(s->conn, sql);
	enum lb_err	 e = result_check(s, r);

	PQclear(r);
	return e;
}

enum lb_err
store_migrate(struct store *s, FILE *log)
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
	if ((e = exec_script(s, "BEGIN")) != LB_OK)
		goto fail;
	if ((e = store_exec(s, SQL_MIGRATE_LOCK, 0, NULL, NULL, NULL, &r)) !=
	    LB_OK)
		goto fail;
	PQclear(r);
	if ((e = exec_script(s, sql_queries[SQL_MIGRATE_BOOTSTRAP].text)) !=
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
		if ((e = exec_script(s, sql_migrations[i].text)) != LB_OK)
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
	if ((e = exec_script(s, "COMMIT")) != LB_OK)
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
