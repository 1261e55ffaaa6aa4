/* base64url without padding (RFC 4648 section 5): API keys and cursors. */
#ifndef LOCKBOX_BASE64_H
#define LOCKBOX_BASE64_H

#include <stddef.h>

/* Encoded length of n bytes, without the NUL. */
#define BASE64URL_LEN(n)	(((n) * 4 + 2) / 3)

/* Writes BASE64URL_LEN(n) characters and a NUL to out. */
void	base64url_encode(char *out, const unsigned char *in, size_t n);

/* Decodes exactly n characters into out (room for n * 3 / 4 bytes).
 * Returns the byte count, or -1 on a character outside the alphabet, an
 * impossible length, or non-canonical trailing bits (so that one value
 * has exactly one encoding). */
long	base64url_decode(unsigned char *out, const char *in, size_t n);

#endif
