/* The contract's error codes: one enum, mapped to status and code string
 * in exactly one place (error.c). */
#ifndef LOCKBOX_ERROR_H
#define LOCKBOX_ERROR_H

enum lb_err {
	LB_OK = 0,
	LB_ERR_INVALID_JSON,		/* 400 body is not one strict JSON object */
	LB_ERR_MISSING_FIELD,		/* 400 a required member is absent */
	LB_ERR_UNKNOWN_FIELD,		/* 400 a member not in the schema */
	LB_ERR_INVALID_FIELD,		/* 400 a member breaks a type or constraint */
	LB_ERR_INVALID_PARAMETER,	/* 400 a query parameter malformed or repeated */
	LB_ERR_UNKNOWN_PARAMETER,	/* 400 a query parameter the route lacks */
	LB_ERR_INVALID_CURSOR,		/* 400 a cursor we did not issue, or altered */
	LB_ERR_INVALID_ID,		/* 400 a path id outside 1..2^63-1 */
	LB_ERR_INVALID_IDEMPOTENCY_KEY,	/* 400 Idempotency-Key not 1..255 of 0x21-0x7e */
	LB_ERR_EMPTY_PATCH,		/* 400 PATCH body without members */
	LB_ERR_MISSING_API_KEY,		/* 401 no X-API-Key */
	LB_ERR_INVALID_API_KEY,		/* 401 unknown, revoked or expired */
	LB_ERR_INSUFFICIENT_SCOPE,	/* 403 read key on a writing route */
	LB_ERR_NOT_FOUND,		/* 404 no secret with that id */
	LB_ERR_VERSION_NOT_FOUND,	/* 404 the secret has no such version kept */
	LB_ERR_ROUTE_NOT_FOUND,		/* 404 no such path */
	LB_ERR_METHOD_NOT_ALLOWED,	/* 405 known path, other method */
	LB_ERR_NAME_CONFLICT,		/* 409 (provider_slug, name) taken */
	LB_ERR_IDEMPOTENCY_KEY_IN_PROGRESS, /* 409 concurrent use of one key */
	LB_ERR_PRECONDITION_FAILED,	/* 412 If-Match differs */
	LB_ERR_PAYLOAD_TOO_LARGE,	/* 413 body over max_body */
	LB_ERR_UNSUPPORTED_MEDIA_TYPE,	/* 415 body that is not JSON */
	LB_ERR_IDEMPOTENCY_KEY_REUSED,	/* 422 key reused for another request */
	LB_ERR_INTERNAL,		/* 500 a bug; never with detail */
	LB_ERR_INTEGRITY,		/* 500 ciphertext failed authentication */
	LB_ERR_DATABASE_UNAVAILABLE,	/* 503 PostgreSQL unreachable */
	LB_ERR_KEY_RETIRED,		/* 503 sealed with a key rewrap retired:
					 * this host's key ring is out of date */
	LB_ERR__COUNT
};

/* HTTP status for an error (200 for LB_OK). */
int		 error_status(enum lb_err);
/* The contract's code string, e.g. "invalid_field". */
const char	*error_code(enum lb_err);
/* Reason phrase for a status, e.g. "Not Found", for the Status header. */
const char	*error_reason(int status);

#endif
