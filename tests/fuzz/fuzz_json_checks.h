/* Properties of the JSON body path, shared by fuzz_json.c and
 * fuzz_patch.c (header only). */
#ifndef LOCKBOX_FUZZ_JSON_CHECKS_H
#define LOCKBOX_FUZZ_JSON_CHECKS_H

#include "fuzz_common.h"
#include "validate.h"

#define CREATE_PREFIX	"POST /v1/admin/secrets\n"

/* json_parse_object on the input: NULL (with a reason) or an object of
 * valid UTF-8. The scanner accepting what json-c then refuses is a bug
 * (json.c says so). */
static inline struct json_object *
fuzz_json_parse(const uint8_t *data, size_t size)
{
	struct json_object	*o;
	char			 why[160];

	why[0] = '\0';
	o = json_parse_object((const char *)data, size, why, sizeof(why));
	if (o == NULL) {
		FUZZ_CHECK("json-why", why[0] != '\0', "NULL without a reason");
		FUZZ_CHECK("json-scanner-vs-json-c",
		    strcmp(why, "the body could not be parsed") != 0,
		    "the strict scanner accepted text json-c refused");
		FUZZ_CHECK("json-oom", strcmp(why, "out of memory") != 0,
		    "out of memory");
		return NULL;
	}
	FUZZ_CHECK("json-object", json_object_is_type(o, json_type_object),
	    "not an object");
	FUZZ_CHECK("json-tree-utf8", fuzz_tree_utf8(o),
	    "a string or name in the tree that is not valid UTF-8");
	return o;
}

/* Values in a tree, itself included. */
static inline size_t
fuzz_json_values(struct json_object *o)
{
	size_t	 n = 1, k, len;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, v) {
			(void)key;
			n += fuzz_json_values(v);
		}
		return n;
	}
	case json_type_array:
		len = json_object_array_length(o);
		for (k = 0; k < len; k++)
			n += fuzz_json_values(json_object_array_get_idx(o, k));
		return n;
	default:
		return n;
	}
}

/* The edge (validate_json_body: the scanner with the create or PATCH
 * shape, before json-c) against json_parse_object's tree o of the same
 * body (NULL: refused):
 *   - a body json_parse_object refuses, the edge refuses;
 *   - a body the edge lets through gives the same tree, of at most
 *     1 + 5 + 50 (create) or 100 (PATCH) values: what json-c may build;
 *   - a body it refuses for its shape is strict JSON, and validation of
 *     the whole tree refuses it with the same code (but a PATCH's
 *     metadata of over 100 members, which the store refuses instead);
 *     the answer renders in the contract's shape. */
static inline void
fuzz_check_shaped(const uint8_t *data, size_t size, struct json_object *o,
    int patch)
{
	struct http_request	 req;
	struct http_response	 resp, whole;
	struct secret_input	 in;
	struct json_object	*t = NULL, *m;
	enum lb_err		 e, w;

	memset(&req, 0, sizeof(req));
	snprintf(req.request_id, sizeof(req.request_id), "fuzz-shape");
	req.content_type = "application/json";
	req.body = (const char *)data;
	req.body_len = size;
	memset(&resp, 0, sizeof(resp));
	memset(&whole, 0, sizeof(whole));
	e = validate_json_body(&req, &resp, patch, &t);
	if (o == NULL) {
		FUZZ_CHECK("shape-refuses", e != LB_OK,
		    "the edge accepted a body json_parse_object refuses");
		goto out;
	}
	if (e == LB_OK) {
		FUZZ_CHECK("shape-same-tree", json_object_equal(o, t),
		    "the edge's tree differs from json_parse_object's");
		FUZZ_CHECK("shape-bounded", fuzz_json_values(t) <= (size_t)(6 +
		    (patch ? METADATA_PATCH_MAX_MEMBERS :
		    METADATA_MAX_MEMBERS)), "json-c built more values than the "
		    "shape allows");
		goto out;
	}
	FUZZ_CHECK("shape-strict", e != LB_ERR_INVALID_JSON,
	    "invalid_json for a body json_parse_object accepts");
	w = patch ? validate_patch(o, &in, &whole) :
	    validate_create(o, &in, &whole);
	FUZZ_CHECK("shape-same-code", w == e || (patch && w == LB_OK &&
	    json_object_object_get_ex(o, "metadata", &m) &&
	    json_object_object_length(m) > METADATA_PATCH_MAX_MEMBERS),
	    "the edge refused a shape with another code than validation "
	    "does");
	fuzz_check_rendered(&req, &resp);
out:
	json_free_wiped(t);
	http_response_free(&resp);
	http_response_free(&whole);
}

