#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "buf.h"

static void
put_u64(struct buf *b, uint64_t v)
{
	unsigned char	 x[8];
	int		 i;

	for (i = 7; i >= 0; i--, v >>= 8)
		x[i] = (unsigned char)(v & 0xff);
	buf_append(b, x, sizeof(x));
}

/* A field as its presence and length, then its bytes: no two events
 * encode alike, whatever their text holds. */
static void
put_text(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_putc(b, 0);
		return;
	}
	buf_putc(b, 1);
	put_u64(b, strlen(s));
	buf_puts(b, s);
}

static int
mac_of(struct crypto *c, int key_id, const struct buf *b,
    unsigned char out[AUDIT_MAC_LEN])
{
	if (b->oom)
		return -1;
	return crypto_mac(c, CRYPTO_MAC_AUDIT, key_id, b->data, b->len, out);
}

int
audit_chain_start(struct crypto *c, int key_id, int64_t chain_id,
    unsigned char out[AUDIT_MAC_LEN])
{
	struct buf	 b = { 0 };
	int		 r;

	buf_puts(&b, "start");
	put_u64(&b, (uint64_t)chain_id);
	r = mac_of(c, key_id, &b, out);
	buf_free(&b);
	return r;
}

int
audit_event_mac(struct crypto *c, const struct audit_event *e,
    unsigned char out[AUDIT_MAC_LEN])
{
	struct buf	 b = { 0 };
	int		 r;

	buf_puts(&b, "event");
	put_u64(&b, (uint64_t)e->chain_id);
	put_u64(&b, (uint64_t)e->seq);
	put_u64(&b, (uint64_t)e->mac_key_id);
	put_text(&b, e->at);
	put_text(&b, e->request_id);
	put_text(&b, e->action);
	put_text(&b, e->status);
	put_text(&b, e->api_key_id);
	put_text(&b, e->api_key_prefix);
	put_text(&b, e->secret_id);
	put_text(&b, e->version);
	put_text(&b, e->secret_ids);
	put_text(&b, e->remote_addr);
	buf_append(&b, e->prev_mac, AUDIT_MAC_LEN);
	r = mac_of(c, e->mac_key_id, &b, out);
	buf_free(&b);
	return r;
}

static int
seal_mac(struct crypto *c, const struct audit_seal *s,
    unsigned char out[AUDIT_MAC_LEN])
{
	struct buf	 b = { 0 };
	int		 r;

	buf_puts(&b, "seal");
	put_u64(&b, (uint64_t)s->chain_id);
	put_u64(&b, (uint64_t)s->seq);
	put_u64(&b, (uint64_t)s->kind);
	buf_append(&b, s->mac, AUDIT_MAC_LEN);
	r = mac_of(c, s->mac_key_id, &b, out);
	buf_free(&b);
	return r;
}

int
audit_seal_make(struct crypto *c, struct audit_seal *s)
{
	return seal_mac(c, s, s->seal);
}

int
audit_link_make(struct crypto *c, const struct audit_link *l,
    unsigned char out[AUDIT_MAC_LEN])
{
	static const unsigned char none[AUDIT_MAC_LEN];
	struct buf	 b = { 0 };
	int		 r;

	buf_puts(&b, "link");
	put_u64(&b, (uint64_t)l->prev_id);
	buf_append(&b, l->prev_link != NULL ? l->prev_link : none,
	    AUDIT_MAC_LEN);
	put_text(&b, l->host);
	put_u64(&b, (uint64_t)l->pid);
	r = mac_of(c, l->key_id, &b, out);
	buf_free(&b);
	return r;
}

const char *
audit_problem_text(enum audit_problem_kind k)
{
	switch (k) {
	case AUDIT_BAD_START:
		return "the chain's first event does not carry the chain's "
		    "start: it was forged or altered";
	case AUDIT_BROKEN:
		return "altered, forged or moved: this event, or the one "
		    "before it in its chain";
	case AUDIT_MISSING:
		return "events before this one in its chain are missing";
	case AUDIT_BAD_SEAL:
		return "a seal fails its MAC: forged or altered";
	case AUDIT_SEAL_MISMATCH:
		return "a seal disagrees with the events it covers: some "
		    "were altered, forged or removed";
	case AUDIT_TRUNCATED:
		return "events at the end of the chain, which a seal "
		    "covers, are missing";
	case AUDIT_UNSEALED:
		return "the chain's newest events are not sealed yet";
	case AUDIT_NO_KEY:
		return "made under a key the key ring lacks: cannot be "
		    "checked";
	}
	return "unknown problem";
}

