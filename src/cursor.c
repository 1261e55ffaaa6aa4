#include "autoconfig.h"

#include <string.h>

#include "base64.h"
#include "buf.h"
#include "cursor.h"

#define CURSOR_VERSION	1
#define CURSOR_TAG_LEN	16

static int
cursor_mac(struct crypto *c, const unsigned char *head, int key_id,
    const char *provider_slug, const char *bound,
    unsigned char tag[CRYPTO_MAC_LEN])
{
	struct buf	 b = { 0 };
	int		 rc;

	buf_append(&b, head, CURSOR_RAW_LEN - CURSOR_TAG_LEN);
	/* "no filter" and every slug are distinct inputs: a slug never
	 * starts with a NUL byte. */
	if (provider_slug != NULL) {
		buf_putc(&b, 1);
		buf_puts(&b, provider_slug);
	} else
		buf_putc(&b, 0);
	/* The rest of the filter after a NUL, which no slug holds: "slug"
	 * and "slug" with more are distinct inputs too. */
	if (bound != NULL && bound[0] != '\0') {
		buf_putc(&b, 0);
		buf_puts(&b, bound);
	}
	rc = b.oom ? -1 : crypto_mac(c, CRYPTO_MAC_CURSOR, key_id, b.data,
	    b.len, tag);
	buf_free(&b);
	return rc;
}

int
cursor_encode(struct crypto *c, int64_t last_id, const char *provider_slug,
    char out[CURSOR_LEN + 1])
{
	return cursor_encode_bound(c, last_id, provider_slug, NULL, out);
}

enum lb_err
cursor_decode(struct crypto *c, const char *text, const char *provider_slug,
    int64_t *last_id)
{
	return cursor_decode_bound(c, text, provider_slug, NULL, last_id);
}

int
cursor_encode_bound(struct crypto *c, int64_t last_id,
    const char *provider_slug, const char *bound, char out[CURSOR_LEN + 1])
{
	unsigned char	 raw[CURSOR_RAW_LEN], tag[CRYPTO_MAC_LEN];
	uint64_t	 u = (uint64_t)last_id;
	int		 key_id = crypto_active_key(c), i;

	raw[0] = CURSOR_VERSION;
	raw[1] = (unsigned char)(key_id >> 8);
	raw[2] = (unsigned char)key_id;
	for (i = 0; i < 8; i++)
		raw[3 + i] = (unsigned char)(u >> (56 - 8 * i));
	if (cursor_mac(c, raw, key_id, provider_slug, bound, tag) < 0)
		return -1;
	memcpy(raw + CURSOR_RAW_LEN - CURSOR_TAG_LEN, tag, CURSOR_TAG_LEN);
	base64url_encode(out, raw, sizeof(raw));
	return 0;
}

enum lb_err
cursor_decode_bound(struct crypto *c, const char *text,
    const char *provider_slug, const char *bound, int64_t *last_id)
{
	unsigned char	 raw[CURSOR_RAW_LEN + 3], tag[CRYPTO_MAC_LEN];
	uint64_t	 u = 0;
	int		 key_id, i;

	if (strlen(text) != CURSOR_LEN ||
	    base64url_decode(raw, text, CURSOR_LEN) != CURSOR_RAW_LEN ||
	    raw[0] != CURSOR_VERSION)
		return LB_ERR_INVALID_CURSOR;
	key_id = raw[1] << 8 | raw[2];
	if (cursor_mac(c, raw, key_id, provider_slug, bound, tag) < 0 ||
	    !crypto_equal(tag, raw + CURSOR_RAW_LEN - CURSOR_TAG_LEN,
	    CURSOR_TAG_LEN))
		return LB_ERR_INVALID_CURSOR;
	for (i = 0; i < 8; i++)
		u = u << 8 | raw[3 + i];
	/* Issued by us, so in range; checked anyway. */
	if (u < 1 || u > (uint64_t)INT64_MAX)
		return LB_ERR_INVALID_CURSOR;
	*last_id = (int64_t)u;
	return LB_OK;
}
