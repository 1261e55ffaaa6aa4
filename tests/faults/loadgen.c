/*
 * tests/faults/loadgen.c -- a bounded HTTP load generator that keeps a ledger.
 *
 * Loopback only (127.0.0.1), plain sockets, no dependency beyond libc: the
 * fault tests compile it with `cc` into their temporary directory.
 *
 *   loadgen run --port P --key K --prefix PFX --out DIR
 *               [--clients N] [--duration SEC] [--max-requests N]
 *               [--timeout SEC] [--stop-file F] [--keyed PCT]
 *               [--create PCT] [--delete PCT] [--patch PCT] [--retry]
 *               [--retry-window SEC] [--seed N]
 *       N client processes, each a loop of creates (unique names
 *       PFX-cC-S), deletes of ids it created and saw acknowledged, PATCHes
 *       of them with a new value, and gets of them (the rest), until SEC
 *       seconds, N requests per client or the stop file.  A secret is
 *       written and read by the client that created it only, one request
 *       at a time, so that the ledger knows what each read must show.
 *       With --retry, every create that did not get a definite answer
 *       (503, 502, 504, 409 idempotency_key_in_progress, a timeout, a
 *       reset) is sent again with the same Idempotency-Key and body, with
 *       a growing pause, until it does or the retry window ends; every
 *       create then carries a key.
 *       Each client appends one line per request to DIR/ledger-C.tsv.
 *
 *   loadgen resolve --port P --key K --in TODO --out FILE [--deadline SEC]
 *       Re-sends each operation listed in TODO (lines "C NAME KEY" or
 *       "D NAME ID", KEY "-" for none) until it gets a definite answer:
 *       a create 201 (a replay says the first attempt took effect), or 409
 *       name_conflict for a create without a key (the name is unique to
 *       the request, so the first attempt took effect); a delete 204 or
 *       404 (gone either way).  Lines are appended to FILE, op RC / RD.
 *
 * Ledger line (tab-separated):
 *   op client seq attempt name key status id replayed code t0_us t1_us info
 *   version tag
 * op C (create), D (delete), P (PATCH), G (get), RC, RD (resolution); status 0 when
 * no complete HTTP answer came (info says why: timeout, reset, refused,
 * truncated...); id the secret's id (from a 2xx, or the target of D/G);
 * t0/t1 wall-clock microseconds (CLOCK_REALTIME, comparable with bash's
 * $EPOCHREALTIME) when the request started and ended; version the
 * "version" of a 2xx answer ("-" otherwise); tag names a value: every
 * value is "v-NAME.TAG.<padding>", TAG "c" for the create's and "pSEQ"
 * for the PATCH the client sent at SEQ.  On P lines tag is the value sent,
 * on G lines the value read ("-" when none).
 *
 * A create's body depends on its name only, so that a retry, or a
 * resolution, sends the very same request.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/clock.h"

#define MAX_CLIENTS	64
#define MAX_RESP	(1 << 20)

struct cfg {
	int		 port;
	const char	*key;
	const char	*prefix;
	const char	*out;
	const char	*in;
	const char	*stop_file;
	int		 clients;
	int		 duration_ms;
	int		 max_requests;
	int		 timeout_ms;
	int		 keyed_pct;
	int		 create_pct;
	int		 delete_pct;
	int		 patch_pct;
	int		 retry;
	int		 retry_window_ms;
	int		 deadline_ms;
	unsigned	 seed;
};

struct resp {
	int		 status;
	long long	 id;
	long long	 version;
	int		 replayed;
	char		 code[48];
	char		 tag[24];	/* of the value in the answer */
	char		 info[64];
};

static int64_t
wall_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_ms(int ms)
{
	struct timespec	 ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* Waits for fd to be ready for ev until the deadline: 1 ready, 0 timeout. */
static int
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd	 p = { fd, ev, 0 };
	int64_t		 left;
	int		 n;

	for (;;) {
		left = deadline - clock_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 1;	/* let the next call report it */
	}
}

