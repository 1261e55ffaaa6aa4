/* null-fcgi: the benchmark's FastCGI ceiling. The same libfcgi, the same
 * kind of socket and the same number of pre-forked processes as lockbox,
 * answering every request with a JSON body and nothing else: what nginx
 * plus the FastCGI hop cost before lockbox does any work. The body is
 * {"status":"ok"}, or as many bytes as the query string's bytes=N asks,
 * so that a route's ceiling carries as much as the route answers. Its
 * connections are held as lockbox's are (src/conns.c): kept ones between
 * requests when the web server asks for it.
 *
 *   null-fcgi --listen unix:/path|HOST:PORT [--workers N]
 */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conns.h"

static const char head[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "X-Request-Id: null\r\n";

static char	*big;

static int
serve(void *arg, FCGX_Request *req)
{
	char		 buf[4096];
	const char	*qs, *p;
	long		 n;

	(void)arg;
	/* Read the body as lockbox would, then answer. */
	while (FCGX_GetStr(buf, sizeof(buf), req->in) > 0)
		;
	n = 0;
	qs = FCGX_GetParam("QUERY_STRING", req->envp);
	if (qs != NULL && (p = strstr(qs, "bytes=")) != NULL)
		n = strtol(p + 6, NULL, 10);
	if (n < 15 || n > (1 << 20) - 2)
		n = 15;
	FCGX_PutStr(head, (int)sizeof(head) - 1, req->out);
	FCGX_FPrintF(req->out, "Content-Length: %ld\r\n\r\n", n);
	if (n == 15)
		FCGX_PutStr("{\"status\":\"ok\"}", 15, req->out);
	else {
		FCGX_PutStr("\"", 1, req->out);
		FCGX_PutStr(big, (int)n - 2, req->out);
		FCGX_PutStr("\"", 1, req->out);
	}
	return 1;
}

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	if (sig == SIGTERM)
		stop = 1;
}

static int
run(int fd)
{
	struct conns	*cs;
	struct sigaction sa;
	sigset_t	 mask;

	/* libfcgi took SIGTERM in the master (FCGX_Init): take it back. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0 ||
	    (big = malloc(1 << 20)) == NULL ||
	    (cs = conns_new(fd, serve, NULL)) == NULL)
		return 1;
	memset(big, 'x', 1 << 20);
	while (!stop && conns_serve_ready(cs, -1, &mask) >= 0)
		;
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*listen = NULL, *spec;
	int		 workers = 2, i, fd;
	pid_t		 master = getpid();

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--listen") == 0)
			listen = argv[i + 1];
		else if (strcmp(argv[i], "--workers") == 0)
			workers = atoi(argv[i + 1]);
	}
	if (listen == NULL || workers < 1) {
		fprintf(stderr, "usage: null-fcgi --listen unix:PATH|HOST:PORT "
		    "[--workers N]\n");
		return 2;
	}
	if (FCGX_Init() != 0)
		return 1;
	spec = strncmp(listen, "unix:", 5) == 0 ? listen + 5 : listen;
	if (spec != listen)
		unlink(spec);
	umask(0);
	if ((fd = FCGX_OpenSocket(spec, 1024)) < 0) {
		fprintf(stderr, "null-fcgi: cannot listen on %s\n", listen);
		return 1;
	}
	for (i = 0; i < workers; i++) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != master)
				_exit(0);
			_exit(run(fd));
		}
	}
	signal(SIGTERM, SIG_DFL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
