#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
buf_reserve(struct buf *b, size_t extra)
{
	size_t	 want, cap;
	char	*p;

	if (b->oom)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	/* realloc may leave a copy of a secret behind in freed memory;
	 * buffers that hold secrets are sized up front and wiped. */
	if ((p = realloc(b->data, cap)) == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

char *
buf_i64(char *out, int64_t v)
{
	char		 t[BUF_I64_LEN];
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t		 n = 0, o = 0;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		out[o++] = '-';
	while (n > 0)
		out[o++] = t[--n];
	out[o] = '\0';
	return out;
}

void
buf_put_i64(struct buf *b, int64_t v)
{
	char	 t[BUF_I64_LEN];

	buf_puts(b, buf_i64(t, v));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room;
	int	 n;

	/* Format straight into the free space: one pass when it fits, which
	 * is nearly always; a second, sized pass when it does not. */
	if (b->oom || buf_reserve(b, 64) < 0)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		if (buf_reserve(b, (size_t)n) < 0)
			return;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 i, run;
	unsigned char	 c;
	char		 esc[6];

	buf_putc(b, '"');
	for (i = 0, run = 0; i < n; i++) {
		c = (unsigned char)s[i];
		/* RFC 8259's required escapes only, in their shortest form:
		 * canonical request text is then never longer than the
		 * request it came from (see secrets.c, fingerprint). */
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':  buf_append(b, "\\\"", 2); break;
		case '\\': buf_append(b, "\\\\", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		case '\b': buf_append(b, "\\b", 2); break;
		case '\f': buf_append(b, "\\f", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			buf_append(b, esc, 6);
			break;
		}
	}
	buf_append(b, s + run, n - run);
	buf_putc(b, '"');
}

size_t
buf_json_len(const char *s, size_t n)
{
	size_t		 i, len = n + 2;
	unsigned char	 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c == '\n' || c == '\r' ||
		    c == '\t' || c == '\b' || c == '\f')
			len += 1;
		else if (c < 0x20)
			len += 5;
	}
	return len;
}

void
buf_json_str_or_null(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_append(b, "null", 4);
	else
		buf_json_str(b, s, strlen(s));
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_explicit_bzero(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
buf_wipe(struct buf *b)
{
	buf_explicit_bzero(b->data, b->cap);
	buf_free(b);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
