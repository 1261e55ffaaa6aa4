/* The audit log's tamper evidence, without I/O.
 *
 * Events form chains, one per worker connection, numbered 1, 2, ... A
 * chain's first event carries the chain's start MAC; every later event
 * carries the MAC of the event before it (prev_mac). An event's MAC binds
 * its chain, its number, every field the contract lists and its own
 * prev_mac, under a key-ring subkey the database never sees: whoever can
 * write the table but lacks the ring can neither forge nor alter an event
 * without the next event's prev_mac (or a seal) telling. The last events
 * of a chain are covered by seals: rows that say "chain C up to event N
 * ends in MAC M", themselves MAC'd. audit_chain_verify walks what the
 * database holds and reports every break, naming the event. */
#ifndef LOCKBOX_AUDIT_CHAIN_H
#define LOCKBOX_AUDIT_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define AUDIT_MAC_LEN	CRYPTO_MAC_LEN

/* One event as stored: text as the database returns it (NULL: SQL NULL);
 * id is reported, not bound (the chain's numbering orders events). */
struct audit_event {
	int64_t		 id;
	int64_t		 chain_id;
	int64_t		 seq;
	const char	*at;
	const char	*request_id;
	const char	*action;
	const char	*status;
	const char	*api_key_id;
	const char	*api_key_prefix;
	const char	*secret_id;
	const char	*version;
	const char	*secret_ids;
	const char	*remote_addr;
	int		 mac_key_id;
	unsigned char	 prev_mac[AUDIT_MAC_LEN];
};

enum audit_seal_kind {
	AUDIT_SEAL_TICK = 1,	/* the chain so far; it goes on */
	AUDIT_SEAL_CLOSE,	/* the chain ended cleanly here */
	AUDIT_SEAL_PURGE,	/* events 1..seq were purged on purpose */
};

/* A chain's MAC after event seq (seq 0: its start MAC), sealed. */
struct audit_seal {
	int64_t			 chain_id;
	int64_t			 seq;
	enum audit_seal_kind	 kind;
	int			 mac_key_id;
	unsigned char		 mac[AUDIT_MAC_LEN];
	unsigned char		 seal[AUDIT_MAC_LEN];
};

/* The prev_mac of a chain's event 1. */
int	audit_chain_start(struct crypto *, int key_id, int64_t chain_id,
	    unsigned char out[AUDIT_MAC_LEN]);
/* An event's MAC: what the next event of its chain carries as prev_mac. */
int	audit_event_mac(struct crypto *, const struct audit_event *,
	    unsigned char out[AUDIT_MAC_LEN]);
/* Fills s->seal from the seal's other fields. */
int	audit_seal_make(struct crypto *, struct audit_seal *s);

/* The chains are themselves chained (lockbox.audit_chains): each row's
 * link is a MAC over the row opened before it (its id and link; none for
 * the first) and its own host and pid, so that a chain removed whole,
 * with its row, breaks the next row's link. */
struct audit_link {
	int64_t			 prev_id;	/* 0: the first chain */
	const unsigned char	*prev_link;	/* NULL when prev_id is 0 */
	const char		*host;
	int64_t			 pid;
	int			 key_id;
};
int	audit_link_make(struct crypto *, const struct audit_link *,
	    unsigned char out[AUDIT_MAC_LEN]);

enum audit_problem_kind {
	AUDIT_BAD_START,	/* event 1 does not carry its chain's start */
	AUDIT_BROKEN,		/* this event, or the one before, was altered
				 * or forged: its prev_mac does not follow */
	AUDIT_MISSING,		/* events before this one are gone */
	AUDIT_BAD_SEAL,		/* a seal fails its own MAC */
	AUDIT_SEAL_MISMATCH,	/* a seal disagrees with the events it covers */
	AUDIT_TRUNCATED,	/* events a seal covers are gone from the end */
	AUDIT_UNSEALED,		/* the chain's last events, after its last seal */
	AUDIT_NO_KEY,		/* a MAC under a key the ring lacks */
};

struct audit_problem {
	enum audit_problem_kind	 kind;
	int64_t			 chain_id;
	int64_t			 seq;		/* the event (or seal) */
	int64_t			 id;		/* the event's row id; 0: none */
	int64_t			 count;		/* UNSEALED: how many */
};

/* Checks events (sorted by chain_id, then seq) against seals (any
 * order). Calls report once per problem; returns how many, or -1 when it
 * could not compute a MAC at all. */
long	audit_chain_verify(struct crypto *, const struct audit_event *ev,
	    size_t nev, const struct audit_seal *seals, size_t nseals,
	    void (*report)(void *, const struct audit_problem *), void *arg);

/* What a problem means, for lockboxctl audit verify. */
const char *audit_problem_text(enum audit_problem_kind);

#endif
