#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "stmt.h"

/* Parameters are bound in order, NULLs as NULL, binary ones with their
 * length, and a statement is whole only with as many parameters as its
 * text uses (sql/queries.sql, counted at build time). */
Test(stmt, binds_in_order)
{
	struct stmt	 st;
	const char	*vals[STMT_MAX_PARAMS];
	int		 lens[STMT_MAX_PARAMS], fmts[STMT_MAX_PARAMS];
	const unsigned char bin[3] = { 0, 1, 0 };

	stmt_init(&st, SQL_API_KEY_REHASH);
	cr_assert_eq(sql_queries[SQL_API_KEY_REHASH].nparams, 4);
	stmt_i64(&st, -9223372036854775807LL - 1);
	stmt_bytea(&st, bin, sizeof(bin));
	cr_assert(!stmt_ok(&st), "two of four: not whole");
	stmt_text(&st, NULL);
	stmt_bool(&st, 1);
	cr_assert(stmt_ok(&st));
	stmt_params(&st, vals, lens, fmts);
	cr_assert_str_eq(vals[0], "-9223372036854775808");
	cr_assert_eq(fmts[0], 0);
	cr_assert_eq(lens[1], 3);
	cr_assert_eq(fmts[1], 1);
	cr_assert(memcmp(vals[1], bin, 3) == 0);
	cr_assert_null(vals[2]);
	cr_assert_str_eq(vals[3], "t");
	stmt_text(&st, "one too many");
	cr_assert(!stmt_ok(&st));
	stmt_free(&st);
	cr_assert(!stmt_bound(&st));
}

Test(stmt, overflow_is_refused)
{
	struct stmt	 st;
	int		 i;

	stmt_init(&st, SQL_PING);
	for (i = 0; i < STMT_MAX_PARAMS + 3; i++)
		stmt_i64(&st, i);
	cr_assert_eq(st.n, STMT_MAX_PARAMS);
	cr_assert(!stmt_ok(&st));
	stmt_free(&st);
}

/* Every keyed statement takes the key last: prefix, hashes, level. */
/* The key comes last, but for the audit event after it; a keyed statement
 * that stores an event decides it from the same key (lockbox.audit_note). */
Test(stmt, keyed_statements_end_with_the_key)
{
	char	 want[96];
	int	 q, n;

	for (q = 0; q < SQL__COUNT; q++) {
		if (!sql_queries[q].keyed)
			continue;
		n = sql_queries[q].nparams - sql_queries[q].audited;
		cr_assert_geq(n, 3, "%s", sql_queries[q].name);
		if (sql_queries[q].audited) {
			snprintf(want, sizeof(want), "lockbox.audit_note($%d::"
			    "text[], $%d, $%d::bytea[], $%d,", n + 1, n - 2,
			    n - 1, n);
			cr_assert_not_null(strstr(sql_queries[q].text, want),
			    "%s: %s", sql_queries[q].name, want);
		}
		/* The event of a request refused before its route's
		 * statement: no secret to guard, the key in audit_note. */
		if (q == SQL_AUDIT_REFUSED)
			continue;
		snprintf(want, sizeof(want), "prefix = $%d", n - 2);
		cr_assert_not_null(strstr(sql_queries[q].text, want), "%s: %s",
		    sql_queries[q].name, want);
		snprintf(want, sizeof(want), "ANY ($%d::bytea[])", n - 1);
		cr_assert_not_null(strstr(sql_queries[q].text, want), "%s: %s",
		    sql_queries[q].name, want);
		snprintf(want, sizeof(want), "level >= $%d", n);
		cr_assert_not_null(strstr(sql_queries[q].text, want), "%s: %s",
		    sql_queries[q].name, want);
	}
}
