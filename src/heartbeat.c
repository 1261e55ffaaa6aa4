#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "heartbeat.h"
#include "keyring.h"
#include "log.h"

void
heartbeat_init(struct heartbeat *h)
{
	uint64_t	 id;

	memset(h, 0, sizeof(*h));
	/* Positive, and unique enough among every worker that ever ran. */
	crypto_nonce(&id, sizeof(id));
	h->id = (int64_t)(id >> 1);
	if (gethostname(h->host, sizeof(h->host) - 1) < 0 || h->host[0] == '\0')
		strcpy(h->host, "unknown");
	h->next = clock_ms();
}

void
heartbeat_beat(struct heartbeat *h, struct store *db, struct crypto *c)
{
	struct store_worker	 w;
	int			 ids[KEYRING_MAX_KEYS];
	enum lb_err		 e;

	if (clock_ms() < h->next)
		return;
	/* The first beat may connect; later ones ride on the connection the
	 * requests keep, so that a worker whose database is out of reach
	 * does not wait for it between requests too. */
	if (h->beats++ > 0 && !store_connected(db)) {
		h->next = clock_ms() + HEARTBEAT_MS;
		return;
	}
	h->next = clock_ms() + HEARTBEAT_MS;
	memset(&w, 0, sizeof(w));
	w.id = h->id;
	w.host = h->host;
	w.pid = (long)getpid();
	w.seal_key_id = crypto_active_key(c);
	w.ring_ids = ids;
	w.nring = crypto_key_ids(c, ids, KEYRING_MAX_KEYS);
	if (w.nring > KEYRING_MAX_KEYS)
		w.nring = KEYRING_MAX_KEYS;
	if ((e = store_worker_heartbeat(db, &w)) != LB_OK)
		log_msg(LOG_LVL_DEBUG, "heartbeat not recorded: %s",
		    store_error(db));
}

int
heartbeat_wait_ms(const struct heartbeat *h)
{
	int64_t	 left = h->next - clock_ms();

	return left < 0 ? 0 : left > HEARTBEAT_MS ? HEARTBEAT_MS : (int)left;
}

void
heartbeat_stop(struct heartbeat *h, struct store *db)
{
	if (store_connected(db) && store_worker_gone(db, h->id) != LB_OK)
		log_msg(LOG_LVL_DEBUG, "heartbeat row left behind: %s",
		    store_error(db));
}
