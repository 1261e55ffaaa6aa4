/* A second, independent reading of "strict RFC 8259" as README and json.h
 * define it for request bodies, for fuzz_json.c to compare with
 * json_parse_object:
 *   one object, optional whitespace around it ([ \t\n\r]);
 *   objects and arrays nested at most JSON_MAX_DEPTH deep (the body's
 *   object is level 1);
 *   strings: valid shortest-form UTF-8 without surrogates, no raw
 *   character below 0x20, escapes \" \\ \/ \b \f \n \r \t \uXXXX, UTF-16
 *   surrogates only as a high-low pair;
 *   member names: no U+0000, and no name twice in one object (compared
 *   after decoding, so "a" and "\u0061" are the same name);
 *   numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?;
 *   true, false, null; nothing else.
 * Header only; written from the grammar, not from json.c. */
#ifndef LOCKBOX_FUZZ_JSON_REF_H
#define LOCKBOX_FUZZ_JSON_REF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jref {
	const unsigned char	*s;
	size_t			 n, i;
	int			 depth;
};

struct jref_name {
	unsigned char	*b;
	size_t		 n;
};

static int jref_value(struct jref *);

static void
jref_ws(struct jref *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
	    r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static int
jref_hex4(struct jref *r, uint32_t *out)
{
	uint32_t	 v = 0;
	int		 k;

	if (r->n - r->i < 4)
		return 0;
	for (k = 0; k < 4; k++) {
		unsigned char c = r->s[r->i + k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return 0;
	}
	r->i += 4;
	*out = v;
	return 1;
}

static void
jref_put(struct jref_name *nm, uint32_t cp)
{
	if (cp < 0x80)
		nm->b[nm->n++] = (unsigned char)cp;
	else if (cp < 0x800) {
		nm->b[nm->n++] = (unsigned char)(0xc0 | cp >> 6);
		nm->b[nm->n++] = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		nm->b[nm->n++] = (unsigned char)(0xe0 | cp >> 12);
		nm->b[nm->n++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		nm->b[nm->n++] = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		nm->b[nm->n++] = (unsigned char)(0xf0 | cp >> 18);
		nm->b[nm->n++] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		nm->b[nm->n++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		nm->b[nm->n++] = (unsigned char)(0x80 | (cp & 0x3f));
	}
}

/* A string at r->i (the opening quote). When nm is not NULL, the decoded
 * bytes go there (room: the raw length is always enough). */
static int
jref_string(struct jref *r, struct jref_name *nm)
{
	uint32_t	 cp, lo;
	size_t		 len, k;

	r->i++;
	for (;;) {
		unsigned char c;

		if (r->i >= r->n)
			return 0;
		c = r->s[r->i];
		if (c == '"') {
			r->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++r->i >= r->n)
				return 0;
			c = r->s[r->i++];
			switch (c) {
			case '"': cp = '"'; break;
			case '\\': cp = '\\'; break;
			case '/': cp = '/'; break;
			case 'b': cp = 8; break;
			case 'f': cp = 12; break;
			case 'n': cp = 10; break;
			case 'r': cp = 13; break;
			case 't': cp = 9; break;
			case 'u':
				if (!jref_hex4(r, &cp))
					return 0;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return 0;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (r->n - r->i < 2 ||
					    r->s[r->i] != '\\' ||
					    r->s[r->i + 1] != 'u')
						return 0;
					r->i += 2;
					if (!jref_hex4(r, &lo) || lo < 0xdc00 ||
					    lo > 0xdfff)
						return 0;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
				}
				break;
			default:
				return 0;
			}
			if (nm != NULL) {
				if (cp == 0)
					return 0;	/* NUL in a name */
				jref_put(nm, cp);
			}
			continue;
		}
		if (c < 0x80) {
			len = 1;
			cp = c;
		} else {
			if (c >= 0xc2 && c <= 0xdf)
				len = 2, cp = c & 0x1f;
			else if (c >= 0xe0 && c <= 0xef)
				len = 3, cp = c & 0x0f;
			else if (c >= 0xf0 && c <= 0xf4)
				len = 4, cp = c & 0x07;
			else
				return 0;
			if (r->n - r->i < len)
				return 0;
			for (k = 1; k < len; k++) {
				if ((r->s[r->i + k] & 0xc0) != 0x80)
					return 0;
				cp = cp << 6 | (r->s[r->i + k] & 0x3f);
			}
			if ((len == 3 && cp < 0x800) ||
			    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				return 0;
		}
		if (nm != NULL)
			for (k = 0; k < len; k++)
				nm->b[nm->n++] = r->s[r->i + k];
		r->i += len;
	}
}

static int
jref_digits(struct jref *r)
{
	size_t	 start = r->i;

	while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
		r->i++;
	return r->i > start;
}

static int
jref_number(struct jref *r)
{
	if (r->s[r->i] == '-')
		r->i++;
	if (r->i >= r->n)
		return 0;
	if (r->s[r->i] == '0')
		r->i++;
	else if (r->s[r->i] >= '1' && r->s[r->i] <= '9')
		jref_digits(r);
	else
		return 0;
	if (r->i < r->n && r->s[r->i] == '.') {
		r->i++;
		if (!jref_digits(r))
			return 0;
	}
	if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		if (!jref_digits(r))
			return 0;
	}
	return 1;
}

static int
jref_word(struct jref *r, const char *w)
{
	size_t	 n = strlen(w);

	if (r->n - r->i < n || memcmp(r->s + r->i, w, n) != 0)
		return 0;
	r->i += n;
	return 1;
}

static int
jref_object(struct jref *r)
{
	struct jref_name	*names = NULL, nm;
	size_t			 nnames = 0, cap = 0, k;
	int			 ok = 0;

	if (++r->depth > JSON_MAX_DEPTH)
		return 0;
	r->i++;
	jref_ws(r);
	if (r->i < r->n && r->s[r->i] == '}') {
		r->i++;
		r->depth--;
		return 1;
	}
	for (;;) {
		if (r->i >= r->n || r->s[r->i] != '"')
			goto out;
		if ((nm.b = malloc(r->n - r->i + 1)) == NULL)
			abort();
		nm.n = 0;
		if (!jref_string(r, &nm)) {
			free(nm.b);
			goto out;
		}
		for (k = 0; k < nnames; k++)
			if (names[k].n == nm.n &&
			    memcmp(names[k].b, nm.b, nm.n) == 0)
				break;
		if (nnames == cap) {
			struct jref_name *g;

			cap = cap ? 2 * cap : 8;
			if ((g = realloc(names, cap * sizeof(*g))) == NULL)
				abort();
			names = g;
		}
		names[nnames++] = nm;
		if (k < nnames - 1)
			goto out;	/* a name twice */
		jref_ws(r);
		if (r->i >= r->n || r->s[r->i] != ':')
			goto out;
		r->i++;
		jref_ws(r);
		if (!jref_value(r))
			goto out;
		jref_ws(r);
		if (r->i < r->n && r->s[r->i] == ',') {
			r->i++;
			jref_ws(r);
			continue;
		}
		if (r->i < r->n && r->s[r->i] == '}') {
			r->i++;
			r->depth--;
			ok = 1;
		}
		goto out;
	}
out:
	for (k = 0; k < nnames; k++)
		free(names[k].b);
	free(names);
	return ok;
}

static int
jref_array(struct jref *r)
{
	if (++r->depth > JSON_MAX_DEPTH)
		return 0;
	r->i++;
	jref_ws(r);
	if (r->i < r->n && r->s[r->i] == ']') {
		r->i++;
		r->depth--;
		return 1;
	}
	for (;;) {
		if (!jref_value(r))
			return 0;
		jref_ws(r);
		if (r->i < r->n && r->s[r->i] == ',') {
			r->i++;
			jref_ws(r);
			continue;
		}
		if (r->i < r->n && r->s[r->i] == ']') {
			r->i++;
			r->depth--;
			return 1;
		}
		return 0;
	}
}

static int
jref_value(struct jref *r)
{
	if (r->i >= r->n)
		return 0;
	switch (r->s[r->i]) {
	case '{': return jref_object(r);
	case '[': return jref_array(r);
	case '"': return jref_string(r, NULL);
	case 't': return jref_word(r, "true");
	case 'f': return jref_word(r, "false");
	case 'n': return jref_word(r, "null");
	default:
		if (r->s[r->i] == '-' ||
		    (r->s[r->i] >= '0' && r->s[r->i] <= '9'))
			return jref_number(r);
		return 0;
	}
}

/* 1 when text[0..len) is a body the contract accepts as JSON. */
static inline int
fuzz_json_ref_accepts(const uint8_t *text, size_t len)
{
	struct jref	 r = { text, len, 0, 0 };

	jref_ws(&r);
	if (r.i >= r.n || r.s[r.i] != '{' || !jref_object(&r))
		return 0;
	jref_ws(&r);
	return r.i == r.n;
}

#endif
