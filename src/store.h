/* PostgreSQL, for the workers: one connection per worker, opened on first
 * use and again after it breaks, so that a database restart needs no
 * lockbox restart. Every statement's text is in sql/queries.sql; only
 * parameters travel separately (stmt.h builds them).
 *
 * This is the database layer (store.c: connections, statements, the
 * pipeline, results that own their memory) and the statements of each
 * thing stored: API keys (store_keys.c), secrets (store_secrets.c), their
 * versions (store_versions.c), deleted secrets (store_deleted.c),
 * idempotency records (store_idem.c), the workers' heartbeats
 * (store_workers.c). What only lockboxctl does (migrations, rotation) is
 * in store_admin.h. */
#ifndef LOCKBOX_STORE_H
#define LOCKBOX_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "crypto.h"
#include "error.h"
#include "scope.h"
#include "stmt.h"

struct store;
struct pg_result;

/* Borrows conninfo (a libpq string or URI; "" uses the PG* variables).
 * With prepare, statements are prepared once per connection; without, each
 * is sent unnamed (for transaction-mode poolers). Does not connect.
 * Returns NULL when out of memory. */
struct store	*store_new(const char *conninfo, int prepare);
void		 store_free(struct store *);

/* Whether a connection is open (it may still turn out broken). */
int		 store_connected(const struct store *);

/* About the last failed statement: its SQLSTATE ("" when the connection
 * failed), the constraint it broke, its primary message (never its
 * parameters). */
const char	*store_sqlstate(const struct store *);
const char	*store_constraint(const struct store *);
const char	*store_error(const struct store *);

/* Round trips to the server since the store was made: statements run
 * alone, pipelines, and prepares (once per statement and connection). */
long		 store_round_trips(const struct store *);

/* ---- results ------------------------------------------------------- */

struct store_blob;

/* A statement's result. It owns its memory, bytea values decoded from it
 * included, until result_free: two results, or two rows of one, can be
 * held at once. Columns are found by the names the statement gives them. */
struct store_result {
	struct pg_result	*pg;
	struct store_blob	*blobs;
	/* The one row is no row: a statement that stores an audit event
	 * answers its event's outcome even when it found nothing. */
	int			 empty;
};

void		 result_free(struct store_result *);
int		 result_rows(const struct store_result *);
/* Rows the statement changed (INSERT, UPDATE, DELETE). */
long		 result_changed(const struct store_result *);
/* The column named name, or -1. */
int		 result_col(const struct store_result *, const char *name);
/* A column's text; NULL for SQL NULL. */
const char	*result_text(const struct store_result *, int row, int col);
int64_t		 result_i64(const struct store_result *, int row, int col);
int		 result_bool(const struct store_result *, int row, int col);
/* A bytea column of exactly n bytes into out: 0, or -1. */
int		 result_bytes(const struct store_result *, int row, int col,
		    unsigned char *out, size_t n);
/* A bytea column of any length, decoded into memory the result owns. */
int		 result_blob(struct store_result *, int row, int col,
		    const unsigned char **p, size_t *n);

/* ---- running statements -------------------------------------------- */

/* Runs one statement. LB_OK with its result in *res (for the caller to
 * free), else LB_ERR_DATABASE_UNAVAILABLE (the connection or the server
 * went away; a statement marked "retry: yes" was sent again once on a new
 * connection first) or LB_ERR_INTERNAL (the server refused it:
 * store_sqlstate says why), with nothing in *res. */
enum lb_err	 store_run(struct store *, const struct stmt *,
		    struct store_result *res);

/* Whether the last failed statement may still have taken effect: it was
 * sent and the connection broke before its answer. */
int		 store_maybe_done(const struct store *);

/* store_run again and again, reconnecting, while the database is out of
 * reach, for up to a minute: for a worker that must learn what a broken
 * write did before it may answer. */
enum lb_err	 store_run_patiently(struct store *, const struct stmt *,
		    struct store_result *res);

