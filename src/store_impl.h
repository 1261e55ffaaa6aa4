/* What the store's files share (store.c is the database layer; the other
 * store_*.c files hold the statements of one thing each). Not for the
 * rest of lockbox: store.h and store_admin.h are its API. */
#ifndef LOCKBOX_STORE_IMPL_H
#define LOCKBOX_STORE_IMPL_H

#include <libpq-fe.h>

#include "buf.h"
#include "sql_queries.h"
#include "store.h"

struct store {
	const char	*conninfo;
	int		 prepare;
	int		 verify_full;	/* dbconn.h: sslmode=verify-full */
	PGconn		*conn;
	unsigned char	 prepared[SQL__COUNT];
	char		 sqlstate[6];
	char		 constraint[64];
	char		 errmsg[256];
	int		 maybe_done;	/* the last failed statement was sent
					 * and may have taken effect */
	int		 noticed;	/* the server sent a notice */
	long		 round_trips;
	const struct store_audit_hooks *audit;
};

/* Connects when not connected (session setup included). */
enum lb_err	store_connect(struct store *);
void		store_disconnect(struct store *);

/* Runs SQL text with the simple protocol (several statements allowed);
 * for lockboxctl's transactions and migrations. */
enum lb_err	store_exec_script(struct store *, const char *sql);

/* Runs a statement that returns nothing to read. */
enum lb_err	store_run_simple(struct store *, const struct stmt *);

/* Runs a statement whose one row's column col is a count, into *n. */
enum lb_err	store_run_count(struct store *, const struct stmt *,
		    const char *col, long *n);

#endif
