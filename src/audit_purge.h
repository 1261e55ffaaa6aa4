/* Removing old audit events without breaking their chains: each chain
 * cut is sealed where it now starts (a purge seal: the chain's MAC after
 * its last event removed), so that lockboxctl audit verify still passes
 * and says from when the log is complete. lockboxctl audit purge and the
 * workers' audit_retention both do it, one at a time. */
#ifndef LOCKBOX_AUDIT_PURGE_H
#define LOCKBOX_AUDIT_PURGE_H

#include <stddef.h>

#include "crypto.h"
#include "error.h"
#include "store.h"

struct audit_purged {
	long	 events;	/* events removed */
	size_t	 chains;	/* chains cut */
	int	 busy;		/* another purge ran: nothing done */
	int	 broken;	/* a chain failed its check: nothing done */
};

/* Removes the events before before (RFC 3339), at most most of each
 * chain, in one transaction; a chain that does not verify up to its cut
 * stops the purge (broken) rather than be sealed over. */
enum lb_err	audit_purge(struct store *, struct crypto *,
		    const char *before, long most, struct audit_purged *);

#endif
