#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/printbuf.h>

#include "json.h"

struct scan {
	const unsigned char	*p, *end;
	int			 depth;
	uint32_t		*counts;	/* members per object, pre-order */
	size_t			 nobj, capobj;
	const char		*err;
	/* With a shape (json_parse_shaped; else NULL): */
	const struct json_shape	*shape;
	struct json_report	*r;
	int			 off;		/* left the shape: no json-c */
	int			 member;	/* names[] index, or -1 */
	int			 in_inner;	/* in member's own object */
	char			 name[JSON_NAME_MAX];	/* the last name */
	size_t			 nfit, nlen;	/* its bytes kept, and all */
};

static int value(struct scan *);

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
fail(struct scan *s, const char *why)
{
	if (s->err == NULL)
		s->err = why;
	return -1;
}

static int
hex4(struct scan *s, unsigned *out)
{
	unsigned	 v = 0;
	int		 i;
	unsigned char	 c;

	if (s->end - s->p < 4)
		return fail(s, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		c = s->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return fail(s, "bad \\u escape");
	}
	s->p += 4;
	*out = v;
	return 0;
}

/* One UTF-8 sequence at s->p (first byte >= 0x80): shortest form only,
 * no surrogates, nothing above U+10FFFF. */
static int
utf8(struct scan *s)
{
	const unsigned char	*p = s->p;
	size_t			 left = (size_t)(s->end - p), n, i;
	unsigned char		 lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 1;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 2;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 3;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return fail(s, "invalid UTF-8");
	if (left < n + 1)
		return fail(s, "invalid UTF-8");
	if (p[1] < lo || p[1] > hi)
		return fail(s, "invalid UTF-8");
	for (i = 2; i <= n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return fail(s, "invalid UTF-8");
	s->p += n + 1;
	return 0;
}

/* Keeps n more bytes of the name being read, while they fit: a name
 * that does not is known by nfit < nlen, and matches no member. */
static void
name_put(struct scan *s, const void *b, size_t n)
{
	if (s->nfit == s->nlen && s->nfit + n < sizeof(s->name)) {
		memcpy(s->name + s->nfit, b, n);
		s->nfit += n;
		s->name[s->nfit] = '\0';
	}
	s->nlen += n;
}

static void
name_put_cp(struct scan *s, unsigned cp)
{
	unsigned char	 b[4];
	size_t		 n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	name_put(s, b, n);
}

/* A string at s->p. With decode, it is a member name the shape needs:
 * it goes, decoded, into s->name. */
static int
string(struct scan *s, int is_name, int decode)
{
	static const char	 esc[] = "\"\\/bfnrt";
	static const char	 val[] = "\"\\/\b\f\n\r\t";
	const unsigned char	*from;
	const char		*e;
	unsigned		 u, u2;
	unsigned char		 c;

	s->p++;		/* the opening quote */
	if (decode) {
		s->nfit = s->nlen = 0;
		s->name[0] = '\0';
	}
	for (;;) {
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		c = *s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return fail(s, "control character in a string "
			    "(escape it)");
		if (c >= 0x80) {
			from = s->p;
			if (utf8(s) < 0)
				return -1;
			if (decode)
				name_put(s, from, (size_t)(s->p - from));
			continue;
		}
		s->p++;
		if (c != '\\') {
			if (decode)
				name_put(s, &c, 1);
			continue;
		}
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		c = *s->p++;
		if (c != '\0' && (e = strchr(esc, c)) != NULL) {
			if (decode)
				name_put(s, &val[e - esc], 1);
			continue;
		}
		if (c != 'u')
			return fail(s, "unknown escape in a string");
		if (hex4(s, &u) < 0)
			return -1;
		/* json-c keeps names as C strings: "a\u0000b" would become
		 * "a" and could pass for another member. */
		if (u == 0 && is_name)
			return fail(s, "NUL in a member name");
		if (u >= 0xdc00 && u <= 0xdfff)
			return fail(s, "lone low surrogate escape");
		if (u >= 0xd800 && u <= 0xdbff) {
			if (s->end - s->p < 2 || s->p[0] != '\\' ||
			    s->p[1] != 'u')
				return fail(s, "lone high surrogate escape");
			s->p += 2;
			if (hex4(s, &u2) < 0)
				return -1;
			if (u2 < 0xdc00 || u2 > 0xdfff)
				return fail(s, "lone high surrogate escape");
			u = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
		}
		if (decode)
			name_put_cp(s, u);
	}
}

static int
digits(struct scan *s)
{
	const unsigned char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : fail(s, "malformed number");
}

static int
number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (s->p < s->end && *s->p >= '1' && *s->p <= '9') {
		if (digits(s) < 0)
			return -1;
	} else
		return fail(s, "malformed number");
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s) < 0)
			return -1;
	}
	return 0;
}

