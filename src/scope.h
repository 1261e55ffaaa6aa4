/* What an API key may do, said once. A key has a level; a route needs
 * one (router.c's table); a key may do what its level or a lower one
 * allows. The numbers are also the database's: lockbox.scope_level()
 * (sql/004_scopes.sql) turns a stored scope into the same number, kept in
 * lockbox.api_keys.level (0 once the key is revoked), and every statement
 * that checks a key compares that column with the level the route needs
 * (sql/queries.sql, "keyed"). */
#ifndef LOCKBOX_SCOPE_H
#define LOCKBOX_SCOPE_H

#include <stdint.h>

enum scope_level {
	SCOPE_LEVEL_NONE	= 0,	/* no key at all (health, openapi) */
	/* Lists of secrets, versions and deleted secrets: never a value.
	 * No key has this level alone yet; read and write keys pass. */
	SCOPE_LEVEL_LIST	= 1,
	SCOPE_LEVEL_READ	= 2,	/* also values: get, lookup, bulk */
	SCOPE_LEVEL_WRITE	= 3,	/* also create, update and delete */
};

/* Who a request acts for, once its key is accepted (auth.c). */
struct principal {
	int64_t			 key_id;
	enum scope_level	 level;
	char			 prefix[16];	/* the key's visible prefix */
};

/* "read", "write": the scope names lockboxctl takes and stores. */
const char	*scope_name(enum scope_level);
/* The level of a scope name; -1 when there is none. */
int		 scope_parse(const char *name, enum scope_level *);

/* Whether p may do what a route of level need does. */
int		 scope_allows(const struct principal *p, enum scope_level need);

/* The message of a 403 for need. */
const char	*scope_refusal(enum scope_level need);

#endif
