#include "autoconfig.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
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
	return 0;
}
