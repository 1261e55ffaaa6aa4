/* Query strings: http_percent_decode, http_query_parse, then
 * validate_list_query on the result, each against a small reference
 * written from the README's rules:
 *   '+' is a space; %XX escapes are decoded; a malformed escape or one
 *   that decodes to NUL is 400 invalid_parameter; empty segments are
 *   ignored; at most HTTP_MAX_PARAMS parameters; limit is ASCII digits
 *   (leading zeros allowed) within 1..100; provider_slug matches
 *   ^[a-z0-9][a-z0-9_-]{0,62}$; an empty cursor is invalid_cursor;
 *   include is "value"; ids is a comma-separated list of ids (no empty
 *   item, at most 100 distinct and 1000 in all).
 *
 * Input: the raw bytes (for http_percent_decode, NULs included) and the
 * same bytes up to the first NUL as the QUERY_STRING. */
#include "autoconfig.h"

#include "fuzz_common.h"
#include "validate.h"

static int
ref_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reference decoder: -1 or the decoded length. */
static long
ref_decode(char *dst, const char *src, size_t n, int plus)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			if (n - i < 3 || ref_hex(src[i + 1]) < 0 ||
			    ref_hex(src[i + 2]) < 0)
				return -1;
			c = ref_hex(src[i + 1]) * 16 + ref_hex(src[i + 2]);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == 0)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (long)o;
}

static void
check_decode(const uint8_t *data, size_t size, int plus)
{
	char	*a = malloc(size + 1), *b = malloc(size + 1);
	long	 na, nb;

	if (a == NULL || b == NULL)
		abort();
	/* dst holds exactly n + 1 bytes, as the contract says: ASan
	 * catches a write past it. */
	na = http_percent_decode(a, (const char *)data, size, plus);
	nb = ref_decode(b, (const char *)data, size, plus);
	FUZZ_CHECK("percent-decode-ref", na == nb,
	    "http_percent_decode and the reference disagree on validity "
	    "or length");
	if (na >= 0) {
		FUZZ_CHECK("percent-decode-ref", memcmp(a, b,
		    (size_t)na + 1) == 0, "decoded bytes differ");
		FUZZ_CHECK("percent-decode-nul", memchr(a, '\0',
		    (size_t)na) == NULL, "a NUL inside decoded text");
	}
	free(a);
	free(b);
}

struct ref_param {
	char	*name, *value;
};

/* Reference query parser: returns the error (LB_OK or
 * LB_ERR_INVALID_PARAMETER), the parameters decoded before it, and the
 * field the error names ("" or the parameter). */
static enum lb_err
ref_query(const char *qs, struct ref_param *out, size_t *nout,
    char *field, size_t fieldlen)
{
	const char	*p = qs;
	size_t		 seg, eq;
	long		 nl, vl;

	*nout = 0;
	field[0] = '\0';
	while (*p != '\0') {
		const char *amp = strchr(p, '&');

		seg = amp ? (size_t)(amp - p) : strlen(p);
		if (seg > 0) {
			if (*nout == HTTP_MAX_PARAMS)
				return LB_ERR_INVALID_PARAMETER;
			for (eq = 0; eq < seg && p[eq] != '='; eq++)
				;
			out[*nout].name = malloc(eq + 1);
			out[*nout].value = malloc(seg + 1);
			if (!out[*nout].name || !out[*nout].value)
				abort();
			nl = ref_decode(out[*nout].name, p, eq, 1);
			if (nl <= 0) {
				free(out[*nout].name);
				free(out[*nout].value);
				return LB_ERR_INVALID_PARAMETER;
			}
			vl = eq < seg ? ref_decode(out[*nout].value, p + eq + 1,
			    seg - eq - 1, 1) : ref_decode(out[*nout].value, "",
			    0, 1);
			if (vl < 0) {
				snprintf(field, fieldlen, "%s",
				    out[*nout].name);
				free(out[*nout].name);
				free(out[*nout].value);
				return LB_ERR_INVALID_PARAMETER;
			}
			(*nout)++;
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return LB_OK;
}

static int
ref_slug(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 1 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '_' || c == '-'))
			continue;
		return 0;
	}
	return 1;
}

/* limit: 1..12 ASCII digits (leading zeros allowed) worth 1..100. */
static int
ref_limit(const char *v, int *out)
{
	size_t	 i, n = strlen(v);
	long	 x = 0;

	if (n < 1 || n > 12)
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		x = x * 10 + (v[i] - '0');
	}
	if (x < 1 || x > LIMIT_MAX)
		return 0;
	*out = (int)x;
	return 1;
}

/* An id: 1 to 19 ASCII digits, no leading zero, at most 2^63-1. */
static int
ref_id(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long	 x = 0;
	size_t			 i;

	if (n < 1 || n > 19 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		x = x * 10 + (unsigned long long)(s[i] - '0');
	}
	if (x > 9223372036854775807ULL)
		return 0;
	*out = x;
	return 1;
}

