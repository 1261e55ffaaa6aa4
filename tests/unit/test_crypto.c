#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <gcrypt.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "keyring.h"

#define K1 "key 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define K2 "key 2 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n"

static struct keyring	 ring;
static struct crypto	*c;

static void
setup(void)
{
	const char	*t = K1 K2 "active 2\n";
	char		 err[128];

	crypto_init();
	cr_assert_eq(keyring_parse(&ring, t, strlen(t), err, sizeof(err)), 0);
	c = crypto_new(&ring);
	cr_assert_not_null(c);
}

static void
teardown(void)
{
	crypto_free(c);
	keyring_free(&ring);
}

TestSuite(crypto, .init = setup, .fini = teardown);

static const char pt[] = "super_secret_value";
#define N (sizeof(pt) - 1)

Test(crypto, seal_open_round_trip)
{
	unsigned char	 nonce[CRYPTO_NONCE_LEN], ct[N + CRYPTO_TAG_LEN];
	char		 back[N];
	int		 kid;

	cr_assert_eq(crypto_seal(c, 42, 1, pt, N, &kid, nonce, ct), LB_OK);
	cr_assert_eq(kid, 2, "sealed with the active key");
	cr_assert(memcmp(ct, pt, N) != 0);
	cr_assert_eq(crypto_open(c, 42, 1, CRYPTO_FORMAT_CURRENT, kid, nonce, ct,
	    sizeof(ct), back), LB_OK);
	cr_assert(memcmp(back, pt, N) == 0);
}

Test(crypto, fresh_nonce_every_seal)
{
	unsigned char	 n1[CRYPTO_NONCE_LEN], n2[CRYPTO_NONCE_LEN];
	unsigned char	 c1[N + CRYPTO_TAG_LEN], c2[N + CRYPTO_TAG_LEN];
	int		 kid;

	crypto_seal(c, 1, 1, pt, N, &kid, n1, c1);
	crypto_seal(c, 1, 1, pt, N, &kid, n2, c2);
	cr_assert(memcmp(n1, n2, sizeof(n1)) != 0);
	cr_assert(memcmp(c1, c2, sizeof(c1)) != 0);
}

/* Workers are forked from one master: a parent and a child that both
 * seal right after the fork must not draw the same nonce. */
Test(crypto, fresh_nonce_after_fork)
{
	unsigned char	 mine[CRYPTO_NONCE_LEN], theirs[CRYPTO_NONCE_LEN];
	unsigned char	 ct[N + CRYPTO_TAG_LEN];
	int		 kid, fd[2], status;
	pid_t		 pid;

	crypto_seal(c, 1, 1, pt, N, &kid, mine, ct);	/* the generator is warm */
	cr_assert_eq(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		crypto_seal(c, 1, 1, pt, N, &kid, theirs, ct);
		_exit(write(fd[1], theirs, sizeof(theirs)) ==
		    (ssize_t)sizeof(theirs) ? 0 : 1);
	}
	cr_assert_gt(pid, 0);
	crypto_seal(c, 1, 1, pt, N, &kid, mine, ct);
	cr_assert_eq(read(fd[0], theirs, sizeof(theirs)),
	    (ssize_t)sizeof(theirs));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert(memcmp(mine, theirs, sizeof(mine)) != 0,
	    "parent and child drew the same nonce after fork");
	close(fd[0]);
	close(fd[1]);
}

/* Each alteration must fail authentication and leave no plaintext. */
enum alter { ALTER_NONCE, ALTER_TAG, ALTER_CT, ALTER_ID, ALTER_KEY,
    ALTER_UNKNOWN_KEY, ALTER_TRUNCATE, ALTER_VERSION, ALTER_FORMAT };

