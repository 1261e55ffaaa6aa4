#include "autoconfig.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "hex.h"
#include "log.h"
#include "sql_queries.h"
#include "store.h"

/* A statement sent in the same round trip as the next one (libpq pipeline
 * mode). The router names, before it checks the API key, the statement
 * its handler will make first: the key lookup and that statement then
 * cost one round trip instead of two. Its answer waits for the handler to
 * ask for exactly that statement with exactly those parameters.
 *
 * A read is dropped when anything else is asked first (the key was
 * refused, say), so a read made for a refused key reaches nobody. A write
 * carries the key's prefix and hash and changes nothing unless the key
 * may write (the statement checks it, in the same transaction as the
 * lookup); once sent, its answer must be taken, and a round trip that
 * broke leaves it "unknown": it may have committed, and the handler
 * resolves it as it resolves its own broken writes. */
#define AHEAD_PARAMS	16
struct ahead {
	enum sql_query	 q;		/* SQL__COUNT: none */
	int		 n;
	int		 write;
	int		 unknown;	/* a write whose round trip broke */
	char		*val[AHEAD_PARAMS];	/* into copy; NULL for NULL */
	int		 len[AHEAD_PARAMS];
	char		*copy;		/* the parameters, one allocation */
	size_t		 copylen;
	int		 fmt[AHEAD_PARAMS];
	PGresult	*res;		/* its answer, once read */
};

struct store {
	const char	*conninfo;
	int		 prepare;
	PGconn		*conn;
	PGresult	*held;		/* backs the rows last returned */
	unsigned char	*ct;		/* backs secret_row.ct */
	size_t		 ctcap;
	char		 constraint[64];
	unsigned char	 prepared[SQL__COUNT];
	char		 sqlstate[6];
	char		 errmsg[256];
	int		 maybe_done;	/* the last statement failed after it
					 * was sent: it may have taken effect */
	int		 noticed;	/* the server sent a notice */
	struct ahead	 ahead;
};

struct store *
store_new(const char *conninfo, int prepare)
{
	struct store	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->conninfo = conninfo;
	s->prepare = prepare;
	s->ahead.q = SQL__COUNT;
	return s;
}

static void
store_disconnect(struct store *s)
{
	PQfinish(s->conn);
	s->conn = NULL;
	memset(s->prepared, 0, sizeof(s->prepared));
}

static void
release_held(struct store *s)
{
	PQclear(s->held);
	s->held = NULL;
}

static void
ahead_drop(struct store *s)
{
	if (s->ahead.copy != NULL)
		explicit_bzero(s->ahead.copy, s->ahead.copylen);
	free(s->ahead.copy);
	s->ahead.copy = NULL;
	s->ahead.copylen = 0;
	memset(s->ahead.val, 0, sizeof(s->ahead.val));
	PQclear(s->ahead.res);
	s->ahead.res = NULL;
	s->ahead.q = SQL__COUNT;
	s->ahead.n = 0;
	s->ahead.write = 0;
	s->ahead.unknown = 0;
}

void
store_request_done(struct store *s)
{
	ahead_drop(s);
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	release_held(s);
	ahead_drop(s);
	store_disconnect(s);
	free(s->ct);
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

/* Server notices ("terminating connection because of ...") go to the log
 * as JSON lines, not raw to stderr. */
static void
notice(void *arg, const char *msg)
{
	struct store	*s = arg;
	char		 line[256];
	size_t		 i;

	s->noticed = 1;
	snprintf(line, sizeof(line), "%s", msg);
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	log_msg(LOG_LVL_WARN, "database notice: %s", line);
}

static enum lb_err
store_connect(struct store *s)
{
	/* The configured string comes last so that it overrides these
	 * defaults; a bounded connect keeps a worker from hanging on a
	 * database that accepts connections but never answers. */
	static const char *const kw[] = {
		"connect_timeout", "fallback_application_name",
		"client_encoding", "dbname", NULL
	};
	const char	*val[] = { "5", "lockbox", "UTF8", s->conninfo, NULL };
	PGresult	*r;

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
	PQsetNoticeProcessor(s->conn, notice, s);
	r = PQexec(s->conn, sql_queries[SQL_SESSION_SETUP].text);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		save_error(s, PQerrorMessage(s->conn));
		log_msg(LOG_LVL_WARN, "session setup failed: %s", s->errmsg);
		PQclear(r);
		store_disconnect(s);
		return LB_ERR_DATABASE_UNAVAILABLE;
	}
	PQclear(r);
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
	code = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	snprintf(s->constraint, sizeof(s->constraint), "%s", code ? code : "");
	/* The primary message only: the detail line can quote values. */
	save_error(s, r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    PQerrorMessage(s->conn));
	/* An error without a SQLSTATE comes from libpq, not the server: the
	 * connection failed, even if libpq has not marked it bad yet. */
	if (PQstatus(s->conn) == CONNECTION_BAD || s->sqlstate[0] == '\0' ||
	    sqlstate_unavailable(s->sqlstate))
		return LB_ERR_DATABASE_UNAVAILABLE;
	return LB_ERR_INTERNAL;
}

