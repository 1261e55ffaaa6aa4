/*
 * tests/hostile/fcgi-abuse.c -- raw FastCGI abuse sent straight to the pool's
 * unix socket, records written by hand (no libfcgi).
 *
 *   fcgi-abuse SOCKET MASTER_PID [--only NAME] [--list]
 *
 * Each case opens a connection, sends something a web server never would
 * (bad record versions and types, records out of order, truncated records,
 * name-value lengths that overflow, oversized params, lying CONTENT_LENGTH,
 * a peer that never finishes...), then checks:
 *   - the server ends that exchange within a bound: it closes the connection,
 *     or answers it with a status below 500 (or, for management records, the
 *     FastCGI reply);
 *   - a well-formed request (GET /v1/health) on a new connection is then
 *     answered 200;
 *   - the master's workers are the same processes as before (none died).
 * The stall cases (a peer that never finishes, a slowloris, a body that never
 * ends, an idle FCGI_KEEP_CONN peer) run together, while well-formed requests
 * keep going to the pool: each must be answered promptly, and each stalled
 * connection must be closed by the server within 6 s (a request's head must
 * be queued within 3 s).
 *
 * --only silent-peer (and only then: it needs a pool of ONE worker): a peer
 * that sends BEGIN_REQUEST and half a PARAMS record and falls silent must not
 * hold up that worker's other connections, new or kept: each well-formed
 * request meanwhile is answered within 1 s.
 *
 * Output: one line per check, "ok - ..." or "not ok - ...", and "# ..."
 * diagnostics; tests/hostile/hostile.test turns them into TAP.  Exit status
 * 0 unless the program could not run at all.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../src/clock.h"

/* FastCGI (fastcgi.h values, spelled out: no dependency). */
#define FCGI_VERSION_1		1
#define FCGI_BEGIN_REQUEST	1
#define FCGI_ABORT_REQUEST	2
#define FCGI_END_REQUEST	3
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_STDOUT		6
#define FCGI_STDERR		7
#define FCGI_DATA		8
#define FCGI_GET_VALUES		9
#define FCGI_GET_VALUES_RESULT	10
#define FCGI_UNKNOWN_TYPE	11
#define FCGI_RESPONDER		1
#define FCGI_AUTHORIZER		2
#define FCGI_FILTER		3
#define FCGI_KEEP_CONN		1

static const char	*sock_path;
static pid_t		 master;
static const char	*only;
static int		 failures;

/* ---- small things ----------------------------------------------------- */

