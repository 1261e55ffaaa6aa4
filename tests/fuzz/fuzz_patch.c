/* JSON Merge Patch bodies (PATCH /v1/admin/secrets/{id}): validate_patch
 * and validate_metadata_split, checked against RFC 7396.
 *
 * The store applies a metadata patch as
 *     (metadata - remove::text[]) || set::jsonb       (sql/queries.sql)
 * This harness applies it that way to a fixed stored object, using the two
 * halves validate_metadata_split produced, and compares the result with a
 * direct RFC 7396 merge of the patch's "metadata" member: they must be
 * the same object. "metadata": null must empty it; other members follow
 * the contract (null clears provider_slug and description, is refused
 * for name and value). The edge's PATCH shape agrees with validation
 * (fuzz_check_shaped).
 * Input: the request body (its own corpus: tests/fuzz/corpus/patch/). */
#include "autoconfig.h"

#include "fuzz_json_checks.h"

static const char stored_text[] =
    "{\"team\":\"payments\",\"env\":\"prod\",\"owner\":\"ops@example.com\","
    "\"a\":\"1\",\"b.c\":\"\",\"X-Y_z\":\"x\"}";

/* RFC 7396 for a flat object of strings: null removes, a string sets. */
static struct json_object *
rfc7396(struct json_object *target, struct json_object *patch)
{
	struct json_object	*r = json_object_new_object();

	if (r == NULL)
		abort();
	json_object_object_foreach(target, k, v)
		json_object_object_add(r, k, json_object_get(v));
	{
		json_object_object_foreach(patch, pk, pv) {
			if (json_object_is_type(pv, json_type_null))
				json_object_object_del(r, pk);
			else
				json_object_object_add(r, pk,
				    json_object_get(pv));
		}
	}
	return r;
}

/* (target - names) || set, as PostgreSQL's jsonb operators do it. */
static struct json_object *
sql_merge(struct json_object *target, char **names, int n,
    struct json_object *set)
{
	struct json_object	*r = json_object_new_object();
	int			 i;

	if (r == NULL)
		abort();
	json_object_object_foreach(target, k, v) {
		for (i = 0; i < n; i++)
			if (strcmp(names[i], k) == 0)
				break;
		if (i == n)
			json_object_object_add(r, k, json_object_get(v));
	}
	{
		json_object_object_foreach(set, sk, sv)
			json_object_object_add(r, sk, json_object_get(sv));
	}
	return r;
}

/* Same members, same string values, whatever the order. */
static int
same_object(struct json_object *a, struct json_object *b)
{
	struct json_object	*w;

	if (json_object_object_length(a) != json_object_object_length(b))
		return 0;
	json_object_object_foreach(a, k, v)
		if (!json_object_object_get_ex(b, k, &w) ||
		    !json_object_equal(v, w))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct secret_input	 in;
	struct json_object	*o, *stored, *set, *want, *got, *v;
	char			**rm, *rmstore, why[160];
	int			 nrm, n;
	enum lb_err		 e;

	o = fuzz_json_parse(data, size);
	fuzz_check_shaped(data, size, o, 1);
	if (o == NULL)
		return 0;

	memset(&req, 0, sizeof(req));
	snprintf(req.request_id, sizeof(req.request_id), "fuzz-patch");
	memset(&resp, 0, sizeof(resp));
	e = validate_patch(o, &in, &resp);
	if (e != LB_OK) {
		FUZZ_CHECK("patch-empty", (e == LB_ERR_EMPTY_PATCH) ==
		    (json_object_object_length(o) == 0),
		    "empty_patch for a non-empty patch, or the reverse");
		fuzz_check_rendered(&req, &resp);
		goto out;
	}
	fuzz_check_input(&in, 1);

	/* Members as RFC 7396 and the contract say. */
	FUZZ_CHECK("patch-name-not-null",
	    !json_object_object_get_ex(o, "name", &v) ||
	    json_object_is_type(v, json_type_string),
	    "a name that is not a string passed");
	FUZZ_CHECK("patch-value-not-null",
	    !json_object_object_get_ex(o, "value", &v) ||
	    json_object_is_type(v, json_type_string),
	    "a value that is not a string passed");
	FUZZ_CHECK("patch-slug-null", !json_object_object_get_ex(o,
	    "provider_slug", &v) || json_object_is_type(v, json_type_null) ==
	    (in.provider_slug == NULL), "provider_slug null-ness lost");
	FUZZ_CHECK("patch-description-null", !json_object_object_get_ex(o,
	    "description", &v) || json_object_is_type(v, json_type_null) ==
	    (in.description == NULL), "description null-ness lost");
	if (json_object_object_get_ex(o, "metadata", &v))
		FUZZ_CHECK("patch-metadata-null", (in.has & SM_METADATA) &&
		    json_object_is_type(v, json_type_null) ==
		    (in.metadata == NULL), "metadata null-ness lost");

	if (in.metadata != NULL) {
		stored = json_parse_object(stored_text, sizeof(stored_text) - 1,
		    why, sizeof(why));
		FUZZ_CHECK("patch-stored", stored != NULL, why);
		n = json_object_object_length(in.metadata);
		if ((rm = calloc((size_t)n + 1, sizeof(*rm))) == NULL)
			abort();
		set = fuzz_check_split(in.metadata, rm, n, &nrm, &rmstore);
		want = rfc7396(stored, in.metadata);
		got = sql_merge(stored, rm, nrm, set);
		FUZZ_CHECK("patch-merge-rfc7396", same_object(want, got),
		    "(metadata - remove) || set differs from the RFC 7396 "
		    "merge of the patch");
		json_object_put(want);
		json_object_put(got);
		json_free_wiped(set);
		json_free_wiped(stored);
		free(rmstore);
		free(rm);
	}
out:
	http_response_free(&resp);
	json_free_wiped(o);
	return 0;
}