/* A write whose connection broke may have taken effect: runs its probe
 * (a statement of one row whose boolean column "done" says whether it
 * did; NULL: cannot tell), reconnecting for up to a minute. LB_OK when it
 * took effect, LB_ERR_DATABASE_UNAVAILABLE when it had none (a 503 is
 * true), LB_ERR_INTERNAL when nobody can tell (never a false 503). */
enum lb_err	 store_resolve(struct store *, const struct stmt *probe);

enum store_outcome {
	STORE_DONE,	/* ran; its result is in res[i] */
	STORE_FAILED,	/* did not take effect: not sent, refused by the
			 * server, or skipped after an earlier error */
	STORE_LOST,	/* sent, and the connection broke before its
			 * answer: it may have taken effect */
};

/* Sends statements 0..n-1 in one round trip (libpq pipeline mode) and
 * reads every answer: out[i] says what became of each. LB_OK when all
 * are DONE; else LB_ERR_DATABASE_UNAVAILABLE or LB_ERR_INTERNAL as for
 * store_run (the first failure's SQLSTATE is kept). A connection that
 * died while idle is replaced before anything is sent; when nothing but
 * reads ("retry: yes") is lost, they go once more on a new connection. */
enum lb_err	 store_pipeline(struct store *, const struct stmt *const *st,
		    int n, struct store_result *res, enum store_outcome *out);

/* LB_OK when the database answers, else LB_ERR_DATABASE_UNAVAILABLE. */
enum lb_err	 store_ping(struct store *);

/* ---- audit events --------------------------------------------------- */

/* A statement marked "audit: yes" (sql/queries.sql) stores the request's
 * audit event: the store adds the event as its last parameter, taken
 * from these hooks (audit.h), and hands back what the statement's column
 * "audit" says it stored. */
struct store_audit_hooks {
	/* The event as the next statement is to store it, a text[] literal;
	 * NULL: none (audit off, or already stored). */
	const char	*(*event)(void *);
	/* A statement stored it: its outcome as stored. */
	void		 (*stored)(void *, const char *outcome);
	/* A statement that carried it was sent and its connection broke:
	 * stored or not, nobody can tell now. */
	void		 (*lost)(void *);
	void		 *arg;
};

/* Borrows hooks (NULL: no events, every such parameter NULL). */
void		 store_audit_hooks(struct store *,
		    const struct store_audit_hooks *);

struct audit_seal;
/* A worker opening chains (store_audit.c), in one transaction that
 * chain_last begins (waiting for any other opener) and tx_end ends: the
 * newest chain's id (0: none yet) and link; each new chain's row, linked
 * to the one before (audit_chain.h), and its id. */
enum lb_err	 store_audit_chain_last(struct store *, int64_t *id,
		    unsigned char link[CRYPTO_MAC_LEN]);
enum lb_err	 store_audit_chain_open(struct store *, const char *host,
		    int pid, int64_t prev_id,
		    const unsigned char link[CRYPTO_MAC_LEN], int key_id,
		    int64_t *id);
/* Ends the audit log's own transaction (opening chains, a purge). */
enum lb_err	 store_audit_tx_end(struct store *, int commit);
enum lb_err	 store_audit_seal(struct store *, const struct audit_seal *);
/* The request's event, stored alone, with the status answered and the
 * key checked (0: none). */
enum lb_err	 store_audit_event(struct store *, int status,
		    int64_t api_key_id);
/* The event of a request refused before its route's statement: keyed. */
void		 store_audit_refused_bind(struct stmt *);

/* GET /v1/admin/audit: a page below id before, limit rows (the page's
 * and one more), and each row as text (NULL: null; strings point into
 * the result). */
struct audit_query;
struct audit_row {
	int64_t		 id;
	const char	*at, *request_id, *action, *status, *api_key_id,
			*api_key_prefix, *secret_id, *version, *secret_ids,
			*remote_addr;
};
void		 store_audit_list_bind(struct stmt *,
		    const struct audit_query *, int64_t before, int limit);
void		 store_audit_row_read(const struct store_result *, int i,
		    struct audit_row *);

/* Row i of a statement that returns events as lockbox.audit_macd has
 * them (audit_chain.h reads them so); strings point into the result. */
struct audit_event;
void		 store_audit_event_read(const struct store_result *, int i,
		    struct audit_event *);

