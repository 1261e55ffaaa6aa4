#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "scope.h"
#include "validate.h"

static const struct {
	enum scope_level	 level;
	const char		*name;
} names[] = {
	{ SCOPE_LEVEL_NONE, "none" },
	{ SCOPE_LEVEL_LIST, "list" },
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
scope_parse_spec(const char *spec, enum scope_level *l, int *audit)
{
	const char	*comma;
	char		 level[8];

	*audit = 0;
	if (strcmp(spec, "audit") == 0) {
		*l = SCOPE_LEVEL_NONE;
		*audit = 1;
		return 0;
	}
	if ((comma = strchr(spec, ',')) != NULL) {
		if (strcmp(comma + 1, "audit") != 0 ||
		    (size_t)(comma - spec) >= sizeof(level))
			return -1;
		memcpy(level, spec, (size_t)(comma - spec));
		level[comma - spec] = '\0';
		*audit = 1;
		spec = level;
	}
	/* "none" is what the database stores for "audit" alone. */
	if (scope_parse(spec, l) < 0 || *l == SCOPE_LEVEL_NONE)
		return -1;
	return 0;
}

int
scope_allows(const struct principal *p, enum scope_level need)
{
	if (need == SCOPE_LEVEL_AUDIT)
		return p->audit;
	return p->level >= need;
}

/* The next element of a text[] literal at *s ({a,"",b}: the database's
 * CHECK allows no other characters), unquoted into out; 0 at the end,
 * -1 for anything the database would not have written. */
static int
next_provider(const char **s, char out[64])
{
	const char	*p = *s, *end;
	size_t		 n;
	int		 quoted;

	if (*p == '}')
		return p[1] == '\0' ? 0 : -1;
	quoted = *p == '"';
	p += quoted;
	for (end = p; *end != '\0' && *end != ',' && *end != '}' &&
	    *end != '"'; end++)
		;
	n = (size_t)(end - p);
	if (quoted && *end++ != '"')
		return -1;
	if ((*end != ',' && *end != '}') || n >= 64 ||
	    (n > 0 && !valid_provider_slug(p, n)) || (n == 0 && !quoted))
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	*s = *end == ',' ? end + 1 : end;
	return 1;
}

int
scope_reaches(const struct principal *p, const char *slug)
{
	const char	*s = p->providers;
	char		 one[64];
	int		 r;

	if (s[0] == '\0')
		return 1;
	if (*s++ != '{')
		return 0;
	while ((r = next_provider(&s, one)) > 0)
		if (strcmp(one, slug != NULL ? slug : "") == 0)
			return 1;
	return 0;
}

int
scope_providers_add(char list[SCOPE_PROVIDERS_LEN], const char *slug)
{
	const char	*s;
	char		 one[64];
	size_t		 n = 0, len;
	int		 r;

	if (strcmp(slug, "none") == 0)
		slug = "";
	else if (!valid_provider_slug(slug, strlen(slug)))
		return -1;
	if (list[0] == '\0')
		strcpy(list, "{}");
	/* One walk: how many there are, and none the same. */
	for (s = list + 1; (r = next_provider(&s, one)) > 0; n++)
		if (strcmp(one, slug) == 0)
			return -1;
	if (r < 0 || n >= SCOPE_PROVIDERS_MAX)
		return -1;
	len = strlen(list);
	/* Quoted, so that "" (none) and a slug such as "null" read back as
	 * themselves. */
	if (len + strlen(slug) + 4 > SCOPE_PROVIDERS_LEN)
		return -1;
	snprintf(list + len - 1, SCOPE_PROVIDERS_LEN - len + 1, "%s\"%s\"}",
	    n > 0 ? "," : "", slug);
	return 0;
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
	case SCOPE_LEVEL_AUDIT:
		return "this API key may not read the audit log (scope audit)";
	default:
		return "this API key may not use this route";
	}
}
