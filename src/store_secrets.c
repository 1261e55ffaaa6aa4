/* The statements about secrets and their idempotency records. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_impl.h"

/* A write's connection broke: it may or may not have committed. Asks the
 * database (reconnecting, for up to a minute) whether secret id exists
 * now. Returns 1 or 0, or -1 when the database stayed out of reach. */
static int
secret_exists_after_failure(struct store *s, int64_t id)
{
	PGresult	*r;
	char		 ids[BUF_I64_LEN];
	const char	*v[1] = { I64(ids, id) };
	int		 rc;

	if (store_exec_patiently(s, SQL_SECRET_VERSION, 1, v, &r) != LB_OK)
		return -1;
	rc = PQntuples(r) == 1;
	PQclear(r);
	log_msg(LOG_LVL_WARN, "secret %s: a write lost its connection; the "
	    "row %s now", ids, rc ? "exists" : "does not exist");
	return rc;
}

static void
row_fill(const PGresult *r, int i, struct secret_row *row)
{
	memset(row, 0, sizeof(*row));
	row->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	row->name = PQgetvalue(r, i, 1);
	row->provider_slug = PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2);
	row->description = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3);
	row->metadata = PQgetvalue(r, i, 4);
	row->version = strtoll(PQgetvalue(r, i, 5), NULL, 10);
	row->created_at = PQgetvalue(r, i, 6);
	row->updated_at = PQgetvalue(r, i, 7);
}

/* The sealed value in columns col.. of r: key id, nonce, ciphertext and
 * format. */
static int
sealed_fill(struct store *s, const PGresult *r, int col,
    struct secret_row *row)
{
	row->key_id = atoi(PQgetvalue(r, 0, col));
	row->format = (enum crypto_format)atoi(PQgetvalue(r, 0, col + 3));
	if (store_bytea_get(r, 0, col + 1, row->nonce, CRYPTO_NONCE_LEN) < 0 ||
	    store_bytea_any(s, r, 0, col + 2, &row->ct, &row->ct_len) < 0)
		return -1;
	return 0;
}

/* ---- create -------------------------------------------------------- */

void
store_secret_next_id_ahead(struct store *s, const struct store_key *k)
{
	const char	*v[2] = { k->prefix, k->hashes };

	store_read_ahead(s, SQL_SECRET_NEXT_ID, 2, v);
}

