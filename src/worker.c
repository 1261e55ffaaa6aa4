#include "autoconfig.h"

#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOCKBOX_WITH_FCGI
#include "clock.h"
#include "audit.h"
#include "auth.h"
#include "conns.h"
#include "heartbeat.h"
#include "http.h"
#include "log.h"
#include "dispatch.h"
#include "router.h"
#include "worker.h"

/* How long a stopping worker keeps serving connections that were already
 * queued on the socket, or kept open by the web server, before it gives up
 * on them. */
#define DRAIN_SECONDS	10
/* How often a busy worker removes expired idempotency records. */
#define PURGE_EVERY_MS	60000
/* How often every worker, busy or idle, destroys the deleted secrets past
 * their recovery window. */
#define DESTROY_EVERY_MS	10000
/* A request whose body or answer was larger gives its memory back. */
#define LARGE_REQUEST	(128 * 1024)
/* Workers started together and served in turn would reach max_requests
 * together and all leave at once: each serves up to max_requests /
 * RECYCLE_SPREAD more, drawn at random. */
#define RECYCLE_SPREAD	10

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
	struct heartbeat	 beat;
	struct audit		 audit;
	struct http_response	 resp;
	struct buf		 body;	/* request body, reused, wiped */
	struct buf		 out;	/* rendered response, reused, wiped */
};

/* Expired idempotency records go between requests, after the answer was
 * sent, so that no request waits for them. */
static void
purge(struct worker *w, int64_t *next, long *served)
{
	long	 n;

	if (*served == 0 || clock_ms() < *next)
		return;
	*next = clock_ms() + PURGE_EVERY_MS;
	*served = 0;
	if (store_idempotency_purge(w->ctx.db, w->ctx.cfg->idempotency_ttl,
	    &n) == LB_OK && n > 0)
		log_msg(LOG_LVL_DEBUG, "purged %ld expired idempotency "
		    "records", n);
	store_worker_purge(w->ctx.db);
}

/* Deleted secrets past their window are destroyed without an operator,
 * between requests, by every worker on every host (the statement skips
 * what another holds). Like the heartbeat, it rides on the connection
 * the requests keep: a worker whose database is away does not wait for
 * it here too. */
static void
destroy_expired(struct worker *w, int64_t *next)
{
	long	 n, total = 0;
	int	 batches = 0;

	if (clock_ms() < *next || !store_connected(w->ctx.db))
		return;
	*next = clock_ms() + DESTROY_EVERY_MS;
	/* Full batches (STORE_DESTROY_BATCH) go on, a few at most:
	 * requests are waiting. */
	do {
		if (store_deleted_destroy_expired(w->ctx.db, &n) != LB_OK)
			break;
		total += n;
	} while (n == STORE_DESTROY_BATCH && ++batches < 10);
	if (total > 0)
		log_msg(LOG_LVL_INFO, "destroyed %ld expired deleted secrets",
		    total);
}

/* glibc keeps what a request freed for the next one: after a body of
 * 1 MiB, parsed, a worker would stay megabytes larger for good. So after
 * a large request the buffers go (each request wipes what it wrote, so
 * they hold nothing), and the heap's free pages go back to the system.
 * A small request costs no system call here. */
