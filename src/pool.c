#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef LOCKBOX_SANITIZERS
#include <sanitizer/lsan_interface.h>
#endif

#include "clock.h"
#include "lockdown.h"
#include "log.h"
#include "pool.h"
#include "worker.h"

#define MAX_CHILDREN	(2 * 256 + 2)
#define STOP_GRACE_MS	30000	/* then SIGKILL */
#define RETIRE_GRACE_MS	60000	/* a replaced worker's last request */
#define FAST_DEATH_MS	1000	/* dying younger than this is "fast" */
#define BACKOFF_MAX_MS	5000

struct child {
	pid_t		 pid;
	unsigned	 gen;
	int64_t		 started;
	int64_t		 retire_deadline;	/* 0 unless retiring */
};

struct pool {
	struct config	*cfg;
	struct keyring	*ring;
	int		 listen_fd;
	int		 lock_fd;
	const char	*unix_path;
	pool_reload_fn	 reload;
	struct child	 kids[MAX_CHILDREN];
	unsigned	 gen;
	int		 stopping;
	int64_t		 stop_deadline;
	int		 fast_deaths;
	int64_t		 next_spawn;
};

/* By default four per CPU, at most 32: a worker serves one request at a
 * time and sleeps through each PostgreSQL round trip, a commit's disk
 * flush included. On 2 cores (tests/bench/run, medians of two rounds, two
 * runs each) 8 workers wrote 11-36 % more than 4 (create 3684-4188 vs
 * 3317-3688/s, patch 4220-4241 vs 3146-3480, delete 5574-6384 vs
 * 4536-4708) and read as fast (get 11973 vs 11502-13018); 16 and 32 did
 * no better than 8. Each worker holds a PostgreSQL connection: the cap
 * keeps a large host within PostgreSQL's default max_connections (100). */
#define WORKERS_PER_CPU	4
#define WORKERS_DEFAULT_MAX	32

static int
worker_count(const struct pool *p)
{
	long	 cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (p->cfg->workers > 0)
		return p->cfg->workers;
	if (cpus < 1)
		cpus = 1;
	return cpus < WORKERS_DEFAULT_MAX / WORKERS_PER_CPU ?
	    WORKERS_PER_CPU * (int)cpus : WORKERS_DEFAULT_MAX;
}

/* The master's key memory is locked by libgcrypt; the lock is not
 * inherited across fork. */
static void
lock_keys(const struct keyring *ring)
{
	const void	*keys[KEYRING_MAX_KEYS];
	char		 err[256];
	size_t		 i;

	for (i = 0; i < ring->nkeys; i++)
		keys[i] = ring->keys[i].key;
	if (lockdown_relock(keys, ring->nkeys, err, sizeof(err)) < 0)
		log_msg(LOG_LVL_WARN, "%s; keys may be swapped out", err);
}

static void
child_main(struct pool *p, pid_t master)
{
	sigset_t	 none;
	char		 err[256];
	int		 rc;

	sigemptyset(&none);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Only the master holds the socket's lock: if it dies, a new master
	 * may start while this worker finishes. */
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	log_set_process();
	lock_keys(p->ring);
	if (lockdown_drop(p->cfg->user, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, "%s", err);
		_exit(2);
	}
	/* A worker must not outlive its master: a restarted master would
	 * otherwise share the socket with strangers, and its key ring may be
	 * stale. After the drop, which clears the setting (the kernel does on
	 * any change of uid or gid); then the master may already be gone. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != master)
		_exit(0);
	rc = worker_run(p->cfg, p->ring, p->listen_fd);
#ifdef LOCKBOX_SANITIZERS
	/* _exit skips the leak check that exit() would run. */
	__lsan_do_leak_check();
#endif
	_exit(rc);
}

static int
spawn(struct pool *p)
{
	pid_t	 pid, master = getpid();
	size_t	 i;

	for (i = 0; i < MAX_CHILDREN && p->kids[i].pid != 0; i++)
		;
	if (i == MAX_CHILDREN)
		return -1;
	if ((pid = fork()) < 0) {
		log_msg(LOG_LVL_ERROR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_main(p, master);
	p->kids[i].pid = pid;
	p->kids[i].gen = p->gen;
	p->kids[i].started = clock_ms();
	p->kids[i].retire_deadline = 0;
	log_msg(LOG_LVL_DEBUG, "worker %ld started", (long)pid);
	return 0;
}

static void
signal_all(struct pool *p, int sig)
{
	size_t	 i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (p->kids[i].pid != 0)
			kill(p->kids[i].pid, sig);
}

static void
reap(struct pool *p)
{
	pid_t	 pid;
	int	 status, expected;
	size_t	 i;
	int64_t	 age, delay;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_CHILDREN && p->kids[i].pid != pid; i++)
			;
		if (i == MAX_CHILDREN)
			continue;
		age = clock_ms() - p->kids[i].started;
		expected = p->stopping || p->kids[i].retire_deadline != 0 ||
		    (WIFEXITED(status) && WEXITSTATUS(status) == 0);
		p->kids[i].pid = 0;
		if (expected) {
			log_msg(LOG_LVL_DEBUG, "worker %ld exited", (long)pid);
			continue;
		}
		if (WIFSIGNALED(status))
			log_msg(LOG_LVL_WARN, "worker %ld killed by signal %d",
			    (long)pid, WTERMSIG(status));
		else
			log_msg(LOG_LVL_WARN, "worker %ld exited with status "
			    "%d", (long)pid, WEXITSTATUS(status));
		/* Workers killed one by one, or a few at once, come back at
		 * once: a pool with no worker answers nothing. Only when
		 * they die young again and again, more than twice the pool
		 * over (a bad database URL, say), does the pool slow down
		 * instead of spinning. */
		if (age >= FAST_DEATH_MS) {
			p->fast_deaths = 0;
			continue;
		}
		if (p->fast_deaths < 64)
			p->fast_deaths++;
		if (p->fast_deaths > 2 * worker_count(p)) {
			delay = 100LL << (p->fast_deaths - 2 * worker_count(p));
			if (delay > BACKOFF_MAX_MS || delay <= 0)
				delay = BACKOFF_MAX_MS;
			p->next_spawn = clock_ms() + delay;
		}
	}
}

