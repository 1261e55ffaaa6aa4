/* lockboxctl audit: verify the audit log's chains, export it, purge it. */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "audit_purge.h"
#include "ctl.h"
#include "store_admin.h"
#include "validate.h"

/* ---- verify --------------------------------------------------------- */

struct chain_info {
	int64_t		 id;
	char		 host[256];
	char		 pid[16];
	char		 started[40];
	int64_t		 prev_id;
	unsigned char	 link[AUDIT_MAC_LEN];
	int		 link_key_id;
	int		 seen;		/* it has events or seals */
};

struct verify {
	struct crypto		*c;
	struct audit_seal	*seals;
	size_t			 nseals, capseals;
	struct chain_info	*chains;
	size_t			 nchains, capchains;
	/* The chain being read: its events, copied. */
	struct audit_event	*ev;
	size_t			 nev, capev;
	int64_t			 chain;
	size_t			 next_seal;	/* seals of chains before */
	long			 events, problems, unsealed;
	char			 first_at[40];
	int			 oom;
};

static void
add_seal(void *arg, const struct audit_seal *s)
{
	struct verify	*v = arg;
	void		*p;

	if (v->nseals == v->capseals) {
		v->capseals = v->capseals ? 2 * v->capseals : 64;
		if ((p = realloc(v->seals, v->capseals * sizeof(*v->seals))) ==
		    NULL) {
			v->oom = 1;
			return;
		}
		v->seals = p;
	}
	v->seals[v->nseals++] = *s;
}

static void
add_chain(void *arg, const struct store_audit_chain *row)
{
	struct verify		*v = arg;
	struct chain_info	*ci;
	void			*p;

	if (v->nchains == v->capchains) {
		v->capchains = v->capchains ? 2 * v->capchains : 64;
		if ((p = realloc(v->chains, v->capchains *
		    sizeof(*v->chains))) == NULL) {
			v->oom = 1;
			return;
		}
		v->chains = p;
	}
	ci = &v->chains[v->nchains++];
	memset(ci, 0, sizeof(*ci));
	ci->id = row->id;
	snprintf(ci->host, sizeof(ci->host), "%s", row->host ? row->host : "");
	snprintf(ci->pid, sizeof(ci->pid), "%s", row->pid ? row->pid : "");
	snprintf(ci->started, sizeof(ci->started), "%s",
	    row->started_at ? row->started_at : "");
	ci->prev_id = row->prev_id;
	memcpy(ci->link, row->link, sizeof(ci->link));
	ci->link_key_id = row->link_key_id;
}

