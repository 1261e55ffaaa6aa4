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
