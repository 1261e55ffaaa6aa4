/* How lockbox connects to PostgreSQL, beyond what the operator wrote. */
#ifndef LOCKBOX_DBCONN_H
#define LOCKBOX_DBCONN_H

/* Whether to ask libpq for sslmode=verify-full: the operator named a root
 * certificate (sslrootcert in the connection string, or PGSSLROOTCERT)
 * and chose no sslmode (in the string, or PGSSLMODE). libpq's own default,
 * "prefer", would use TLS without checking who answers; a peer on the
 * network could then answer the API key lookup itself. env_sslmode and
 * env_rootcert are the variables' values (NULL when unset). */
int	dbconn_verify_full(const char *conninfo, const char *env_sslmode,
	    const char *env_rootcert);

#endif
