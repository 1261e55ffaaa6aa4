/* lockboxctl apikey: mint, list and revoke API keys. */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "ctl.h"
#include "scope.h"
#include "store_admin.h"
#include "validate.h"

/* The longest life a key can be minted with: ten years. */
#define EXPIRES_MAX	(10LL * 366 * 86400)

/* "90d", "12h", "30m", "3600s", "2w": seconds, 1 to EXPIRES_MAX; -1 for
 * anything else. */
static long long
duration_parse(const char *s)
{
	static const struct {
		char		 unit;
		long long	 secs;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	long long	 n;
	char		*end;
	size_t		 i;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0' || n < 1)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == *end)
			return n <= EXPIRES_MAX / units[i].secs ?
			    n * units[i].secs : -1;
	return -1;
}

/* A name apikey list can print as one column: UTF-8, no tab, newline or
 * other control character. */
static int
name_ok(const char *name)
{
	size_t	 i, n = strlen(name);

	if (n < 1 || n > 255 || !valid_utf8(name, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

static void
print_key(void *arg, const char *const *c)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c[0], c[1], c[2], c[3],
	    c[4], c[5], c[6], c[7]);
}

static int
apikey_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "scope", required_argument, NULL, 's' },
		{ "provider", required_argument, NULL, 'p' },
		{ "expires-in", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_new_key	 nk;
	struct store		*s = NULL;
	struct keyring		 ring;
	struct crypto		*c = NULL;
	enum lb_err		 e;
	const char		*name = NULL, *scope = NULL;
	char			 key[APIKEY_LEN + 1];
	char			 providers[SCOPE_PROVIDERS_LEN] = "";
	char			 expires[40];
	unsigned char		 sha[CRYPTO_HASH_LEN];
	int64_t			 id;
	int			 ch, rc = 1;

	memset(&nk, 0, sizeof(nk));
	memset(key, 0, sizeof(key));
	memset(sha, 0, sizeof(sha));
	memset(&ring, 0, sizeof(ring));
	nk.expires_in = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		/* Given twice, an option would mean its last value: say so. */
		if ((ch == 'n' && name != NULL) || (ch == 's' && scope != NULL) ||
		    (ch == 'e' && nk.expires_in >= 0)) {
			fprintf(stderr, "lockboxctl: --%s is given twice\n",
			    ch == 'n' ? "name" : ch == 's' ? "scope" :
			    "expires-in");
			return 2;
		}
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 's':
			scope = optarg;
			break;
		case 'p':
			if (scope_providers_add(providers, optarg) < 0) {
				fprintf(stderr, "lockboxctl: --provider takes "
				    "a provider slug or none, each once, at "
				    "most %d\n", SCOPE_PROVIDERS_MAX);
				return 2;
			}
			break;
		case 'e':
			if ((nk.expires_in = duration_parse(optarg)) < 0) {
				fprintf(stderr, "lockboxctl: --expires-in takes "
				    "a number and a unit (s, m, h, d, w), "
				    "e.g. 90d, at most ten years\n");
				return 2;
			}
			break;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || name == NULL || scope == NULL) {
		ctl_usage(stderr);
		return 2;
	}
	if (!name_ok(name)) {
		fprintf(stderr, "lockboxctl: --name must be 1 to 255 bytes of "
		    "UTF-8 without control characters\n");
		return 2;
	}
	if (scope_parse_spec(scope, &nk.level, &nk.audit) < 0) {
		fprintf(stderr, "lockboxctl: --scope must be list, read or "
		    "write, each optionally with \",audit\", or audit\n");
		return 2;
	}
	if (nk.level == SCOPE_LEVEL_NONE && providers[0] != '\0') {
		fprintf(stderr, "lockboxctl: --provider restricts the secrets a "
		    "key reaches; a key for the audit log alone reaches none\n");
		return 2;
	}
	nk.name = name;
	nk.providers = providers[0] != '\0' ? providers : NULL;
	if ((c = ctl_ring_open(&ring, 0)) == NULL ||
	    (s = ctl_db_open()) == NULL)
		goto out;
	apikey_generate(key, nk.prefix, sha);
	nk.hash_key_id = ring.active;
	if (apikey_stored_hash(c, ring.active, sha, nk.hash) < 0) {
		fprintf(stderr, "lockboxctl: cannot hash the key\n");
		goto out;
	}
	if ((e = store_api_key_insert(s, &nk, &id, expires)) != LB_OK) {
		rc = ctl_db_fail(s, e);
		goto out;
	}
	fprintf(stderr, "created api key id=%" PRId64 " prefix=%s scope=%s "
	    "providers=%s expires=%s (shown once: store it now)\n", id,
	    nk.prefix, scope, nk.providers != NULL ? nk.providers : "all",
	    nk.expires_in > 0 ? expires : "never");
	printf("%s\n", key);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "lockboxctl: cannot write the key\n");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(sha, sizeof(sha));
	store_free(s);
	if (c != NULL) {
		crypto_free(c);
		keyring_free(&ring);
	}
	return rc;
}

static int
apikey_revoke(const char *arg)
{
	struct store	*s;
	enum lb_err	 e;
	int64_t		 id;
	char		*end;
	int		 rc = 1;

	errno = 0;
	id = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || id < 1) {
		fprintf(stderr, "lockboxctl: revoke takes a key id (see apikey "
		    "list)\n");
		return 2;
	}
	if ((s = ctl_db_open()) == NULL)
		return 1;
	if ((e = store_api_key_revoke(s, id)) == LB_ERR_NOT_FOUND)
		fprintf(stderr, "lockboxctl: no api key with id %" PRId64 "\n",
		    id);
	else if (e != LB_OK)
		rc = ctl_db_fail(s, e);
	else {
		fprintf(stderr, "revoked api key %" PRId64 "\n", id);
		rc = 0;
	}
	store_free(s);
	return rc;
}

int
ctl_apikey(int argc, char **argv)
{
	struct store	*s;
	enum lb_err	 e;
	int		 rc = 0;

	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return apikey_create(argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "revoke") == 0)
		return apikey_revoke(argv[2]);
	if (argc != 2 || strcmp(argv[1], "list") != 0) {
		ctl_usage(stderr);
		return 2;
	}
	if ((s = ctl_db_open()) == NULL)
		return 1;
	if ((e = store_api_key_list(s, print_key, NULL)) != LB_OK)
		rc = ctl_db_fail(s, e);
	store_free(s);
	return rc;
}
