#include <criterion/criterion.h>
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
	cr_assert_str_eq(scope_name(SCOPE_LEVEL_READ), "read");
	cr_assert_str_eq(scope_name(SCOPE_LEVEL_WRITE), "write");
}

Test(scope, a_level_allows_itself_and_below)
{
	struct principal	 rd = { 1, SCOPE_LEVEL_READ, "lbk_r" };
	struct principal	 wr = { 2, SCOPE_LEVEL_WRITE, "lbk_w" };

	cr_assert(scope_allows(&rd, SCOPE_LEVEL_NONE));
	cr_assert(scope_allows(&rd, SCOPE_LEVEL_READ));
	cr_assert(!scope_allows(&rd, SCOPE_LEVEL_WRITE));
	cr_assert(scope_allows(&wr, SCOPE_LEVEL_READ));
	cr_assert(scope_allows(&wr, SCOPE_LEVEL_WRITE));
	/* The lists' level, below read: read and write keys pass. */
	cr_assert(SCOPE_LEVEL_LIST < SCOPE_LEVEL_READ);
	cr_assert(scope_allows(&rd, SCOPE_LEVEL_LIST));
	cr_assert(scope_allows(&wr, SCOPE_LEVEL_LIST));
	cr_assert_not_null(strstr(scope_refusal(SCOPE_LEVEL_WRITE), "write"));
	cr_assert_not_null(strstr(scope_refusal(SCOPE_LEVEL_READ), "values"));
}
