/* The query of GET /v1/admin/audit (validate.h): part of the validation
 * module, in a file of its own. */
#include "autoconfig.h"

#include <string.h>

#include "validate.h"

/* The actions an event can have (sql/008_audit.sql). */
static const char *const actions[] = {
	"secret.list", "secret.read", "secret.lookup", "secret.create",
	"secret.update", "secret.delete", "secret.destroy", "secret.restore",
	"version.list", "version.read", "version.restore", "deleted.list",
	"audit.read", "request.refused",
};

/* n ASCII digits at s, as a number; -1 when they are not. */
static int
digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return days[month - 1];
}

/* RFC 3339's date-time: 2026-12-02T10:02:16[.frac](Z|+01:00), every
 * field in its range, so that the database never refuses one. */
int
valid_rfc3339(const char *s)
{
	size_t	 n = strlen(s), i = 19;
	int	 y, mo, d, h, mi, sec, oh, om;

	if (n < 20 || n > 40 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return 0;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return 0;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20 || i > 29)
			return 0;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
		return 1;
	if ((s[i] != '+' && s[i] != '-') || strlen(s + i) != 6 ||
	    s[i + 3] != ':')
		return 0;
	oh = digits(s + i + 1, 2);
	om = digits(s + i + 4, 2);
	return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

static enum lb_err
bad(struct http_response *resp, const char *field, const char *what)
{
	return http_error(resp, LB_ERR_INVALID_PARAMETER, field, "%s %s",
	    field, what);
}

enum lb_err
validate_audit_query(const struct http_request *req, struct audit_query *q,
    struct http_response *resp)
{
	const char	*v;
	size_t		 i;
	int		 st;

	memset(q, 0, sizeof(*q));
	if (validate_limit(req, &q->limit, resp) != LB_OK)
		return resp->err;
	q->cursor = http_param(req, "cursor");
	if (q->cursor != NULL && q->cursor[0] == '\0')
		return http_error(resp, LB_ERR_INVALID_CURSOR, "cursor",
		    "cursor is empty");
	if ((q->action = http_param(req, "action")) != NULL) {
		for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
			if (strcmp(q->action, actions[i]) == 0)
				break;
		if (i == sizeof(actions) / sizeof(actions[0]))
			return bad(resp, "action", "is not an action of the "
			    "audit log (secret.read, secret.update, ...)");
	}
	if ((v = http_param(req, "secret_id")) != NULL &&
	    valid_id(v, &q->secret_id) < 0)
		return bad(resp, "secret_id", "is a decimal integer from 1 to "
		    "9223372036854775807");
	if ((v = http_param(req, "api_key_id")) != NULL &&
	    valid_id(v, &q->api_key_id) < 0)
		return bad(resp, "api_key_id", "is a decimal integer from 1 to "
		    "9223372036854775807");
	if ((v = http_param(req, "status")) != NULL) {
		st = strlen(v) == 3 ? digits(v, 3) : -1;
		if (st < 100 || st > 599)
			return bad(resp, "status", "is an HTTP status, 100 to "
			    "599");
		q->status = st;
	}
	if ((q->since = http_param(req, "since")) != NULL &&
	    !valid_rfc3339(q->since))
		return bad(resp, "since", "is an RFC 3339 time, e.g. "
		    "2026-12-02T10:02:16Z");
	if ((q->until = http_param(req, "until")) != NULL &&
	    !valid_rfc3339(q->until))
		return bad(resp, "until", "is an RFC 3339 time, e.g. "
		    "2026-12-02T10:02:16Z");
	return LB_OK;
}