static void
shrink(struct worker *w)
{
	if (w->body.len <= LARGE_REQUEST && w->out.len <= LARGE_REQUEST)
		return;
	buf_free(&w->body);
	buf_free(&w->out);
	http_response_free(&w->resp);
	malloc_trim(0);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Serves one request (a conns_serve_fn). Returns 1 when the request's
 * input was read to its end: the connection then holds nothing of it and
 * may carry the next request, or simply be closed. */
static int
serve(void *arg, FCGX_Request *fr)
{
	struct worker		*w = arg;
	struct http_request	 req;
	struct http_response	*resp = &w->resp;
	struct log_request	 lr;
	enum lb_err		 e;
	int			 drained = 0;

	http_response_reset(resp);
	buf_reset(&w->out);
	if (http_request_parse(&req, fr->envp, w->ctx.cfg->base_path) < 0)
		http_error(resp, LB_ERR_INTERNAL, NULL, "out of memory");
	else if ((e = http_read_body(fr->in, &req, &w->body,
	    w->ctx.cfg->max_body)) != LB_OK)
		http_error(resp, e, NULL, "%s", e == LB_ERR_PAYLOAD_TOO_LARGE ?
		    "the body is larger than the limit" :
		    e == LB_ERR_INVALID_JSON ?
		    "the body ended before its Content-Length" :
		    "internal error");
	else {
		resp->mount = req.mount;
		drained = http_body_drained(fr->in);
		dispatch(&w->ctx, &req, resp);
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
	auth_rehash(&w->ctx, &req);

	memset(&lr, 0, sizeof(lr));
	lr.request_id = req.request_id;
	lr.method = req.method_name;
	lr.path = req.raw_path;
	lr.route = req.route != NULL ? req.route->name : NULL;
	lr.status = resp->status;
	lr.duration_ms = ms_since(&req.started);
	lr.key_prefix = req.key_ok ? req.key.prefix : NULL;
	lr.error_code = resp->err != LB_OK ? error_code(resp->err) : NULL;
	lr.round_trips = req.round_trips;
	log_request(&lr);

	/* The body may hold a value in clear, and so may a GET's answer. */
	buf_explicit_bzero(w->body.data, w->body.len);
	buf_explicit_bzero(w->out.data, w->out.len);
	buf_explicit_bzero(resp->body.data, resp->body.len);
	http_request_free(&req);
	shrink(w);
	w->body.len = 0;
	return drained;
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
	struct conns		*cs = NULL;
	sigset_t		 waitmask;
	long			 served = 0, since_purge = 0, limit;
	int64_t			 next_purge = clock_ms() + PURGE_EVERY_MS;
	int64_t			 next_destroy = clock_ms();
	uint32_t		 r;
	int			 n, rc = 1;

	memset(&w, 0, sizeof(w));
	w.ctx.cfg = cfg;
	if (install_signals(&waitmask) < 0 ||
	    (w.ctx.db = store_new(cfg->database_url,
	    cfg->prepared_statements)) == NULL ||
	    (w.ctx.crypto = crypto_new(ring)) == NULL ||
	    FCGX_Init() != 0 ||
	    (cs = conns_new(listen_fd, serve, &w)) == NULL) {
		log_msg(LOG_LVL_ERROR, "worker start-up failed");
		goto out;
	}
	/* The heartbeat names the host; the audit chains name it alike. */
	heartbeat_init(&w.beat);
	audit_init(&w.audit, w.ctx.db, w.ctx.crypto, cfg->audit,
	    cfg->audit_async_reads, cfg->audit_retention, w.beat.host,
	    (int)getpid());
	w.ctx.audit = &w.audit;
	crypto_random(&r, sizeof(r));
	limit = cfg->max_requests + (long)(r % (uint32_t)(cfg->max_requests /
	    RECYCLE_SPREAD + 1));

	while (!stop_now && !stop_drain) {
		heartbeat_beat(&w.beat, w.ctx.db, w.ctx.crypto);
		log_flush();
		if ((n = conns_serve_ready(cs, heartbeat_wait_ms(&w.beat),
		    &waitmask)) < 0)
			goto out;
		since_purge += n;
		served += n;
		if (cfg->max_requests > 0 && served >= limit)
			break;
		purge(&w, &next_purge, &since_purge);
		destroy_expired(&w, &next_destroy);
		audit_tick(&w.audit);
	}
	/* SIGTERM: the pool stops, so what is queued on the socket is
	 * answered here. SIGQUIT (replaced) and max_requests: the other
	 * workers take the socket; only the kept connections are closed
	 * politely. */
	conns_drain(cs, stop_drain && !stop_now, DRAIN_SECONDS, &waitmask);
	audit_close(&w.audit);
	heartbeat_stop(&w.beat, w.ctx.db);
	rc = 0;
out:
	log_flush();
	conns_free(cs);
	store_free(w.ctx.db);
	crypto_free(w.ctx.crypto);
	audit_free(&w.audit);
	buf_wipe(&w.body);
	buf_wipe(&w.out);
	http_response_free(&w.resp);
	return rc;
}
