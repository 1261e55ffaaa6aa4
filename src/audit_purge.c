#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "audit_purge.h"

struct cut {
	int64_t	 chain, seq;
};

struct purge {
	struct crypto	*c;
	struct cut	*cuts;
	size_t		 ncuts, cap;
	/* The chain being MAC'd up to its cut. */
	unsigned char	 mac[AUDIT_MAC_LEN];
	int64_t		 last;
	int		 key_id;
	int		 broken;
};

static void
add_cut(void *arg, int64_t chain, int64_t seq)
{
	struct purge	*p = arg;
	void		*q;

	if (p->ncuts == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		if ((q = realloc(p->cuts, p->cap * sizeof(*p->cuts))) == NULL) {
			p->broken = 1;
			return;
		}
		p->cuts = q;
	}
	p->cuts[p->ncuts].chain = chain;
	p->cuts[p->ncuts++].seq = seq;
}

/* The chain's MAC, event after event. */
static int
mac_event(void *arg, const struct audit_event *e)
{
	struct purge	*p = arg;
	unsigned char	 start[AUDIT_MAC_LEN];

	if (p->last == 0) {
		/* The chain's first event left: event 1 carries the chain's
		 * start; after an earlier purge, its purge seal's MAC
		 * (which audit verify checks). */
		if (e->seq == 1 && (audit_chain_start(p->c, e->mac_key_id,
		    e->chain_id, start) < 0 || !crypto_equal(start,
		    e->prev_mac, AUDIT_MAC_LEN))) {
			p->broken = 1;
			return 0;
		}
	} else if (e->seq != p->last + 1 ||
	    !crypto_equal(e->prev_mac, p->mac, AUDIT_MAC_LEN)) {
		p->broken = 1;
		return 0;
	}
	memcpy(p->mac, e->prev_mac, AUDIT_MAC_LEN);
	if (audit_event_mac(p->c, e, p->mac) < 0) {
		p->broken = 1;
		return 0;
	}
	p->key_id = e->mac_key_id;
	p->last = e->seq;
	return 0;
}

enum lb_err
audit_purge(struct store *s, struct crypto *c, const char *before,
    long most, struct audit_purged *out)
{
	struct purge		 p;
	struct audit_seal	 seal;
	enum lb_err		 e;
	long			 n;
	size_t			 i;
	int			 mine = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.c = c;
	if ((e = store_audit_purge_begin(s, &mine)) != LB_OK)
		goto out;
	if (!mine) {
		out->busy = 1;
		goto out;
	}
	if ((e = store_audit_purge_cuts(s, before, most, add_cut, &p)) !=
	    LB_OK)
		goto out;
	for (i = 0; i < p.ncuts && !p.broken; i++) {
		p.last = 0;
		if ((e = store_audit_chain_events(s, p.cuts[i].chain, 1,
		    p.cuts[i].seq, mac_event, &p)) != LB_OK)
			goto out;
		if (p.last != p.cuts[i].seq)
			p.broken = 1;
		if (p.broken)
			break;
		memset(&seal, 0, sizeof(seal));
		seal.chain_id = p.cuts[i].chain;
		seal.seq = p.cuts[i].seq;
		seal.kind = AUDIT_SEAL_PURGE;
		seal.mac_key_id = p.key_id;
		memcpy(seal.mac, p.mac, sizeof(seal.mac));
		if (audit_seal_make(c, &seal) < 0) {
			e = LB_ERR_INTERNAL;
			goto out;
		}
		if ((e = store_audit_purge_chain(s, &seal, &n)) != LB_OK)
			goto out;
		out->events += n;
		out->chains++;
	}
	out->broken = p.broken;
out:
	/* Commit only a whole, checked purge. */
	if (store_connected(s)) {
		if (e == LB_OK && mine && !p.broken)
			e = store_audit_purge_end(s, 1);
		else
			store_audit_purge_end(s, 0);
	}
	if (e != LB_OK || p.broken)
		out->events = 0, out->chains = 0;
	free(p.cuts);
	return e;
}
