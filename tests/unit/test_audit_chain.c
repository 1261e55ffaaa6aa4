#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "audit_chain.h"
#include "keyring.h"

#define K1 "key 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define K2 "key 2 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n"
#define N 6

static struct keyring	 ring;
static struct crypto	*c;
static struct audit_event ev[N + 1];
static char		 sid[N + 1][24], at[N + 1][40];
static struct audit_problem got[64];
static int		 ngot;

static void
collect(void *arg, const struct audit_problem *p)
{
	(void)arg;
	if (ngot < 64)
		got[ngot++] = *p;
}

/* A chain of N events as a worker would write them: each carries the MAC
 * of the one before. */
static void
setup(void)
{
	const char	*t = K1 K2 "active 2\n";
	char		 err[128];
	int		 i;

	crypto_init();
	cr_assert_eq(keyring_parse(&ring, t, strlen(t), err, sizeof(err)), 0);
	c = crypto_new(&ring);
	cr_assert_not_null(c);
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < N; i++) {
		snprintf(sid[i], sizeof(sid[i]), "%d", 40 + i);
		snprintf(at[i], sizeof(at[i]), "2026-12-03T10:00:0%d.000001Z", i);
		ev[i].id = 100 + i;
		ev[i].chain_id = 7;
		ev[i].seq = i + 1;
		ev[i].at = at[i];
		ev[i].request_id = "req";
		ev[i].action = i % 2 ? "secret.read" : "secret.update";
		ev[i].status = "200";
		ev[i].api_key_id = "3";
		ev[i].api_key_prefix = "lbk_abcdefgh";
		ev[i].secret_id = sid[i];
		ev[i].version = i == 2 ? NULL : "1";
		ev[i].remote_addr = "192.0.2.10";
		ev[i].mac_key_id = 2;
		if (i == 0)
			cr_assert_eq(audit_chain_start(c, 2, 7, ev[i].prev_mac), 0);
		else
			cr_assert_eq(audit_event_mac(c, &ev[i - 1],
			    ev[i].prev_mac), 0);
	}
	ngot = 0;
}

static void
teardown(void)
{
	crypto_free(c);
	keyring_free(&ring);
}

static struct audit_seal
seal_at(int64_t seq, enum audit_seal_kind kind)
{
	struct audit_seal	 s = { .chain_id = 7, .seq = seq, .kind = kind,
	    .mac_key_id = 2 };

	cr_assert_eq(audit_event_mac(c, &ev[seq - 1], s.mac), 0);
	cr_assert_eq(audit_seal_make(c, &s), 0);
	return s;
}

static long
verify(const struct audit_event *e, size_t n, const struct audit_seal *s,
    size_t ns)
{
	ngot = 0;
	return audit_chain_verify(c, e, n, s, ns, collect, NULL);
}

TestSuite(audit_chain, .init = setup, .fini = teardown);

Test(audit_chain, an_intact_closed_chain_verifies)
{
	struct audit_seal	 s[2] = { seal_at(3, AUDIT_SEAL_TICK),
	    seal_at(N, AUDIT_SEAL_CLOSE) };

	cr_assert_eq(verify(ev, N, s, 2), 0);
}

Test(audit_chain, an_altered_field_names_the_event)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);

	ev[2].status = "404";
	cr_assert_eq(verify(ev, N, &s, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_BROKEN);
	cr_assert_eq(got[0].seq, 4, "the next event no longer follows");
	cr_assert_eq(got[0].id, 103);
}

Test(audit_chain, a_null_made_a_value_is_an_alteration)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);

	ev[2].version = "";
	cr_assert_eq(verify(ev, N, &s, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_BROKEN);
}

Test(audit_chain, the_last_event_altered_breaks_its_seal)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);

	ev[N - 1].secret_id = "1";
	cr_assert_eq(verify(ev, N, &s, 1), 2);
	cr_assert_eq(got[0].kind, AUDIT_SEAL_MISMATCH);
	cr_assert_eq(got[0].seq, N);
	/* No seal holds for it now: the chain's end is unsealed. */
	cr_assert_eq(got[1].kind, AUDIT_UNSEALED);
}

Test(audit_chain, an_event_removed_from_the_middle)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);
	struct audit_event	 e[N - 1];

	memcpy(e, ev, 2 * sizeof(*e));
	memcpy(e + 2, ev + 3, (N - 3) * sizeof(*e));
	cr_assert_eq(verify(e, N - 1, &s, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_MISSING);
	cr_assert_eq(got[0].seq, 4);
	cr_assert_eq(got[0].count, 1);
}

Test(audit_chain, the_newest_events_removed)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);

	cr_assert_eq(verify(ev, N - 2, &s, 1), 2);
	cr_assert_eq(got[0].kind, AUDIT_TRUNCATED);
	cr_assert_eq(got[0].seq, N);
	cr_assert_eq(got[0].count, 2);
	cr_assert_eq(got[1].kind, AUDIT_UNSEALED);
}

