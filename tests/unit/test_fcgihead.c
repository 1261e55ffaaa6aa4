#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fcgihead.h"

/*
 * A case is the bytes queued on a connection, written as records:
 *   TYPE ID [:LEN] [+PAD] [/HAVE | ~HDR] [!]
 * TYPE: B BEGIN_REQUEST (LEN 8 unless given), P PARAMS, S STDIN,
 * G GET_VALUES, O STDOUT, U type 200; LEN content bytes, PAD padding;
 * /HAVE: only HAVE content bytes of it are queued (so far), ~HDR: only HDR
 * bytes of its header; !: record version 2.
 */
struct head_case {
	char	 spec[96];
	int	 want;
};

static size_t
build(const char *spec, unsigned char *out, size_t cap)
{
	const char	*s = spec;
	char		*end;
	size_t		 n = 0, len, pad, have, hdr;
	int		 type, id;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		switch (*s++) {
		case 'B': type = 1; break;
		case 'P': type = 4; break;
		case 'S': type = 5; break;
		case 'O': type = 6; break;
		case 'G': type = 9; break;
		case 'U': type = 200; break;
		default: cr_assert_fail("bad spec %s", spec);
		}
		id = (int)strtol(s, &end, 10);
		s = end;
		len = type == 1 ? 8 : 0;
		pad = 0;
		if (*s == ':')
			len = strtoul(s + 1, &end, 10), s = end;
		if (*s == '+')
			pad = strtoul(s + 1, &end, 10), s = end;
		have = len + pad;
		hdr = 8;
		if (*s == '/')
			have = strtoul(s + 1, &end, 10), s = end;
		if (*s == '~')
			hdr = strtoul(s + 1, &end, 10), have = 0, s = end;
		cr_assert_leq(n + 8 + len + pad, cap);
		out[n] = *s == '!' ? 2 : 1;
		if (*s == '!')
			s++;
		out[n + 1] = (unsigned char)type;
		out[n + 2] = (unsigned char)(id >> 8);
		out[n + 3] = (unsigned char)id;
		out[n + 4] = (unsigned char)(len >> 8);
		out[n + 5] = (unsigned char)len;
		out[n + 6] = (unsigned char)pad;
		out[n + 7] = 0;
		memset(out + n + 8, type == 1 ? 0 : 'x', len + pad);
		if (type == 1 && len >= 2)
			out[n + 9] = 1;	/* FCGI_RESPONDER */
		n += hdr + have;
		if (hdr < 8 || have < len + pad)
			break;		/* the rest has not come yet */
	}
	return n;
}

ParameterizedTestParameters(fcgihead, scan)
{
	static struct head_case cases[] = {
		/* A whole request, and every way of it not being there yet. */
		{ "", FCGIHEAD_PARTIAL },
		{ "B1~7", FCGIHEAD_PARTIAL },
		{ "B1/4", FCGIHEAD_PARTIAL },
		{ "B1", FCGIHEAD_PARTIAL },
		{ "B1 P1:300/150", FCGIHEAD_PARTIAL },
		{ "B1 P1:300", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1~3", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1 S1", FCGIHEAD_READY },
		{ "B1 P1:65535 P1:700 P1 S1", FCGIHEAD_READY },
		/* Padding belongs to its record. */
		{ "B1+8 P1:300+4 P1 S1", FCGIHEAD_READY },
		{ "B1 P1:300+4/302", FCGIHEAD_PARTIAL },
		/* A body: its end, or enough of it. */
		{ "B1 P1:300 P1 S1:100", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1 S1:100 S1", FCGIHEAD_READY },
		{ "B1 P1:300 P1 S1:32767", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1 S1:32768", FCGIHEAD_READY },
		{ "B1 P1:300 P1 S1:65535/32768", FCGIHEAD_READY },
		{ "B1 P1:300 P1 S1:65535/32767", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1 S1:16384 S1:16384/16383", FCGIHEAD_PARTIAL },
		{ "B1 P1:300 P1 S1:16384 S1:16384/16384", FCGIHEAD_READY },
		/* Records of another request id are skipped, as libfcgi does. */
		{ "B1 P2:300 P2 S2", FCGIHEAD_PARTIAL },
		{ "B1 P2 P1:300 P1 S2 S1", FCGIHEAD_READY },
		{ "B1 P1:300 P1 S2:40000/40000", FCGIHEAD_PARTIAL },
		{ "B1 B2 P2 P1:300 P1 S1", FCGIHEAD_READY },
		{ "U1:4 B1 P1 S1", FCGIHEAD_READY },
		{ "P1:300 P1 B1 P1", FCGIHEAD_PARTIAL },
		/* Refused at once by libfcgi: nothing to wait for. */
		{ "B1!", FCGIHEAD_READY },
		{ "B1 P1:300/10!", FCGIHEAD_READY },
		{ "B0", FCGIHEAD_READY },
		{ "B1:2/0", FCGIHEAD_READY },
		{ "B1 S1:10", FCGIHEAD_READY },
		{ "B1 P1 O1:10", FCGIHEAD_READY },
		/* Management records: answered; alone, the peer may be
		 * waiting for the answer before it sends the request. */
		{ "G0:20", FCGIHEAD_MGMT },
		{ "G0:20/10", FCGIHEAD_PARTIAL },
		{ "G0:20 G0:20", FCGIHEAD_MGMT },
		{ "G0:20 B1", FCGIHEAD_PARTIAL },
		{ "G0:20 B1 P1 S1", FCGIHEAD_READY },
		{ "B1 G0:20 P1", FCGIHEAD_PARTIAL },
		{ "B1 G0:20 P1 G0:8 S1", FCGIHEAD_READY },
	};

	return cr_make_param_array(struct head_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct head_case *c, fcgihead, scan)
{
	static unsigned char	 buf[256 * 1024];
	size_t			 n = build(c->spec, buf, sizeof(buf));

	cr_expect_eq(fcgihead_scan(buf, n), c->want, "\"%s\": got %d, want %d",
	    c->spec, fcgihead_scan(buf, n), c->want);
}

/* Whatever the bytes, the scan stays inside them: every prefix of a
 * request, and of random bytes, in an allocation of exactly that size
 * (ASan sees an overrun). */
Test(fcgihead, stays_inside_the_bytes)
{
	static unsigned char	 req[1024];
	unsigned char		*p;
	size_t			 n, i, k;

	n = build("B1+8 P1:300+4 P1 G0:20 S1:100+3 S1", req, sizeof(req));
	srand(7);
	for (k = 0; k < 2; k++) {
		for (i = 0; i <= n; i++) {
			cr_assert_not_null(p = malloc(i ? i : 1));
			memcpy(p, req, i);
			(void)fcgihead_scan(p, i);
			free(p);
		}
		for (i = 0; i < n; i++)
			req[i] = (unsigned char)rand();
	}
}
