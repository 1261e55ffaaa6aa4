#include "autoconfig.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "audit.h"
#include "audit_purge.h"
#include "clock.h"
#include "hex.h"
#include "http.h"
#include "log.h"

/* The API's form of now + offset seconds, as lockbox.api_time() writes
 * it. */
static void
time_text(char *out, size_t n, long offset)
{
	struct timeval	 tv;
	struct tm	 tm;
	time_t		 t;

	gettimeofday(&tv, NULL);
	t = tv.tv_sec + offset;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
}

/* ---- the chain ------------------------------------------------------ */

static int
chain_start(struct audit *a, int64_t id)
{
	a->key_id = crypto_active_key(a->crypto);
	if (audit_chain_start(a->crypto, a->key_id, id, a->mac) < 0) {
		log_msg(LOG_LVL_ERROR, "audit: cannot start a chain");
		return -1;
	}
	a->chain_id = id;
	a->seq = 0;
	a->sealed = -1;
	a->next_seal_ms = clock_ms() + AUDIT_SEAL_MS;
	return 0;
}

/* A chain, and a spare to go on with at once when a statement is lost
 * (its number taken beforehand: a lost connection is no time to ask). */
static int
chains_ready(struct audit *a)
{
	struct audit_link	 l;
	unsigned char		 link[AUDIT_MAC_LEN];
	int64_t			 ids[2] = { 0, 0 }, prev;
	int			 n = (a->chain_id == 0) + (a->spare == 0), i;
	enum lb_err		 e;

	if (n == 0)
		return 0;
	/* Each new chain links to the newest one, whoever opened it. */
	if ((e = store_audit_chain_last(a->db, &prev, link)) == LB_OK)
		for (i = 0; i < n && e == LB_OK; i++) {
			memset(&l, 0, sizeof(l));
			l.prev_id = prev;
			l.prev_link = prev > 0 ? link : NULL;
			l.host = a->host;
			l.pid = a->pid;
			l.key_id = crypto_active_key(a->crypto);
			if (audit_link_make(a->crypto, &l, link) < 0)
				e = LB_ERR_INTERNAL;
			else
				e = store_audit_chain_open(a->db, a->host,
				    a->pid, prev, link, l.key_id, &ids[i]);
			prev = ids[i];
		}
	if (store_audit_tx_end(a->db, e == LB_OK) != LB_OK || e != LB_OK)
		return -1;
	i = 0;
	if (a->chain_id == 0 && chain_start(a, ids[i++]) < 0)
		return -1;
	if (a->spare == 0 && i < n)
		a->spare = ids[i];
	return 0;
}

static void
seal(struct audit *a, enum audit_seal_kind kind)
{
	struct audit_seal	 s;

	memset(&s, 0, sizeof(s));
	s.chain_id = a->chain_id;
	s.seq = a->seq;
	s.kind = kind;
	s.mac_key_id = a->key_id;
	memcpy(s.mac, a->mac, sizeof(s.mac));
	if (audit_seal_make(a->crypto, &s) < 0 ||
	    store_audit_seal(a->db, &s) != LB_OK)
		return;	/* the next tick tries again */
	a->sealed = a->seq;
}

/* The events past the retention, a batch per chain. */
static void
retain(struct audit *a)
{
	struct audit_purged	 r;
	char			 before[64];

	a->next_retain_ms = clock_ms() + AUDIT_RETAIN_MS;
	time_text(before, sizeof(before), -a->retention);
	if (audit_purge(a->db, a->crypto, before, AUDIT_RETAIN_BATCH, &r) !=
	    LB_OK)
		return;
	if (r.broken)
		log_msg(LOG_LVL_ERROR, "audit: events before %s fail their "
		    "check: none purged (run lockboxctl audit verify)", before);
	else if (r.events > 0)
		log_msg(LOG_LVL_INFO, "audit: purged %ld event(s) before %s "
		    "(audit_retention)", r.events, before);
}

void
audit_tick(struct audit *a)
{
	if (!a->on || !store_connected(a->db))
		return;
	if (a->retention > 0 && clock_ms() >= a->next_retain_ms)
		retain(a);
	if (a->chain_id == 0 || a->seq == a->sealed ||
	    clock_ms() < a->next_seal_ms)
		return;
	a->next_seal_ms = clock_ms() + AUDIT_SEAL_MS;
	seal(a, AUDIT_SEAL_TICK);
}

