#include "autoconfig.h"

#include <libpq-fe.h>
#include <string.h>

#include "dbconn.h"

int
dbconn_verify_full(const char *conninfo, const char *env_sslmode,
    const char *env_rootcert)
{
	PQconninfoOption	*opts, *o;
	char			*err = NULL;
	int			 rootcert, sslmode = 0;

	rootcert = env_rootcert != NULL && env_rootcert[0] != '\0';
	if (env_sslmode != NULL && env_sslmode[0] != '\0')
		sslmode = 1;
	/* A string libpq cannot parse: libpq reports it when connecting. */
	if ((opts = PQconninfoParse(conninfo != NULL ? conninfo : "",
	    &err)) == NULL) {
		PQfreemem(err);
		return 0;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "sslrootcert") == 0)
			rootcert = 1;
		else if (strcmp(o->keyword, "sslmode") == 0)
			sslmode = 1;
	}
	PQconninfoFree(opts);
	return rootcert && !sslmode;
}
