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
	/* Not a level: the audit scope, which a key has or not whatever its
	 * level (GET /v1/admin/audit). */
	SCOPE_LEVEL_AUDIT	= -1,
	/* No key at all (health, openapi); a key's level when it may only
	 * read the audit log. */
	SCOPE_LEVEL_NONE	= 0,
	/* Lists of secrets, versions and deleted secrets: never a value. */
	SCOPE_LEVEL_LIST	= 1,
	SCOPE_LEVEL_READ	= 2,	/* also values: get, lookup, bulk */
	SCOPE_LEVEL_WRITE	= 3,	/* also create, update and delete */
};

/* A key may be restricted to at most this many providers. */
#define SCOPE_PROVIDERS_MAX	32
/* Room for their list as PostgreSQL writes a text[]: {aws,"",gcp}. */
#define SCOPE_PROVIDERS_LEN	(SCOPE_PROVIDERS_MAX * 66 + 3)

/* Who a request acts for, once its key is accepted (auth.c). */
struct principal {
	int64_t			 key_id;
	enum scope_level	 level;
	int			 audit;		/* may read the audit log */
	char			 prefix[16];	/* the key's visible prefix */
	/* The providers it reaches, as the database holds them (a text[]
	 * literal, "" standing for secrets without a provider); empty:
	 * every provider. Statements that run once the key is checked take
	 * it as a parameter. */
	char			 providers[SCOPE_PROVIDERS_LEN];
};

/* "list", "read", "write", and "none" (a key for the audit log alone):
 * the level names lockboxctl takes and stores. */
const char	*scope_name(enum scope_level);
/* The level of a scope name; -1 when there is none. */
int		 scope_parse(const char *name, enum scope_level *);
/* What lockboxctl apikey create --scope takes: a level, a level and
 * ",audit", or "audit" alone. -1 for anything else. */
int		 scope_parse_spec(const char *spec, enum scope_level *,
		    int *audit);

/* Whether p may do what a route of level need does. */
int		 scope_allows(const struct principal *p, enum scope_level need);
/* Whether p reaches a secret of provider slug (NULL: none). A list it
 * cannot read reaches nothing. */
int		 scope_reaches(const struct principal *p, const char *slug);
/* Appends slug to a providers list being built for lockboxctl ("none":
 * secrets without a provider), as the text[] literal the database takes;
 * -1 when it is not a provider slug, a duplicate, or one too many. */
int		 scope_providers_add(char list[SCOPE_PROVIDERS_LEN],
		    const char *slug);

/* The message of a 403 for need. */
const char	*scope_refusal(enum scope_level need);

#endif
