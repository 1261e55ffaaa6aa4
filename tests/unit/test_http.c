#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "http.h"
#include "validate.h"

static void
setup(void)
{
	crypto_init();
}

TestSuite(http, .init = setup);

/* Criterion copies parameters into each test's process: arrays, not
 * pointers. */
struct pd_case {
	char		 in[16];
	char		 out[16];
	int		 ok;
	int		 plus;
};

ParameterizedTestParameters(http, percent_decode)
{
	static struct pd_case cases[] = {
		{ "abc", "abc", 1, 1 }, { "a%20b", "a b", 1, 1 },
		{ "a+b", "a b", 1, 1 }, { "a+b", "a+b", 1, 0 },
		{ "%41%62", "Ab", 1, 1 }, { "%2f", "/", 1, 1 },
		{ "%", "", 0, 1 }, { "%4", "", 0, 1 }, { "%zz", "", 0, 1 },
		{ "%00", "", 0, 1 }, { "a%0", "", 0, 1 }, { "", "", 1, 1 },
	};
	return cr_make_param_array(struct pd_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct pd_case *c, http, percent_decode)
{
	char	 out[64];
	long	 n = http_percent_decode(out, c->in, strlen(c->in), c->plus);

	if (!c->ok)
		cr_assert_eq(n, -1, "%s", c->in);
	else {
		cr_assert_eq(n, (long)strlen(c->out), "%s", c->in);
		cr_assert_str_eq(out, c->out);
	}
}

Test(http, query_parse)
{
	struct http_request	 req;

	memset(&req, 0, sizeof(req));
	http_query_parse(&req, "limit=10&provider_slug=aws&&cursor=a%2Db&");
	cr_assert_eq(req.query_err, LB_OK);
	cr_assert_eq(req.nparams, 3);
	cr_assert_str_eq(http_param(&req, "limit"), "10");
	cr_assert_str_eq(http_param(&req, "provider_slug"), "aws");
	cr_assert_str_eq(http_param(&req, "cursor"), "a-b");
	cr_assert_null(http_param(&req, "lim"), "whole names only");
	http_request_free(&req);
}

Test(http, query_repeated_names_are_kept)
{
	struct http_request	 req;

	memset(&req, 0, sizeof(req));
	http_query_parse(&req, "limit=1&limit=2&flag");
	cr_assert_eq(req.nparams, 3);
	cr_assert_str_eq(req.params[2].name, "flag");
	cr_assert_str_eq(req.params[2].value, "");
	http_request_free(&req);
}

struct qs_case {
	char		 qs[48];
};

ParameterizedTestParameters(http, query_malformed)
{
	static struct qs_case qs[] = {
		{ "limit=%00" }, { "limit=%zz" }, { "%=1" }, { "=1" }, { "a=%" },
		{ "a&b&c&d&e&f&g&h&i&j&k&l&m&n&o&p&q" },	/* more than 16 */
	};
	return cr_make_param_array(struct qs_case, qs,
	    sizeof(qs) / sizeof(qs[0]));
}

ParameterizedTest(struct qs_case *qs, http, query_malformed)
{
	struct http_request	 req;

	memset(&req, 0, sizeof(req));
	http_query_parse(&req, qs->qs);
	cr_assert_eq(req.query_err, LB_ERR_INVALID_PARAMETER, "%s", qs->qs);
	http_request_free(&req);
}

/* nginx sets SCRIPT_NAME to the whole path; Apache with mod_fcgid splits
 * it; both set REQUEST_URI as the client sent it, which wins. */
Test(http, request_from_nginx_environment)
{
	char *env[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/v1/admin/secrets/12?x=1",
		"SCRIPT_NAME=/v1/admin/secrets/12",
		"QUERY_STRING=x=1",
		"HTTP_X_API_KEY=lbk_abc",
		"HTTP_X_REQUEST_ID=abc-123.X_y",
		"CONTENT_LENGTH=",
		NULL
	};
	struct http_request	 req;

	cr_assert_eq(http_request_parse(&req, env, ""), 0);
	cr_assert_eq(req.method, HTTP_GET);
	cr_assert_str_eq(req.path, "/v1/admin/secrets/12");
	cr_assert_str_eq(http_param(&req, "x"), "1");
	cr_assert_str_eq(req.api_key, "lbk_abc");
	cr_assert_str_eq(req.request_id, "abc-123.X_y");
	cr_assert_eq(req.content_length, -1);
	http_request_free(&req);
}

Test(http, request_from_apache_environment)
{
	char *env[] = {
		"REQUEST_METHOD=PATCH",
		"SCRIPT_NAME=/v1",
		"PATH_INFO=/admin/secrets/7",
		"CONTENT_LENGTH=42",
		"CONTENT_TYPE=application/json",
		"HTTP_IDEMPOTENCY_KEY=",
		NULL
	};
	struct http_request	 req;

	cr_assert_eq(http_request_parse(&req, env, ""), 0);
	cr_assert_eq(req.method, HTTP_PATCH);
	cr_assert_str_eq(req.path, "/v1/admin/secrets/7");
	cr_assert_eq(req.content_length, 42);
	cr_assert_str_eq(req.idempotency_key, "", "an empty header is kept");
	cr_assert_eq(strlen(req.request_id), 32, "a fresh id");
	http_request_free(&req);
}

/* Mounted under a path: the server's PATH_INFO ends the path (nginx's
 * fastcgi_split_path_info, an Apache rewrite to lockbox.fcgi), or the
 * operator's base_path starts it. */
struct mount_case {
	const char	*uri, *pi, *base;
	const char	*path, *mount;	/* path NULL: no route */
};

Test(http, mount_from_path_info_or_base_path)
{
	static const struct mount_case cases[] = {
		{ "/tools/vault/v1/admin/secrets/3?a=1", "/v1/admin/secrets/3",
		  "", "/v1/admin/secrets/3", "/tools/vault" },
		{ "/v1/health", "/v1/health", "", "/v1/health", "" },
		{ "/t/v1", "/v1", "", "/v1", "/t" },
		/* Not under /v1: split inside the API, or no API path. */
		{ "/v1/admin/secrets", "/admin/secrets", "", "/v1/admin/secrets",
		  "" },
		{ "/x/v1x", "/v1x", "", "/x/v1x", "" },
		/* Normalised by the server: not the path's end, so whole. */
		{ "/a//v1/health", "/v1/health", "", "/a//v1/health", "" },
		{ "/a/../v1/health", "/v1/health", "", "/a/../v1/health", "" },
		{ "/a/./v1/health", "/v1/health", "", "/a/./v1/health", "" },
		{ "/a%20b/v1/health", "/v1/health", "", "/a b/v1/health", "" },
		/* An escape in the mount: it would not go back out as sent. */
		{ "/%74ools/v1/health", "/v1/health", "", NULL, "" },
		{ "/tools/vault/v1/health", NULL, "/tools/vault", "/v1/health",
		  "/tools/vault" },
		{ "/tools/vault", NULL, "/tools/vault", "", "/tools/vault" },
		{ "/tools/vaults/v1/health", NULL, "/tools/vault", NULL, "" },
		{ "/v1/health", "/v1/health", "/tools/vault", NULL, "" },
		{ "/tools/%76ault/v1/health", NULL, "/tools/vault", NULL, "" },
	};
	char			 uri[128], pi[128];
	char			*env[] = { "REQUEST_METHOD=GET", uri, pi, NULL };
	struct http_request	 req;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(uri, sizeof(uri), "REQUEST_URI=%s", cases[i].uri);
		snprintf(pi, sizeof(pi), "%s=%s", cases[i].pi ? "PATH_INFO" :
		    "X", cases[i].pi ? cases[i].pi : "");
		cr_assert_eq(http_request_parse(&req, env, cases[i].base), 0);
		if (cases[i].path == NULL)
			cr_expect_null(req.path, "%s", cases[i].uri);
		else {
			cr_assert_not_null(req.path, "%s", cases[i].uri);
			cr_expect_str_eq(req.path, cases[i].path, "%s",
			    cases[i].uri);
			cr_expect_str_eq(req.mount, cases[i].mount, "%s",
			    cases[i].uri);
		}
		http_request_free(&req);
	}
}

