/* seed: the benchmark's fast way to fill the table. Writes rows for COPY
 * (text format) with real AES-256-GCM ciphertexts under the given key
 * ring, so that GET opens them as it would any secret; or prints a list
 * cursor for a given id, so that the benchmark can ask for a page deep in
 * the table.
 *
 *   seed --key-file F --rows N [--first-id ID]    > rows.copy
 *   seed --key-file F --cursor ID [--provider P]
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
	int64_t		 rows = 0, first = 1, cursor = 0, id;
	int		 i, kid;
	size_t		 n;

	for (i = 1; i + 1 < argc; i += 2) {
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
	}
	if (keyfile == NULL || (rows <= 0 && cursor <= 0)) {
		fprintf(stderr, "usage: seed --key-file F (--rows N "
		    "[--first-id ID] | --cursor ID [--provider P])\n");
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
		n = (size_t)snprintf(value, sizeof(value),
		    "seed-value-%" PRId64 "-0123456789abcdef0123456789", id);
		if (crypto_seal(c, id, 1, value, n, &kid, nonce, ct) != LB_OK)
			return 1;
		printf("%" PRId64 "\tseed-%" PRId64 "\t%s\t\\N\t{\"n\": \"%"
		    PRId64 "\"}\t1\t%d\t", id, id, provider(id) ? provider(id) :
		    "\\N", id, kid);
		hex(nonce, sizeof(nonce));
		putchar('\t');
		hex(ct, n + CRYPTO_TAG_LEN);
		fputs("\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n",
		    stdout);
	}
	crypto_free(c);
	keyring_free(&ring);
	return fflush(stdout) == 0 ? 0 : 1;
}