static void
begin_stop(struct pool *p)
{
	if (p->stopping)
		return;
	p->stopping = 1;
	p->stop_deadline = clock_ms() + STOP_GRACE_MS;
	/* No new connection can reach a socket file that is gone; the ones
	 * already queued are served by the draining workers. */
	if (p->unix_path != NULL)
		unlink(p->unix_path);
	/* A TCP address has no file to unlink: the socket listens for as
	 * long as a process holds it.  The workers let go of theirs once
	 * they have taken what is queued; were the master to keep its own,
	 * new connections would queue behind nobody until the last worker
	 * left, then be reset, rather than be refused at once and go to
	 * another host (the nginx site's NEXT_UPSTREAM). */
	close(p->listen_fd);
	p->listen_fd = -1;
	log_msg(LOG_LVL_INFO, "stopping: finishing requests in flight");
	signal_all(p, SIGTERM);
}

static void
begin_reload(struct pool *p)
{
	struct config	*ncfg;
	struct keyring	 nring;
	char		 err[512];

	if ((ncfg = malloc(sizeof(*ncfg))) == NULL)
		return;
	if (p->reload(ncfg, &nring, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, "reload refused, keeping the running "
		    "configuration: %s", err);
		free(ncfg);
		return;
	}
	if (strcmp(ncfg->listen, p->cfg->listen) != 0)
		log_msg(LOG_LVL_WARN, "listen changed: restart the pool to "
		    "apply it; it keeps its socket on reload");
	snprintf(ncfg->listen, sizeof(ncfg->listen), "%s", p->cfg->listen);
	*p->cfg = *ncfg;
	free(ncfg);
	keyring_free(p->ring);
	*p->ring = nring;
	log_set_level(p->cfg->log_level);
	p->gen++;
	log_msg(LOG_LVL_INFO, "reloaded: replacing workers one by one");
}

/* Keeps the pool at its size and moves a rollover one worker on. */
static void
maintain(struct pool *p)
{
	int64_t	 now = clock_ms();
	int	 want = worker_count(p), current = 0, old = 0, retiring = 0;
	size_t	 i;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (p->kids[i].pid == 0)
			continue;
		/* A worker that has lived a while ends any crash loop. */
		if (now - p->kids[i].started >= FAST_DEATH_MS)
			p->fast_deaths = 0;
		if (p->kids[i].gen == p->gen)
			current++;
		else {
			old++;
			if (p->kids[i].retire_deadline != 0) {
				retiring++;
				if (now > p->kids[i].retire_deadline)
					kill(p->kids[i].pid, SIGKILL);
			}
		}
	}
	/* One old worker at a time: start its replacement, then ask it to
	 * finish its request and leave. */
	if (old > 0 && retiring == 0) {
		for (i = 0; i < MAX_CHILDREN; i++)
			if (p->kids[i].pid != 0 && p->kids[i].gen != p->gen) {
				p->kids[i].retire_deadline = now +
				    RETIRE_GRACE_MS;
				kill(p->kids[i].pid, SIGQUIT);
				retiring = 1;
				break;
			}
	}
	want = want - old + retiring;
	while (current < want && now >= p->next_spawn && spawn(p) == 0)
		current++;
}

int
pool_run(struct config *cfg, struct keyring *ring, int listen_fd,
    int lock_fd, const char *unix_path, pool_reload_fn reload)
{
	struct pool	*p;
	sigset_t	 set;
	struct timespec	 ts;
	siginfo_t	 si;
	int		 sig, alive;
	size_t		 i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return 1;
	p->cfg = cfg;
	p->ring = ring;
	p->listen_fd = listen_fd;
	p->lock_fd = lock_fd;
	p->unix_path = unix_path;
	p->reload = reload;
	p->gen = 1;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	log_msg(LOG_LVL_INFO, "lockbox %s: %d workers on %s", PACKAGE_VERSION,
	    worker_count(p), cfg->listen);

	for (;;) {
		if (!p->stopping)
			maintain(p);
		else {
			for (alive = 0, i = 0; i < MAX_CHILDREN; i++)
				alive += p->kids[i].pid != 0;
			if (alive == 0)
				break;
			if (clock_ms() > p->stop_deadline)
				signal_all(p, SIGKILL);
		}
		/* Wake at least every 100 ms for back-off and deadlines. */
		ts.tv_sec = 0;
		ts.tv_nsec = 100 * 1000 * 1000;
		sig = sigtimedwait(&set, &si, &ts);
		switch (sig) {
		case SIGCHLD:
			reap(p);
			break;
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			begin_stop(p);
			break;
		case SIGHUP:
			if (!p->stopping)
				begin_reload(p);
			break;
		default:
			break;
		}
		reap(p);
	}
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	log_msg(LOG_LVL_INFO, "stopped");
	free(p);
	return 0;
}
