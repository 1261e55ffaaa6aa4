/* The master process: forks the workers, replaces those that die, rolls
 * them over on SIGHUP and stops them on SIGTERM/SIGINT. */
#ifndef LOCKBOX_POOL_H
#define LOCKBOX_POOL_H

#include "config.h"
#include "keyring.h"

/* Re-reads configuration and key ring into fresh structures; returns -1
 * with err set when either is invalid (the pool then keeps the old). */
typedef int (*pool_reload_fn)(struct config *, struct keyring *,
    char *err, size_t errlen);

/* Runs until stopped. cfg and ring are the master's (replaced on
 * reload); listen_fd is shared with every worker; unix_path, when not
 * NULL, is unlinked first thing on stop so that no new connection is
 * accepted while the queued ones are served. lock_fd (or -1) is the
 * socket's lock, which workers must not hold. Returns the exit status. */
int	pool_run(struct config *cfg, struct keyring *ring, int listen_fd,
	    int lock_fd, const char *unix_path, pool_reload_fn reload);

#endif