enum lb_err
store_secret_next_id(struct store *s, const struct store_key *k,
    int64_t *id, char created_at[40])
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*v[2] = { k->prefix, k->hashes };

	if ((e = store_exec(s, SQL_SECRET_NEXT_ID, 2, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LB_ERR_NOT_FOUND;
	}
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(created_at, 40, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return LB_OK;
}

/* A value sealed with a key that rewrap retired was refused by its own
 * statement: this host's key ring is older than the database. */
static enum lb_err
key_retired(int key_id)
{
	log_msg(LOG_LVL_ERROR, "a value sealed with key %d was refused: "
	    "\"lockboxctl rewrap\" retired that key; this host's key ring is "
	    "out of date: install the current one and reload (SIGHUP)",
	    key_id);
	return LB_ERR_KEY_RETIRED;
}

enum lb_err
store_secret_insert(struct store *s, const struct secret_insert *in,
    enum store_conflict *conflict)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 id[BUF_I64_LEN], kid[BUF_I64_LEN], akid[BUF_I64_LEN];
	char		 fkid[BUF_I64_LEN];
	const char	*v[14];
	int		 len[14] = { 0 }, fmt[14] = { 0 }, n = 9, inserted;

	*conflict = CONFLICT_NONE;
	v[0] = I64(id, in->id);
	v[1] = in->name;
	v[2] = in->provider_slug;
	v[3] = in->description;
	v[4] = in->metadata;
	v[5] = I64(kid, in->key_id);
	v[6] = (const char *)in->nonce;
	len[6] = CRYPTO_NONCE_LEN;
	fmt[6] = 1;
	v[7] = (const char *)in->ct;
	len[7] = (int)in->ct_len;
	fmt[7] = 1;
	v[8] = in->created_at;
	if (in->idempotency_key != NULL) {
		v[9] = I64(akid, in->api_key_id);
		v[10] = in->idempotency_key;
		v[11] = (const char *)in->fingerprint;
		len[11] = CRYPTO_MAC_LEN;
		fmt[11] = 1;
		v[12] = I64(fkid, in->fingerprint_key_id);
		v[13] = in->response_body;
		n = 14;
	}
	e = store_exec(s, n == 14 ? SQL_SECRET_INSERT_IDEMPOTENT :
	    SQL_SECRET_INSERT, n, v, len, fmt, &r);
	if (e == LB_OK) {
		inserted = strcmp(PQcmdTuples(r), "1") == 0;
		PQclear(r);
		return inserted ? LB_OK : key_retired(in->key_id);
	}
	/* A 201 must mean stored and a 503 must mean no effect: when the
	 * connection broke mid-statement, find out which it was. The id is
	 * ours alone (nextval), so its row can only be this insert's. */
	if (e == LB_ERR_DATABASE_UNAVAILABLE) {
		switch (secret_exists_after_failure(s, in->id)) {
		case 1:
			return LB_OK;
		case 0:
			return e;
		default:
			return LB_ERR_INTERNAL;	/* unknown: never 503 */
		}
	}
	if (strcmp(s->sqlstate, "23505") == 0) {
		*conflict = strcmp(s->constraint,
		    "secrets_provider_slug_name_key") == 0 ? CONFLICT_NAME :
		    CONFLICT_IDEMPOTENCY;
		return LB_ERR_NAME_CONFLICT;
	}
	return e;
}

/* ---- idempotency records ------------------------------------------- */

enum lb_err
store_idempotency_find(struct store *s, int64_t api_key_id, const char *key,
    long ttl, struct idempotency_row *out)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 akid[BUF_I64_LEN], t[BUF_I64_LEN];
	const char	*v[3] = { I64(akid, api_key_id), key, I64(t, ttl) };

	memset(out, 0, sizeof(*out));
	if ((e = store_exec(s, SQL_IDEMPOTENCY_FIND, 3, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LB_ERR_NOT_FOUND;
	}
	if (store_bytea_get(r, 0, 0, out->fingerprint, CRYPTO_MAC_LEN) < 0) {
		PQclear(r);
		return LB_ERR_INTERNAL;
	}
	out->fingerprint_key_id = atoi(PQgetvalue(r, 0, 1));
	out->secret_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	out->status = atoi(PQgetvalue(r, 0, 3));
	out->body = PQgetvalue(r, 0, 4);
	out->fresh = PQgetvalue(r, 0, 5)[0] == 't';
	store_hold(s, r);
	return LB_OK;
}

/* One of the record statements that take (api key id, idempotency key,
 * ttl) and return nothing to read. */
static enum lb_err
idempotency_exec(struct store *s, enum sql_query q, int n, int64_t akid,
    const char *key, long ttl, long *changed)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 a[BUF_I64_LEN], t[BUF_I64_LEN];
	const char	*v[3];

	v[0] = n == 1 ? I64(t, ttl) : I64(a, akid);
	v[1] = key;
	v[2] = I64(t, ttl);
	if ((e = store_exec(s, q, n, v, NULL, NULL, &r)) != LB_OK)
		return e;
	if (changed != NULL)
		*changed = atol(PQcmdTuples(r));
	PQclear(r);
	return LB_OK;
}

enum lb_err
store_idempotency_forget_expired(struct store *s, int64_t api_key_id,
    const char *key, long ttl)
{
	return idempotency_exec(s, SQL_IDEMPOTENCY_FORGET_EXPIRED, 3,
	    api_key_id, key, ttl, NULL);
}

enum lb_err
store_idempotency_purge(struct store *s, long ttl, long *n)
{
	*n = 0;
	return idempotency_exec(s, SQL_IDEMPOTENCY_PURGE, 1, 0, NULL, ttl, n);
}

/* ---- read ---------------------------------------------------------- */

/* A statement of one secret, for the key k: (id, prefix, hashes). Read
 * ahead, or run (LB_ERR_NOT_FOUND when no row comes back). */
static void
by_id_ahead(struct store *s, enum sql_query q, int64_t id,
    const struct store_key *k)
{
	char		 ids[BUF_I64_LEN];
	const char	*v[3] = { I64(ids, id), k->prefix, k->hashes };

	store_read_ahead(s, q, 3, v);
}

static enum lb_err
by_id(struct store *s, enum sql_query q, int64_t id,
    const struct store_key *k, PGresult **r)
{
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN];
	const char	*v[3] = { I64(ids, id), k->prefix, k->hashes };

	if ((e = store_exec(s, q, 3, v, NULL, NULL, r)) != LB_OK)
		return e;
	if (PQntuples(*r) != 1) {
		PQclear(*r);
		*r = NULL;
		return LB_ERR_NOT_FOUND;
	}
	return LB_OK;
}

