#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* Criterion copies parameters into each test's process: arrays, not
 * pointers. */
struct json_case {
	char		 text[64];
	size_t		 len;	/* 0: strlen(text) */
	int		 ok;
};

#define OK(s)	{ s, 0, 1 }
#define BAD(s)	{ s, 0, 0 }

ParameterizedTestParameters(json, strict)
{
	static struct json_case cases[] = {
		OK("{}"), OK(" {\"a\":1} \n"), OK("{\"a\":[1,2.5,-0,1e10,true,false,null]}"),
		OK("{\"a\":\"\\u00e9\\ud83d\\ude00\\n\\/\"}"),
		OK("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}"),
		OK("{\"a\":{\"b\":{\"c\":{}}}}"), OK("{\"a\":\"\\u0000\"}"),
		BAD(""), BAD("   "), BAD("[]"), BAD("\"s\""), BAD("1"), BAD("null"),
		BAD("{\"a\":1,}"), BAD("{'a':1}"), BAD("{\"a\":NaN}"),
		BAD("{\"a\":Infinity}"), BAD("{\"a\":1 /*c*/}"), BAD("{\"a\":1}//"),
		BAD("{\"a\":\"x\ty\"}"), BAD("{\"a\":\"\\ud800\"}"),
		BAD("{\"a\":\"\\udc00\\ud800\"}"), BAD("{\"a\":\"\\ud800\\u0041\"}"),
		BAD("{\"a\":\"\xff\"}"), BAD("{\"a\":\"\xc0\xaf\"}"),
		BAD("{\"a\":\"\xed\xa0\x80\"}"), BAD("{\"a\":\"\xf4\x90\x80\x80\"}"),
		BAD("{\"a\":\"\xe2\x82\"}"), BAD("{\"a\":01}"), BAD("{\"a\":1.}"),
		BAD("{\"a\":.5}"), BAD("{\"a\":-}"), BAD("{\"a\":+1}"),
		BAD("{\"a\":1e}"), BAD("{\"a\":tru}"), BAD("{\"a\":\"\\x41\"}"),
		BAD("{} {}"), BAD("{}x"), BAD("\xef\xbb\xbf{}"), BAD("{\"a\"}"),
		BAD("{\"a\":1,\"a\":2}"), BAD("{\"a\":{\"b\":1,\"b\":1}}"),
		BAD("{\"a\":1,\"\\u0061\":2}"), BAD("{\"a\\u0000\":1}"),
		BAD("{\"a\":[{\"x\":1,\"x\":2}]}"), BAD("{\"a\":\"unterminated}"),
		BAD("{\"a\":[1,]}"), BAD("{\"a\" 1}"), BAD("{,}"),
		BAD("{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}"),
		{ "{\"a\":\"\0\"}", 8, 0 },	/* raw NUL */
	};
	return cr_make_param_array(struct json_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct json_case *c, json, strict)
{
	char			 why[160] = "";
	size_t			 len = c->len ? c->len : strlen(c->text);
	struct json_object	*o = json_parse_object(c->text, len, why,
	    sizeof(why));

	if (c->ok)
		cr_assert_not_null(o, "%s: %s", c->text, why);
	else {
		cr_assert_null(o, "accepted: %s", c->text);
		cr_assert_neq(why[0], '\0');
	}
	json_free_wiped(o);
}

Test(json, depth_limit_is_sixteen)
{
	char			 t[64], why[128];
	struct json_object	*o;
	int			 i, n = 0;

	/* 16 levels: the object and 15 arrays. */
	n += sprintf(t + n, "{\"a\":");
	for (i = 0; i < 15; i++)
		t[n++] = '[';
	for (i = 0; i < 15; i++)
		t[n++] = ']';
	t[n++] = '}';
	t[n] = '\0';
	o = json_parse_object(t, strlen(t), why, sizeof(why));
	cr_assert_not_null(o, "%s", why);
	json_free_wiped(o);
}

static void
canon(const char *text, struct buf *b)
{
	char			 why[128];
	struct json_object	*o = json_parse_object(text, strlen(text),
	    why, sizeof(why));

	cr_assert_not_null(o, "%s", why);
	buf_reset(b);
	json_canonical(b, o);
	json_free_wiped(o);
}

Test(json, canonical_ignores_order_space_and_escapes)
{
	struct buf	 a = { 0 }, b = { 0 };

	canon("{\"name\":\"s2\",\"value\":\"x\",\"metadata\":{\"b\":\"1\",\"a\":\"2\"}}", &a);
	canon(" { \"metadata\" : { \"a\":\"2\" , \"b\":\"\\u0031\"},\n"
	    "\"value\":\"\\u0078\", \"name\":\"s\\u0032\" } ", &b);
	cr_assert_str_eq(a.data, b.data);
	cr_assert_str_eq(a.data, "{\"metadata\":{\"a\":\"2\",\"b\":\"1\"},"
	    "\"name\":\"s2\",\"value\":\"x\"}");
	canon("{\"name\":\"s2\",\"value\":\"y\"}", &b);
	cr_assert_str_neq(a.data, b.data);
	buf_free(&a);
	buf_free(&b);
}

Test(json, write_keeps_member_order)
{
	struct buf	 b = { 0 };
	char		 why[64];
	struct json_object *o = json_parse_object(
	    "{\"z\":\"1\",\"a\":\"\\n\"}", 18, why, sizeof(why));

	cr_assert_not_null(o, "%s", why);
	json_write(&b, o);
	cr_assert_str_eq(b.data, "{\"z\":\"1\",\"a\":\"\\n\"}");
	json_free_wiped(o);
	buf_free(&b);
}
