#include "autoconfig.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dbconn.h"
#include "hex.h"
#include "log.h"
#include "sql_queries.h"
#include "store.h"
#include "store_impl.h"

struct store *
store_new(const char *conninfo, int prepare)
{
	struct store	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->conninfo = conninfo;
	s->prepare = prepare;
	s->verify_full = dbconn_verify_full(conninfo, getenv("PGSSLMODE"),
	    getenv("PGSSLROOTCERT"));
	s->ahead.q = SQL__COUNT;
	return s;
}

void
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

static const char *const kw_plain[] = {
	"connect_timeout", "fallback_application_name", "client_encoding",
	"dbname", NULL
};

enum lb_err
store_connect(struct store *s)
{
	/* The configured string comes last so that it overrides these
	 * defaults; a bounded connect keeps a worker from hanging on a
	 * database that accepts connections but never answers. */
	static const char *const kw[] = {
		"connect_timeout", "fallback_application_name",
		"client_encoding", "sslmode", "dbname", NULL
	};
	const char	*val[] = { "5", "lockbox", "UTF8", "verify-full",
			    s->conninfo, NULL };
	PGresult	*r;

	if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK)
		return LB_OK;
	store_disconnect(s);
	/* sslmode only when dbconn.h says so; otherwise skipped, so that
	 * libpq's default and PGSSLMODE keep their say. */
	if (!s->verify_full) {
		val[3] = s->conninfo;
		val[4] = NULL;
	}
	s->conn = PQconnectdbParams(s->verify_full ? kw : kw_plain, val, 1);
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

enum lb_err
store_result_check(struct store *s, PGresult *r)
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
enum lb_err
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
				if ((e = store_result_check(s, r)) != LB_OK)
					goto failed;
				PQclear(r);
				s->prepared[q] = 1;
			}
			s->maybe_done = 1;
			r = PQexecPrepared(s->conn, name, n, vals, lens, fmts,
			    0);
		}
		if ((e = store_result_check(s, r)) == LB_OK) {
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
enum lb_err
store_exec_patiently(struct store *s, enum sql_query q, int n,
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

int
store_connected(const struct store *s)
{
	return s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK;
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
int
store_bytea_get(const PGresult *r, int row, int col, unsigned char *out, size_t n)
{
	const char	*v = PQgetvalue(r, row, col);

	if ((size_t)PQgetlength(r, row, col) != 2 + 2 * n ||
	    v[0] != '\\' || v[1] != 'x')
		return -1;
	return hex_decode(out, v + 2, 2 * n) == (long)n ? 0 : -1;
}

/* Runs SQL text with the simple protocol (several statements allowed). */
enum lb_err
store_exec_script(struct store *s, const char *sql)
{
	PGresult	*r = PQexec(s->conn, sql);
	enum lb_err	 e = store_result_check(s, r);

	PQclear(r);
	return e;
}

/* Keeps r alive for the rows that point into it. */
void
store_hold(struct store *s, PGresult *r)
{
	release_held(s);
	s->held = r;
}

/* Queues statement q to go with the next statement. A read whose
 * parameters cannot be copied is simply not read ahead; a write that
 * cannot be queued is sent by its handler alone, after the key. */
void
store_queue_ahead(struct store *s, enum sql_query q, int n,
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


void
store_read_ahead(struct store *s, enum sql_query q, int n, const char *const *vals)
{
	store_queue_ahead(s, q, n, vals, NULL, NULL, 0);
}

/* Decodes a hex bytea column of any length into the store's buffer. */
int
store_bytea_any(struct store *s, const PGresult *r, int row, int col,
    const unsigned char **out, size_t *len)
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
	*out = s->ct;
	*len = n;
	return 0;
}
