#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "conns.h"
#include "log.h"

/* Connections one worker holds at once. nginx keeps at most its
 * `keepalive` count of idle ones per nginx process, plus one per request
 * in flight; a worker that is full leaves new connections to the others. */
#define MAX_CONNS	128
/* Events taken per wait: a few, so that ready connections are served in
 * turn rather than one connection first. */
#define MAX_EVENTS	16
/* The longest a FastCGI peer may take to send a request or take the
 * answer. Web servers send the whole request at once, so only a broken or
 * hostile peer meets it; database waits are not cut short (libpq retries
 * an interrupted wait). */
#define PEER_TIMEOUT	15
#define LISTEN_TAG	UINT32_MAX

struct conn {
	FCGX_Request	 fr;
	int		 fd;	/* the kept connection in the epoll set, or -1 */
};

struct conns {
	int		 ep;
	int		 listen_fd;
	int		 listening;	/* listen_fd is in the epoll set */
	int		 held;		/* connections with fd >= 0 */
	conns_serve_fn	 serve;
	void		*arg;
	struct conn	 c[MAX_CONNS];
};

static int
listen_on(struct conns *cs, int on)
{
	struct epoll_event	 ev;

	if (on == cs->listening)
		return 0;
	memset(&ev, 0, sizeof(ev));
	/* EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u32 = LISTEN_TAG;
	if (epoll_ctl(cs->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
	    cs->listen_fd, &ev) < 0) {
		log_msg(LOG_LVL_ERROR, "epoll_ctl: %s", strerror(errno));
		return -1;
	}
	cs->listening = on;
	return 0;
}

struct conns *
conns_new(int listen_fd, conns_serve_fn serve, void *arg)
{
	struct conns	*cs;
	size_t		 i;
	int		 fl;

	/* Another worker may win the race for a new connection: the loser
	 * must get EAGAIN, not wait in accept while its kept connections
	 * wait for it. */
	if ((fl = fcntl(listen_fd, F_GETFL)) < 0 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return NULL;
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return NULL;
	cs->ep = -1;
	cs->listen_fd = listen_fd;
	cs->serve = serve;
	cs->arg = arg;
	for (i = 0; i < MAX_CONNS; i++) {
		cs->c[i].fd = -1;
		/* FCGI_FAIL_ACCEPT_ON_INTR: a signal ends a wait in accept. */
		if (FCGX_InitRequest(&cs->c[i].fr, listen_fd,
		    FCGI_FAIL_ACCEPT_ON_INTR) != 0)
			goto fail;
	}
	if ((cs->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    listen_on(cs, 1) < 0)
		goto fail;
	return cs;
fail:
	log_msg(LOG_LVL_ERROR, "cannot set up the connection set: %s",
	    strerror(errno));
	if (cs->ep >= 0)
		close(cs->ep);
	free(cs);
	return NULL;
}

void
conns_free(struct conns *cs)
{
	size_t	 i;

	if (cs == NULL)
		return;
	for (i = 0; i < MAX_CONNS; i++)
		FCGX_Free(&cs->c[i].fr, 1);
	close(cs->ep);
	free(cs);
}

static struct conn *
free_conn(struct conns *cs)
{
	size_t	 i;

	for (i = 0; i < MAX_CONNS; i++)
		if (cs->c[i].fd < 0 && cs->c[i].fr.ipcFd < 0)
			return &cs->c[i];
	return NULL;
}

/* Brings the epoll set in line with what libfcgi did to the connection:
 * closed (the close took it out of the set), kept, or newly kept. */
static void
track(struct conns *cs, struct conn *c)
{
	struct epoll_event	 ev;

	if (c->fd >= 0 && c->fr.ipcFd != c->fd) {
		c->fd = -1;
		cs->held--;
	}
	if (c->fr.ipcFd >= 0 && c->fd < 0) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)(c - cs->c);
		if (epoll_ctl(cs->ep, EPOLL_CTL_ADD, c->fr.ipcFd, &ev) < 0) {
			log_msg(LOG_LVL_ERROR, "epoll_ctl: %s",
			    strerror(errno));
			FCGX_Free(&c->fr, 1);
			return;
		}
		c->fd = c->fr.ipcFd;
		cs->held++;
	}
}