/* ids: how many distinct, or -1 when malformed. */
static int
ref_ids(const char *v)
{
	static unsigned long long seen[IDS_MAX_ITEMS];
	unsigned long long	 x;
	const char		*p = v, *c;
	size_t			 n = 0, i, distinct = 0;

	for (;;) {
		c = strchr(p, ',');
		if (n == IDS_MAX_ITEMS || !ref_id(p, c ? (size_t)(c - p) :
		    strlen(p), &x))
			return -1;
		for (i = 0; i < n && seen[i] != x; i++)
			;
		if (i == n)
			distinct++;
		seen[n++] = x;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return distinct > IDS_MAX ? -1 : (int)distinct;
}

static const char *
ref_param_get(const struct ref_param *p, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct list_query	 q;
	struct ref_param	 rp[HTTP_MAX_PARAMS];
	size_t			 nrp, i, qlen;
	char			 field[64], *qs;
	enum lb_err		 re, e;
	const char		*rlimit, *rslug, *rcursor, *rinclude, *rids;
	int			 lim = LIMIT_DEFAULT, want_ok;

	check_decode(data, size, 0);
	check_decode(data, size, 1);

	qs = fuzz_cstr(data, size);
	qlen = strlen(qs);
	memset(&req, 0, sizeof(req));
	snprintf(req.request_id, sizeof(req.request_id), "fuzz-query");
	http_query_parse(&req, qs);

	re = ref_query(qs, rp, &nrp, field, sizeof(field));
	FUZZ_CHECK("query-ref-err", req.query_err == re,
	    "http_query_parse and the reference disagree on validity");
	FUZZ_CHECK("query-ref-count", req.nparams == nrp,
	    "different number of parameters");
	FUZZ_CHECK("query-ref-field", re == LB_OK ||
	    strcmp(req.query_err_field, field) == 0,
	    "the error names another field");
	FUZZ_CHECK("query-max-params", req.nparams <= HTTP_MAX_PARAMS,
	    "too many parameters kept");
	for (i = 0; i < req.nparams && i < nrp; i++) {
		const char *lo = req.query_store;
		const char *hi = lo + qlen + 2 * HTTP_MAX_PARAMS + 2;

		FUZZ_CHECK("query-store-bounds", req.params[i].name >= lo &&
		    req.params[i].name < hi && req.params[i].value >= lo &&
		    req.params[i].value < hi,
		    "a parameter outside query_store");
		FUZZ_CHECK("query-ref-name",
		    strcmp(req.params[i].name, rp[i].name) == 0,
		    "a parameter name differs from the reference");
		FUZZ_CHECK("query-ref-value",
		    strcmp(req.params[i].value, rp[i].value) == 0,
		    "a parameter value differs from the reference");
		FUZZ_CHECK("query-name-nonempty", req.params[i].name[0] != '\0',
		    "an empty parameter name");
	}

	/* The list route's checks, on whatever the parse kept. */
	memset(&resp, 0, sizeof(resp));
	e = validate_list_query(&req, &q, &resp);
	rlimit = ref_param_get(rp, nrp, "limit");
	rslug = ref_param_get(rp, nrp, "provider_slug");
	rcursor = ref_param_get(rp, nrp, "cursor");
	rinclude = ref_param_get(rp, nrp, "include");
	rids = ref_param_get(rp, nrp, "ids");
	want_ok = (rlimit == NULL || ref_limit(rlimit, &lim)) &&
	    (rslug == NULL || ref_slug(rslug)) &&
	    (rcursor == NULL || rcursor[0] != '\0') &&
	    (rinclude == NULL || strcmp(rinclude, "value") == 0) &&
	    (rids == NULL || ref_ids(rids) >= 0);
	if (req.nparams == nrp) {
		FUZZ_CHECK("list-query-ref", (e == LB_OK) == want_ok,
		    "validate_list_query and the reference disagree");
		if (e == LB_OK) {
			FUZZ_CHECK("list-query-limit", q.limit == lim,
			    "another limit than the reference");
			FUZZ_CHECK("list-query-slug", (q.provider_slug == NULL) ==
			    (rslug == NULL), "provider_slug lost or invented");
			FUZZ_CHECK("list-query-ids", q.nids == (rids == NULL ?
			    0 : ref_ids(rids)), "another count of ids");
			for (i = 1; i < (size_t)q.nids; i++)
				FUZZ_CHECK("list-query-ids-order",
				    q.ids[i - 1] > q.ids[i],
				    "ids not distinct and descending");
		}
	}
	if (e != LB_OK) {
		FUZZ_CHECK("list-query-code", e == LB_ERR_INVALID_PARAMETER ||
		    e == LB_ERR_INVALID_CURSOR, "an unexpected error code");
		fuzz_check_rendered(&req, &resp);
	}
	http_response_free(&resp);

	/* What the router answers for a malformed query string and for a
	 * parameter the route does not take: the client's bytes end up in
	 * the "field" of an error body. */
	memset(&resp, 0, sizeof(resp));
	if (req.query_err != LB_OK) {
		http_error(&resp, req.query_err, req.query_err_field[0] ?
		    req.query_err_field : NULL, "the query string is malformed");
		fuzz_check_rendered(&req, &resp);
	}
	for (i = 0; i < req.nparams; i++) {
		http_response_reset(&resp);
		http_error(&resp, LB_ERR_UNKNOWN_PARAMETER, req.params[i].name,
		    "this route takes no query parameter of that name");
		fuzz_check_rendered(&req, &resp);
	}
	http_response_free(&resp);

	for (i = 0; i < nrp; i++) {
		free(rp[i].name);
		free(rp[i].value);
	}
	http_request_free(&req);
	free(qs);
	return 0;
}