/* A purge, in one transaction (begin lets the trigger take its DELETEs,
 * and says whether this is the only purge running: another should not go
 * on; store_audit_tx_end ends it): the seals of the chains it cuts; the
 * events before before, at most most of each chain, one chain at a time
 * (fn's strings live for its call only; a negative return stops it); a
 * chain's purge seal written and what it covers deleted (its events'
 * ids from first_id to last_id; *n events). */
enum lb_err	 store_audit_purge_begin(struct store *, int *mine);
enum lb_err	 store_audit_purge_seals(struct store *, const char *before,
		    void (*fn)(void *, const struct audit_seal *), void *arg);
enum lb_err	 store_audit_purge_events(struct store *, const char *before,
		    long most, int (*fn)(void *, const struct audit_event *,
		    size_t), void *arg);
enum lb_err	 store_audit_purge_chain(struct store *,
		    const struct audit_seal *purge, int64_t first_id,
		    int64_t last_id, long *n);
/* A seal's row (chain_id, chain_seq, kind, mac, mac_key_id, seal). */
void		 store_audit_seal_read(const struct store_result *, int i,
		    struct audit_seal *);


/* ---- API keys (store_keys.c) --------------------------------------- */

/* The request's API key as a keyed statement takes it (its last three
 * parameters): its prefix, and its keyed hash under every key of the
 * worker's ring as a PostgreSQL bytea[] literal (auth.c makes both; the
 * stored hash was made under one of those keys). */
struct store_key {
	const char	*prefix;
	const char	*hashes;
};

/* Appends the key and the level a route needs to a keyed statement. */
void		 store_key_bind(struct stmt *, const struct store_key *,
		    enum scope_level need);

struct store_api_key {
	int64_t		 id;
	unsigned char	 hash[CRYPTO_HASH_LEN];
	int		 hash_key_id;	/* 0: a pre-0.2 hash, never valid */
	int		 hash_key_retired; /* rewrap retired hash_key_id */
	enum scope_level level;
	int		 audit;
	int		 revoked;
	int		 expired;
	/* The providers it reaches, a text[] literal; "": every one. */
	char		 providers[SCOPE_PROVIDERS_LEN];
};

/* The lookup of a key by its prefix, to go first in a pipeline. */
void		 store_api_key_find_bind(struct stmt *, const char *prefix);
/* Reads the lookup's answer: LB_OK or LB_ERR_NOT_FOUND (k zeroed). */
enum lb_err	 store_api_key_read(const struct store_result *,
		    struct store_api_key *k);

/* Moves key id's stored hash from old (as found) to new, made under ring
 * key key_id; nothing when the row changed meanwhile. */
enum lb_err	 store_api_key_rehash(struct store *, int64_t id,
		    const unsigned char *old, const unsigned char *new,
		    int key_id);

/* ---- secrets (store_secrets.c) ------------------------------------- */

/* A secret, a version or a deleted secret as stored: what the statement
 * returns of it. Strings point into the result it was read from. */
struct secret_row {
	int64_t			 id;
	const char		*name;
	const char		*provider_slug;	/* NULL: none */
	const char		*description;	/* NULL: none */
	const char		*metadata;	/* a JSON object, as text */
	int64_t			 version;
	const char		*created_at;	/* RFC 3339, UTC, microseconds */
	const char		*updated_at;
	/* A sealed value, where the statement returns it. */
	int			 key_id;
	enum crypto_format	 format;
	unsigned char		 nonce[CRYPTO_NONCE_LEN];
	const unsigned char	*ct;		/* ciphertext and tag */
	size_t			 ct_len;
	/* A version's (store_versions.c). */
	int64_t			 api_key_id;	/* 0: unknown (before 0.3) */
	int			 value_changed;
	/* A deleted secret's (store_deleted.c). */
	const char		*deleted_at;
	const char		*destroy_at;
	int64_t			 delete_seq;
};

/* Reads row i of a statement that returns secrets: the metadata columns
 * (and, with sealed, the sealed value, decoded into memory res owns).
 * LB_ERR_INTEGRITY when a sealed value is malformed or missing. */
