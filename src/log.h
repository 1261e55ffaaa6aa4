/* One JSON object per line on stderr. Never pass a secret value, an API
 * key or a request body to these functions: callers log ids, prefixes,
 * codes and SQLSTATEs only. */
#ifndef LOCKBOX_LOG_H
#define LOCKBOX_LOG_H

#include "config.h"

void	log_set_level(enum log_level);
int	log_enabled(enum log_level);
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

struct log_request {
	const char	*request_id;
	const char	*method;
	const char	*path;
	int		 status;
	double		 duration_ms;
	const char	*key_prefix;	/* NULL when no key was accepted */
	const char	*error_code;	/* NULL on success */
};

void	log_request(const struct log_request *);

#endif
