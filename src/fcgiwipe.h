/* What libfcgi keeps of a request, wiped before it frees it, as far as
 * lockbox can reach: every param (the API key is one), and, where the
 * public fields of its streams confirm their layout (libfcgi 2.4), the
 * input buffer (the request's records as they came: params and body) and
 * the output buffer (the answer, a secret's value with it). What it
 * cannot reach is in README, "Memory and libfcgi". */
#ifndef LOCKBOX_FCGIWIPE_H
#define LOCKBOX_FCGIWIPE_H

#include <fcgiapp.h>

/* Ends a request FCGX_Accept_r returned, as FCGX_Finish_r does (the
 * answer is sent in one write with the end-of-request record; the
 * connection is closed or kept as before), wiping first. Returns 1 when
 * the stream buffers were wiped too, 0 when only the params were (the
 * layout did not check out: logged once). */
int	fcgiwipe_finish(FCGX_Request *);

#endif
