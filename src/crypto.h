/* Sealing and opening secret values (AES-256-GCM), MACs for cursors and
 * idempotency fingerprints, hashing API keys, and random bytes. All of it
 * through libgcrypt; keys live in its secure memory. */
#ifndef LOCKBOX_CRYPTO_H
#define LOCKBOX_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "keyring.h"

#define CRYPTO_NONCE_LEN	12
#define CRYPTO_TAG_LEN		16
#define CRYPTO_MAC_LEN		32
#define CRYPTO_HASH_LEN		32

enum crypto_purpose {
	CRYPTO_MAC_CURSOR,	/* list cursors */
	CRYPTO_MAC_FINGERPRINT,	/* idempotency request fingerprints */
	CRYPTO_MAC_APIKEY,	/* the stored hashes of API keys */
	CRYPTO_MAC_AUDIT,	/* the audit log's chains and seals */
	CRYPTO_MAC__COUNT
};

/* What a sealed value's additional data binds. Rows written before 0.2
 * bind id and key id only; `lockboxctl rewrap` moves them to the current
 * form, which binds the version too, so that an older ciphertext of the
 * same secret written back over a newer one fails to open. */
enum crypto_format {
	CRYPTO_FORMAT_LEGACY	= 1,	/* id, key id */
	CRYPTO_FORMAT_CURRENT	= 2,	/* id, version, key id */
};

struct crypto;

/* Initialises libgcrypt (secure memory, self-tests). Call once, before
 * anything else here and before fork. Returns -1 if unusable. */
int	crypto_init(void);

/* Creates a worker's context over ring (borrowed: it must outlive the
 * context). Cipher and MAC handles are opened once, on first use, and
 * kept: keying a handle per value costs 40 times more than using it. */
struct crypto *crypto_new(const struct keyring *ring);
void	crypto_free(struct crypto *);

/* The key id new values are sealed with. */
int	crypto_active_key(const struct crypto *);

/* Writes the ids of the ring's keys (at most max) into ids; returns how
 * many there are. */
size_t	crypto_key_ids(const struct crypto *, int *ids, size_t max);

/* Whether the ring holds key id: a value sealed with a key it lacks
 * cannot be opened here, whatever it holds. */
int	crypto_has_key(const struct crypto *, int id);

/* Seals pt[0..n), version `version` of secret id, under the active key in
 * the current format: writes the key id, a fresh random nonce, and
 * n + CRYPTO_TAG_LEN bytes of ciphertext and tag into ct (the caller
 * sizes it). The additional authenticated data binds id, version and key
 * id, so a ciphertext moved to another row or another version fails. */
enum lb_err crypto_seal(struct crypto *, int64_t id, int64_t version,
	    const void *pt, size_t n, int *key_id,
	    unsigned char nonce[CRYPTO_NONCE_LEN], unsigned char *ct);

/* Opens ct[0..n) (ciphertext and tag), version `version` of secret id,
 * sealed in `format`, into pt, which holds n - CRYPTO_TAG_LEN bytes.
 * LB_ERR_INTEGRITY when the key is unknown or authentication fails (pt is
 * then wiped). */
enum lb_err crypto_open(struct crypto *, int64_t id, int64_t version,
	    enum crypto_format format, int key_id,
	    const unsigned char nonce[CRYPTO_NONCE_LEN],
	    const unsigned char *ct, size_t n, void *pt);

/* HMAC-SHA-256 under a key derived from ring key key_id for purpose.
 * Returns -1 when the key id is unknown. */
int	crypto_mac(struct crypto *, enum crypto_purpose, int key_id,
	    const void *data, size_t n, unsigned char out[CRYPTO_MAC_LEN]);

/* SHA-256 of data (API keys: 256 random bits need no slow hash). */
void	crypto_hash(const void *data, size_t n,
	    unsigned char out[CRYPTO_HASH_LEN]);

/* Compares in time that depends only on n. Returns 1 when equal. */
int	crypto_equal(const void *a, const void *b, size_t n);

/* Unpredictable bytes for secrets (keys, API keys). */
void	crypto_random(void *p, size_t n);
/* Unique, unpredictable bytes for nonces and request ids: faster. */
void	crypto_nonce(void *p, size_t n);

#endif
