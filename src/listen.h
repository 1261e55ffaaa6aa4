/* The listening socket: opened by the master, shared by its workers. */
#ifndef LOCKBOX_LISTEN_H
#define LOCKBOX_LISTEN_H

#include <stddef.h>

#include "config.h"

/* Opens cfg->listen ("unix:/path" or "HOST:PORT") non-blocking. A unix
 * socket gets cfg->socket_mode and cfg->socket_group, and a lock file
 * (path.lock) that only one pool can hold: *lock_fd, which the master keeps
 * and its workers close, so that a master killed outright can be replaced
 * at once while its orphaned workers finish. Returns the fd, or -1 with
 * err set. */
int	listen_open(const struct config *, int *lock_fd, char *err,
	    size_t errlen);

/* Whether fd is a listening socket (how mod_fcgid and spawn-fcgi hand
 * us one, on fd 0). */
int	listen_is_socket(int fd);

/* Makes fd non-blocking (the workers' accept loop relies on it). */
int	listen_nonblock(int fd);

/* The unix socket path of a "unix:" listen setting, or NULL. */
const char *listen_unix_path(const char *listen);

#endif