void
store_secret_get_ahead(struct store *s, int64_t id, const struct store_key *k)
{
	by_id_ahead(s, SQL_SECRET_GET, id, k);
}

enum lb_err
store_secret_get(struct store *s, int64_t id, const struct store_key *k,
    struct secret_row *row)
{
	PGresult	*r;
	enum lb_err	 e;

	if ((e = by_id(s, SQL_SECRET_GET, id, k, &r)) != LB_OK)
		return e;
	row_fill(r, 0, row);
	if (sealed_fill(s, r, 8, row) < 0) {
		PQclear(r);
		return LB_ERR_INTEGRITY;
	}
	store_hold(s, r);
	return LB_OK;
}

/* The statement and parameters of a page; v's strings live in after, lim
 * and k. */
static enum sql_query
list_query(const char *provider_slug, int64_t after_id, int limit,
    const struct store_key *k, char after[BUF_I64_LEN],
    char lim[BUF_I64_LEN], const char *v[5], int *nv)
{
	*nv = 0;
	if (provider_slug != NULL)
		v[(*nv)++] = provider_slug;
	if (after_id > 0)
		v[(*nv)++] = I64(after, after_id);
	v[(*nv)++] = I64(lim, limit);
	v[(*nv)++] = k->prefix;
	v[(*nv)++] = k->hashes;
	if (provider_slug != NULL)
		return after_id > 0 ? SQL_SECRET_LIST_PROVIDER_AFTER :
		    SQL_SECRET_LIST_PROVIDER;
	return after_id > 0 ? SQL_SECRET_LIST_AFTER : SQL_SECRET_LIST;
}

void
store_secret_list_ahead(struct store *s, const char *provider_slug,
    int64_t after_id, int limit, const struct store_key *k)
{
	char		 after[BUF_I64_LEN], lim[BUF_I64_LEN];
	const char	*v[5];
	enum sql_query	 q;
	int		 nv;

	q = list_query(provider_slug, after_id, limit, k, after, lim, v, &nv);
	store_read_ahead(s, q, nv, v);
}

enum lb_err
store_secret_list(struct store *s, const char *provider_slug,
    int64_t after_id, int limit, const struct store_key *k,
    struct secret_row *rows, int *n)
{
	PGresult	*r;
	enum lb_err	 e;
	enum sql_query	 q;
	char		 after[BUF_I64_LEN], lim[BUF_I64_LEN];
	const char	*v[5];
	int		 nv, i;

