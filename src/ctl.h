/* lockboxctl's commands share these (ctl.c); each group of commands has
 * a file of its own (ctl_apikey.c). */
#ifndef LOCKBOX_CTL_H
#define LOCKBOX_CTL_H

#include <stdio.h>

#include "config.h"
#include "crypto.h"
#include "keyring.h"
#include "store.h"

/* The configuration file and LOCKBOX_* variables, as the server reads
 * them. */
extern struct config	 ctl_cfg;

void		 ctl_usage(FILE *);
/* The database of ctl_cfg (connected on first use); NULL: out of
 * memory, said on stderr. */
struct store	*ctl_db_open(void);
/* Says on stderr why a statement failed; returns 1, the exit status. */
int		 ctl_db_fail(struct store *, enum lb_err);
/* The key ring and a crypto context over it, for the commands that seal,
 * open or hash; a message on stderr when it cannot be had (quiet: the
 * caller says so itself). */
struct crypto	*ctl_ring_open(struct keyring *, int quiet);

/* lockboxctl apikey create|list|revoke (ctl_apikey.c). */
int		 ctl_apikey(int argc, char **argv);
/* lockboxctl audit verify|export|purge (ctl_audit.c). */
int		 ctl_audit(int argc, char **argv);

#endif
