#include "autoconfig.h"

#include "fcgihead.h"

/* fastcgi.h's values, spelled out so that this file needs no libfcgi. */
#define FCGI_HEADER_LEN		8
#define FCGI_VERSION_1		1
#define FCGI_BEGIN_REQUEST	1
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_BEGIN_BODY_LEN	8

enum phase { BEFORE_BEGIN, IN_PARAMS, IN_STDIN };

enum fcgihead
fcgihead_scan(const unsigned char *p, size_t n)
{
	const unsigned char	*h;
	enum phase		 phase = BEFORE_BEGIN;
	size_t			 off = 0, clen, rest, body = 0;
	unsigned		 id = 0, rid;
	int			 type;

	while (n - off >= FCGI_HEADER_LEN) {
		h = p + off;
		type = h[1];
		rid = (unsigned)h[2] << 8 | h[3];
		clen = (size_t)h[4] << 8 | h[5];
		rest = n - off - FCGI_HEADER_LEN;
		/* What libfcgi refuses on the header alone, it refuses
		 * without reading further: nothing to wait for. */
		if (h[0] != FCGI_VERSION_1)
			return FCGIHEAD_READY;
		if (phase == BEFORE_BEGIN && type == FCGI_BEGIN_REQUEST &&
		    (rid == 0 || clen != FCGI_BEGIN_BODY_LEN))
			return FCGIHEAD_READY;
		/* Body bytes count as they arrive, whole records or not. */
		if (phase == IN_STDIN && rid == id && type == FCGI_STDIN) {
			if (clen == 0)
				return FCGIHEAD_READY;
			body += clen < rest ? clen : rest;
			if (body >= FCGIHEAD_BODY_ENOUGH)
				return FCGIHEAD_READY;
		}
		if (rest < clen + h[6])
			return FCGIHEAD_PARTIAL;
		off += FCGI_HEADER_LEN + clen + h[6];
		if (type == FCGI_BEGIN_REQUEST) {
			/* A second one is refused (FCGI_CANT_MPX_CONN) and
			 * skipped. */
			if (phase == BEFORE_BEGIN) {
				id = rid;
				phase = IN_PARAMS;
			}
		} else if (rid == 0) {
			if (phase == BEFORE_BEGIN && off == n)
				return FCGIHEAD_MGMT;
		} else if (phase == BEFORE_BEGIN || rid != id) {
			;	/* skipped, or refused when libfcgi gets there */
		} else if (phase == IN_PARAMS) {
			if (type != FCGI_PARAMS)
				return FCGIHEAD_READY;	/* refused */
			if (clen == 0)
				phase = IN_STDIN;
		} else if (type != FCGI_STDIN)
			return FCGIHEAD_READY;		/* refused */
	}
	return FCGIHEAD_PARTIAL;
}
