/* The audit log as a worker writes it: one event per request under
 * /v1/admin/, stored before the answer is sent.
 *
 * The dispatcher opens the event when the request arrives (audit_begin)
 * and adds what it learns (the key, the path's secret, an error found in
 * the request). The event then rides on the request's own statements: a
 * statement marked "audit: yes" (sql/queries.sql) takes it as its last
 * parameter through the store's hooks, stores it in the same transaction
 * as what it reads or writes, and returns the outcome it stored; a
 * route's first statement decides the event's status as the worker will
 * decide its answer. What no statement stored, audit_end stores alone.
 *
 * Each stored event moves the worker's chain on (audit_chain.h): the
 * worker MACs the event as it described it plus the outcome the
 * statement returned, and the next event carries that MAC. A statement
 * lost with its connection leaves the chain uncertain: the worker opens
 * a new one. Seals mark how far a chain went, every AUDIT_SEAL_MS while
 * it grows and when the worker stops. */
#ifndef LOCKBOX_AUDIT_H
#define LOCKBOX_AUDIT_H

#include <stdint.h>

#include "audit_chain.h"
#include "buf.h"
#include "error.h"
#include "store.h"

#define AUDIT_SEAL_MS	10000
/* How often a worker removes events older than audit_retention (one
 * worker at a time, over every host; the first time a few seconds after
 * it starts), and at most how many of each chain at once: requests are
 * waiting. */
#define AUDIT_RETAIN_MS		600000
#define AUDIT_RETAIN_BATCH	5000

struct http_request;

struct audit {
	struct store		*db;
	struct crypto		*crypto;
	int			 on;
	int			 async_reads;
	long			 retention;	/* seconds; 0: keep all */
	int64_t			 next_retain_ms;
	const char		*host;
	int			 pid;

	/* The chain: 0 when none is open. */
	int64_t			 chain_id;
	int64_t			 spare;		/* the next chain's id; 0 */
	int64_t			 seq;		/* its events stored */
	int			 key_id;	/* the ring key of its MACs */
	unsigned char		 mac[AUDIT_MAC_LEN]; /* after event seq */
	int64_t			 sealed;	/* the last seq sealed; -1 */
	int64_t			 next_seal_ms;

	/* The request's event. */
	int			 due;		/* to store, not stored yet */
	int			 status;	/* what a statement stored; 0 */
	int			 async;
	char			 at[64];
	char			 request_id[65];
	const char		*action;
	char			 prefix[16];
	char			 secret_id[24];
	char			 remote_addr[48];
	char			 held[8];
	char			 key_id_s[24];
	struct buf		 param;
	struct store_audit_hooks hooks;
};

/* Sets a up for a worker (on: the setting audit) and hooks it into db. */
void	audit_init(struct audit *, struct store *db, struct crypto *,
	    int on, int async_reads, long retention, const char *host,
	    int pid);
void	audit_free(struct audit *);

/* A request under /v1/admin/ arrives: its event is due. action: the
 * route's, or "request.refused". Opens a chain when none is: -1 when it
 * cannot (the answer is then 503, and nothing else happens). */
int	audit_begin(struct audit *, const struct http_request *,
	    const char *action);
/* What the dispatcher learns, before the statements go. */
void	audit_action(struct audit *, const char *action);
void	audit_secret(struct audit *, int64_t id);
void	audit_held(struct audit *, int status);	/* an error of the request */
void	audit_key(struct audit *, int64_t api_key_id);	/* the key, checked */
void	audit_async(struct audit *, int reads_only);

/* The status a statement stored this request's event with (0: none yet). */
int	audit_stored_status(const struct audit *);
/* A write lost with its connection was found to have taken effect: its
 * event, in the same transaction, is stored. */
void	audit_settled(struct audit *);

/* Stores the event if no statement did, with the status answered (and
 * the key, 0: none). LB_OK, or the error for which the answer must be
 * 503 instead. */
enum lb_err audit_end(struct audit *, int status, int64_t api_key_id);

/* Between requests: a seal when the chain grew and AUDIT_SEAL_MS went
 * by; every AUDIT_RETAIN_MS, the events past audit_retention purged
 * (audit_purge.h). At the worker's clean exit: its close. */
void	audit_tick(struct audit *);
void	audit_close(struct audit *);

#endif