ParameterizedTestParameters(crypto, altered_fails)
{
	static enum alter cases[] = { ALTER_NONCE, ALTER_TAG, ALTER_CT,
	    ALTER_ID, ALTER_KEY, ALTER_UNKNOWN_KEY, ALTER_TRUNCATE,
	    ALTER_VERSION, ALTER_FORMAT };
	return cr_make_param_array(enum alter, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(enum alter *a, crypto, altered_fails)
{
	unsigned char	 nonce[CRYPTO_NONCE_LEN], ct[N + CRYPTO_TAG_LEN];
	char		 back[N];
	int64_t		 id = 7, version = 5;
	enum crypto_format format = CRYPTO_FORMAT_CURRENT;
	int		 kid;
	size_t		 len = sizeof(ct), i;

	cr_assert_eq(crypto_seal(c, id, version, pt, N, &kid, nonce, ct),
	    LB_OK);
	switch (*a) {
	case ALTER_NONCE: nonce[0] ^= 1; break;
	case ALTER_TAG: ct[len - 1] ^= 0x80; break;
	case ALTER_CT: ct[3] ^= 0x01; break;
	case ALTER_ID: id = 8; break;		/* moved to another row */
	case ALTER_KEY: kid = 1; break;		/* another ring key */
	case ALTER_UNKNOWN_KEY: kid = 99; break;
	case ALTER_TRUNCATE: len = CRYPTO_TAG_LEN - 1; break;
	/* An older version's ciphertext written back over a newer one. */
	case ALTER_VERSION: version = 4; break;
	case ALTER_FORMAT: format = CRYPTO_FORMAT_LEGACY; break;
	}
	memset(back, 'x', sizeof(back));
	cr_assert_eq(crypto_open(c, id, version, format, kid, nonce, ct, len,
	    back), LB_ERR_INTEGRITY);
	if (*a != ALTER_UNKNOWN_KEY && *a != ALTER_TRUNCATE)
		for (i = 0; i < N; i++)
			cr_assert_eq(back[i], 0, "plaintext wiped on failure");
}

Test(crypto, mac_is_keyed_by_purpose_and_key)
{
	unsigned char	 a[CRYPTO_MAC_LEN], b[CRYPTO_MAC_LEN];
	unsigned char	 d[CRYPTO_MAC_LEN], e[CRYPTO_MAC_LEN];

	cr_assert_eq(crypto_mac(c, CRYPTO_MAC_CURSOR, 2, "x", 1, a), 0);
	cr_assert_eq(crypto_mac(c, CRYPTO_MAC_CURSOR, 2, "x", 1, b), 0);
	cr_assert(memcmp(a, b, sizeof(a)) == 0, "deterministic");
	cr_assert_eq(crypto_mac(c, CRYPTO_MAC_FINGERPRINT, 2, "x", 1, d), 0);
	cr_assert(memcmp(a, d, sizeof(a)) != 0, "purposes differ");
	cr_assert_eq(crypto_mac(c, CRYPTO_MAC_CURSOR, 1, "x", 1, e), 0);
	cr_assert(memcmp(a, e, sizeof(a)) != 0, "keys differ");
	cr_assert_eq(crypto_mac(c, CRYPTO_MAC_CURSOR, 5, "x", 1, e), -1);
}

Test(crypto, hash_known_answer)
{
	unsigned char	 h[CRYPTO_HASH_LEN];
	/* SHA-256("abc") */
	static const unsigned char want[] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad,
	};

	crypto_hash("abc", 3, h);
	cr_assert(memcmp(h, want, sizeof(want)) == 0);
}

Test(crypto, equal)
{
	cr_assert(crypto_equal("abcd", "abcd", 4));
	cr_assert(!crypto_equal("abcd", "abce", 4));
	cr_assert(!crypto_equal("Xbcd", "abcd", 4));
}

/* A value sealed by lockbox 0.1: the additional data is the label
 * "lockbox/v1/secret", the id (8 bytes) and the key id (2), big-endian.
 * It opens as the legacy format, and not as the current one. */
Test(crypto, legacy_format_opens)
{
	static const unsigned char key2[32] = {
		0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66,
		0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0xff, 0xee, 0xdd, 0xcc,
		0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22,
		0x11, 0x00,
	};
	unsigned char	 aad[27] = "lockbox/v1/secret";
	unsigned char	 nonce[CRYPTO_NONCE_LEN] = { 1, 2, 3 };
	unsigned char	 ct[N + CRYPTO_TAG_LEN];
	char		 back[N];
	gcry_cipher_hd_t h;

	memcpy(aad + 17, "\0\0\0\0\0\0\0\x2a\0\x02", 10);	/* id 42, key 2 */
	cr_assert_eq(gcry_cipher_open(&h, GCRY_CIPHER_AES256,
	    GCRY_CIPHER_MODE_GCM, 0), 0);
	cr_assert_eq(gcry_cipher_setkey(h, key2, sizeof(key2)), 0);
	cr_assert_eq(gcry_cipher_setiv(h, nonce, sizeof(nonce)), 0);
	cr_assert_eq(gcry_cipher_authenticate(h, aad, sizeof(aad)), 0);
	cr_assert_eq(gcry_cipher_encrypt(h, ct, N, pt, N), 0);
	cr_assert_eq(gcry_cipher_gettag(h, ct + N, CRYPTO_TAG_LEN), 0);
	gcry_cipher_close(h);

	cr_assert_eq(crypto_open(c, 42, 3, CRYPTO_FORMAT_LEGACY, 2, nonce, ct,
	    sizeof(ct), back), LB_OK, "any version: 0.1 did not bind it");
	cr_assert(memcmp(back, pt, N) == 0);
	cr_assert_eq(crypto_open(c, 42, 3, CRYPTO_FORMAT_CURRENT, 2, nonce, ct,
	    sizeof(ct), back), LB_ERR_INTEGRITY);
	cr_assert_eq(crypto_open(c, 43, 3, CRYPTO_FORMAT_LEGACY, 2, nonce, ct,
	    sizeof(ct), back), LB_ERR_INTEGRITY, "the id is still bound");
}

Test(crypto, key_ids)
{
	int	 ids[4];

	cr_assert_eq(crypto_key_ids(c, ids, 4), 2);
	cr_assert_eq(ids[0], 1);
	cr_assert_eq(ids[1], 2);
}