/* Sent unnamed and planned at each execution: statements marked
 * "plan: each", and every statement when prepare is off. */
static int
unnamed(const struct store *s, enum sql_query q)
{
	return sql_queries[q].plan_each || !s->prepare;
}

/* The name statement q is prepared under on a connection: built once,
 * not at every execution. */
static const char *
stmt_name(enum sql_query q)
{
	static char	 names[SQL__COUNT][64];

	if (names[q][0] == '\0')
		snprintf(names[q], sizeof(names[q]), "lockbox_%s",
		    sql_queries[q].name);
	return names[q];
}

static int
sendable(const struct store *s, enum sql_query q)
{
	return unnamed(s, q) || s->prepared[q];
}

static int
send_query(struct store *s, enum sql_query q, int n,
    const char *const *vals, const int *lens, const int *fmts)
{
	if (unnamed(s, q))
		return PQsendQueryParams(s->conn, sql_queries[q].text, n, NULL,
		    vals, lens, fmts, 0);
	return PQsendQueryPrepared(s->conn, stmt_name(q), n, vals, lens,
	    fmts, 0);
}

/* The first result of the next statement in the pipeline, the rest of its
 * results read and dropped; NULL when the connection failed. */
static PGresult *
next_result(struct store *s)
{
	PGresult	*r, *extra;
	int		 i;

	if ((r = PQgetResult(s->conn)) == NULL)
		return NULL;
	for (i = 0; i < 8 && (extra = PQgetResult(s->conn)) != NULL; i++)
		PQclear(extra);
	if (i == 8) {
		PQclear(r);
		return NULL;
	}
	return r;
}

/* Whether the server answered with an error of its own (a SQLSTATE),
 * which it does only for a statement it did not complete. */
static int
server_refused(const PGresult *r)
{
	const char	*st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return r != NULL && PQresultStatus(r) == PGRES_FATAL_ERROR &&
	    st != NULL && st[0] != '\0';
}

/* Whether a write whose result is r (not a success) may still have
 * committed: yes when the connection went (libpq's own error, no
 * SQLSTATE) or the server was going away (a backend told to quit after
 * its commit reached the disk reports 57P0x all the same); no when the
 * server refused the statement (a constraint, say) or never ran it. */
static int
may_have_committed(const PGresult *r)
{
	const char	*st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (r != NULL && PQresultStatus(r) == PGRES_PIPELINE_ABORTED)
		return 0;
	return st == NULL || st[0] == '\0' || sqlstate_unavailable(st);
}

/* Statement q (text parameters) and the queued statement in one round
 * trip. LB_OK with q's result in *res, the queued answer kept; anything
 * else (not prepared yet, an error, a broken connection) leaves q to the
 * usual path, which reports or retries as it does alone. A queued read is
 * then dropped; a queued write is dropped when it surely had no effect
 * (never sent, or refused by the server), else kept as unknown. */
static enum lb_err
exec_with_ahead(struct store *s, enum sql_query q, int n,
    const char *const *vals, PGresult **res)
{
	struct ahead	*a = &s->ahead;
	PGresult	*mine = NULL, *theirs = NULL, *sync = NULL;
	int		 sent = 0, ok;

	/* A connection that died while idle (a restart) is left before a
	 * write rides on it: the lookup then reconnects, and the handler
	 * sends its write alone, rather than resolve one that never ran. A
	 * server going away says so first, in a notice, before it closes
	 * (PQisBusy parses what PQconsumeInput read). */
	if (s->conn != NULL && a->write) {
		s->noticed = 0;
		if (!PQconsumeInput(s->conn) || PQisBusy(s->conn) ||
		    s->noticed || PQstatus(s->conn) != CONNECTION_OK)
			store_disconnect(s);
	}
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK ||
	    !sendable(s, q) || !sendable(s, a->q) ||
	    !PQenterPipelineMode(s->conn)) {
		ahead_drop(s);
		return LB_ERR_INTERNAL;
	}
	ok = send_query(s, q, n, vals, NULL, NULL) &&
	    (sent = send_query(s, a->q, a->n, (const char *const *)a->val,
	    a->len, a->fmt)) &&
	    PQpipelineSync(s->conn) &&
	    (mine = next_result(s)) != NULL &&
	    (theirs = next_result(s)) != NULL &&
	    (sync = PQgetResult(s->conn)) != NULL &&
	    PQresultStatus(sync) == PGRES_PIPELINE_SYNC &&
	    PQexitPipelineMode(s->conn);
	PQclear(sync);
	if (!ok) {
		/* Whatever state the pipeline was left in, a new connection
		 * starts clean. */
		store_disconnect(s);
		/* The server skips the rest of a pipeline after an error:
		 * a lookup it answered with one means the write never ran. */
		if (a->write && sent && !server_refused(mine) &&
		    (theirs == NULL || may_have_committed(theirs))) {
			PQclear(a->res);
			a->res = NULL;
			a->unknown = 1;
		} else
			ahead_drop(s);
		PQclear(mine);
		PQclear(theirs);
		return LB_ERR_DATABASE_UNAVAILABLE;
	}
	if (PQresultStatus(theirs) == PGRES_TUPLES_OK ||
	    PQresultStatus(theirs) == PGRES_COMMAND_OK) {
		a->res = theirs;
		theirs = NULL;
	} else if (a->write && may_have_committed(theirs)) {
		a->unknown = 1;
	} else
		ahead_drop(s);
	PQclear(theirs);
	if (PQresultStatus(mine) != PGRES_TUPLES_OK &&
	    PQresultStatus(mine) != PGRES_COMMAND_OK) {
		PQclear(mine);
		return LB_ERR_INTERNAL;
	}
	s->sqlstate[0] = '\0';
	*res = mine;
	return LB_OK;
}

