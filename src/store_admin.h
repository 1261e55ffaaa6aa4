/* What only lockboxctl asks of the database: migrations, key rotation,
 * what it checks before a key may change, and API keys made, listed and
 * revoked (store_admin.c, linked into lockboxctl alone). */
#ifndef LOCKBOX_STORE_ADMIN_H
#define LOCKBOX_STORE_ADMIN_H

#include <stdio.h>

#include "apikey.h"
#include "store.h"

/* Applies every migration not yet applied, in order, in one transaction
 * under an advisory lock: safe to run twice, or from two hosts at once.
 * API key hashes from before 0.2 are converted in the same transaction
 * with c (NULL when the key ring could not be read: then such hashes are
 * an error). Reports progress on log. */
enum lb_err	 store_migrate(struct store *, struct crypto *c, FILE *log);

/* Calls fn for each live worker (store.h: STORE_WORKER_LIVE_S) that seals
 * with another key than key_id (others) or with key_id (!others); *n
 * counts them. */
enum lb_err	 store_workers_sealing(struct store *, int key_id, int others,
		    void (*fn)(void *, const char *host, const char *pid,
		    const char *key_id, const char *age_s), void *arg, long *n);

/* Calls fn for each live worker whose ring lacks key_id; *n counts them. */
enum lb_err	 store_workers_lacking(struct store *, int key_id,
		    void (*fn)(void *, const char *host, const char *pid,
		    const char *key_id, const char *age_s), void *arg, long *n);

/* Calls fn with the id and prefix of each key, not revoked, whose hash
 * ring key key_id made; *n counts them. */
enum lb_err	 store_api_key_hashed_with(struct store *, int key_id,
		    void (*fn)(void *, const char *id, const char *prefix),
		    void *arg, long *n);

/* Starts a rotation to key active: makes it usable again if it was
 * retired, retires every other key of the ring (ids) and any other key a
 * row names, and waits for the writes that may have missed that. */
enum lb_err	 store_rewrap_begin(struct store *, int active,
		    const int *ids, size_t nids);

/* Which values a rewrap pass walks: every version, or the current values
 * that live secrets' rows hold as well (sql/006_current_value.sql). */
enum store_rewrap_walk {
	STORE_REWRAP_VERSIONS,
	STORE_REWRAP_CURRENT
};

/* Re-encrypts, in one transaction, the next batch (after *after, which it
 * moves on) of values sealed with another key than the ring's active one
 * or in the pre-0.2 form. *moved counts the rows moved, *failed those
 * that could not be opened (each reported on stderr, and passed over);
 * *more is 0 once the walk reached the end of its table. */
enum lb_err	 store_rewrap_batch(struct store *, struct crypto *,
		    enum store_rewrap_walk, int64_t after[2], long *moved,
		    long *failed, int *more);

/* Secrets not yet sealed with key active in the current form. */
enum lb_err	 store_rewrap_remaining(struct store *, int active, long *n);

/* Whether rewrap retired key_id, and how many secrets it still seals. */
enum lb_err	 store_key_usage(struct store *, int key_id, int *retired,
		    long *rows);

/* API keys: lockboxctl apikey create, list and revoke. */
/* A key being minted: what lockbox.api_keys stores of it. */
struct store_new_key {
	const char		*name;
	char			 prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char		 hash[CRYPTO_HASH_LEN];	/* keyed */
	int			 hash_key_id;
	enum scope_level	 level;
	int			 audit;
	const char		*providers;	/* text[] literal; NULL: all */
	long long		 expires_in;	/* seconds; < 0: never */
};
/* Inserts it; *id and, when it expires, the time it does (API form). */
enum lb_err	 store_api_key_insert(struct store *,
		    const struct store_new_key *, int64_t *id,
		    char expires_at[40]);
/* Calls fn once per key with its columns as text, in id order. */
enum lb_err	 store_api_key_list(struct store *,
		    void (*fn)(void *, const char *const *cols), void *arg);
enum lb_err	 store_api_key_revoke(struct store *, int64_t id);

/* ---- the audit log (store_audit_admin.c) ---------------------------- */

struct audit_event;
struct audit_seal;

/* A read-only snapshot for what follows, until store_audit_tx_end. */
enum lb_err	 store_audit_read_begin(struct store *);
/* Every seal; every chain; every event in chain order (fn's strings live
 * for its call only; a negative return stops the walk). */
enum lb_err	 store_audit_seals(struct store *,
		    void (*fn)(void *, const struct audit_seal *), void *arg);
struct store_audit_chain {
	int64_t		 id;
	const char	*started_at, *host, *pid;
	int64_t		 prev_id;	/* 0: none */
	unsigned char	 link[CRYPTO_MAC_LEN];
	int		 link_key_id;
};
enum lb_err	 store_audit_chains(struct store *, void (*fn)(void *,
		    const struct store_audit_chain *), void *arg);
enum lb_err	 store_audit_events(struct store *,
		    int (*fn)(void *, const struct audit_event *), void *arg);
/* Events from since (RFC 3339; NULL: all) on, one JSON object a line. */
enum lb_err	 store_audit_export(struct store *, const char *since,
		    FILE *out);

#endif
