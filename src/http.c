#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOCKBOX_WITH_FCGI
#include "crypto.h"
#include "hex.h"
#include "http.h"
#include "validate.h"

static const struct {
	const char		*name;
	enum http_method	 method;
} methods[] = {
	{ "GET", HTTP_GET }, { "POST", HTTP_POST }, { "PATCH", HTTP_PATCH },
	{ "DELETE", HTTP_DELETE }, { "PUT", HTTP_PUT }, { "HEAD", HTTP_HEAD },
	{ "OPTIONS", HTTP_OPTIONS },
};

static const char *
env_get(char **envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

long
http_percent_decode(char *dst, const char *src, size_t n, int plus_is_space)
{
	size_t	 i, o = 0;
	int	 hi, lo;
	char	 c;

	for (i = 0; i < n; i++) {
		c = src[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hex_digit(src[i + 1]);
			lo = hex_digit(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == '\0')
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return (long)o;
}

int
http_request_id_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= HTTP_REQUEST_ID_MAX)
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n > 0;
}

static void
query_fail(struct http_request *req, enum lb_err e, const char *name)
{
	if (req->query_err != LB_OK)
		return;
	req->query_err = e;
	snprintf(req->query_err_field, sizeof(req->query_err_field), "%s",
	    name != NULL ? name : "");
}

void
http_query_parse(struct http_request *req, const char *qs)
{
	size_t		 qlen = strlen(qs), seg, eq;
	const char	*p = qs, *amp;
	char		*out;
	long		 nl, vl;

	if (qlen == 0)
		return;
	/* Decoded text is never longer than the source; two NULs per pair. */
	if ((req->query_store = malloc(qlen + 2 * HTTP_MAX_PARAMS + 2)) == NULL) {
		query_fail(req, LB_ERR_INVALID_PARAMETER, NULL);
		return;
	}
	out = req->query_store;
	while (*p != '\0') {
		amp = strchr(p, '&');
		seg = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if (seg == 0)
			goto next;	/* "a=1&&b=2" or a trailing '&' */
		if (req->nparams == HTTP_MAX_PARAMS) {
			query_fail(req, LB_ERR_INVALID_PARAMETER, NULL);
			return;
		}
		for (eq = 0; eq < seg && p[eq] != '='; eq++)
			;
		nl = http_percent_decode(out, p, eq, 1);
		if (nl <= 0) {
			query_fail(req, LB_ERR_INVALID_PARAMETER, NULL);
			return;
		}
		req->params[req->nparams].name = out;
		out += nl + 1;
		vl = eq < seg ? http_percent_decode(out, p + eq + 1,
		    seg - eq - 1, 1) : http_percent_decode(out, "", 0, 1);
		if (vl < 0) {
			query_fail(req, LB_ERR_INVALID_PARAMETER,
			    req->params[req->nparams].name);
			return;
		}
		req->params[req->nparams].value = out;
		out += vl + 1;
		req->nparams++;
next:
		if (amp == NULL)
			break;
		p = amp + 1;
	}
}

const char *
http_param(const struct http_request *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

/* Cuts the mount off the front of the decoded path. With base_path set,
 * the path must start with it (else no route: path NULL). Without, the
 * web server's PATH_INFO is the API's path when the decoded path ends in
 * it: what comes before is the mount (nginx's fastcgi_split_path_info, an
 * Apache alias or rewrite to lockbox.fcgi), and SCRIPT_NAME, which may
 * name a file the URL does not, is not needed. A PATH_INFO that is the
 * whole path, is not its end (normalised by the server) or is not an API
 * path (under /v1: a server that split the path inside the API) leaves
 * the path whole, as at the root. The mount must also stand as sent (no
 * escape in it), since it goes back out in links. */
static void
mount_cut(struct http_request *req, const char *pi, const char *base_path)
{
	size_t	 n = strlen(req->path), m;

	if (base_path[0] != '\0') {
		m = strlen(base_path);
		if (n < m || memcmp(req->path, base_path, m) != 0 ||
		    (req->path[m] != '/' && req->path[m] != '\0')) {
			free(req->path);
			req->path = NULL;
			return;
		}
	} else {
		if (pi == NULL || strncmp(pi, "/v1", 3) != 0 ||
		    (pi[3] != '/' && pi[3] != '\0') || strlen(pi) >= n ||
		    strcmp(req->path + n - strlen(pi), pi) != 0)
			return;
		m = n - strlen(pi);
		if (!valid_mount(req->path, m))
			return;
	}
	if (strncmp(req->raw_path, req->path, m) != 0) {
		free(req->path);
		req->path = NULL;
		return;
	}
	memcpy(req->mount, req->path, m);
	req->mount[m] = '\0';
	memmove(req->path, req->path + m, n - m + 1);
}

/* The path comes from REQUEST_URI, which nginx and Apache both set to the
 * request target as the client sent it; SCRIPT_NAME and PATH_INFO differ
 * between them (nginx puts the whole path in SCRIPT_NAME, Apache splits
 * it at the mount point), so they are only a fallback. */
static int
path_parse(struct http_request *req, char **envp, const char *base_path)
{
	const char	*uri, *sn, *pi, *q;
	size_t		 n;
	long		 dl;

	pi = env_get(envp, "PATH_INFO");
	if ((uri = env_get(envp, "REQUEST_URI")) != NULL) {
		q = strchr(uri, '?');
		n = q != NULL ? (size_t)(q - uri) : strlen(uri);
		if ((req->raw_path = strndup(uri, n)) == NULL)
			return -1;
	} else {
		sn = env_get(envp, "SCRIPT_NAME");
		n = (sn ? strlen(sn) : 0) + (pi ? strlen(pi) : 0);
		if ((req->raw_path = malloc(n + 1)) == NULL)
			return -1;
		snprintf(req->raw_path, n + 1, "%s%s", sn ? sn : "",
		    pi ? pi : "");
	}
	n = strlen(req->raw_path);
	if ((req->path = malloc(n + 1)) == NULL)
		return -1;
	dl = http_percent_decode(req->path, req->raw_path, n, 0);
	if (dl < 0) {
		/* Undecodable: no route can match it. */
		free(req->path);
		req->path = NULL;
	} else
		mount_cut(req, pi, base_path);
	return 0;
}

int
http_request_parse(struct http_request *req, char **envp,
    const char *base_path)
{
	const char	*v, *qs;
	size_t		 i;
	char		*end;
	unsigned char	 rnd[16];
	static const char hex[] = "0123456789abcdef";

	memset(req, 0, sizeof(*req));
	clock_gettime(CLOCK_MONOTONIC, &req->started);
	req->content_length = -1;

	req->method_name = env_get(envp, "REQUEST_METHOD");
	if (req->method_name == NULL)
		req->method_name = "";
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(req->method_name, methods[i].name) == 0)
			req->method = methods[i].method;

	if (path_parse(req, envp, base_path) < 0)
		return -1;
	if ((qs = env_get(envp, "QUERY_STRING")) != NULL)
		http_query_parse(req, qs);

	req->api_key = env_get(envp, "HTTP_X_API_KEY");
	req->idempotency_key = env_get(envp, "HTTP_IDEMPOTENCY_KEY");
	req->if_match = env_get(envp, "HTTP_IF_MATCH");
	req->content_type = env_get(envp, "CONTENT_TYPE");
	req->remote_addr = env_get(envp, "REMOTE_ADDR");
	if (req->content_type != NULL && *req->content_type == '\0')
		req->content_type = NULL;
	if ((v = env_get(envp, "CONTENT_LENGTH")) != NULL && *v != '\0') {
		/* The web server validated it; a value we cannot read is
		 * treated as huge so that it is refused, not trusted. */
		req->content_length = strtoll(v, &end, 10);
		if (*end != '\0' || req->content_length < 0 || v[0] == '-')
			req->content_length = (long long)1 << 62;
	}

	if ((v = env_get(envp, "HTTP_X_REQUEST_ID")) != NULL &&
	    http_request_id_valid(v))
		/* Valid means at most HTTP_REQUEST_ID_MAX characters. */
		memcpy(req->request_id, v, strlen(v) + 1);
	else {
		crypto_nonce(rnd, sizeof(rnd));
		for (i = 0; i < sizeof(rnd); i++) {
			req->request_id[2 * i] = hex[rnd[i] >> 4];
			req->request_id[2 * i + 1] = hex[rnd[i] & 0xf];
		}
		req->request_id[2 * sizeof(rnd)] = '\0';
	}
	return 0;
}

void
http_request_free(struct http_request *req)
{
	free(req->path);
	free(req->raw_path);
	free(req->query_store);
	free(req->args_store);
	req->path = req->raw_path = req->query_store = req->args_store = NULL;
	req->nparams = 0;
	buf_explicit_bzero(req->key_hash, sizeof(req->key_hash));
	buf_explicit_bzero(req->key_stored, sizeof(req->key_stored));
	buf_wipe(&req->key_hashes);
	req->key_shape = 0;
	req->key_rehash = 0;
}

/* Field names can come from the client (an unknown member or query
 * parameter): keep them printable ASCII so the error body stays valid. */
static void
copy_field(char *dst, size_t dstlen, const char *src)
{
	size_t	 i;

	for (i = 0; src[i] != '\0' && i + 1 < dstlen; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

enum lb_err
http_error(struct http_response *resp, enum lb_err e, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	resp->err = e;
	resp->status = error_status(e);
	resp->err_field[0] = '\0';
	if (field != NULL)
		copy_field(resp->err_field, sizeof(resp->err_field), field);
	va_start(ap, fmt);
	vsnprintf(resp->err_message, sizeof(resp->err_message), fmt, ap);
	va_end(ap);
	return e;
}

void
http_header(struct http_response *resp, const char *name, const char *value)
{
	buf_puts(&resp->headers, name);
	buf_puts(&resp->headers, ": ");
	buf_puts(&resp->headers, value);
	buf_puts(&resp->headers, "\r\n");
}

void
http_json(struct http_response *resp, int status)
{
	resp->status = status;
	resp->err = LB_OK;
}

void
http_response_render(const struct http_request *req,
    struct http_response *resp, struct buf *out)
{
	struct buf	 eb = { 0 };
	const struct buf *body = &resp->body;

	if (resp->status == 0)
		http_error(resp, LB_ERR_INTERNAL, NULL, "no response");
	if (resp->err != LB_OK) {
		buf_puts(&eb, "{\"error\":{\"code\":\"");
		buf_puts(&eb, error_code(resp->err));
		buf_puts(&eb, "\",\"message\":");
		buf_json_str(&eb, resp->err_message,
		    strlen(resp->err_message));
		if (resp->err_field[0] != '\0') {
			buf_puts(&eb, ",\"field\":");
			buf_json_str(&eb, resp->err_field,
			    strlen(resp->err_field));
		}
		buf_puts(&eb, ",\"request_id\":");
		buf_json_str(&eb, req->request_id, strlen(req->request_id));
		buf_puts(&eb, "}}");
		body = &eb;
		if (resp->err == LB_ERR_MISSING_API_KEY ||
		    resp->err == LB_ERR_INVALID_API_KEY)
			http_header(resp, "WWW-Authenticate", "ApiKey");
		if (error_status(resp->err) == 503)
			http_header(resp, "Retry-After", "1");
	}
	/* All at once: the body may hold a value, and growing the buffer
	 * while copying it would leave a copy in freed memory. */
	buf_reserve(out, body->len + resp->headers.len + 512);
	buf_puts(out, "Status: ");
	buf_put_i64(out, resp->status);
	buf_putc(out, ' ');
	buf_puts(out, error_reason(resp->status));
	buf_puts(out, "\r\n");
	if (resp->status != 204) {
		buf_puts(out, "Content-Type: application/json; "
		    "charset=utf-8\r\nContent-Length: ");
		buf_put_i64(out, (int64_t)body->len);
		buf_puts(out, "\r\n");
	}
	buf_puts(out, "Cache-Control: no-store\r\nX-Request-Id: ");
	buf_puts(out, req->request_id);
	buf_puts(out, "\r\n");
	buf_append(out, resp->headers.data, resp->headers.len);
	buf_puts(out, "\r\n");
	if (resp->status != 204)
		buf_append(out, body->data, body->len);
	buf_free(&eb);
}

void
http_response_reset(struct http_response *resp)
{
	resp->status = 0;
	resp->mount = NULL;
	resp->err = LB_OK;
	resp->err_field[0] = resp->err_message[0] = '\0';
	buf_reset(&resp->body);
	buf_reset(&resp->headers);
}

void
http_response_free(struct http_response *resp)
{
	buf_free(&resp->body);
	buf_free(&resp->headers);
}

int
http_body_drained(FCGX_Stream *in)
{
	return FCGX_GetChar(in) == EOF && FCGX_GetError(in) == 0;
}

enum lb_err
http_read_body(FCGX_Stream *in, struct http_request *req,
    struct buf *bodybuf, long max_body)
{
	size_t	 want;
	int	 n;

	buf_reset(bodybuf);
	if (req->content_length > (long long)max_body)
		return LB_ERR_PAYLOAD_TOO_LARGE;
	/* Without a declared length, read to the end but never keep more
	 * than one byte past the limit. */
	want = req->content_length >= 0 ? (size_t)req->content_length :
	    (size_t)max_body + 1;
	if (bodybuf->cap < (size_t)max_body + 2) {
		/* Sized once for the largest body, so that a secret is never
		 * left behind in memory released by a realloc. */
		buf_wipe(bodybuf);
		if ((bodybuf->data = malloc((size_t)max_body + 2)) == NULL)
			return LB_ERR_INTERNAL;
		bodybuf->cap = (size_t)max_body + 2;
	}
	while (bodybuf->len < want) {
		n = FCGX_GetStr(bodybuf->data + bodybuf->len,
		    (int)(want - bodybuf->len), in);
		if (n <= 0)
			break;
		bodybuf->len += (size_t)n;
	}
	bodybuf->data[bodybuf->len] = '\0';
	if (bodybuf->len > (size_t)max_body)
		return LB_ERR_PAYLOAD_TOO_LARGE;
	/* A body that stops short of its Content-Length (a peer that went
	 * away, or stalled until the timeout) is not the request that was
	 * announced: never act on part of it. */
	if (req->content_length >= 0 &&
	    bodybuf->len < (size_t)req->content_length)
		return LB_ERR_INVALID_JSON;
	req->body = bodybuf->data;
	req->body_len = bodybuf->len;
	return LB_OK;
}

int
http_send(FCGX_Stream *out, const struct buf *r)
{
	/* No flush: FCGX_Finish_r sends the rest with the end-of-request
	 * record, in one write. */
	if (r->len > 0 && FCGX_PutStr(r->data, (int)r->len, out) != (int)r->len)
		return -1;
	return 0;
}
