#include "autoconfig.h"

#include <gcrypt.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"

struct crypto_slot {
	int		 id;
	gcry_cipher_hd_t cipher;
	gcry_mac_hd_t	 mac[CRYPTO_MAC__COUNT];
};

struct crypto {
	const struct keyring	*ring;
	struct crypto_slot	 slots[KEYRING_MAX_KEYS];
};

static const char *const mac_labels[CRYPTO_MAC__COUNT] = {
	[CRYPTO_MAC_CURSOR] = "lockbox/v1/cursor",
	[CRYPTO_MAC_FINGERPRINT] = "lockbox/v1/idempotency-fingerprint",
	[CRYPTO_MAC_APIKEY] = "lockbox/v1/api-key-hash",
	[CRYPTO_MAC_AUDIT] = "lockbox/v1/audit-chain",
};

int
crypto_init(void)
{
	if (gcry_check_version("1.10.0") == NULL)
		return -1;
	/* Warnings go to stderr as plain text, outside the log format;
	 * a pool that cannot lock memory still runs. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 256 * 1024, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 0;
}

struct crypto *
crypto_new(const struct keyring *ring)
{
	struct crypto	*c;
	size_t		 i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ring = ring;
	for (i = 0; i < ring->nkeys; i++)
		c->slots[i].id = ring->keys[i].id;
	return c;
}

void
crypto_free(struct crypto *c)
{
	size_t	 i, j;

	if (c == NULL)
		return;
	for (i = 0; i < KEYRING_MAX_KEYS; i++) {
		gcry_cipher_close(c->slots[i].cipher);
		for (j = 0; j < CRYPTO_MAC__COUNT; j++)
			gcry_mac_close(c->slots[i].mac[j]);
	}
	free(c);
}

int
crypto_active_key(const struct crypto *c)
{
	return c->ring->active;
}

size_t
crypto_key_ids(const struct crypto *c, int *ids, size_t max)
{
	size_t	 i;

	for (i = 0; i < c->ring->nkeys && i < max; i++)
		ids[i] = c->ring->keys[i].id;
	return c->ring->nkeys;
}

int
crypto_has_key(const struct crypto *c, int id)
{
	size_t	 i;

	for (i = 0; i < c->ring->nkeys; i++)
		if (c->ring->keys[i].id == id)
			return 1;
	return 0;
}

static struct crypto_slot *
slot_find(struct crypto *c, int id, const struct keyring_key **k)
{
	size_t	 i;

	for (i = 0; i < c->ring->nkeys; i++)
		if (c->slots[i].id == id) {
			*k = &c->ring->keys[i];
			return &c->slots[i];
		}
	return NULL;
}

static gcry_cipher_hd_t
slot_cipher(struct crypto *c, int id)
{
	struct crypto_slot		*s;
	const struct keyring_key	*k;

	if ((s = slot_find(c, id, &k)) == NULL)
		return NULL;
	if (s->cipher != NULL)
		return s->cipher;
	if (gcry_cipher_open(&s->cipher, GCRY_CIPHER_AES256,
	    GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE) != 0) {
		s->cipher = NULL;
		return NULL;
	}
	if (gcry_cipher_setkey(s->cipher, k->key, KEYRING_KEY_LEN) != 0) {
		gcry_cipher_close(s->cipher);
		s->cipher = NULL;
	}
	return s->cipher;
}

#define AAD_MAX	64

static void
put_be(unsigned char *p, uint64_t v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
}

/* The additional data of a sealed value: a label naming the format, then
 * the numbers it binds, big-endian, at fixed widths. */
static size_t
aad_build(unsigned char aad[AAD_MAX], enum crypto_format format, int64_t id,
    int64_t version, int key_id)
{
	static const char legacy[] = "lockbox/v1/secret";
	static const char current[] = "lockbox/v2/secret";
	size_t		 n;

	_Static_assert(sizeof(current) - 1 + 8 + 8 + 2 <= AAD_MAX &&
	    sizeof(legacy) <= sizeof(current), "AAD_MAX holds every format");

	if (format == CRYPTO_FORMAT_LEGACY) {
		n = sizeof(legacy) - 1;
		memcpy(aad, legacy, n);
	} else {
		n = sizeof(current) - 1;
		memcpy(aad, current, n);
	}
	put_be(aad + n, (uint64_t)id, 8);
	n += 8;
	if (format != CRYPTO_FORMAT_LEGACY) {
		put_be(aad + n, (uint64_t)version, 8);
		n += 8;
	}
	put_be(aad + n, (unsigned)key_id, 2);
	return n + 2;
}

enum lb_err
crypto_seal(struct crypto *c, int64_t id, int64_t version, const void *pt,
    size_t n, int *key_id, unsigned char nonce[CRYPTO_NONCE_LEN],
    unsigned char *ct)
{
	gcry_cipher_hd_t h;
	unsigned char	 aad[AAD_MAX];
	size_t		 aadlen;

	*key_id = c->ring->active;
	if ((h = slot_cipher(c, *key_id)) == NULL)
		return LB_ERR_INTERNAL;
	/* A fresh random nonce per write: with 96 bits, collisions stay
	 * negligible for far more values than one key will ever seal.
	 * libgcrypt's nonce generator (meant for IVs, seeded from its strong
	 * one, reseeded after fork) rather than gcry_randomize, whose pool
	 * mixing and entropy polls cost a worker 9-11 us per PATCH or create
	 * (CPU per request from /proc, 3 A/B runs). */
	gcry_create_nonce(nonce, CRYPTO_NONCE_LEN);
	aadlen = aad_build(aad, CRYPTO_FORMAT_CURRENT, id, version, *key_id);
	if (gcry_cipher_setiv(h, nonce, CRYPTO_NONCE_LEN) != 0 ||
	    gcry_cipher_authenticate(h, aad, aadlen) != 0 ||
	    gcry_cipher_encrypt(h, ct, n, pt, n) != 0 ||
	    gcry_cipher_gettag(h, ct + n, CRYPTO_TAG_LEN) != 0)
		return LB_ERR_INTERNAL;
	return LB_OK;
}

enum lb_err
crypto_open(struct crypto *c, int64_t id, int64_t version,
    enum crypto_format format, int key_id,
    const unsigned char nonce[CRYPTO_NONCE_LEN], const unsigned char *ct,
    size_t n, void *pt)
{
	gcry_cipher_hd_t h;
	unsigned char	 aad[AAD_MAX];
	size_t		 aadlen, ptlen;

	if (n < CRYPTO_TAG_LEN || (format != CRYPTO_FORMAT_LEGACY &&
	    format != CRYPTO_FORMAT_CURRENT))
		return LB_ERR_INTEGRITY;
	ptlen = n - CRYPTO_TAG_LEN;
	if ((h = slot_cipher(c, key_id)) == NULL)
		return LB_ERR_INTEGRITY;
	aadlen = aad_build(aad, format, id, version, key_id);
	if (gcry_cipher_setiv(h, nonce, CRYPTO_NONCE_LEN) != 0 ||
	    gcry_cipher_authenticate(h, aad, aadlen) != 0 ||
	    gcry_cipher_decrypt(h, pt, ptlen, ct, ptlen) != 0 ||
	    gcry_cipher_checktag(h, ct + ptlen, CRYPTO_TAG_LEN) != 0) {
		explicit_bzero(pt, ptlen);
		return LB_ERR_INTEGRITY;
	}
	return LB_OK;
}

static gcry_mac_hd_t
slot_mac(struct crypto *c, enum crypto_purpose p, int id)
{
	struct crypto_slot		*s;
	const struct keyring_key	*k;
	unsigned char			*sub = NULL;
	gcry_mac_hd_t			 h = NULL;

	if ((s = slot_find(c, id, &k)) == NULL)
		return NULL;
	if (s->mac[p] != NULL)
		return s->mac[p];
	/* One subkey per purpose, so that a MAC made for one use can never
	 * be replayed as another. */
	if ((sub = gcry_malloc_secure(CRYPTO_MAC_LEN)) == NULL)
		goto out;
	if (gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE,
	    NULL) != 0) {
		h = NULL;
		goto out;
	}
	if (gcry_mac_setkey(h, k->key, KEYRING_KEY_LEN) != 0 ||
	    gcry_mac_write(h, mac_labels[p], strlen(mac_labels[p])) != 0)
		goto fail;
	{
		size_t	 len = CRYPTO_MAC_LEN;

		if (gcry_mac_read(h, sub, &len) != 0)
			goto fail;
	}
	gcry_mac_reset(h);
	if (gcry_mac_setkey(h, sub, CRYPTO_MAC_LEN) != 0)
		goto fail;
	s->mac[p] = h;
	goto out;
fail:
	gcry_mac_close(h);
	h = NULL;
out:
	gcry_free(sub);
	return h;
}

int
crypto_mac(struct crypto *c, enum crypto_purpose p, int key_id,
    const void *data, size_t n, unsigned char out[CRYPTO_MAC_LEN])
{
	gcry_mac_hd_t	 h;
	size_t		 len = CRYPTO_MAC_LEN;

	if ((h = slot_mac(c, p, key_id)) == NULL)
		return -1;
	if (gcry_mac_reset(h) != 0 || gcry_mac_write(h, data, n) != 0 ||
	    gcry_mac_read(h, out, &len) != 0)
		return -1;
	return 0;
}

void
crypto_hash(const void *data, size_t n, unsigned char out[CRYPTO_HASH_LEN])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, data, n);
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char	*x = a, *y = b;
	unsigned char			 d = 0;
	size_t				 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void
crypto_random(void *p, size_t n)
{
	gcry_randomize(p, n, GCRY_STRONG_RANDOM);
}

void
crypto_nonce(void *p, size_t n)
{
	gcry_create_nonce(p, n);
}
