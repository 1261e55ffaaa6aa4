#include "autoconfig.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOCKBOX_WITH_FCGI
#include "http.h"
#include "log.h"
#include "router.h"
#include "worker.h"

/* How long a stopping worker keeps serving connections that were already
 * queued on the socket before it gives up on them. */
#define DRAIN_SECONDS	5
/* The longest a FastCGI peer may take to send a request or take the
 * answer. Web servers send the whole request at once, so only a broken or
 * hostile peer meets it; database waits are not cut short (libpq retries
 * an interrupted wait). */
#define PEER_TIMEOUT	15
/* How often a busy worker removes expired idempotency records. */
#define PURGE_EVERY_MS	60000

static volatile sig_atomic_t stop_drain;	/* SIGTERM, SIGINT */
static volatile sig_atomic_t stop_now;		/* SIGQUIT */

static void
on_signal(int sig)
{
	if (sig == SIGQUIT)
		stop_now = 1;
	else if (sig != SIGALRM)
		stop_drain = 1;
	/* SIGALRM only interrupts a stuck read or write on the socket. */
}

struct worker {
	struct lockbox_ctx	 ctx;
	struct http_response	 resp;
	struct buf		 body;	/* request body, reused, wiped */
	struct buf		 out;	/* rendered response, reused, wiped */
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Expired idempotency records go between requests, after the answer was
 * sent, so that no request waits for them. */
static void
purge(struct worker *w, int64_t *next, long *served)
{
	long	 n;

	if (*served == 0 || now_ms() < *next)
		return;
	*next = now_ms() + PURGE_EVERY_MS;
	*served = 0;
	if (store_idempotency_purge(w->ctx.db, w->ctx.cfg->idempotency_ttl,
	    &n) == LB_OK && n > 0)
		log_msg(LOG_LVL_DEBUG, "purged %ld expired idempotency "
		    "records", n);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Serves one request. Returns 1 when the request's input was read to its
 * end, so that the connection may simply be closed. */
static int
serve(struct worker *w, FCGX_Request *fr)
{
	struct http_request	 req;
	struct http_response	*resp = &w->resp;
	struct log_request	 lr;
	enum lb_err		 e;
	int			 drained = 0;

	http_response_reset(resp);
	buf_reset(&w->out);
	if (http_request_parse(&req, fr->envp) < 0)
		http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	else if ((e = http_read_body(fr->in, &req, &w->body,
	    w->ctx.cfg->max_body)) != LB_OK)
		http_error(resp, e, NULL, "%s", e == LB_ERR_PAYLOAD_TOO_LARGE ?
		    "the body is larger than the limit" :
		    e == LB_ERR_INVALID_JSON ?
		    "the body ended before its Content-Length" :
		    "internal error");
	else {
		/* The end of the input (the empty FCGI_STDIN record) read
		 * now: nothing unread is left when the connection closes. */
		drained = FCGX_GetChar(fr->in) == EOF &&
		    FCGX_GetError(fr->in) == 0;
		router_dispatch(&w->ctx, &req, resp);
	}

	http_response_render(&req, resp, &w->out);
	if (w->out.oom) {
		buf_reset(&w->out);
		http_response_reset(resp);
		http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
		http_response_render(&req, resp, &w->out);
	}
	if (http_send(fr->out, &w->out) < 0)
		log_msg(LOG_LVL_DEBUG, "client went away before the answer");

	memset(&lr, 0, sizeof(lr));
	lr.request_id = req.request_id;
	lr.method = req.method_name;
	lr.path = req.raw_path;
	lr.status = resp->status;
	lr.duration_ms = ms_since(&req.started);
	lr.key_prefix = req.key_ok ? req.key.prefix : NULL;
	lr.error_code = resp->err != LB_OK ? error_code(resp->err) : NULL;
	log_request(&lr);

	/* The body may hold a value in clear, and so may a GET's answer. */
	buf_explicit_bzero(w->body.data, w->body.len);
	buf_explicit_bzero(w->out.data, w->out.len);
	buf_explicit_bzero(resp->body.data, resp->body.len);
	w->body.len = 0;
	http_request_free(&req);
	return drained;
}

/* One request, from accept to finish, under the peer timeout. Returns 0
 * when a request was served, -1 when there was none to take. */
static int
take_one(struct worker *w, FCGX_Request *fr)
{
	int	 rc = -1;

	alarm(PEER_TIMEOUT);
	/* The socket is non-blocking: when another worker won the race for
	 * this connection, accept fails with EAGAIN and FCGX_Accept_r
	 * returns < 0; so does a peer that spoke garbage or stalled and
	 * was dropped. */
	if (FCGX_Accept_r(fr) >= 0) {
		/* One request per connection: a kept connection would tie
		 * this worker to one peer while other connections wait on
		 * the socket (FCGI_KEEP_CONN is a hint; closing is allowed). */
		fr->keepConnection = 0;
		/* With the whole request read, close at once: libfcgi would
		 * otherwise shut down, then wait for the web server to close
		 * its end first, holding this worker until it does. A request
		 * cut short (413) keeps that lingering close, so the web
		 * server can read the answer before it sees the close. */
		if (serve(w, fr))
			FCGX_Detach(fr);
		FCGX_Finish_r(fr);
		rc = 0;
	}
	alarm(0);
	return rc;
}

static int
install_signals(sigset_t *served_mask)
{
	struct sigaction sa;
	sigset_t	 block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must interrupt epoll_pwait. */
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGQUIT, &sa, NULL) < 0 ||
	    sigaction(SIGALRM, &sa, NULL) < 0)
		return -1;
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* Stop signals are held while a request is served and let in only
	 * while waiting for the next one, so none is lost and none cuts a
	 * request short. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &block, served_mask) < 0)
		return -1;
	sigdelset(served_mask, SIGTERM);
	sigdelset(served_mask, SIGINT);
	sigdelset(served_mask, SIGQUIT);
	return 0;
}

