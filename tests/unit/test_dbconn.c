#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "dbconn.h"

/* Criterion runs each case in another process: the strings live in the
 * struct. An environment variable of UNSET is not set at all. */
#define UNSET	"(unset)"

struct vf_case {
	char		 conninfo[64];
	char		 env_sslmode[16];
	char		 env_rootcert[24];
	int		 want;
};

ParameterizedTestParameters(dbconn, verify_full)
{
	static struct vf_case cases[] = {
		/* No root certificate: libpq's default stands. */
		{ "", UNSET, UNSET, 0 },
		{ "host=db.example dbname=lockbox", UNSET, UNSET, 0 },
		{ "postgresql://db.example/lockbox", UNSET, UNSET, 0 },
		/* A root certificate and no sslmode: verify-full. */
		{ "host=db.example sslrootcert=/etc/lockbox/ca.pem", UNSET,
		    UNSET, 1 },
		{ "postgresql://db.example/lockbox?sslrootcert=/ca.pem", UNSET,
		    UNSET, 1 },
		{ "host=db.example", UNSET, "/etc/lockbox/ca.pem", 1 },
		{ "", "", "/ca.pem", 1 },
		/* The operator chose an sslmode: theirs. */
		{ "host=db sslrootcert=/ca.pem sslmode=require", UNSET, UNSET,
		    0 },
		{ "postgresql://db/lockbox?sslmode=verify-ca&sslrootcert=/c",
		    UNSET, UNSET, 0 },
		{ "host=db sslrootcert=/ca.pem", "disable", UNSET, 0 },
		{ "host=db", "require", "/ca.pem", 0 },
		/* Empty values count as unset. */
		{ "host=db sslrootcert=''", UNSET, UNSET, 0 },
		{ "host=db", UNSET, "", 0 },
		/* Unparsable: left to libpq, which reports it. */
		{ "host='unterminated", UNSET, "/ca.pem", 0 },
	};
	return cr_make_param_array(struct vf_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

static const char *
env(const char *v)
{
	return strcmp(v, UNSET) == 0 ? NULL : v;
}

ParameterizedTest(struct vf_case *c, dbconn, verify_full)
{
	cr_assert_eq(dbconn_verify_full(c->conninfo, env(c->env_sslmode),
	    env(c->env_rootcert)), c->want, "%s (PGSSLMODE %s, PGSSLROOTCERT "
	    "%s)", c->conninfo, c->env_sslmode, c->env_rootcert);
}