static const char *
errname(int e)
{
	switch (e) {
	case ECONNREFUSED:	return "refused";
	case ECONNRESET:	return "reset";
	case EPIPE:		return "pipe";
	case ETIMEDOUT:		return "timeout";
	default:		return strerror(e);
	}
}

/* Case-insensitive search for a header line; returns its value or NULL. */
static const char *
find_header(const char *head, size_t hlen, const char *name, size_t *vlen)
{
	const char	*p = head, *end = head + hlen, *eol, *v;
	size_t		 nl = strlen(name);

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' ||
			    v[*vlen - 1] == ' '))
				(*vlen)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

/* Decodes a chunked body in place; -1 when it is incomplete. */
static long
dechunk(char *b, size_t len)
{
	size_t	 r = 0, w = 0;
	unsigned long n;
	char	*e;

	for (;;) {
		if (r >= len)
			return -1;
		n = strtoul(b + r, &e, 16);
		if (e == b + r)
			return -1;
		while ((size_t)(e - b) < len && *e != '\n')
			e++;
		if ((size_t)(e - b) >= len)
			return -1;
		r = (size_t)(e - b) + 1;
		if (n == 0)
			return (long)w;
		if (r + n + 2 > len)
			return -1;
		memmove(b + w, b + r, n);
		w += n;
		r += n + 2;
	}
}

static void
parse(struct resp *rs, char *buf, size_t len)
{
	char		*hend, *body, *p;
	const char	*v;
	size_t		 hlen, vlen, blen;
	long		 n;

	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0) {
		snprintf(rs->info, sizeof(rs->info), len ? "garbage" : "empty");
		return;
	}
	buf[len] = '\0';
	if ((hend = strstr(buf, "\r\n\r\n")) == NULL) {
		snprintf(rs->info, sizeof(rs->info), "truncated-head");
		return;
	}
	hlen = (size_t)(hend - buf) + 2;
	body = hend + 4;
	blen = len - (size_t)(body - buf);
	if ((v = find_header(buf, hlen, "Transfer-Encoding", &vlen)) != NULL &&
	    vlen >= 7 && strncasecmp(v, "chunked", 7) == 0) {
		if ((n = dechunk(body, blen)) < 0) {
			snprintf(rs->info, sizeof(rs->info), "truncated-chunks");
			return;
		}
		blen = (size_t)n;
		body[blen] = '\0';
	} else if ((v = find_header(buf, hlen, "Content-Length", &vlen)) !=
	    NULL && strtoul(v, NULL, 10) != blen) {
		snprintf(rs->info, sizeof(rs->info), "truncated-body");
		return;
	}
	rs->status = atoi(buf + 9);
	if ((v = find_header(buf, hlen, "Idempotent-Replayed", &vlen)) != NULL &&
	    vlen == 4 && strncasecmp(v, "true", 4) == 0)
		rs->replayed = 1;
	if (rs->status / 100 == 2 && (p = strstr(body, "\"id\":")) != NULL)
		rs->id = strtoll(p + 5, NULL, 10);
	if (rs->status / 100 == 2 &&
	    (p = strstr(body, "\"version\":")) != NULL)
		rs->version = strtoll(p + 10, NULL, 10);
	/* "value":"v-NAME.TAG.padding": the tag, between the two dots (a
	 * name has none). */
	if (rs->status / 100 == 2 &&
	    (p = strstr(body, "\"value\":\"v-")) != NULL &&
	    (p = strchr(p + 11, '.')) != NULL) {
		for (n = 0, p++; p[n] && p[n] != '.' && p[n] != '"' &&
		    n < (long)sizeof(rs->tag) - 1; n++)
			rs->tag[n] = p[n];
		rs->tag[n] = '\0';
	}
	if ((p = strstr(body, "\"code\":\"")) != NULL) {
		p += 8;
		for (n = 0; p[n] && p[n] != '"' && n < (long)sizeof(rs->code) - 1;
		    n++)
			rs->code[n] = p[n];
		rs->code[n] = '\0';
	}
}

