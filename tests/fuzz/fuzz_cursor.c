/* List cursors: cursor_decode on arbitrary text with a fixed key ring, and
 * cursor_encode -> cursor_decode round trips for ids taken from the input.
 *   - a cursor is accepted only if this server would issue exactly that
 *     text (re-encoding the decoded id under the cursor's key gives the
 *     same 36 characters);
 *   - encode then decode gives the id back, under the same filter, and
 *     after the active key changed (the old key still in the ring);
 *   - it is bound to the filter: another provider_slug, or none, fails;
 *   - it is tamper-evident: any one character changed fails;
 *   - ids outside 1..2^63-1 never come back.
 * Input: byte 0 = flags; then the cursor text up to the first NUL; then
 * the provider_slug (when flags & 1). The round trip takes its id from
 * the 8 bytes after the flags and its filter from the same text. */
#include "autoconfig.h"

#include "base64.h"
#include "crypto.h"
#include "cursor.h"
#include "fuzz_common.h"
#include "keyring.h"

/* Keys 1, 2 and 258 (a key id with both bytes set): ring_a has 2 active,
 * ring_b the same keys with 258 active (a rotation). */
#define K1 "key 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define K2 "key 2 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n"
#define K3 "key 258 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\n"

static struct keyring	 ring_a, ring_b;
static struct crypto	*ca, *cb;

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char ta[] = K1 K2 K3 "active 2\n";
	static const char tb[] = K1 K2 K3 "active 258\n";
	char	 err[256];

	(void)argc;
	(void)argv;
	if (crypto_init() < 0 ||
	    keyring_parse(&ring_a, ta, sizeof(ta) - 1, err, sizeof(err)) < 0 ||
	    keyring_parse(&ring_b, tb, sizeof(tb) - 1, err, sizeof(err)) < 0 ||
	    (ca = crypto_new(&ring_a)) == NULL ||
	    (cb = crypto_new(&ring_b)) == NULL)
		abort();
	return 0;
}

static void
decode_any(const char *text, const char *slug)
{
	unsigned char	 raw[CURSOR_RAW_LEN + 3];
	char		 again[CURSOR_LEN + 1];
	int64_t		 id = 0;
	int		 key_id;
	struct crypto	*c;

	if (cursor_decode(ca, text, slug, &id) != LB_OK)
		return;
	FUZZ_CHECK("cursor-decoded-range", id >= 1,
	    "a cursor decoded to an id below 1");
	FUZZ_CHECK("cursor-decoded-shape", strlen(text) == CURSOR_LEN &&
	    base64url_decode(raw, text, CURSOR_LEN) == CURSOR_RAW_LEN,
	    "an accepted cursor that is not 36 base64url characters");
	key_id = raw[1] << 8 | raw[2];
	FUZZ_CHECK("cursor-decoded-key", key_id == 1 || key_id == 2 ||
	    key_id == 258, "a cursor under a key not in the ring");
	/* Keys 2 and 258 can be made active: re-issue and compare. */
	c = key_id == 2 ? ca : key_id == 258 ? cb : NULL;
	if (c != NULL) {
		FUZZ_CHECK("cursor-reencode", cursor_encode(c, id, slug,
		    again) == 0 && strcmp(again, text) == 0,
		    "an accepted cursor this server would not issue");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*copy, *text, *slug = NULL, out[CURSOR_LEN + 1];
	char		 tampered[CURSOR_LEN + 1], other[128];
	unsigned	 flags;
	uint64_t	 u = 0;
	int64_t		 id, back;
	size_t		 i, pos;
	struct crypto	*enc;

	if (size == 0)
		return 0;
	flags = data[0];
	copy = fuzz_cstr(data + 1, size - 1);
	text = copy;
	if (strlen(text) < size - 1 && (flags & 1))
		slug = text + strlen(text) + 1;

	decode_any(text, slug);
	decode_any(text, NULL);

	/* Round trip. */
	for (i = 0; i < 8 && i + 1 < size; i++)
		u = u << 8 | data[1 + i];
	id = (int64_t)(u & (uint64_t)INT64_MAX);
	if (id == 0)
		id = 1;
	if (flags & 2)
		slug = NULL;
	enc = (flags & 4) ? cb : ca;
	FUZZ_CHECK("cursor-encode", cursor_encode(enc, id, slug, out) == 0 &&
	    strlen(out) == CURSOR_LEN, "cursor_encode failed");
	FUZZ_CHECK("cursor-roundtrip", cursor_decode(ca, out, slug, &back) ==
	    LB_OK && back == id, "encode then decode lost the id");
	FUZZ_CHECK("cursor-rotation", cursor_decode(cb, out, slug, &back) ==
	    LB_OK && back == id, "a cursor did not survive a key rotation");

	/* Bound to the filter. */
	if (slug == NULL)
		FUZZ_CHECK("cursor-filter", cursor_decode(ca, out, "", &back) !=
		    LB_OK, "a cursor without filter passed with filter \"\"");
	else {
		FUZZ_CHECK("cursor-filter", cursor_decode(ca, out, NULL,
		    &back) != LB_OK, "a filtered cursor passed without one");
		snprintf(other, sizeof(other), "%.100sx", slug);
		FUZZ_CHECK("cursor-filter", strlen(slug) > 100 ||
		    cursor_decode(ca, out, other, &back) != LB_OK,
		    "a cursor passed under another filter");
	}

	/* Tamper-evident: one character changed. */
	pos = (size > 9 ? data[9] : 0) % CURSOR_LEN;
	memcpy(tampered, out, sizeof(tampered));
	for (i = 0; alphabet[i] != out[pos]; i++)
		;
	tampered[pos] = alphabet[(i + 1 + (size > 10 ? data[10] % 63 : 0)) %
	    64];
	FUZZ_CHECK("cursor-tamper", tampered[pos] != out[pos] &&
	    cursor_decode(ca, tampered, slug, &back) != LB_OK,
	    "an altered cursor was accepted");

	/* Ids a server never issues never decode. */
	if (flags & 8) {
		id = (flags & 16) ? 0 : -id;
		if (cursor_encode(enc, id, slug, out) == 0)
			FUZZ_CHECK("cursor-bad-id", cursor_decode(ca, out, slug,
			    &back) != LB_OK, "an id outside 1..2^63-1 decoded");
	}
	free(copy);
	return 0;
}