	*n = 0;
	q = list_query(provider_slug, after_id, limit, k, after, lim, v, &nv);
	if ((e = store_exec(s, q, nv, v, NULL, NULL, &r)) != LB_OK)
		return e;
	for (i = 0; i < PQntuples(r) && i < limit; i++)
		row_fill(r, i, &rows[i]);
	*n = i;
	store_hold(s, r);
	return LB_OK;
}

/* ---- update -------------------------------------------------------- */

void
store_secret_current_ahead(struct store *s, int64_t id,
    const struct store_key *k)
{
	by_id_ahead(s, SQL_SECRET_CURRENT, id, k);
}

enum lb_err
store_secret_current(struct store *s, int64_t id, const struct store_key *k,
    struct secret_row *row)
{
	PGresult	*r;
	enum lb_err	 e;

	memset(row, 0, sizeof(*row));
	if ((e = by_id(s, SQL_SECRET_CURRENT, id, k, &r)) != LB_OK)
		return e;
	row->id = id;
	row->version = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (sealed_fill(s, r, 1, row) < 0) {
		PQclear(r);
		return LB_ERR_INTEGRITY;
	}
	store_hold(s, r);
	return LB_OK;
}

#define UPDATE_PARAMS	13

/* secret_update's parameters; v's strings live in u, ids, ver and kid. */
static void
update_params(const struct secret_update *u, char ids[BUF_I64_LEN],
    char ver[BUF_I64_LEN], char kid[BUF_I64_LEN],
    const char *v[UPDATE_PARAMS], int len[UPDATE_PARAMS],
    int fmt[UPDATE_PARAMS])
{
	memset(len, 0, UPDATE_PARAMS * sizeof(len[0]));
	memset(fmt, 0, UPDATE_PARAMS * sizeof(fmt[0]));
	v[0] = I64(ids, u->id);
	v[1] = I64(ver, u->version);
	v[2] = u->name;
	v[3] = u->set_provider ? "t" : "f";
	v[4] = u->provider_slug;
	v[5] = u->set_description ? "t" : "f";
	v[6] = u->description;
	v[7] = u->clear_metadata ? "t" : "f";
	v[8] = u->metadata_remove ? u->metadata_remove : "{}";
	v[9] = u->metadata_set ? u->metadata_set : "{}";
	v[10] = I64(kid, u->key_id);
	v[11] = (const char *)u->nonce;
	len[11] = CRYPTO_NONCE_LEN;
	fmt[11] = 1;
	v[12] = (const char *)u->ct;
	len[12] = (int)u->ct_len;
	fmt[12] = 1;
}

/* A PATCH whose connection broke may have committed. Every PATCH seals
 * the value afresh, so the row holds this PATCH's nonce (96 fresh random
 * bits) if and only if it did. */
static enum lb_err
update_resolve(struct store *s, const struct secret_update *u,
    struct secret_row *row)
{
	PGresult	*r;
	char		 ids[BUF_I64_LEN];
	const char	*v[3] = { I64(ids, u->id), u->key->prefix,
			    u->key->hashes };
	unsigned char	 nonce[CRYPTO_NONCE_LEN];
	int		 applied;

	if (store_exec_patiently(s, SQL_SECRET_NONCE, 1, v, &r) != LB_OK)
		return LB_ERR_INTERNAL;
	applied = PQntuples(r) == 1 &&
	    store_bytea_get(r, 0, 0, nonce, sizeof(nonce)) == 0 &&
	    memcmp(nonce, u->nonce, sizeof(nonce)) == 0;
	PQclear(r);
	log_msg(LOG_LVL_WARN, "secret %s: a PATCH lost its connection; it "
	    "was %s", ids, applied ? "applied" : "not applied");
	if (!applied)
		return LB_ERR_DATABASE_UNAVAILABLE;
	if (store_exec_patiently(s, SQL_SECRET_GET, 3, v, &r) != LB_OK)
		return LB_ERR_INTERNAL;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LB_ERR_INTERNAL;
	}
	row_fill(r, 0, row);
	store_hold(s, r);
	return LB_OK;
}

