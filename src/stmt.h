/* A statement of sql/queries.sql and its parameters, built in order:
 * stmt_text(&st, name); stmt_i64(&st, id); ... The parameters live in the
 * statement's own buffer, wiped when it is freed (they may hold a
 * ciphertext or a keyed hash, never a plaintext value). */
#ifndef LOCKBOX_STMT_H
#define LOCKBOX_STMT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sql_queries.h"

#define STMT_MAX_PARAMS	20

struct stmt {
	enum sql_query	 q;		/* SQL__COUNT: no statement */
	int		 n;
	int		 isnull[STMT_MAX_PARAMS];
	int		 binary[STMT_MAX_PARAMS];
	size_t		 off[STMT_MAX_PARAMS];
	size_t		 len[STMT_MAX_PARAMS];
	int		 overflow;	/* more than STMT_MAX_PARAMS */
	struct buf	 data;
};

/* Starts statement q with no parameter (SQL__COUNT: none at all). */
void	stmt_init(struct stmt *, enum sql_query q);

/* Appends one parameter. stmt_text(NULL) is SQL NULL. */
void	stmt_text(struct stmt *, const char *s);
void	stmt_i64(struct stmt *, int64_t v);
void	stmt_bool(struct stmt *, int v);
void	stmt_bytea(struct stmt *, const void *p, size_t n);

/* Whether a statement is bound, and whether it is whole: its parameter
 * count is the one its text uses (but the audit event, which the store
 * adds to a statement marked "audit: yes"), and nothing ran out of
 * memory. */
int	stmt_bound(const struct stmt *);
int	stmt_ok(const struct stmt *);

/* The parameters as libpq takes them (vals[i] NULL for NULL), valid until
 * the statement changes. */
void	stmt_params(const struct stmt *, const char **vals, int *lens,
	    int *fmts);

/* Wipes and releases the parameters; the statement is unbound again. */
void	stmt_free(struct stmt *);

#endif
