/* The database layer: connections, statements run alone or in a
 * pipeline, and results that own their memory. */
#include "autoconfig.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbconn.h"
#include "hex.h"
#include "log.h"
#include "store_impl.h"

/* A bytea value decoded from a result, freed with it. */
struct store_blob {
	struct store_blob	*next;
	size_t			 len;
	unsigned char		 data[];
};

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
	return s;
}

void
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

int
store_connected(const struct store *s)
{
	return s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK;
}

const char *
store_sqlstate(const struct store *s)
{
	return s->sqlstate;
}

const char *
store_constraint(const struct store *s)
{
	return s->constraint;
}

const char *
store_error(const struct store *s)
{
	return s->errmsg;
}

long
store_round_trips(const struct store *s)
{
	return s->round_trips;
}

int
store_maybe_done(const struct store *s)
{
	return s->maybe_done;
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
	/* An audit event that could not be stored: the statement that
	 * carried it did nothing, and the answer is 503 (the contract). */
	code = r ? PQresultErrorField(r, PG_DIAG_TABLE_NAME) : NULL;
	if (strcmp(s->sqlstate, "LBA01") == 0 || (code != NULL &&
	    strncmp(code, "audit_", 6) == 0))
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


/* ---- results ------------------------------------------------------- */

void
result_free(struct store_result *res)
{
	struct store_blob	*b, *next;

	PQclear(res->pg);
	res->pg = NULL;
	for (b = res->blobs; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	res->blobs = NULL;
}

int
result_rows(const struct store_result *res)
{
	return res->pg != NULL && !res->empty ? PQntuples(res->pg) : 0;
}

long
result_changed(const struct store_result *res)
{
	return res->pg != NULL ? atol(PQcmdTuples(res->pg)) : 0;
}

int
result_col(const struct store_result *res, const char *name)
{
	return res->pg != NULL ? PQfnumber(res->pg, name) : -1;
}

const char *
result_text(const struct store_result *res, int row, int col)
{
	if (col < 0 || PQgetisnull(res->pg, row, col))
		return NULL;
	return PQgetvalue(res->pg, row, col);
}

int64_t
result_i64(const struct store_result *res, int row, int col)
{
	const char	*v = result_text(res, row, col);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

int
result_bool(const struct store_result *res, int row, int col)
{
	const char	*v = result_text(res, row, col);

	return v != NULL && v[0] == 't';
}

int
result_bytes(const struct store_result *res, int row, int col,
    unsigned char *out, size_t n)
{
	const char	*v = result_text(res, row, col);

	/* Hex output format: "\x0a1b...". */
	if (v == NULL || (size_t)PQgetlength(res->pg, row, col) != 2 + 2 * n ||
	    v[0] != '\\' || v[1] != 'x')
		return -1;
	return hex_decode(out, v + 2, 2 * n) == (long)n ? 0 : -1;
}

int
result_blob(struct store_result *res, int row, int col,
    const unsigned char **p, size_t *n)
{
	struct store_blob	*b;
	const char		*v = result_text(res, row, col);
	size_t			 hexlen;

	if (v == NULL)
		return -1;
	hexlen = (size_t)PQgetlength(res->pg, row, col);
	if (hexlen < 2 || v[0] != '\\' || v[1] != 'x' || hexlen % 2 != 0)
		return -1;
	if ((b = malloc(sizeof(*b) + (hexlen - 2) / 2)) == NULL)
		return -1;
	b->len = (hexlen - 2) / 2;
	if (hex_decode(b->data, v + 2, hexlen - 2) != (long)b->len) {
		free(b);
		return -1;
	}
	b->next = res->blobs;
	res->blobs = b;
	*p = b->data;
	*n = b->len;
	return 0;
}

/* ---- running statements -------------------------------------------- */

/* Prepares q on the connection, once. */
static enum lb_err
ensure_prepared(struct store *s, enum sql_query q)
{
	PGresult	*r;
	enum lb_err	 e;

	if (unnamed(s, q) || s->prepared[q])
		return LB_OK;
	s->round_trips++;
	r = PQprepare(s->conn, stmt_name(q), sql_queries[q].text,
	    sql_queries[q].nparams, NULL);
	e = result_check(s, r);
	PQclear(r);
	if (e == LB_OK)
		s->prepared[q] = 1;
	return e;
}

void
store_audit_hooks(struct store *s, const struct store_audit_hooks *h)
{
	s->audit = h;
}

/* A statement that stores an audit event: what it stored, to the hooks;
 * the row of NULLs it answers when it found nothing, to no row. */
static void
audit_taken(struct store *s, enum sql_query q, struct store_result *res)
{
	const char	*v;
	int		 col;

	if (!sql_queries[q].audited || res->pg == NULL ||
	    (col = PQfnumber(res->pg, "audit")) < 0 ||
	    PQntuples(res->pg) == 0)
		return;
	if (PQntuples(res->pg) == 1 && PQnfields(res->pg) > 1 && col > 0 &&
	    PQgetisnull(res->pg, 0, 0))
		res->empty = 1;
	v = PQgetisnull(res->pg, 0, col) ? NULL : PQgetvalue(res->pg, 0, col);
	/* "0": the request goes on, a later statement stores it. */
	if (v != NULL && strcmp(v, "0") != 0 && s->audit != NULL)
		s->audit->stored(s->audit->arg, v);
}

static void
audit_lost(struct store *s, enum sql_query q)
{
	if (sql_queries[q].audited && s->audit != NULL)
		s->audit->lost(s->audit->arg);
}

/* The statement's parameters, checked: a statement bound with another
 * count than its text uses is a bug, never sent. Returns how many there
 * are, the audit event included, or -1. */
static int
params_of(struct store *s, const struct stmt *st, const char **vals,
    int *lens, int *fmts)
{
	if (!stmt_ok(st)) {
		snprintf(s->errmsg, sizeof(s->errmsg), "statement %s bound "
		    "with %d of its %d parameters", stmt_bound(st) ?
		    sql_queries[st->q].name : "(none)", st->n,
		    stmt_bound(st) ? sql_queries[st->q].nparams : 0);
		s->sqlstate[0] = '\0';
		log_msg(LOG_LVL_ERROR, "%s", s->errmsg);
		return -1;
	}
	stmt_params(st, vals, lens, fmts);
	if (!sql_queries[st->q].audited)
		return st->n;
	vals[st->n] = s->audit != NULL ? s->audit->event(s->audit->arg) : NULL;
	lens[st->n] = 0;
	fmts[st->n] = 0;
	return st->n + 1;
}

static void
log_failure(struct store *s, enum sql_query q, enum lb_err e)
{
	/* Unique violations are answers (409), not failures. */
	if (e == LB_ERR_INTERNAL && strcmp(s->sqlstate, "23505") == 0)
		return;
	if (e == LB_ERR_INTERNAL)
		log_msg(LOG_LVL_ERROR, "statement %s failed: SQLSTATE %s: %s",
		    sql_queries[q].name, s->sqlstate, s->errmsg);
	else
		log_msg(LOG_LVL_WARN, "statement %s: database unavailable: %s",
		    sql_queries[q].name, s->errmsg);
}

enum lb_err
store_run(struct store *s, const struct stmt *st, struct store_result *res)
{
	const char	*vals[STMT_MAX_PARAMS + 1];
	int		 lens[STMT_MAX_PARAMS + 1], fmts[STMT_MAX_PARAMS + 1];
	PGresult	*r = NULL;
	enum lb_err	 e = LB_ERR_INTERNAL;
	int		 attempt, n;

	memset(res, 0, sizeof(*res));
	s->maybe_done = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		/* Again on each try: a lost event moved the chain on. */
		if ((n = params_of(s, st, vals, lens, fmts)) < 0)
			return LB_ERR_INTERNAL;
		if ((e = store_connect(s)) != LB_OK)
			return e;
		if ((e = ensure_prepared(s, st->q)) != LB_OK)
			goto failed;
		s->maybe_done = 1;
		s->round_trips++;
		if (unnamed(s, st->q))
			r = PQexecParams(s->conn, sql_queries[st->q].text, n,
			    NULL, vals, lens, fmts, 0);
		else
			r = PQexecPrepared(s->conn, stmt_name(st->q), n, vals,
			    lens, fmts, 0);
		if ((e = result_check(s, r)) == LB_OK) {
			res->pg = r;
			s->maybe_done = 0;
			audit_taken(s, st->q, res);
			return LB_OK;
		}
		if (!may_have_committed(r))
			s->maybe_done = 0;
		else
			audit_lost(s, st->q);
failed:
		PQclear(r);
		r = NULL;
		if (e != LB_ERR_DATABASE_UNAVAILABLE)
			break;
		/* A connection that died while idle (a database restart)
		 * is found only when used: a read may go again, once. */
		store_disconnect(s);
		if (!sql_queries[st->q].retry)
			break;
	}
	log_failure(s, st->q, e);
	return e;
}

/* How long a write whose connection broke keeps trying to learn whether
 * it took effect. Longer than the shipped front ends wait for an answer
 * (30 s): the client sees their timeout, never a 503 that could be
 * false. */
#define RESOLVE_MS	60000

enum lb_err
store_run_patiently(struct store *s, const struct stmt *st,
    struct store_result *res)
{
	struct timespec	 pause;
	int64_t		 waited = 0, step = 10;
	enum lb_err	 e;

	for (;;) {
		e = store_run(s, st, res);
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
store_resolve(struct store *s, const struct stmt *probe)
{
	struct store_result	 res;
	const char		*done;
	enum lb_err		 e = LB_ERR_INTERNAL;

	if (!stmt_bound(probe) ||
	    store_run_patiently(s, probe, &res) != LB_OK)
		goto out;
	done = result_rows(&res) == 1 ? result_text(&res, 0,
	    result_col(&res, "done")) : NULL;
	if (done != NULL)
		e = done[0] == 't' ? LB_OK : LB_ERR_DATABASE_UNAVAILABLE;
	result_free(&res);
out:
	log_msg(LOG_LVL_WARN, "a write lost its connection; %s says it %s",
	    stmt_bound(probe) ? sql_queries[probe->q].name : "no probe",
	    e == LB_OK ? "took effect" : e == LB_ERR_DATABASE_UNAVAILABLE ?
	    "had no effect" : "may have taken effect (unknown)");
	return e;
}

/* A connection that died while idle (a restart) is left before anything
 * rides on it: a write sent on it could only be "lost", where on a new
 * connection it surely runs. A server going away says so first, in a
 * notice, before it closes (PQisBusy parses what PQconsumeInput read). */
static void
drop_if_dead(struct store *s)
{
	if (s->conn == NULL)
		return;
	s->noticed = 0;
	if (!PQconsumeInput(s->conn) || PQisBusy(s->conn) || s->noticed ||
	    PQstatus(s->conn) != CONNECTION_OK)
		store_disconnect(s);
}

/* One try of a pipeline. */
static enum lb_err
pipeline_once(struct store *s, const struct stmt *const *st, int n,
    struct store_result *res, enum store_outcome *out)
{
	const char	*vals[STMT_MAX_PARAMS + 1];
	int		 lens[STMT_MAX_PARAMS + 1], fmts[STMT_MAX_PARAMS + 1];
	PGresult	*r, *sync = NULL;
	enum lb_err	 e = LB_OK, ei;
	int		 i, sent = 0, ok, np;

	for (i = 0; i < n; i++) {
		out[i] = STORE_FAILED;
		memset(&res[i], 0, sizeof(res[i]));
	}
	drop_if_dead(s);
	if ((e = store_connect(s)) != LB_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((e = ensure_prepared(s, st[i]->q)) != LB_OK)
			return e;
	if (!PQenterPipelineMode(s->conn))
		goto broken;
	s->round_trips++;
	for (sent = 0; sent < n; sent++) {
		if ((np = params_of(s, st[sent], vals, lens, fmts)) < 0)
			break;
		ok = unnamed(s, st[sent]->q) ?
		    PQsendQueryParams(s->conn, sql_queries[st[sent]->q].text,
		    np, NULL, vals, lens, fmts, 0) :
		    PQsendQueryPrepared(s->conn, stmt_name(st[sent]->q),
		    np, vals, lens, fmts, 0);
		if (!ok)
			break;
	}
	i = 0;
	if (!PQpipelineSync(s->conn))
		goto lost;
	/* The server skips the rest of a pipeline after an error. */
	for (i = 0; i < sent; i++) {
		if ((r = next_result(s)) == NULL)
			goto lost;
		if ((ei = result_check(s, r)) == LB_OK) {
			out[i] = STORE_DONE;
			res[i].pg = r;
			continue;
		}
		out[i] = PQresultStatus(r) != PGRES_PIPELINE_ABORTED &&
		    may_have_committed(r) ? STORE_LOST : STORE_FAILED;
		if (e == LB_OK) {
			e = ei;
			log_failure(s, st[i]->q, ei);
		}
		PQclear(r);
	}
	if ((sync = PQgetResult(s->conn)) == NULL ||
	    PQresultStatus(sync) != PGRES_PIPELINE_SYNC ||
	    !PQexitPipelineMode(s->conn)) {
		PQclear(sync);
		/* The pipeline is one implicit transaction, committed at the
		 * Sync: without its answer, what ran may or may not have
		 * committed (a DELETE whose commit waited when the server
		 * died did). Its rows are no answer. */
		if (e == LB_OK)
			for (i = 0; i < sent; i++) {
				result_free(&res[i]);
				out[i] = STORE_LOST;
			}
		goto broken;
	}
	PQclear(sync);
	if (sent < n && e == LB_OK)
		e = LB_ERR_INTERNAL;
	/* An error anywhere rolled the whole pipeline back, events too. */
	for (i = 0; i < sent && e == LB_OK; i++)
		audit_taken(s, st[i]->q, &res[i]);
	return e;
lost:
	for (; i < sent; i++)
		out[i] = STORE_LOST;
broken:
	for (i = 0; i < sent; i++)
		if (out[i] == STORE_LOST)
			audit_lost(s, st[i]->q);
	/* Whatever state the pipeline was left in, a new connection starts
	 * clean. */
	save_error(s, PQerrorMessage(s->conn));
	s->sqlstate[0] = '\0';
	store_disconnect(s);
	return LB_ERR_DATABASE_UNAVAILABLE;
}

enum lb_err
store_pipeline(struct store *s, const struct stmt *const *st, int n,
    struct store_result *res, enum store_outcome *out)
{
	enum lb_err	 e;
	int		 i, reads = 1;

	e = pipeline_once(s, st, n, res, out);
	if (e != LB_ERR_DATABASE_UNAVAILABLE)
		return e;
	/* Reads lost with the connection go again, once, on a new one. */
	for (i = 0; i < n; i++)
		if (out[i] == STORE_LOST && !sql_queries[st[i]->q].retry)
			reads = 0;
	if (!reads)
		return e;
	for (i = 0; i < n; i++)
		result_free(&res[i]);
	store_disconnect(s);
	return pipeline_once(s, st, n, res, out);
}

enum lb_err
store_ping(struct store *s)
{
	struct store_result	 res;
	struct stmt		 st;

	stmt_init(&st, SQL_PING);
	if (store_run(s, &st, &res) != LB_OK)
		return LB_ERR_DATABASE_UNAVAILABLE;
	result_free(&res);
	return LB_OK;
}

enum lb_err
store_exec_script(struct store *s, const char *sql)
{
	PGresult	*r;
	enum lb_err	 e;

	s->round_trips++;
	r = PQexec(s->conn, sql);
	e = result_check(s, r);
	PQclear(r);
	return e;
}

enum lb_err
store_run_simple(struct store *s, const struct stmt *st)
{
	struct store_result	 res;
	enum lb_err		 e;

	if ((e = store_run(s, st, &res)) == LB_OK)
		result_free(&res);
	return e;
}

enum lb_err
store_run_count(struct store *s, const struct stmt *st, const char *col,
    long *n)
{
	struct store_result	 res;
	enum lb_err		 e;

	*n = 0;
	if ((e = store_run(s, st, &res)) != LB_OK)
		return e;
	*n = (long)result_i64(&res, 0, result_col(&res, col));
	result_free(&res);
	return LB_OK;
}
