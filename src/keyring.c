#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"
#include "keyring.h"

/* Parses a decimal id in 1..32767 from exactly [s, s+n). */
static int
parse_id(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	if (n == 0 || n > 5 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 32767 ? v : -1;
}

const struct keyring_key *
keyring_find(const struct keyring *r, int id)
{
	size_t	 i;

	for (i = 0; i < r->nkeys; i++)
		if (r->keys[i].id == id)
			return &r->keys[i];
	return NULL;
}

void
keyring_free(struct keyring *r)
{
	size_t	 i;

	for (i = 0; i < r->nkeys; i++) {
		/* gcry_free wipes secure memory before releasing it. */
		gcry_free(r->keys[i].key);
		r->keys[i].key = NULL;
	}
	r->nkeys = 0;
	r->active = 0;
}

/* Splits the next whitespace-separated token of a line. */
static const char *
token(const char **p, const char *end, size_t *n)
{
	const char *s;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	s = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*n = (size_t)(*p - s);
	return *n > 0 ? s : NULL;
}

static int
parse_line(struct keyring *r, const char *p, const char *end, int *active,
    char *err, size_t errlen, unsigned lineno)
{
	const char	*w, *idt, *hex;
	size_t		 wn, idn, hexn;
	unsigned char	*key;
	int		 id;

	if ((w = token(&p, end, &wn)) == NULL || *w == '#')
		return 0;
	if (wn == 6 && memcmp(w, "active", 6) == 0) {
		idt = token(&p, end, &idn);
		if (idt == NULL || (id = parse_id(idt, idn)) < 0 ||
		    token(&p, end, &wn) != NULL) {
			snprintf(err, errlen, "line %u: expected \"active ID\" "
			    "with ID from 1 to 32767", lineno);
			return -1;
		}
		if (*active != 0) {
			snprintf(err, errlen, "line %u: a second \"active\" "
			    "line", lineno);
			return -1;
		}
		*active = id;
		return 0;
	}
	if (wn != 3 || memcmp(w, "key", 3) != 0) {
		snprintf(err, errlen, "line %u: expected \"key ID HEX\" or "
		    "\"active ID\"", lineno);
		return -1;
	}
	idt = token(&p, end, &idn);
	hex = token(&p, end, &hexn);
	if (idt == NULL || (id = parse_id(idt, idn)) < 0 || hex == NULL ||
	    hexn != 2 * KEYRING_KEY_LEN || token(&p, end, &wn) != NULL) {
		snprintf(err, errlen, "line %u: expected \"key ID HEX\" with "
		    "ID from 1 to 32767 and 64 hex digits", lineno);
		return -1;
	}
	if (keyring_find(r, id) != NULL) {
		snprintf(err, errlen, "line %u: key %d appears twice", lineno,
		    id);
		return -1;
	}
	if (r->nkeys == KEYRING_MAX_KEYS) {
		snprintf(err, errlen, "line %u: more than %d keys", lineno,
		    KEYRING_MAX_KEYS);
		return -1;
	}
	if ((key = gcry_malloc_secure(KEYRING_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of secure memory");
		return -1;
	}
	if (hex_decode(key, hex, hexn) != KEYRING_KEY_LEN) {
		gcry_free(key);
		snprintf(err, errlen, "line %u: key %d is not 64 hex digits",
		    lineno, id);
		return -1;
	}
	r->keys[r->nkeys].id = id;
	r->keys[r->nkeys].key = key;
	r->nkeys++;
	return 0;
}

int
keyring_parse(struct keyring *r, const char *text, size_t len, char *err,
    size_t errlen)
{
	const char	*p = text, *end = text + len, *nl, *le;
	unsigned	 lineno = 0;
	int		 active = 0;

	memset(r, 0, sizeof(*r));
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "the key file holds a NUL byte");
		return -1;
	}
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl != NULL ? nl : end;
		if (le > p && le[-1] == '\r')
			le--;
		if (parse_line(r, p, le, &active, err, errlen, lineno) < 0)
			goto fail;
		p = nl != NULL ? nl + 1 : end;
	}
	if (r->nkeys == 0) {
		snprintf(err, errlen, "no key (expected \"key ID HEX\" lines)");
		goto fail;
	}
	if (active == 0) {
		snprintf(err, errlen, "no \"active ID\" line");
		goto fail;
	}
	if (keyring_find(r, active) == NULL) {
		snprintf(err, errlen, "the active key %d is not in the file",
		    active);
		goto fail;
	}
	r->active = active;
	return 0;
fail:
	keyring_free(r);
	return -1;
}

