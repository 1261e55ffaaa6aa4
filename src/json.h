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

#include <json-c/json.h>

#include "buf.h"

#define JSON_MAX_DEPTH	16

/* Parses text[0..len) as exactly one JSON object. Returns the tree (the
 * caller releases it with json_free_wiped), or NULL with a message for
 * people in why. */
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