/* Whether q with these parameters is the queued statement. */
static int
ahead_is(const struct store *s, enum sql_query q, int n,
    const char *const *vals, const int *lens, const int *fmts)
{
	const struct ahead	*a = &s->ahead;
	size_t			 len;
	int			 i, fmt;

	if (a->q != q || a->n != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (vals[i] == NULL || a->val[i] == NULL) {
			if (vals[i] != a->val[i])
				return 0;
			continue;
		}
		fmt = fmts ? fmts[i] : 0;
		len = fmt ? (size_t)lens[i] : strlen(vals[i]);
		if (fmt != a->fmt[i] || len != (size_t)a->len[i] ||
		    memcmp(vals[i], a->val[i], len) != 0)
			return 0;
	}
	return 1;
}

/* The queued statement's answer, when q with these parameters is that
 * statement. -1 (nothing may run) when a write went out and is not what
 * is asked for: a handler that asks for anything else first is a bug,
 * and running it could do the write twice. */
static int
ahead_take(struct store *s, enum sql_query q, int n,
    const char *const *vals, const int *lens, const int *fmts,
    PGresult **res)
{
	int	 rc = 0;

	if (ahead_is(s, q, n, vals, lens, fmts)) {
		if (s->ahead.unknown) {
			save_error(s, "the connection broke during the write");
			rc = -1;
		} else {
			*res = s->ahead.res;
			s->ahead.res = NULL;
			rc = 1;
		}
	} else if (s->ahead.unknown && sql_queries[q].retry) {
		/* Kept for its owner; the key lookup and the resolving
		 * reads ("retry: yes") run meanwhile, nothing else. */
		return 0;
	} else if (s->ahead.write) {
		log_msg(LOG_LVL_ERROR, "statement %s asked for while %s "
		    "sent ahead is unanswered", sql_queries[q].name,
		    sql_queries[s->ahead.q].name);
		save_error(s, "a write sent ahead was not taken");
		rc = -2;
	}
	ahead_drop(s);
	return rc;
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
	const char			*name = stmt_name(q);
	int				 attempt;

	*res = NULL;
	s->maybe_done = 0;
	release_held(s);
	if (s->ahead.res != NULL || s->ahead.unknown) {
		switch (ahead_take(s, q, n, vals, lens, fmts, res)) {
		case 1:
			return LB_OK;
		case -1:
			s->sqlstate[0] = '\0';
			s->maybe_done = 1;
			return LB_ERR_DATABASE_UNAVAILABLE;
		case -2:
			return LB_ERR_INTERNAL;
		}
	} else if (s->ahead.q != SQL__COUNT && lens == NULL && fmts == NULL &&
	    exec_with_ahead(s, q, n, vals, res) == LB_OK)
		return LB_OK;
	if (!s->ahead.unknown)
		ahead_drop(s);
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = store_connect(s)) != LB_OK)
			return e;
		if (unnamed(s, q)) {
			s->maybe_done = 1;
			r = PQexecParams(s->conn, d->text, n, NULL, vals, lens,
			    fmts, 0);
		} else {
			if (!s->prepared[q]) {
				r = PQprepare(s->conn, name, d->text, n, NULL);
				if ((e = result_check(s, r)) != LB_OK)
					goto failed;
				PQclear(r);
				s->prepared[q] = 1;
			}
			s->maybe_done = 1;
			r = PQexecPrepared(s->conn, name, n, vals, lens, fmts,
			    0);
		}
		if ((e = result_check(s, r)) == LB_OK) {
			*res = r;
			return LB_OK;
		}
		if (!may_have_committed(r))
			s->maybe_done = 0;
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
	/* Unique violations are answers (409), not failures. */
	if (e == LB_ERR_INTERNAL && strcmp(s->sqlstate, "23505") == 0)
		return e;
	if (e == LB_ERR_INTERNAL)
		log_msg(LOG_LVL_ERROR, "statement %s failed: SQLSTATE %s: %s",
		    d->name, s->sqlstate, s->errmsg);
	else
		log_msg(LOG_LVL_WARN, "statement %s: database unavailable: %s",
		    d->name, s->errmsg);
	return e;
}

/* How long a write whose connection broke keeps trying to learn whether
 * it took effect. Longer than the shipped front ends wait for an answer
 * (30 s): the client sees their timeout, never a 503 that could be
 * false. */
