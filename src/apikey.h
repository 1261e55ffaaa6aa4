/* API keys: "lbk_" and 43 base64url characters (256 random bits). The
 * first APIKEY_PREFIX_LEN characters are the visible prefix that finds the
 * row; only a SHA-256 hash of the whole key is stored. */
#ifndef LOCKBOX_APIKEY_H
#define LOCKBOX_APIKEY_H

#include "crypto.h"

#define APIKEY_RAW_LEN		32
#define APIKEY_LEN		(4 + 43)
#define APIKEY_PREFIX_LEN	12

/* Makes a fresh key; writes it, its prefix and its hash. */
void	apikey_generate(char key[APIKEY_LEN + 1],
	    char prefix[APIKEY_PREFIX_LEN + 1],
	    unsigned char hash[CRYPTO_HASH_LEN]);

/* Checks the shape of a presented key and derives prefix and hash.
 * Returns -1 when it cannot be a key of ours. */
int	apikey_parse(const char *key, char prefix[APIKEY_PREFIX_LEN + 1],
	    unsigned char hash[CRYPTO_HASH_LEN]);

#endif