int
keyring_load(struct keyring *r, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rc = -1;

	memset(r, 0, sizeof(*r));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "key_file: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key_file: %s is not a regular file",
		    path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "key_file: %s has mode %04o: it must "
		    "not be readable or writable by group or others "
		    "(chmod 600 it)", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > KEYRING_FILE_MAX) {
		snprintf(err, errlen, "key_file: %s is larger than %d bytes",
		    path, KEYRING_FILE_MAX);
		goto out;
	}
	if ((text = gcry_malloc_secure(KEYRING_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of secure memory");
		goto out;
	}
	while (len < KEYRING_FILE_MAX &&
	    (n = read(fd, text + len, KEYRING_FILE_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "key_file: %s: %s", path,
			    strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (keyring_parse(r, text, len, err, errlen) < 0) {
		char	 msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "key_file: %s: %s", path, msg);
		goto out;
	}
	rc = 0;
out:
	gcry_free(text);	/* wiped: secure memory */
	close(fd);
	return rc;
}

int
keyring_add_random(struct keyring *r)
{
	unsigned char	*key;
	size_t		 i;
	int		 id = 0;

	if (r->nkeys == KEYRING_MAX_KEYS)
		return -1;
	for (i = 0; i < r->nkeys; i++)
		if (r->keys[i].id > id)
			id = r->keys[i].id;
	if (++id > 32767)
		return -1;
	if ((key = gcry_malloc_secure(KEYRING_KEY_LEN)) == NULL)
		return -1;
	gcry_randomize(key, KEYRING_KEY_LEN, GCRY_VERY_STRONG_RANDOM);
	r->keys[r->nkeys].id = id;
	r->keys[r->nkeys].key = key;
	r->nkeys++;
	r->active = id;
	return id;
}

int
keyring_remove(struct keyring *r, int id)
{
	size_t	 i;

	for (i = 0; i < r->nkeys && r->keys[i].id != id; i++)
		;
	if (i == r->nkeys || id == r->active)
		return -1;
	gcry_free(r->keys[i].key);	/* wiped: secure memory */
	memmove(&r->keys[i], &r->keys[i + 1],
	    (r->nkeys - i - 1) * sizeof(r->keys[0]));
	r->nkeys--;
	r->keys[r->nkeys].key = NULL;
	r->keys[r->nkeys].id = 0;
	return 0;
}

char *
keyring_format(const struct keyring *r, size_t *lenp)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 cap, len = 0, i, j;
	char		*t;
	int		 n;

	cap = 256 + r->nkeys * (2 * KEYRING_KEY_LEN + 32);
	if ((t = gcry_malloc_secure(cap)) == NULL)
		return NULL;
	n = snprintf(t, cap, "# lockbox key ring: keep this file mode 0600 "
	    "and back it up.\n# Without it, stored secrets cannot be "
	    "read.\n");
	len = (size_t)n;
	for (i = 0; i < r->nkeys; i++) {
		len += (size_t)snprintf(t + len, cap - len, "key %d ",
		    r->keys[i].id);
		for (j = 0; j < KEYRING_KEY_LEN; j++) {
			t[len++] = hex[r->keys[i].key[j] >> 4];
			t[len++] = hex[r->keys[i].key[j] & 0xf];
		}
		t[len++] = '\n';
	}
	len += (size_t)snprintf(t + len, cap - len, "active %d\n", r->active);
	*lenp = len;
	return t;
}

void
keyring_text_free(char *t, size_t len)
{
	(void)len;
	gcry_free(t);
}