Test(http, mount_paths)
{
	cr_expect(valid_mount("/tools/vault", 12));
	cr_expect(valid_mount("/a", 2));
	cr_expect(valid_mount("/a.b/c~d_e-f", 12));
	cr_expect(!valid_mount("/", 1));
	cr_expect(!valid_mount("", 0));
	cr_expect(!valid_mount("tools", 5));
	cr_expect(!valid_mount("/tools/", 7));
	cr_expect(!valid_mount("/a//b", 5));
	cr_expect(!valid_mount("/a/./b", 6));
	cr_expect(!valid_mount("/a/..", 5));
	cr_expect(!valid_mount("/..", 3));
	cr_expect(valid_mount("/...", 4));
	cr_expect(!valid_mount("/a%20b", 6));
	cr_expect(!valid_mount("/a\"b", 4));
	cr_expect(!valid_mount("/a\r\nb", 5));
}

Test(http, undecodable_path_matches_nothing)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/v1/%zz", NULL };
	struct http_request	 req;

	cr_assert_eq(http_request_parse(&req, env, ""), 0);
	cr_assert_null(req.path);
	cr_assert_str_eq(req.raw_path, "/v1/%zz");
	http_request_free(&req);
}

Test(http, lying_content_length_is_refused_not_trusted)
{
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
	    "CONTENT_LENGTH=-5", NULL };
	struct http_request	 req;

	cr_assert_eq(http_request_parse(&req, env, ""), 0);
	cr_assert_gt(req.content_length, 1 << 30);
	http_request_free(&req);
}

