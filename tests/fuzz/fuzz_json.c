/* JSON bodies: json_parse_object (the strict RFC 8259 scanner in front of
 * json-c), then everything a POST or PATCH body goes through:
 *   - json_parse_object accepts exactly the bodies an independent reading
 *     of the strict grammar accepts (fuzz_json_ref.h); the tree holds only
 *     valid UTF-8; the scanner never accepts what json-c refuses;
 *   - the edge's scanner with the create and PATCH shapes agrees with it
 *     and with validation, and lets json-c build only bounded trees
 *     (fuzz_check_shaped);
 *   - json_canonical is deterministic: canonical(parse(canonical(x))) is
 *     canonical(x), byte for byte, and parses to an equal value;
 *   - validate_create / validate_patch: what passes obeys the contract's
 *     member rules; what fails renders as a strict JSON error body;
 *   - a create's fingerprint text fits the buffer reserved for it (it
 *     holds the secret value and must never be reallocated);
 *   - json_write of the metadata and validate_metadata_split give strict
 *     JSON / a text[] literal with exactly the patch's members.
 * Input: the request body. Dictionary: tests/fuzz/dict/json.dict. */
#include "autoconfig.h"

#include "fuzz_json_checks.h"
#include "fuzz_json_ref.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct secret_input	 in;
	struct json_object	*o, *so;
	char			**rm, *rmstore;
	int			 nrm, n, ref;

	o = fuzz_json_parse(data, size);
	ref = fuzz_json_ref_accepts(data, size);
	FUZZ_CHECK("json-strict-accepts", o != NULL || !ref,
	    "json_parse_object refused a body the strict grammar accepts");
	FUZZ_CHECK("json-strict-refuses", o == NULL || ref,
	    "json_parse_object accepted a body the strict grammar refuses");
	fuzz_check_shaped(data, size, o, 0);
	fuzz_check_shaped(data, size, o, 1);
	if (o == NULL)
		return 0;
	fuzz_json_canonical_fixpoint(o);

	memset(&req, 0, sizeof(req));
	snprintf(req.request_id, sizeof(req.request_id), "fuzz-json");
	memset(&resp, 0, sizeof(resp));

	if (validate_create(o, &in, &resp) == LB_OK) {
		fuzz_check_input(&in, 0);
		fuzz_check_fingerprint_buffer(o, size);
		if (in.metadata != NULL)
			fuzz_check_metadata_write(in.metadata);
	} else
		fuzz_check_rendered(&req, &resp);
	http_response_reset(&resp);

	if (validate_patch(o, &in, &resp) == LB_OK) {
		fuzz_check_input(&in, 1);
		if (in.metadata != NULL) {
			n = json_object_object_length(in.metadata);
			if ((rm = calloc((size_t)n + 1, sizeof(*rm))) == NULL)
				abort();
			so = fuzz_check_split(in.metadata, rm, n, &nrm,
			    &rmstore);
			json_free_wiped(so);
			free(rmstore);
			free(rm);
		}
	} else
		fuzz_check_rendered(&req, &resp);
	http_response_free(&resp);
	json_free_wiped(o);
	return 0;
}