/* json_canonical is deterministic: the canonical form is itself strict
 * JSON, and canonicalising its parse gives the same bytes again. */
static inline void
fuzz_json_canonical_fixpoint(struct json_object *o)
{
	struct buf		 c1 = { 0 }, c2 = { 0 };
	struct json_object	*o2;
	char			 why[160];

	json_canonical(&c1, o);
	FUZZ_CHECK("canonical-oom", !c1.oom && c1.data != NULL,
	    "out of memory");
	o2 = json_parse_object(c1.data, c1.len, why, sizeof(why));
	if (o2 == NULL)
		fprintf(stderr, "canonical form rejected: %s\n", why);
	FUZZ_CHECK("canonical-is-json", o2 != NULL,
	    "the canonical form is not strict JSON");
	json_canonical(&c2, o2);
	FUZZ_CHECK("canonical-fixpoint", !c2.oom && c1.len == c2.len &&
	    memcmp(c1.data, c2.data, c1.len) == 0,
	    "canonical(parse(canonical(x))) != canonical(x)");
	FUZZ_CHECK("canonical-equal", json_object_equal(o, o2),
	    "the canonical form parses to another value");
	json_free_wiped(o2);
	buf_wipe(&c1);
	buf_wipe(&c2);
}

static inline int
fuzz_has_control(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

static inline int
fuzz_slug_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 1 || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || (i > 0 && (s[i] == '_' || s[i] == '-'))))
			return 0;
	return 1;
}

static inline int
fuzz_meta_name_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 1 || n > METADATA_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/* A checked secret_input obeys the contract's member rules. */
static inline void
fuzz_check_input(const struct secret_input *in, int merge)
{
	if (in->has & SM_NAME) {
		FUZZ_CHECK("input-name", in->name != NULL &&
		    in->name_len >= 1 && in->name_len <= NAME_MAX_BYTES &&
		    memchr(in->name, '\0', in->name_len) == NULL &&
		    !fuzz_has_control(in->name, in->name_len) &&
		    fuzz_utf8_valid(in->name, in->name_len, 0),
		    "a name outside the contract passed");
	}
	if (in->has & SM_VALUE)
		FUZZ_CHECK("input-value", in->value != NULL &&
		    in->value_len >= 1 && in->value_len <= VALUE_MAX_BYTES &&
		    memchr(in->value, '\0', in->value_len) == NULL,
		    "a value outside the contract passed");
	if (in->provider_slug != NULL)
		FUZZ_CHECK("input-slug", fuzz_slug_ok(in->provider_slug),
		    "an invalid provider_slug passed");
	if (in->description != NULL)
		FUZZ_CHECK("input-description", strlen(in->description) <=
		    DESCRIPTION_MAX_BYTES, "a description over 1024 bytes");
	if (in->metadata != NULL) {
		FUZZ_CHECK("input-metadata-object",
		    json_object_is_type(in->metadata, json_type_object),
		    "metadata that is not an object");
		FUZZ_CHECK("input-metadata-count", merge ||
		    json_object_object_length(in->metadata) <=
		    METADATA_MAX_MEMBERS, "more than 50 metadata members");
		json_object_object_foreach(in->metadata, key, v) {
			FUZZ_CHECK("input-metadata-name", fuzz_meta_name_ok(key),
			    "an invalid metadata name passed");
			if (merge && json_object_is_type(v, json_type_null))
				continue;
			FUZZ_CHECK("input-metadata-value",
			    json_object_is_type(v, json_type_string) &&
			    json_object_get_string_len(v) <=
			    METADATA_VALUE_MAX && memchr(json_object_get_string(v),
			    '\0', (size_t)json_object_get_string_len(v)) == NULL,
			    "an invalid metadata value passed");
		}
	}
	if (!merge)
		FUZZ_CHECK("input-required", (in->has & (SM_NAME | SM_VALUE)) ==
		    (SM_NAME | SM_VALUE), "a create without name or value");
	else
		FUZZ_CHECK("input-nonempty", in->has != 0, "an empty patch");
}

/* secrets.c's fingerprint(): the canonical text of a create body holds the
 * secret value, so it reserves body_len + 256 bytes up front and wipes
 * them: the buffer must never move (a realloc would leave a copy of the
 * value in freed memory). */
