#include "autoconfig.h"

#include <string.h>

#include "scope.h"

static const struct {
	enum scope_level	 level;
	const char		*name;
} names[] = {
	{ SCOPE_LEVEL_READ, "read" },
	{ SCOPE_LEVEL_WRITE, "write" },
};

const char *
scope_name(enum scope_level l)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].level == l)
			return names[i].name;
	return "none";
}

int
scope_parse(const char *name, enum scope_level *l)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0) {
			*l = names[i].level;
			return 0;
		}
	return -1;
}

int
scope_allows(const struct principal *p, enum scope_level need)
{
	return p->level >= need;
}

const char *
scope_refusal(enum scope_level need)
{
	switch (need) {
	case SCOPE_LEVEL_WRITE:
		return "this API key may not write; this route writes";
	case SCOPE_LEVEL_READ:
		return "this API key may not read values; this request "
		    "reads them";
	default:
		return "this API key may not use this route";
	}
}
