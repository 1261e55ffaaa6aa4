/* Settings: defaults, then a key = value file, then LOCKBOX_* variables,
 * then command-line flags; each later source overrides the earlier. */
#ifndef LOCKBOX_CONFIG_H
#define LOCKBOX_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#define CONFIG_STR_MAX	4096

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

struct config {
	char		 database_url[CONFIG_STR_MAX];
	char		 key_file[CONFIG_STR_MAX];
	char		 listen[CONFIG_STR_MAX];	/* "" = socket on fd 0 */
	char		 socket_group[256];
	char		 user[256];
	int		 workers;	/* 0 = four per CPU, at most 32 */
	long		 max_requests;	/* 0 = never recycle a worker */
	long		 max_body;
	long		 idempotency_ttl;
	long		 max_versions;	/* versions kept per secret */
	long		 deleted_retention; /* seconds; 0 = destroy at once */
	int		 socket_mode;
	enum log_level	 log_level;
	/* Named prepared statements, prepared once per connection; off for
	 * poolers that move sessions between statements (pgbouncer in
	 * transaction mode before 1.21). */
	int		 prepared_statements;
	/* The audit log (sql/008_audit.sql): off only to measure what it
	 * costs; the API's contract needs it on. */
	int		 audit;
	/* Events of requests that change nothing commit without waiting
	 * for the disk (a crash of PostgreSQL may lose the last of them). */
	int		 audit_async_reads;
	long		 audit_retention;	/* seconds; 0 = keep every event */
	/* The path the API is mounted at ("/tools/vault"); "" = the web
	 * server's PATH_INFO says, or the root. */
	char		 base_path[256];
};

/* Fills every setting with its default. */
void	config_defaults(struct config *);

/* Sets one setting by name from text. On failure returns -1 and writes
 * one line for people into err naming the setting and what is allowed
 * (never the value of a setting that may hold a password). */
int	config_set(struct config *, const char *key, const char *value,
	    char *err, size_t errlen);

/* Reads a "key = value" file ('#' starts a comment line). On failure
 * returns -1 with err set as for config_set, prefixed by path:line. */
int	config_load_file(struct config *, const char *path,
	    char *err, size_t errlen);

/* Applies LOCKBOX_<SETTING> variables (e.g. LOCKBOX_MAX_BODY) from the
 * environment. Failure as for config_set. */
int	config_load_env(struct config *, char *err, size_t errlen);

/* Loads defaults, then the file named by path (or $LOCKBOX_CONFIG when
 * path is NULL; no file when neither is set), then the environment. */
int	config_load(struct config *, const char *path, char *err, size_t errlen);

#endif
