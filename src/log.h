/* One JSON object per line on stderr. Never pass a secret value, an API
 * key or a request body to these functions: callers log ids, prefixes,
 * codes and SQLSTATEs only. */
#ifndef LOCKBOX_LOG_H
#define LOCKBOX_LOG_H

#include "config.h"

void	log_set_level(enum log_level);
/* Call in every new process (after fork): lines carry its pid. */
void	log_set_process(void);
/* Writes request lines held back (log_request batches them); a worker
 * calls it before it waits for the next request, and before it exits. */
void	log_flush(void);
int	log_enabled(enum log_level);
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

struct log_request {
	const char	*request_id;
	const char	*method;
	const char	*path;
	const char	*route;		/* the route's name; NULL: none */
	int		 status;
	double		 duration_ms;
	const char	*key_prefix;	/* NULL when no key was accepted */
	const char	*error_code;	/* NULL on success */
	long		 round_trips;	/* to PostgreSQL */
};

/* One line per request. Lines are held back and written together, at most
 * PIPE_BUF bytes at a time (so that lines from several workers sharing one
 * pipe never interleave), and always before the worker waits for work:
 * a busy worker pays one write for many requests, an idle one none. */
void	log_request(const struct log_request *);

#endif
