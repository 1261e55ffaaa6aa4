/* The edge: the one module that turns request bytes into checked, typed
 * values or a contract error. Handlers never read raw input. */
#ifndef LOCKBOX_VALIDATE_H
#define LOCKBOX_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "http.h"

#define NAME_MAX_BYTES		255
#define VALUE_MAX_BYTES		65536
#define DESCRIPTION_MAX_BYTES	1024
#define METADATA_MAX_MEMBERS	50
/* A PATCH's metadata: validate.c says why. */
#define METADATA_PATCH_MAX_MEMBERS	(2 * METADATA_MAX_MEMBERS)
#define METADATA_NAME_MAX	40
#define METADATA_VALUE_MAX	500
#define LIMIT_DEFAULT		20
#define LIMIT_MAX		100

enum secret_member {
	SM_NAME		= 1 << 0,
	SM_VALUE	= 1 << 1,
	SM_PROVIDER	= 1 << 2,
	SM_DESCRIPTION	= 1 << 3,
	SM_METADATA	= 1 << 4,
};

/* A checked create or PATCH body. Strings point into the parsed tree,
 * which must outlive this struct. */
struct secret_input {
	unsigned		 has;		/* SM_* present in the body */
	const char		*name;
	size_t			 name_len;
	const char		*value;
	size_t			 value_len;
	const char		*provider_slug;	/* NULL: null */
	const char		*description;	/* NULL: null */
	/* Create: the object (NULL when absent). PATCH: the merge patch
	 * object, or NULL for "metadata": null (empty it). */
	struct json_object	*metadata;
};

/* Checks Content-Type (415) and parses the body: 400 invalid_json, or,
 * for a body json-c is not given because it cannot be a create (or with
 * merge_patch, a PATCH), 400 unknown_field, missing_field or
 * invalid_field as validate_create (validate_patch) would answer. PATCH
 * also accepts application/merge-patch+json. On success *out owns the
 * tree: release it with json_free_wiped. */
enum lb_err	validate_json_body(const struct http_request *,
		    struct http_response *, int merge_patch,
		    struct json_object **out);

/* The create body: name and value required; provider_slug, description
 * and metadata optional; nothing else. */
enum lb_err	validate_create(struct json_object *, struct secret_input *,
		    struct http_response *);

/* A JSON Merge Patch (RFC 7396) over the same members: at least one;
 * null clears provider_slug and description, is refused for name and
 * value; metadata is an object of strings (set) and nulls (remove), or
 * null (empty it). */
enum lb_err	validate_patch(struct json_object *, struct secret_input *,
		    struct http_response *);

/* Splits a checked metadata merge patch into the members to set (a JSON
 * object of strings) and the names to remove (a PostgreSQL text[]
 * literal), as the update statement takes them. */
void		validate_metadata_split(struct json_object *patch,
		    struct buf *set, struct buf *remove);

/* A path id: ^[1-9][0-9]{0,18}$ within 1..2^63-1. */
enum lb_err	validate_id(const char *, int64_t *, struct http_response *);
/* The same rule, without an answer: 0, or -1. */
int		valid_id(const char *, int64_t *);

/* limit: absent (LIMIT_DEFAULT), or 1..LIMIT_MAX. */
enum lb_err	validate_limit(const struct http_request *, int *limit,
		    struct http_response *);

/* ids= holds at most this many distinct ids, and at most IDS_MAX_ITEMS
 * items (what a URL of the web server's size can hold anyway). */
#define IDS_MAX			100
#define IDS_MAX_ITEMS		1000

struct list_query {
	int		 limit;
	const char	*cursor;	/* NULL: first page */
	const char	*provider_slug;	/* NULL: no filter */
	int		 values;	/* include=value */
	/* ids=: distinct, highest first; nids 0: no such filter. */
	int64_t		 ids[IDS_MAX];
	int		 nids;
};

/* limit, cursor and provider_slug, and include and ids where the route
 * allows them (router.c's table). */
enum lb_err	validate_list_query(const struct http_request *,
		    struct list_query *, struct http_response *);

/* A version number: in the path (400 invalid_id) or the query (400
 * invalid_parameter), field "version"; the rules of an id. */
enum lb_err	validate_version(const char *, int in_path, int64_t *,
		    struct http_response *);

/* The lookup's query: name (required; the rules of a secret's name) and
 * provider_slug (NULL: the secrets without one). */
enum lb_err	validate_lookup(const struct http_request *,
		    const char **name, const char **provider_slug,
		    struct http_response *);

/* GET /v1/admin/audit's query (validate_audit.c): limit, cursor, and
 * the filters, each checked (action among the log's, ids, a status,
 * since and until in RFC 3339). */
struct audit_query {
	int		 limit;
	const char	*cursor;	/* NULL: first page */
	const char	*action;	/* NULL: any */
	int64_t		 secret_id;	/* 0: any */
	int64_t		 api_key_id;	/* 0: any */
	int		 status;	/* 0: any */
	const char	*since, *until;	/* NULL: open */
};
enum lb_err	validate_audit_query(const struct http_request *,
		    struct audit_query *, struct http_response *);
/* RFC 3339's date-time, every field in its range. */
int		valid_rfc3339(const char *);

/* An optional boolean query parameter: absent (0), "true" or "false". */
enum lb_err	validate_flag(const struct http_request *, const char *name,
		    int *value, struct http_response *);

/* A route that takes no body: any body is 400 invalid_json. */
enum lb_err	validate_no_body(const struct http_request *,
		    struct http_response *);

/* NULL (absent) is fine; otherwise 1..255 characters 0x21-0x7e. */
enum lb_err	validate_idempotency_key(const char *,
		    struct http_response *);

/* If-Match: returns 0 when there is no condition (absent or "*"), or 1
 * and writes the acceptable versions as a PostgreSQL bigint[] literal
 * into arr ("{3}"; "{}" when no tag could ever match). */
int		validate_if_match(const char *header, struct buf *arr);

/* Whether If-Match (NULL: absent) lets a write follow version. */
int		validate_if_match_ok(const char *header, int64_t version);

/* Building blocks, exposed for the unit tests. */
int		valid_mount(const char *s, size_t n);
int		valid_provider_slug(const char *s, size_t n);
int		valid_metadata_name(const char *s, size_t n);
int		has_control_char(const char *s, size_t n);
/* Well-formed UTF-8: shortest forms, no surrogates, at most U+10FFFF. */
int		valid_utf8(const char *s, size_t n);

#endif
