/* The small parsers at the edge, each against a reference written from
 * its contract:
 *   base64url_decode  only canonical unpadded base64url decodes, to
 *                     n*3/4 bytes that re-encode to the same text; and
 *                     encode then decode gives any bytes back;
 *   validate_id       ^[1-9][0-9]{0,18}$ within 1..2^63-1;
 *   validate_idempotency_key   1..255 characters 0x21-0x7E;
 *   validate_if_match "*" or a list; strong tags "N" with a valid id
 *                     become a PostgreSQL bigint[] literal, the rest
 *                     never match;
 *   apikey_parse      "lbk_" and 43 canonical base64url characters;
 *                     prefix = the first 12 characters, hash = SHA-256;
 *   http_request_id_valid  [A-Za-z0-9._-]{1,64};
 *   fcgihead_scan     any bytes, read as FastCGI records: once a prefix
 *                     is a ready head, so is every longer input.
 * Input: the bytes (base64url), and the text up to the first NUL (the
 * rest). */
#include "autoconfig.h"

#include "apikey.h"
#include "base64.h"
#include "crypto.h"
#include "fcgihead.h"
#include "fuzz_common.h"
#include "validate.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char		 key[APIKEY_LEN + 1], prefix[APIKEY_PREFIX_LEN + 1];
	char		 p2[APIKEY_PREFIX_LEN + 1];
	unsigned char	 h[CRYPTO_HASH_LEN], h2[CRYPTO_HASH_LEN];

	(void)argc;
	(void)argv;
	if (crypto_init() < 0)
		abort();
	/* A generated key parses to the same prefix and hash. */
	apikey_generate(key, prefix, h);
	if (apikey_parse(key, p2, h2) != 0 || strcmp(prefix, p2) != 0 ||
	    memcmp(h, h2, sizeof(h)) != 0)
		abort();
	return 0;
}

static int
b64val(int c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

/* Valid canonical unpadded base64url of n characters. */
static int
ref_b64_ok(const char *s, size_t n)
{
	size_t	 i;
	int	 last;

	if (n % 4 == 1)
		return 0;
	for (i = 0; i < n; i++)
		if (b64val((unsigned char)s[i]) < 0)
			return 0;
	if (n % 4 == 0)
		return 1;
	last = b64val((unsigned char)s[n - 1]);
	return n % 4 == 2 ? (last & 0x0f) == 0 : (last & 0x03) == 0;
}

/* A head is ready or not from what is queued so far: more bytes never
 * take "ready" back (the worker hands the connection over for good). Every
 * prefix, in an allocation of its own size, so that ASan sees an overrun. */
static void
check_fcgihead(const uint8_t *data, size_t size)
{
	unsigned char	*p;
	enum fcgihead	 whole = fcgihead_scan(data, size), h;
	size_t		 i;

	FUZZ_CHECK("fcgihead-range", whole == FCGIHEAD_PARTIAL ||
	    whole == FCGIHEAD_READY || whole == FCGIHEAD_MGMT, "not a result");
	for (i = 0; i < size && i < 512; i++) {
		if ((p = malloc(i ? i : 1)) == NULL)
			abort();
		memcpy(p, data, i);
		h = fcgihead_scan(p, i);
		free(p);
		FUZZ_CHECK("fcgihead-ready-stays", h != FCGIHEAD_READY ||
		    whole == FCGIHEAD_READY, "a longer input is not ready");
	}
}

static void
check_base64(const uint8_t *data, size_t size)
{
	unsigned char	*out, *back;
	char		*enc, *re;
	size_t		 room = size * 3 / 4;
	long		 n;

	/* Exactly the room the contract promises, so ASan sees an overrun. */
	if ((out = malloc(room ? room : 1)) == NULL)
		abort();
	n = base64url_decode(out, (const char *)data, size);
	FUZZ_CHECK("base64-ref", (n >= 0) == ref_b64_ok((const char *)data,
	    size), "base64url_decode and the reference disagree");
	if (n >= 0) {
		FUZZ_CHECK("base64-len", (size_t)n == room,
		    "a decoded length other than n*3/4");
		if ((re = malloc(BASE64URL_LEN((size_t)n) + 1)) == NULL)
			abort();
		base64url_encode(re, out, (size_t)n);
		FUZZ_CHECK("base64-canonical", strlen(re) == size &&
		    memcmp(re, data, size) == 0,
		    "decoded text does not re-encode to itself");
		free(re);
	}
	free(out);

	/* Encode then decode any bytes. */
	if ((enc = malloc(BASE64URL_LEN(size) + 1)) == NULL ||
	    (back = malloc(size + 1)) == NULL)
		abort();
	base64url_encode(enc, data, size);
	FUZZ_CHECK("base64-enc-len", strlen(enc) == BASE64URL_LEN(size),
	    "an encoding of the wrong length");
	n = base64url_decode(back, enc, BASE64URL_LEN(size));
	FUZZ_CHECK("base64-roundtrip", n == (long)size &&
	    memcmp(back, data, size) == 0, "encode then decode lost bytes");
	free(enc);
	free(back);
}

static int
ref_id(const char *s, int64_t *out)
{
	size_t		 i, n = strlen(s);
	uint64_t	 v = 0;

	if (n < 1 || n > 19 || s[0] < '1' || s[0] > '9')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return 0;
	*out = (int64_t)v;
	return 1;
}

/* If-Match, as README puts it: "*" alone (or followed by a space) is no
 * condition; otherwise a comma-separated list whose strong tags "N" with
 * a valid id can match, in order. */
static int
ref_if_match(const char *h, struct buf *arr)
{
	const char	*p = h, *q;
	char		*tag;
	size_t		 n;
	int64_t		 v;
	int		 first = 1;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '*' && (p[1] == '\0' || p[1] == ' '))
		return 0;
	buf_putc(arr, '{');
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		n = (size_t)(q - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= 3 && p[0] == '"' && p[n - 1] == '"') {
			if ((tag = strndup(p + 1, n - 2)) == NULL)
				abort();
			if (ref_id(tag, &v)) {
				if (!first)
					buf_putc(arr, ',');
				buf_printf(arr, "%lld", (long long)v);
				first = 0;
			}
			free(tag);
		}
		p = q;
	}
	buf_putc(arr, '}');
	return 1;
}

