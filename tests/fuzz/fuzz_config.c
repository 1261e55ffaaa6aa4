/* The configuration file and settings: config_load_file on the input
 * (written to a memfd, read through /proc/self/fd/N), compared with a
 * reference reading of the same text, and config_set on NAME=VALUE splits
 * of the input.
 *   - config_load_file accepts exactly what the reference accepts and
 *     leaves the same settings (memcmp of struct config);
 *   - every setting stays within its documented range;
 *   - an error names the file and line; a refused database_url (it may
 *     hold a password) gives one fixed message, never its value;
 *   - config_set takes a value exactly when it fits the setting, and
 *     writes nothing past an err buffer of any size.
 * Input: the file. Pieces between NUL or newline bytes are also NAME=VALUE
 * pairs for config_set (split at the first '=', no trimming). */
#define _GNU_SOURCE 1
#include "autoconfig.h"

#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_common.h"

#define LINE_MAX_CHARS	(CONFIG_STR_MAX + 256 - 1)	/* fgets' limit */

static int	 memfd = -1;
static char	 path[64];

static void
check_ranges(const struct config *c)
{
	FUZZ_CHECK("config-strings", strnlen(c->database_url,
	    sizeof(c->database_url)) < sizeof(c->database_url) &&
	    strnlen(c->key_file, sizeof(c->key_file)) < sizeof(c->key_file) &&
	    strnlen(c->listen, sizeof(c->listen)) < sizeof(c->listen) &&
	    strnlen(c->socket_group, sizeof(c->socket_group)) <
	    sizeof(c->socket_group) && strnlen(c->user, sizeof(c->user)) <
	    sizeof(c->user), "a string setting without its NUL");
	FUZZ_CHECK("config-range-workers", c->workers >= 0 &&
	    c->workers <= 256, "workers outside 0..256");
	FUZZ_CHECK("config-range-max_requests", c->max_requests >= 0 &&
	    c->max_requests <= 1000000000, "max_requests outside 0..1e9");
	FUZZ_CHECK("config-range-max_body", c->max_body >= 1024 &&
	    c->max_body <= 64L * 1024 * 1024, "max_body outside 1024..64 MiB");
	FUZZ_CHECK("config-range-idempotency_ttl", c->idempotency_ttl >= 60 &&
	    c->idempotency_ttl <= 366L * 86400,
	    "idempotency_ttl outside 60..31622400");
	FUZZ_CHECK("config-range-socket_mode", c->socket_mode >= 0 &&
	    c->socket_mode <= 0777, "socket_mode outside 0000..0777 (the "
	    "documented range): setuid, setgid or sticky bits on the socket");
	FUZZ_CHECK("config-range-log_level", c->log_level >= LOG_LVL_ERROR &&
	    c->log_level <= LOG_LVL_DEBUG, "log_level outside its names");
	FUZZ_CHECK("config-range-prepared_statements",
	    c->prepared_statements == 0 || c->prepared_statements == 1,
	    "prepared_statements neither on nor off");
}

/* The one message a refused database_url may give: never its value. */
#define DBURL_MSG "database_url: must be a libpq connection string or URI"

static void
check_dburl_msg(const char *err)
{
	size_t	 n = strlen(err), m = strlen(DBURL_MSG);

	FUZZ_CHECK("config-secret-echo", n >= m &&
	    strcmp(err + n - m, DBURL_MSG) == 0,
	    "a refused database_url gave a message that may quote its value");
}

static char *
ref_trim(char *s)
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

/* The documented format, line by line: '#' comments and blank lines;
 * "key = value" (spaces and tabs around both trimmed, and a CR at the
 * end); a line longer than the reader's buffer is an error. For inputs
 * without NUL bytes. */
static int
ref_load(struct config *c, const char *text, size_t len, char *badkey,
    size_t badkeylen)
{
	char		*buf, *line, *k, *v, *eq, msg[512];
	size_t		 start = 0, end, n;
	int		 rc = 0;

	badkey[0] = '\0';
	if ((buf = malloc(len + 1)) == NULL)
		abort();
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);

		end = nl ? (size_t)(nl - text) : len;
		n = end - start;
		if (n >= LINE_MAX_CHARS) {
			rc = -1;
			break;
		}
		memcpy(buf, text + start, n);
		buf[n] = '\0';
		line = ref_trim(buf);
		start = end + 1;
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			rc = -1;
			break;
		}
		*eq = '\0';
		k = ref_trim(line);
		v = ref_trim(eq + 1);
		if (config_set(c, k, v, msg, sizeof(msg)) < 0) {
			snprintf(badkey, badkeylen, "%s", k);
			rc = -1;
			break;
		}
	}
	free(buf);
	return rc;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((memfd = memfd_create("lockbox-fuzz-config", MFD_CLOEXEC)) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void
set_pieces(const uint8_t *data, size_t size)
{
	struct config	 c;
	char		*copy = fuzz_cstr(data, size), *p, *q, *eq, err[512];
	char		 tiny[8];
	size_t		 i;
	int		 rc, rc2;

	for (i = 0; i < size; i++)
		if (copy[i] == '\n')
			copy[i] = '\0';
	config_defaults(&c);
	for (p = copy; p <= copy + size; p += strlen(p) + 1) {
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		q = eq + 1;
		err[0] = '\0';
		rc = config_set(&c, p, q, err, sizeof(err));
		check_ranges(&c);
		if (rc < 0) {
			FUZZ_CHECK("config-set-err", err[0] != '\0',
			    "a failure without a message");
			if (strcmp(p, "database_url") == 0)
				check_dburl_msg(err);
		} else if (strcmp(p, "database_url") == 0)
			FUZZ_CHECK("config-set-str", strcmp(c.database_url, q) ==
			    0, "database_url not stored as given");
		else if (strcmp(p, "listen") == 0)
			FUZZ_CHECK("config-set-str", strcmp(c.listen, q) == 0,
			    "listen not stored as given");
		/* A small err buffer is truncated, never overrun (ASan). */
		memset(tiny, 'x', sizeof(tiny));
		rc2 = config_set(&c, p, q, tiny, 5);
		FUZZ_CHECK("config-set-stable", rc2 == rc,
		    "setting the same value twice gave another answer");
		FUZZ_CHECK("config-set-errlen", rc2 == 0 || (tiny[4] == '\0' &&
		    tiny[5] == 'x'), "err written past errlen");
		*eq = '=';
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c, ref;
	char		 err[512], badkey[64];
	int		 rc, rrc;
	size_t		 off = 0;
	ssize_t		 n;

	if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) < 0)
		abort();
	while (off < size) {
		if ((n = write(memfd, data + off, size - off)) <= 0)
			abort();
		off += (size_t)n;
	}
	config_defaults(&c);
	err[0] = '\0';
	rc = config_load_file(&c, path, err, sizeof(err));
	check_ranges(&c);
	if (rc < 0) {
		FUZZ_CHECK("config-err-path", strncmp(err, path,
		    strlen(path)) == 0, "an error that does not name the file");
	}
	if (memchr(data, '\0', size) == NULL) {
		config_defaults(&ref);
		rrc = ref_load(&ref, (const char *)data, size, badkey,
		    sizeof(badkey));
		FUZZ_CHECK("config-file-ref", rc == rrc,
		    "config_load_file and the reference disagree on validity");
		if (rc < 0 && strcmp(badkey, "database_url") == 0)
			check_dburl_msg(err);
		if (rc == 0)
			FUZZ_CHECK("config-file-ref", memcmp(&c, &ref,
			    sizeof(c)) == 0, "the settings differ from the "
			    "reference");
	}
	set_pieces(data, size);
	return 0;
}