/* One request on c, under the peer timeout: the next one of a kept
 * connection, or the first of a connection accepted now. Returns 1 when
 * a request was served, 0 when there was none (another worker won the
 * accept, or the peer closed or spoke garbage and was dropped). */
static int
take(struct conns *cs, struct conn *c)
{
	int	 served = 0, whole;

	/* A kept connection only: without a listening socket, libfcgi
	 * cannot swap in a new connection when this one turns out closed. */
	c->fr.listen_sock = c->fd >= 0 ? -1 : cs->listen_fd;
	alarm(PEER_TIMEOUT);
	if (FCGX_Accept_r(&c->fr) >= 0) {
		whole = cs->serve(cs->arg, &c->fr);
		/* A request whose input was not read to its end leaves the
		 * rest on the connection, where it would be taken for the
		 * next request. Otherwise the web server decides: closing a
		 * connection it may be sending a request on right now would
		 * fail that request. */
		if (!whole)
			c->fr.keepConnection = 0;
		/* With the whole request read, close at once: libfcgi would
		 * otherwise shut down, then wait for the web server to close
		 * its end first, holding this worker until it does. A request
		 * cut short (413) keeps that lingering close, so the web
		 * server can read the answer before it sees the close. */
		if (!c->fr.keepConnection && whole)
			FCGX_Detach(&c->fr);
		FCGX_Finish_r(&c->fr);
		served = 1;
	}
	alarm(0);
	track(cs, c);
	return served;
}

/* Serves what the events say is ready; a new connection only while not
 * leaving and while a slot is free. */
static int
serve_events(struct conns *cs, const struct epoll_event *ev, int n,
    int leaving)
{
	struct conn	*c;
	int		 i, served = 0;

	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == LISTEN_TAG) {
			if (leaving || (c = free_conn(cs)) == NULL)
				continue;
		} else
			c = &cs->c[ev[i].data.u32];
		served += take(cs, c);
	}
	/* A full worker stops taking connections until one closes. */
	if (!leaving)
		listen_on(cs, cs->held < MAX_CONNS);
	return served;
}

int
conns_serve_ready(struct conns *cs, int timeout_ms, const sigset_t *mask)
{
	struct epoll_event	 ev[MAX_EVENTS];
	int			 n;

	n = epoll_pwait(cs->ep, ev, MAX_EVENTS, timeout_ms, mask);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_msg(LOG_LVL_ERROR, "epoll_pwait: %s", strerror(errno));
		return -1;
	}
	return serve_events(cs, ev, n, 0);
}

long
conns_drain(struct conns *cs, int backlog, int seconds, const sigset_t *mask)
{
	struct epoll_event	 ev[MAX_EVENTS];
	struct conn		*c;
	int64_t			 deadline = clock_ms() + seconds * 1000L, left;
	long			 served = 0;
	size_t			 i;
	int			 n;

	/* What is already queued on the socket was sent to this pool:
	 * answer it rather than leave it to a reset. */
	while (backlog && clock_ms() < deadline &&
	    (c = free_conn(cs)) != NULL && take(cs, c))
		served++;
	listen_on(cs, 0);
	/* The web server closes kept connections itself (nginx: after the
	 * upstream's keepalive_timeout idle, or keepalive_requests
	 * requests): waiting for that, rather than closing them here, leaves
	 * no moment in which it sends a request on a connection this worker
	 * is closing. Requests that still arrive meanwhile are answered. */
	while (cs->held > 0 && (left = deadline - clock_ms()) > 0) {
		n = epoll_pwait(cs->ep, ev, MAX_EVENTS, (int)left, mask);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			served += serve_events(cs, ev, n, 1);
	}
	/* A peer that keeps them past the deadline loses them: the end of
	 * the stream to every one first, so that it drops them all at once,
	 * then close without waiting for its side. */
	for (i = 0; i < MAX_CONNS; i++)
		if (cs->c[i].fd >= 0)
			shutdown(cs->c[i].fd, SHUT_WR);
	for (i = 0; i < MAX_CONNS; i++) {
		if (cs->c[i].fd < 0)
			continue;
		FCGX_Detach(&cs->c[i].fr);
		FCGX_Free(&cs->c[i].fr, 1);
		track(cs, &cs->c[i]);
	}
	return served;
}
