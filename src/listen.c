#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

#define BACKLOG	1024

const char *
listen_unix_path(const char *listen)
{
	return strncmp(listen, "unix:", 5) == 0 ? listen + 5 : NULL;
}

int
listen_is_socket(int fd)
{
	int		 v = 0;
	socklen_t	 len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 &&
	    v != 0;
}

int
listen_nonblock(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
open_unix(const struct config *cfg, const char *path, int *lock_fd,
    char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	struct group		*gr;
	char			 lock[PATH_MAX], tmp[PATH_MAX];
	mode_t			 old;
	int			 fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) + 16 >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "listen: unix socket path must be "
		    "absolute and shorter than %zu bytes",
		    sizeof(sun.sun_path) - 16);
		return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "listen: %s exists and is not a socket",
		    path);
		return -1;
	}
	/* The lock, not the socket file, says whether a pool runs here: the
	 * socket of a master that was killed outright may still be served
	 * by its orphaned workers while they finish. */
	snprintf(lock, sizeof(lock), "%s.lock", path);
	if ((*lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "listen: %s: %s", lock, strerror(errno));
		return -1;
	}
	if (flock(*lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "listen: another lockbox pool holds %s",
		    lock);
		goto fail;
	}
	/* Bound under a temporary name with its final mode and group, then
	 * renamed into place: a client never meets a socket that is more
	 * open than configured, nor a moment with no socket at all. */
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	strcpy(sun.sun_path, tmp);
	unlink(tmp);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto syserr;
	old = umask((mode_t)(~cfg->socket_mode & 0777));
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		goto syserr;
	}
	umask(old);
	if (chmod(tmp, (mode_t)cfg->socket_mode) < 0)
		goto syserr;
	if (cfg->socket_group[0] != '\0') {
		if ((gr = getgrnam(cfg->socket_group)) == NULL) {
			snprintf(err, errlen, "socket_group: no such group "
			    "\"%.64s\"", cfg->socket_group);
			goto fail;
		}
		if (chown(tmp, (uid_t)-1, gr->gr_gid) < 0)
			goto syserr;
	}
	if (listen(fd, BACKLOG) < 0 || listen_nonblock(fd) < 0 ||
	    rename(tmp, path) < 0)
		goto syserr;
	return fd;
syserr:
	snprintf(err, errlen, "listen: %s: %s", path, strerror(errno));
fail:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	close(*lock_fd);
	*lock_fd = -1;
	return -1;
}

static int
open_tcp(const char *spec, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256];
	const char	*colon = strrchr(spec, ':');
	size_t		 hl;
	int		 fd = -1, on = 1, rc;

	if (colon == NULL || colon == spec || colon[1] == '\0' ||
	    (hl = (size_t)(colon - spec)) >= sizeof(host)) {
		snprintf(err, errlen, "listen: must be unix:/path or "
		    "HOST:PORT (got \"%.64s\")", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		snprintf(err, errlen, "listen: %.64s: %s", spec,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
	    res->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, BACKLOG) < 0 || listen_nonblock(fd) < 0) {
		snprintf(err, errlen, "listen: %.64s: %s", spec,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
listen_open(const struct config *cfg, int *lock_fd, char *err,
    size_t errlen)
{
	const char	*path = listen_unix_path(cfg->listen);

	*lock_fd = -1;
	if (path != NULL)
		return open_unix(cfg, path, lock_fd, err, errlen);
	return open_tcp(cfg->listen, err, errlen);
}
