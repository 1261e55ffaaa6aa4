/* List cursors: opaque to clients, tamper-evident, bound to the filter.
 *
 * A cursor is base64url of: version (1 byte), key-ring key id (2), the id
 * of the last secret on the page (8), and the first 16 bytes of an
 * HMAC-SHA-256 over all of that and the filter, under a subkey of that
 * ring key. The filter is the provider_slug (or its absence) and, for
 * lists other than the plain list of secrets, a text that names the list
 * and its other filters ("bound"), so that a cursor is only good for the
 * very list and filter it was issued for. */
#ifndef LOCKBOX_CURSOR_H
#define LOCKBOX_CURSOR_H

#include <stdint.h>

#include "crypto.h"
#include "error.h"

#define CURSOR_RAW_LEN	27
#define CURSOR_LEN	36	/* BASE64URL_LEN(CURSOR_RAW_LEN) */

/* Writes the cursor after last_id for filter provider_slug (NULL: none).
 * Returns -1 if the active key cannot make a MAC. */
int		cursor_encode(struct crypto *, int64_t last_id,
		    const char *provider_slug, char out[CURSOR_LEN + 1]);

/* LB_OK and *last_id, or LB_ERR_INVALID_CURSOR for anything this server
 * did not issue for this very filter. */
enum lb_err	cursor_decode(struct crypto *, const char *text,
		    const char *provider_slug, int64_t *last_id);

/* The same, bound to more than the provider: bound names the list and
 * its other filters (NULL or "": nothing more). */
int		cursor_encode_bound(struct crypto *, int64_t last_id,
		    const char *provider_slug, const char *bound,
		    char out[CURSOR_LEN + 1]);
enum lb_err	cursor_decode_bound(struct crypto *, const char *text,
		    const char *provider_slug, const char *bound,
		    int64_t *last_id);

#endif
