#include <criterion/criterion.h>
#include <fcgiapp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcgiwipe.h"

static size_t
record(unsigned char *p, int type, const void *content, size_t len)
{
	unsigned char	 h[8] = { 1, (unsigned char)type, 0, 1,
			    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	memcpy(p, h, 8);
	if (len > 0)
		memcpy(p + 8, content, len);
	return 8 + len;
}

/* The libfcgi this is built with has the stream layout fcgiwipe knows:
 * its buffers are wiped, not merely its params (a libfcgi whose layout
 * moved fails here, not silently in production). And the request still
 * ends as FCGX_Finish_r ends it: the whole answer, then the end. */
Test(fcgiwipe, wipes_libfcgis_buffers_and_the_answer_arrives)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	static const char	 params[] = "\016\031HTTP_X_API_KEY"
				    "lbk_not_a_real_key_at_all";
	unsigned char		 req[512], got[512];
	char			 body[8] = "";
	FCGX_Request		 r;
	size_t			 n = 0, have = 0;
	ssize_t			 k;
	int			 sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	n += record(req + n, 1, begin, sizeof(begin));
	n += record(req + n, 4, params, sizeof(params) - 1);
	n += record(req + n, 4, NULL, 0);
	n += record(req + n, 5, "{\"v\":1}", 7);
	n += record(req + n, 5, NULL, 0);
	cr_assert_eq(write(sv[1], req, n), (ssize_t)n);
	cr_assert_eq(FCGX_Init(), 0);
	cr_assert_eq(FCGX_InitRequest(&r, -1, 0), 0);
	r.ipcFd = sv[0];
	r.keepConnection = 1;	/* as conns.c hands it a connection */
	cr_assert_eq(FCGX_Accept_r(&r), 0);
	cr_expect_str_eq(FCGX_GetParam("HTTP_X_API_KEY", r.envp),
	    "lbk_not_a_real_key_at_all");
	cr_assert_eq(FCGX_GetStr(body, 7, r.in), 7);
	cr_expect_str_eq(body, "{\"v\":1}");
	cr_assert_eq(FCGX_PutS("Status: 200\r\n\r\nthe answer", r.out), 25);
	FCGX_Detach(&r);	/* no lingering close: as conns.c does */
	cr_expect_eq(fcgiwipe_finish(&r), 1);
	cr_expect_eq(r.ipcFd, -1, "the request did not keep the connection");
	while (have < sizeof(got) &&
	    (k = read(sv[1], got + have, sizeof(got) - have)) > 0)
		have += (size_t)k;
	/* STDOUT "Status: 200...the answer" (25 bytes, 7 of padding), the
	 * empty STDOUT, END_REQUEST. */
	cr_assert_eq(have, 8 + 32 + 8 + 16);
	cr_expect_eq(got[1], 6);
	cr_expect_eq(memcmp(got + 8, "Status: 200\r\n\r\nthe answer", 25), 0);
	cr_expect_eq(got[40 + 1], 6);
	cr_expect_eq(got[48 + 1], 3);
	close(sv[1]);
}
