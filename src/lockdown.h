/* Process hardening: what a process holding keys must do at start-up. */
#ifndef LOCKBOX_LOCKDOWN_H
#define LOCKBOX_LOCKDOWN_H

#include <stddef.h>

/* No core dumps, not dumpable (so no ptrace by the same user either).
 * Returns -1 if either cannot be set. */
int	lockdown_no_dumps(void);

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