enum lb_err	 store_secret_read(struct store_result *, int i, int sealed,
		    struct secret_row *);
/* The sealed value of row i alone (id, version, key, nonce, ciphertext). */
enum lb_err	 store_sealed_read(struct store_result *, int i,
		    struct secret_row *);

/* Keyed first statements (store_key_bind appends the key). */
void		 store_secret_get_bind(struct stmt *, int64_t id);
/* provider_slug NULL: among the secrets without one. */
void		 store_secret_lookup_bind(struct stmt *, const char *name,
		    const char *provider_slug);
void		 store_secret_list_bind(struct stmt *,
		    const char *provider_slug, int64_t after_id, int limit);
/* Any other list: ids a PostgreSQL bigint[] literal (NULL: every id),
 * with values or without. */
void		 store_secret_list_filtered_bind(struct stmt *,
		    const char *provider_slug, int64_t after_id,
		    const char *ids, int limit, int values);
/* A create's id; with an Idempotency-Key (else NULL), the key's record
 * too (store_idempotency_read), fresh when younger than ttl seconds. */
void		 store_secret_next_id_bind(struct stmt *, const char *key,
		    long ttl);
/* The current version's sealed value and, for a restore, version
 * restore's (0: none). */
void		 store_secret_current_bind(struct stmt *, int64_t id,
		    int64_t restore);
/* retention: seconds in the recovery window; permanent (or a window of
 * 0): the secret and its versions are destroyed at once. */
void		 store_secret_delete_bind(struct stmt *, int64_t id,
		    const char *if_match, long retention, int permanent);
/* Probes (store_resolve): a write that made secret id, or removed it. */
void		 store_secret_exists_bind(struct stmt *, int64_t id);
void		 store_secret_gone_bind(struct stmt *, int64_t id);

/* The next id and the database's clock, from secret_next_id's answer:
 * LB_ERR_NOT_FOUND when the key was refused. */
enum lb_err	 store_secret_next_id_read(const struct store_result *,
		    int64_t *id, char created_at[40]);

/* secret_current's answer: the current version's sealed value in *cur,
 * and version restore's in *old when asked for. LB_ERR_NOT_FOUND (no
 * secret), LB_ERR_VERSION_NOT_FOUND (restore not kept), LB_ERR_INTEGRITY
 * (the current version missing or malformed). */
enum lb_err	 store_secret_current_read(struct store_result *,
		    int64_t restore, struct secret_row *cur,
		    struct secret_row *old);

/* A write reads again after another write got in between; providers:
 * the key's (principal.providers; NULL or "": all). */
enum lb_err	 store_secret_current(struct store *, int64_t id,
		    int64_t restore, const char *providers,
		    struct store_result *);

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
	int64_t			 api_key_id;	/* who makes version 1 */
	const char		*providers;	/* the key's; NULL: all */
	/* With an Idempotency-Key (NULL: none), its record is written by the
	 * same statement. */
	const char		*idempotency_key;
	const unsigned char	*fingerprint;
	int			 fingerprint_key_id;
	const char		*response_body;
};

enum store_conflict { CONFLICT_NONE, CONFLICT_NAME, CONFLICT_IDEMPOTENCY };

/* Inserts a secret and its version 1 (and its idempotency record). A
 * unique violation is LB_ERR_NAME_CONFLICT with *conflict saying which
 * constraint; LB_ERR_KEY_RETIRED when the value was sealed with a retired
 * key. A connection that broke is resolved: 201 means stored, 503 no
 * effect. */
enum lb_err	 store_secret_insert(struct store *,
		    const struct secret_insert *, enum store_conflict *conflict);

/* A new version: a PATCH's, or a version restore's. */
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
	int			 value_changed;
	int64_t			 api_key_id;	/* who makes it */
	const char		*providers;	/* the key's; NULL: all */
	long			 max_versions;	/* how many to keep */
};

