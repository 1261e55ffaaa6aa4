/* lockboxctl: the admin command line. Reads the same configuration file
 * and LOCKBOX_* variables as the server. Results that scripts capture (a
 * new API key) go to standard output; everything else to standard error. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apikey.h"
#include "config.h"
#include "crypto.h"
#include "keyring.h"
#include "lockdown.h"
#include "log.h"
#include "store.h"

static struct config	 cfg;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lockboxctl [--config PATH] COMMAND\n"
	    "commands:\n"
	    "  migrate                                   apply pending schema migrations\n"
	    "  keygen --out PATH                         write a new key ring (mode 0600)\n"
	    "  apikey create --name NAME --scope read|write\n"
	    "                                            mint a key; prints it once on stdout\n"
	    "  apikey list                               list keys (never the keys themselves)\n"
	    "  apikey revoke ID                          revoke a key; effective on the next request\n"
	    "  keyring add [--file PATH]                 add a fresh key to the ring and make it active\n"
	    "                                            (then reload every lockbox host, then rewrap)\n"
	    "  rewrap                                    re-encrypt every secret under the active key, online\n");
}

static struct store *
db_open(void)
{
	struct store	*s = store_new(cfg.database_url, 0);

	if (s == NULL)
		fprintf(stderr, "lockboxctl: out of memory\n");
	return s;
}

static int
db_fail(struct store *s, enum lb_err e)
{
	if (e == LB_ERR_DATABASE_UNAVAILABLE)
		fprintf(stderr, "lockboxctl: cannot reach the database: %s\n",
		    store_error(s));
	else
		fprintf(stderr, "lockboxctl: database error: %s\n",
		    store_error(s));
	return 1;
}

static int
cmd_migrate(int argc, char **argv)
{
	struct store	*s;
	enum lb_err	 e;

	(void)argv;
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if ((s = db_open()) == NULL)
		return 1;
	e = store_migrate(s, stderr);
	store_free(s);
	return e == LB_OK ? 0 : 1;
}

/* Writes the ring to path: a new file (O_EXCL) or, with replace, a
 * temporary file renamed over the old one, keeping its owner, so that
 * readers see either the old ring or the new one, never half of it. */
static int
ring_write(const struct keyring *ring, const char *path, int replace)
{
	struct stat	 st;
	char		 tmp[CONFIG_STR_MAX + 16], *text = NULL;
	const char	*target = path;
	size_t		 len = 0, off = 0;
	ssize_t		 n;
	int		 fd = -1, rc = -1;

	if ((text = keyring_format(ring, &len)) == NULL) {
		fprintf(stderr, "lockboxctl: out of secure memory\n");
		return -1;
	}
	if (replace) {
		if (stat(path, &st) < 0) {
			fprintf(stderr, "lockboxctl: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		target = tmp;
		unlink(tmp);
	}
	/* O_EXCL: never overwrite a key ring in place; it is the only way
	 * to read what was sealed with it. */
	if ((fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		fprintf(stderr, "lockboxctl: %s: %s\n", target,
		    strerror(errno));
		goto out;
	}
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto syserr;
		}
		off += (size_t)n;
	}
	if (replace && fchown(fd, st.st_uid, st.st_gid) < 0)
		goto syserr;
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto syserr;
	}
	fd = -1;
	if (replace && rename(tmp, path) < 0)
		goto syserr;
	rc = 0;
	goto out;
syserr:
	fprintf(stderr, "lockboxctl: %s: %s\n", target, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(target);
out:
	keyring_text_free(text, len);
	return rc;
}

static int
cmd_keyring(int argc, char **argv)
{
	struct keyring	 ring;
	const char	*path = cfg.key_file;
	char		 err[1024];
	int		 id, rc = 1;

	if (argc == 4 && strcmp(argv[1], "add") == 0 &&
	    strcmp(argv[2], "--file") == 0)
		path = argv[3];
	else if (!(argc == 2 && strcmp(argv[1], "add") == 0)) {
		usage(stderr);
		return 2;
	}
	if (keyring_load(&ring, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "lockboxctl: %s\n", err);
		return 1;
	}
	if ((id = keyring_add_random(&ring)) < 0) {
		fprintf(stderr, "lockboxctl: the ring is full\n");
		goto out;
	}
	if (ring_write(&ring, path, 1) < 0)
		goto out;
	fprintf(stderr, "added key %d to %s and made it active; reload every "
	    "lockbox host (SIGHUP), then run \"lockboxctl rewrap\"\n", id,
	    path);
	rc = 0;
out:
	keyring_free(&ring);
	return rc;
}

static int
cmd_rewrap(int argc, char **argv)
{
	struct keyring	 ring;
	struct crypto	*c = NULL;
	struct store	*s = NULL;
	enum lb_err	 e;
	char		 err[1024];
	long		 done, left, total = 0;
	int		 rc = 1;

	(void)argv;
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (keyring_load(&ring, cfg.key_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "lockboxctl: %s\n", err);
		return 1;
	}
	if ((c = crypto_new(&ring)) == NULL || (s = db_open()) == NULL)
		goto out;
	/* Small transactions: clients keep reading and writing meanwhile. */
	do {
		if ((e = store_rewrap_batch(s, c, &done, &left)) != LB_OK) {
			rc = db_fail(s, e);
			goto out;
		}
		total += done;
		fprintf(stderr, "rewrapped %ld, %ld left\n", total, left);
	} while (done > 0 && left > 0);
	if (left > 0) {
		fprintf(stderr, "lockboxctl: %ld secret(s) could not be "
		    "opened and keep their old key (see above)\n", left);
		goto out;
	}
	fprintf(stderr, "every secret is sealed with key %d; older keys can "
	    "leave the ring\n", ring.active);
	rc = 0;
out:
	store_free(s);
	crypto_free(c);
	keyring_free(&ring);
	return rc;
}

static int
cmd_keygen(int argc, char **argv)
{
	struct keyring	 ring;
	int		 rc = 1;

	if (argc != 3 || strcmp(argv[1], "--out") != 0) {
		usage(stderr);
		return 2;
	}
	memset(&ring, 0, sizeof(ring));
	if (keyring_add_random(&ring) < 0) {
		fprintf(stderr, "lockboxctl: out of secure memory\n");
		goto out;
	}
	if (ring_write(&ring, argv[2], 0) < 0)
		goto out;
	fprintf(stderr, "wrote key ring %s with key %d (active); back it up: "
	    "without it no stored secret can be read\n", argv[2], ring.active);
	rc = 0;
out:
	keyring_free(&ring);
	return rc;
}

static void
print_key(void *arg, const char *const *c)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", c[0], c[1], c[2], c[3], c[4], c[5]);
}

