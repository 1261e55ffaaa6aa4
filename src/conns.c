#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "conns.h"
#include "fcgihead.h"
#include "fcgiwipe.h"
#include "log.h"

/* Connections one worker holds at once. nginx keeps at most its
 * `keepalive` count of idle ones per nginx process, plus one per request
 * in flight; a worker that is full leaves new connections to the others. */
#define MAX_CONNS	128
/* Events taken per wait: a few, so that ready connections are served in
 * turn rather than one connection first. */
#define MAX_EVENTS	16
/* The longest a FastCGI peer may take to send a request's body or take
 * the answer, once libfcgi has the request. Web servers send the whole
 * request at once, so only a broken or hostile peer meets it; database
 * waits are not cut short (libpq retries an interrupted wait). */
#define PEER_TIMEOUT	15
/* The longest a request's head (fcgihead.h) may take to be queued, from
 * when the connection is accepted or, kept, from its first byte. Until
 * then the worker serves its other connections; then it drops this one. */
#define HEAD_TIMEOUT_MS	3000
/* What a worker peeks at to judge a head: more than any web server's
 * params plus FCGIHEAD_BODY_ENOUGH. A peer that queued this much is
 * sending; libfcgi takes it from there, within the head's time. */
#define PEEK_MAX	(64 * 1024)
#define LISTEN_TAG	UINT32_MAX

struct conn {
	FCGX_Request	 fr;	/* fr.ipcFd == fd */
	int		 fd;	/* the connection, in the epoll set; -1: free */
	int		 fresh;	/* accepted, no request handed to libfcgi yet */
	int64_t		 deadline;	/* head incomplete: dropped then; or 0 */
};