/* One HTTP/1.1 exchange on a fresh connection (Connection: close). */
static void
exchange(const struct cfg *c, const char *method, const char *path,
    const char *rid, const char *idem, const char *body, int timeout_ms,
    struct resp *rs)
{
	struct sockaddr_in	 sa;
	static char		*buf;
	char			 req[4096];
	int64_t			 deadline = clock_ms() + timeout_ms;
	size_t			 len = 0, off;
	ssize_t			 n;
	socklen_t		 sl;
	int			 fd, err = 0, reqlen;

	memset(rs, 0, sizeof(*rs));
	rs->id = -1;
	rs->version = -1;
	if (buf == NULL && (buf = malloc(MAX_RESP + 1)) == NULL)
		die("out of memory");
	reqlen = snprintf(req, sizeof(req),
	    "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
	    "X-API-Key: %s\r\nX-Request-Id: %s\r\n%s%s%s",
	    method, path, c->port, c->key, rid,
	    idem ? "Idempotency-Key: " : "", idem ? idem : "", idem ? "\r\n" : "");
	if (body != NULL)
		reqlen += snprintf(req + reqlen, sizeof(req) - (size_t)reqlen,
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		    "\r\n%s", strlen(body), body);
	else
		reqlen += snprintf(req + reqlen, sizeof(req) - (size_t)reqlen,
		    "\r\n");
	if (reqlen >= (int)sizeof(req))
		die("request too long");

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		die("socket: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS) {
			snprintf(rs->info, sizeof(rs->info), "connect-%s",
			    errname(errno));
			goto out;
		}
		if (!wait_fd(fd, POLLOUT, deadline)) {
			snprintf(rs->info, sizeof(rs->info), "timeout-connect");
			goto out;
		}
		sl = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err != 0) {
			snprintf(rs->info, sizeof(rs->info), "connect-%s",
			    errname(err));
			goto out;
		}
	}
	for (off = 0; off < (size_t)reqlen; ) {
		n = send(fd, req + off, (size_t)reqlen - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!wait_fd(fd, POLLOUT, deadline)) {
				snprintf(rs->info, sizeof(rs->info),
				    "timeout-send");
				goto out;
			}
			continue;
		}
		snprintf(rs->info, sizeof(rs->info), "send-%s", errname(errno));
		goto out;
	}
	for (;;) {
		n = recv(fd, buf + len, MAX_RESP - len, 0);
		if (n > 0) {
			len += (size_t)n;
			if (len >= MAX_RESP)
				break;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EAGAIN || errno == EINTR) {
			if (!wait_fd(fd, POLLIN, deadline)) {
				snprintf(rs->info, sizeof(rs->info),
				    len ? "timeout-partial" : "timeout");
				goto out;
			}
			continue;
		}
		snprintf(rs->info, sizeof(rs->info), "recv-%s", errname(errno));
		goto out;
	}
	parse(rs, buf, len);
	if (rs->info[0] != '\0')
		rs->status = 0;
	else
		snprintf(rs->info, sizeof(rs->info), "-");
out:
	close(fd);
}

/* ---- the ledger ------------------------------------------------------ */

static int ledger_fd = -1;

/* tag: the value's tag to log (a PATCH's own), else the answer's. */
static void
ledger(const char *op, int client, long seq, int attempt, const char *name,
    const char *key, const struct resp *rs, long long id, int64_t t0,
    int64_t t1, const char *tag)
{
	char	 line[1024], ver[24];
	int	 n;

	if (tag == NULL)
		tag = rs->tag[0] ? rs->tag : "-";
	if (rs->version >= 0)
		snprintf(ver, sizeof(ver), "%lld", rs->version);
	else
		snprintf(ver, sizeof(ver), "-");
	n = snprintf(line, sizeof(line),
	    "%s\t%d\t%ld\t%d\t%s\t%s\t%d\t%lld\t%d\t%s\t%lld\t%lld\t%s"
	    "\t%s\t%s\n",
	    op, client, seq, attempt, name, key ? key : "-", rs->status,
	    rs->id >= 0 ? rs->id : id, rs->replayed,
	    rs->code[0] ? rs->code : "-", (long long)t0, (long long)t1,
	    rs->info[0] ? rs->info : "-", ver, tag);
	/* One write per line, O_APPEND: a killed client loses no line it
	 * wrote, and no two lines mix. */
	if (write(ledger_fd, line, (size_t)n) != n)
		die("ledger write: %s", strerror(errno));
}