void
audit_close(struct audit *a)
{
	if (!a->on)
		return;
	if (a->chain_id != 0)
		seal(a, AUDIT_SEAL_CLOSE);
	/* The spare, never used, closed at its start. */
	if (a->spare != 0 && chain_start(a, a->spare) == 0)
		seal(a, AUDIT_SEAL_CLOSE);
}

/* ---- the store's hooks ---------------------------------------------- */

/* An element of the text[] literal: each field was checked to hold none
 * of the characters an array literal quotes. */
static void
put_elem(struct buf *b, const char *s, int first)
{
	if (!first)
		buf_putc(b, ',');
	if (s == NULL || s[0] == '\0') {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	buf_puts(b, s);
	buf_putc(b, '"');
}

static const char *
hook_event(void *arg)
{
	struct audit	*a = arg;
	char		 num[2][24], hex[2 * AUDIT_MAC_LEN + 1], key[16];
	struct buf	*b = &a->param;

	if (!a->due)
		return NULL;
	/* An event due and no chain to put it in: the statement must fail
	 * (lockbox.audit_put refuses it) rather than run without it. */
	if (a->chain_id == 0)
		return "{}";
	snprintf(num[0], sizeof(num[0]), "%" PRId64, a->chain_id);
	snprintf(num[1], sizeof(num[1]), "%" PRId64, a->seq + 1);
	hex_encode(hex, a->mac, sizeof(a->mac));
	snprintf(key, sizeof(key), "%d", a->key_id);
	buf_reset(b);
	buf_putc(b, '{');
	put_elem(b, a->at, 1);
	put_elem(b, a->request_id, 0);
	put_elem(b, a->action, 0);
	put_elem(b, a->prefix, 0);
	put_elem(b, a->secret_id, 0);
	put_elem(b, a->remote_addr, 0);
	put_elem(b, num[0], 0);
	put_elem(b, num[1], 0);
	put_elem(b, hex, 0);
	put_elem(b, key, 0);
	put_elem(b, a->held, 0);
	put_elem(b, a->async ? "async" : NULL, 0);
	put_elem(b, a->key_id_s, 0);
	buf_putc(b, '}');
	buf_putc(b, '\0');
	return b->oom ? NULL : b->data;
}

/* The outcome a statement stored, "status|api_key_id|secret_id|version|
 * secret_ids", into its fields (empty: NULL). */
static int
split_outcome(char *s, char *f[5])
{
	int	 i;

	for (i = 0; i < 5; i++) {
		f[i] = s;
		if ((s = strchr(s, '|')) != NULL)
			*s++ = '\0';
		else if (i < 4)
			return -1;
		if (f[i][0] == '\0')
			f[i] = NULL;
		if (s == NULL)
			break;
	}
	return i == 4 && s == NULL ? 0 : -1;
}

static void
hook_stored(void *arg, const char *outcome)
{
	struct audit		*a = arg;
	struct audit_event	 e;
	char			 copy[4096], *f[5];

	if (!a->due || a->chain_id == 0)
		return;
	a->due = 0;
	if (strlen(outcome) >= sizeof(copy) - 1) {
		/* A page of secret_ids is at most 100 ids: this is no
		 * outcome of ours. The chain cannot go on from it. */
		log_msg(LOG_LVL_ERROR, "audit: an outcome too long");
		a->chain_id = 0;
		return;
	}
	memcpy(copy, outcome, strlen(outcome) + 1);
	if (split_outcome(copy, f) < 0 || f[0] == NULL) {
		log_msg(LOG_LVL_ERROR, "audit: an outcome not understood");
		a->chain_id = 0;
		return;
	}
	memset(&e, 0, sizeof(e));
	e.chain_id = a->chain_id;
	e.seq = a->seq + 1;
	e.at = a->at;
	e.request_id = a->request_id;
	e.action = a->action;
	e.status = f[0];
	e.api_key_id = f[1];
	e.api_key_prefix = a->prefix[0] ? a->prefix : NULL;
	e.secret_id = f[2];
	e.version = f[3];
	e.secret_ids = f[4];
	e.remote_addr = a->remote_addr[0] ? a->remote_addr : NULL;
	e.mac_key_id = a->key_id;
	memcpy(e.prev_mac, a->mac, sizeof(e.prev_mac));
	if (audit_event_mac(a->crypto, &e, a->mac) < 0) {
		log_msg(LOG_LVL_ERROR, "audit: cannot MAC an event");
		a->chain_id = 0;
		return;
	}
	a->seq++;
	a->status = (int)strtol(f[0], NULL, 10);
}

static void
hook_lost(void *arg)
{
	struct audit	*a = arg;

	/* Whether the event is stored is unknown: the chain cannot go on
	 * past it. The spare takes over, and the event is due in it. */
	if (a->chain_id == 0)
		return;
	log_msg(LOG_LVL_WARN, "audit: chain %" PRId64 " ends at event %"
	    PRId64 " or the one after it: a statement was lost",
	    a->chain_id, a->seq);
	a->chain_id = 0;
	if (a->spare != 0 && chain_start(a, a->spare) == 0)
		a->spare = 0;
}

/* ---- requests ------------------------------------------------------- */

void
audit_init(struct audit *a, struct store *db, struct crypto *c, int on,
    int async_reads, long retention, const char *host, int pid)
{
	uint32_t	 r;

	memset(a, 0, sizeof(*a));
	a->db = db;
	a->crypto = c;
	a->on = on;
	a->async_reads = async_reads;
	a->retention = retention;
	/* Workers started together would all try at once. */
	crypto_random(&r, sizeof(r));
	a->next_retain_ms = clock_ms() + 1000 + r % 4000;
	a->host = host;
	a->pid = pid;
	a->sealed = -1;
	a->hooks.event = hook_event;
	a->hooks.stored = hook_stored;
	a->hooks.lost = hook_lost;
	a->hooks.arg = a;
	store_audit_hooks(db, &a->hooks);
}

void
audit_free(struct audit *a)
{
	buf_free(&a->param);
}

/* An address as the table takes it (sql/008_audit.sql), or "". */
static void
addr_copy(char *out, size_t n, const char *s)
{
	unsigned char	 bin[16];

	out[0] = '\0';
	if (s == NULL || strlen(s) >= n || strlen(s) < 2 ||
	    strspn(s, "0123456789abcdefABCDEF.:") != strlen(s))
		return;
	if (inet_pton(AF_INET, s, bin) != 1 && inet_pton(AF_INET6, s, bin) != 1)
		return;
	memcpy(out, s, strlen(s) + 1);
}

int
audit_begin(struct audit *a, const struct http_request *req,
    const char *action)
{
	a->due = 0;
	a->status = 0;
	a->async = 0;
	a->secret_id[0] = a->held[0] = a->key_id_s[0] = a->prefix[0] = '\0';
	if (!a->on)
		return 0;
	time_text(a->at, sizeof(a->at), 0);
	snprintf(a->request_id, sizeof(a->request_id), "%s", req->request_id);
	a->action = action;
	if (req->key_shape > 0)
		snprintf(a->prefix, sizeof(a->prefix), "%s", req->key_prefix);
	addr_copy(a->remote_addr, sizeof(a->remote_addr), req->remote_addr);
	a->due = 1;
	return chains_ready(a);
}

void
audit_action(struct audit *a, const char *action)
{
	a->action = action;
}

void
audit_secret(struct audit *a, int64_t id)
{
	snprintf(a->secret_id, sizeof(a->secret_id), "%" PRId64, id);
}

void
audit_held(struct audit *a, int status)
{
	snprintf(a->held, sizeof(a->held), "%d", status);
}

void
audit_key(struct audit *a, int64_t api_key_id)
{
	snprintf(a->key_id_s, sizeof(a->key_id_s), "%" PRId64, api_key_id);
}

void
audit_async(struct audit *a, int reads_only)
{
	a->async = a->async_reads && reads_only;
}

int
audit_stored_status(const struct audit *a)
{
	return a->status;
}

void
audit_settled(struct audit *a)
{
	a->due = 0;
}

enum lb_err
audit_end(struct audit *a, int status, int64_t api_key_id)
{
	enum lb_err	 e;

	if (!a->due)
		return LB_OK;
	if (chains_ready(a) < 0)
		return LB_ERR_DATABASE_UNAVAILABLE;
	if ((e = store_audit_event(a->db, status, api_key_id)) != LB_OK)
		return e;
	/* The statement ran: its hook took the outcome. */
	return a->due ? LB_ERR_INTERNAL : LB_OK;
}
