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
#include "ctl.h"
#include "crypto.h"
#include "keyring.h"
#include "lockdown.h"
#include "log.h"
#include "scope.h"
#include "store.h"
#include "store_admin.h"

struct config		 ctl_cfg;

void
ctl_usage(FILE *f)
{
	fprintf(f,
	    "usage: lockboxctl [--config PATH] COMMAND\n"
	    "commands:\n"
	    "  migrate                                   apply pending schema migrations\n"
	    "  keygen --out PATH                         write a new key ring (mode 0600)\n"
	    "  apikey create --name NAME --scope list|read|write[,audit]|audit\n"
	    "         [--provider SLUG|none]... [--expires-in DURATION]\n"
	    "                                            mint a key; prints it once on stdout\n"
	    "  apikey list                               list keys (never the keys themselves)\n"
	    "  apikey revoke ID                          revoke a key; effective on the next request\n"
	    "  keyring add [--activate] [--file PATH]    add a fresh key to the ring (active with --activate)\n"
	    "  keyring activate ID [--file PATH]         make a key every host has the one new values use\n"
	    "  keyring remove ID [--file PATH]           take a key that rewrap retired out of the ring\n"
	    "  rewrap [--wait SECONDS]                   re-encrypt every secret under the active key, online\n"
	    "  audit verify                              check every audit chain; exit 1 on any break\n"
	    "  audit export [--since TIME]               print audit events as JSON lines, oldest first\n"
	    "  audit purge --before TIME                 remove older events, sealing where each chain now starts\n");
}

struct store *
ctl_db_open(void)
{
	struct store	*s = store_new(ctl_cfg.database_url, 0);

	if (s == NULL)
		fprintf(stderr, "lockboxctl: out of memory\n");
	return s;
}

int
ctl_db_fail(struct store *s, enum lb_err e)
{
	if (e == LB_ERR_DATABASE_UNAVAILABLE)
		fprintf(stderr, "lockboxctl: cannot reach the database: %s\n",
		    store_error(s));
	else
		fprintf(stderr, "lockboxctl: database error: %s\n",
		    store_error(s));
	return 1;
}

struct crypto *
ctl_ring_open(struct keyring *ring, int quiet)
{
	struct crypto	*c;
	char		 err[1024];

	if (keyring_load(ring, ctl_cfg.key_file, err, sizeof(err)) < 0) {
		if (!quiet)
			fprintf(stderr, "lockboxctl: %s\n", err);
		return NULL;
	}
	if ((c = crypto_new(ring)) == NULL) {
		fprintf(stderr, "lockboxctl: out of memory\n");
		keyring_free(ring);
	}
	return c;
}