static void
create_body(char *out, size_t len, const char *name)
{
	snprintf(out, len, "{\"name\":\"%s\",\"value\":\"v-%s.c.%s\","
	    "\"metadata\":{\"src\":\"faults\"}}", name, name,
	    "0123456789abcdef0123456789abcdef");
}

static void
patch_body(char *out, size_t len, const char *name, const char *tag)
{
	snprintf(out, len, "{\"value\":\"v-%s.%s.%s\"}", name, tag,
	    "0123456789abcdef0123456789abcdef");
}

/* A create that got a definite answer: it took effect (201) or did not
 * (any other 4xx, or 503 database_unavailable). */
static int
create_definite(const struct resp *rs)
{
	if (rs->status == 201)
		return 1;
	if (rs->status == 409 &&
	    strcmp(rs->code, "idempotency_key_in_progress") == 0)
		return 0;
	return rs->status >= 400 && rs->status < 500;
}

/* ---- run ------------------------------------------------------------- */

struct live {
	long long	*ids;
	char		(*names)[96];
	size_t		 n, cap;
};

static void
live_add(struct live *l, long long id, const char *name)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->ids = realloc(l->ids, l->cap * sizeof(*l->ids));
		l->names = realloc(l->names, l->cap * sizeof(*l->names));
		if (l->ids == NULL || l->names == NULL)
			die("out of memory");
	}
	l->ids[l->n] = id;
	snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
	l->n++;
}

static void
live_take(struct live *l, size_t i, long long *id, char name[96])
{
	*id = l->ids[i];
	memcpy(name, l->names[i], 96);
	l->n--;
	l->ids[i] = l->ids[l->n];
	memcpy(l->names[i], l->names[l->n], 96);
}

static int
stop_requested(const struct cfg *c)
{
	struct stat	 st;

	return c->stop_file != NULL && stat(c->stop_file, &st) == 0;
}

