#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "scope.h"

/* The names lockboxctl takes and the database stores, and the numbers
 * sql/004_scopes.sql's lockbox.scope_level() gives them: the same. */
Test(scope, names_and_levels)
{
	enum scope_level	 l;

	cr_assert_eq(scope_parse("read", &l), 0);
	cr_assert_eq(l, SCOPE_LEVEL_READ);
	cr_assert_eq(l, 2, "lockbox.scope_level('read')");
	cr_assert_eq(scope_parse("write", &l), 0);
	cr_assert_eq(l, SCOPE_LEVEL_WRITE);
	cr_assert_eq(l, 3, "lockbox.scope_level('write')");
	cr_assert_eq(scope_parse("admin", &l), -1);
	cr_assert_eq(scope_parse("", &l), -1);
	cr_assert_eq(scope_parse("Read", &l), -1);
	cr_assert_eq(scope_parse("list", &l), 0);
	cr_assert_eq(l, 1, "lockbox.scope_level('list')");
	cr_assert_eq(scope_parse("none", &l), 0);
	cr_assert_eq(l, 0, "lockbox.scope_level('none')");
	cr_assert_str_eq(scope_name(SCOPE_LEVEL_LIST), "list");
	cr_assert_str_eq(scope_name(SCOPE_LEVEL_NONE), "none");
	cr_assert_str_eq(scope_name(SCOPE_LEVEL_READ), "read");
	cr_assert_str_eq(scope_name(SCOPE_LEVEL_WRITE), "write");
}

Test(scope, a_level_allows_itself_and_below)
{
	struct principal	 rd = { .key_id = 1, .level = SCOPE_LEVEL_READ };
	struct principal	 wr = { .key_id = 2, .level = SCOPE_LEVEL_WRITE };
	struct principal	 ls = { .key_id = 3, .level = SCOPE_LEVEL_LIST };
	struct principal	 au = { .key_id = 4, .audit = 1 };

	cr_assert(scope_allows(&rd, SCOPE_LEVEL_NONE));
	cr_assert(scope_allows(&rd, SCOPE_LEVEL_READ));
	cr_assert(!scope_allows(&rd, SCOPE_LEVEL_WRITE));
	cr_assert(scope_allows(&wr, SCOPE_LEVEL_READ));
	cr_assert(scope_allows(&wr, SCOPE_LEVEL_WRITE));
	/* The lists' level, below read: read and write keys pass. */
	cr_assert(SCOPE_LEVEL_LIST < SCOPE_LEVEL_READ);
	cr_assert(scope_allows(&rd, SCOPE_LEVEL_LIST));
	cr_assert(scope_allows(&wr, SCOPE_LEVEL_LIST));
	cr_assert(scope_allows(&ls, SCOPE_LEVEL_LIST));
	cr_assert(!scope_allows(&ls, SCOPE_LEVEL_READ));
	/* A key for the audit log alone reaches no secret route. */
	cr_assert(!scope_allows(&au, SCOPE_LEVEL_LIST));
	cr_assert_not_null(strstr(scope_refusal(SCOPE_LEVEL_WRITE), "write"));
	cr_assert_not_null(strstr(scope_refusal(SCOPE_LEVEL_READ), "values"));
}

