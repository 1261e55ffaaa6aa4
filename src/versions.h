/* What versions.c lends the secrets routes: a new version (a PATCH's,
 * or a restore's), and the answer of a version's read (GET ?version=N). */
#ifndef LOCKBOX_VERSIONS_H
#define LOCKBOX_VERSIONS_H

#include "dispatch.h"

struct new_version {
	/* The secret's id and the metadata changes; versions_write fills in
	 * the rest. */
	struct secret_update	 u;
	/* A PATCH's new value (NULL: the value stays), or the version whose
	 * value a restore brings back (0: none). */
	const char		*value;
	size_t			 value_len;
	int64_t			 restore;
};

/* Writes version current + 1 from c->res (secret_current's answer, sent
 * as the route's first statement), reading again while other writes get
 * in between, and answers: 200 with the secret, or the error. */
enum lb_err	versions_write(struct lockbox_ctx *, struct http_request *,
		    struct call *, struct new_version *,
		    struct http_response *);

/* The answer to version_get's result in c->res: the version's body with
 * its value, 404 not_found or version_not_found. */
enum lb_err	versions_answer_one(struct lockbox_ctx *, struct call *,
		    int64_t id, struct http_response *);

#endif
