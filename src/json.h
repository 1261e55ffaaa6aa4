/* Request bodies: strict RFC 8259 in front of json-c.
 *
 * json-c 0.16 accepts, even with JSON_TOKENER_STRICT, single-quoted
 * strings, NaN and Infinity, raw control characters in strings, lone
 * surrogate escapes, overlong and surrogate UTF-8, "1." and duplicate
 * members (the last silently wins). A secrets store must not guess what a
 * client meant, so every body first passes a strict scanner here; json-c
 * then builds the tree from text that is known to be well formed. */
#ifndef LOCKBOX_JSON_H
#define LOCKBOX_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"

#define JSON_MAX_DEPTH		16
#define JSON_SHAPE_NAMES_MAX	32
#define JSON_NAME_MAX		128	/* a name as reported: 127 bytes */

/* What a body may hold. json-c spends hundreds of bytes per value (an
 * array of 350,000 "{}" in 1 MiB took 270 MB), so a body of the wrong
 * shape is refused by the scanner, which allocates nothing that grows
 * with it, before json-c sees it. The shape: one object whose members
 * are among names, each a scalar (string, number, true, false, null)
 * or, for the names marked in objects, an object of at most max_inner
 * members that are scalars. No array anywhere, no object deeper than
 * the second level. */
struct json_shape {
	const char *const	*names;
	unsigned		 nnames;	/* <= JSON_SHAPE_NAMES_MAX */
	uint32_t		 objects;	/* bit i: names[i] may be one */
	unsigned		 max_inner;
};

enum json_fault {
	JSON_FAULT_NONE = 0,
	JSON_FAULT_NOT_SCALAR,	/* an array, or an object it may not be */
	JSON_FAULT_TOO_MANY,	/* its object has over max_inner members */
	JSON_FAULT_INNER,	/* a member of its object is not a scalar */
};

enum json_result {
	JSON_OK,		/* *out holds the tree */
	JSON_INVALID,		/* not one strict JSON object: why says why */
	JSON_MISSHAPEN,		/* strict JSON of another shape: see below */
};

/* What json_parse_shaped found. A syntax error anywhere makes the body
 * JSON_INVALID, whatever else is wrong with it. Member names are
 * compared and reported decoded ("na\u006de" is "name"), cut to
 * JSON_NAME_MAX - 1 bytes. */
struct json_report {
	char		 why[160];	/* JSON_INVALID: for people */
	uint32_t	 present;	/* bit i: names[i] is in the body */
	/* enum json_fault of each name */
	unsigned char	 fault[JSON_SHAPE_NAMES_MAX];
	int		 has_unknown;	/* a member not in names ... */
	char		 unknown[JSON_NAME_MAX];	/* ... the first */
	int		 inner_of;	/* the first JSON_FAULT_INNER, -1 */
	char		 inner[JSON_NAME_MAX];	/* its member at fault */
};

/* Parses text[0..len) as exactly one JSON object of the given shape. On
 * JSON_OK *out owns the tree (release it with json_free_wiped);
 * otherwise *out is NULL and r says what is wrong. A member repeated at
 * the top level is JSON_INVALID; one repeated inside an object is found
 * only in a body that has the shape otherwise.
 *
 * The bound: json-c then holds at most 1 + nnames + k * max_inner
 * values, k the number of names that may be objects, and the scanner
 * counts the members of 1 + k objects; json-c's strings together, and
 * its text buffer, are at most len bytes each. */
enum json_result json_parse_shaped(const char *text, size_t len,
	    const struct json_shape *, struct json_report *r,
	    struct json_object **out);

/* Parses text[0..len) as exactly one JSON object of any shape. Returns
 * the tree (the caller releases it with json_free_wiped), or NULL with a
 * message for people in why. Its size is not bounded by the body's: for
 * trusted text and tests, never for a request body. */
struct json_object *json_parse_object(const char *text, size_t len,
	    char *why, size_t whylen);

/* Releases a tree after zeroing every string in it: a body can carry a
 * secret value. */
void	json_free_wiped(struct json_object *);

/* Writes o in a canonical form: members sorted by name, strings escaped
 * one way. Two bodies that are the same JSON value (whatever their member
 * order, whitespace or \u escapes) give the same bytes. */
void	json_canonical(struct buf *, struct json_object *o);

/* Writes o compactly, members in their order. Strings only, as the
 * metadata objects lockbox stores. */
void	json_write(struct buf *, struct json_object *o);

#endif