/* LB_OK with the new row in *res (read it with store_secret_read);
 * LB_ERR_NOT_FOUND; LB_ERR_PRECONDITION_FAILED when the row moved on
 * since it was read (read it again); LB_ERR_INVALID_FIELD (too many
 * metadata members after the merge); LB_ERR_NAME_CONFLICT;
 * LB_ERR_KEY_RETIRED; or a database error. A connection that broke is
 * resolved by the nonce. */
enum lb_err	 store_secret_update(struct store *,
		    const struct secret_update *, struct store_result *res);

/* After a DELETE that changed nothing: LB_ERR_PRECONDITION_FAILED when
 * the secret is there for a key of these providers (If-Match failed),
 * else LB_ERR_NOT_FOUND. */
enum lb_err	 store_secret_delete_why(struct store *, int64_t id,
		    const char *providers);

/* A secret as the API shows it, for an answer after a resolved write. */
enum lb_err	 store_secret_row(struct store *, int64_t id,
		    struct store_result *);

/* ---- versions (store_versions.c) ----------------------------------- */

/* Keyed first statements. A page of versions below before (the first
 * page: INT64_MAX), newest first: no row when the secret is not there,
 * one with version 0 when the page is empty. */
void		 store_version_list_bind(struct stmt *, int64_t id,
		    int64_t before, int limit);
/* One version: no row when the secret is not there, version 0 when the
 * version is not kept. */
void		 store_version_get_bind(struct stmt *, int64_t id,
		    int64_t version);
/* Row i of either (with sealed, the value too). */
enum lb_err	 store_version_read(struct store_result *, int i, int sealed,
		    struct secret_row *);

/* ---- deleted secrets (store_deleted.c) ----------------------------- */

/* Keyed first statements. A page of deleted secrets in their window
 * below delete_seq after (the first page: INT64_MAX), the most recent
 * first. */
void		 store_deleted_list_bind(struct stmt *,
		    const char *provider_slug, int64_t after, int limit);
/* Row i of a page. */
void		 store_deleted_read(struct store_result *, int i,
		    struct secret_row *);
/* Whether secret id is deleted and in its window (a row). */
void		 store_deleted_find_bind(struct stmt *, int64_t id);
/* Destroys deleted secret id now (a row: it was there); its probe. */
void		 store_deleted_destroy_bind(struct stmt *, int64_t id);
void		 store_deleted_gone_bind(struct stmt *, int64_t id);

/* Brings deleted secret id back: LB_OK with the secret in *res,
 * LB_ERR_NAME_CONFLICT when its name was taken since (nothing changes),
 * LB_ERR_NOT_FOUND when it is not in its window. A connection that broke
 * is resolved. */
enum lb_err	 store_deleted_restore(struct store *, int64_t id,
		    const char *providers, struct store_result *res);

/* Destroys a batch (at most STORE_DESTROY_BATCH) of deleted secrets past
 * their window, with every version; *n says how many. */
#define STORE_DESTROY_BATCH	100
enum lb_err	 store_deleted_destroy_expired(struct store *, long *n);

/* ---- idempotency records (store_idem.c) ---------------------------- */

struct idempotency_row {
	unsigned char	 fingerprint[CRYPTO_MAC_LEN];
	int		 fingerprint_key_id;
	int64_t		 secret_id;
	int		 status;
	const char	*body;		/* in the result it was read from */
	int		 fresh;		/* younger than the ttl */
};

/* The record in a result of idempotency_find or secret_next_id:
 * LB_OK (its body points into the result), LB_ERR_NOT_FOUND, or an
 * error. */
enum lb_err	 store_idempotency_read(const struct store_result *,
		    struct idempotency_row *);
/* LB_OK with the record (its body in *res), LB_ERR_NOT_FOUND, or an
 * error. */
enum lb_err	 store_idempotency_find(struct store *, int64_t api_key_id,
		    const char *key, long ttl, struct store_result *res,
		    struct idempotency_row *);
enum lb_err	 store_idempotency_forget_expired(struct store *,
		    int64_t api_key_id, const char *key, long ttl);
/* Deletes up to one batch of expired records; *n says how many. */
enum lb_err	 store_idempotency_purge(struct store *, long ttl, long *n);

/* ---- the workers' heartbeats (store_workers.c) --------------------- */

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

#endif
