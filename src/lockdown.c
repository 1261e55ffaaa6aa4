#include "autoconfig.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lockdown.h"

int
lockdown_no_dumps(void)
{
	struct rlimit	 rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	return 0;
}

/* Locks the mapping of one /proc/self/maps line if it holds one of
 * addrs; counts the addresses it holds in *found. */
static int
relock_line(const char *line, const void *const *addrs, size_t n,
    size_t *found, char *err, size_t errlen)
{
	unsigned long	 lo, hi;
	char		 name[64];
	size_t		 i, hits = 0;

	if (sscanf(line, "%lx-%lx", &lo, &hi) != 2)
		return 0;
	for (i = 0; i < n; i++)
		hits += (uintptr_t)addrs[i] >= lo && (uintptr_t)addrs[i] < hi;
	if (hits == 0)
		return 0;
	/* libgcrypt's pool is an anonymous mapping, which has no name: a key
	 * anywhere else (its unlocked overflow pools are on the heap) is not
	 * what this locks. */
	if (sscanf(line, "%*s %*s %*s %*s %*s %63s", name) == 1) {
		snprintf(err, errlen, "key memory outside libgcrypt's secure "
		    "pool (in %s): not locked", name);
		return -1;
	}
	if (mlock((void *)lo, hi - lo) < 0) {
		snprintf(err, errlen, "cannot lock %lu KiB of key memory: %s",
		    (hi - lo) / 1024, strerror(errno));
		return -1;
	}
	/* Cores are off already (lockdown_no_dumps); this holds for a dump
	 * taken any other way. */
	madvise((void *)lo, hi - lo, MADV_DONTDUMP);
	*found += hits;
	return 0;
}

int
lockdown_relock(const void *const *addrs, size_t n, char *err,
    size_t errlen)
{
	FILE	*f;
	char	 line[PATH_MAX + 128];
	size_t	 found = 0, len;
	int	 whole = 1, rc = -1;

	if (n == 0)
		return 0;
	if ((f = fopen("/proc/self/maps", "re")) == NULL) {
		snprintf(err, errlen, "/proc/self/maps: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		/* Only the start of a line names a mapping. */
		len = strlen(line);
		if (whole && relock_line(line, addrs, n, &found, err,
		    errlen) < 0)
			goto out;
		whole = len > 0 && line[len - 1] == '\n';
	}
	if (found < n) {
		snprintf(err, errlen, "key memory not found in /proc/self/maps");
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
lockdown_need_user(const char *user, char *err, size_t errlen)
{
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	if (user != NULL && *user != '\0')
		return 0;
	snprintf(err, errlen, "user: started as root without a user to serve "
	    "as; set user = NAME (an account for lockbox), or user = root to "
	    "serve as root on purpose");
	return -1;
}

int
lockdown_drop(const char *user, char *err, size_t errlen)
{
	struct passwd	*pw;

	/* The effective uid decides what the process may do. */
	if (geteuid() != 0 || user == NULL || *user == '\0')
		return 0;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user: no such user \"%.64s\"", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "user: cannot switch to \"%.64s\": %s",
		    user, strerror(errno));
		return -1;
	}
	/* Make sure there is no way back. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "user: could regain root after "
		    "switching to \"%.64s\"", user);
		return -1;
	}
	/* setuid() resets the dumpable flag; set it again. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* The user's own home, as su sets it: libpq looks there for its
	 * client certificate and password file, and root's is not the
	 * user's to read (a permission error fails the connection). */
	if (setenv("HOME", pw->pw_dir, 1) < 0 ||
	    setenv("USER", pw->pw_name, 1) < 0 ||
	    setenv("LOGNAME", pw->pw_name, 1) < 0) {
		snprintf(err, errlen, "user: cannot set HOME for \"%.64s\"",
		    user);
		return -1;
	}
	return 0;
}
