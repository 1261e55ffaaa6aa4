#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A shape like a secret's: "a" and "b" scalars, "m" also an object of
 * at most 2 scalars. */
static const char *const shape_names[] = { "a", "b", "m" };
static const struct json_shape shape = { shape_names, 3, 1u << 2, 2 };

struct shape_case {
	char		 text[96];
	enum json_result want;
	char		 faults[4];	/* per name: - none, S not a scalar,
					 * T too many, I inner */
	char		 name[16];	/* the unknown (or inner) member */
	unsigned	 present;
};

#define SHAPE_OK(t, p)		{ t, JSON_OK, "---", "", p }
#define MISSHAPEN(t, f, n, p)	{ t, JSON_MISSHAPEN, f, n, p }
#define INVALID(t)		{ t, JSON_INVALID, "---", "", 0 }

ParameterizedTestParameters(json, shaped)
{
	static struct shape_case cases[] = {
		SHAPE_OK("{}", 0),
		SHAPE_OK("{\"a\":1,\"b\":\"x\",\"m\":{\"k\":\"v\",\"l\":null}}", 7),
		SHAPE_OK("{\"m\":{}}", 4), SHAPE_OK("{\"m\":null,\"b\":true}", 6),
		SHAPE_OK("{\"\\u0061\":-1.5e3}", 1),
		SHAPE_OK("{\"\\u006d\":{\"\\u00e9\\ud83d\\ude00\":\"\"}}", 4),
		/* Arrays anywhere. */
		MISSHAPEN("{\"a\":[]}", "S--", "", 1),
		MISSHAPEN("{\"a\":[{}]}", "S--", "", 1),
		MISSHAPEN("{\"m\":[]}", "--S", "", 4),
		MISSHAPEN("{\"m\":[{\"k\":\"v\"}]}", "--S", "", 4),
		MISSHAPEN("{\"m\":{\"k\":[]}}", "--I", "k", 4),
		MISSHAPEN("{\"b\":1,\"m\":{\"k\":\"v\",\"l\":[[]]}}", "--I", "l", 6),
		MISSHAPEN("{\"a\":[],\"b\":[[],[]]}", "SS-", "", 3),
		/* Objects where none may be, or too deep. */
		MISSHAPEN("{\"a\":{}}", "S--", "", 1),
		MISSHAPEN("{\"m\":{\"k\":{}}}", "--I", "k", 4),
		MISSHAPEN("{\"m\":{\"x\":\"1\",\"\\u006b\":{\"d\":{}}}}", "--I", "k", 4),
		/* Too many members in m, said over an inner fault. */
		MISSHAPEN("{\"m\":{\"x\":\"1\",\"y\":\"2\",\"z\":\"3\"}}", "--T", "", 4),
		MISSHAPEN("{\"m\":{\"k\":[],\"y\":\"2\",\"z\":\"3\"}}", "--T", "k", 4),
		/* Members not in the shape: the first, decoded. */
		MISSHAPEN("{\"c\":1}", "---", "c", 0),
		MISSHAPEN("{\"a\":1,\"c\":[[]],\"d\":{}}", "---", "c", 1),
		MISSHAPEN("{\"\\u0061a\":1}", "---", "aa", 0),
		MISSHAPEN("{\"\":1}", "---", "", 0),
		/* Syntax first, wherever it breaks. */
		INVALID("[]"), INVALID("{\"a\":[1,]}"), INVALID("{\"c\":["),
		INVALID("{\"c\":[],}"), INVALID("{\"m\":{\"k\":[\"\\ud800\"]}}"),
		INVALID("{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}"),
		/* Repeated: at the top level always; inside m in a body that
		 * has the shape. */
		INVALID("{\"a\":1,\"a\":2}"), INVALID("{\"a\":1,\"\\u0061\":2}"),
		INVALID("{\"a\":[],\"a\":2}"),
		INVALID("{\"m\":{\"k\":\"1\",\"k\":\"2\"}}"),
	};
	return cr_make_param_array(struct shape_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct shape_case *c, json, shaped)
{
	static const char	 codes[] = "-STI";
	struct json_report	 r;
	struct json_object	*o;
	unsigned		 i;

	cr_assert_eq(json_parse_shaped(c->text, strlen(c->text), &shape, &r,
	    &o), c->want, "%s: %s", c->text, r.why);
	cr_assert_eq(o != NULL, c->want == JSON_OK, "%s", c->text);
	json_free_wiped(o);
	if (c->want == JSON_INVALID) {
		cr_assert_neq(r.why[0], '\0');
		return;
	}
	cr_assert_eq(r.present, c->present, "%s: present %#x", c->text,
	    r.present);
	for (i = 0; i < 3; i++)
		cr_assert_eq(codes[r.fault[i]], c->faults[i], "%s: %s",
		    c->text, shape_names[i]);
	if (r.has_unknown)
		cr_assert_str_eq(r.unknown, c->name, "%s", c->text);
	else if (r.inner_of >= 0)
		cr_assert_str_eq(r.inner, c->name, "%s", c->text);
	else
		cr_assert_str_eq(c->name, "", "%s", c->text);
	if (c->want == JSON_MISSHAPEN && strchr(c->faults, 'S') == NULL &&
	    strchr(c->faults, 'T') == NULL && strchr(c->faults, 'I') == NULL)
		cr_assert(r.has_unknown, "%s", c->text);
}

Test(json, shaped_names_are_cut_not_matched)
{
	char			 t[400];
	struct json_report	 r;
	struct json_object	*o;

	/* 200 bytes of name: reported cut to 127 bytes, and never taken for
	 * a member whose name it begins with. */
	memset(t, 0, sizeof(t));
	strcpy(t, "{\"a");
	memset(t + 3, 'x', 199);
	strcat(t, "\":1}");
	cr_assert_eq(json_parse_shaped(t, strlen(t), &shape, &r, &o),
	    JSON_MISSHAPEN);
	cr_assert_eq(strlen(r.unknown), JSON_NAME_MAX - 1);
	cr_assert_eq(strncmp(r.unknown, "axxx", 4), 0);
	cr_assert_eq(r.present, 0);
}

Test(json, shaped_refuses_the_review_body_without_json_c)
{
	size_t			 n = 1 << 20, k;
	char			*t = malloc(n + 1);
	struct json_report	 r;
	struct json_object	*o;

	/* The security review's 1 MiB body: {"a":1,"m":[{},{},...]}. */
	cr_assert_not_null(t);
	k = (size_t)sprintf(t, "{\"a\":1,\"m\":[");
	while (k + 6 < n) {
		memcpy(t + k, "{},", 3);
		k += 3;
	}
	strcpy(t + k, "{}]}");
	cr_assert_eq(json_parse_shaped(t, strlen(t), &shape, &r, &o),
	    JSON_MISSHAPEN);
	cr_assert_null(o);
	cr_assert_eq(r.fault[2], JSON_FAULT_NOT_SCALAR);
	free(t);
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
