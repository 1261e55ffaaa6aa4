#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "validate.h"

/* Criterion copies parameters into each test's process: arrays, not
 * pointers. */
struct body_case {
	char		 body[140];
	enum lb_err	 want;
	char		 field[24];	/* expected error field, or "" */
};

static enum lb_err
run(const char *body, int patch, struct secret_input *in,
    struct http_response *resp, struct json_object **o)
{
	char	 why[128];

	memset(resp, 0, sizeof(*resp));
	*o = json_parse_object(body, strlen(body), why, sizeof(why));
	cr_assert_not_null(*o, "%s: %s", body, why);
	return patch ? validate_patch(*o, in, resp) :
	    validate_create(*o, in, resp);
}

#define V64K_PLUS_1 65537

ParameterizedTestParameters(validate, create)
{
	static struct body_case cases[] = {
		{ "{\"name\":\"a\",\"value\":\"v\"}", LB_OK, "" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"provider_slug\":\"aws\","
		  "\"description\":\"d\",\"metadata\":{\"team\":\"x\"}}", LB_OK, "" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"provider_slug\":null,"
		  "\"description\":null}", LB_OK, "" },
		{ "{\"name\":\"a\",\"value\":\"line1\\nline2\\t\"}", LB_OK, "" },
		{ "{\"name\":\"\xc3\xa9t\xc3\xa9\",\"value\":\"v\"}", LB_OK, "" },
		{ "{\"value\":\"v\"}", LB_ERR_MISSING_FIELD, "name" },
		{ "{\"name\":\"a\"}", LB_ERR_MISSING_FIELD, "value" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"extra\":1}", LB_ERR_UNKNOWN_FIELD, "extra" },
		{ "{\"name\":\"\",\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"name\":1,\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"name\":null,\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"name\":\"a\\nb\",\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"name\":\"a\\u007f\",\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"name\":\"a\\u0085\",\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"name\":\"a\",\"value\":\"\"}", LB_ERR_INVALID_FIELD, "value" },
		{ "{\"name\":\"a\",\"value\":\"a\\u0000b\"}", LB_ERR_INVALID_FIELD, "value" },
		{ "{\"name\":\"a\",\"value\":[\"v\"]}", LB_ERR_INVALID_FIELD, "value" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"provider_slug\":\"AWS\"}", LB_ERR_INVALID_FIELD, "provider_slug" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"provider_slug\":\"-aws\"}", LB_ERR_INVALID_FIELD, "provider_slug" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"provider_slug\":\"\"}", LB_ERR_INVALID_FIELD, "provider_slug" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"description\":5}", LB_ERR_INVALID_FIELD, "description" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"metadata\":null}", LB_ERR_INVALID_FIELD, "metadata" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"metadata\":[]}", LB_ERR_INVALID_FIELD, "metadata" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"metadata\":{\"t\":null}}", LB_ERR_INVALID_FIELD, "metadata.t" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"metadata\":{\"t\":1}}", LB_ERR_INVALID_FIELD, "metadata.t" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"metadata\":{\"bad name\":\"x\"}}", LB_ERR_INVALID_FIELD, "metadata" },
		{ "{\"name\":\"a\",\"value\":\"v\",\"metadata\":{\"\":\"x\"}}", LB_ERR_INVALID_FIELD, "metadata" },
	};
	return cr_make_param_array(struct body_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct body_case *c, validate, create)
{
	struct secret_input	 in;
	struct http_response	 resp;
	struct json_object	*o;

	cr_assert_eq(run(c->body, 0, &in, &resp, &o), c->want, "%s: %s",
	    c->body, resp.err_message);
	if (c->field[0] != '\0')
		cr_assert_str_eq(resp.err_field, c->field);
	json_free_wiped(o);
}

/* A body at the edge, as the handlers take it: validate_json_body (the
 * shape, before json-c builds anything), then validate_create or
 * validate_patch. */
static enum lb_err
edge(const char *body, int patch, struct http_response *resp)
{
	struct http_request	 req;
	struct secret_input	 in;
	struct json_object	*o = NULL;
	enum lb_err		 e;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.content_type = "application/json";
	req.body = body;
	req.body_len = strlen(body);
	if ((e = validate_json_body(&req, resp, patch, &o)) == LB_OK)
		e = patch ? validate_patch(o, &in, resp) :
		    validate_create(o, &in, resp);
	json_free_wiped(o);
	return e;
}

/* The same body answered as before the shape was checked: a json-c tree
 * of anything, then validation. */
static enum lb_err
unshaped(const char *body, int patch, struct http_response *resp)
{
	struct secret_input	 in;
	struct json_object	*o;
	enum lb_err		 e;
	char			 why[160];

	memset(resp, 0, sizeof(*resp));
	if ((o = json_parse_object(body, strlen(body), why, sizeof(why))) ==
	    NULL)
		return http_error(resp, LB_ERR_INVALID_JSON, NULL, "%s", why);
	e = patch ? validate_patch(o, &in, resp) :
	    validate_create(o, &in, resp);
	json_free_wiped(o);
	return e;
}

struct edge_case {
	char		 body[160];
	int		 patch;
	enum lb_err	 want;
	char		 field[24];	/* expected error field, or "" */
};

#define C(b, w, f)	{ b, 0, w, f }
#define P(b, w, f)	{ b, 1, w, f }
#define NV		"\"name\":\"a\",\"value\":\"v\""

/* Bodies json-c must not build, and the answers the edge gave before it
 * checked shapes, which must not change. */
ParameterizedTestParameters(validate, shapes)
{
	static struct edge_case cases[] = {
		/* Arrays, wherever they are. */
		C("[]", LB_ERR_INVALID_JSON, ""),
		C("[{" NV "}]", LB_ERR_INVALID_JSON, ""),
		C("{\"name\":[1],\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name"),
		C("{\"name\":[[]],\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name"),
		C("{\"name\":\"a\",\"value\":[\"v\"]}", LB_ERR_INVALID_FIELD, "value"),
		C("{" NV ",\"provider_slug\":[]}", LB_ERR_INVALID_FIELD, "provider_slug"),
		C("{" NV ",\"description\":[\"d\"]}", LB_ERR_INVALID_FIELD, "description"),
		C("{" NV ",\"metadata\":[]}", LB_ERR_INVALID_FIELD, "metadata"),
		C("{" NV ",\"metadata\":[{},{},{}]}", LB_ERR_INVALID_FIELD, "metadata"),
		C("{" NV ",\"metadata\":{\"k\":[]}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"metadata\":{\"a\":\"1\",\"k\":[[]]}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"x\":[]}", LB_ERR_UNKNOWN_FIELD, "x"),
		P("{\"metadata\":[]}", LB_ERR_INVALID_FIELD, "metadata"),
		P("{\"value\":[\"v\"]}", LB_ERR_INVALID_FIELD, "value"),
		P("{\"metadata\":{\"k\":[null]}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		P("[{\"value\":\"v\"}]", LB_ERR_INVALID_JSON, ""),
		/* Objects deeper than the metadata's (level 3 and on). */
		C("{" NV ",\"metadata\":{\"k\":{\"n\":\"v\"}}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"metadata\":{\"k\":{\"n\":{}}}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{\"name\":{\"a\":{}},\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name"),
		C("{" NV ",\"description\":{}}", LB_ERR_INVALID_FIELD, "description"),
		P("{\"metadata\":{\"k\":{}}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		P("{\"x\":{\"y\":{\"z\":{}}}}", LB_ERR_UNKNOWN_FIELD, "x"),
		/* Six members: one is not the schema's. */
		C("{" NV ",\"provider_slug\":null,\"description\":null,"
		  "\"metadata\":{},\"id\":1}", LB_ERR_UNKNOWN_FIELD, "id"),
		P("{" NV ",\"provider_slug\":null,\"description\":null,"
		  "\"metadata\":{},\"id\":1}", LB_ERR_UNKNOWN_FIELD, "id"),
		/* Repeated members. */
		C("{\"name\":\"a\",\"name\":\"b\",\"value\":\"v\"}", LB_ERR_INVALID_JSON, ""),
		C("{\"name\":\"a\",\"n\\u0061me\":\"b\",\"value\":\"v\"}", LB_ERR_INVALID_JSON, ""),
		C("{\"name\":[1],\"name\":\"b\",\"value\":\"v\"}", LB_ERR_INVALID_JSON, ""),
		C("{" NV ",\"metadata\":{\"k\":\"1\",\"k\":\"2\"}}", LB_ERR_INVALID_JSON, ""),
		C("{" NV ",\"metadata\":{\"k\":\"1\",\"\\u006b\":\"2\"}}", LB_ERR_INVALID_JSON, ""),
		P("{\"value\":\"1\",\"value\":\"2\"}", LB_ERR_INVALID_JSON, ""),
		/* Names are compared decoded. */
		C("{\"na\\u006de\":\"a\",\"value\":\"v\"}", LB_OK, ""),
		C("{\"na\\u006de\":[\"a\"],\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name"),
		C("{\"n\\u0061me\":\"a\",\"v\\u0061lue\":\"v\",\"met\\u0061data\":"
		  "{\"k\":{}}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"metadata\":{\"\\u006b\\/\":[]}}", LB_ERR_INVALID_FIELD, "metadata"),
		C("{" NV ",\"metadata\":{\"\\u006b\":[]}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"\\u0078\\t\":[]}", LB_ERR_UNKNOWN_FIELD, "x?"),
		C("{" NV ",\"caf\\u00e9\":{}}", LB_ERR_UNKNOWN_FIELD, "caf??"),
		P("{\"met\\u0061data\":{\"a\":null}}", LB_OK, ""),
		/* What was answered before, in the order it was. */
		C("{\"name\":[1]}", LB_ERR_MISSING_FIELD, "value"),
		C("{\"value\":[1]}", LB_ERR_MISSING_FIELD, "name"),
		C("{\"name\":[1],\"value\":\"v\",\"x\":1}", LB_ERR_UNKNOWN_FIELD, "x"),
		C("{\"value\":[1],\"name\":[1]}", LB_ERR_INVALID_FIELD, "name"),
		C("{\"metadata\":[],\"value\":{},\"name\":\"a\"}", LB_ERR_INVALID_FIELD, "value"),
		C("{" NV ",\"metadata\":{\"bad name\":{}}}", LB_ERR_INVALID_FIELD, "metadata"),
		C("{" NV ",\"metadata\":{\"k\":1}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"metadata\":{\"k\":null}}", LB_ERR_INVALID_FIELD, "metadata.k"),
		C("{" NV ",\"metadata\":null}", LB_ERR_INVALID_FIELD, "metadata"),
		C("{\"name\":1,\"value\":\"v\"}", LB_ERR_INVALID_FIELD, "name"),
		P("{}", LB_ERR_EMPTY_PATCH, ""),
		P("{\"name\":null}", LB_ERR_INVALID_FIELD, "name"),
		/* A syntax error anywhere is invalid_json, shape or not. */
		C("{\"name\":[1],\"value\":\"v\"", LB_ERR_INVALID_JSON, ""),
		C("{\"name\":[1,],\"value\":\"v\"}", LB_ERR_INVALID_JSON, ""),
		C("{\"x\":[1],\"value\":\"v\"} x", LB_ERR_INVALID_JSON, ""),
		C("{\"name\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],\"value\":\"v\"}", LB_ERR_INVALID_JSON, ""),
		C("{" NV ",\"metadata\":{\"k\":[\"\\ud800\"]}}", LB_ERR_INVALID_JSON, ""),
	};
	return cr_make_param_array(struct edge_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct edge_case *c, validate, shapes)
{
	struct http_response	 resp, before;

	cr_assert_eq(edge(c->body, c->patch, &resp), c->want, "%s: %s",
	    c->body, resp.err_message);
	cr_assert_str_eq(resp.err_field, c->field, "%s", c->body);
	cr_assert_eq(unshaped(c->body, c->patch, &before), c->want,
	    "%s: before: %s", c->body, before.err_message);
	cr_assert_str_eq(before.err_field, c->field, "%s: before", c->body);
	http_response_free(&resp);
	http_response_free(&before);
}

/* A body of n metadata members "k0".."k<n-1>", the first set to value. */
static char *
metadata_body(int patch, int n, const char *value)
{
	static char	 b[8192];
	int		 k, i;

	k = sprintf(b, "{%s\"metadata\":{", patch ? "" : NV ",");
	for (i = 0; i < n; i++)
		k += sprintf(b + k, "%s\"k%d\":%s", i ? "," : "", i,
		    i ? "\"v\"" : value);
	sprintf(b + k, "}}");
	return b;
}

Test(validate, metadata_member_bounds)
{
	struct http_response	 resp;

	cr_assert_eq(edge(metadata_body(0, 50, "\"v\""), 0, &resp), LB_OK);
	cr_assert_eq(edge(metadata_body(0, 51, "\"v\""), 0, &resp),
	    LB_ERR_INVALID_FIELD);
	cr_assert_str_eq(resp.err_field, "metadata");
	cr_assert_str_eq(resp.err_message, "metadata may have at most 50 "
	    "members");
	/* A patch's result is bounded by the store: up to 100 members
	 * (50 removals, 50 sets) pass the edge. */
	cr_assert_eq(edge(metadata_body(1, 100, "null"), 1, &resp), LB_OK);
	cr_assert_eq(edge(metadata_body(1, 101, "null"), 1, &resp),
	    LB_ERR_INVALID_FIELD);
	cr_assert_str_eq(resp.err_field, "metadata");
	cr_assert_str_eq(resp.err_message, "a metadata patch may have at "
	    "most 100 members");
	cr_assert_eq(edge(metadata_body(0, 101, "\"v\""), 0, &resp),
	    LB_ERR_INVALID_FIELD);
	cr_assert_str_eq(resp.err_field, "metadata");
	/* Too many is said first, as before, even after a nested value. */
	cr_assert_eq(edge(metadata_body(0, 51, "{}"), 0, &resp),
	    LB_ERR_INVALID_FIELD);
	cr_assert_str_eq(resp.err_message, "metadata may have at most 50 "
	    "members");
	cr_assert_eq(unshaped(metadata_body(0, 51, "{}"), 0, &resp),
	    LB_ERR_INVALID_FIELD);
	cr_assert_str_eq(resp.err_message, "metadata may have at most 50 "
	    "members");
	cr_assert_eq(edge(metadata_body(1, 100, "[]"), 1, &resp),
	    LB_ERR_INVALID_FIELD);
	cr_assert_str_eq(resp.err_field, "metadata.k0");
	http_response_free(&resp);
}

static char *
big_body(const char *member, size_t n, char fill)
{
	static char	 b[80000];
	int		 k;

	k = sprintf(b, "{\"name\":\"a\",\"value\":\"v\",\"%s\":\"", member);
	if (strcmp(member, "name") == 0 || strcmp(member, "value") == 0)
		k = sprintf(b, "{\"%s\":\"", member);
	memset(b + k, fill, n);
	k += (int)n;
	if (strcmp(member, "name") == 0)
		sprintf(b + k, "\",\"value\":\"v\"}");
	else if (strcmp(member, "value") == 0)
		sprintf(b + k, "\",\"name\":\"a\"}");
	else
		sprintf(b + k, "\"}");
	return b;
}

struct len_case {
	char		 member[16];
	size_t		 n;
	enum lb_err	 want;
};

ParameterizedTestParameters(validate, lengths)
{
	static struct len_case cases[] = {
		{ "name", 255, LB_OK }, { "name", 256, LB_ERR_INVALID_FIELD },
		{ "value", 65536, LB_OK }, { "value", 65537, LB_ERR_INVALID_FIELD },
		{ "description", 1024, LB_OK },
		{ "description", 1025, LB_ERR_INVALID_FIELD },
		{ "description", 0, LB_OK },
	};
	return cr_make_param_array(struct len_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct len_case *c, validate, lengths)
{
	struct secret_input	 in;
	struct http_response	 resp;
	struct json_object	*o;

	cr_assert_eq(run(big_body(c->member, c->n, 'x'), 0, &in, &resp, &o),
	    c->want, "%s of %zu bytes", c->member, c->n);
	json_free_wiped(o);
}

Test(validate, lengths_count_bytes_not_characters)
{
	struct secret_input	 in;
	struct http_response	 resp;
	struct json_object	*o;
	char			 b[1024];
	int			 k, i;

	/* 128 two-byte characters: 256 bytes, one too many. */
	k = sprintf(b, "{\"value\":\"v\",\"name\":\"");
	for (i = 0; i < 128; i++)
		k += sprintf(b + k, "\xc3\xa9");
	sprintf(b + k, "\"}");
	cr_assert_eq(run(b, 0, &in, &resp, &o), LB_ERR_INVALID_FIELD);
	json_free_wiped(o);
}

Test(validate, metadata_member_limits)
{
	struct secret_input	 in;
	struct http_response	 resp;
	struct json_object	*o;
	char			 b[8192];
	int			 k, i;

	k = sprintf(b, "{\"name\":\"a\",\"value\":\"v\",\"metadata\":{");
	for (i = 0; i < 50; i++)
		k += sprintf(b + k, "%s\"k%d\":\"v\"", i ? "," : "", i);
	sprintf(b + k, "}}");
	cr_assert_eq(run(b, 0, &in, &resp, &o), LB_OK, "50 members");
	json_free_wiped(o);
	k = (int)strlen(b) - 2;
	sprintf(b + k, ",\"k50\":\"v\"}}");
	cr_assert_eq(run(b, 0, &in, &resp, &o), LB_ERR_INVALID_FIELD,
	    "51 members");
	json_free_wiped(o);
}

ParameterizedTestParameters(validate, patch)
{
	static struct body_case cases[] = {
		{ "{}", LB_ERR_EMPTY_PATCH, "" },
		{ "{\"value\":\"new\"}", LB_OK, "" },
		{ "{\"provider_slug\":null,\"description\":null}", LB_OK, "" },
		{ "{\"metadata\":null}", LB_OK, "" },
		{ "{\"metadata\":{\"a\":null,\"b\":\"x\"}}", LB_OK, "" },
		{ "{\"name\":null}", LB_ERR_INVALID_FIELD, "name" },
		{ "{\"value\":null}", LB_ERR_INVALID_FIELD, "value" },
		{ "{\"id\":5}", LB_ERR_UNKNOWN_FIELD, "id" },
		{ "{\"version\":2}", LB_ERR_UNKNOWN_FIELD, "version" },
		{ "{\"metadata\":{\"a\":5}}", LB_ERR_INVALID_FIELD, "metadata.a" },
		{ "{\"metadata\":\"x\"}", LB_ERR_INVALID_FIELD, "metadata" },
	};
	return cr_make_param_array(struct body_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct body_case *c, validate, patch)
{
	struct secret_input	 in;
	struct http_response	 resp;
	struct json_object	*o;

	cr_assert_eq(run(c->body, 1, &in, &resp, &o), c->want, "%s: %s",
	    c->body, resp.err_message);
	if (c->field[0] != '\0')
		cr_assert_str_eq(resp.err_field, c->field);
	json_free_wiped(o);
}

Test(validate, patch_members_and_metadata_split)
{
	struct secret_input	 in;
	struct http_response	 resp;
	struct json_object	*o;
	struct buf		 set = { 0 }, rm = { 0 };

	cr_assert_eq(run("{\"description\":null,\"metadata\":{\"gone\":null,"
	    "\"team\":\"pay\\\"ments\",\"old.x\":null}}", 1, &in, &resp, &o),
	    LB_OK);
	cr_assert_eq(in.has, SM_DESCRIPTION | SM_METADATA);
	cr_assert_null(in.description, "null clears");
	cr_assert_not_null(in.metadata);
	validate_metadata_split(in.metadata, &set, &rm);
	cr_assert_str_eq(set.data, "{\"team\":\"pay\\\"ments\"}");
	cr_assert_str_eq(rm.data, "{\"gone\",\"old.x\"}");
	json_free_wiped(o);
	buf_free(&set);
	buf_free(&rm);

	cr_assert_eq(run("{\"metadata\":null}", 1, &in, &resp, &o), LB_OK);
	cr_assert_eq(in.has, SM_METADATA);
	cr_assert_null(in.metadata, "null empties");
	json_free_wiped(o);
}

struct id_case {
	char		 s[24];
	int64_t		 id;	/* 0: invalid */
};

ParameterizedTestParameters(validate, ids)
{
	static struct id_case cases[] = {
		{ "1", 1 }, { "12345", 12345 },
		{ "9223372036854775807", INT64_MAX },
		{ "9223372036854775808", 0 }, { "99999999999999999999", 0 },
		{ "0", 0 }, { "01", 0 }, { "-1", 0 }, { "+1", 0 }, { "1a", 0 },
		{ "", 0 }, { " 1", 0 }, { "1.0", 0 }, { "abc", 0 },
		{ "\xd9\xa1", 0 },	/* ARABIC-INDIC DIGIT ONE */
	};
	return cr_make_param_array(struct id_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct id_case *c, validate, ids)
{
	struct http_response	 resp;
	int64_t			 id = 0;

	memset(&resp, 0, sizeof(resp));
	if (c->id == 0)
		cr_assert_eq(validate_id(c->s, &id, &resp), LB_ERR_INVALID_ID,
		    "%s", c->s);
	else {
		cr_assert_eq(validate_id(c->s, &id, &resp), LB_OK, "%s", c->s);
		cr_assert_eq(id, c->id);
	}
}

struct q_case {
	char		 qs[40];
	enum lb_err	 want;
	int		 limit;
};

ParameterizedTestParameters(validate, list_query)
{
	static struct q_case cases[] = {
		{ "", LB_OK, 20 }, { "limit=1", LB_OK, 1 },
		{ "limit=100", LB_OK, 100 }, { "limit=007", LB_OK, 7 },
		{ "limit=0", LB_ERR_INVALID_PARAMETER, 0 },
		{ "limit=101", LB_ERR_INVALID_PARAMETER, 0 },
		{ "limit=-1", LB_ERR_INVALID_PARAMETER, 0 },
		{ "limit=", LB_ERR_INVALID_PARAMETER, 0 },
		{ "limit=1e1", LB_ERR_INVALID_PARAMETER, 0 },
		{ "limit=99999999999999999999", LB_ERR_INVALID_PARAMETER, 0 },
		{ "provider_slug=aws", LB_OK, 20 },
		{ "provider_slug=AWS", LB_ERR_INVALID_PARAMETER, 0 },
		{ "provider_slug=", LB_ERR_INVALID_PARAMETER, 0 },
		{ "cursor=", LB_ERR_INVALID_CURSOR, 0 },
	};
	return cr_make_param_array(struct q_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct q_case *c, validate, list_query)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct list_query	 q;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	http_query_parse(&req, c->qs);
	cr_assert_eq(validate_list_query(&req, &q, &resp), c->want, "%s",
	    c->qs);
	if (c->want == LB_OK)
		cr_assert_eq(q.limit, c->limit);
	http_request_free(&req);
}

/* include= and ids= (values in bulk). */
struct bulk_case {
	char		 qs[300];
	enum lb_err	 want;
	int		 values;
	int		 nids;
	int64_t		 first, last;	/* ids[0], ids[nids - 1] */
};

ParameterizedTestParameters(validate, bulk)
{
	static struct bulk_case cases[] = {
		{ "include=value", LB_OK, 1, 0, 0, 0 },
		{ "include=values", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "include=", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=7", LB_OK, 0, 1, 7, 7 },
		/* Distinct, highest first, as the page is ordered. */
		{ "ids=3,9,3,1", LB_OK, 0, 3, 9, 1 },
		{ "ids=9223372036854775807,1", LB_OK, 0, 2, INT64_MAX, 1 },
		{ "include=value&ids=2,1", LB_OK, 1, 2, 2, 1 },
		{ "ids=", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=1,", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=,1", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=1,,2", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=0", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=01", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=1%202", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=-1", LB_ERR_INVALID_PARAMETER, 0, 0, 0, 0 },
		{ "ids=9223372036854775808", LB_ERR_INVALID_PARAMETER, 0, 0,
		  0, 0 },
		{ "ids=12345678901234567890123", LB_ERR_INVALID_PARAMETER, 0, 0,
		  0, 0 },
	};
	return cr_make_param_array(struct bulk_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bulk_case *c, validate, bulk)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct list_query	 q;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	http_query_parse(&req, c->qs);
	cr_assert_eq(validate_list_query(&req, &q, &resp), c->want, "%s",
	    c->qs);
	if (c->want != LB_OK) {
		cr_assert_str_eq(resp.err_field, strncmp(c->qs, "ids", 3) == 0 ?
		    "ids" : "include", "%s", c->qs);
		goto out;
	}
	cr_assert_eq(q.values, c->values, "%s", c->qs);
	cr_assert_eq(q.nids, c->nids, "%s", c->qs);
	if (c->nids > 0) {
		cr_assert_eq(q.ids[0], c->first, "%s", c->qs);
		cr_assert_eq(q.ids[q.nids - 1], c->last, "%s", c->qs);
	}
out:
	http_request_free(&req);
}

/* At most IDS_MAX distinct ids; duplicates count once. */
Test(validate, bulk_id_count)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct list_query	 q;
	struct buf		 qs = { 0 };
	int			 i;

	for (i = 1; i <= IDS_MAX; i++)
		buf_printf(&qs, "%s%d", i == 1 ? "ids=" : ",", i);
	buf_puts(&qs, ",1,2,3");
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	http_query_parse(&req, qs.data);
	cr_assert_eq(validate_list_query(&req, &q, &resp), LB_OK);
	cr_assert_eq(q.nids, IDS_MAX);
	http_request_free(&req);
	buf_puts(&qs, ",101");
	memset(&req, 0, sizeof(req));
	http_query_parse(&req, qs.data);
	cr_assert_eq(validate_list_query(&req, &q, &resp),
	    LB_ERR_INVALID_PARAMETER);
	http_request_free(&req);
	buf_free(&qs);
}

Test(validate, versions_lookup_flags_bodies)
{
	struct http_request	 req;
	struct http_response	 resp;
	const char		*name, *slug;
	int64_t			 v = 0;
	int			 flag;
	char			 longname[300];

	memset(&resp, 0, sizeof(resp));
	cr_assert_eq(validate_version("3", 1, &v, &resp), LB_OK);
	cr_assert_eq(v, 3);
	cr_assert_eq(validate_version("0", 1, &v, &resp), LB_ERR_INVALID_ID);
	cr_assert_str_eq(resp.err_field, "version");
	cr_assert_eq(validate_version("x", 0, &v, &resp),
	    LB_ERR_INVALID_PARAMETER);
	cr_assert_eq(validate_version(NULL, 1, &v, &resp), LB_ERR_INVALID_ID);

	memset(&req, 0, sizeof(req));
	http_query_parse(&req, "name=my%20secret&provider_slug=aws");
	cr_assert_eq(validate_lookup(&req, &name, &slug, &resp), LB_OK);
	cr_assert_str_eq(name, "my secret");
	cr_assert_str_eq(slug, "aws");
	http_request_free(&req);
	memset(&req, 0, sizeof(req));
	http_query_parse(&req, "name=x");
	cr_assert_eq(validate_lookup(&req, &name, &slug, &resp), LB_OK);
	cr_assert_null(slug);
	http_request_free(&req);
	memset(&longname, 'a', sizeof(longname));
	memcpy(longname, "name=", 5);
	longname[5 + 256] = '\0';
	static const char *const bad[] = {
		"", "provider_slug=aws", "name=", "name=%01", "name=%C2%80",
		"name=%FF", "name=%C0%AF", "name=%ED%A0%80", "name=x&provider_slug=A",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) + 1; i++) {
		memset(&req, 0, sizeof(req));
		http_query_parse(&req, i < sizeof(bad) / sizeof(bad[0]) ?
		    bad[i] : longname);
		cr_assert_eq(validate_lookup(&req, &name, &slug, &resp),
		    LB_ERR_INVALID_PARAMETER, "case %zu", i);
		http_request_free(&req);
	}
	longname[5 + 255] = '\0';
	memset(&req, 0, sizeof(req));
	http_query_parse(&req, longname);
	cr_assert_eq(validate_lookup(&req, &name, &slug, &resp), LB_OK,
	    "a name of 255 bytes");
	http_request_free(&req);

	memset(&req, 0, sizeof(req));
	http_query_parse(&req, "permanent=true");
	cr_assert_eq(validate_flag(&req, "permanent", &flag, &resp), LB_OK);
	cr_assert_eq(flag, 1);
	http_request_free(&req);
	memset(&req, 0, sizeof(req));
	http_query_parse(&req, "permanent=1");
	cr_assert_eq(validate_flag(&req, "permanent", &flag, &resp),
	    LB_ERR_INVALID_PARAMETER);
	cr_assert_eq(validate_flag(&req, "other", &flag, &resp), LB_OK);
	cr_assert_eq(flag, 0);
	http_request_free(&req);

	memset(&req, 0, sizeof(req));
	cr_assert_eq(validate_no_body(&req, &resp), LB_OK);
	req.body = "{}";
	req.body_len = 2;
	cr_assert_eq(validate_no_body(&req, &resp), LB_ERR_INVALID_JSON);
}

Test(validate, utf8)
{
	cr_assert(valid_utf8("plain", 5));
	cr_assert(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91", 9));
	cr_assert(!valid_utf8("\xc3", 1));		/* truncated */
	cr_assert(!valid_utf8("\xc0\xaf", 2));	/* overlong */
	cr_assert(!valid_utf8("\xed\xa0\x80", 3));	/* surrogate */
	cr_assert(!valid_utf8("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	cr_assert(!valid_utf8("\x80", 1));		/* a lone continuation */
	cr_assert(!valid_utf8("\xff", 1));
}

Test(validate, idempotency_keys)
{
	struct http_response	 resp;
	char			 k[300];

	memset(&resp, 0, sizeof(resp));
	cr_assert_eq(validate_idempotency_key(NULL, &resp), LB_OK);
	cr_assert_eq(validate_idempotency_key("unique_key", &resp), LB_OK);
	cr_assert_eq(validate_idempotency_key("!~", &resp), LB_OK);
	cr_assert_eq(validate_idempotency_key("", &resp),
	    LB_ERR_INVALID_IDEMPOTENCY_KEY);
	cr_assert_eq(validate_idempotency_key("a b", &resp),
	    LB_ERR_INVALID_IDEMPOTENCY_KEY);
	cr_assert_eq(validate_idempotency_key("caf\xc3\xa9", &resp),
	    LB_ERR_INVALID_IDEMPOTENCY_KEY);
	memset(k, 'k', 255);
	k[255] = '\0';
	cr_assert_eq(validate_idempotency_key(k, &resp), LB_OK);
	k[255] = 'k';
	k[256] = '\0';
	cr_assert_eq(validate_idempotency_key(k, &resp),
	    LB_ERR_INVALID_IDEMPOTENCY_KEY);
}

struct im_case {
	char		 h[24];		/* "": no header */
	int		 cond;
	char		 arr[12];
};

ParameterizedTestParameters(validate, if_match)
{
	static struct im_case cases[] = {
		{ "", 0, "" }, { "*", 0, "" }, { "\"3\"", 1, "{3}" },
		{ " \"3\" , \"5\"", 1, "{3,5}" }, { "W/\"3\"", 1, "{}" },
		{ "3", 1, "{}" }, { "\"abc\"", 1, "{}" }, { "\"03\"", 1, "{}" },
		{ "\"\"", 1, "{}" },
	};
	return cr_make_param_array(struct im_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct im_case *c, validate, if_match)
{
	struct buf	 b = { 0 };

	cr_assert_eq(validate_if_match(c->h[0] ? c->h : NULL, &b), c->cond,
	    "%s", c->h);
	if (c->cond)
		cr_assert_str_eq(b.data, c->arr);
	buf_free(&b);
}

struct ct_case {
	char		 ct[48];	/* "": no Content-Type */
	int		 merge;
	enum lb_err	 want;
};

ParameterizedTestParameters(validate, media_types)
{
	static struct ct_case cases[] = {
		{ "application/json", 0, LB_OK },
		{ "Application/JSON", 0, LB_OK },
		{ "application/json;charset=UTF-8", 0, LB_OK },
		{ "application/json; charset=\"utf-8\"", 0, LB_OK },
		{ "application/json; charset=latin1", 0, LB_ERR_UNSUPPORTED_MEDIA_TYPE },
		{ "text/plain", 0, LB_ERR_UNSUPPORTED_MEDIA_TYPE },
		{ "application/jsonx", 0, LB_ERR_UNSUPPORTED_MEDIA_TYPE },
		{ "", 0, LB_ERR_UNSUPPORTED_MEDIA_TYPE },
		{ "application/merge-patch+json", 0, LB_ERR_UNSUPPORTED_MEDIA_TYPE },
		{ "application/merge-patch+json", 1, LB_OK },
		{ "application/json", 1, LB_OK },
	};
	return cr_make_param_array(struct ct_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ct_case *c, validate, media_types)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct json_object	*o = NULL;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.content_type = c->ct[0] ? c->ct : NULL;
	req.body = "{\"name\":\"a\"}";
	req.body_len = strlen(req.body);
	cr_assert_eq(validate_json_body(&req, &resp, c->merge, &o), c->want,
	    "%s", c->ct);
	json_free_wiped(o);
}
