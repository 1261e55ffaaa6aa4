#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

/* Every number the request path writes goes through buf_i64: it must
 * agree with printf everywhere, the edges of int64_t included. */
Test(buf, i64_agrees_with_printf)
{
	static const int64_t	 v[] = { 0, 1, -1, 9, 10, -10, 99, 100, 204,
	    4294967295LL, -4294967296LL, INT64_MAX, INT64_MAX - 1, INT64_MIN,
	    INT64_MIN + 1, 1000000000000000000LL };
	char			 got[BUF_I64_LEN], want[32];
	size_t			 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%" PRId64, v[i]);
		cr_expect_str_eq(buf_i64(got, v[i]), want);
	}
	/* The longest fits its buffer exactly. */
	cr_expect_eq(strlen(buf_i64(got, INT64_MIN)), BUF_I64_LEN - 1);
}

Test(buf, put_i64_appends)
{
	struct buf	 b = { 0 };

	buf_puts(&b, "Content-Length: ");
	buf_put_i64(&b, 65536);
	buf_putc(&b, ',');
	buf_put_i64(&b, -7);
	cr_assert_not(b.oom);
	cr_expect_str_eq(b.data, "Content-Length: 65536,-7");
	cr_expect_eq(b.len, strlen("Content-Length: 65536,-7"));
	buf_free(&b);
}

/* buf_json_len sizes the buffer a value goes into: it must be exact. */
Test(buf, json_len_is_what_json_str_writes)
{
	struct buf	 b = { 0 };
	char		 s[256];
	int		 i;

	for (i = 0; i < 256; i++)
		s[i] = (char)i;
	for (i = 0; i <= 256; i++) {
		buf_reset(&b);
		buf_json_str(&b, s, (size_t)i);
		cr_assert_eq(buf_json_len(s, (size_t)i), b.len, "%d bytes", i);
	}
	buf_reset(&b);
	buf_json_str(&b, "\"\\\n\x01plain", 9);
	cr_assert_eq(buf_json_len("\"\\\n\x01plain", 9), b.len);
	buf_free(&b);
}