static int
ref_apikey(const char *k)
{
	return strlen(k) == APIKEY_LEN && memcmp(k, "lbk_", 4) == 0 &&
	    ref_b64_ok(k + 4, APIKEY_LEN - 4);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_response	 resp;
	struct buf		 a = { 0 }, b = { 0 };
	char			*s, prefix[APIKEY_PREFIX_LEN + 2];
	unsigned char		 hash[CRYPTO_HASH_LEN], h2[CRYPTO_HASH_LEN];
	int64_t			 id = 0, rid = 0;
	size_t			 i, n;
	int			 ra, rb, ok;

	check_base64(data, size);
	check_fcgihead(data, size);

	s = fuzz_cstr(data, size);
	n = strlen(s);
	memset(&resp, 0, sizeof(resp));

	ok = validate_id(s, &id, &resp) == LB_OK;
	FUZZ_CHECK("id-ref", ok == ref_id(s, &rid) && (!ok || id == rid),
	    "validate_id and the reference disagree");
	FUZZ_CHECK("id-code", ok || resp.err == LB_ERR_INVALID_ID,
	    "an invalid id without invalid_id");
	http_response_reset(&resp);

	ok = validate_idempotency_key(s, &resp) == LB_OK;
	for (i = 0; i < n && s[i] >= 0x21 && s[i] <= 0x7e; i++)
		;
	FUZZ_CHECK("idempotency-ref", ok == (n >= 1 && n <= 255 && i == n),
	    "validate_idempotency_key and the reference disagree");
	http_response_reset(&resp);
	FUZZ_CHECK("idempotency-null", validate_idempotency_key(NULL, &resp) ==
	    LB_OK, "an absent key refused");

	ra = validate_if_match(s, &a);
	rb = ref_if_match(s, &b);
	FUZZ_CHECK("if-match-ref", ra == rb && (ra == 0 ||
	    (!a.oom && strcmp(a.data, b.data) == 0)),
	    "validate_if_match and the reference disagree");
	FUZZ_CHECK("if-match-null", validate_if_match(NULL, &a) == 0,
	    "an absent If-Match is a condition");
	buf_free(&a);
	buf_free(&b);

	memset(prefix, 'x', sizeof(prefix));
	ok = apikey_parse(s, prefix, hash) == 0;
	FUZZ_CHECK("apikey-ref", ok == ref_apikey(s),
	    "apikey_parse and the reference disagree");
	if (ok) {
		crypto_hash(s, APIKEY_LEN, h2);
		FUZZ_CHECK("apikey-prefix", memcmp(prefix, s,
		    APIKEY_PREFIX_LEN) == 0 && prefix[APIKEY_PREFIX_LEN] == '\0'
		    && prefix[APIKEY_PREFIX_LEN + 1] == 'x',
		    "the prefix is not the key's first 12 characters");
		FUZZ_CHECK("apikey-hash", memcmp(hash, h2, sizeof(h2)) == 0,
		    "the hash is not SHA-256 of the key");
	}

	FUZZ_CHECK("request-id-ref", http_request_id_valid(s) == (n >= 1 &&
	    n <= HTTP_REQUEST_ID_MAX && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") == n),
	    "http_request_id_valid and the reference disagree");

	http_response_free(&resp);
	free(s);
	return 0;
}
