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

/* Whether a connection is open (it may still turn out broken). */
int		 store_connected(const struct store *);

/* LB_OK when the database answers, else LB_ERR_DATABASE_UNAVAILABLE. */
enum lb_err	 store_ping(struct store *);

/* The request's API key as the statements that check it in SQL take it:
 * its prefix, and its keyed hash under every key of the worker's ring as
 * a PostgreSQL bytea[] literal (auth.c makes both; the stored hash was
 * made under one of those keys). */
struct store_key {
	const char	*prefix;
	const char	*hashes;
};

struct store_api_key {
	int64_t		 id;
	unsigned char	 hash[CRYPTO_HASH_LEN];
	int		 hash_key_id;	/* 0: a pre-0.2 hash, never valid */
	int		 hash_key_retired; /* rewrap retired hash_key_id */
	enum http_scope	 scope;
	int		 revoked;
};

/* Finds the key with this prefix: LB_OK, LB_ERR_NOT_FOUND, or
 * LB_ERR_DATABASE_UNAVAILABLE / LB_ERR_INTERNAL. */
enum lb_err	 store_api_key_find(struct store *, const char *prefix,
		    struct store_api_key *);

/* Moves key id's stored hash from old (as found) to new, made under ring
 * key key_id; nothing when the row changed meanwhile. */
enum lb_err	 store_api_key_rehash(struct store *, int64_t id,
		    const unsigned char *old, const unsigned char *new,
		    int key_id);

/* lockboxctl's statements. */
enum lb_err	 store_api_key_insert(struct store *, const char *name,
		    const char *prefix, const unsigned char *hash,
		    int hash_key_id, const char *scope, int64_t *id);
/* Calls fn once per key with its columns as text, in id order. */
enum lb_err	 store_api_key_list(struct store *,
		    void (*fn)(void *, const char *const *cols), void *arg);
enum lb_err	 store_api_key_revoke(struct store *, int64_t id);
/* Calls fn with the id and prefix of each key, not revoked, whose hash
 * ring key key_id made; *n counts them. */
enum lb_err	 store_api_key_hashed_with(struct store *, int key_id,
		    void (*fn)(void *, const char *id, const char *prefix),
		    void *arg, long *n);

/* A secret as stored. Strings point into a result the store holds until
 * its next call; ct is only set by store_secret_get. */
struct secret_row {
	int64_t			 id;
	const char		*name;
	const char		*provider_slug;	/* NULL: none */
	const char		*description;	/* NULL: none */
	const char		*metadata;	/* a JSON object, as text */
	int64_t			 version;
	const char		*created_at;	/* RFC 3339, UTC, microseconds */
	const char		*updated_at;
	int			 key_id;
	enum crypto_format	 format;
	unsigned char		 nonce[CRYPTO_NONCE_LEN];
	const unsigned char	*ct;		/* ciphertext and tag */
	size_t			 ct_len;
};

/* Read ahead: the statement store_secret_get, store_secret_list,
 * store_secret_next_id or store_secret_current would send with these
 * arguments goes out with the next statement (the API key lookup), in the
 * same round trip; that call then answers from what was read. Any other
 * statement first forgets it. Each of them checks the key itself, in SQL,
 * and reads nothing for a key that may not: a refused key learns nothing
 * of a secret, not even from the time its answer takes. */
void		 store_secret_get_ahead(struct store *, int64_t id,
		    const struct store_key *);
void		 store_secret_list_ahead(struct store *,
		    const char *provider_slug, int64_t after_id, int limit,
		    const struct store_key *);
void		 store_secret_next_id_ahead(struct store *,
		    const struct store_key *);
void		 store_secret_current_ahead(struct store *, int64_t id,
		    const struct store_key *);

/* Reserves the next secret id and reads the database clock, for a key
 * that may write (LB_ERR_NOT_FOUND for any other). */
enum lb_err	 store_secret_next_id(struct store *, const struct store_key *,
		    int64_t *id, char created_at[40]);

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
 * LB_ERR_NAME_CONFLICT with *conflict saying which constraint;
 * LB_ERR_KEY_RETIRED when the value was sealed with a retired key. */
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

/* The secret with its sealed value, for a key that may read. */
enum lb_err	 store_secret_get(struct store *, int64_t id,
		    const struct store_key *, struct secret_row *);

/* Up to limit rows, newest first, after after_id (0: from the newest),
 * filtered by provider_slug (NULL: all), for a key that may read. rows
 * holds limit entries. */
enum lb_err	 store_secret_list(struct store *, const char *provider_slug,
		    int64_t after_id, int limit, const struct store_key *,
		    struct secret_row *rows, int *n);

/* A PATCH's first read, for a key that may write: the current version and
 * sealed value (in row: version, key_id, format, nonce, ct). */