#define RESOLVE_MS	60000

/* Statement q, re-sent (reconnecting) while the database is out of
 * reach, for up to RESOLVE_MS: for a worker that must learn what a broken
 * write did before it may answer. */
static enum lb_err
exec_patiently(struct store *s, enum sql_query q, int n,
    const char *const *vals, PGresult **res)
{
	struct timespec	 pause;
	int64_t		 waited = 0, step = 10;
	enum lb_err	 e;

	for (;;) {
		e = store_exec(s, q, n, vals, NULL, NULL, res);
		if (e != LB_ERR_DATABASE_UNAVAILABLE || waited >= RESOLVE_MS)
			return e;
		/* Soon at first: the database is often back within a
		 * second, and this worker answers nothing meanwhile. */
		pause.tv_sec = 0;
		pause.tv_nsec = step * 1000 * 1000;
		nanosleep(&pause, NULL);
		waited += step;
		if (step < 50)
			step += 10;
	}
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

/* Decodes a bytea column in hex output format ("\x0a1b...") of exactly
 * n bytes. */
static int
bytea_get(const PGresult *r, int row, int col, unsigned char *out, size_t n)
{
	const char	*v = PQgetvalue(r, row, col);

	if ((size_t)PQgetlength(r, row, col) != 2 + 2 * n ||
	    v[0] != '\\' || v[1] != 'x')
		return -1;
	return hex_decode(out, v + 2, 2 * n) == (long)n ? 0 : -1;
}

enum lb_err
store_api_key_find(struct store *s, const char *prefix,
    struct store_api_key *k)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*v[1] = { prefix };

	memset(k, 0, sizeof(*k));
	e = store_exec(s, SQL_API_KEY_BY_PREFIX, 1, v, NULL, NULL, &r);
	/* A write sent with the lookup broke off: its handler, which needs
	 * the key, must still learn what it did; and as it may have taken
	 * effect, no answer may say "no effect" (503). */
	if (e == LB_ERR_DATABASE_UNAVAILABLE && s->ahead.unknown &&
	    (e = exec_patiently(s, SQL_API_KEY_BY_PREFIX, 1, v, &r)) ==
	    LB_ERR_DATABASE_UNAVAILABLE)
		e = LB_ERR_INTERNAL;
	if (e != LB_OK)
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
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { ids };

	buf_i64(ids, id);
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

/* ---- secrets ------------------------------------------------------- */

/* A write's connection broke: it may or may not have committed. Asks the
 * database (reconnecting, for up to RESOLVE_MS) whether secret id exists
 * now. Returns 1 or 0, or -1 when the database stayed out of reach. */
static int
secret_exists_after_failure(struct store *s, int64_t id)
{
	PGresult	*r;
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { ids };
	int		 rc;

	buf_i64(ids, id);
	if (exec_patiently(s, SQL_SECRET_VERSION, 1, v, &r) != LB_OK)
		return -1;
	rc = PQntuples(r) == 1;
	PQclear(r);
	log_msg(LOG_LVL_WARN, "secret %s: a write lost its connection; the "
	    "row %s now", ids, rc ? "exists" : "does not exist");
	return rc;
}

#define I64(buf, v)	buf_i64((buf), (int64_t)(v))

static void
row_fill(const PGresult *r, int i, struct secret_row *row)
{
	memset(row, 0, sizeof(*row));
	row->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	row->name = PQgetvalue(r, i, 1);
	row->provider_slug = PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2);
	row->description = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3);
	row->metadata = PQgetvalue(r, i, 4);
	row->version = strtoll(PQgetvalue(r, i, 5), NULL, 10);
	row->created_at = PQgetvalue(r, i, 6);
	row->updated_at = PQgetvalue(r, i, 7);
}

/* Keeps r alive for the rows that point into it. */
static void
hold(struct store *s, PGresult *r)
{
	release_held(s);
	s->held = r;
}

/* Queues statement q to go with the next statement. A read whose
 * parameters cannot be copied is simply not read ahead; a write that
 * cannot be queued is sent by its handler alone, after the key. */
