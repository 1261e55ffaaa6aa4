/* Helpers shared by the libFuzzer harnesses in tests/fuzz/ (header only:
 * every harness is one .c file linked with the project's sources).
 *
 * A violated property ends the run with FUZZ_CHECK: one line on stderr,
 *   fuzz property violated [TAG] at file:line: condition -- detail
 * then __builtin_trap(), which libFuzzer reports as a crash and saves the
 * input. TAG names the property; tests/fuzz/run uses it as the crash's
 * signature (see tests/fuzz/open-findings).
 *
 * LOCKBOX_FUZZ_OPEN="tag1 tag2" (set by tests/fuzz/run from
 * tests/fuzz/open-findings while fuzzing) turns those properties off, so
 * that a bug already found and not yet fixed does not stop the search for
 * others. The committed regression inputs run without it. */
#ifndef LOCKBOX_FUZZ_COMMON_H
#define LOCKBOX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "http.h"
#include "json.h"

/* Whether tag is listed in $LOCKBOX_FUZZ_OPEN. */
static inline int
fuzz_open(const char *tag)
{
	static const char	*open;
	static int		 init;
	const char		*p;
	size_t			 n = strlen(tag);

	if (!init) {
		open = getenv("LOCKBOX_FUZZ_OPEN");
		init = 1;
	}
	for (p = open; p != NULL && (p = strstr(p, tag)) != NULL; p += n)
		if ((p == open || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

#define FUZZ_CHECK(tag, cond, detail) do {				\
	if (!(cond) && !fuzz_open(tag)) {				\
		fprintf(stderr, "fuzz property violated [%s] at %s:%d: "	\
		    "%s -- %s\n", (tag), __FILE__, __LINE__, #cond,	\
		    (detail));						\
		__builtin_trap();					\
	}								\
} while (0)

/* A NUL-terminated copy of data[0..size) (embedded NULs stay: strlen
 * stops at the first). Never NULL. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Strict UTF-8 (RFC 3629: shortest form, no surrogates, <= U+10FFFF). */
static inline int
fuzz_utf8_valid(const char *str, size_t n, int allow_nul)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, k, len;
	uint32_t		 cp;

	while (i < n) {
		unsigned char c = s[i];

		if (c < 0x80) {
			if (c == 0 && !allow_nul)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* Every string and member name in a parsed tree is valid UTF-8; names hold
 * no NUL. */
static inline int
fuzz_tree_utf8(struct json_object *o)
{
	size_t	 k, len;

	switch (json_object_get_type(o)) {
	case json_type_string:
		return fuzz_utf8_valid(json_object_get_string(o),
		    (size_t)json_object_get_string_len(o), 1);
	case json_type_object: {
		json_object_object_foreach(o, key, v) {
			if (!fuzz_utf8_valid(key, strlen(key), 0) ||
			    !fuzz_tree_utf8(v))
				return 0;
		}
		return 1;
	}
	case json_type_array:
		len = json_object_array_length(o);
		for (k = 0; k < len; k++)
			if (!fuzz_tree_utf8(json_object_array_get_idx(o, k)))
				return 0;
		return 1;
	default:
		return 1;
	}
}

/* Renders resp as the worker would (http_response_render) and checks what
 * a client receives: header lines without stray CR/LF, and for an error a
 * body that is one strict JSON object {"error":{"code":...}} in valid
 * UTF-8 whose code is the contract's string for resp->err. Leaves resp
 * allocated (the caller frees it). */
static inline void
fuzz_check_rendered(const struct http_request *req_in,
    struct http_response *resp)
{
	struct http_request	 req;
	struct buf		 out = { 0 };
	struct json_object	*o, *err, *code;
	const char		*body, *p;
	char			 why[160];
	size_t			 blen, hlen;

	req = *req_in;
	if (!http_request_id_valid(req.request_id))
		snprintf(req.request_id, sizeof(req.request_id), "fuzz-req");
	http_response_render(&req, resp, &out);
	FUZZ_CHECK("render-oom", !out.oom && out.data != NULL,
	    "http_response_render ran out of memory");
	body = strstr(out.data, "\r\n\r\n");
	FUZZ_CHECK("render-headers", body != NULL,
	    "no blank line after the headers");
	hlen = (size_t)(body - out.data) + 2;
	/* Every header line ends in CRLF; no bare CR or LF inside one. */
	for (p = out.data; p < out.data + hlen; p++) {
		if (*p == '\r')
			FUZZ_CHECK("render-header-crlf", p[1] == '\n',
			    "bare CR in a header");
		if (*p == '\n')
			FUZZ_CHECK("render-header-crlf", p > out.data &&
			    p[-1] == '\r', "bare LF in a header");
	}
	body += 4;
	blen = out.len - (size_t)(body - out.data);
	if (resp->err != LB_OK) {
		FUZZ_CHECK("error-body-utf8", fuzz_utf8_valid(body, blen, 0),
		    "an error body that is not UTF-8");
		o = json_parse_object(body, blen, why, sizeof(why));
		FUZZ_CHECK("error-body-json", o != NULL,
		    "an error body that is not one strict JSON object");
		FUZZ_CHECK("error-body-shape",
		    json_object_object_get_ex(o, "error", &err) &&
		    json_object_object_get_ex(err, "code", &code) &&
		    json_object_is_type(code, json_type_string) &&
		    strcmp(json_object_get_string(code),
		    error_code(resp->err)) == 0,
		    "an error body without the contract's code");
		json_free_wiped(o);
	}
	buf_free(&out);
}

#endif