enum lb_err	 store_secret_current(struct store *, int64_t id,
		    const struct store_key *, struct secret_row *);

struct secret_update {
	int64_t			 id;
	int64_t			 version;	/* as read: the row's now */
	const char		*name;		/* NULL: keep */
	int			 set_provider;
	const char		*provider_slug;
	int			 set_description;
	const char		*description;
	int			 clear_metadata;
	const char		*metadata_remove; /* text[] literal */
	const char		*metadata_set;	/* JSON object text */
	/* The value, sealed for version + 1 (always: the additional data
	 * binds the version). */
	int			 key_id;
	const unsigned char	*nonce;
	const unsigned char	*ct;
	size_t			 ct_len;
	const struct store_key	*key;
};

/* LB_OK with the new row; LB_ERR_NOT_FOUND; LB_ERR_PRECONDITION_FAILED
 * when the row moved on since it was read (read it again); 
 * LB_ERR_INVALID_FIELD (too many metadata members after the merge);
 * LB_ERR_NAME_CONFLICT; LB_ERR_KEY_RETIRED; or a database error. */
enum lb_err	 store_secret_update(struct store *,
		    const struct secret_update *, struct secret_row *);

/* A DELETE goes ahead with the key lookup: the statement checks the key
 * itself and changes nothing unless it may write, and the handler's call
 * then answers from that round trip. Once a write went ahead, the next
 * statement of the request must be that write, with the same arguments
 * (anything else fails). */
void		 store_secret_delete_ahead(struct store *, int64_t id,
		    const char *if_match, const struct store_key *);

/* LB_OK, LB_ERR_NOT_FOUND, LB_ERR_PRECONDITION_FAILED, or an error. */
enum lb_err	 store_secret_delete(struct store *, int64_t id,
		    const char *if_match, const struct store_key *);

/* Forgets what went ahead for this request; called after each one. */
void		 store_request_done(struct store *);

/* ---- key rotation and the workers (store_ring.c) ------------------- */

/* A worker's heartbeat: its random id, host, pid, the key it seals with
 * and its ring's key ids. */
struct store_worker {
	int64_t		 id;
	const char	*host;
	long		 pid;
	int		 seal_key_id;
	const int	*ring_ids;
	size_t		 nring;
};

enum lb_err	 store_worker_heartbeat(struct store *,
		    const struct store_worker *);
enum lb_err	 store_worker_gone(struct store *, int64_t id);
/* Removes the rows of workers not seen for a day. */
enum lb_err	 store_worker_purge(struct store *);

/* How long a worker that has not been heard from counts as live. */
#define STORE_WORKER_LIVE_S	30

/* Calls fn for each live worker that seals with another key than key_id
 * (others) or with key_id (!others); *n counts them. */
enum lb_err	 store_workers_sealing(struct store *, int key_id, int others,
		    void (*fn)(void *, const char *host, const char *pid,
		    const char *key_id, const char *age_s), void *arg, long *n);

/* Calls fn for each live worker whose ring lacks key_id; *n counts them. */
enum lb_err	 store_workers_lacking(struct store *, int key_id,
		    void (*fn)(void *, const char *host, const char *pid,
		    const char *key_id, const char *age_s), void *arg, long *n);

/* Starts a rotation to key active: makes it usable again if it was
 * retired, retires every other key of the ring (ids) and any other key a
 * row names, and waits for the writes that may have missed that. */
enum lb_err	 store_rewrap_begin(struct store *, int active,
		    const int *ids, size_t nids);

/* Re-encrypts, in one transaction, the next batch (after *after, which it
 * moves on) of secrets sealed with another key than the ring's active
 * one or in the pre-0.2 form. *moved counts the rows moved, *failed those
 * that could not be opened (each reported on stderr, and passed over);
 * *more is 0 once the pass reached the end of the table. */
enum lb_err	 store_rewrap_batch(struct store *, struct crypto *,
		    int64_t *after, long *moved, long *failed, int *more);

/* Secrets not yet sealed with key active in the current form. */
enum lb_err	 store_rewrap_remaining(struct store *, int active, long *n);

/* Whether rewrap retired key_id, and how many secrets it still seals. */
enum lb_err	 store_key_usage(struct store *, int key_id, int *retired,
		    long *rows);

/* Applies every migration not yet applied, in order, in one transaction
 * under an advisory lock: safe to run twice, or from two hosts at once.
 * API key hashes from before 0.2 are converted in the same transaction
 * with c (NULL when the key ring could not be read: then such hashes are
 * an error). Reports progress on log. */
enum lb_err	 store_migrate(struct store *, struct crypto *c, FILE *log);

/* Copies the connection's last error text (never parameters). */
const char	*store_error(const struct store *);

#endif
