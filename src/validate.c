#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "validate.h"

/* A mount path: "/a/b", unreserved characters only, no empty, "." or
 * ".." segment, no trailing slash. Nothing to decode or escape: it goes
 * back out as it came, in Location and in the OpenAPI document. */
int
valid_mount(const char *s, size_t n)
{
	size_t	 i, seg = 0;

	if (n < 2 || n > HTTP_MOUNT_MAX || s[0] != '/' || s[n - 1] == '/')
		return 0;
	for (i = 1; i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (i - seg - 1 == 0 || (i - seg - 1 == 1 &&
			    s[seg + 1] == '.') || (i - seg - 1 == 2 &&
			    s[seg + 1] == '.' && s[seg + 2] == '.'))
				return 0;
			seg = i;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '.' || s[i] == '_' || s[i] == '~'))
			return 0;
	}
	return 1;
}

int
valid_provider_slug(const char *s, size_t n)
{
	size_t	 i;

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

int
valid_metadata_name(const char *s, size_t n)
{
	size_t	 i;

	if (n < 1 || n > METADATA_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/* C0, DEL and C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F). The input is valid
 * UTF-8, so a C2 lead byte always has a continuation byte. */
int
has_control_char(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] == 0xc2 && i + 1 < n && p[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

int
valid_utf8(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, len;
	uint32_t		 cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* application/json or application/merge-patch+json, with parameters;
 * a charset, if any, must be UTF-8. */
static int
media_type_ok(const char *ct, int merge_patch)
{
	const char	*semi, *p, *v;
	size_t		 n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	semi = strchr(ct, ';');
	n = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (!((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (merge_patch && n == 28 &&
	    strncasecmp(ct, "application/merge-patch+json", 28) == 0)))
		return 0;
	for (p = semi; p != NULL; p = strchr(p + 1, ';')) {
		v = p + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, "charset=", 8) != 0)
			continue;
		v += 8;
		if (*v == '"')
			v++;
		if (strncasecmp(v, "utf-8", 5) != 0 ||
		    (v[5] != '\0' && v[5] != ';' && v[5] != '"' &&
		    v[5] != ' '))
			return 0;
	}
	return 1;
}

/* The members of a create or PATCH body, in the order the edge checks
 * and reports them; SM_* is the bit of each one's index. */
static const char *const member_names[] = {
	"name", "value", "provider_slug", "description", "metadata",
};
#define NMEMBERS	(sizeof(member_names) / sizeof(member_names[0]))
#define ALLOWED		"allowed: name, value, provider_slug, description, " \
			"metadata"
_Static_assert(SM_METADATA == 1 << (NMEMBERS - 1), "SM_* follow members");

/* What each member must be, said when it is an array or an object. */
static const char *const member_kinds[] = {
	"a string", "a string", "null or match ^[a-z0-9][a-z0-9_-]{0,62}$",
	"a string or null", "an object",
};

/* The shapes json-c may build (json.h): a body of the 5 members, scalars
 * but metadata, an object of scalars. So json-c holds at most 1 + 5 +
 * max_inner values (107 for a PATCH), its strings and text buffer at most
 * the body's size each: a request costs a worker about 4 times its body
 * (the body, json-c's text buffer, its strings, the create's canonical
 * text or the metadata written back) and 64 KiB more, whatever is sent
 * and before any key is checked.
 *
 * A create's metadata holds at most 50 members. A PATCH's is a merge
 * patch whose result must hold at most 50 (the store checks that): 50
 * removals of stored members and 50 new ones reach any result, so a
 * patch with more than 100 members only removes names that cannot be
 * stored or sets more than 50: it is refused before json-c builds it. */
static const struct json_shape create_shape = {
	member_names, NMEMBERS, SM_METADATA, METADATA_MAX_MEMBERS,
};
static const struct json_shape patch_shape = {
	member_names, NMEMBERS, SM_METADATA, METADATA_PATCH_MAX_MEMBERS,
};

static enum lb_err
metadata_name_error(struct http_response *resp)
{
	return http_error(resp, LB_ERR_INVALID_FIELD, "metadata",
	    "metadata member names must match ^[A-Za-z0-9_.-]{1,40}$");
}

static enum lb_err
metadata_value_error(struct http_response *resp, const char *key,
    int merge)
{
	char	 field[64];

	snprintf(field, sizeof(field), "metadata.%s", key);
	return http_error(resp, LB_ERR_INVALID_FIELD, field,
	    "metadata values must be strings%s", merge ?
	    " (or null to remove one)" : "");
}

/* A body of the wrong shape, in check_members' order: an unknown
 * member, a missing one (name, value: members 0 and 1), then the members
 * at fault in their order. */
static enum lb_err
misshapen(const struct json_report *r, int merge,
    struct http_response *resp)
{
	size_t	 i;

	if (r->has_unknown)
		return http_error(resp, LB_ERR_UNKNOWN_FIELD, r->unknown,
		    "unknown member; " ALLOWED);
	for (i = 0; !merge && i < 2; i++)
		if (!(r->present & (1u << i)))
			return http_error(resp, LB_ERR_MISSING_FIELD,
			    member_names[i], "%s is required", member_names[i]);
	for (i = 0; i < NMEMBERS; i++) {
		switch (r->fault[i]) {
		case JSON_FAULT_NOT_SCALAR:
			return http_error(resp, LB_ERR_INVALID_FIELD,
			    member_names[i], "%s must be %s%s", member_names[i],
			    member_kinds[i], merge && (1u << i) == SM_METADATA ?
			    " or null" : "");
		case JSON_FAULT_TOO_MANY:
			return http_error(resp, LB_ERR_INVALID_FIELD,
			    member_names[i], merge ? "a metadata patch may "
			    "have at most %d members" : "metadata may have at "
			    "most %d members", merge ?
			    METADATA_PATCH_MAX_MEMBERS : METADATA_MAX_MEMBERS);
		case JSON_FAULT_INNER:
			if (!valid_metadata_name(r->inner, strlen(r->inner)))
				return metadata_name_error(resp);
			return metadata_value_error(resp, r->inner, merge);
		default:
			break;
		}
	}
	return http_error(resp, LB_ERR_INVALID_JSON, NULL,
	    "the body is not valid JSON");
}

enum lb_err
validate_json_body(const struct http_request *req,
    struct http_response *resp, int merge_patch, struct json_object **out)
{
	struct json_report	 r;

	*out = NULL;
	if (!media_type_ok(req->content_type, merge_patch))
		return http_error(resp, LB_ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
		    merge_patch ? "send Content-Type: application/json or "
		    "application/merge-patch+json" :
		    "send Content-Type: application/json");
	if (req->body_len == 0)
		return http_error(resp, LB_ERR_INVALID_JSON, NULL,
		    "the body is empty; send one JSON object");
	switch (json_parse_shaped(req->body, req->body_len, merge_patch ?
	    &patch_shape : &create_shape, &r, out)) {
	case JSON_OK:
		return LB_OK;
	case JSON_MISSHAPEN:
		return misshapen(&r, merge_patch, resp);
	default:
		return http_error(resp, LB_ERR_INVALID_JSON, NULL,
		    "the body is not valid JSON: %s", r.why);
	}
}

static enum lb_err
check_string(struct json_object *v, const char *field, size_t min,
    size_t max, int no_controls, const char **out, size_t *outlen,
    struct http_response *resp)
{
	const char	*s;
	size_t		 n;

	if (!json_object_is_type(v, json_type_string))
		return http_error(resp, LB_ERR_INVALID_FIELD, field,
		    "%s must be a string", field);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n < min || n > max)
		return http_error(resp, LB_ERR_INVALID_FIELD, field,
		    "%s must be %zu to %zu bytes of UTF-8", field, min, max);
	/* PostgreSQL text cannot hold NUL, and a value must not either. */
	if (memchr(s, '\0', n) != NULL)
		return http_error(resp, LB_ERR_INVALID_FIELD, field,
		    "%s must not contain NUL", field);
	if (no_controls && has_control_char(s, n))
		return http_error(resp, LB_ERR_INVALID_FIELD, field,
		    "%s must not contain control characters", field);
	*out = s;
	if (outlen != NULL)
		*outlen = n;
	return LB_OK;
}

/* Metadata on create (merge == 0: every member a string) or in a PATCH
 * (merge == 1: a member may be null, which removes it). */
static enum lb_err
check_metadata(struct json_object *m, int merge, struct http_response *resp)
{
	char		 field[64];
	const char	*s;
	size_t		 n;

	if (!json_object_is_type(m, json_type_object))
		return http_error(resp, LB_ERR_INVALID_FIELD, "metadata",
		    "metadata must be an object%s", merge ? " or null" : "");
	if (!merge && json_object_object_length(m) > METADATA_MAX_MEMBERS)
		return http_error(resp, LB_ERR_INVALID_FIELD, "metadata",
		    "metadata may have at most %d members",
		    METADATA_MAX_MEMBERS);
	{
		json_object_object_foreach(m, key, v) {
			if (!valid_metadata_name(key, strlen(key)))
				return metadata_name_error(resp);
			if (merge && json_object_is_type(v, json_type_null))
				continue;
			if (!json_object_is_type(v, json_type_string))
				return metadata_value_error(resp, key, merge);
			snprintf(field, sizeof(field), "metadata.%s", key);
			if (check_string(v, field, 0, METADATA_VALUE_MAX, 0, &s,
			    &n, resp) != LB_OK)
				return resp->err;
		}
	}
	return LB_OK;
}

static enum lb_err
check_members(struct json_object *o, struct secret_input *in, int merge,
    struct http_response *resp)
{
	struct json_object	*v;
	size_t			 i, n;
	enum lb_err		 e;

	memset(in, 0, sizeof(*in));
	{
		json_object_object_foreach(o, key, val) {
			(void)val;
			for (i = 0; i < NMEMBERS; i++)
				if (strcmp(key, member_names[i]) == 0)
					break;
			if (i == NMEMBERS)
				return http_error(resp, LB_ERR_UNKNOWN_FIELD,
				    key, "unknown member; " ALLOWED);
			in->has |= 1u << i;
		}
	}
	if (!merge && !(in->has & SM_NAME))
		return http_error(resp, LB_ERR_MISSING_FIELD, "name",
		    "name is required");
	if (!merge && !(in->has & SM_VALUE))
		return http_error(resp, LB_ERR_MISSING_FIELD, "value",
		    "value is required");

	if (json_object_object_get_ex(o, "name", &v)) {
		if (json_object_is_type(v, json_type_null))
			return http_error(resp, LB_ERR_INVALID_FIELD, "name",
			    "name cannot be null");
		if ((e = check_string(v, "name", 1, NAME_MAX_BYTES, 1,
		    &in->name, &in->name_len, resp)) != LB_OK)
			return e;
	}
	if (json_object_object_get_ex(o, "value", &v)) {
		if (json_object_is_type(v, json_type_null))
			return http_error(resp, LB_ERR_INVALID_FIELD, "value",
			    "value cannot be null");
		if ((e = check_string(v, "value", 1, VALUE_MAX_BYTES, 0,
		    &in->value, &in->value_len, resp)) != LB_OK)
			return e;
	}
	if (json_object_object_get_ex(o, "provider_slug", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !valid_provider_slug(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v)))
			return http_error(resp, LB_ERR_INVALID_FIELD,
			    "provider_slug", "provider_slug must be null or "
			    "match ^[a-z0-9][a-z0-9_-]{0,62}$");
		in->provider_slug = json_object_get_string(v);
	}
	if (json_object_object_get_ex(o, "description", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if ((e = check_string(v, "description", 0,
		    DESCRIPTION_MAX_BYTES, 0, &in->description, &n, resp)) !=
		    LB_OK) {
			if (!json_object_is_type(v, json_type_string))
				http_error(resp, LB_ERR_INVALID_FIELD,
				    "description", "description must be a "
				    "string or null");
			return resp->err;
		}
	}
	if (json_object_object_get_ex(o, "metadata", &v)) {
		if (json_object_is_type(v, json_type_null)) {
			if (!merge)
				return http_error(resp, LB_ERR_INVALID_FIELD,
				    "metadata", "metadata must be an object");
		} else {
			if ((e = check_metadata(v, merge, resp)) != LB_OK)
				return e;
			in->metadata = v;
		}
	}
	return LB_OK;
}

enum lb_err
validate_create(struct json_object *o, struct secret_input *in,
    struct http_response *resp)
{
	return check_members(o, in, 0, resp);
}

enum lb_err
validate_patch(struct json_object *o, struct secret_input *in,
    struct http_response *resp)
{
	if (json_object_object_length(o) == 0)
		return http_error(resp, LB_ERR_EMPTY_PATCH, NULL,
		    "the patch has no member: nothing to change");
	return check_members(o, in, 1, resp);
}

int
valid_id(const char *s, int64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (s == NULL || s[0] < '1' || s[0] > '9')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 19 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

enum lb_err
validate_id(const char *s, int64_t *id, struct http_response *resp)
{
	if (valid_id(s, id) < 0)
		return http_error(resp, LB_ERR_INVALID_ID, NULL, "a secret id "
		    "is a decimal integer from 1 to 9223372036854775807");
	return LB_OK;
}

static enum lb_err ids_parse(const char *, struct list_query *,
		    struct http_response *);

enum lb_err
validate_limit(const struct http_request *req, int *limit,
    struct http_response *resp)
{
	const char	*v;
	long		 n = 0;
	size_t		 i;

	*limit = LIMIT_DEFAULT;
	if ((v = http_param(req, "limit")) == NULL)
		return LB_OK;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 12)
			break;
		n = n * 10 + (v[i] - '0');
	}
	if (i == 0 || v[i] != '\0' || n < 1 || n > LIMIT_MAX)
		return http_error(resp, LB_ERR_INVALID_PARAMETER, "limit",
		    "limit must be an integer from 1 to %d", LIMIT_MAX);
	*limit = (int)n;
	return LB_OK;
}

enum lb_err
validate_list_query(const struct http_request *req, struct list_query *q,
    struct http_response *resp)
{
	const char	*v;

	q->values = 0;
	q->nids = 0;
	q->cursor = http_param(req, "cursor");
	q->provider_slug = http_param(req, "provider_slug");
	if (validate_limit(req, &q->limit, resp) != LB_OK)
		return resp->err;
	if (q->provider_slug != NULL &&
	    !valid_provider_slug(q->provider_slug, strlen(q->provider_slug)))
		return http_error(resp, LB_ERR_INVALID_PARAMETER,
		    "provider_slug", "provider_slug must match "
		    "^[a-z0-9][a-z0-9_-]{0,62}$");
	if (q->cursor != NULL && q->cursor[0] == '\0')
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "cursor is empty");
	if ((v = http_param(req, "include")) != NULL) {
		if (strcmp(v, "value") != 0)
			return http_error(resp, LB_ERR_INVALID_PARAMETER,
			    "include", "include takes one word: value");
		q->values = 1;
	}
	if ((v = http_param(req, "ids")) != NULL)
		return ids_parse(v, q, resp);
	return LB_OK;
}

static int
id_desc(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* ids=ID,ID,...: each an id, at most IDS_MAX distinct; into q->ids,
 * distinct and highest first, as the page is ordered. */
static enum lb_err
ids_parse(const char *v, struct list_query *q, struct http_response *resp)
{
	int64_t		 all[IDS_MAX_ITEMS];
	char		 item[24];
	const char	*p = v, *comma;
	size_t		 len, n = 0, i;

	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == IDS_MAX_ITEMS || len >= sizeof(item))
			goto bad;
		memcpy(item, p, len);
		item[len] = '\0';
		if (valid_id(item, &all[n++]) < 0)
			goto bad;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	qsort(all, n, sizeof(all[0]), id_desc);
	q->nids = 0;
	for (i = 0; i < n; i++) {
		if (i > 0 && all[i] == all[i - 1])
			continue;
		if (q->nids == IDS_MAX)
			goto bad;
		q->ids[q->nids++] = all[i];
	}
	return LB_OK;
bad:
	return http_error(resp, LB_ERR_INVALID_PARAMETER, "ids", "ids is a "
	    "comma-separated list of at most %d distinct secret ids, each "
	    "from 1 to 9223372036854775807", IDS_MAX);
}

enum lb_err
validate_version(const char *s, int in_path, int64_t *v,
    struct http_response *resp)
{
	if (s != NULL && valid_id(s, v) == 0)
		return LB_OK;
	return http_error(resp, in_path ? LB_ERR_INVALID_ID :
	    LB_ERR_INVALID_PARAMETER, "version", "a version is a decimal "
	    "integer from 1 to 9223372036854775807");
}

enum lb_err
validate_lookup(const struct http_request *req, const char **name,
    const char **provider_slug, struct http_response *resp)
{
	size_t	 n;

	*name = http_param(req, "name");
	*provider_slug = http_param(req, "provider_slug");
	n = *name != NULL ? strlen(*name) : 0;
	if (n < 1 || n > NAME_MAX_BYTES || !valid_utf8(*name, n) ||
	    has_control_char(*name, n))
		return http_error(resp, LB_ERR_INVALID_PARAMETER, "name",
		    "name is required: 1 to %d bytes of UTF-8 without control "
		    "characters", NAME_MAX_BYTES);
	if (*provider_slug != NULL && !valid_provider_slug(*provider_slug,
	    strlen(*provider_slug)))
		return http_error(resp, LB_ERR_INVALID_PARAMETER,
		    "provider_slug", "provider_slug must match "
		    "^[a-z0-9][a-z0-9_-]{0,62}$");
	return LB_OK;
}

enum lb_err
validate_flag(const struct http_request *req, const char *name, int *value,
    struct http_response *resp)
{
	const char	*v = http_param(req, name);

	*value = 0;
	if (v == NULL || strcmp(v, "false") == 0)
		return LB_OK;
	if (strcmp(v, "true") == 0) {
		*value = 1;
		return LB_OK;
	}
	return http_error(resp, LB_ERR_INVALID_PARAMETER, name,
	    "%s is true or false", name);
}

enum lb_err
validate_no_body(const struct http_request *req, struct http_response *resp)
{
	if (req->body_len == 0)
		return LB_OK;
	return http_error(resp, LB_ERR_INVALID_JSON, NULL,
	    "this route takes no body");
}

enum lb_err
validate_idempotency_key(const char *k, struct http_response *resp)
{
	size_t	 i;

	if (k == NULL)
		return LB_OK;
	for (i = 0; k[i] != '\0'; i++)
		if (i >= 255 || k[i] < 0x21 || k[i] > 0x7e)
			break;
	if (i == 0 || k[i] != '\0')
		return http_error(resp, LB_ERR_INVALID_IDEMPOTENCY_KEY, NULL,
		    "Idempotency-Key must be 1 to 255 printable ASCII "
		    "characters (0x21-0x7E)");
	return LB_OK;
}

/* Calls fn for each entity tag of ours ("N", strong) in the If-Match
 * list h. Returns 0 when there is no condition (absent, or "*"), else 1. */
static int
if_match_walk(const char *h, void (*fn)(void *, const char *, int64_t),
    void *arg)
{
	const char	*p = h, *q;
	char		 tag[24];
	int64_t		 v;
	size_t		 n;

	if (h == NULL)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '*' && (p[1] == '\0' || p[1] == ' '))
		return 0;
	/* A list of entity tags; only strong tags of our form can match
	 * (If-Match compares strongly), the rest simply never do. */
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		q = p;
		while (*q != '\0' && *q != ',')
			q++;
		n = (size_t)(q - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= 3 && n - 2 < sizeof(tag) && p[0] == '"' &&
		    p[n - 1] == '"') {
			memcpy(tag, p + 1, n - 2);
			tag[n - 2] = '\0';
			if (valid_id(tag, &v) == 0)
				fn(arg, tag, v);
		}
		p = q;
	}
	return 1;
}

