#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lockdown.h"

/* VmLck of this process, in kB. */
static long
vmlck(void)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 kb = -1;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmLck: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Each Criterion test runs in a process of its own: nothing is locked yet,
 * and what a test locks goes with it. */
Test(lockdown, relock_locks_the_whole_anonymous_mapping)
{
	size_t		 len = 64 * 1024;
	unsigned char	*pool;
	const void	*keys[2];
	char		 err[256] = "";

	pool = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(pool, MAP_FAILED);
	/* A mapping of its own, as libgcrypt's pool is where it could be
	 * locked: no neighbour merges with it. */
	cr_assert_eq(mlock(pool, len), 0);
	/* The sanitizers make mlock a no-op that succeeds. */
	if (vmlck() == 0)
		cr_skip_test("mlock has no effect here (a sanitizer build)");
	cr_assert_eq(munlock(pool, len), 0);
	keys[0] = pool + 100;
	keys[1] = pool + len - 1;
	cr_assert_eq(vmlck(), 0);
	cr_assert_eq(lockdown_relock(keys, 2, err, sizeof(err)), 0, "%s", err);
	cr_expect_geq(vmlck(), 64);
	munmap(pool, len);
}

/* Initialised, so in .data: a mapping of this program's file (the heap
 * would do, but under ASan malloc'd memory is anonymous). */
static char	 not_secure[64] = "a key where libgcrypt never puts one";

Test(lockdown, relock_refuses_memory_outside_an_anonymous_mapping)
{
	const void	*keys[1] = { not_secure };
	char		 err[256] = "";

	cr_expect_eq(lockdown_relock(keys, 1, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "outside libgcrypt's secure pool"),
	    "%s", err);
	cr_expect_eq(vmlck(), 0);
}

Test(lockdown, relock_reports_an_address_that_is_not_mapped)
{
	const void	*keys[1] = { (const void *)16 };
	char		 err[256] = "";

	cr_expect_eq(lockdown_relock(keys, 1, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "not found"), "%s", err);
	cr_expect_eq(lockdown_relock(keys, 0, err, sizeof(err)), 0);
}

Test(lockdown, root_needs_a_user)
{
	char	 err[256] = "";

	cr_expect_eq(lockdown_need_user("nobody", err, sizeof(err)), 0);
	cr_expect_eq(lockdown_need_user("root", err, sizeof(err)), 0);
	if (geteuid() != 0) {
		cr_expect_eq(lockdown_need_user("", err, sizeof(err)), 0);
		return;
	}
	cr_expect_eq(lockdown_need_user("", err, sizeof(err)), -1);
	cr_expect_eq(lockdown_need_user(NULL, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "user = root"), "%s", err);
	cr_expect_null(strchr(err, '\n'));
}