static void
sleep_ms(int ms)
{
	struct timespec	 ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
result(int good, const char *fmt, ...)
{
	va_list	 ap;

	printf("%s - ", good ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!good)
		failures++;
}

static void
diag(const char *fmt, ...)
{
	va_list	 ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

struct buf {
	unsigned char	*d;
	size_t		 len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		if ((b->d = realloc(b->d, b->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void
buf_free(struct buf *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

/* One record: version, type, request id, content, padding. */
static void
rec_v(struct buf *b, int version, int type, int id, const void *content,
    size_t len, int padding)
{
	unsigned char	 h[8], pad[255];

	h[0] = (unsigned char)version;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = (unsigned char)padding;
	h[7] = 0;
	buf_add(b, h, 8);
	if (len)
		buf_add(b, content, len);
	memset(pad, 0, sizeof(pad));
	if (padding)
		buf_add(b, pad, (size_t)padding);
}

static void
rec(struct buf *b, int type, int id, const void *content, size_t len)
{
	rec_v(b, FCGI_VERSION_1, type, id, content, len, 0);
}

/* A stream (PARAMS or STDIN) cut into records of at most 65535 bytes. */
static void
stream(struct buf *b, int type, int id, const void *data, size_t len,
    int terminate)
{
	const unsigned char	*p = data;
	size_t			 n;

	while (len > 0) {
		n = len > 65535 ? 65535 : len;
		rec(b, type, id, p, n);
		p += n;
		len -= n;
	}
	if (terminate)
		rec(b, type, id, NULL, 0);
}

static void
begin_v(struct buf *b, int version, int id, int role, int flags)
{
	unsigned char	 c[8] = { (unsigned char)(role >> 8), (unsigned char)role,
			    (unsigned char)flags, 0, 0, 0, 0, 0 };

	rec_v(b, version, FCGI_BEGIN_REQUEST, id, c, 8, 0);
}

static void
begin(struct buf *b, int id, int role, int flags)
{
	begin_v(b, FCGI_VERSION_1, id, role, flags);
}

static void
nv_len(struct buf *b, uint32_t n)
{
	unsigned char	 l[4];

	if (n < 128) {
		l[0] = (unsigned char)n;
		buf_add(b, l, 1);
	} else {
		l[0] = (unsigned char)((n >> 24) | 0x80);
		l[1] = (unsigned char)(n >> 16);
		l[2] = (unsigned char)(n >> 8);
		l[3] = (unsigned char)n;
		buf_add(b, l, 4);
	}
}

/* A name-value pair into a params byte string. */
static void
nv(struct buf *p, const char *name, const char *value, size_t vlen)
{
	size_t	 nl = strlen(name);

	nv_len(p, (uint32_t)nl);
	nv_len(p, (uint32_t)vlen);
	buf_add(p, name, nl);
	buf_add(p, value, vlen);
}

static void
nvs(struct buf *p, const char *name, const char *value)
{
	nv(p, name, value, strlen(value));
}

/* The params nginx sends for METHOD URI (query after '?'). */
static void
std_params(struct buf *p, const char *method, const char *uri)
{
	const char	*q = strchr(uri, '?');
	char		 path[512];

	snprintf(path, sizeof(path), "%.*s", q ? (int)(q - uri) : (int)strlen(uri),
	    uri);
	nvs(p, "QUERY_STRING", q ? q + 1 : "");
	nvs(p, "REQUEST_METHOD", method);
	nvs(p, "CONTENT_TYPE", "");
	nvs(p, "CONTENT_LENGTH", "");
	nvs(p, "SCRIPT_NAME", path);
	nvs(p, "REQUEST_URI", uri);
	nvs(p, "DOCUMENT_URI", path);
	nvs(p, "SERVER_PROTOCOL", "HTTP/1.1");
	nvs(p, "GATEWAY_INTERFACE", "CGI/1.1");
	nvs(p, "REMOTE_ADDR", "127.0.0.1");
	nvs(p, "SERVER_NAME", "localhost");
	nvs(p, "SERVER_PORT", "80");
	nvs(p, "PATH_INFO", path);
	nvs(p, "HTTP_X_REQUEST_ID", "fcgi-abuse");
}

/* A whole well-formed request: BEGIN, params, empty params, stdin, EOF. */
static void
good_request(struct buf *b, int id, int flags, const char *uri)
{
	struct buf	 p = { 0 };

	begin(b, id, FCGI_RESPONDER, flags);
	std_params(&p, "GET", uri);
	stream(b, FCGI_PARAMS, id, p.d, p.len, 1);
	rec(b, FCGI_STDIN, id, NULL, 0);
	buf_free(&p);
}

/* ---- connections -------------------------------------------------------- */

static int
conn(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends it all; -1 when the server closed first (which is often the point). */
static int
send_all(int fd, const void *p, size_t n)
{
	const unsigned char	*c = p;
	ssize_t			 w;

	while (n > 0) {
		w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

struct outcome {
	int	 closed;	/* EOF or reset */
	int	 timed_out;
	int	 end_request;	/* FCGI_END_REQUEST seen */
	int	 proto_status;
	int	 unknown_type;	/* FCGI_UNKNOWN_TYPE seen */
	int	 values_result;	/* FCGI_GET_VALUES_RESULT seen */
	int	 http_status;	/* from "Status: NNN" in stdout, 200 if none */
	int	 records;
	int	 bad_records;	/* records a server must not send */
	size_t	 stdout_len;
	char	 head[160];	/* start of stdout, for diagnostics */
};

/* Reads records until END_REQUEST (stop_at_end), EOF, or the timeout. */
static void
read_outcome(int fd, int timeout_ms, int stop_at_end, struct outcome *o)
{
	unsigned char	 buf[65536 + 512], *h;
	size_t		 have = 0, need, clen, plen;
	struct buf	 out = { 0 };
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	int64_t		 deadline = clock_ms() + timeout_ms;
	ssize_t		 r;
	char		*s;
	int		 left;

	memset(o, 0, sizeof(*o));
	for (;;) {
		/* Whole records in the buffer first. */
		while (have >= 8) {
			h = buf;
			clen = (size_t)h[4] << 8 | h[5];
			plen = h[6];
			need = 8 + clen + plen;
			if (have < need)
				break;
			o->records++;
			if (h[0] != FCGI_VERSION_1)
				o->bad_records++;
			switch (h[1]) {
			case FCGI_STDOUT:
				buf_add(&out, h + 8, clen);
				break;
			case FCGI_STDERR:
				break;
			case FCGI_END_REQUEST:
				o->end_request = 1;
				o->proto_status = clen >= 5 ? h[8 + 4] : -1;
				break;
			case FCGI_UNKNOWN_TYPE:
				o->unknown_type = 1;
				break;
			case FCGI_GET_VALUES_RESULT:
				o->values_result = 1;
				break;
			default:
				o->bad_records++;
			}
			memmove(buf, buf + need, have - need);
			have -= need;
			if (o->end_request && stop_at_end)
				goto done;
		}
		left = (int)(deadline - clock_ms());
		if (left <= 0) {
			o->timed_out = 1;
			goto done;
		}
		if (poll(&pfd, 1, left) <= 0)
			continue;
		r = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			o->closed = 1;
			goto done;
		}
		have += (size_t)r;
	}
done:
	o->stdout_len = out.len;
	if (out.len > 0) {
		buf_add(&out, "", 1);
		o->http_status = 200;
		if ((s = strstr((char *)out.d, "Status:")) != NULL)
			o->http_status = atoi(s + 7);
		snprintf(o->head, sizeof(o->head), "%s", (char *)out.d);
		for (s = o->head; *s; s++)
			if (*s == '\r' || *s == '\n')
				*s = ' ';
	}
	buf_free(&out);
}

static const char *
describe(const struct outcome *o, char *d, size_t n)
{
	if (o->end_request && o->stdout_len)
		snprintf(d, n, "answered %d", o->http_status);
	else if (o->end_request)
		snprintf(d, n, "ended (protocol status %d, no output)",
		    o->proto_status);
	else if (o->unknown_type)
		snprintf(d, n, "FCGI_UNKNOWN_TYPE, then %s",
		    o->closed ? "closed" : "waited");
	else if (o->values_result)
		snprintf(d, n, "FCGI_GET_VALUES_RESULT, then %s",
		    o->closed ? "closed" : "waited");
	else if (o->closed)
		snprintf(d, n, "connection dropped%s", o->stdout_len ?
		    " after partial output" : "");
	else
		snprintf(d, n, "no answer and not closed (timed out)");
	return d;
}

/* ---- the pool's workers ------------------------------------------------- */

#define MAXW	64

static int
workers(pid_t *w)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[300], line[512], *p, state;
	int		 n = 0, ppid;
	FILE		*f;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < MAXW) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof(line), f) != NULL &&
		    (p = strrchr(line, ')')) != NULL &&
		    sscanf(p + 1, " %c %d", &state, &ppid) == 2 &&
		    ppid == master && state != 'Z')
			w[n++] = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

static int
same_workers(const pid_t *a, int na, const pid_t *b, int nb)
{
	int	 i, j, found;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (found = 0, j = 0; j < nb; j++)
			found |= a[i] == b[j];
		if (!found)
			return 0;
	}
	return 1;
}

static long
max_worker_rss_kb(void)
{
	pid_t	 w[MAXW];
	int	 n = workers(w), i;
	char	 path[64], line[256];
	long	 kb, max = 0;
	FILE	*f;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)w[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmRSS: %ld", &kb) == 1 && kb > max)
				max = kb;
		fclose(f);
	}
	return max;
}

/* ---- a well-formed request ---------------------------------------------- */

/* GET /v1/health on a new connection; its status, 0 when none; *ms its time. */
static int
health(int timeout_ms, int *ms)
{
	struct buf	 b = { 0 };
	struct outcome	 o;
	int64_t		 t0 = clock_ms();
	int		 fd;

	*ms = 0;
	if ((fd = conn()) < 0)
		return 0;
	good_request(&b, 1, 0, "/v1/health");
	if (send_all(fd, b.d, b.len) < 0) {
		close(fd);
		buf_free(&b);
		return 0;
	}
	buf_free(&b);
	read_outcome(fd, timeout_ms, 1, &o);
	close(fd);
	*ms = (int)(clock_ms() - t0);
	return o.end_request && o.stdout_len ? o.http_status : 0;
}

/* ---- simple cases: send, (half-)close, judge ---------------------------- */

enum expect {
	DROP_OR_4XX,	/* dropped, or answered below 500 */
	ANSWER_OK,	/* answered 2xx/4xx: a well-formed request */
	ANSWER_4XX,	/* answered 400..499 */
};

static int
selected(const char *name)
{
	return only == NULL || strcmp(only, name) == 0;
}

/*
 * Sends payload on a fresh connection; unless keep_open, shuts down the
 * write side (EOF: a truncated record stays truncated).  Then judges the
 * outcome, a well-formed request after it, and the workers.
 */
static void
run_case(const char *name, const char *what, struct buf *payload,
    enum expect ex, int timeout_ms)
{
	pid_t		 before[MAXW], after[MAXW];
	int		 nb, na, fd, st, ms, ok;
	struct outcome	 o;
	char		 d[200];

	if (!selected(name)) {
		buf_free(payload);
		return;
	}
	nb = workers(before);
	if ((fd = conn()) < 0) {
		result(0, "%s: cannot connect to %s: %s", name, sock_path,
		    strerror(errno));
		buf_free(payload);
		return;
	}
	(void)send_all(fd, payload->d, payload->len);
	buf_free(payload);
	shutdown(fd, SHUT_WR);
	read_outcome(fd, timeout_ms, 0, &o);
	close(fd);
	describe(&o, d, sizeof(d));
	switch (ex) {
	case DROP_OR_4XX:
		ok = !o.timed_out && !o.bad_records &&
		    (!o.stdout_len || o.http_status < 500);
		break;
	case ANSWER_OK:
		ok = o.end_request && o.stdout_len && o.http_status < 500 &&
		    !o.bad_records;
		break;
	default:
		ok = o.end_request && o.stdout_len && o.http_status >= 400 &&
		    o.http_status < 500 && !o.bad_records;
	}
	result(ok, "%s: %s: %s", name, what, d);
	if (!ok && o.head[0])
		diag("  output began: %s", o.head);
	/* The worker that met it may need a moment to be back at accept. */
	st = health(5000, &ms);
	na = workers(after);
	result(st == 200, "%s: a well-formed request after it is answered "
	    "(%d, %d ms)", name, st, ms);
	result(same_workers(before, nb, after, na), "%s: no worker died "
	    "(%d workers before, %d after)", name, nb, na);
}

/* ---- the cases ---------------------------------------------------------- */

static void
protocol_cases(void)
{
	struct buf	 b, p;
	unsigned char	 junk[4096];
	size_t		 i;

	/* Record versions. */
	b = (struct buf){ 0 };
	begin_v(&b, 0, 1, FCGI_RESPONDER, 0);
	p = (struct buf){ 0 };
	std_params(&p, "GET", "/v1/health");
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("version-0", "BEGIN_REQUEST with record version 0", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin_v(&b, 2, 1, FCGI_RESPONDER, 0);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("version-2", "BEGIN_REQUEST with record version 2", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	rec_v(&b, 255, FCGI_PARAMS, 1, p.d, p.len > 60000 ? 60000 : p.len, 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("version-255-params", "a PARAMS record with version 255", &b,
	    DROP_OR_4XX, 5000);

	/* Record types. */
	b = (struct buf){ 0 };
	rec(&b, 0, 1, "xx", 2);
	good_request(&b, 1, 0, "/v1/health");
	run_case("type-0", "a record of type 0 before BEGIN_REQUEST", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	rec(&b, 200, 1, "xxxx", 4);
	good_request(&b, 1, 0, "/v1/health");
	run_case("type-200", "a record of type 200 (request id 1) before "
	    "BEGIN_REQUEST", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	{
		struct buf	 q = { 0 };

		nvs(&q, "FCGI_MAX_CONNS", "");
		nvs(&q, "FCGI_MAX_REQS", "");
		nvs(&q, "FCGI_MPXS_CONNS", "");
		rec(&b, FCGI_GET_VALUES, 0, q.d, q.len);
		buf_free(&q);
	}
	run_case("mgmt-get-values", "a FCGI_GET_VALUES management record", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	rec(&b, 66, 0, "abcdefgh", 8);
	run_case("mgmt-unknown-type", "a management record of unknown type 66",
	    &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	for (i = 0; i < 2000; i++)
		rec(&b, 77, 0, NULL, 0);
	run_case("mgmt-flood", "2000 empty management records of an unknown "
	    "type", &b, DROP_OR_4XX, 5000);

	/* Records out of order, or that only a server sends. */
	b = (struct buf){ 0 };
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	begin(&b, 1, FCGI_RESPONDER, 0);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("params-before-begin", "PARAMS before BEGIN_REQUEST", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	rec(&b, FCGI_STDIN, 1, "{}", 2);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("stdin-before-begin", "STDIN and nothing else", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	rec(&b, FCGI_STDOUT, 1, "Status: 200\r\n\r\n", 15);
	rec(&b, FCGI_END_REQUEST, 1, "\0\0\0\0\0\0\0\0", 8);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("server-records", "STDOUT and END_REQUEST records sent by the "
	    "client", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_ABORT_REQUEST, 1, NULL, 0);
	run_case("abort", "ABORT_REQUEST after the params", &b, DROP_OR_4XX,
	    5000);

	b = (struct buf){ 0 };
	rec(&b, FCGI_BEGIN_REQUEST, 1, "\0\1", 2);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("begin-short", "BEGIN_REQUEST with a 2-byte body", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	memset(junk, 0xff, sizeof(junk));
	junk[0] = 0;
	junk[1] = 1;
	rec(&b, FCGI_BEGIN_REQUEST, 1, junk, 300);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("begin-long", "BEGIN_REQUEST with a 300-byte body", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_AUTHORIZER, 0);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("role-authorizer", "the AUTHORIZER role", &b, DROP_OR_4XX,
	    5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_FILTER, 0);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	rec(&b, FCGI_DATA, 1, "data", 4);
	rec(&b, FCGI_DATA, 1, NULL, 0);
	run_case("role-filter", "the FILTER role, with a DATA stream", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, 0x1234, 0);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("role-unknown", "role 0x1234", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	begin(&b, 2, FCGI_RESPONDER, 0);
	stream(&b, FCGI_PARAMS, 2, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 2, NULL, 0);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("two-begins", "two BEGIN_REQUESTs (ids 1 and 2) multiplexed on "
	    "one connection", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	stream(&b, FCGI_PARAMS, 7, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 7, NULL, 0);
	run_case("id-mismatch", "PARAMS and STDIN for request id 7 after "
	    "BEGIN_REQUEST for id 1", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 0, FCGI_RESPONDER, 0);
	stream(&b, FCGI_PARAMS, 0, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 0, NULL, 0);
	run_case("id-zero", "a request with request id 0 (management)", &b,
	    DROP_OR_4XX, 5000);

	/* Legal but unusual: maximal padding everywhere, and one-byte
	 * records.  A conforming peer must be served. */
	b = (struct buf){ 0 };
	{
		unsigned char c[8] = { 0, FCGI_RESPONDER, 0, 0, 0, 0, 0, 0 };

		rec_v(&b, 1, FCGI_BEGIN_REQUEST, 1, c, 8, 255);
		for (i = 0; i < p.len; i++)
			rec_v(&b, 1, FCGI_PARAMS, 1, p.d + i, 1, 255);
		rec_v(&b, 1, FCGI_PARAMS, 1, NULL, 0, 255);
		rec_v(&b, 1, FCGI_STDIN, 1, NULL, 0, 255);
	}
	run_case("padding-and-tiny-records", "a well-formed request in one-byte "
	    "records with 255 bytes of padding each", &b, ANSWER_OK, 5000);

	/* Truncations (the write side is then closed). */
	b = (struct buf){ 0 };
	buf_add(&b, "\1\1\0", 3);
	run_case("trunc-header", "3 bytes of a record header", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	buf_add(&b, "\1\1\0\1\0\10\0\0\0\1", 10);
	run_case("trunc-begin", "BEGIN_REQUEST cut after 2 of its 8 bytes", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	{
		unsigned char h[8] = { 1, FCGI_PARAMS, 0, 1, 0x03, 0xe8, 0, 0 };

		buf_add(&b, h, 8);
		buf_add(&b, p.d, 100);
	}
	run_case("trunc-params-record", "a PARAMS record announcing 1000 "
	    "bytes, cut after 100", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	rec(&b, FCGI_PARAMS, 1, "\x80\x00", 2);
	rec(&b, FCGI_PARAMS, 1, NULL, 0);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("trunc-nv-length", "a 4-byte name length cut after 2 bytes, "
	    "then the end of the params", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	{
		struct buf q = { 0 };

		nv_len(&q, 5000);
		nv_len(&q, 10);
		buf_add(&q, "HTTP_X_ABCDEFGH", 15);
		rec(&b, FCGI_PARAMS, 1, q.d, q.len);
		buf_free(&q);
	}
	rec(&b, FCGI_PARAMS, 1, NULL, 0);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("nv-longer-than-stream", "a name announced as 5000 bytes in a "
	    "params stream that ends after 15", &b, DROP_OR_4XX, 5000);

	/* The shape of CVE-2025-23016: name and value lengths whose sum
	 * overflows an int (libfcgi before 2.4.5 then wrote past a
	 * malloc(0)). */
	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	{
		struct buf	 q = { 0 };
		unsigned char	 fill[65000];

		nv_len(&q, 0x7fffffff);
		nv_len(&q, 0x7fffffff);
		memset(fill, 'A', sizeof(fill));
		buf_add(&q, fill, sizeof(fill) - q.len);
		rec(&b, FCGI_PARAMS, 1, q.d, q.len);
		for (i = 0; i < 4; i++)
			rec(&b, FCGI_PARAMS, 1, fill, sizeof(fill));
		buf_free(&q);
	}
	run_case("nv-length-overflow", "name and value lengths of 2^31-1 each "
	    "(their sum overflows an int), then 320 KB of data", &b,
	    DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	{
		struct buf	 q = { 0 };

		nv_len(&q, 0x7ffffff0);
		nv_len(&q, 1);
		buf_add(&q, "HTTP_X", 6);
		rec(&b, FCGI_PARAMS, 1, q.d, q.len);
		buf_free(&q);
	}
	run_case("nv-length-2g", "a name announced as 2 GiB, 6 bytes sent, then "
	    "EOF", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	srand(42);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rand();
	buf_add(&b, junk, sizeof(junk));
	run_case("garbage", "4 KiB of random bytes", &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	buf_add(&b, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 36);
	run_case("http-on-fastcgi", "an HTTP request sent to the FastCGI socket",
	    &b, DROP_OR_4XX, 5000);

	b = (struct buf){ 0 };
	run_case("empty", "a connection closed without a byte", &b, DROP_OR_4XX,
	    5000);

	buf_free(&p);
}

/* Complete requests with abusive params or bodies: answered, below 500. */
static void
params_cases(void)
{
	struct buf	 b, p;
	char		*big;
	size_t		 i, n;
	long		 rss;
	char		 tmp[64];

	/* 32 MiB in one header. */
	n = 32u << 20;
	if ((big = malloc(n)) == NULL)
		exit(2);
	memset(big, 'a', n);
	b = (struct buf){ 0 };
	p = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	std_params(&p, "GET", "/v1/health");
	nv(&p, "HTTP_X_HUGE", big, n);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	buf_free(&p);
	run_case("params-32mib", "a 32 MiB header value", &b, DROP_OR_4XX, 15000);
	if (selected("params-32mib") && (rss = max_worker_rss_kb()) > 0)
		diag("  largest worker RSS after it: %ld KiB", rss);

	/* 1 MiB request URI. */
	n = 1u << 20;
	memcpy(big, "/v1/admin/secrets/", 18);
	memset(big + 18, '1', n - 18);
	big[n - 1] = '\0';
	b = (struct buf){ 0 };
	p = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	std_params(&p, "GET", big);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	buf_free(&p);
	run_case("uri-1mib", "a 1 MiB REQUEST_URI", &b, ANSWER_4XX, 10000);

	/* A query string of 100000 parameters. */
	b = (struct buf){ 0 };
	p = (struct buf){ 0 };
	{
		struct buf q = { 0 };

		buf_add(&q, "/v1/admin/secrets?", 18);
		for (i = 0; i < 100000; i++) {
			n = (size_t)snprintf(tmp, sizeof(tmp), "p%zu=%zu&", i, i);
			buf_add(&q, tmp, n);
		}
		buf_add(&q, "", 1);
		begin(&b, 1, FCGI_RESPONDER, 0);
		std_params(&p, "GET", (char *)q.d);
		nvs(&p, "HTTP_X_API_KEY", getenv("LB_KEY_READ") ?
		    getenv("LB_KEY_READ") : "");
		buf_free(&q);
	}
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	buf_free(&p);
	run_case("query-100k-params", "a query string of 100000 parameters", &b,
	    ANSWER_4XX, 10000);

	/* 100000 params. */
	b = (struct buf){ 0 };
	p = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	std_params(&p, "GET", "/v1/health");
	for (i = 0; i < 100000; i++) {
		snprintf(tmp, sizeof(tmp), "HTTP_X_P%zu", i);
		nvs(&p, tmp, "v");
	}
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	buf_free(&p);
	run_case("params-100k", "100000 header params", &b, DROP_OR_4XX, 15000);

	/* A 64 KiB API key. */
	b = (struct buf){ 0 };
	p = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	std_params(&p, "GET", "/v1/admin/secrets");
	memset(big, 'k', 65536);
	nv(&p, "HTTP_X_API_KEY", big, 65536);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	buf_free(&p);
	run_case("api-key-64kib", "a 64 KiB X-API-Key", &b, ANSWER_4XX, 5000);

	/* No params at all. */
	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	rec(&b, FCGI_PARAMS, 1, NULL, 0);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	run_case("no-params", "a request without any param", &b, DROP_OR_4XX,
	    5000);

	/* Params with a NUL inside a value, and duplicated names. */
	b = (struct buf){ 0 };
	p = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	nv(&p, "REQUEST_METHOD", "DELETE\0GET", 10);
	nv(&p, "REQUEST_METHOD", "GET", 3);
	nv(&p, "REQUEST_URI", "/v1/admin/secrets/1\0/../health", 30);
	nv(&p, "REQUEST_URI", "/v1/health", 10);
	nvs(&p, "QUERY_STRING", "");
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	rec(&b, FCGI_STDIN, 1, NULL, 0);
	buf_free(&p);
	run_case("params-nul-dup", "params with NUL bytes inside values, and "
	    "each name twice", &b, DROP_OR_4XX, 5000);

	free(big);
}

/* A POST with a given CONTENT_LENGTH param and stdin. */
static void
body_case(const char *name, const char *what, const char *clen,
    const char *body, size_t blen, int eof, enum expect ex)
{
	struct buf	 b = { 0 }, p = { 0 };

	begin(&b, 1, FCGI_RESPONDER, 0);
	nvs(&p, "REQUEST_METHOD", "POST");
	nvs(&p, "REQUEST_URI", "/v1/admin/secrets");
	nvs(&p, "QUERY_STRING", "");
	nvs(&p, "CONTENT_TYPE", "application/json");
	if (clen != NULL)
		nvs(&p, "CONTENT_LENGTH", clen);
	nvs(&p, "HTTP_X_API_KEY", getenv("LB_KEY_WRITE") ?
	    getenv("LB_KEY_WRITE") : "");
	nvs(&p, "HTTP_X_REQUEST_ID", name);
	stream(&b, FCGI_PARAMS, 1, p.d, p.len, 1);
	stream(&b, FCGI_STDIN, 1, body, blen, eof);
	buf_free(&p);
	run_case(name, what, &b, ex, 10000);
}

static void
body_cases(void)
{
	static const char json[] = "{\"name\":\"fcgi-abuse-x\",\"value\":\"v\"}";
	char		*big;
	size_t		 n = (2u << 20) + 7;

	body_case("clen-longer", "CONTENT_LENGTH 100, a 10-byte body, then EOF",
	    "100", "{\"name\":1}", 10, 1, ANSWER_4XX);
	/* A body shorter than announced is a truncated request: acting on
	 * it (a create from a body that happens to parse) would be wrong. */
	body_case("clen-longer-valid", "CONTENT_LENGTH 200, a complete 36-byte "
	    "create body, then EOF", "200", json, strlen(json), 1, ANSWER_4XX);
	body_case("clen-shorter", "CONTENT_LENGTH 5, a 36-byte body",
	    "5", json, strlen(json), 1, ANSWER_4XX);
	body_case("clen-junk", "CONTENT_LENGTH \"12abc\"", "12abc", json,
	    strlen(json), 1, ANSWER_4XX);
	body_case("clen-negative", "CONTENT_LENGTH -5", "-5", json,
	    strlen(json), 1, ANSWER_4XX);
	body_case("clen-huge", "CONTENT_LENGTH 99999999999999999999999",
	    "99999999999999999999999", json, strlen(json), 1, ANSWER_4XX);
	body_case("clen-empty-body", "CONTENT_LENGTH 0 on a create", "0", "", 0,
	    1, ANSWER_4XX);
	if ((big = malloc(n)) == NULL)
		exit(2);
	memset(big, ' ', n);
	big[0] = '{';
	body_case("stdin-2mib-no-clen", "a 2 MiB body without CONTENT_LENGTH",
	    NULL, big, n, 1, ANSWER_4XX);
	body_case("stdin-2mib-clen-small", "CONTENT_LENGTH 10 and a 2 MiB body",
	    "10", big, n, 1, ANSWER_4XX);
	free(big);
}

/* ---- stalls, overlapping with well-formed requests ---------------------- */

struct stall {
	const char	*name;
	const char	*what;
	int		 fd;
	int		 drip;		/* bytes left to send one per second */
	struct buf	 rest;
	size_t		 off;
	struct buf	 got;		/* what the server sent */
	int64_t		 opened, closed_at;
};

/* The HTTP status in the records a server sent, 0 when none. */
static int
records_status(const struct buf *g)
{
	struct buf	 out = { 0 };
	size_t		 off = 0, clen;
	int		 st = 0, end = 0;
	char		*s;

	while (off + 8 <= g->len) {
		clen = (size_t)g->d[off + 4] << 8 | g->d[off + 5];
		if (off + 8 + clen + g->d[off + 6] > g->len)
			break;
		if (g->d[off + 1] == FCGI_STDOUT)
			buf_add(&out, g->d + off + 8, clen);
		if (g->d[off + 1] == FCGI_END_REQUEST)
			end = 1;
		off += 8 + clen + g->d[off + 6];
	}
	if (end && out.len) {
		buf_add(&out, "", 1);
		st = 200;
		if ((s = strstr((char *)out.d, "Status:")) != NULL)
			st = atoi(s + 7);
	}
	buf_free(&out);
	return st;
}

static void
stall_cases(void)
{
	struct stall	 s[4];
	struct buf	 b, p;
	struct outcome	 o;
	pid_t		 before[MAXW], after[MAXW];
	int		 ns = 0, i, nb, na, st, ms, worst = 0, bad = 0, reqs = 0;
	int		 open_left;
	int64_t		 t0, next_drip, next_req;
	char		 c[4096];
	ssize_t		 r;

	if (!selected("stalls") && !selected("keep-conn"))
		return;

	/* A second request on an FCGI_KEEP_CONN connection. */
	if (selected("keep-conn")) {
		nb = workers(before);
		i = conn();
		b = (struct buf){ 0 };
		good_request(&b, 1, FCGI_KEEP_CONN, "/v1/health");
		send_all(i, b.d, b.len);
		read_outcome(i, 5000, 1, &o);
		result(o.end_request && o.http_status == 200, "keep-conn: a "
		    "request with FCGI_KEEP_CONN is answered (%d)",
		    o.http_status);
		send_all(i, b.d, b.len);
		t0 = clock_ms();
		read_outcome(i, 2000, 1, &o);
		/* lockbox keeps the connection open for the next request
		 * (README); closing it after the first would be allowed too.
		 * What must never happen is a kept connection left hanging. */
		result((o.end_request && o.http_status == 200) || o.closed,
		    "keep-conn: a second request on the kept connection is "
		    "answered, or the connection was closed after the first, "
		    "within 2 s (%s, %d ms)", o.end_request ? "answered" :
		    o.closed ? "closed" : "no answer", (int)(clock_ms() - t0));
		buf_free(&b);
		close(i);
		st = health(3000, &ms);
		result(st == 200 && ms < 2000, "keep-conn: a well-formed request "
		    "after it is answered within 2 s (%d, %d ms)", st, ms);
		na = workers(after);
		result(same_workers(before, nb, after, na), "keep-conn: no worker "
		    "died");

		/* An idle FCGI_KEEP_CONN peer: one request, then silence,
		 * connection open.  Others must not wait for it.  First a
		 * pause, so that every worker is back waiting for connections
		 * (libfcgi lingers up to 2 s on a closed one): the same worker
		 * then takes the kept connection and the next one. */
		sleep_ms(2500);
		i = conn();
		b = (struct buf){ 0 };
		good_request(&b, 1, FCGI_KEEP_CONN, "/v1/health");
		send_all(i, b.d, b.len);
		buf_free(&b);
		read_outcome(i, 5000, 1, &o);
		/* Up to 20 requests, 3 s each; the first one that waits
		 * proves the point (the worker holding the kept connection
		 * waits up to its 15 s peer timeout). */
		for (reqs = 0, worst = 0, bad = 0; reqs < 20 && !bad; reqs++) {
			st = health(3000, &ms);
			if (ms > worst)
				worst = ms;
			if (st != 200 || ms > 2000)
				bad++;
		}
		result(bad == 0, "keep-conn-idle: with an idle FCGI_KEEP_CONN "
		    "connection open, well-formed requests are each answered "
		    "within 2 s (%d sent, %s, slowest %d ms)", reqs,
		    bad ? "one was not" : "all were", worst);
		close(i);
		st = health(3000, &ms);
		result(st == 200 && ms < 2000, "keep-conn-idle: a well-formed "
		    "request after it is answered within 2 s (%d, %d ms)", st, ms);
	}
	if (!selected("stalls"))
		return;

	nb = workers(before);
	reqs = worst = bad = 0;
	memset(s, 0, sizeof(s));
	p = (struct buf){ 0 };
	std_params(&p, "GET", "/v1/health");

	/* Never finishes: BEGIN and half a PARAMS record, then silence. */
	s[ns].name = "never-finishes";
	s[ns].what = "BEGIN_REQUEST and half a PARAMS record, then nothing";
	b = (struct buf){ 0 };
	begin(&b, 1, FCGI_RESPONDER, 0);
	{
		unsigned char h[8] = { 1, FCGI_PARAMS, 0, 1, 0, 200, 0, 0 };

		buf_add(&b, h, 8);
		buf_add(&b, p.d, 100);
	}
	s[ns].rest = b;
	s[ns].drip = 0;
	ns++;

	/* Slowloris: a well-formed request, one byte a second. */
	s[ns].name = "slowloris";
	s[ns].what = "a well-formed request sent one byte a second";
	b = (struct buf){ 0 };
	good_request(&b, 1, 0, "/v1/health");
	s[ns].rest = b;
	s[ns].drip = 1;
	ns++;

	/* A body that never ends. */
	s[ns].name = "body-never-ends";
	s[ns].what = "a create with CONTENT_LENGTH 100 and 10 bytes of body, "
	    "then nothing";
	b = (struct buf){ 0 };
	{
		struct buf q = { 0 };

		begin(&b, 1, FCGI_RESPONDER, 0);
		nvs(&q, "REQUEST_METHOD", "POST");
		nvs(&q, "REQUEST_URI", "/v1/admin/secrets");
		nvs(&q, "CONTENT_TYPE", "application/json");
		nvs(&q, "CONTENT_LENGTH", "100");
		nvs(&q, "HTTP_X_API_KEY", getenv("LB_KEY_WRITE") ?
		    getenv("LB_KEY_WRITE") : "");
		stream(&b, FCGI_PARAMS, 1, q.d, q.len, 1);
		rec(&b, FCGI_STDIN, 1, "{\"name\":\"x", 10);
		buf_free(&q);
	}
	s[ns].rest = b;
	s[ns].drip = 0;
	ns++;
	buf_free(&p);

	t0 = clock_ms();
	for (i = 0; i < ns; i++) {
		s[i].fd = conn();
		s[i].opened = clock_ms();
		if (s[i].fd < 0) {
			result(0, "%s: cannot connect", s[i].name);
			continue;
		}
		if (!s[i].drip) {
			send_all(s[i].fd, s[i].rest.d, s[i].rest.len);
			s[i].off = s[i].rest.len;
		}
	}
	diag("stalls: %d connections that never finish, opened together; "
	    "well-formed requests meanwhile", ns);
	next_drip = clock_ms();
	next_req = clock_ms() + 300;
	for (;;) {
		open_left = 0;
		for (i = 0; i < ns; i++) {
			if (s[i].fd < 0)
				continue;
			/* Whatever the server sent; closed by it? */
			while ((r = recv(s[i].fd, c, sizeof(c),
			    MSG_DONTWAIT)) > 0)
				buf_add(&s[i].got, c, (size_t)r);
			if (r == 0 || (r < 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK)) {
				s[i].closed_at = clock_ms();
				close(s[i].fd);
				s[i].fd = -1;
				continue;
			}
			open_left++;
		}
		if (open_left == 0 || clock_ms() - t0 > 25000)
			break;
		if (clock_ms() >= next_drip) {
			for (i = 0; i < ns; i++)
				if (s[i].fd >= 0 && s[i].drip &&
				    s[i].off < s[i].rest.len) {
					if (send(s[i].fd, s[i].rest.d + s[i].off,
					    1, MSG_NOSIGNAL) == 1)
						s[i].off++;
				}
			next_drip += 1000;
		}
		if (clock_ms() >= next_req) {
			st = health(10000, &ms);
			reqs++;
			if (ms > worst)
				worst = ms;
			if (st != 200 || ms > 2000) {
				bad++;
				diag("  a well-formed request during the stalls: "
				    "%d in %d ms", st, ms);
			}
			next_req = clock_ms() + 300;
		}
		sleep_ms(50);
	}
	for (i = 0; i < ns; i++) {
		if (s[i].fd >= 0) {
			result(0, "%s: %s: the server closes it within 6 s "
			    "(still open after %d ms)", s[i].name, s[i].what,
			    (int)(clock_ms() - s[i].opened));
			close(s[i].fd);
		} else {
			st = records_status(&s[i].got);
			result(s[i].closed_at - s[i].opened <= 6000 && st < 500,
			    "%s: %s: the server ends it within 6 s (%d ms, %s)",
			    s[i].name, s[i].what,
			    (int)(s[i].closed_at - s[i].opened),
			    st ? (st < 500 ? "answered below 500" : "answered 5xx") :
			    "dropped");
		}
		buf_free(&s[i].rest);
		buf_free(&s[i].got);
	}
	result(reqs >= 5 && bad == 0, "stalls: every well-formed request "
	    "meanwhile was answered 200 within 2 s (%d requests, slowest %d ms)",
	    reqs, worst);
	st = health(5000, &ms);
	na = workers(after);
	result(st == 200, "stalls: a well-formed request after them is answered "
	    "(%d, %d ms)", st, ms);
	result(same_workers(before, nb, after, na), "stalls: no worker died");
}

/* GET /v1/health on fd, a connection kept with FCGI_KEEP_CONN; its status,
 * 0 when none; *ms its time. */
static int
health_kept(int fd, int timeout_ms, int *ms)
{
	struct buf	 b = { 0 };
	struct outcome	 o;
	int64_t		 t0 = clock_ms();

	memset(&o, 0, sizeof(o));
	good_request(&b, 1, FCGI_KEEP_CONN, "/v1/health");
	if (send_all(fd, b.d, b.len) == 0)
		read_outcome(fd, timeout_ms, 1, &o);
	buf_free(&b);
	*ms = (int)(clock_ms() - t0);
	return o.end_request && o.stdout_len ? o.http_status : 0;
}

/*
 * A pool of one worker: a connection kept open for requests (K), then a peer
 * that sends BEGIN_REQUEST and half a PARAMS record and falls silent (S).
 * While S says nothing, well-formed requests, in turn on new connections and
 * on K, must each be answered within 1 s; S must be closed by the server
 * within 6 s.  (A worker that reads S's request blocking waits for it until
 * its peer timeout, with every other connection behind it.)
 */
static void
silent_peer_case(void)
{
	pid_t		 before[MAXW], after[MAXW];
	struct buf	 b = { 0 }, p = { 0 };
	unsigned char	 h[8] = { 1, FCGI_PARAMS, 0, 1, 0, 200, 0, 0 };
	int		 nb, na, k, sp, st, ms, reqs = 0, bad = 0, worst = 0;
	int64_t		 t0, closed_ms = -1;
	char		 c;

	if (only == NULL || strcmp(only, "silent-peer") != 0)
		return;
	nb = workers(before);
	if (nb != 1) {
		result(0, "silent-peer: the pool has one worker (%d)", nb);
		return;
	}
	if ((k = conn()) < 0 || health_kept(k, 5000, &ms) != 200) {
		result(0, "silent-peer: a kept connection is answered first");
		return;
	}
	begin(&b, 1, FCGI_RESPONDER, 0);
	std_params(&p, "GET", "/v1/health");
	buf_add(&b, h, 8);
	buf_add(&b, p.d, 100);
	if ((sp = conn()) < 0 || send_all(sp, b.d, b.len) < 0) {
		result(0, "silent-peer: cannot send the silent request");
		return;
	}
	buf_free(&b);
	buf_free(&p);
	t0 = clock_ms();
	sleep_ms(200);		/* the worker has met it by now */
	/* 3 s of requests, or until one waits (it then waits for the
	 * silent peer's timeout: no need to go on). */
	while (clock_ms() - t0 < 3000 && !bad) {
		if (reqs % 2 == 0)
			st = health(20000, &ms);
		else
			st = health_kept(k, 20000, &ms);
		reqs++;
		if (ms > worst)
			worst = ms;
		if (st != 200 || ms > 1000) {
			bad++;
			diag("  request %d (%s connection): %d in %d ms", reqs,
			    reqs % 2 ? "a new" : "the kept", st, ms);
		}
		sleep_ms(100);
	}
	result(bad == 0 && reqs >= 5, "silent-peer: while a peer that sent "
	    "half its params says nothing, well-formed requests to its only "
	    "worker, on new connections and on a kept one, are each answered "
	    "within 1 s (%d sent, slowest %d ms)", reqs, worst);
	/* The server closes it: EOF (or a reset) on its end. */
	while (clock_ms() - t0 < 20000) {
		struct pollfd	 pfd = { sp, POLLIN, 0 };

		if (poll(&pfd, 1, 100) > 0 && recv(sp, &c, 1, 0) <= 0) {
			closed_ms = clock_ms() - t0;
			break;
		}
	}
	result(closed_ms >= 0 && closed_ms <= 6000, "silent-peer: the server "
	    "closes the silent connection within 6 s (%d ms)",
	    (int)closed_ms);
	close(sp);
	close(k);
	st = health(5000, &ms);
	na = workers(after);
	result(st == 200, "silent-peer: a well-formed request after it is "
	    "answered (%d, %d ms)", st, ms);
	result(same_workers(before, nb, after, na), "silent-peer: no worker "
	    "died");
}

int
main(int argc, char **argv)
{
	int	 i, st, ms;

	if (argc < 3) {
		fprintf(stderr, "usage: fcgi-abuse SOCKET MASTER_PID "
		    "[--only NAME]\n");
		return 2;
	}
	sock_path = argv[1];
	master = (pid_t)atoi(argv[2]);
	for (i = 3; i < argc; i++)
		if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	st = health(5000, &ms);
	if (st != 200) {
		result(0, "baseline: a well-formed request is answered 200 (%d)",
		    st);
		return 1;
	}
	result(1, "baseline: a well-formed request is answered 200 (%d ms)", ms);
	protocol_cases();
	params_cases();
	body_cases();
	stall_cases();
	silent_peer_case();
	return 0;
}