static int
cmd_apikey(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "scope", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct store	*s = NULL;
	enum lb_err	 e;
	const char	*name = NULL, *scope = NULL, *sub;
	char		 key[APIKEY_LEN + 1], prefix[APIKEY_PREFIX_LEN + 1];
	char		*end;
	unsigned char	 hash[CRYPTO_HASH_LEN];
	int64_t		 id;
	int		 ch, rc = 1;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	sub = argv[1];
	if (strcmp(sub, "create") == 0) {
		optind = 1;
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'n')
				name = optarg;
			else if (ch == 's')
				scope = optarg;
			else {
				usage(stderr);
				return 2;
			}
		}
		if (optind != argc - 1 || name == NULL || scope == NULL) {
			usage(stderr);
			return 2;
		}
		if (strlen(name) < 1 || strlen(name) > 255) {
			fprintf(stderr, "lockboxctl: --name must be 1 to 255 "
			    "bytes\n");
			return 2;
		}
		if (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0) {
			fprintf(stderr, "lockboxctl: --scope must be read or "
			    "write\n");
			return 2;
		}
		if ((s = db_open()) == NULL)
			return 1;
		apikey_generate(key, prefix, hash);
		if ((e = store_api_key_insert(s, name, prefix, hash, scope,
		    &id)) != LB_OK) {
			rc = db_fail(s, e);
			goto out;
		}
		fprintf(stderr, "created api key id=%" PRId64 " prefix=%s "
		    "scope=%s (shown once: store it now)\n", id, prefix, scope);
		printf("%s\n", key);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "lockboxctl: cannot write the key\n");
			goto out;
		}
		rc = 0;
	} else if (strcmp(sub, "list") == 0 && argc == 2) {
		if ((s = db_open()) == NULL)
			return 1;
		if ((e = store_api_key_list(s, print_key, NULL)) != LB_OK) {
			rc = db_fail(s, e);
			goto out;
		}
		rc = 0;
	} else if (strcmp(sub, "revoke") == 0 && argc == 3) {
		errno = 0;
		id = strtoll(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || id < 1) {
			fprintf(stderr, "lockboxctl: revoke takes a key id "
			    "(see apikey list)\n");
			return 2;
		}
		if ((s = db_open()) == NULL)
			return 1;
		e = store_api_key_revoke(s, id);
		if (e == LB_ERR_NOT_FOUND) {
			fprintf(stderr, "lockboxctl: no api key with id %"
			    PRId64 "\n", id);
			goto out;
		}
		if (e != LB_OK) {
			rc = db_fail(s, e);
			goto out;
		}
		fprintf(stderr, "revoked api key %" PRId64 "\n", id);
		rc = 0;
	} else {
		usage(stderr);
		return 2;
	}
out:
	explicit_bzero(key, sizeof(key));
	store_free(s);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*config_path = NULL;
	char		 err[1024];
	int		 i = 1;

	/* First thing: keys and values pass through here (keygen, keyring
	 * add, rewrap), and no core file or same-user ptrace may reach them. */
	if (lockdown_no_dumps() < 0) {
		fprintf(stderr, "lockboxctl: cannot disable core dumps\n");
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		config_path = argv[2];
		i = 3;
	}
	if (i >= argc || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "-h") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	if (crypto_init() < 0) {
		fprintf(stderr, "lockboxctl: libgcrypt 1.10 or later is "
		    "required\n");
		return 1;
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "lockboxctl: %s\n", err);
		return 1;
	}
	/* Keep libpq's and our own notices on stderr as plain text. */
	log_set_level(LOG_LVL_ERROR);
	if (strcmp(argv[i], "migrate") == 0)
		return cmd_migrate(argc - i, argv + i);
	if (strcmp(argv[i], "keygen") == 0)
		return cmd_keygen(argc - i, argv + i);
	if (strcmp(argv[i], "apikey") == 0)
		return cmd_apikey(argc - i, argv + i);
	if (strcmp(argv[i], "keyring") == 0)
		return cmd_keyring(argc - i, argv + i);
	if (strcmp(argv[i], "rewrap") == 0)
		return cmd_rewrap(argc - i, argv + i);
	usage(stderr);
	return 2;
}