static int
literal(struct scan *s, const char *word)
{
	size_t	 n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "unexpected character");
	s->p += n;
	return 0;
}

/* The body left its shape: json-c will not see it. Of several faults of
 * one member the first is kept, but too many members wins, as the edge
 * has always checked the count first. */
static void
fault(struct scan *s, int member, enum json_fault f)
{
	struct json_report	*r = s->r;

	s->off = 1;
	if (r->fault[member] != JSON_FAULT_NONE && f != JSON_FAULT_TOO_MANY)
		return;
	r->fault[member] = (unsigned char)f;
	if (f == JSON_FAULT_INNER && r->inner_of < 0) {
		r->inner_of = member;
		memcpy(r->inner, s->name, s->nfit + 1);
	}
}

/* A member name of the body, just read: sets s->member to its index in
 * the shape's names, or -1. A name seen before is a syntax error here,
 * as it is for json_parse_object. */
static int
top_member(struct scan *s)
{
	struct json_report	*r = s->r;
	unsigned		 i;

	s->member = -1;
	for (i = 0; s->nfit == s->nlen && i < s->shape->nnames; i++)
		if (strcmp(s->name, s->shape->names[i]) == 0)
			break;
	if (s->nfit != s->nlen || i == s->shape->nnames) {
		s->off = 1;
		if (!r->has_unknown) {
			r->has_unknown = 1;
			memcpy(r->unknown, s->name, s->nfit + 1);
		}
		return 0;
	}
	if (r->present & (1u << i))
		return fail(s, "a member name appears twice in one object");
	r->present |= 1u << i;
	s->member = (int)i;
	return 0;
}

/* A '{' or '[' about to be read as a value, with a shape. Level 1 is
 * the body's object; level 2 may only be a member's own object. Deeper,
 * the member that holds it was found at fault already. */
static void
container(struct scan *s, int is_object)
{
	if (s->depth == 1 && s->member >= 0 && (!is_object ||
	    !(s->shape->objects & (1u << s->member))))
		fault(s, s->member, JSON_FAULT_NOT_SCALAR);
	else if (s->depth == 2 && s->in_inner)
		fault(s, s->member, JSON_FAULT_INNER);
}

static int
object(struct scan *s)
{
	size_t		 me = SIZE_MAX;
	uint32_t	*grown, n = 0;
	int		 inner;

	if (++s->depth > JSON_MAX_DEPTH)
		return fail(s, "nested too deeply");
	/* Counted for json_parse_shaped only while the body has its shape:
	 * 1 + k objects at most. */
	if (!s->off) {
		if (s->nobj == s->capobj) {
			s->capobj = s->capobj ? s->capobj * 2 : 8;
			if ((grown = realloc(s->counts, s->capobj *
			    sizeof(*grown))) == NULL)
				return fail(s, "out of memory");
			s->counts = grown;
		}
		me = s->nobj++;
		s->counts[me] = 0;
	}
	/* A member's own object (level 2 of a body of the right shape). */
	if ((inner = s->shape != NULL && s->depth == 2 && s->member >= 0 &&
	    (s->shape->objects & (1u << s->member))))
		s->in_inner = 1;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}')
		goto done;
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return fail(s, "expected a member name in quotes");
		if (string(s, 1, s->shape != NULL && s->depth <= 2) < 0)
			return -1;
		if (s->shape != NULL && s->depth == 1 && top_member(s) < 0)
			return -1;
		if (inner && ++n > s->shape->max_inner)
			fault(s, s->member, JSON_FAULT_TOO_MANY);
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, "expected ':' after a member name");
		s->p++;
		ws(s);
		if (value(s) < 0)
			return -1;
		if (me != SIZE_MAX)
			s->counts[me]++;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == '}')
			goto done;
		return fail(s, "expected ',' or '}' in an object");
	}
