/* Hexadecimal: key ring files and PostgreSQL's bytea output. */
#ifndef LOCKBOX_HEX_H
#define LOCKBOX_HEX_H

#include <stddef.h>

/* The value of one hex digit (either case), or -1. */
int	hex_digit(char c);

/* Decodes exactly n hex digits (n even) into out (n / 2 bytes). Returns
 * the byte count, or -1 on an odd n or a character that is not a digit. */
long	hex_decode(unsigned char *out, const char *in, size_t n);

/* Writes n bytes as 2n lowercase hex digits and a NUL into out. */
void	hex_encode(char *out, const unsigned char *in, size_t n);

#endif
