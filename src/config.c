#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "validate.h"

enum setting_kind { K_STR, K_INT, K_MODE, K_LEVEL, K_BOOL, K_MOUNT };

struct setting {
	const char		*name;
	enum setting_kind	 kind;
	size_t			 off;
	size_t			 size;	/* K_STR: buffer size */
	long			 min, max;
	int			 secret; /* may hold a password: never echoed */
	const char		*help;
};

#define STR(f, sec, h) \
	{ #f, K_STR, offsetof(struct config, f), \
	  sizeof(((struct config *)0)->f), 0, 0, sec, h }
#define NUM(f, lo, hi, h) \
	{ #f, K_INT, offsetof(struct config, f), \
	  sizeof(((struct config *)0)->f), lo, hi, 0, h }

static const struct setting settings[] = {
	STR(database_url, 1, "a libpq connection string or URI"),
	STR(key_file, 0, "the path of the key ring file"),
	STR(listen, 0, "unix:/path/to.sock or HOST:PORT"),
	STR(socket_group, 0, "a group name"),
	STR(user, 0, "a user name"),
	NUM(workers, 0, 256, "an integer from 0 (four per CPU, at most 32) to 256"),
	NUM(max_requests, 0, 1000000000, "an integer from 0 (never) to 1000000000"),
	NUM(max_body, 1024, 64L * 1024 * 1024, "a byte count from 1024 to 67108864"),
	NUM(idempotency_ttl, 60, 366L * 86400, "seconds from 60 to 31622400"),
	NUM(max_versions, 1, 1000, "an integer from 1 to 1000"),
	NUM(deleted_retention, 0, 366L * 86400,
	    "seconds from 0 (destroy at once) to 31622400"),
	{ "socket_mode", K_MODE, offsetof(struct config, socket_mode), 0,
	  0, 0777, 0, "an octal mode from 0000 to 0777, e.g. 0660" },
	{ "log_level", K_LEVEL, offsetof(struct config, log_level), 0,
	  0, 0, 0, "one of error, warn, info, debug" },
	{ "prepared_statements", K_BOOL,
	  offsetof(struct config, prepared_statements), 0, 0, 0, 0,
	  "on or off" },
	{ "audit", K_BOOL, offsetof(struct config, audit), 0, 0, 0, 0,
	  "on or off" },
	{ "audit_async_reads", K_BOOL,
	  offsetof(struct config, audit_async_reads), 0, 0, 0, 0,
	  "on or off" },
	NUM(audit_retention, 0, 3660L * 86400,
	    "seconds from 0 (keep every event) to 316224000"),
	{ "base_path", K_MOUNT, offsetof(struct config, base_path),
	  sizeof(((struct config *)0)->base_path), 0, 0, 0,
	  "empty, or a path such as /tools/vault: letters, digits, - . _ ~ "
	  "between slashes, no trailing slash" },
};

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->key_file, "/etc/lockbox/keyring");
	c->workers = 0;
	/* A worker grows by a few KiB over 100,000 requests (README,
	 * Performance), but libraries keep what their largest message
	 * needed and the heap fragments: a new process bounds all of that.
	 * It costs a fork and a PostgreSQL session, about 0.01 % of a
	 * worker's time at full load, where it comes every few minutes; at
	 * 10,000 the database would see a new session every few seconds
	 * from each pool, and past 1,000,000 the bound comes too late. */
	c->max_requests = 100000;
	c->max_body = 1024 * 1024;
	c->idempotency_ttl = 86400;
	c->max_versions = 10;
	c->deleted_retention = 7 * 86400;
	c->socket_mode = 0660;
	c->log_level = LOG_LVL_INFO;
	c->prepared_statements = 1;
	c->audit = 1;
}

static const struct setting *
setting_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

/* Strict decimal: digits only, no sign, no spaces, no overflow. */
static int
parse_long(const char *s, long *out)
{
	long	 v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (LONG_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static int
parse_mode(const char *s, long *out)
{
	long	 v = 0;
	size_t	 n = strlen(s);

	if (n < 3 || n > 4)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (*s - '0');
	}
	*out = v;
	return 0;
}

int
config_set(struct config *c, const char *key, const char *value,
    char *err, size_t errlen)
{
	const struct setting	*s;
	char			*base = (char *)c;
	long			 v;
	size_t			 i;

	if ((s = setting_find(key)) == NULL) {
		snprintf(err, errlen, "unknown setting \"%.64s\"", key);
		return -1;
	}
	switch (s->kind) {
	case K_STR:
		if (strlen(value) >= s->size)
			goto bad;
		memcpy(base + s->off, value, strlen(value) + 1);
		return 0;
	case K_INT:
		if (parse_long(value, &v) < 0 || v < s->min || v > s->max)
			goto bad;
		if (s->size == sizeof(int))
			*(int *)(void *)(base + s->off) = (int)v;
		else
			*(long *)(void *)(base + s->off) = v;
		return 0;
	case K_MODE:
		if (parse_mode(value, &v) < 0 || v > s->max)
			goto bad;
		c->socket_mode = (int)v;
		return 0;
	case K_LEVEL:
		for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
			if (strcmp(value, level_names[i]) == 0) {
				c->log_level = (enum log_level)i;
				return 0;
			}
		goto bad;
	case K_MOUNT:
		if (value[0] != '\0' && !valid_mount(value, strlen(value)))
			goto bad;
		memcpy(base + s->off, value, strlen(value) + 1);
		return 0;
	case K_BOOL:
		if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
			*(int *)(void *)(base + s->off) = value[1] == 'n';
			return 0;
		}
		goto bad;
	}
bad:
	if (s->secret)
		snprintf(err, errlen, "%s: must be %s", s->name, s->help);
	else
		snprintf(err, errlen, "%s: must be %s (got \"%.64s\")",
		    s->name, s->help, value);
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
config_load_file(struct config *c, const char *path, char *err,
    size_t errlen)
{
	FILE	*f;
	char	 line[CONFIG_STR_MAX + 256], msg[512], *k, *v, *eq;
	int	 rc = -1;
	unsigned lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path,
			    lineno);
			goto out;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected \"key = value\"",
			    path, lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (config_set(c, k, v, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
config_load_env(struct config *c, char *err, size_t errlen)
{
	char		 var[64], msg[512];
	const char	*v;
	size_t		 i, j;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		snprintf(var, sizeof(var), "LOCKBOX_%s", settings[i].name);
		for (j = strlen("LOCKBOX_"); var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((v = getenv(var)) == NULL)
			continue;
		if (config_set(c, settings[i].name, v, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: %s", var, msg);
			return -1;
		}
	}
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	config_defaults(c);
	if (path == NULL)
		path = getenv("LOCKBOX_CONFIG");
	if (path != NULL && *path != '\0' &&
	    config_load_file(c, path, err, errlen) < 0)
		return -1;
	return config_load_env(c, err, errlen);
}
