#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

static enum log_level	 log_level = LOG_LVL_INFO;
static long		 log_pid;
static struct buf	 pending;	/* request lines not yet written */
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_set_level(enum log_level l)
{
	log_level = l;
}

void
log_set_process(void)
{
	log_pid = (long)getpid();
}

int
log_enabled(enum log_level l)
{
	return l <= log_level;
}

/* Appends n as exactly three digits. */
static void
put_3digits(struct buf *b, long n)
{
	char	 d[4] = { (char)('0' + n / 100), (char)('0' + n / 10 % 10),
		    (char)('0' + n % 10), '\0' };

	buf_puts(b, d);
}

static void
log_begin(struct buf *b, enum log_level l)
{
	static time_t	 sec = -1;	/* the second t holds */
	static char	 t[40];
	struct timespec	 ts;
	struct tm	 tm;

	/* Every request writes a line: format the date once a second. */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		sec = ts.tv_sec;
	}
	buf_puts(b, "{\"time\":\"");
	buf_puts(b, t);
	buf_putc(b, '.');
	put_3digits(b, ts.tv_nsec / 1000000);
	buf_puts(b, "Z\",\"level\":\"");
	buf_puts(b, level_names[l]);
	buf_puts(b, "\",\"pid\":");
	buf_put_i64(b, log_pid ? log_pid : (long)getpid());
}

static void
write_all(const char *p, size_t len)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < len) {
		n = write(STDERR_FILENO, p + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

void
log_flush(void)
{
	if (pending.len > 0 && !pending.oom)
		write_all(pending.data, pending.len);
	buf_reset(&pending);
}

/* Ends a line. A message is written at once (with what is pending before
 * it, to keep the order); a request line joins the pending ones, which go
 * out before they would pass PIPE_BUF: writes to a pipe up to that size
 * are atomic, so workers sharing stderr never mix their lines. */
static void
log_end(struct buf *b, int hold)
{
	buf_puts(b, "}\n");
	if (b->oom)
		goto out;
	if (pending.len + b->len > PIPE_BUF)
		log_flush();
	buf_append(&pending, b->data, b->len);
	if (!hold)
		log_flush();
out:
	buf_free(b);
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	char		 msg[1024];
	va_list		 ap;

	if (!log_enabled(l))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_begin(&b, l);
	buf_puts(&b, ",\"msg\":");
	buf_json_str(&b, msg, strlen(msg));
	log_end(&b, 0);
}

/* The path as sent may hold any byte: keep printable ASCII, percent-encode
 * the rest, and cut it short, so that every log line is valid JSON. */
static void
put_path(struct buf *b, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	char		  out[3 * 256 + 1];
	size_t		  i, o = 0;
	unsigned char	  c;

	if (p == NULL) {
		buf_puts(b, "null");
		return;
	}
	for (i = 0; p[i] != '\0' && i < 256; i++) {
		c = (unsigned char)p[i];
		if (c > 0x20 && c < 0x7f) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	buf_json_str(b, out, o);
}

/* Milliseconds with three decimals, as printf's %.3f writes them. */
static void
put_ms(struct buf *b, double ms)
{
	int64_t	 us;

	if (ms >= 1e15)		/* 30,000 years: nothing sensible is lost */
		ms = 1e15;
	us = ms > 0 ? (int64_t)(ms * 1000 + 0.5) : 0;
	buf_put_i64(b, us / 1000);
	buf_putc(b, '.');
	put_3digits(b, (long)(us % 1000));
}

void
log_request(const struct log_request *r)
{
	struct buf	 b = { 0 };

	if (!log_enabled(LOG_LVL_INFO))
		return;
	log_begin(&b, LOG_LVL_INFO);
	buf_puts(&b, ",\"request_id\":");
	buf_json_str_or_null(&b, r->request_id);
	buf_puts(&b, ",\"method\":");
	put_path(&b, r->method);
	buf_puts(&b, ",\"path\":");
	put_path(&b, r->path);
	buf_puts(&b, ",\"route\":");
	buf_json_str_or_null(&b, r->route);
	buf_puts(&b, ",\"status\":");
	buf_put_i64(&b, r->status);
	buf_puts(&b, ",\"duration_ms\":");
	put_ms(&b, r->duration_ms);
	buf_puts(&b, ",\"key_prefix\":");
	buf_json_str_or_null(&b, r->key_prefix);
	buf_puts(&b, ",\"db_round_trips\":");
	buf_put_i64(&b, r->round_trips);
	if (r->error_code != NULL) {
		buf_puts(&b, ",\"error\":");
		buf_json_str_or_null(&b, r->error_code);
	}
	log_end(&b, 1);
}
