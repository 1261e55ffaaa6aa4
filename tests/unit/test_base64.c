#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "base64.h"

/* Criterion runs each case in a fresh process: parameters are copied by
 * value, so they hold arrays, never pointers. */
struct b64_case {
	char		 raw[8];
	size_t		 len;
	char		 enc[12];
};

ParameterizedTestParameters(base64, known_answers)
{
	static struct b64_case cases[] = {
		{ "", 0, "" },
		{ "f", 1, "Zg" },
		{ "fo", 2, "Zm8" },
		{ "foo", 3, "Zm9v" },
		{ "foob", 4, "Zm9vYg" },
		{ "\xfb\xff", 2, "-_8" },
		{ "\xff\xff\xff", 3, "____" },
	};
	return cr_make_param_array(struct b64_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct b64_case *c, base64, known_answers)
{
	char		 out[64];
	unsigned char	 back[64];
	long		 n;

	base64url_encode(out, (const unsigned char *)c->raw, c->len);
	cr_assert_str_eq(out, c->enc);
	n = base64url_decode(back, c->enc, strlen(c->enc));
	cr_assert_eq(n, (long)c->len);
	cr_assert(memcmp(back, c->raw, c->len) == 0);
}

struct bad_case {
	char		 s[8];
};

ParameterizedTestParameters(base64, rejects)
{
	static struct bad_case bad[] = {
		{ "Z" },	/* impossible length */
		{ "Zh" },	/* non-zero trailing bits: not canonical */
		{ "Zm9=" },	/* padding is not base64url */
		{ "Zm+v" },	/* standard alphabet */
		{ "Zm/v" },
		{ "Zm v" },
	};
	return cr_make_param_array(struct bad_case, bad,
	    sizeof(bad) / sizeof(bad[0]));
}

ParameterizedTest(struct bad_case *c, base64, rejects)
{
	unsigned char	 out[16];

	cr_assert_eq(base64url_decode(out, c->s, strlen(c->s)), -1, "%s",
	    c->s);
}