done:
	s->p++;
	s->depth--;
	if (inner)
		s->in_inner = 0;
	return 0;
}

static int
array(struct scan *s)
{
	if (++s->depth > JSON_MAX_DEPTH)
		return fail(s, "nested too deeply");
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (value(s) < 0)
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			s->depth--;
			return 0;
		}
		return fail(s, "expected ',' or ']' in an array");
	}
}

static int
value(struct scan *s)
{
	if (s->p >= s->end)
		return fail(s, "unexpected end of the body");
	if (s->shape != NULL && (*s->p == '{' || *s->p == '['))
		container(s, *s->p == '{');
	switch (*s->p) {
	case '{': return object(s);
	case '[': return array(s);
	case '"': return string(s, 0, 0);
	case 't': return literal(s, "true");
	case 'f': return literal(s, "false");
	case 'n': return literal(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return number(s);
		return fail(s, "unexpected character");
	}
}

/* json-c keeps the last of duplicate members; the scanner counted them
 * all. Walking both in the same order, the first object whose counts
 * differ is one with a repeated member. */
static int
same_counts(struct json_object *o, const uint32_t *counts, size_t n,
    size_t *i)
{
	size_t	 k, len;

	switch (json_object_get_type(o)) {
	case json_type_object:
		if (*i >= n || (size_t)json_object_object_length(o) != counts[*i])
			return 0;
		(*i)++;
		{
			json_object_object_foreach(o, key, v) {
				(void)key;
				if (!same_counts(v, counts, n, i))
					return 0;
			}
		}
		return 1;
	case json_type_array:
		len = json_object_array_length(o);
		for (k = 0; k < len; k++)
			if (!same_counts(json_object_array_get_idx(o, k),
			    counts, n, i))
				return 0;
		return 1;
	default:
		return 1;
	}
}

enum json_result
json_parse_shaped(const char *text, size_t len,
    const struct json_shape *shape, struct json_report *r,
    struct json_object **out)
{
	struct scan		 s;
	struct json_tokener	*tok = NULL;
	struct json_object	*o = NULL;
	enum json_result	 res = JSON_INVALID;
	size_t			 i = 0;

	memset(r, 0, sizeof(*r));
	r->inner_of = -1;
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)text;
	s.end = s.p + len;
	s.shape = shape;
	s.r = r;
	s.member = -1;
	if (len > INT32_MAX) {
		snprintf(r->why, sizeof(r->why), "the body is too large");
		goto out;
	}
	ws(&s);
	if (s.p >= s.end || *s.p != '{') {
		snprintf(r->why, sizeof(r->why),
		    "the body must be one JSON object");
		goto out;
	}
	if (object(&s) < 0)
		goto bad;
	ws(&s);
	if (s.p != s.end) {
		fail(&s, "characters after the JSON object");
		goto bad;
	}
	/* Strict JSON of the wrong shape: json-c never sees it. */
	if (s.off) {
		res = JSON_MISSHAPEN;
		goto out;
	}

	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1)) == NULL)
		goto oom;
	/* Grow json-c's string buffer once to the body's size, so parsing
	 * never reallocs it and leaves pieces of a value in freed memory;
	 * it is wiped below. (The field is documented as internal; json-c
	 * offers no other way to own that memory.) */
	if (printbuf_memset(tok->pb, 0, 0, (int)len + 1) < 0)
		goto oom;
	printbuf_reset(tok->pb);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		/* The scanner accepted it: json-c disagreeing is a bug. */
		snprintf(r->why, sizeof(r->why), "the body could not be "
		    "parsed");
		goto drop;
	}
	if (!same_counts(o, s.counts, s.nobj, &i)) {
		snprintf(r->why, sizeof(r->why), "a member name appears twice "
		    "in one object");
		goto drop;
	}
	res = JSON_OK;
	goto out;