int
worker_run(const struct config *cfg, const struct keyring *ring,
    int listen_fd)
{
	struct worker		 w;
	struct epoll_event	 ev;
	FCGX_Request		 fr;
	sigset_t		 waitmask;
	struct timespec		 t0;
	long			 served = 0, since_purge = 0;
	int64_t			 next_purge = now_ms() + PURGE_EVERY_MS;
	int			 ep = -1, n, rc = 1, fr_ok = 0;

	memset(&w, 0, sizeof(w));
	memset(&fr, 0, sizeof(fr));
	w.ctx.cfg = cfg;
	if (install_signals(&waitmask) < 0 ||
	    (w.ctx.db = store_new(cfg->database_url,
	    cfg->prepared_statements)) == NULL ||
	    (w.ctx.crypto = crypto_new(ring)) == NULL ||
	    FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_msg(LOG_LVL_ERROR, "worker start-up failed");
		goto out;
	}
	fr_ok = 1;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		goto out;
	memset(&ev, 0, sizeof(ev));
	/* EPOLLEXCLUSIVE: one connection wakes one idle worker, not all. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) < 0) {
		log_msg(LOG_LVL_ERROR, "epoll_ctl: %s", strerror(errno));
		goto out;
	}

	while (!stop_now && !stop_drain) {
		log_flush();
		n = epoll_pwait(ep, &ev, 1, PURGE_EVERY_MS, &waitmask);
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_LVL_ERROR, "epoll_pwait: %s",
			    strerror(errno));
			goto out;
		}
		if (n > 0 && take_one(&w, &fr) == 0) {
			since_purge++;
			if (cfg->max_requests > 0 &&
			    ++served >= cfg->max_requests)
				break;
		}
		purge(&w, &next_purge, &since_purge);
	}
	if (stop_drain && !stop_now) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (ms_since(&t0) < DRAIN_SECONDS * 1000.0 &&
		    take_one(&w, &fr) == 0)
			;
	}
	rc = 0;
out:
	log_flush();
	if (ep >= 0)
		close(ep);
	if (fr_ok)
		FCGX_Free(&fr, 1);
	store_free(w.ctx.db);
	crypto_free(w.ctx.crypto);
	buf_wipe(&w.body);
	buf_wipe(&w.out);
	http_response_free(&w.resp);
	return rc;
}