static void
client_run(const struct cfg *c, int ci)
{
	struct live	 live = { 0 };
	struct resp	 rs;
	char		 path[256], name[96], key[128], rid[160], body[512];
	char		 tag[24];
	int64_t		 end = clock_ms() + c->duration_ms, t0, t1, first;
	long		 seq;
	long long	 id;
	int		 roll, attempt, pause, keyed;
	size_t		 i;

	snprintf(path, sizeof(path), "%s/ledger-%d.tsv", c->out, ci);
	if ((ledger_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) < 0)
		die("%s: %s", path, strerror(errno));
	srand(c->seed * 7919u + (unsigned)ci * 104729u + (unsigned)getpid());
	for (seq = 0; seq < c->max_requests && clock_ms() < end &&
	    !stop_requested(c); seq++) {
		roll = rand() % 100;
		if (roll < c->create_pct || live.n == 0) {
			snprintf(name, sizeof(name), "%s-c%d-%ld", c->prefix, ci,
			    seq);
			keyed = c->retry || rand() % 100 < c->keyed_pct;
			snprintf(key, sizeof(key), "k-%s", name);
			create_body(body, sizeof(body), name);
			first = clock_ms();
			for (attempt = 1, pause = 100;; attempt++) {
				snprintf(rid, sizeof(rid), "%s-a%d", name,
				    attempt);
				t0 = wall_us();
				exchange(c, "POST", "/v1/admin/secrets", rid,
				    keyed ? key : NULL, body, c->timeout_ms, &rs);
				t1 = wall_us();
				ledger("C", ci, seq, attempt, name,
				    keyed ? key : NULL, &rs, -1, t0, t1, "c");
				if (rs.status == 201) {
					live_add(&live, rs.id, name);
					break;
				}
				if (!c->retry || create_definite(&rs) ||
				    clock_ms() - first > c->retry_window_ms)
					break;
				sleep_ms(pause);
				if (pause < 1000)
					pause *= 2;
			}
		} else if (roll < c->create_pct + c->delete_pct) {
			i = (size_t)rand() % live.n;
			live_take(&live, i, &id, name);
			snprintf(path, sizeof(path), "/v1/admin/secrets/%lld", id);
			snprintf(rid, sizeof(rid), "%s-d", name);
			t0 = wall_us();
			exchange(c, "DELETE", path, rid, NULL, NULL,
			    c->timeout_ms, &rs);
			t1 = wall_us();
			ledger("D", ci, seq, 1, name, NULL, &rs, id, t0, t1,
			    "-");
			/* 503 promises no effect: the secret is still there,
			 * and may be deleted again later.  Anything without
			 * a definite answer is left to the resolution. */
			if (rs.status == 503)
				live_add(&live, id, name);
		} else if (roll < c->create_pct + c->delete_pct +
		    c->patch_pct) {
			i = (size_t)rand() % live.n;
			id = live.ids[i];
			snprintf(path, sizeof(path), "/v1/admin/secrets/%lld", id);
			snprintf(tag, sizeof(tag), "p%ld", seq);
			snprintf(rid, sizeof(rid), "%s-%s", live.names[i], tag);
			patch_body(body, sizeof(body), live.names[i], tag);
			t0 = wall_us();
			exchange(c, "PATCH", path, rid, NULL, body,
			    c->timeout_ms, &rs);
			t1 = wall_us();
			ledger("P", ci, seq, 1, live.names[i], NULL, &rs, id, t0,
			    t1, tag);
		} else {
			i = (size_t)rand() % live.n;
			id = live.ids[i];
			snprintf(path, sizeof(path), "/v1/admin/secrets/%lld", id);
			snprintf(rid, sizeof(rid), "%s-g%ld", live.names[i], seq);
			t0 = wall_us();
			exchange(c, "GET", path, rid, NULL, NULL, c->timeout_ms,
			    &rs);
			t1 = wall_us();
			ledger("G", ci, seq, 1, live.names[i], NULL, &rs, id, t0,
			    t1, NULL);
		}
	}
	close(ledger_fd);
}

