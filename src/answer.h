/* What the routes about secrets share (secrets.c, versions.c,
 * deleted.c): a secret, a version or a deleted secret as JSON, its
 * value opened and wiped, its headers, the answer for what went wrong,
 * and the end of a page. */
#ifndef LOCKBOX_ANSWER_H
#define LOCKBOX_ANSWER_H

#include "dispatch.h"

/* A secret; with value (value_len bytes) for the routes that read one.
 * A buffer that gets a value must have room for all of it beforehand
 * (answer_reserve): it must not move once a value is in it, leaving a
 * copy in freed memory. */
void		answer_secret(struct buf *, const struct secret_row *,
		    const char *value, size_t value_len);
/* A deleted secret: the secret, deleted_at and destroy_at. */
void		answer_deleted(struct buf *, const struct secret_row *);
/* A version: with value, the body of a version's read; without, an item
 * of the versions page (value_changed instead). */
void		answer_version(struct buf *, const struct secret_row *,
		    const char *value, size_t value_len);

/* The most answer_secret or answer_version writes for row with a value
 * of value_len bytes (0: none). */
size_t		answer_size(const struct secret_row *, const char *value,
		    size_t value_len);
/* Room for n more bytes, made before a value goes in. -1: out of memory. */
int		answer_reserve(struct buf *, size_t n);

/* Opens row's sealed value (of secret row->id, version row->version)
 * into a fresh buffer, which the caller releases with answer_value_free:
 * *pt and *ptlen, also on failure. */
enum lb_err	answer_open(struct lockbox_ctx *, const struct secret_row *,
		    char **pt, size_t *ptlen);
void		answer_value_free(char *pt, size_t ptlen);

/* 200 with row and its value opened: the secret, or with version_body
 * the version's body; ETag. Or the error. */
enum lb_err	answer_value(struct lockbox_ctx *, struct http_response *,
		    const struct secret_row *row, int version_body);

/* ETag: "version", and with location, Location of secret id. */
void		answer_headers(struct http_response *, int64_t id,
		    int64_t version, int location);

/* The answer for what went wrong with secret id, whatever the route. */
enum lb_err	answer_error(struct http_response *, enum lb_err, int64_t id);

/* The {id} of the path, checked. */
enum lb_err	answer_path_id(struct http_request *, int64_t *id,
		    struct http_response *);
/* A route state of one int64 (a secret's id). -1: out of memory. */
int		answer_keep_id(struct call *, int64_t id);

/* Ends a page: has_more, and next_cursor after last (bound to
 * provider_slug and bound, cursor.h) when there is more. */
enum lb_err	answer_page_end(struct lockbox_ctx *, struct http_response *,
		    int more, int64_t last, const char *provider_slug,
		    const char *bound);

#endif
