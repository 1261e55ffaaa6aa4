/* A worker's heartbeat in the database (lockbox.workers): which key it
 * seals with, so that "lockboxctl rewrap" can wait for every live worker
 * of every host to seal with the active key before it retires the others,
 * and "keyring remove" can refuse a key a live worker still uses. */
#ifndef LOCKBOX_HEARTBEAT_H
#define LOCKBOX_HEARTBEAT_H

#include <stdint.h>

#include "crypto.h"
#include "store.h"

/* Every this often while the worker runs, idle or not: well within
 * STORE_WORKER_LIVE_S, after which a silent worker counts as gone. */
#define HEARTBEAT_MS	10000

struct heartbeat {
	int64_t		 id;		/* random, this process's */
	int64_t		 next;		/* clock_ms() of the next beat */
	long		 beats;
	char		 host[256];
};

/* Names this worker (a fresh random id, the host name). */
void	heartbeat_init(struct heartbeat *);

/* Reports, when due (now, after heartbeat_init), the key c seals with and
 * the ring's ids. A database that does not answer is tried again at the
 * next beat: a worker serves without it. */
void	heartbeat_beat(struct heartbeat *, struct store *, struct crypto *);

/* Milliseconds until the next beat is due (0 when it is). */
int	heartbeat_wait_ms(const struct heartbeat *);

/* Removes the worker's row (when connected): it leaves. A worker killed
 * without a goodbye leaves its row to age out. */
void	heartbeat_stop(struct heartbeat *, struct store *);

#endif
