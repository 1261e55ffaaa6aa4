/* The key ring file: keyring_parse on the input.
 *   - accepted: 1..64 keys with distinct ids in 1..32767, the active one
 *     among them; keyring_format then keyring_parse gives the same keys,
 *     in the same order, and the same active id;
 *   - refused: the ring is left empty, the message is not empty and never
 *     quotes key material (no run of 16 or more hex digits);
 *   - secure memory is never exhausted (every key is released again).
 * Input: the file's text. */
#include "autoconfig.h"

#include "crypto.h"
#include "fuzz_common.h"
#include "keyring.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (crypto_init() < 0)
		abort();
	return 0;
}

static int
hex_run(const char *s)
{
	size_t	 run = 0, max = 0;

	for (; *s != '\0'; s++) {
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F'))
			run++;
		else
			run = 0;
		if (run > max)
			max = run;
	}
	return (int)max;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyring	 r, r2;
	char		 err[256], err2[256], *text;
	size_t		 len, i, j;

	if (size > KEYRING_FILE_MAX)	/* keyring_load reads no more */
		return 0;
	err[0] = '\0';
	if (keyring_parse(&r, (const char *)data, size, err, sizeof(err)) < 0) {
		FUZZ_CHECK("keyring-empty-on-error", r.nkeys == 0 &&
		    r.active == 0, "a refused ring that is not empty");
		FUZZ_CHECK("keyring-err", err[0] != '\0',
		    "a failure without a message");
		FUZZ_CHECK("keyring-secmem", strcmp(err,
		    "out of secure memory") != 0,
		    "secure memory exhausted: keys leak");
		FUZZ_CHECK("keyring-err-no-key", hex_run(err) < 16,
		    "an error message quotes key material");
		return 0;
	}
	FUZZ_CHECK("keyring-shape", r.nkeys >= 1 && r.nkeys <= KEYRING_MAX_KEYS &&
	    keyring_find(&r, r.active) != NULL, "an accepted ring without "
	    "keys or without its active key");
	for (i = 0; i < r.nkeys; i++) {
		FUZZ_CHECK("keyring-ids", r.keys[i].id >= 1 &&
		    r.keys[i].id <= 32767 && r.keys[i].key != NULL,
		    "a key id outside 1..32767");
		for (j = 0; j < i; j++)
			FUZZ_CHECK("keyring-ids", r.keys[i].id != r.keys[j].id,
			    "two keys with one id");
	}

	text = keyring_format(&r, &len);
	FUZZ_CHECK("keyring-format", text != NULL, "keyring_format failed");
	err2[0] = '\0';
	if (keyring_parse(&r2, text, len, err2, sizeof(err2)) < 0)
		fprintf(stderr, "re-parse: %s\n", err2);
	FUZZ_CHECK("keyring-roundtrip", r2.nkeys == r.nkeys &&
	    r2.active == r.active, "format then parse changed the ring");
	for (i = 0; i < r.nkeys; i++)
		FUZZ_CHECK("keyring-roundtrip", r2.keys[i].id == r.keys[i].id &&
		    memcmp(r2.keys[i].key, r.keys[i].key, KEYRING_KEY_LEN) == 0,
		    "format then parse changed a key");
	keyring_text_free(text, len);
	keyring_free(&r2);
	keyring_free(&r);
	return 0;
}
