/* lockbox-fcgi: the FastCGI server. Standalone it opens its socket and
 * runs a pool of workers; spawned by a web server (mod_fcgid,
 * spawn-fcgi) it serves the listening socket it finds on fd 0. */
#include "autoconfig.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "keyring.h"
#include "listen.h"
#include "lockdown.h"
#include "log.h"
#include "pool.h"
#include "worker.h"

#define MAX_FLAGS 16

/* Command-line settings, kept so that a reload applies them again on top
 * of the re-read file and environment. */
static struct {
	const char	*key;
	const char	*value;
} flags[MAX_FLAGS];
static size_t		 nflags;
static const char	*config_path;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lockbox-fcgi [--config PATH] [--listen unix:PATH|HOST:PORT]\n"
	    "                    [--workers N] [--max-requests N]\n"
	    "                    [--socket-mode MODE] [--socket-group GROUP]\n"
	    "                    [--user USER] [--log-level LEVEL]\n"
	    "       lockbox-fcgi --version\n"
	    "Settings come from defaults, then the file (--config or\n"
	    "$LOCKBOX_CONFIG), then LOCKBOX_* variables, then these flags.\n"
	    "Without --listen, serves the listening socket on fd 0 (mod_fcgid,\n"
	    "spawn-fcgi).\n");
}

static int
load_all(struct config *cfg, struct keyring *ring, char *err, size_t errlen)
{
	char	 msg[512];
	size_t	 i;

	if (config_load(cfg, config_path, err, errlen) < 0)
		return -1;
	for (i = 0; i < nflags; i++)
		if (config_set(cfg, flags[i].key, flags[i].value, msg,
		    sizeof(msg)) < 0) {
			snprintf(err, errlen, "--%s", msg);
			return -1;
		}
	/* Here rather than once at start-up: a reload may not take the user
	 * away either. */
	if (lockdown_need_user(cfg->user, err, errlen) < 0)
		return -1;
	return keyring_load(ring, cfg->key_file, err, errlen);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "max-requests", required_argument, NULL, 'm' },
		{ "socket-mode", required_argument, NULL, 'M' },
		{ "socket-group", required_argument, NULL, 'g' },
		{ "user", required_argument, NULL, 'u' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static struct config	 cfg;
	static struct keyring	 ring;
	char			 err[1024];
	const char		*key = NULL;
	int			 ch, fd, lock_fd, rc;

	while ((ch = getopt_long(argc, argv, "c:l:w:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config_path = optarg; continue;
		case 'l': key = "listen"; break;
		case 'w': key = "workers"; break;
		case 'm': key = "max_requests"; break;
		case 'M': key = "socket_mode"; break;
		case 'g': key = "socket_group"; break;
		case 'u': key = "user"; break;
		case 'L': key = "log_level"; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("lockbox-fcgi %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
		if (nflags == MAX_FLAGS) {
			fprintf(stderr, "lockbox-fcgi: too many flags\n");
			return 2;
		}
		flags[nflags].key = key;
		flags[nflags].value = optarg;
		nflags++;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* Before any key is read: no core file may ever hold one. */
	if (lockdown_no_dumps() < 0) {
		fprintf(stderr, "lockbox-fcgi: cannot disable core dumps\n");
		return 1;
	}
	if (crypto_init() < 0) {
		fprintf(stderr, "lockbox-fcgi: libgcrypt 1.10 or later is "
		    "required\n");
		return 1;
	}
	if (load_all(&cfg, &ring, err, sizeof(err)) < 0) {
		fprintf(stderr, "lockbox-fcgi: %s\n", err);
		return 1;
	}
	log_set_level(cfg.log_level);
	log_set_process();

	if (cfg.listen[0] == '\0') {
		if (!listen_is_socket(0)) {
			fprintf(stderr, "lockbox-fcgi: listen: not set, and "
			    "standard input is not a listening socket (set "
			    "listen = unix:/path or HOST:PORT, or run under "
			    "mod_fcgid or spawn-fcgi)\n");
			return 1;
		}
		if (listen_nonblock(0) < 0) {
			fprintf(stderr, "lockbox-fcgi: fd 0: cannot make it "
			    "non-blocking\n");
			return 1;
		}
		/* The web server manages the process count: one process
		 * serves unless workers was set explicitly. That process
		 * never leaves on max_requests: nothing would start another
		 * under spawn-fcgi, and mod_fcgid recycles its own processes
		 * (FcgidMaxRequestsPerProcess). */
		if (cfg.workers <= 1) {
			cfg.max_requests = 0;
			if (lockdown_drop(cfg.user, err, sizeof(err)) < 0) {
				fprintf(stderr, "lockbox-fcgi: %s\n", err);
				return 1;
			}
			rc = worker_run(&cfg, &ring, 0);
			keyring_free(&ring);
			return rc;
		}
		snprintf(cfg.listen, sizeof(cfg.listen), "fd:0");
		return pool_run(&cfg, &ring, 0, -1, NULL, load_all);
	}
	if ((fd = listen_open(&cfg, &lock_fd, err, sizeof(err))) < 0) {
		fprintf(stderr, "lockbox-fcgi: %s\n", err);
		return 1;
	}
	rc = pool_run(&cfg, &ring, fd, lock_fd, listen_unix_path(cfg.listen),
	    load_all);
	keyring_free(&ring);
	return rc;
}
