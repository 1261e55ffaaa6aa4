/* seed: the benchmark's fast way to fill the tables. Writes rows for COPY
 * (text format): those of lockbox.secrets (each at version 1, holding its
 * current value), or with --versions those of lockbox.secret_versions,
 * each secret's version 1. Each value is a real AES-256-GCM ciphertext
 * under the given key ring's active key, with the additional data of (id,
 * version 1, key id) exactly as lockbox seals it (crypto_seal), so that
 * GET opens it as it would any secret. The row and the version seal the
 * same value, each with a nonce of its own (lockbox writes the same sealed
 * bytes to both; each opens on its own either way).
 * With --history H, each secret is at version H and
 * has versions 1 to H, each with a value of its own, sealed for its
 * version (the benchmark's page of versions). Or prints a list cursor for a given id, so that the
 * benchmark can ask for a page deep in the table.
 *
 *   seed --key-file F --rows N [--first-id ID] [--history H] > secrets.copy
 *   seed --key-file F --rows N [--first-id ID] [--history H] --versions
 *                                                             > versions.copy
 *   seed --key-file F --cursor ID [--provider P]
 *
 * The columns, in order:
 *   secrets:          id, name, provider_slug, description, metadata,
 *                     version, created_at, updated_at, key_id, nonce,
 *                     ciphertext, value_format
 *   secret_versions:  secret_id, version, key_id, nonce, ciphertext,
 *                     value_format, value_changed, api_key_id, created_at
 */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "cursor.h"
#include "keyring.h"

/* One provider in five is "aws", one row in 20,000 is "rare": the filtered
 * benchmark reads a common and a rare provider. */
static const char *
provider(int64_t id)
{
	static const char *const p[] = { "aws", "gcp", "azure", "stripe", NULL };

	if (id % 20000 == 7)
		return "rare";
	return p[id % 5];
}

static void
hex(const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t	 i;

	fputs("\\\\x", stdout);
	for (i = 0; i < n; i++) {
		putchar(digits[b[i] >> 4]);
		putchar(digits[b[i] & 15]);
	}
}

int
main(int argc, char *argv[])
{
	struct keyring	 ring;
	struct crypto	*c;
	const char	*keyfile = NULL, *prov = NULL;
	char		 err[512], value[64], cur[CURSOR_LEN + 1];
	unsigned char	 nonce[CRYPTO_NONCE_LEN], ct[64 + CRYPTO_TAG_LEN];
	int64_t		 rows = 0, first = 1, cursor = 0, history = 1, id, v;
	int		 i, kid, versions = 0;
	size_t		 n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--versions") == 0) {
			versions = 1;
			continue;
		}
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "--key-file") == 0)
			keyfile = argv[i + 1];
		else if (strcmp(argv[i], "--rows") == 0)
			rows = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--first-id") == 0)
			first = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--cursor") == 0)
			cursor = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--provider") == 0)
			prov = argv[i + 1];
		else if (strcmp(argv[i], "--history") == 0)
			history = strtoll(argv[i + 1], NULL, 10);
		i++;
	}
	if (keyfile == NULL || (rows <= 0 && cursor <= 0) || history < 1) {
		fprintf(stderr, "usage: seed --key-file F (--rows N "
		    "[--first-id ID] [--history H] [--versions] | --cursor ID "
		    "[--provider P])\n");
		return 2;
	}
	if (crypto_init() < 0 || keyring_load(&ring, keyfile, err,
	    sizeof(err)) < 0 || (c = crypto_new(&ring)) == NULL) {
		fprintf(stderr, "seed: %s\n", err);
		return 1;
	}
	if (cursor > 0) {
		if (cursor_encode(c, cursor, prov, cur) < 0)
			return 1;
		printf("%s\n", cur);
		return 0;
	}
	for (id = first; id < first + rows; id++) {
		if (!versions) {
			n = (size_t)snprintf(value, sizeof(value),
			    "seed-value-%" PRId64 "-%" PRId64 "-0123456789abcdef",
			    id, history);
			if (crypto_seal(c, id, history, value, n, &kid, nonce,
			    ct) != LB_OK)
				return 1;
			printf("%" PRId64 "\tseed-%" PRId64 "\t%s\t\\N\t"
			    "{\"n\": \"%" PRId64 "\"}\t%" PRId64 "\t"
			    "2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\t"
			    "%d\t", id, id, provider(id) ? provider(id) : "\\N",
			    id, history, kid);
			hex(nonce, sizeof(nonce));
			putchar('\t');
			hex(ct, n + CRYPTO_TAG_LEN);
			fputs("\t2\n", stdout);
			continue;
		}
		/* Versions 1 to H, made by no key (as migrated ones): the
		 * additional data binds (id, version, key id), format 2. */
		for (v = 1; v <= history; v++) {
			n = (size_t)snprintf(value, sizeof(value),
			    "seed-value-%" PRId64 "-%" PRId64 "-0123456789abcdef",
			    id, v);
			if (crypto_seal(c, id, v, value, n, &kid, nonce, ct) !=
			    LB_OK)
				return 1;
			printf("%" PRId64 "\t%" PRId64 "\t%d\t", id, v, kid);
			hex(nonce, sizeof(nonce));
			putchar('\t');
			hex(ct, n + CRYPTO_TAG_LEN);
			fputs("\t2\tt\t\\N\t2026-01-01 00:00:00+00\n", stdout);
		}
	}
	crypto_free(c);
	keyring_free(&ring);
	return fflush(stdout) == 0 ? 0 : 1;
}
