/* The key ring file: one or more 256-bit master keys, one active.
 *
 *   # comments and blank lines are ignored
 *   key 1 <64 hex digits>
 *   key 2 <64 hex digits>
 *   active 2
 *
 * Key ids are 1..32767 and stored with every ciphertext; new writes use
 * the active key; old keys stay until `lockboxctl rewrap` has moved every
 * row off them. */
#ifndef LOCKBOX_KEYRING_H
#define LOCKBOX_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#define KEYRING_MAX_KEYS	64
#define KEYRING_KEY_LEN		32
#define KEYRING_FILE_MAX	(64 * 1024)

struct keyring_key {
	int		 id;
	unsigned char	*key;	/* KEYRING_KEY_LEN bytes, libgcrypt secure memory */
};

struct keyring {
	struct keyring_key	 keys[KEYRING_MAX_KEYS];
	size_t			 nkeys;
	int			 active;	/* id of the active key */
};

/* Parses key ring text. Returns 0, or -1 with a message in err (which
 * never quotes key material). On failure the ring is left empty. */
int	keyring_parse(struct keyring *, const char *text, size_t len,
	    char *err, size_t errlen);

/* Reads and parses path. Refuses a file that is not a regular file or is
 * readable or writable by group or others. */
int	keyring_load(struct keyring *, const char *path, char *err,
	    size_t errlen);

/* Appends a fresh random key, makes it active, and returns its id, or -1. */
int	keyring_add_random(struct keyring *);

/* Takes key id out of the ring (wiping it). -1 when there is no such key
 * or it is the active one. */
int	keyring_remove(struct keyring *, int id);

/* Formats the ring as file text into a secure buffer the caller frees
 * with keyring_text_free. Returns NULL on failure. */
char	*keyring_format(const struct keyring *, size_t *len);
void	 keyring_text_free(char *, size_t len);

const struct keyring_key *keyring_find(const struct keyring *, int id);

/* Wipes and releases every key. */
void	keyring_free(struct keyring *);

#endif
