/* API keys: "lbk_" and 43 base64url characters (256 random bits). The
 * first APIKEY_PREFIX_LEN characters are the visible prefix that finds the
 * row. What is stored is a keyed hash: HMAC-SHA-256, under a subkey of a
 * ring key, of the key's SHA-256; so that someone who can write the table
 * but lacks the key ring cannot make a hash that authenticates. (The
 * SHA-256 in between lets 0.1's plain hashes be converted without the
 * keys.) */
#ifndef LOCKBOX_APIKEY_H
#define LOCKBOX_APIKEY_H

#include "crypto.h"

#define APIKEY_RAW_LEN		32
#define APIKEY_LEN		(4 + 43)
#define APIKEY_PREFIX_LEN	12

/* Makes a fresh key; writes it, its prefix and its SHA-256. */
void	apikey_generate(char key[APIKEY_LEN + 1],
	    char prefix[APIKEY_PREFIX_LEN + 1],
	    unsigned char hash[CRYPTO_HASH_LEN]);

/* The stored form of a key whose SHA-256 is sha, under ring key key_id.
 * Returns -1 when the ring has no such key. */
int	apikey_stored_hash(struct crypto *, int key_id,
	    const unsigned char sha[CRYPTO_HASH_LEN],
	    unsigned char out[CRYPTO_HASH_LEN]);

/* Checks the shape of a presented key and derives prefix and SHA-256.
 * Returns -1 when it cannot be a key of ours. */
int	apikey_parse(const char *key, char prefix[APIKEY_PREFIX_LEN + 1],
	    unsigned char hash[CRYPTO_HASH_LEN]);

#endif
