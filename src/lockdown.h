/* Process hardening: what a process holding keys must do at start-up. */
#ifndef LOCKBOX_LOCKDOWN_H
#define LOCKBOX_LOCKDOWN_H

/* No core dumps, not dumpable (so no ptrace by the same user either).
 * Returns -1 if either cannot be set. */
int	lockdown_no_dumps(void);

/* When running as root and user is not empty: switches to that user and
 * its group for good. Returns 0, or -1 with err set. When root and user
 * is empty, does nothing (the caller decides whether to warn). */
int	lockdown_drop(const char *user, char *err, size_t errlen);

#endif