bad:
	snprintf(r->why, sizeof(r->why), "%s at byte %zu",
	    s.err ? s.err : "malformed",
	    (size_t)(s.p - (const unsigned char *)text));
	goto out;
oom:
	snprintf(r->why, sizeof(r->why), "out of memory");
drop:
	json_free_wiped(o);
	o = NULL;
out:
	if (tok != NULL) {
		explicit_bzero(tok->pb->buf, (size_t)tok->pb->size);
		json_tokener_free(tok);
	}
	free(s.counts);
	*out = o;
	return res;
}

struct json_object *
json_parse_object(const char *text, size_t len, char *why, size_t whylen)
{
	struct json_report	 r;
	struct json_object	*o;

	if (json_parse_shaped(text, len, NULL, &r, &o) != JSON_OK)
		snprintf(why, whylen, "%s", r.why);
	return o;
}

static void
wipe(struct json_object *o)
{
	size_t	 k, len;

	switch (json_object_get_type(o)) {
	case json_type_string:
		explicit_bzero((char *)(uintptr_t)json_object_get_string(o),
		    (size_t)json_object_get_string_len(o));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, v) {
			(void)key;
			wipe(v);
		}
		break;
	}
	case json_type_array:
		len = json_object_array_length(o);
		for (k = 0; k < len; k++)
			wipe(json_object_array_get_idx(o, k));
		break;
	default:
		break;
	}
}

void
json_free_wiped(struct json_object *o)
{
	if (o == NULL)
		return;
	wipe(o);
	json_object_put(o);
}

static int
member_cmp(const void *a, const void *b)
{
	const char	*x = *(const char *const *)a;
	const char	*y = *(const char *const *)b;

	return strcmp(x, y);
}

void
json_canonical(struct buf *b, struct json_object *o)
{
	const char	**names;
	size_t		  n, i, k;

	switch (json_object_get_type(o)) {
	case json_type_null:
		buf_puts(b, "null");
		return;
	case json_type_boolean:
		buf_puts(b, json_object_get_boolean(o) ? "true" : "false");
		return;
	case json_type_string:
		buf_json_str(b, json_object_get_string(o),
		    (size_t)json_object_get_string_len(o));
		return;
	case json_type_array:
		buf_putc(b, '[');
		n = json_object_array_length(o);
		for (k = 0; k < n; k++) {
			if (k > 0)
				buf_putc(b, ',');
			json_canonical(b, json_object_array_get_idx(o, k));
		}
		buf_putc(b, ']');
		return;
	case json_type_object:
		n = (size_t)json_object_object_length(o);
		if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL) {
			b->oom = 1;
			return;
		}
		i = 0;
		{
			json_object_object_foreach(o, key, v) {
				(void)v;
				names[i++] = key;
			}
		}
		/* Member names hold no NUL: the scanner's \u0000 in a name
		 * would make strcmp order ambiguous, so such names sort by
		 * their prefix; validation rejects them anyway. */
		qsort(names, n, sizeof(*names), member_cmp);
		buf_putc(b, '{');
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(b, ',');
			buf_json_str(b, names[i], strlen(names[i]));
			buf_putc(b, ':');
			json_canonical(b, json_object_object_get(o, names[i]));
		}
		buf_putc(b, '}');
		free(names);
		return;
	default:
		/* Numbers: their text as json-c holds it. Bodies with numbers
		 * never pass validation, so they are never fingerprinted. */
		buf_puts(b, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN));
		return;
	}
}

void
json_write(struct buf *b, struct json_object *o)
{
	int	 first = 1;

	if (!json_object_is_type(o, json_type_object)) {
		json_canonical(b, o);
		return;
	}
	buf_putc(b, '{');
	{
		json_object_object_foreach(o, key, v) {
			if (!first)
				buf_putc(b, ',');
			first = 0;
			buf_json_str(b, key, strlen(key));
			buf_putc(b, ':');
			json_canonical(b, v);
		}
	}
	buf_putc(b, '}');
}