/* The update changed nothing: finds out why, with the same inputs. */
static enum lb_err
update_why(struct store *s, const char *const *uv)
{
	PGresult	*r;
	enum lb_err	 e;
	const char	*w[6] = { uv[0], uv[1], uv[7], uv[8], uv[9], uv[10] };

	if ((e = store_exec(s, SQL_SECRET_UPDATE_WHY, 6, w, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	if (PQntuples(r) != 1)
		e = LB_ERR_NOT_FOUND;
	else if (PQgetvalue(r, 0, 2)[0] == 't')
		e = key_retired(atoi(uv[10]));
	else if (PQgetvalue(r, 0, 0)[0] != 't')
		e = LB_ERR_PRECONDITION_FAILED;	/* moved on: read again */
	else if (PQgetvalue(r, 0, 1)[0] != 't')
		e = LB_ERR_INVALID_FIELD;
	else
		e = LB_ERR_PRECONDITION_FAILED;	/* changed in between */
	PQclear(r);
	return e;
}

enum lb_err
store_secret_update(struct store *s, const struct secret_update *u,
    struct secret_row *row)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN], ver[BUF_I64_LEN], kid[BUF_I64_LEN];
	const char	*v[UPDATE_PARAMS];
	int		 len[UPDATE_PARAMS], fmt[UPDATE_PARAMS];

	update_params(u, ids, ver, kid, v, len, fmt);
	e = store_exec(s, SQL_SECRET_UPDATE, UPDATE_PARAMS, v, len, fmt, &r);
	if (e != LB_OK) {
		if (strcmp(s->sqlstate, "23505") == 0)
			return LB_ERR_NAME_CONFLICT;
		if (e == LB_ERR_DATABASE_UNAVAILABLE && s->maybe_done)
			return update_resolve(s, u, row);
		return e;
	}
	if (PQntuples(r) == 1) {
		row_fill(r, 0, row);
		store_hold(s, r);
		return LB_OK;
	}
	PQclear(r);
	return update_why(s, v);
}

/* ---- delete -------------------------------------------------------- */

#define DELETE_PARAMS	4

void
store_secret_delete_ahead(struct store *s, int64_t id, const char *if_match,
    const struct store_key *k)
{
	char		 ids[BUF_I64_LEN];
	const char	*v[DELETE_PARAMS] = { I64(ids, id), if_match, k->prefix,
			    k->hashes };

	store_queue_ahead(s, SQL_SECRET_DELETE, DELETE_PARAMS, v, NULL, NULL,
	    1);
}

enum lb_err
store_secret_delete(struct store *s, int64_t id, const char *if_match,
    const struct store_key *k)
{
	PGresult	*r;
	enum lb_err	 e;
	char		 ids[BUF_I64_LEN];
	const char	*v[DELETE_PARAMS] = { I64(ids, id), if_match, k->prefix,
			    k->hashes };

	if ((e = store_exec(s, SQL_SECRET_DELETE, DELETE_PARAMS, v, NULL, NULL,
	    &r)) != LB_OK) {
		/* As for inserts: a 204 must mean gone, a 503 no effect. The
		 * row being gone is what the client asked for, whoever did it. */
		if (e == LB_ERR_DATABASE_UNAVAILABLE) {
			switch (secret_exists_after_failure(s, id)) {
			case 0:
				return LB_OK;
			case 1:
				return e;
			default:
				return LB_ERR_INTERNAL;
			}
		}
		return e;
	}
	if (PQntuples(r) == 1) {
		PQclear(r);
		return LB_OK;
	}
	PQclear(r);
	if ((e = store_exec(s, SQL_SECRET_VERSION, 1, v, NULL, NULL, &r)) !=
	    LB_OK)
		return e;
	e = PQntuples(r) == 1 ? LB_ERR_PRECONDITION_FAILED : LB_ERR_NOT_FOUND;
	PQclear(r);
	return e;
}
