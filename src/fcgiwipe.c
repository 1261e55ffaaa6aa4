#include "autoconfig.h"

#include <string.h>

#include "buf.h"
#include "fcgiwipe.h"
#include "log.h"

/* How a stream's private state begins in libfcgi 2.4 (fcgiapp.c, struct
 * FCGX_Stream_Data: the buffer, then its length). Read only through
 * stream_buffer, which checks it against the public fields first. */
struct stream_state {
	unsigned char	*buff;
	int		 bufflen;
};

/* libfcgi's largest stream buffer: FCGI_MAX_LENGTH + 1, aligned. */
#define STREAM_BUFFER_MAX	(65536 + 8)

/* The buffer of stream s, or NULL when the layout does not check out. A
 * writer's free space ends exactly where its buffer does (stop == buff +
 * bufflen, from the moment the stream is made until it is closed); a
 * reader's current fragment lies inside its buffer. */
static unsigned char *
stream_buffer(const FCGX_Stream *s, size_t *len)
{
	const struct stream_state	*st;
	const unsigned char		*end;

	if (s == NULL || (st = s->data) == NULL || st->buff == NULL ||
	    st->bufflen < 8 || st->bufflen > STREAM_BUFFER_MAX)
		return NULL;
	end = st->buff + st->bufflen;
	if (s->isReader) {
		if (s->stopUnget < st->buff || s->rdNext < s->stopUnget ||
		    s->stop < s->rdNext || s->stop > end)
			return NULL;
	} else if (s->stop != end || s->wrNext < st->buff || s->wrNext > end)
		return NULL;
	*len = (size_t)st->bufflen;
	return st->buff;
}

int
fcgiwipe_finish(FCGX_Request *fr)
{
	static int	 warned;
	unsigned char	*in = NULL, *out;
	size_t		 inlen = 0, outlen = 0;
	char		**p;
	int		 wiped = 0;

	/* The output stream, open, proves the layout (its check is an
	 * equality); the input stream's own check only bounds it. */
	if ((out = stream_buffer(fr->out, &outlen)) != NULL)
		in = stream_buffer(fr->in, &inlen);
	if ((out == NULL || in == NULL) && fr->in != NULL && !warned) {
		warned = 1;
		log_msg(LOG_LVL_WARN, "libfcgi's streams are not laid out as "
		    "in libfcgi 2.4: their buffers are not wiped");
	}
	/* What FCGX_Finish_r does first, in its order: the answer leaves in
	 * one write with the end-of-request record. Then nothing in either
	 * buffer is still to be sent or read. */
	FCGX_FClose(fr->err);
	FCGX_FClose(fr->out);
	if (out != NULL && in != NULL) {
		buf_explicit_bzero(out, outlen);
		buf_explicit_bzero(in, inlen);
		wiped = 1;
	}
	for (p = fr->envp; p != NULL && *p != NULL; p++)
		buf_explicit_bzero(*p, strlen(*p));
	FCGX_Finish_r(fr);
	return wiped;
}
