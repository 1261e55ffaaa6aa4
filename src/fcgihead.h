/* Whether a FastCGI request's head has arrived, judged from the bytes
 * queued on a connection (peeked, not read): libfcgi reads a request's
 * records with blocking reads, so a worker hands it a connection only
 * once those reads will not wait for the peer, and meanwhile serves its
 * other connections. */
#ifndef LOCKBOX_FCGIHEAD_H
#define LOCKBOX_FCGIHEAD_H

#include <stddef.h>

/* Body bytes that, once queued, let a request go ahead before its body
 * has ended: web servers send a body at once, and a large one cannot be
 * queued whole (the socket's buffer holds a few hundred KiB). */
#define FCGIHEAD_BODY_ENOUGH	(32 * 1024)

enum fcgihead {
	FCGIHEAD_PARTIAL,	/* libfcgi would wait for more bytes */
	FCGIHEAD_READY,		/* the head is there: BEGIN_REQUEST, the params
				 * and their end, and the body's end or
				 * FCGIHEAD_BODY_ENOUGH of it; or something
				 * libfcgi refuses at once */
	FCGIHEAD_MGMT		/* a management record (FCGI_GET_VALUES...),
				 * then nothing: libfcgi answers it, then waits
				 * for the request, which the peer may send only
				 * once it has the answer */
};

/* Reads the records at the start of p[0..n) as libfcgi's FCGX_Accept_r
 * and stdin reads would: records of other request ids are skipped, a
 * second BEGIN_REQUEST too, management records (request id 0) are
 * answered. p is the start of a request: a new connection, or a kept one
 * between requests. */
enum fcgihead	fcgihead_scan(const unsigned char *p, size_t n);

#endif
