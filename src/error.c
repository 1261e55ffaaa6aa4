#include "autoconfig.h"

#include "error.h"

static const struct {
	int		 status;
	const char	*code;
} errors[LB_ERR__COUNT] = {
	[LB_OK] =				{ 200, "ok" },
	[LB_ERR_INVALID_JSON] =			{ 400, "invalid_json" },
	[LB_ERR_MISSING_FIELD] =		{ 400, "missing_field" },
	[LB_ERR_UNKNOWN_FIELD] =		{ 400, "unknown_field" },
	[LB_ERR_INVALID_FIELD] =		{ 400, "invalid_field" },
	[LB_ERR_INVALID_PARAMETER] =		{ 400, "invalid_parameter" },
	[LB_ERR_UNKNOWN_PARAMETER] =		{ 400, "unknown_parameter" },
	[LB_ERR_INVALID_CURSOR] =		{ 400, "invalid_cursor" },
	[LB_ERR_INVALID_ID] =			{ 400, "invalid_id" },
	[LB_ERR_INVALID_IDEMPOTENCY_KEY] =	{ 400, "invalid_idempotency_key" },
	[LB_ERR_EMPTY_PATCH] =			{ 400, "empty_patch" },
	[LB_ERR_MISSING_API_KEY] =		{ 401, "missing_api_key" },
	[LB_ERR_INVALID_API_KEY] =		{ 401, "invalid_api_key" },
	[LB_ERR_INSUFFICIENT_SCOPE] =		{ 403, "insufficient_scope" },
	[LB_ERR_NOT_FOUND] =			{ 404, "not_found" },
	[LB_ERR_VERSION_NOT_FOUND] =		{ 404, "version_not_found" },
	[LB_ERR_ROUTE_NOT_FOUND] =		{ 404, "route_not_found" },
	[LB_ERR_METHOD_NOT_ALLOWED] =		{ 405, "method_not_allowed" },
	[LB_ERR_NAME_CONFLICT] =		{ 409, "name_conflict" },
	[LB_ERR_IDEMPOTENCY_KEY_IN_PROGRESS] =	{ 409, "idempotency_key_in_progress" },
	[LB_ERR_PRECONDITION_FAILED] =		{ 412, "precondition_failed" },
	[LB_ERR_PAYLOAD_TOO_LARGE] =		{ 413, "payload_too_large" },
	[LB_ERR_UNSUPPORTED_MEDIA_TYPE] =	{ 415, "unsupported_media_type" },
	[LB_ERR_IDEMPOTENCY_KEY_REUSED] =	{ 422, "idempotency_key_reused" },
	[LB_ERR_INTERNAL] =			{ 500, "internal_error" },
	[LB_ERR_INTEGRITY] =			{ 500, "integrity_error" },
	[LB_ERR_DATABASE_UNAVAILABLE] =		{ 503, "database_unavailable" },
	[LB_ERR_KEY_RETIRED] =			{ 503, "database_unavailable" },
};

int
error_status(enum lb_err e)
{
	if ((unsigned)e >= LB_ERR__COUNT)
		return 500;
	return errors[e].status;
}

const char *
error_code(enum lb_err e)
{
	if ((unsigned)e >= LB_ERR__COUNT)
		return "internal_error";
	return errors[e].code;
}

const char *
error_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 503: return "Service Unavailable";
	default:  return "Internal Server Error";
	}
}