static void
queue_ahead(struct store *s, enum sql_query q, int n,
    const char *const *vals, const int *lens, const int *fmts, int write)
{
	struct ahead	*a = &s->ahead;
	size_t		 off = 0;
	int		 i;

	ahead_drop(s);
	if (n > AHEAD_PARAMS)
		return;
	for (i = 0; i < n; i++) {
		a->fmt[i] = fmts ? fmts[i] : 0;
		a->len[i] = vals[i] == NULL ? 0 : a->fmt[i] ? lens[i] :
		    (int)strlen(vals[i]);
		a->copylen += (size_t)a->len[i] + 1;
	}
	if ((a->copy = malloc(a->copylen + 1)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (vals[i] == NULL)
			continue;
		a->val[i] = a->copy + off;
		memcpy(a->val[i], vals[i], (size_t)a->len[i]);
		a->val[i][a->len[i]] = '\0';
		off += (size_t)a->len[i] + 1;
	}
	a->n = n;
	a->q = q;
	a->write = write;
}

static void
read_ahead(struct store *s, enum sql_query q, int n, const char *const *vals)
{
	queue_ahead(s, q, n, vals, NULL, NULL, 0);
}

void
store_secret_next_id_ahead(struct store *s)
{
	read_ahead(s, SQL_SECRET_NEXT_ID, 0, NULL);
}

enum lb_err
store_secret_next_id(struct store *s, int64_t *id, char created_at[40])
{
	PGresult	*r;
	enum lb_err	 e;

	if ((e = store_exec(s, SQL_SECRET_NEXT_ID, 0, NULL, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(created_at, 40, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_secret_insert(struct store *s, const struct secret_insert *in,
    enum store_conflict *conflict)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 id[BUF_I64_LEN], kid[BUF_I64_LEN], akid[BUF_I64_LEN], fkid[BUF_I64_LEN];
	const char	*v[14];
	int		 len[14] = { 0 }, fmt[14] = { 0 }, n = 9;

	*conflict = CONFLICT_NONE;
	v[0] = I64(id, in->id);
	v[1] = in->name;
	v[2] = in->provider_slug;
	v[3] = in->description;
	v[4] = in->metadata;
	v[5] = I64(kid, in->key_id);
	v[6] = (const char *)in->nonce;
	len[6] = CRYPTO_NONCE_LEN;
	fmt[6] = 1;
	v[7] = (const char *)in->ct;
	len[7] = (int)in->ct_len;
	fmt[7] = 1;
	v[8] = in->created_at;
	if (in->idempotency_key != NULL) {
		v[9] = I64(akid, in->api_key_id);
		v[10] = in->idempotency_key;
		v[11] = (const char *)in->fingerprint;
		len[11] = CRYPTO_MAC_LEN;
		fmt[11] = 1;
		v[12] = I64(fkid, in->fingerprint_key_id);
		v[13] = in->response_body;
		n = 14;
	}
	e = store_exec(s, n == 14 ? SQL_SECRET_INSERT_IDEMPOTENT :
	    SQL_SECRET_INSERT, n, v, len, fmt, &r);
	if (e == LB_OK) {
		PQclear(r);
		return LB_OK;
	}
	/* A 201 must mean stored and a 503 must mean no effect: when the
	 * connection broke mid-statement, find out which it was. The id is
	 * ours alone (nextval), so its row can only be this insert's. */
	if (e == LB_ERR_DATABASE_UNAVAILABLE) {
		switch (secret_exists_after_failure(s, in->id)) {
		case 1:
			return LB_OK;
		case 0:
			return e;
		default:
			return LB_ERR_INTERNAL;	/* unknown: never 503 */
		}
	}
	if (strcmp(s->sqlstate, "23505") == 0) {
		*conflict = strcmp(s->constraint,
		    "secrets_provider_slug_name_key") == 0 ? CONFLICT_NAME :
		    CONFLICT_IDEMPOTENCY;
		return LB_ERR_NAME_CONFLICT;
	}
	return e;
}

enum lb_err
store_idempotency_find(struct store *s, int64_t api_key_id, const char *key,
    long ttl, struct idempotency_row *out)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 akid[BUF_I64_LEN], t[BUF_I64_LEN];
	const char	*v[3] = { I64(akid, api_key_id), key, I64(t, ttl) };

	memset(out, 0, sizeof(*out));
	if ((e = store_exec(s, SQL_IDEMPOTENCY_FIND, 3, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LB_ERR_NOT_FOUND;
	}
	if (bytea_get(r, 0, 0, out->fingerprint, CRYPTO_MAC_LEN) < 0) {
		PQclear(r);
		return LB_ERR_INTERNAL;
	}
	out->fingerprint_key_id = atoi(PQgetvalue(r, 0, 1));
	out->secret_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	out->status = atoi(PQgetvalue(r, 0, 3));
	out->body = PQgetvalue(r, 0, 4);
	out->fresh = PQgetvalue(r, 0, 5)[0] == 't';
	hold(s, r);
	return LB_OK;
}

enum lb_err
store_idempotency_forget_expired(struct store *s, int64_t api_key_id,
    const char *key, long ttl)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 akid[BUF_I64_LEN], t[BUF_I64_LEN];
	const char	*v[3] = { I64(akid, api_key_id), key, I64(t, ttl) };

	if ((e = store_exec(s, SQL_IDEMPOTENCY_FORGET_EXPIRED, 3, v, NULL, NULL,
	    &r)) != LB_OK)
		return e;
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_idempotency_purge(struct store *s, long ttl, long *n)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 t[BUF_I64_LEN];
	const char	*v[1] = { I64(t, ttl) };

	*n = 0;
	if ((e = store_exec(s, SQL_IDEMPOTENCY_PURGE, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	*n = atol(PQcmdTuples(r));
	PQclear(r);
	return LB_OK;
}

/* Decodes a hex bytea column of any length into the store's buffer. */
static int
bytea_any(struct store *s, const PGresult *r, int row, int col,
    struct secret_row *out)
{
	const char	*v = PQgetvalue(r, row, col);
	size_t		 hexlen = (size_t)PQgetlength(r, row, col), n;
	unsigned char	*p;

	if (hexlen < 2 || v[0] != '\\' || v[1] != 'x')
		return -1;
	n = (hexlen - 2) / 2;
	if (n > s->ctcap) {
		if ((p = realloc(s->ct, n)) == NULL)
			return -1;
		s->ct = p;
		s->ctcap = n;
	}
	if (hex_decode(s->ct, v + 2, hexlen - 2) != (long)n)
		return -1;
	out->ct = s->ct;
	out->ct_len = n;
	return 0;
}

void
store_secret_get_ahead(struct store *s, int64_t id)
{
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { I64(ids, id) };

	read_ahead(s, SQL_SECRET_GET, 1, v);
}

enum lb_err
store_secret_get(struct store *s, int64_t id, struct secret_row *row)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { I64(ids, id) };

	if ((e = store_exec(s, SQL_SECRET_GET, 1, v, NULL, NULL, &r)) != LB_OK)
		return e;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LB_ERR_NOT_FOUND;
	}
	row_fill(r, 0, row);
	row->key_id = atoi(PQgetvalue(r, 0, 8));
	if (bytea_get(r, 0, 9, row->nonce, CRYPTO_NONCE_LEN) < 0 ||
	    bytea_any(s, r, 0, 10, row) < 0) {
		PQclear(r);
		return LB_ERR_INTEGRITY;
	}
	hold(s, r);
	return LB_OK;
}

/* The statement and parameters of a page; v's strings live in after and
 * lim. */
static enum sql_query
list_query(const char *provider_slug, int64_t after_id, int limit,
    char after[BUF_I64_LEN], char lim[BUF_I64_LEN], const char *v[3], int *nv)
{
	*nv = 0;
	if (provider_slug != NULL)
		v[(*nv)++] = provider_slug;
	if (after_id > 0) {
		buf_i64(after, after_id);
		v[(*nv)++] = after;
	}
	buf_i64(lim, limit);
	v[(*nv)++] = lim;
	if (provider_slug != NULL)
		return after_id > 0 ? SQL_SECRET_LIST_PROVIDER_AFTER :
		    SQL_SECRET_LIST_PROVIDER;
	return after_id > 0 ? SQL_SECRET_LIST_AFTER : SQL_SECRET_LIST;
}

void
store_secret_list_ahead(struct store *s, const char *provider_slug,
    int64_t after_id, int limit)
{
	char		 after[BUF_I64_LEN], lim[BUF_I64_LEN];
	const char	*v[3];
	enum sql_query	 q;
	int		 nv;

	q = list_query(provider_slug, after_id, limit, after, lim, v, &nv);
	read_ahead(s, q, nv, v);
}

enum lb_err
store_secret_list(struct store *s, const char *provider_slug,
    int64_t after_id, int limit, struct secret_row *rows, int *n)
{
	PGresult	*r;
	enum lb_err	 e;
	enum sql_query	 q;
	char		 after[BUF_I64_LEN], lim[BUF_I64_LEN];
	const char	*v[3];
	int		 nv, i;

	*n = 0;
	q = list_query(provider_slug, after_id, limit, after, lim, v, &nv);
	if ((e = store_exec(s, q, nv, v, NULL, NULL, &r)) != LB_OK)
		return e;
	for (i = 0; i < PQntuples(r) && i < limit; i++)
		row_fill(r, i, &rows[i]);
	*n = i;
	hold(s, r);
	return LB_OK;
}

#define UPDATE_PARAMS	15

/* secret_update's parameters; v's strings live in u, ids and kid. */
static void
update_params(const struct secret_update *u, char ids[BUF_I64_LEN], char kid[BUF_I64_LEN],
    const char *v[UPDATE_PARAMS], int len[UPDATE_PARAMS],
    int fmt[UPDATE_PARAMS])
{
	memset(len, 0, UPDATE_PARAMS * sizeof(len[0]));
	memset(fmt, 0, UPDATE_PARAMS * sizeof(fmt[0]));
	buf_i64(ids, u->id);
	v[0] = ids;
	v[1] = u->if_match;
	v[2] = u->name;
	v[3] = u->set_provider ? "t" : "f";
	v[4] = u->provider_slug;
	v[5] = u->set_description ? "t" : "f";
	v[6] = u->description;
	v[7] = u->clear_metadata ? "t" : "f";
	v[8] = u->metadata_remove ? u->metadata_remove : "{}";
	v[9] = u->metadata_set ? u->metadata_set : "{}";
	buf_i64(kid, u->key_id);
	v[10] = u->key_id ? kid : NULL;
	v[11] = u->key_id ? (const char *)u->nonce : NULL;
	len[11] = CRYPTO_NONCE_LEN;
	fmt[11] = 1;
	v[12] = u->key_id ? (const char *)u->ct : NULL;
	len[12] = (int)u->ct_len;
	fmt[12] = 1;
	v[13] = u->key_prefix;
	v[14] = (const char *)u->key_hash;
	len[14] = CRYPTO_HASH_LEN;
	fmt[14] = 1;
}

void
store_secret_update_ahead(struct store *s, const struct secret_update *u)
{
	char		 ids[BUF_I64_LEN], kid[BUF_I64_LEN];
	const char	*v[UPDATE_PARAMS];
	int		 len[UPDATE_PARAMS], fmt[UPDATE_PARAMS];

	update_params(u, ids, kid, v, len, fmt);
	queue_ahead(s, SQL_SECRET_UPDATE, UPDATE_PARAMS, v, len, fmt, 1);
}

/* A PATCH whose connection broke may have committed. One that set a value
 * left that value's nonce (96 fresh random bits) in the row if it did;
 * one without a value leaves nothing to tell by, and gets an answer that
 * claims neither (500), never a 503 that could be false. */
static enum lb_err
update_resolve(struct store *s, const struct secret_update *u,
    struct secret_row *row)
{
	PGresult	*r;
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { I64(ids, u->id) };
	unsigned char	 nonce[CRYPTO_NONCE_LEN];
	int		 applied;

	if (u->key_id == 0)
		return LB_ERR_INTERNAL;
	if (exec_patiently(s, SQL_SECRET_GET, 1, v, &r) != LB_OK)
		return LB_ERR_INTERNAL;
	applied = PQntuples(r) == 1 &&
	    bytea_get(r, 0, 9, nonce, sizeof(nonce)) == 0 &&
	    memcmp(nonce, u->nonce, sizeof(nonce)) == 0;
	log_msg(LOG_LVL_WARN, "secret %s: a PATCH lost its connection; it "
	    "was %s", ids, applied ? "applied" : "not applied");
	if (!applied) {
		PQclear(r);
		return LB_ERR_DATABASE_UNAVAILABLE;
	}
	row_fill(r, 0, row);
	hold(s, r);
	return LB_OK;
}

enum lb_err
store_secret_update(struct store *s, const struct secret_update *u,
    struct secret_row *row)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN], kid[BUF_I64_LEN];
	const char	*v[UPDATE_PARAMS];
	int		 len[UPDATE_PARAMS], fmt[UPDATE_PARAMS], attempt;

	update_params(u, ids, kid, v, len, fmt);
	for (attempt = 0; attempt < 2; attempt++) {
		e = store_exec(s, SQL_SECRET_UPDATE, UPDATE_PARAMS, v, len, fmt,
		    &r);
		if (e != LB_OK) {
			if (strcmp(s->sqlstate, "23505") == 0)
				return LB_ERR_NAME_CONFLICT;
			if (e == LB_ERR_DATABASE_UNAVAILABLE && s->maybe_done)
				return update_resolve(s, u, row);
			return e;
		}
		if (PQntuples(r) == 1) {
			row_fill(r, 0, row);
			hold(s, r);
			return LB_OK;
		}
		PQclear(r);
		/* Nothing changed: find out why, with the same inputs. */
		{
			const char *w[5] = { v[0], v[1], v[7], v[8], v[9] };

			if ((e = store_exec(s, SQL_SECRET_UPDATE_WHY, 5, w, NULL,
			    NULL, &r)) != LB_OK)
				return e;
		}
		if (PQntuples(r) != 1)
			e = LB_ERR_NOT_FOUND;
		else if (PQgetvalue(r, 0, 0)[0] != 't')
			e = LB_ERR_PRECONDITION_FAILED;
		else if (PQgetvalue(r, 0, 1)[0] != 't')
			e = LB_ERR_INVALID_FIELD;
		else
			e = LB_OK;	/* changed in between: once more */
		PQclear(r);
		if (e != LB_OK)
			return e;
	}
	return LB_ERR_PRECONDITION_FAILED;
}

#define DELETE_PARAMS	4

/* secret_delete's parameters, as update_params; ids holds the id. */
static void
delete_params(int64_t id, const char *if_match, const char *key_prefix,
    const unsigned char *key_hash, char ids[BUF_I64_LEN],
    const char *v[DELETE_PARAMS], int len[DELETE_PARAMS],
    int fmt[DELETE_PARAMS])
{
	v[0] = buf_i64(ids, id);
	v[1] = if_match;
	v[2] = key_prefix;
	v[3] = (const char *)key_hash;
	len[0] = len[1] = len[2] = fmt[0] = fmt[1] = fmt[2] = 0;
	len[3] = CRYPTO_HASH_LEN;
	fmt[3] = 1;
}

void
store_secret_delete_ahead(struct store *s, int64_t id, const char *if_match,
    const char *key_prefix, const unsigned char *key_hash)
{
	char		 ids[BUF_I64_LEN];
	const char	*v[DELETE_PARAMS];
	int		 len[DELETE_PARAMS], fmt[DELETE_PARAMS];

	delete_params(id, if_match, key_prefix, key_hash, ids, v, len, fmt);
	queue_ahead(s, SQL_SECRET_DELETE, DELETE_PARAMS, v, len, fmt, 1);
}

enum lb_err
store_secret_delete(struct store *s, int64_t id, const char *if_match,
    const char *key_prefix, const unsigned char *key_hash)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN];
	const char	*v[DELETE_PARAMS];
	int		 len[DELETE_PARAMS], fmt[DELETE_PARAMS];

	delete_params(id, if_match, key_prefix, key_hash, ids, v, len, fmt);
	if ((e = store_exec(s, SQL_SECRET_DELETE, DELETE_PARAMS, v, len, fmt,
	    &r)) != LB_OK) {
		/* As for inserts: a 204 must mean gone, a 503 no effect. The
		 * row being gone is what the client asked for, whoever did it. */
		if (e == LB_ERR_DATABASE_UNAVAILABLE) {
			switch (secret_exists_after_failure(s, id)) {
			case 0:
				return LB_OK;
			case 1:
				return e;
			default:
				return LB_ERR_INTERNAL;
			}
		}
		return e;
	}
	if (PQntuples(r) == 1) {
		PQclear(r);
		return LB_OK;
	}
	PQclear(r);
	if ((e = store_exec(s, SQL_SECRET_VERSION, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	e = PQntuples(r) == 1 ? LB_ERR_PRECONDITION_FAILED : LB_ERR_NOT_FOUND;
	PQclear(r);
	return e;
}

/* ---- key rotation -------------------------------------------------- */

static enum lb_err
rewrap_row(struct store *s, struct crypto *c, PGresult *r, int i)
{
	struct secret_row	 row;
	PGresult		*u = NULL;
	unsigned char		*pt = NULL, *ct = NULL, nonce[CRYPTO_NONCE_LEN];
	enum lb_err		 e = LB_ERR_INTEGRITY;
	char			 ids[BUF_I64_LEN], kid[BUF_I64_LEN];
	const char		*v[4];
	int			 len[4] = { 0 }, fmt[4] = { 0 }, key_id;
	size_t			 n;

	memset(&row, 0, sizeof(row));
	row.id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	row.key_id = atoi(PQgetvalue(r, i, 1));
	if (bytea_get(r, i, 2, row.nonce, CRYPTO_NONCE_LEN) < 0 ||
	    bytea_any(s, r, i, 3, &row) < 0 || row.ct_len < CRYPTO_TAG_LEN)
		goto out;
	n = row.ct_len - CRYPTO_TAG_LEN;
	if ((pt = malloc(n + 1)) == NULL || (ct = malloc(row.ct_len)) == NULL) {
		e = LB_ERR_INTERNAL;
		goto out;
	}
	if ((e = crypto_open(c, row.id, row.key_id, row.nonce, row.ct,
	    row.ct_len, pt)) != LB_OK) {
		fprintf(stderr, "secret %" PRId64 " (key %d) fails "
		    "authentication: left as it is\n", row.id, row.key_id);
		goto out;
	}
	if ((e = crypto_seal(c, row.id, pt, n, &key_id, nonce, ct)) != LB_OK)
		goto out;
	v[0] = I64(ids, row.id);
	v[1] = I64(kid, key_id);
	v[2] = (const char *)nonce;
	len[2] = CRYPTO_NONCE_LEN;
	fmt[2] = 1;
	v[3] = (const char *)ct;
	len[3] = (int)row.ct_len;
	fmt[3] = 1;
	/* The select's result stays alive: rows are read from it. */
	e = result_check(s, u = PQexecParams(s->conn,
	    sql_queries[SQL_REWRAP_UPDATE].text, 4, NULL, v, len, fmt, 0));
out:
	PQclear(u);
	if (pt != NULL) {
		explicit_bzero(pt, row.ct_len - CRYPTO_TAG_LEN);
		free(pt);
	}
	free(ct);
	return e;
}

enum lb_err
store_rewrap_batch(struct store *s, struct crypto *c, long *done, long *left)
{
	PGresult	*r = NULL;
	enum lb_err	 e;
	char		 kid[BUF_I64_LEN];
	const char	*v[1] = { I64(kid, crypto_active_key(c)) };
	int		 i;

	*done = *left = 0;
	if ((e = store_connect(s)) != LB_OK)
		return e;
	if ((e = exec_script(s, "BEGIN")) != LB_OK)
		goto fail;
	r = PQexecParams(s->conn, sql_queries[SQL_REWRAP_SELECT].text, 1, NULL,
	    v, NULL, NULL, 0);
	if ((e = result_check(s, r)) != LB_OK)
		goto fail;
	for (i = 0; i < PQntuples(r); i++) {
		e = rewrap_row(s, c, r, i);
		if (e == LB_ERR_INTEGRITY)
			continue;	/* reported; the rest can move on */
		if (e != LB_OK)
			goto fail;
		(*done)++;
	}
	PQclear(r);
	r = NULL;
	if ((e = exec_script(s, "COMMIT")) != LB_OK)
		goto fail;
	r = PQexecParams(s->conn, sql_queries[SQL_REWRAP_REMAINING].text, 1,
	    NULL, v, NULL, NULL, 0);
	if ((e = result_check(s, r)) != LB_OK)
		goto fail;
	*left = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return LB_OK;
fail:
	PQclear(r);
	*done = 0;
	store_disconnect(s);
	return e;
}