static struct chain_info *
chain_find(struct verify *v, int64_t id)
{
	size_t	 lo = 0, hi = v->nchains, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (v->chains[mid].id == id)
			return &v->chains[mid];
		if (v->chains[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Whether chain c's row links to prev (NULL: c is the first). */
static int
link_follows(struct crypto *cr, const struct chain_info *c,
    const struct chain_info *prev)
{
	struct audit_link	 l;
	unsigned char		 mac[AUDIT_MAC_LEN];

	if (c->prev_id != (prev != NULL ? prev->id : 0))
		return 0;
	memset(&l, 0, sizeof(l));
	l.prev_id = c->prev_id;
	l.prev_link = prev != NULL ? prev->link : NULL;
	l.host = c->host;
	l.pid = strtoll(c->pid, NULL, 10);
	l.key_id = c->link_key_id;
	return audit_link_make(cr, &l, mac) == 0 &&
	    crypto_equal(mac, c->link, AUDIT_MAC_LEN);
}

static void
report(void *arg, const struct audit_problem *p)
{
	struct verify	*v = arg;

	if (p->kind == AUDIT_UNSEALED) {
		/* Not a break: the newest events of a chain wait for its
		 * next seal, and a worker killed never wrote its last. */
		printf("note\tchain %" PRId64 "\tevents %" PRId64 " to %"
		    PRId64 " (from id %" PRId64 ")\t%s\n", p->chain_id,
		    p->seq, p->seq + p->count - 1, p->id,
		    audit_problem_text(p->kind));
		v->unsealed += p->count;
		return;
	}
	v->problems++;
	printf("problem\tchain %" PRId64 "\tevent %" PRId64, p->chain_id,
	    p->seq);
	if (p->id > 0)
		printf(" (id %" PRId64 ")", p->id);
	if (p->kind == AUDIT_MISSING && p->count > 0)
		printf("\t%" PRId64 " event(s) missing before it", p->count);
	if (p->kind == AUDIT_TRUNCATED)
		printf("\t%" PRId64 " event(s) missing at the end", p->count);
	printf("\t%s\n", audit_problem_text(p->kind));
}

static void
events_free(struct verify *v)
{
	size_t	 i;

	for (i = 0; i < v->nev; i++)
		free((void *)v->ev[i].at);	/* one block per event */
	v->nev = 0;
}

/* The chain read so far, with its seals, checked. */
static void
chain_done(struct verify *v, int64_t chain)
{
	size_t			 s0, s1;
	struct chain_info	*ci;

	for (s0 = v->next_seal; s0 < v->nseals &&
	    v->seals[s0].chain_id < chain; s0++) {
		/* Seals of chains without an event: checked alone. */
		size_t	 t = s0;
		while (t < v->nseals && v->seals[t].chain_id ==
		    v->seals[s0].chain_id)
			t++;
		if ((ci = chain_find(v, v->seals[s0].chain_id)) != NULL)
			ci->seen = 1;
		if (audit_chain_verify(v->c, NULL, 0, v->seals + s0, t - s0,
		    report, v) < 0)
			v->oom = 1;
		s0 = t - 1;
	}
	for (s1 = s0; s1 < v->nseals && v->seals[s1].chain_id == chain; s1++)
		;
	if ((ci = chain_find(v, chain)) != NULL)
		ci->seen = 1;
	else if (v->nev > 0) {
		v->problems++;
		printf("problem\tchain %" PRId64 "\tnot in lockbox.audit_chains: "
		    "added by hand\n", chain);
	}
	if ((v->nev > 0 || s1 > s0) && audit_chain_verify(v->c, v->ev, v->nev,
	    v->seals + s0, s1 - s0, report, v) < 0)
		v->oom = 1;
	v->next_seal = s1;
	events_free(v);
}

/* Copies an event, its strings in one block that starts with at. */
static int
event_copy(struct audit_event *dst, const struct audit_event *src)
{
	const char *const	*f[] = { &src->at, &src->request_id,
	    &src->action, &src->status, &src->api_key_id,
	    &src->api_key_prefix, &src->secret_id, &src->version,
	    &src->secret_ids, &src->remote_addr };
	const char		**t[] = { &dst->at, &dst->request_id,
	    &dst->action, &dst->status, &dst->api_key_id,
	    &dst->api_key_prefix, &dst->secret_id, &dst->version,
	    &dst->secret_ids, &dst->remote_addr };
	size_t			 i, n = 0, len;
	char			*block, *p;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		n += (*f[i] != NULL ? strlen(*f[i]) : 0) + 1;
	if ((block = malloc(n)) == NULL)
		return -1;
	*dst = *src;
	for (i = 0, p = block; i < sizeof(f) / sizeof(f[0]); i++) {
		if (*f[i] == NULL) {
			/* at is never NULL (NOT NULL): the block's start. */
			*t[i] = NULL;
			*p++ = '\0';
			continue;
		}
		len = strlen(*f[i]) + 1;
		memcpy(p, *f[i], len);
		*t[i] = p;
		p += len;
	}
	dst->at = block;
	return 0;
}

static int
take_event(void *arg, const struct audit_event *e)
{
	struct verify	*v = arg;
	void		*p;

	if (v->nev > 0 && e->chain_id != v->chain)
		chain_done(v, v->chain);
	v->chain = e->chain_id;
	if (v->events == 0 || strcmp(e->at, v->first_at) < 0)
		snprintf(v->first_at, sizeof(v->first_at), "%s", e->at);
	v->events++;
	if (v->nev == v->capev) {
		v->capev = v->capev ? 2 * v->capev : 1024;
		if ((p = realloc(v->ev, v->capev * sizeof(*v->ev))) == NULL)
			return -1;
		v->ev = p;
	}
	if (event_copy(&v->ev[v->nev], e) < 0)
		return -1;
	v->nev++;
	return 0;
}

static int
audit_verify(void)
{
	struct verify	 v;
	struct keyring	 ring;
	struct store	*s = NULL;
	enum lb_err	 e;
	size_t		 i;
	int		 rc = 1;

	memset(&v, 0, sizeof(v));
	if ((v.c = ctl_ring_open(&ring, 0)) == NULL)
		return 1;
	if ((s = ctl_db_open()) == NULL)
		goto out;
	if ((e = store_audit_read_begin(s)) != LB_OK ||
	    (e = store_audit_seals(s, add_seal, &v)) != LB_OK ||
	    (e = store_audit_chains(s, add_chain, &v)) != LB_OK ||
	    (e = store_audit_events(s, take_event, &v)) != LB_OK) {
		rc = ctl_db_fail(s, e);
		goto out;
	}
	if (v.oom) {
		fprintf(stderr, "lockboxctl: out of memory\n");
		goto out;
	}
	if (v.nev > 0)
		chain_done(&v, v.chain);
	/* The seals of chains after the last one with events. */
	chain_done(&v, INT64_MAX);
	/* Each chain's row links to the one opened before it: a chain
	 * removed whole, row and all, breaks the next one's link. A chain
	 * without an event or a seal was opened by a worker that served
	 * nothing before it was killed, or its rows were removed. */
	for (i = 0; i < v.nchains; i++) {
		if (!link_follows(v.c, &v.chains[i], i > 0 ? &v.chains[i - 1] :
		    NULL)) {
			v.problems++;
			printf("problem\tchain %" PRId64 "\tits row does not "
			    "follow chain %" PRId64 ": a chain was removed "
			    "between them, or a row altered\n", v.chains[i].id,
			    i > 0 ? v.chains[i - 1].id : 0);
		}
		if (!v.chains[i].seen)
			printf("note\tchain %" PRId64 "\tno event and no seal "
			    "(worker %s pid %s, opened %s): it served nothing, "
			    "or everything it wrote was removed\n",
			    v.chains[i].id, v.chains[i].host, v.chains[i].pid,
			    v.chains[i].started);
	}
	store_audit_tx_end(s, 1);
	printf("%ld event(s) in %zu chain(s): %ld problem(s), %ld event(s) "
	    "not sealed yet%s%s\n", v.events, v.nchains, v.problems,
	    v.unsealed, v.events > 0 ? "; complete from " : "",
	    v.events > 0 ? v.first_at : "");
	rc = v.problems > 0 || v.oom ? 1 : 0;
out:
	store_free(s);
	events_free(&v);
	free(v.ev);
	free(v.seals);
	free(v.chains);
	crypto_free(v.c);
	keyring_free(&ring);
	return rc;
}

/* ---- export --------------------------------------------------------- */

static int
audit_export(const char *since)
{
	struct store	*s;
	enum lb_err	 e;
	int		 rc;

	if ((s = ctl_db_open()) == NULL)
		return 1;
	if ((e = store_audit_read_begin(s)) != LB_OK ||
	    (e = store_audit_export(s, since, stdout)) != LB_OK)
		rc = ctl_db_fail(s, e);
	else {
		store_audit_tx_end(s, 1);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	store_free(s);
	return rc;
}

/* ---- purge ---------------------------------------------------------- */

/* Events a purge transaction takes of each chain: what it holds in
 * memory is bounded; the batches go on until none is left. */
#define PURGE_BATCH	10000

static int
audit_purge_cmd(const char *before)
{
	struct audit_purged	 r;
	struct keyring		 ring;
	struct crypto		*c;
	struct store		*s = NULL;
	enum lb_err		 e;
	long			 total = 0;
	size_t			 chains = 0;
	int			 rc = 1;

	if ((c = ctl_ring_open(&ring, 0)) == NULL)
		return 1;
	if ((s = ctl_db_open()) == NULL)
		goto out;
	do {
		if ((e = audit_purge(s, c, before, PURGE_BATCH, &r)) != LB_OK) {
			rc = ctl_db_fail(s, e);
			goto out;
		}
		total += r.events;
		/* Every chain it cuts is in the first batch. */
		if (chains == 0)
			chains = r.chains;
	} while (r.events > 0 && !r.busy && !r.broken);
	if (r.busy)
		fprintf(stderr, "lockboxctl: another purge is running: "
		    "%ld event(s) purged; try again\n", total);
	else if (r.broken)
		fprintf(stderr, "lockboxctl: the audit log fails its check "
		    "before %s: %ld event(s) purged, then none (run lockboxctl "
		    "audit verify)\n", before, total);
	else {
		printf("purged %ld event(s) before %s from %zu chain(s), each "
		    "sealed where it now starts\n", total, before, chains);
		rc = 0;
	}
out:
	store_free(s);
	crypto_free(c);
	keyring_free(&ring);
	return rc;
}

/* A time lockboxctl takes: RFC 3339, checked before the database sees it. */
static int
time_ok(const char *opt, const char *t)
{
	if (valid_rfc3339(t))
		return 1;
	fprintf(stderr, "lockboxctl: %s takes an RFC 3339 time, e.g. "
	    "2026-12-02T10:00:00Z\n", opt);
	return 0;
}

int
ctl_audit(int argc, char **argv)
{
	if (argc == 4 && (strcmp(argv[2], "--since") == 0 ||
	    strcmp(argv[2], "--before") == 0) && !time_ok(argv[2], argv[3]))
		return 2;
	if (argc == 2 && strcmp(argv[1], "verify") == 0)
		return audit_verify();
	if (argc == 2 && strcmp(argv[1], "export") == 0)
		return audit_export(NULL);
	if (argc == 4 && strcmp(argv[1], "export") == 0 &&
	    strcmp(argv[2], "--since") == 0)
		return audit_export(argv[3]);
	if (argc == 4 && strcmp(argv[1], "purge") == 0 &&
	    strcmp(argv[2], "--before") == 0)
		return audit_purge_cmd(argv[3]);
	ctl_usage(stderr);
	return 2;
}