struct conns {
	int		 ep;
	int		 listen_fd;
	int		 listening;	/* listen_fd is in the epoll set */
	int		 tcp;		/* connections are TCP: no Nagle */
	int		 held;		/* connections with fd >= 0 */
	int		 partial;	/* connections with a deadline */
	conns_serve_fn	 serve;
	void		*arg;
	unsigned char	*peek;		/* PEEK_MAX bytes, wiped after use */
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
	struct conns		*cs;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	size_t			 i;
	int			 fl;

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
	if (getsockname(listen_fd, (struct sockaddr *)&ss, &sl) == 0)
		cs->tcp = ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
	/* Connections are accepted here, not by libfcgi (its listening
	 * socket is -1), and handed to it once their request is queued. */
	for (i = 0; i < MAX_CONNS; i++) {
		cs->c[i].fd = -1;
		if (FCGX_InitRequest(&cs->c[i].fr, -1,
		    FCGI_FAIL_ACCEPT_ON_INTR) != 0)
			goto fail;
	}
	if ((cs->peek = malloc(PEEK_MAX)) == NULL ||
	    (cs->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    listen_on(cs, 1) < 0)
		goto fail;
	return cs;
fail:
	log_msg(LOG_LVL_ERROR, "cannot set up the connection set: %s",
	    strerror(errno));
	if (cs->ep >= 0)
		close(cs->ep);
	free(cs->peek);
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
	free(cs->peek);
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

/* Level-triggered while whole requests are awaited; edge-triggered while
 * a head is incomplete, so that bytes left unread (peeked) do not wake
 * the worker again and again, only new ones. */
static int
watch(struct conns *cs, struct conn *c, int op, int edge)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP | (edge ? EPOLLET : 0);
	ev.data.u32 = (uint32_t)(c - cs->c);
	if (epoll_ctl(cs->ep, op, c->fd, &ev) < 0) {
		log_msg(LOG_LVL_ERROR, "epoll_ctl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
set_deadline(struct conns *cs, struct conn *c, int64_t deadline)
{
	cs->partial += (deadline != 0) - (c->deadline != 0);
	c->deadline = deadline;
}

/* The connection is gone (closed by libfcgi, or here). */
static void
forget(struct conns *cs, struct conn *c)
{
	set_deadline(cs, c, 0);
	c->fd = -1;
	c->fresh = 0;
	cs->held--;
}

/* Closes a connection libfcgi does not hold a request on; the close takes
 * it out of the epoll set. */
static void
drop(struct conns *cs, struct conn *c)
{
	close(c->fd);
	c->fr.ipcFd = -1;
	forget(cs, c);
}

/* After libfcgi is done with a request: the connection is closed, or
 * kept for the next one. */
static void
track(struct conns *cs, struct conn *c)
{
	if (c->fr.ipcFd != c->fd)
		forget(cs, c);
	else
		c->fresh = 0;
}

/* Whether the next request on c is queued (peeked, not read). Returns 1
 * when libfcgi can take it without waiting, 2 when libfcgi may have to
 * wait (for the request after a management record, or for more of a head
 * larger than PEEK_MAX): within the head's time only; 0 when not yet (the
 * connection is watched, edge-triggered, until its deadline), -1 when the
 * connection was closed by the peer with nothing queued, and dropped.
 * peer_done: the peer closed its side (or broke it), and libfcgi will see
 * the end of what is queued rather than wait. */
static int
look(struct conns *cs, struct conn *c, int peer_done)
{
	enum fcgihead	 head = FCGIHEAD_PARTIAL;
	ssize_t		 n;

	n = recv(c->fd, cs->peek, PEEK_MAX, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR)) {
		drop(cs, c);
		return -1;
	}
	if (n > 0) {
		head = fcgihead_scan(cs->peek, (size_t)n);
		/* The params hold the API key, the body maybe a value. */
		buf_explicit_bzero(cs->peek, (size_t)n);
	}
	if (head == FCGIHEAD_READY || peer_done)
		return 1;
	if (head == FCGIHEAD_MGMT || n == PEEK_MAX)
		return 2;
	/* A kept connection between requests has no deadline: the web
	 * server closes it when it likes. */
	if (n <= 0 && !c->fresh)
		return 0;
	if (c->deadline == 0) {
		if (watch(cs, c, EPOLL_CTL_MOD, 1) < 0) {
			drop(cs, c);
			return -1;
		}
		set_deadline(cs, c, clock_ms() + HEAD_TIMEOUT_MS);
	}
	return 0;
}

/* One request on c, whose head look() found queued (how: its result).
 * Returns 1 when a request was served, 0 when there was none (the peer
 * spoke garbage, or stalled, and was dropped). */
static int
take(struct conns *cs, struct conn *c, int how)
{
	int64_t	 left = HEAD_TIMEOUT_MS;
	int	 served = 0, whole;

	if (c->deadline != 0) {
		left = c->deadline - clock_ms();
		set_deadline(cs, c, 0);
		/* Whole requests awaited again, if it is kept. */
		if (watch(cs, c, EPOLL_CTL_MOD, 0) < 0) {
			drop(cs, c);
			return 0;
		}
	}
	/* libfcgi's reads block: the alarm ends one that waits too long. A
	 * head that is all there leaves nothing to wait for until the body. */
	alarm(how == 1 ? PEER_TIMEOUT :
	    left < 1000 ? 1 : (unsigned)((left + 999) / 1000));
	/* A peer that speaks garbage is closed at once: libfcgi's lingering
	 * close would wait up to 2 s for it to close first, and longer while
	 * it trickles bytes. */
	FCGX_Detach(&c->fr);
	if (FCGX_Accept_r(&c->fr) >= 0) {
		FCGX_Attach(&c->fr);
		if (how != 1)
			alarm(PEER_TIMEOUT);
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
		fcgiwipe_finish(&c->fr);
		served = 1;
	}
	alarm(0);
	track(cs, c);
	return served;
}

/* A new connection from the socket, and its request if already queued.
 * Returns the requests served (0 or 1), or -1 when none was accepted
 * (another worker won it, or no slot is free). */
static int
accept_one(struct conns *cs)
{
	struct conn	*c;
	int		 fd, on = 1, how;

	if ((c = free_conn(cs)) == NULL)
		return -1;
	/* Blocking, as libfcgi reads it; looks here never wait. */
	if ((fd = accept4(cs->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return errno == ECONNABORTED || errno == EINTR ? 0 : -1;
	if (cs->tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c->fd = c->fr.ipcFd = fd;
	c->fresh = 1;
	/* FCGX_Accept_r first finishes the slot's previous request, and
	 * closes the connection unless that one kept it: this one is kept
	 * until its BEGIN_REQUEST says otherwise. */
	c->fr.keepConnection = 1;
	cs->held++;
	if (watch(cs, c, EPOLL_CTL_ADD, 0) < 0) {
		drop(cs, c);
		return 0;
	}
	/* Web servers send the request right after connecting: usually it
	 * is there already. */
	if ((how = look(cs, c, 0)) <= 0)
		return 0;
	return take(cs, c, how);
}

/* Serves what the events say is ready; a new connection only while not
 * leaving. */
static int
serve_events(struct conns *cs, const struct epoll_event *ev, int n,
    int leaving)
{
	struct conn	*c;
	int		 i, how, served = 0;

	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == LISTEN_TAG) {
			if (!leaving && (how = accept_one(cs)) > 0)
				served += how;
			continue;
		}
		c = &cs->c[ev[i].data.u32];
		/* (An event for a connection closed earlier in this round.) */
		if (c->fd < 0)
			continue;
		how = look(cs, c, (ev[i].events &
		    (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
		if (how > 0)
			served += take(cs, c, how);
	}
	/* A full worker stops taking connections until one closes. */
	if (!leaving)
		listen_on(cs, cs->held < MAX_CONNS);
	return served;
}

/* Drops the connections whose head is late, unless it came meanwhile
 * (while this worker served another request). */
static int
expire(struct conns *cs)
{
	int64_t	 now;
	size_t	 i;
	int	 how, served = 0;

	if (cs->partial == 0)
		return 0;
	now = clock_ms();
	for (i = 0; i < MAX_CONNS; i++) {
		if (cs->c[i].deadline == 0 || cs->c[i].deadline > now)
			continue;
		if ((how = look(cs, &cs->c[i], 0)) > 0)
			served += take(cs, &cs->c[i], how);
		else if (how == 0) {
			log_msg(LOG_LVL_DEBUG, "dropped a FastCGI connection "
			    "whose request did not come within %d ms",
			    HEAD_TIMEOUT_MS);
			drop(cs, &cs->c[i]);
		}
	}
	return served;
}

/* How long to wait for events: at most timeout_ms, and no later than the
 * first head deadline. */
static int
wait_ms(const struct conns *cs, int timeout_ms)
{
	int64_t	 first = 0, left;
	size_t	 i;

	for (i = 0; cs->partial > 0 && i < MAX_CONNS; i++)
		if (cs->c[i].deadline != 0 &&
		    (first == 0 || cs->c[i].deadline < first))
			first = cs->c[i].deadline;
	if (first == 0)
		return timeout_ms;
	left = first - clock_ms();
	if (left < 0)
		left = 0;
	return timeout_ms >= 0 && left > timeout_ms ? timeout_ms : (int)left;
}

int
conns_serve_ready(struct conns *cs, int timeout_ms, const sigset_t *mask)
{
	struct epoll_event	 ev[MAX_EVENTS];
	int			 n;

	n = epoll_pwait(cs->ep, ev, MAX_EVENTS, wait_ms(cs, timeout_ms), mask);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_msg(LOG_LVL_ERROR, "epoll_pwait: %s", strerror(errno));
		return -1;
	}
	n = serve_events(cs, ev, n, 0);
	return n + expire(cs);
}

long
conns_drain(struct conns *cs, int backlog, int seconds, const sigset_t *mask)
{
	struct epoll_event	 ev[MAX_EVENTS];
	int64_t			 deadline = clock_ms() + seconds * 1000L, left;
	long			 served = 0;
	size_t			 i;
	int			 n;

	/* What is already queued on the socket was sent to this pool:
	 * answer it rather than leave it to a reset. */
	while (backlog && clock_ms() < deadline &&
	    (n = accept_one(cs)) >= 0)
		served += n;
	listen_on(cs, 0);
	/* Nothing more is accepted here: let go of the socket, so that a
	 * connection arriving now reaches a process that still takes them,
	 * or is refused at once when none does (the master was killed),
	 * rather than queued behind this worker for as long as the kept
	 * connections below keep it alive (faults.test master-kill: 2 s
	 * without an answer). */
	close(cs->listen_fd);
	cs->listen_fd = -1;
	/* The web server closes kept connections itself (nginx: after the
	 * upstream's keepalive_timeout idle, or keepalive_requests
	 * requests): waiting for that, rather than closing them here, leaves
	 * no moment in which it sends a request on a connection this worker
	 * is closing. Requests that still arrive meanwhile are answered. */
	while (cs->held > 0 && (left = deadline - clock_ms()) > 0) {
		n = epoll_pwait(cs->ep, ev, MAX_EVENTS,
		    wait_ms(cs, (int)left), mask);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			served += serve_events(cs, ev, n, 1);
		served += expire(cs);
	}
	/* A peer that keeps them past the deadline loses them: the end of
	 * the stream to every one first, so that it drops them all at once,
	 * then close without waiting for its side. */
	for (i = 0; i < MAX_CONNS; i++)
		if (cs->c[i].fd >= 0)
			shutdown(cs->c[i].fd, SHUT_WR);
	for (i = 0; i < MAX_CONNS; i++)
		if (cs->c[i].fd >= 0)
			drop(cs, &cs->c[i]);
	return served;
}