static void
tag_to_array(void *arg, const char *tag, int64_t v)
{
	struct buf	*arr = arg;

	(void)v;
	if (arr->len > 0 && arr->data[arr->len - 1] != '{')
		buf_putc(arr, ',');
	buf_puts(arr, tag);
}

int
validate_if_match(const char *h, struct buf *arr)
{
	size_t	 start = arr->len;

	buf_putc(arr, '{');
	if (!if_match_walk(h, tag_to_array, arr)) {
		arr->len = start;
		if (arr->data != NULL)
			arr->data[start] = '\0';
		return 0;
	}
	buf_putc(arr, '}');
	return 1;
}

struct tag_match {
	int64_t	 version;
	int	 found;
};

static void
tag_is(void *arg, const char *tag, int64_t v)
{
	struct tag_match	*m = arg;

	(void)tag;
	m->found |= v == m->version;
}

int
validate_if_match_ok(const char *h, int64_t version)
{
	struct tag_match	 m = { version, 0 };

	return !if_match_walk(h, tag_is, &m) || m.found;
}

void
validate_metadata_split(struct json_object *m, struct buf *set,
    struct buf *rm)
{
	int	 nset = 0, nrm = 0;

	buf_putc(set, '{');
	buf_putc(rm, '{');
	json_object_object_foreach(m, key, v) {
		/* Names were checked against [A-Za-z0-9_.-]: nothing in them
		 * needs quoting inside an array literal. */
		if (json_object_is_type(v, json_type_null)) {
			buf_printf(rm, "%s\"%s\"", nrm++ ? "," : "", key);
			continue;
		}
		if (nset++)
			buf_putc(set, ',');
		buf_json_str(set, key, strlen(key));
		buf_putc(set, ':');
		buf_json_str(set, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	}
	buf_putc(set, '}');
	buf_putc(rm, '}');
}
