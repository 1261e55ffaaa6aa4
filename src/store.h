/* PostgreSQL: one connection per worker, opened on first use and opened
 * again after it breaks, so that a database restart needs no lockbox
 * restart. Every statement's text is in sql/queries.sql; only parameters
 * travel separately. */
#ifndef LOCKBOX_STORE_H
#define LOCKBOX_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "crypto.h"
#include "error.h"
#include "http.h"

struct store;

/* Borrows conninfo (a libpq string or URI; "" uses the PG* variables).
 * Does not connect. Returns NULL when out of memory. */
struct store	*store_new(const char *conninfo);
void		 store_free(struct store *);

/* The SQLSTATE of the last failed statement, or "" . */
const char	*store_sqlstate(const struct store *);

/* LB_OK when the database answers, else LB_ERR_DATABASE_UNAVAILABLE. */
enum lb_err	 store_ping(struct store *);

struct store_api_key {
	int64_t		 id;
	unsigned char	 hash[CRYPTO_HASH_LEN];
	enum http_scope	 scope;
	int		 revoked;
};

/* Finds the key with this prefix: LB_OK, LB_ERR_NOT_FOUND, or
 * LB_ERR_DATABASE_UNAVAILABLE / LB_ERR_INTERNAL. */
enum lb_err	 store_api_key_find(struct store *, const char *prefix,
		    struct store_api_key *);

/* lockboxctl's statements. */
enum lb_err	 store_api_key_insert(struct store *, const char *name,
		    const char *prefix, const unsigned char *hash,
		    const char *scope, int64_t *id);
/* Calls fn once per key with its columns as text, in id order. */
enum lb_err	 store_api_key_list(struct store *,
		    void (*fn)(void *, const char *const *cols), void *arg);
enum lb_err	 store_api_key_revoke(struct store *, int64_t id);

/* Applies every migration not yet applied, in order, in one transaction
 * under an advisory lock: safe to run twice, or from two hosts at once.
 * Reports progress on log. */
enum lb_err	 store_migrate(struct store *, FILE *log);

/* Copies the connection's last error text (never parameters). */
const char	*store_error(const struct store *);

#endif
