/* The monotonic clock in milliseconds: for timeouts, deadlines and
 * intervals, never for a time the API shows. */
#ifndef LOCKBOX_CLOCK_H
#define LOCKBOX_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
clock_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
