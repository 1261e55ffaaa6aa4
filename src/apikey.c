#include "autoconfig.h"

#include <string.h>

#include "apikey.h"
#include "base64.h"

void
apikey_generate(char key[APIKEY_LEN + 1], char prefix[APIKEY_PREFIX_LEN + 1],
    unsigned char hash[CRYPTO_HASH_LEN])
{
	unsigned char	 raw[APIKEY_RAW_LEN];

	crypto_random(raw, sizeof(raw));
	memcpy(key, "lbk_", 4);
	base64url_encode(key + 4, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	memcpy(prefix, key, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	crypto_hash(key, APIKEY_LEN, hash);
}

int
apikey_stored_hash(struct crypto *c, int key_id,
    const unsigned char sha[CRYPTO_HASH_LEN],
    unsigned char out[CRYPTO_HASH_LEN])
{
	_Static_assert(CRYPTO_MAC_LEN == CRYPTO_HASH_LEN,
	    "a stored hash is one MAC long");
	return crypto_mac(c, CRYPTO_MAC_APIKEY, key_id, sha, CRYPTO_HASH_LEN,
	    out);
}

int
apikey_parse(const char *key, char prefix[APIKEY_PREFIX_LEN + 1],
    unsigned char hash[CRYPTO_HASH_LEN])
{
	unsigned char	 raw[APIKEY_RAW_LEN + 2];
	long		 n;

	if (strnlen(key, APIKEY_LEN + 1) != APIKEY_LEN ||
	    memcmp(key, "lbk_", 4) != 0)
		return -1;
	n = base64url_decode(raw, key + 4, APIKEY_LEN - 4);
	explicit_bzero(raw, sizeof(raw));
	if (n != APIKEY_RAW_LEN)
		return -1;
	memcpy(prefix, key, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	crypto_hash(key, APIKEY_LEN, hash);
	return 0;
}