Test(audit_chain, every_event_of_a_chain_removed)
{
	struct audit_seal	 s = seal_at(3, AUDIT_SEAL_TICK);

	cr_assert_eq(verify(NULL, 0, &s, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_TRUNCATED);
	cr_assert_eq(got[0].chain_id, 7);
}

Test(audit_chain, a_forged_event_appended)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);

	ev[N] = ev[N - 1];
	ev[N].seq = N + 1;
	ev[N].id = 200;
	memset(ev[N].prev_mac, 0x5a, AUDIT_MAC_LEN);
	cr_assert_eq(verify(ev, N + 1, &s, 1), 2);
	cr_assert_eq(got[0].kind, AUDIT_BROKEN);
	cr_assert_eq(got[0].id, 200);
	cr_assert_eq(got[1].kind, AUDIT_UNSEALED);
}

Test(audit_chain, a_forged_copy_that_takes_a_number)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);
	struct audit_event	 e[N];

	/* Event 3 replaced by a copy of event 2 with 2's own prev_mac. */
	memcpy(e, ev, sizeof(e));
	e[2] = ev[1];
	e[2].seq = 3;
	cr_assert_geq(verify(e, N, &s, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_BROKEN);
	cr_assert_eq(got[0].seq, 3);
}

Test(audit_chain, two_events_reordered)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);
	struct audit_event	 e[N];

	/* Their contents swapped, as an UPDATE of every column but seq
	 * would: the reader sorts by seq. */
	memcpy(e, ev, sizeof(e));
	e[1] = ev[2];
	e[1].seq = 2;
	e[2] = ev[1];
	e[2].seq = 3;
	cr_assert_geq(verify(e, N, &s, 1), 2);
	cr_assert_eq(got[0].kind, AUDIT_BROKEN);
	cr_assert_eq(got[0].seq, 2);
}

Test(audit_chain, the_first_event_forged)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);

	ev[0].prev_mac[0] ^= 1;
	cr_assert_eq(verify(ev, N, &s, 1), 2);
	cr_assert_eq(got[0].kind, AUDIT_BAD_START);
	cr_assert_eq(got[0].seq, 1);
	/* Its MAC binds the field: the next event no longer follows. */
	cr_assert_eq(got[1].kind, AUDIT_BROKEN);
	cr_assert_eq(got[1].seq, 2);
}

Test(audit_chain, a_forged_seal)
{
	struct audit_seal	 s[2] = { seal_at(N, AUDIT_SEAL_CLOSE),
	    seal_at(N, AUDIT_SEAL_TICK) };

	s[1].seq = N + 3;	/* claims events that never were */
	cr_assert_eq(verify(ev, N, s, 2), 1);
	cr_assert_eq(got[0].kind, AUDIT_BAD_SEAL);
	cr_assert_eq(got[0].seq, N + 3);
}

Test(audit_chain, a_purge_leaves_a_chain_that_verifies)
{
	struct audit_seal	 s[2] = { seal_at(3, AUDIT_SEAL_PURGE),
	    seal_at(N, AUDIT_SEAL_CLOSE) };

	cr_assert_eq(verify(ev + 3, N - 3, s, 2), 0);
	/* Without the purge's seal, the same events miss their start. */
	cr_assert_eq(verify(ev + 3, N - 3, s + 1, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_MISSING);
	cr_assert_eq(got[0].seq, 4);
}

Test(audit_chain, an_unsealed_tail_is_counted)
{
	struct audit_seal	 s = seal_at(2, AUDIT_SEAL_TICK);

	cr_assert_eq(verify(ev, N, &s, 1), 1);
	cr_assert_eq(got[0].kind, AUDIT_UNSEALED);
	cr_assert_eq(got[0].seq, 3, "the first event after the seal");
	cr_assert_eq(got[0].count, N - 2);
	cr_assert_eq(got[0].id, 102);
}

Test(audit_chain, chains_apart_and_a_key_the_ring_lacks)
{
	struct audit_seal	 s = seal_at(N, AUDIT_SEAL_CLOSE);
	struct audit_event	 e[N + 1];

	/* A second chain of one event, under a key the ring lacks. */
	memcpy(e, ev, N * sizeof(*e));
	e[N] = ev[0];
	e[N].chain_id = 9;
	e[N].mac_key_id = 5;
	cr_assert_eq(verify(e, N + 1, &s, 1), 2);
	cr_assert_eq(got[0].kind, AUDIT_NO_KEY);
	cr_assert_eq(got[0].chain_id, 9);
	/* Nothing seals it either; chain 7 is untouched by it. */
	cr_assert_eq(got[1].kind, AUDIT_UNSEALED);
	cr_assert_eq(got[1].chain_id, 9);
	cr_assert_str_neq(audit_problem_text(AUDIT_NO_KEY), "unknown problem");
}