static int
cmd_run(struct cfg *c)
{
	pid_t	 pids[MAX_CLIENTS], p;
	int	 i, st, rc = 0;

	if (c->prefix == NULL || c->out == NULL)
		die("run needs --prefix and --out");
	for (i = 0; i < c->clients; i++) {
		if ((p = fork()) < 0)
			die("fork: %s", strerror(errno));
		if (p == 0) {
			/* The parent's death (the test ended) ends the
			 * clients too. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			client_run(c, i);
			_exit(0);
		}
		pids[i] = p;
	}
	for (i = 0; i < c->clients; i++) {
		while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc;
}

/* ---- resolve --------------------------------------------------------- */

static int
cmd_resolve(struct cfg *c)
{
	FILE		*in;
	struct resp	 rs;
	char		 line[512], op[8], name[128], arg[160], body[512];
	char		 path[256], rid[200];
	int64_t		 end = clock_ms() + c->deadline_ms, t0, t1;
	int		 attempt, unresolved = 0;

	if (c->in == NULL || c->out == NULL)
		die("resolve needs --in and --out");
	if ((in = fopen(c->in, "r")) == NULL)
		die("%s: %s", c->in, strerror(errno));
	if ((ledger_fd = open(c->out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) < 0)
		die("%s: %s", c->out, strerror(errno));
	while (fgets(line, sizeof(line), in) != NULL) {
		if (sscanf(line, "%7s %127s %159s", op, name, arg) != 3)
			continue;
		for (attempt = 1;; attempt++) {
			snprintf(rid, sizeof(rid), "%s-r%d", name, attempt);
			t0 = wall_us();
			if (op[0] == 'C') {
				create_body(body, sizeof(body), name);
				exchange(c, "POST", "/v1/admin/secrets", rid,
				    strcmp(arg, "-") ? arg : NULL, body,
				    c->timeout_ms, &rs);
			} else {
				snprintf(path, sizeof(path),
				    "/v1/admin/secrets/%s", arg);
				exchange(c, "DELETE", path, rid, NULL, NULL,
				    c->timeout_ms, &rs);
			}
			t1 = wall_us();
			ledger(op[0] == 'C' ? "RC" : "RD", -1, 0, attempt, name,
			    op[0] == 'C' && strcmp(arg, "-") ? arg : NULL, &rs,
			    op[0] == 'C' ? -1 : atoll(arg), t0, t1,
			    op[0] == 'C' ? "c" : "-");
			if (op[0] == 'C' && (rs.status == 201 ||
			    (rs.status == 409 &&
			    strcmp(rs.code, "name_conflict") == 0) ||
			    create_definite(&rs)))
				break;
			if (op[0] == 'D' && (rs.status == 204 ||
			    rs.status == 404))
				break;
			if (clock_ms() > end) {
				unresolved++;
				break;
			}
			sleep_ms(200);
		}
	}
	fclose(in);
	close(ledger_fd);
	if (unresolved)
		fprintf(stderr, "loadgen: %d operation(s) still unresolved\n",
		    unresolved);
	return unresolved ? 1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen run|resolve --port P --key K ... "
	    "(see the comment at the top of loadgen.c)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct cfg	 c;
	const char	*cmd;
	int		 i;

	memset(&c, 0, sizeof(c));
	c.clients = 4;
	c.duration_ms = 10000;
	c.max_requests = 5000;
	c.timeout_ms = 35000;
	c.keyed_pct = 50;
	c.create_pct = 65;
	c.delete_pct = 25;
	c.retry_window_ms = 45000;
	c.deadline_ms = 60000;
	c.seed = (unsigned)time(NULL);
	if (argc < 2)
		usage();
	cmd = argv[1];
	for (i = 2; i < argc; i++) {
		const char	*o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

#define NUM(flag, field, scale)	else if (strcmp(o, flag) == 0 && v) \
		{ c.field = (int)(atof(v) * (scale)); i++; }
#define STR(flag, field)	else if (strcmp(o, flag) == 0 && v) \
		{ c.field = v; i++; }
		if (strcmp(o, "--retry") == 0)
			c.retry = 1;
		NUM("--port", port, 1)
		NUM("--clients", clients, 1)
		NUM("--duration", duration_ms, 1000)
		NUM("--max-requests", max_requests, 1)
		NUM("--timeout", timeout_ms, 1000)
		NUM("--keyed", keyed_pct, 1)
		NUM("--create", create_pct, 1)
		NUM("--delete", delete_pct, 1)
		NUM("--patch", patch_pct, 1)
		NUM("--retry-window", retry_window_ms, 1000)
		NUM("--deadline", deadline_ms, 1000)
		STR("--key", key)
		STR("--prefix", prefix)
		STR("--out", out)
		STR("--in", in)
		STR("--stop-file", stop_file)
		else if (strcmp(o, "--seed") == 0 && v) {
			c.seed = (unsigned)strtoul(v, NULL, 10);
			i++;
		} else
			usage();
	}
	if (c.port <= 0 || c.key == NULL)
		usage();
	if (c.clients < 1 || c.clients > MAX_CLIENTS)
		die("--clients must be 1..%d", MAX_CLIENTS);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(&c);
	if (strcmp(cmd, "resolve") == 0)
		return cmd_resolve(&c);
	usage();
	return 2;
}
