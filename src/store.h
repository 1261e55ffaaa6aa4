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
 * With prepare, statements are prepared once per connection; without, each
 * is sent unnamed (for transaction-mode poolers). Does not connect.
 * Returns NULL when out of memory. */
struct store	*store_new(const char *conninfo, int prepare);
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

/* A secret as stored. Strings point into a result the store holds until
 * its next call; ct is only set by store_secret_get. */
struct secret_row {
	int64_t		 id;
	const char	*name;
	const char	*provider_slug;	/* NULL: none */
	const char	*description;	/* NULL: none */
	const char	*metadata;	/* a JSON object, as text */
	int64_t		 version;
	const char	*created_at;	/* RFC 3339, UTC, microseconds */
	const char	*updated_at;
	int		 key_id;
	unsigned char	 nonce[CRYPTO_NONCE_LEN];
	unsigned char	*ct;		/* ciphertext and tag */
	size_t		 ct_len;
};

/* Read ahead: the statement store_secret_get, store_secret_list or
 * store_secret_next_id would send with these arguments goes out with the
 * next statement (the API key lookup), in the same round trip; that call
 * then answers from what was read. Any other statement first forgets it. */
void		 store_secret_get_ahead(struct store *, int64_t id);
void		 store_secret_list_ahead(struct store *,
		    const char *provider_slug, int64_t after_id, int limit);
void		 store_secret_next_id_ahead(struct store *);

/* Reserves the next secret id and reads the database clock. */
enum lb_err	 store_secret_next_id(struct store *, int64_t *id,
		    char created_at[40]);

struct secret_insert {
	int64_t			 id;
	const char		*name;
	const char		*provider_slug;
	const char		*description;
	const char		*metadata;	/* JSON object text */
	int			 key_id;
	const unsigned char	*nonce;
	const unsigned char	*ct;
	size_t			 ct_len;
	const char		*created_at;
	/* With an Idempotency-Key (NULL: none), its record is written by the
	 * same statement. */
	int64_t			 api_key_id;
	const char		*idempotency_key;
	const unsigned char	*fingerprint;
	int			 fingerprint_key_id;
	const char		*response_body;
};

enum store_conflict { CONFLICT_NONE, CONFLICT_NAME, CONFLICT_IDEMPOTENCY };

/* Inserts a secret (and its idempotency record). A unique violation is
 * LB_ERR_NAME_CONFLICT with *conflict saying which constraint. */
enum lb_err	 store_secret_insert(struct store *,
		    const struct secret_insert *, enum store_conflict *conflict);

struct idempotency_row {
	unsigned char	 fingerprint[CRYPTO_MAC_LEN];
	int		 fingerprint_key_id;
	int64_t		 secret_id;
	int		 status;
	const char	*body;
	int		 fresh;		/* younger than the ttl */
};

enum lb_err	 store_idempotency_find(struct store *, int64_t api_key_id,
		    const char *key, long ttl, struct idempotency_row *);
enum lb_err	 store_idempotency_forget_expired(struct store *,
		    int64_t api_key_id, const char *key, long ttl);
/* Deletes up to one batch of expired records; *n says how many. */
enum lb_err	 store_idempotency_purge(struct store *, long ttl, long *n);

enum lb_err	 store_secret_get(struct store *, int64_t id,
		    struct secret_row *);

/* Up to limit rows, newest first, after after_id (0: from the newest),
 * filtered by provider_slug (NULL: all). rows holds limit entries. */
enum lb_err	 store_secret_list(struct store *, const char *provider_slug,
		    int64_t after_id, int limit, struct secret_row *rows,
		    int *n);

struct secret_update {
	int64_t			 id;
	const char		*if_match;	/* bigint[] literal or NULL */
	const char		*name;		/* NULL: keep */
	int			 set_provider;
	const char		*provider_slug;
	int			 set_description;
	const char		*description;
	int			 clear_metadata;
	const char		*metadata_remove; /* text[] literal */
	const char		*metadata_set;	/* JSON object text */
	int			 key_id;	/* 0: keep the value */
	const unsigned char	*nonce;
	const unsigned char	*ct;
	size_t			 ct_len;
	const char		*key_prefix;	/* the API key that may write */
	const unsigned char	*key_hash;	/* CRYPTO_HASH_LEN bytes */
};

/* Writes change nothing unless the API key (prefix and hash) may write:
 * they can go ahead of the key check, with the key lookup (see "read
 * ahead" above), and the handler's call then answers from that round
 * trip. Once a write went ahead, the next statement of the request must
 * be that write, with the same arguments (anything else fails). */
void		 store_secret_update_ahead(struct store *,
		    const struct secret_update *);
void		 store_secret_delete_ahead(struct store *, int64_t id,
		    const char *if_match, const char *key_prefix,
		    const unsigned char *key_hash);

/* LB_OK with the new row; LB_ERR_NOT_FOUND, LB_ERR_PRECONDITION_FAILED,
 * LB_ERR_INVALID_FIELD (too many metadata members after the merge),
 * LB_ERR_NAME_CONFLICT, or a database error. */
enum lb_err	 store_secret_update(struct store *,
		    const struct secret_update *, struct secret_row *);

/* LB_OK, LB_ERR_NOT_FOUND, LB_ERR_PRECONDITION_FAILED, or an error. */
enum lb_err	 store_secret_delete(struct store *, int64_t id,
		    const char *if_match, const char *key_prefix,
		    const unsigned char *key_hash);

/* Forgets what went ahead for this request; called after each one. */
void		 store_request_done(struct store *);

/* Re-encrypts, in one transaction, up to one batch of secrets sealed
 * with a key other than the ring's active one. *done counts the rows
 * moved, *left those still to move after the batch. */
enum lb_err	 store_rewrap_batch(struct store *, struct crypto *,
		    long *done, long *left);

/* Applies every migration not yet applied, in order, in one transaction
 * under an advisory lock: safe to run twice, or from two hosts at once.
 * Reports progress on log. */
enum lb_err	 store_migrate(struct store *, FILE *log);

/* Copies the connection's last error text (never parameters). */
const char	*store_error(const struct store *);

#endif
