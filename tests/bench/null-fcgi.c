/* null-fcgi: the benchmark's FastCGI ceiling. The same libfcgi, the same
 * kind of socket and the same number of pre-forked processes as lockbox,
 * answering every request with a fixed small JSON body and nothing else:
 * what nginx plus the FastCGI hop cost before lockbox does any work.
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

static const char answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 15\r\n"
    "Cache-Control: no-store\r\n"
    "X-Request-Id: null\r\n"
    "\r\n"
    "{\"status\":\"ok\"}";

static int
serve(int fd)
{
	FCGX_Request	 req;
	char		 buf[4096];

	if (FCGX_InitRequest(&req, fd, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		/* Read the body as lockbox would, then answer. */
		while (FCGX_GetStr(buf, sizeof(buf), req.in) > 0)
			;
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, req.out);
		FCGX_Finish_r(&req);
	}
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
			_exit(serve(fd));
		}
	}
	signal(SIGTERM, SIG_DFL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
