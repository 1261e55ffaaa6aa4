#include <criterion/criterion.h>
#include <string.h>

#include "base64.h"
#include "cursor.h"
#include "keyring.h"

#define K1 "key 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define K2 "key 2 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n"

static struct keyring	 ring, other;
static struct crypto	*c, *c2;

static void
setup(void)
{
	const char	*t = K1 K2 "active 1\n";
	const char	*t2 = K2 "active 2\n";
	char		 err[128];

	crypto_init();
	cr_assert_eq(keyring_parse(&ring, t, strlen(t), err, sizeof(err)), 0);
	cr_assert_eq(keyring_parse(&other, t2, strlen(t2), err, sizeof(err)), 0);
	c = crypto_new(&ring);
	c2 = crypto_new(&other);
}

TestSuite(cursor, .init = setup);

Test(cursor, round_trip_with_and_without_filter)
{
	char	 cur[CURSOR_LEN + 1];
	int64_t	 id = 0;

	cr_assert_eq(cursor_encode(c, 12345, NULL, cur), 0);
	cr_assert_eq(strlen(cur), CURSOR_LEN);
	cr_assert_eq(cursor_decode(c, cur, NULL, &id), LB_OK);
	cr_assert_eq(id, 12345);
	cr_assert_eq(cursor_encode(c, INT64_MAX, "aws", cur), 0);
	cr_assert_eq(cursor_decode(c, cur, "aws", &id), LB_OK);
	cr_assert_eq(id, INT64_MAX);
}

Test(cursor, bound_to_its_filter)
{
	char	 cur[CURSOR_LEN + 1];
	int64_t	 id;

	cr_assert_eq(cursor_encode(c, 99, "aws", cur), 0);
	cr_assert_eq(cursor_decode(c, cur, NULL, &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode(c, cur, "gcp", &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode(c, cur, "aw", &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_encode(c, 99, NULL, cur), 0);
	cr_assert_eq(cursor_decode(c, cur, "aws", &id), LB_ERR_INVALID_CURSOR);
}

/* The rest of the filter: the list a cursor came from, include, ids. */
Test(cursor, bound_to_the_whole_filter)
{
	char	 cur[CURSOR_LEN + 1];
	int64_t	 id = 0;

	cr_assert_eq(cursor_encode_bound(c, 5, "aws", "include=value", cur), 0);
	cr_assert_eq(cursor_decode_bound(c, cur, "aws", "include=value", &id),
	    LB_OK);
	cr_assert_eq(id, 5);
	cr_assert_eq(cursor_decode(c, cur, "aws", &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode_bound(c, cur, "aws", "ids=5", &id),
	    LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode_bound(c, cur, NULL, "include=value", &id),
	    LB_ERR_INVALID_CURSOR);
	/* A slug and its filter never run together into another's. */
	cr_assert_eq(cursor_decode_bound(c, cur, "awsinclude=value", NULL,
	    &id), LB_ERR_INVALID_CURSOR);
	/* One list's cursor is good for no other. */
	cr_assert_eq(cursor_encode_bound(c, 5, NULL, "versions=1", cur), 0);
	cr_assert_eq(cursor_decode_bound(c, cur, NULL, "versions=2", &id),
	    LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode_bound(c, cur, NULL, "deleted", &id),
	    LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode(c, cur, NULL, &id), LB_ERR_INVALID_CURSOR);
	/* Nothing more ("" or NULL) is the plain list's cursor. */
	cr_assert_eq(cursor_encode_bound(c, 5, "aws", "", cur), 0);
	cr_assert_eq(cursor_decode(c, cur, "aws", &id), LB_OK);
}

Test(cursor, every_altered_byte_is_refused)
{
	char		 cur[CURSOR_LEN + 1], bad[CURSOR_LEN + 1];
	unsigned char	 raw[CURSOR_RAW_LEN + 3];
	int64_t		 id;
	size_t		 i;
	int		 bit;

	cr_assert_eq(cursor_encode(c, 4242, NULL, cur), 0);
	cr_assert_eq(base64url_decode(raw, cur, CURSOR_LEN), CURSOR_RAW_LEN);
	for (i = 0; i < CURSOR_RAW_LEN; i++)
		for (bit = 0; bit < 8; bit++) {
			raw[i] ^= (unsigned char)(1 << bit);
			base64url_encode(bad, raw, CURSOR_RAW_LEN);
			cr_assert_eq(cursor_decode(c, bad, NULL, &id),
			    LB_ERR_INVALID_CURSOR, "byte %zu bit %d", i, bit);
			raw[i] ^= (unsigned char)(1 << bit);
		}
}

Test(cursor, foreign_or_garbage_cursors)
{
	char	 cur[CURSOR_LEN + 1];
	int64_t	 id;

	cr_assert_eq(cursor_encode(c2, 7, NULL, cur), 0);
	/* Key 2 exists in both rings, but c2's cursor names key 2 while the
	 * MAC keys differ only if the ring keys do: same key, same MAC. */
	cr_assert_eq(cursor_decode(c, cur, NULL, &id), LB_OK);
	cr_assert_eq(cursor_decode(c, "", NULL, &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode(c, "abc", NULL, &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode(c, "AQABAAAAAAAAAAMUeDG0QETFLWHmbCv11wk6x",
	    NULL, &id), LB_ERR_INVALID_CURSOR);
	cr_assert_eq(cursor_decode(c, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
	    NULL, &id), LB_ERR_INVALID_CURSOR);
}

Test(cursor, unknown_key_id_is_refused)
{
	struct keyring	 r3;
	struct crypto	*c3;
	char		 cur[CURSOR_LEN + 1], err[128];
	const char	*t = "key 9 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\nactive 9\n";
	int64_t		 id;

	cr_assert_eq(keyring_parse(&r3, t, strlen(t), err, sizeof(err)), 0);
	c3 = crypto_new(&r3);
	cr_assert_eq(cursor_encode(c3, 7, NULL, cur), 0);
	cr_assert_eq(cursor_decode(c, cur, NULL, &id), LB_ERR_INVALID_CURSOR);
	crypto_free(c3);
	keyring_free(&r3);
}