/* What lockboxctl apikey create --scope takes. */
Test(scope, specs)
{
	static const struct {
		const char		*spec;
		int			 ok;
		enum scope_level	 level;
		int			 audit;
	} t[] = {
		{ "list", 1, SCOPE_LEVEL_LIST, 0 },
		{ "read", 1, SCOPE_LEVEL_READ, 0 },
		{ "write", 1, SCOPE_LEVEL_WRITE, 0 },
		{ "read,audit", 1, SCOPE_LEVEL_READ, 1 },
		{ "list,audit", 1, SCOPE_LEVEL_LIST, 1 },
		{ "write,audit", 1, SCOPE_LEVEL_WRITE, 1 },
		{ "audit", 1, SCOPE_LEVEL_NONE, 1 },
		{ "none", 0, 0, 0 },
		{ "none,audit", 0, 0, 0 },
		{ "audit,read", 0, 0, 0 },
		{ "read,", 0, 0, 0 },
		{ "read,audit,audit", 0, 0, 0 },
		{ ",audit", 0, 0, 0 },
		{ "readwrite,audit", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "Audit", 0, 0, 0 },
	};
	enum scope_level	 l;
	size_t			 i;
	int			 audit;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		l = 99;
		audit = 99;
		if (!t[i].ok) {
			cr_assert_eq(scope_parse_spec(t[i].spec, &l, &audit), -1,
			    "%s", t[i].spec);
			continue;
		}
		cr_assert_eq(scope_parse_spec(t[i].spec, &l, &audit), 0, "%s",
		    t[i].spec);
		cr_assert_eq(l, t[i].level, "%s", t[i].spec);
		cr_assert_eq(audit, t[i].audit, "%s", t[i].spec);
	}
}

/* The lists as lockboxctl builds them, and as PostgreSQL gives them back
 * (slugs unquoted, "" for none). */
Test(scope, providers_reached)
{
	struct principal	 p = { .level = SCOPE_LEVEL_READ };
	char			 list[SCOPE_PROVIDERS_LEN] = "";
	char			 slug[8];
	int			 i;

	cr_assert(scope_reaches(&p, "aws"), "no restriction: every provider");
	cr_assert(scope_reaches(&p, NULL));
	cr_assert_eq(scope_providers_add(list, "aws"), 0);
	cr_assert_eq(scope_providers_add(list, "none"), 0);
	cr_assert_str_eq(list, "{\"aws\",\"\"}");
	cr_assert_eq(scope_providers_add(list, "aws"), -1, "a duplicate");
	cr_assert_eq(scope_providers_add(list, "none"), -1, "none twice");
	cr_assert_eq(scope_providers_add(list, "AWS"), -1, "not a slug");
	cr_assert_eq(scope_providers_add(list, ""), -1, "empty");
	cr_assert_eq(scope_providers_add(list, "a,b"), -1);
	cr_assert_eq(scope_providers_add(list, "a\"b"), -1);
	memcpy(p.providers, list, sizeof(list));
	cr_assert(scope_reaches(&p, "aws"));
	cr_assert(scope_reaches(&p, NULL), "none: secrets without a provider");
	cr_assert(!scope_reaches(&p, "gcp"));
	cr_assert(!scope_reaches(&p, "aw"));
	strcpy(p.providers, "{aws,\"\",null-ish,\"null\"}");
	cr_assert(scope_reaches(&p, "null"));
	cr_assert(scope_reaches(&p, "null-ish"));
	cr_assert(scope_reaches(&p, NULL));
	strcpy(p.providers, "{gcp}");
	cr_assert(!scope_reaches(&p, NULL));
	cr_assert(scope_reaches(&p, "gcp"));
	/* Anything the database would not have written reaches nothing. */
	strcpy(p.providers, "{gcp");
	cr_assert(!scope_reaches(&p, "x"));
	strcpy(p.providers, "{gcp,\"a b\"}");
	cr_assert(!scope_reaches(&p, "a b"));
	strcpy(p.providers, "{}");
	cr_assert(!scope_reaches(&p, "gcp"));
	cr_assert(!scope_reaches(&p, NULL));
	/* At most SCOPE_PROVIDERS_MAX, and they fit. */
	list[0] = '\0';
	for (i = 0; i < SCOPE_PROVIDERS_MAX; i++) {
		snprintf(slug, sizeof(slug), "p%d", i);
		cr_assert_eq(scope_providers_add(list, slug), 0, "%s", slug);
	}
	cr_assert_eq(scope_providers_add(list, "one-more"), -1);
	memcpy(p.providers, list, sizeof(list));
	cr_assert(scope_reaches(&p, "p31"));
	cr_assert(!scope_reaches(&p, "p32"));
}
