/* Defaults for a build with --enable-sanitizers, compiled into the
 * programs themselves: mod_fcgid starts lockbox-fcgi with an empty
 * environment, where ASAN_OPTIONS and LSAN_OPTIONS cannot reach it. */
#include "autoconfig.h"

#ifdef LOCKBOX_SANITIZERS
const char	*__asan_default_options(void);
const char	*__lsan_default_suppressions(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1";
}

/* libgcrypt keeps its random pool (128 KiB, allocated on first use of the
 * strong generator) for the life of the process, by design. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libgcrypt.so\n";
}
#else
/* ISO C wants something in every translation unit. */
typedef int lockbox_no_sanitizers;
#endif
