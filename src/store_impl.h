/* What the store's files share (store.c: connections, statements and the
 * pipeline; store_keys.c, store_secrets.c, store_ring.c: the statements of
 * one concern each). Not for the rest of lockbox: store.h is its API. */
#ifndef LOCKBOX_STORE_IMPL_H
#define LOCKBOX_STORE_IMPL_H

#include <libpq-fe.h>

#include "buf.h"
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
	int		 verify_full;	/* dbconn.h: sslmode=verify-full */
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

#define I64(buf, v)	buf_i64((buf), (int64_t)(v))

/* Connects when not connected (session setup included). */
enum lb_err	store_connect(struct store *);
void		store_disconnect(struct store *);

/* The result's status as lockbox's error: LB_OK, LB_ERR_DATABASE_UNAVAILABLE
 * (the connection or the server is going away) or LB_ERR_INTERNAL; the
 * SQLSTATE, constraint and primary message are kept in the store. */
enum lb_err	store_result_check(struct store *, PGresult *);

/* Runs statement q. On LB_OK *res holds the result (the caller clears
 * it); a statement queued ahead goes in the same round trip, or answers
 * this call when it is this very statement. On failure nothing is
 * returned; store_sqlstate tells why and s->maybe_done whether it may
 * have taken effect. */
enum lb_err	store_exec(struct store *, enum sql_query q, int n,
		    const char *const *vals, const int *lens, const int *fmts,
		    PGresult **res);

/* store_exec, again and again (reconnecting) while the database is out
 * of reach, for up to a minute: for a worker that must learn what a
 * broken write did before it may answer. Text parameters only. */
enum lb_err	store_exec_patiently(struct store *, enum sql_query q, int n,
		    const char *const *vals, PGresult **res);

/* Runs SQL text with the simple protocol (several statements allowed). */
enum lb_err	store_exec_script(struct store *, const char *sql);

/* Decodes a bytea column (hex output) of exactly n bytes into out; -1 when
 * it is not that. */
int		store_bytea_get(const PGresult *, int row, int col,
		    unsigned char *out, size_t n);

/* Decodes a bytea column of any length into the store's own buffer, valid
 * until the next call; -1 on a malformed value or no memory. */
int		store_bytea_any(struct store *, const PGresult *, int row,
		    int col, const unsigned char **out, size_t *len);

/* Keeps r alive for the rows that point into it, until the next call. */
void		store_hold(struct store *, PGresult *);

/* Queues statement q to go with the next statement (read ahead, or a
 * write that checks the API key itself: write). A read whose parameters
 * cannot be copied is simply not read ahead; a write that cannot be
 * queued is sent by its handler alone, after the key. */
void		store_queue_ahead(struct store *, enum sql_query q, int n,
		    const char *const *vals, const int *lens, const int *fmts,
		    int write);
void		store_read_ahead(struct store *, enum sql_query q, int n,
		    const char *const *vals);

#endif