static inline void
fuzz_check_fingerprint_buffer(struct json_object *o, size_t body_len)
{
	struct buf	 b = { 0 };
	const char	*before;
	size_t		 cap;

	FUZZ_CHECK("fingerprint-reserve", buf_reserve(&b, body_len + 256) == 0,
	    "out of memory");
	before = b.data;
	cap = b.cap;
	buf_puts(&b, CREATE_PREFIX);
	json_canonical(&b, o);
	if ((b.data != before || b.cap != cap) &&
	    !fuzz_open("fingerprint-buffer-moved"))
		fprintf(stderr, "fingerprint text of a %zu-byte body needs "
		    "%zu bytes; %zu were reserved\n", body_len, b.len,
		    body_len + 256);
	FUZZ_CHECK("fingerprint-buffer-moved", b.data == before &&
	    b.cap == cap, "the fingerprint buffer was reallocated: a copy "
	    "of the secret value is left in freed memory");
	buf_wipe(&b);
}

/* What a create stores as metadata (json_write) is strict JSON with the
 * same members. */
static inline void
fuzz_check_metadata_write(struct json_object *m)
{
	struct buf		 b = { 0 };
	struct json_object	*o;
	char			 why[160];

	json_write(&b, m);
	FUZZ_CHECK("metadata-write-oom", !b.oom, "out of memory");
	o = json_parse_object(b.data, b.len, why, sizeof(why));
	FUZZ_CHECK("metadata-write-json", o != NULL,
	    "json_write gave text that is not strict JSON");
	FUZZ_CHECK("metadata-write-equal", json_object_equal(o, m),
	    "json_write changed the metadata");
	json_free_wiped(o);
	buf_free(&b);
}

/* Parses validate_metadata_split's remove list, a PostgreSQL text[]
 * literal {"a","b"}; returns the number of names, or -1 when malformed.
 * names[] point into a copy the caller frees (*store). */
static inline int
fuzz_parse_text_array(const char *s, char **names, int max, char **store)
{
	char	*p, *q;
	int	 n = 0;

	*store = strdup(s);
	if (*store == NULL)
		abort();
	p = *store;
	if (*p++ != '{')
		return -1;
	if (*p == '}')
		return p[1] == '\0' ? 0 : -1;
	for (;;) {
		if (*p++ != '"')
			return -1;
		if ((q = strchr(p, '"')) == NULL)
			return -1;
		*q = '\0';
		if (n == max || !fuzz_meta_name_ok(p))
			return -1;
		names[n++] = p;
		p = q + 1;
		if (*p == ',') {
			p++;
			continue;
		}
		return (*p == '}' && p[1] == '\0') ? n : -1;
	}
}

/* validate_metadata_split on a checked merge patch: "set" is a strict
 * JSON object holding exactly the string members, "remove" a text[]
 * literal of exactly the null members. Returns set's tree (caller frees)
 * and fills rm[0..max) and *nrm; *rmstore owns the names (caller frees). */
static inline struct json_object *
fuzz_check_split(struct json_object *patch, char **rm, int max, int *nrm,
    char **rmstore)
{
	struct buf		 set = { 0 }, remove = { 0 };
	struct json_object	*so, *v2;
	char			 why[160];
	int			 nnull = 0, nstr = 0, i;

	validate_metadata_split(patch, &set, &remove);
	FUZZ_CHECK("split-oom", !set.oom && !remove.oom, "out of memory");
	so = json_parse_object(set.data, set.len, why, sizeof(why));
	FUZZ_CHECK("split-set-json", so != NULL,
	    "the set half is not strict JSON");
	*nrm = fuzz_parse_text_array(remove.data, rm, max, rmstore);
	FUZZ_CHECK("split-remove-literal", *nrm >= 0,
	    "the remove half is not a text[] literal of metadata names");
	json_object_object_foreach(patch, key, v) {
		if (json_object_is_type(v, json_type_null)) {
			nnull++;
			for (i = 0; i < *nrm; i++)
				if (strcmp(rm[i], key) == 0)
					break;
			FUZZ_CHECK("split-remove-member", i < *nrm,
			    "a null member missing from the remove list");
			FUZZ_CHECK("split-not-set",
			    !json_object_object_get_ex(so, key, NULL),
			    "a null member in the set half");
		} else {
			nstr++;
			FUZZ_CHECK("split-set-member",
			    json_object_object_get_ex(so, key, &v2) &&
			    json_object_equal(v, v2),
			    "a string member lost or changed in the set half");
		}
	}
	FUZZ_CHECK("split-counts", *nrm == nnull &&
	    json_object_object_length(so) == nstr,
	    "the halves hold members the patch does not");
	buf_free(&set);
	buf_free(&remove);
	return so;
}

#endif
