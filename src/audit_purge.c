#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "audit_purge.h"

/* A chain checked up to where it is cut, and the purge seal that will
 * stand for what goes. */
struct cut {
	struct audit_seal	 seal;
	int64_t			 first_id, last_id;
};

struct purge {
	struct crypto		*c;
	struct audit_seal	*seals;		/* of the chains cut, in order */
	size_t			 nseals, capseals;
	struct cut		*cuts;
	size_t			 ncuts, capcuts;
	int			 broken;
};

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void	*q;

	if (n < *cap)
		return 0;
	if ((q = realloc(*p, (*cap ? 2 * *cap : 64) * size)) == NULL)
		return -1;
	*p = q;
	*cap = *cap ? 2 * *cap : 64;
	return 0;
}

static void
add_seal(void *arg, const struct audit_seal *s)
{
	struct purge	*p = arg;

	if (grow((void **)&p->seals, &p->capseals, p->nseals,
	    sizeof(*p->seals)) < 0) {
		p->broken = 1;
		return;
	}
	p->seals[p->nseals++] = *s;
}

/* Every problem but the chain's unsealed end, which is where it goes on. */
static void
count(void *arg, const struct audit_problem *pr)
{
	if (pr->kind != AUDIT_UNSEALED)
		(*(long *)arg)++;
}

/* A chain's events before the purge's time: those that follow one
 * another from its first (a worker's clock set back can leave a later
 * one among them) are checked as audit verify checks them, against the
 * chain's seals up to there, and go; the MAC after the last of them
 * seals where the chain now starts. A break stops the whole purge rather
 * than be sealed over. */
static int
cut_chain(void *arg, const struct audit_event *ev, size_t n)
{
	struct purge		*p = arg;
	struct cut		*cut;
	size_t			 k, s0, s1;
	long			 problems = 0;

	for (k = 1; k < n && ev[k].seq == ev[0].seq + (int64_t)k; k++)
		;
	for (s0 = 0; s0 < p->nseals && p->seals[s0].chain_id < ev[0].chain_id;
	    s0++)
		;
	for (s1 = s0; s1 < p->nseals && p->seals[s1].chain_id ==
	    ev[0].chain_id && p->seals[s1].seq <= ev[k - 1].seq; s1++)
		;
	if (audit_chain_verify(p->c, ev, k, p->seals + s0, s1 - s0, count,
	    &problems) < 0 || problems != 0 ||
	    grow((void **)&p->cuts, &p->capcuts, p->ncuts,
	    sizeof(*p->cuts)) < 0) {
		p->broken = 1;
		return -1;
	}
	cut = &p->cuts[p->ncuts];
	memset(cut, 0, sizeof(*cut));
	cut->seal.chain_id = ev[0].chain_id;
	cut->seal.seq = ev[k - 1].seq;
	cut->seal.kind = AUDIT_SEAL_PURGE;
	cut->seal.mac_key_id = ev[k - 1].mac_key_id;
	cut->first_id = ev[0].id;
	cut->last_id = ev[k - 1].id;
	if (audit_event_mac(p->c, &ev[k - 1], cut->seal.mac) < 0 ||
	    audit_seal_make(p->c, &cut->seal) < 0) {
		p->broken = 1;
		return -1;
	}
	p->ncuts++;
	return 0;
}

enum lb_err
audit_purge(struct store *s, struct crypto *c, const char *before,
    long most, struct audit_purged *out)
{
	struct purge	 p;
	enum lb_err	 e;
	long		 n;
	size_t		 i;
	int		 mine = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.c = c;
	if ((e = store_audit_purge_begin(s, &mine)) != LB_OK)
		goto out;
	if (!mine) {
		out->busy = 1;
		goto out;
	}
	if ((e = store_audit_purge_seals(s, before, add_seal, &p)) != LB_OK)
		goto out;
	if (!p.broken)
		e = store_audit_purge_events(s, before, most, cut_chain, &p);
	/* A chain that failed its check is said so, not as an error. */
	if (p.broken)
		e = LB_OK;
	else if (e != LB_OK)
		goto out;
	for (i = 0; i < p.ncuts && !p.broken; i++) {
		if ((e = store_audit_purge_chain(s, &p.cuts[i].seal,
		    p.cuts[i].first_id, p.cuts[i].last_id, &n)) != LB_OK)
			goto out;
		out->events += n;
		out->chains++;
	}
	out->broken = p.broken;
out:
	/* Commit only a whole, checked purge. */
	if (store_connected(s)) {
		if (e == LB_OK && mine && !p.broken)
			e = store_audit_tx_end(s, 1);
		else
			store_audit_tx_end(s, 0);
	}
	if (e != LB_OK || p.broken)
		out->events = 0, out->chains = 0;
	free(p.seals);
	free(p.cuts);
	return e;
}
