/* The FastCGI connections one worker holds: new ones from the shared
 * listening socket, and the ones a web server keeps open between requests
 * (FCGI_KEEP_CONN, nginx's upstream keepalive). The worker serves one
 * request at a time, from whichever connection has one ready, so that a
 * kept connection never pins the worker while others wait. "Ready" means
 * the request's head is queued (fcgihead.h): libfcgi's reads block, so a
 * peer that falls silent mid-request would hold the worker; one whose head
 * does not come within 3 s is dropped instead. */
#ifndef LOCKBOX_CONNS_H
#define LOCKBOX_CONNS_H

#include <signal.h>

#include <fcgiapp.h>

/* Serves the request libfcgi has just read the parameters of. Returns 1
 * when the request's input was read to its end (the connection can then
 * carry another request), 0 otherwise. */
typedef int	(*conns_serve_fn)(void *arg, FCGX_Request *);

struct conns;

/* NULL on failure. The caller's SIGALRM handler must not be SA_RESTART:
 * the peer timeout interrupts a stalled read or write with it. */
struct conns	*conns_new(int listen_fd, conns_serve_fn, void *arg);
void		 conns_free(struct conns *);

/* Waits up to timeout_ms (mask in force while waiting) and serves one
 * request from each connection that has one ready, and one new connection
 * when the socket has one. Returns how many requests were served, 0 when
 * none came, -1 on a system error (logged). */
int		 conns_serve_ready(struct conns *, int timeout_ms,
		    const sigset_t *mask);

/* Leaves politely, for at most `seconds`: stops taking connections from
 * the socket (after serving the ones already queued there, when
 * `backlog`), and answers the requests that still arrive on kept
 * connections until the peer closes them; at the deadline it closes what
 * is left. Returns how many
 * requests were served. */
long		 conns_drain(struct conns *, int backlog, int seconds,
		    const sigset_t *mask);

#endif
