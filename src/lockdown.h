/* Process hardening: what a process holding keys must do at start-up. */
#ifndef LOCKBOX_LOCKDOWN_H
#define LOCKBOX_LOCKDOWN_H

#include <stddef.h>

/* No core dumps, not dumpable (so no ptrace by the same user either).
 * Returns -1 if either cannot be set. */
int	lockdown_no_dumps(void);

/* mlock() is not inherited across fork: a worker forked from the master
 * holds its keys in memory the master locked, and it did not. Locks again
 * each mapping that holds one of addrs[0..n) (the ring's keys, in
 * libgcrypt's secure pool: one anonymous mapping of its own, which the
 * cipher and MAC handles opened later share), and leaves them out of any
 * core dump. Call it in the child before dropping root, which bypasses
 * RLIMIT_MEMLOCK. Returns 0, or -1 with err set when an address is not in
 * an anonymous mapping or a mapping cannot be locked: the caller warns and
 * goes on, as libgcrypt does when it cannot lock its pool. */
int	lockdown_relock(const void *const *addrs, size_t n, char *err,
	    size_t errlen);

/* Refuses root without a user: returns -1 with one line in err when the
 * process runs as root (real or effective uid 0) and user is empty, 0
 * otherwise. `user = root` passes: serving as root is then a choice
 * written down, not an accident of how the process was started. */
int	lockdown_need_user(const char *user, char *err, size_t errlen);

/* When running as root and user is not empty: switches to that user and
 * its group for good. Returns 0, or -1 with err set. When not root, or
 * user is empty, does nothing (lockdown_need_user refused that case). */
int	lockdown_drop(const char *user, char *err, size_t errlen);

#endif
