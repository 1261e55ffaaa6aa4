/* A worker: accepts FastCGI connections on a shared listening socket and
 * serves one request at a time. */
#ifndef LOCKBOX_WORKER_H
#define LOCKBOX_WORKER_H

#include "config.h"
#include "keyring.h"

/* Serves on listen_fd until told to stop or max_requests (and up to a
 * tenth more, at random) is reached.
 * SIGTERM: finish the current request, serve what is already queued on
 * the socket (bounded), then return. SIGQUIT: finish the current request
 * and return (the pool uses it to replace a worker). Returns the exit
 * status for the process. */
int	worker_run(const struct config *, const struct keyring *,
	    int listen_fd);

#endif