static int
seal_order(const void *a, const void *b)
{
	const struct audit_seal	*x = *(const struct audit_seal *const *)a;
	const struct audit_seal	*y = *(const struct audit_seal *const *)b;

	if (x->chain_id != y->chain_id)
		return x->chain_id < y->chain_id ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

struct walk {
	struct crypto	 *c;
	void		(*report)(void *, const struct audit_problem *);
	void		 *arg;
	long		  n;
};

static void
problem(struct walk *w, enum audit_problem_kind k, int64_t chain,
    int64_t seq, int64_t id, int64_t count)
{
	struct audit_problem	 p = { k, chain, seq, id, count };

	w->report(w->arg, &p);
	w->n++;
}

/* One chain: its events ev[0..n) in seq order, and its seals s[0..ns) in
 * seq order, each already checked (bad ones NULL). */
static void
walk_chain(struct walk *w, const struct audit_event *ev, size_t n,
    const struct audit_seal *const *s, size_t ns)
{
	unsigned char	 expect[AUDIT_MAC_LEN], mac[AUDIT_MAC_LEN];
	int64_t		 chain = n > 0 ? ev[0].chain_id : s[0]->chain_id;
	int64_t		 last = 0, sealed = 0, end;
	size_t		 i, j = 0, k;
	int		 known = 0;

	/* Where the events start: event 1 follows the chain's start; after
	 * a purge, the purge seal's MAC. */
	/* (A key the ring lacks is reported once, by the event's MAC.) */
	if (n > 0 && ev[0].seq == 1 && audit_chain_start(w->c,
	    ev[0].mac_key_id, chain, expect) == 0)
		known = 1;
	for (; j < ns && n > 0 && s[j]->seq < ev[0].seq; j++)
		if (s[j]->kind == AUDIT_SEAL_PURGE &&
		    s[j]->seq == ev[0].seq - 1) {
			memcpy(expect, s[j]->mac, AUDIT_MAC_LEN);
			known = 1;
		}
	if (n > 0 && !known && ev[0].seq > 1)
		problem(w, AUDIT_MISSING, chain, ev[0].seq, ev[0].id, 0);
	for (i = 0; i < n; i++) {
		if (i > 0 && ev[i].seq != last + 1) {
			problem(w, AUDIT_MISSING, chain, ev[i].seq, ev[i].id,
			    ev[i].seq - last - 1);
			known = 0;
		}
		if (known && !crypto_equal(expect, ev[i].prev_mac,
		    AUDIT_MAC_LEN))
			problem(w, ev[i].seq == 1 ? AUDIT_BAD_START :
			    AUDIT_BROKEN, chain, ev[i].seq, ev[i].id, 0);
		last = ev[i].seq;
		if (audit_event_mac(w->c, &ev[i], mac) < 0) {
			problem(w, AUDIT_NO_KEY, chain, ev[i].seq, ev[i].id,
			    0);
			known = 0;
			continue;
		}
		memcpy(expect, mac, AUDIT_MAC_LEN);
		known = 1;
		for (; j < ns && s[j]->seq <= last; j++) {
			if (s[j]->seq < last)
				continue;	/* before a gap: nothing to compare */
			if (!crypto_equal(s[j]->mac, mac, AUDIT_MAC_LEN))
				problem(w, AUDIT_SEAL_MISMATCH, chain, last,
				    ev[i].id, 0);
			else if (s[j]->kind != AUDIT_SEAL_PURGE)
				sealed = last;
		}
	}
	/* Seals past the last event: what they cover is gone, unless a
	 * purge took it. */
	for (k = 0, end = last; k < ns; k++)
		if (s[k]->kind == AUDIT_SEAL_PURGE && s[k]->seq > end)
			end = s[k]->seq;
	for (; j < ns; j++)
		if (s[j]->kind != AUDIT_SEAL_PURGE && s[j]->seq > end)
			problem(w, AUDIT_TRUNCATED, chain, s[j]->seq, 0,
			    s[j]->seq - end);
	if (n > 0 && last > sealed) {
		for (i = n; i > 0 && ev[i - 1].seq > sealed; i--)
			;
		problem(w, AUDIT_UNSEALED, chain, ev[i].seq, ev[i].id,
		    last - sealed);
	}
}

long
audit_chain_verify(struct crypto *c, const struct audit_event *ev,
    size_t nev, const struct audit_seal *seals, size_t nseals,
    void (*report)(void *, const struct audit_problem *), void *arg)
{
	const struct audit_seal	**s = NULL;
	unsigned char		  m[AUDIT_MAC_LEN];
	struct walk		  w = { c, report, arg, 0 };
	size_t			  i = 0, j = 0, k, ns = 0, e, t;

	if (nseals > 0 && (s = calloc(nseals, sizeof(*s))) == NULL)
		return -1;
	for (k = 0; k < nseals; k++) {
		if (seal_mac(c, &seals[k], m) < 0)
			problem(&w, AUDIT_NO_KEY, seals[k].chain_id,
			    seals[k].seq, 0, 0);
		else if (!crypto_equal(m, seals[k].seal, AUDIT_MAC_LEN))
			problem(&w, AUDIT_BAD_SEAL, seals[k].chain_id,
			    seals[k].seq, 0, 0);
		else
			s[ns++] = &seals[k];
	}
	if (ns > 0)
		qsort(s, ns, sizeof(*s), seal_order);
	/* Chains in order, from the events and the seals alike: a chain
	 * whose every event is gone still has its seals. */
	while (i < nev || j < ns) {
		int64_t	 chain;

		if (j >= ns || (i < nev && ev[i].chain_id <= s[j]->chain_id))
			chain = ev[i].chain_id;
		else
			chain = s[j]->chain_id;
		for (e = i; e < nev && ev[e].chain_id == chain; e++)
			;
		for (t = j; t < ns && s[t]->chain_id == chain; t++)
			;
		walk_chain(&w, ev + i, e - i, s + j, t - j);
		i = e;
		j = t;
	}
	free(s);
	return w.n;
}
