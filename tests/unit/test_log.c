#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Request lines are assembled without printf: each field must still come
 * out as the documented JSON, duration with three decimals. */
static char *
one_line(double ms, int status)
{
	struct log_request	 r = { "rid-1", "PATCH", "/v1/admin/secrets/7",
	    "secrets.update", status, ms, "lbk_abcdefgh", NULL, 2 };
	static char		 line[1024];

	log_request(&r);
	log_flush();
	cr_assert_not_null(fgets(line, sizeof(line),
	    cr_get_redirected_stderr()));
	return line;
}

struct ms_case {
	double	 ms;
	char	 want[24];
};

static const struct ms_case ms_cases[] = {
	{ 0, "0.000" }, { 0.0004, "0.000" }, { 0.0005, "0.001" },
	{ 1.5, "1.500" }, { 12.3456, "12.346" }, { 999.9999, "1000.000" },
	{ 60000.25, "60000.250" }, { -3, "0.000" },
};

Test(log, request_line_fields)
{
	json_object	*o, *v;
	regex_t		 re;
	size_t		 i;
	char		*line, *d;

	cr_redirect_stderr();
	log_set_process();
	cr_assert_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", REG_EXTENDED | REG_NOSUB), 0);
	for (i = 0; i < sizeof(ms_cases) / sizeof(ms_cases[0]); i++) {
		line = one_line(ms_cases[i].ms, 201);
		cr_assert_not_null(o = json_tokener_parse(line), "%s", line);
		cr_assert(json_object_object_get_ex(o, "time", &v));
		cr_expect_eq(regexec(&re, json_object_get_string(v), 0, NULL, 0),
		    0, "%s", line);
		cr_assert(json_object_object_get_ex(o, "pid", &v));
		cr_expect_eq(json_object_get_int64(v), (int64_t)getpid());
		cr_assert(json_object_object_get_ex(o, "status", &v));
		cr_expect_eq(json_object_get_int(v), 201);
		cr_assert(json_object_object_get_ex(o, "route", &v));
		cr_expect_str_eq(json_object_get_string(v), "secrets.update");
		cr_assert(json_object_object_get_ex(o, "db_round_trips", &v));
		cr_expect_eq(json_object_get_int(v), 2);
		/* The number as written, not as parsed back. */
		cr_assert_not_null(d = strstr(line, "\"duration_ms\":"));
		d += strlen("\"duration_ms\":");
		cr_expect_eq(strncmp(d, ms_cases[i].want,
		    strlen(ms_cases[i].want)), 0, "%s: %s", ms_cases[i].want, d);
		cr_expect_eq(d[strlen(ms_cases[i].want)], ',');
		json_object_put(o);
	}
	regfree(&re);
}