struct id_case {
	char		 id[72];
	int		 ok;
};

ParameterizedTestParameters(http, request_ids)
{
	static struct id_case cases[] = {
		{ "a", 1 }, { "A-Z_a.z-0", 1 }, { "", 0 }, { "a b", 0 },
		{ "a/b", 0 }, { "é", 0 },
		{ "0123456789012345678901234567890123456789012345678901234567890123", 1 },
		{ "01234567890123456789012345678901234567890123456789012345678901234", 0 },
	};
	return cr_make_param_array(struct id_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct id_case *c, http, request_ids)
{
	cr_assert_eq(http_request_id_valid(c->id), c->ok, "%s", c->id);
}

Test(http, error_render_shape_and_headers)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct buf		 out = { 0 };

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	strcpy(req.request_id, "rid-1");
	http_error(&resp, LB_ERR_INVALID_API_KEY, NULL, "nope");
	http_response_render(&req, &resp, &out);
	cr_assert(strncmp(out.data, "Status: 401 Unauthorized\r\n", 26) == 0);
	cr_assert(strstr(out.data, "\r\nContent-Type: application/json; "
	    "charset=utf-8\r\n") != NULL);
	cr_assert(strstr(out.data, "\r\nCache-Control: no-store\r\n") != NULL);
	cr_assert(strstr(out.data, "\r\nX-Request-Id: rid-1\r\n") != NULL);
	cr_assert(strstr(out.data, "\r\nWWW-Authenticate: ApiKey\r\n") != NULL);
	cr_assert(strstr(out.data, "\r\n\r\n{\"error\":{\"code\":"
	    "\"invalid_api_key\",\"message\":\"nope\",\"request_id\":"
	    "\"rid-1\"}}") != NULL, "%s", out.data);
	buf_free(&out);
	http_response_free(&resp);
}

Test(http, error_field_from_client_is_made_printable)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct buf		 out = { 0 };

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	strcpy(req.request_id, "r");
	http_error(&resp, LB_ERR_UNKNOWN_PARAMETER, "a\x01\xff\"b", "m");
	http_response_render(&req, &resp, &out);
	cr_assert(strstr(out.data, "\"field\":\"a??\\\"b\"") != NULL, "%s",
	    out.data);
	buf_free(&out);
	http_response_free(&resp);
}

Test(http, no_content_has_no_body_or_type)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct buf		 out = { 0 };

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	strcpy(req.request_id, "r");
	resp.status = 204;
	http_response_render(&req, &resp, &out);
	cr_assert(strstr(out.data, "Content-Type") == NULL);
	cr_assert(strstr(out.data, "Cache-Control: no-store") != NULL);
	cr_assert_eq(out.data[out.len - 1], '\n');
	cr_assert(strcmp(out.data + out.len - 4, "\r\n\r\n") == 0);
	buf_free(&out);
	http_response_free(&resp);
}