static int
cmd_migrate(int argc, char **argv)
{
	struct keyring	 ring;
	struct crypto	*c;
	struct store	*s;
	enum lb_err	 e;

	(void)argv;
	if (argc != 1) {
		ctl_usage(stderr);
		return 2;
	}
	if ((s = ctl_db_open()) == NULL)
		return 1;
	/* Only API keys from before 0.2 need the ring: a DBA may migrate
	 * without it otherwise. */
	memset(&ring, 0, sizeof(ring));
	c = ctl_ring_open(&ring, 1);
	e = store_migrate(s, c, stderr);
	store_free(s);
	crypto_free(c);
	keyring_free(&ring);
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

static void
print_worker(void *arg, const char *host, const char *pid, const char *key,
    const char *age)
{
	(void)arg;
	fprintf(stderr, "  worker %s on %s seals with key %s (seen %s s ago)\n",
	    pid, host, key, age);
}

static void
print_api_key(void *arg, const char *id, const char *prefix)
{
	(void)arg;
	fprintf(stderr, "  API key %s (%s)\n", id, prefix);
}

/* Whether key id may leave the ring: rewrap retired it, no secret is
 * sealed with it, no live worker seals with it, no API key's hash was
 * made with it. Says why not on stderr. */
static int
key_removable(struct store *s, int id)
{
	enum lb_err	 e;
	long		 rows, n;
	int		 retired;

	if ((e = store_key_usage(s, id, &retired, &rows)) != LB_OK)
		return ctl_db_fail(s, e), 0;
	if (!retired) {
		fprintf(stderr, "lockboxctl: key %d was not retired: run "
		    "\"lockboxctl rewrap\" (with a ring whose active key is "
		    "another) first\n", id);
		return 0;
	}
	if (rows > 0) {
		fprintf(stderr, "lockboxctl: %ld sealed value(s) are still "
		    "sealed with key %d (rewrap could not open them)\n", rows,
		    id);
		return 0;
	}
	if ((e = store_workers_sealing(s, id, 0, print_worker, NULL, &n)) !=
	    LB_OK)
		return ctl_db_fail(s, e), 0;
	if (n > 0) {
		fprintf(stderr, "lockboxctl: %ld live worker(s) still seal "
		    "with key %d: reload them with the current ring\n", n, id);
		return 0;
	}
	if ((e = store_api_key_hashed_with(s, id, print_api_key, NULL, &n)) !=
	    LB_OK)
		return ctl_db_fail(s, e), 0;
	if (n > 0) {
		fprintf(stderr, "lockboxctl: %ld API key(s) above are stored "
		    "under key %d: each moves to the active key the next time "
		    "it is used; or revoke it\n", n, id);
		return 0;
	}
	return 1;
}

/* Whether every live worker has key id in its ring, so that whatever a
 * host seals with it, every host can open. Says which do not. */
static int
key_everywhere(struct store *s, int id)
{
	enum lb_err	 e;
	long		 n;

	if ((e = store_workers_lacking(s, id, print_worker, NULL, &n)) !=
	    LB_OK)
		return ctl_db_fail(s, e), 0;
	if (n > 0)
		fprintf(stderr, "lockboxctl: %ld live worker(s) above lack key "
		    "%d: install the ring on every host and reload it first\n",
		    n, id);
	return n == 0;
}

/* keyring add|activate|remove: one ring file (--file, else key_file). */
static int
cmd_keyring(int argc, char **argv)
{
	struct keyring	 ring;
	struct store	*s = NULL;
	const char	*path = ctl_cfg.key_file, *sub = argc > 1 ? argv[1] : "";
	char		 err[1024], *end;
	int		 id = 0, activate = 0, highest = 0, a, rc = 1, was;
	size_t		 i;

	a = 2;
	if (strcmp(sub, "activate") == 0 || strcmp(sub, "remove") == 0) {
		errno = 0;
		id = argc > 2 ? (int)strtol(argv[2], &end, 10) : 0;
		if (argc < 3 || errno != 0 || *end != '\0' || id < 1 ||
		    id > 32767) {
			fprintf(stderr, "lockboxctl: keyring %s takes a key id "
			    "(1 to 32767)\n", sub);
			return 2;
		}
		a = 3;
	} else if (strcmp(sub, "add") != 0) {
		ctl_usage(stderr);
		return 2;
	}
	for (; a < argc; a++) {
		if (strcmp(argv[a], "--file") == 0 && a + 1 < argc)
			path = argv[++a];
		else if (strcmp(sub, "add") == 0 &&
		    strcmp(argv[a], "--activate") == 0)
			activate = 1;
		else {
			ctl_usage(stderr);
			return 2;
		}
	}
	if (keyring_load(&ring, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "lockboxctl: %s\n", err);
		return 1;
	}
	if (strcmp(sub, "add") == 0) {
		was = ring.active;
		if ((id = keyring_add_random(&ring)) < 0) {
			fprintf(stderr, "lockboxctl: the ring is full\n");
			goto out;
		}
		/* Not active yet by default: a host that has not got it yet
		 * could not open what the others seal with it. */
		if (!activate)
			ring.active = was;
		if (ring_write(&ring, path, 1) < 0)
			goto out;
		if (activate)
			fprintf(stderr, "added key %d to %s and made it active; "
			    "reload lockbox (SIGHUP), then run \"lockboxctl "
			    "rewrap\"\n", id, path);
		else
			fprintf(stderr, "added key %d to %s, not active yet: "
			    "install this ring on every lockbox host and "
			    "reload each (SIGHUP), then \"lockboxctl keyring "
			    "activate %d\"\n", id, path, id);
		rc = 0;
		goto out;
	}
	if (keyring_find(&ring, id) == NULL) {
		fprintf(stderr, "lockboxctl: %s has no key %d\n", path, id);
		goto out;
	}
	if (strcmp(sub, "activate") == 0) {
		if ((s = ctl_db_open()) == NULL || !key_everywhere(s, id))
			goto out;
		ring.active = id;
		if (ring_write(&ring, path, 1) < 0)
			goto out;
		fprintf(stderr, "key %d is active in %s; install this ring on "
		    "every lockbox host and reload each (SIGHUP), then run "
		    "\"lockboxctl rewrap\"\n", id, path);
		rc = 0;
		goto out;
	}
	for (i = 0; i < ring.nkeys; i++)
		if (ring.keys[i].id > highest)
			highest = ring.keys[i].id;
	/* A new key takes the highest id plus one: the highest stays, so
	 * that no new key ever takes a retired key's id. */
	if (id == ring.active || id == highest) {
		fprintf(stderr, "lockboxctl: key %d is the %s key: it stays\n",
		    id, id == ring.active ? "active" : "highest-numbered");
		goto out;
	}
	if ((s = ctl_db_open()) == NULL || !key_removable(s, id))
		goto out;
	if (keyring_remove(&ring, id) < 0 || ring_write(&ring, path, 1) < 0)
		goto out;
	fprintf(stderr, "removed key %d from %s; install this ring on every "
	    "lockbox host and reload (SIGHUP)\n", id, path);
	rc = 0;
out:
	store_free(s);
	keyring_free(&ring);
	return rc;
}

static void
quiet_worker(void *arg, const char *host, const char *pid, const char *key,
    const char *age)
{
	(void)arg, (void)host, (void)pid, (void)key, (void)age;
}

/* Waits, up to wait_s seconds, until no live worker seals with another
 * key than active: a worker with an older ring would keep sealing with a
 * key that is about to be retired (its writes would then be refused). */
static int
workers_settled(struct store *s, int active, int wait_s)
{
	enum lb_err	 e;
	long		 n, shown = -1;
	int		 waited = 0;

	for (;;) {
		if ((e = store_workers_sealing(s, active, 1,
		    shown < 0 ? print_worker : quiet_worker, NULL, &n)) != LB_OK)
			return ctl_db_fail(s, e), 0;
		if (n == 0)
			return 1;
		if (shown != n)
			fprintf(stderr, "waiting for %ld live worker(s) to seal "
			    "with key %d (reload every lockbox host with the "
			    "current key ring)\n", n, active);
		shown = n;
		if (waited >= wait_s) {
			fprintf(stderr, "lockboxctl: %ld live worker(s) still "
			    "seal with another key than %d: reload them "
			    "(SIGHUP) with the current key ring, then run "
			    "rewrap again\n", n, active);
			return 0;
		}
		sleep(1);
		waited++;
	}
}

static int
cmd_rewrap(int argc, char **argv)
{
	struct keyring	 ring;
	struct crypto	*c = NULL;
	struct store	*s = NULL;
	enum lb_err	 e;
	int64_t		 after[2];
	enum store_rewrap_walk walk;
	long		 moved, failed, total[2] = { 0, 0 }, bad, left, n;
	int		 ids[KEYRING_MAX_KEYS], more, pass, wait_s = 60, rc = 1;
	char		*end;
	size_t		 i, nids;

	if (argc == 3 && strcmp(argv[1], "--wait") == 0) {
		errno = 0;
		wait_s = (int)strtol(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || wait_s < 0 ||
		    wait_s > 86400) {
			fprintf(stderr, "lockboxctl: --wait takes seconds, 0 "
			    "to 86400\n");
			return 2;
		}
	} else if (argc != 1) {
		ctl_usage(stderr);
		return 2;
	}
	memset(&ring, 0, sizeof(ring));
	if ((c = ctl_ring_open(&ring, 0)) == NULL || (s = ctl_db_open()) == NULL)
		goto out;
	if (!workers_settled(s, ring.active, wait_s))
		goto out;
	nids = crypto_key_ids(c, ids, KEYRING_MAX_KEYS);
	if ((e = store_rewrap_begin(s, ring.active, ids, nids)) != LB_OK) {
		rc = ctl_db_fail(s, e);
		goto out;
	}
	/* Passes in id order, in small transactions: clients keep reading
	 * and writing meanwhile. Each walks the versions, then the current
	 * values on the secrets' rows: a restore that copied a version not
	 * yet rewrapped onto its row is caught by the second walk. A row
	 * that cannot be opened is reported once per pass and passed over. */
	for (pass = 0, bad = 0; pass < 3; pass++) {
		bad = 0;
		for (walk = STORE_REWRAP_VERSIONS; walk <= STORE_REWRAP_CURRENT;
		    walk++) {
			after[0] = after[1] = 0;
			do {
				if ((e = store_rewrap_batch(s, c, walk, after,
				    &moved, &failed, &more)) != LB_OK) {
					rc = ctl_db_fail(s, e);
					goto out;
				}
				total[walk] += moved;
				bad += failed;
				if (moved + failed > 0)
					fprintf(stderr, "rewrapped %ld so far\n",
					    total[0] + total[1]);
			} while (more);
		}
		if ((e = store_rewrap_remaining(s, ring.active, &left)) !=
		    LB_OK) {
			rc = ctl_db_fail(s, e);
			goto out;
		}
		if (left <= bad)
			break;
	}
	fprintf(stderr, "rewrapped %ld secret version(s) and %ld current "
	    "value(s) to key %d\n", total[STORE_REWRAP_VERSIONS],
	    total[STORE_REWRAP_CURRENT], ring.active);
	if (left > 0) {
		fprintf(stderr, "lockboxctl: %ld sealed value(s) could not be "
		    "opened and keep their old key (listed above)\n", left);
		goto out;
	}
	/* A live worker that sealed with an older key now would have been
	 * refused; one still doing so means a host started with an old ring. */
	if ((e = store_workers_sealing(s, ring.active, 1, quiet_worker, NULL,
	    &n)) != LB_OK) {
		rc = ctl_db_fail(s, e);
		goto out;
	}
	fprintf(stderr, "every secret is sealed with key %d; the ring's other "
	    "keys are retired and may leave it (lockboxctl keyring remove ID)"
	    "%s\n", ring.active, n > 0 ? "; some worker restarted with an old "
	    "ring meanwhile: reload it" : "");
	for (i = 0; i < nids; i++) {
		if (ids[i] == ring.active)
			continue;
		if ((e = store_api_key_hashed_with(s, ids[i], print_api_key,
		    NULL, &n)) != LB_OK) {
			rc = ctl_db_fail(s, e);
			goto out;
		}
		if (n > 0)
			fprintf(stderr, "  (%ld API key(s) above are stored under "
			    "key %d until their next use)\n", n, ids[i]);
	}
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
		ctl_usage(stderr);
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
		ctl_usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	if (crypto_init() < 0) {
		fprintf(stderr, "lockboxctl: libgcrypt 1.10 or later is "
		    "required\n");
		return 1;
	}
	if (config_load(&ctl_cfg, config_path, err, sizeof(err)) < 0) {
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
		return ctl_apikey(argc - i, argv + i);
	if (strcmp(argv[i], "audit") == 0)
		return ctl_audit(argc - i, argv + i);
	if (strcmp(argv[i], "keyring") == 0)
		return cmd_keyring(argc - i, argv + i);
	if (strcmp(argv[i], "rewrap") == 0)
		return cmd_rewrap(argc - i, argv + i);
	ctl_usage(stderr);
	return 2;
}
