/* json_limit.h - how deep and how large a JSON value may be, and the
 * checks that hold every way in and out of tenantry to it.
 *
 * jansson parses, prints and frees recursively: a value nested a few
 * thousand levels deep exhausts a request task's stack (512 KiB). So
 * nothing deep is ever handed to it: texts are measured first, by a scan
 * that does not recurse, and refused (requests) or replaced (stored texts
 * read back) when they nest too deeply. The database holds stored values
 * to the same limits (src/sql/017_input_limits.sql).
 */
#ifndef TENANTRY_JSON_LIMIT_H
#define TENANTRY_JSON_LIMIT_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* Levels of arrays and objects a JSON value a client sends may nest (a
 * member of a request body, a setting of type json, settings, branding,
 * permissions, audit detail): {"a":{}} is 2, a scalar 0. A request body
 * itself may nest one level more (its own object). */
#define JSON_DEPTH_MAX 32
/* Bytes of a stored JSON value (settings, branding, permissions, audit
 * detail), as compact text. */
#define JSON_VALUE_MAX (32 * 1024)
/* Stored texts nested deeper than this (rows older than the limits, or
 * written around them) are not parsed when read back: they are replaced
 * by JSON_TOO_DEEP. Above JSON_DEPTH_MAX + 1 (an audited row holds its
 * settings one level down). */
#define JSON_READ_DEPTH_MAX 64
/* What a stored value too deep to read is shown as. */
#define JSON_TOO_DEEP "{\"error\":\"nested_too_deep\"}"

/* The deepest nesting of arrays and objects in the JSON text s[0..len)
 * (brackets inside strings do not count), counted up to stop: the result
 * is min(depth, stop + 1). Malformed text is measured as it stands. */
int json_text_depth(const char *s, size_t len, int stop);

/* Checks a request body s[0..len) before it is parsed: 0 when it nests at
 * most max + 1 levels; else -1 with e = ERR_INVALID_FIELD naming the
 * top-level member under which it nests too deeply ("body" when there is
 * none). */
int json_body_check(const char *s, size_t len, int max, struct err *e);

/* The depth of a parsed value, up to stop (as json_text_depth); does not
 * recurse. */
int json_value_depth(json_t *v, int stop);

/* Checks a JSON value a client sends for storage: at most JSON_DEPTH_MAX
 * levels and JSON_VALUE_MAX bytes of compact text. 0 and *text (malloc'd,
 * the caller's) on success; -1 with e = ERR_INVALID_FIELD naming field,
 * or ERR_INTERNAL when out of memory. */
int json_value_text(char **text, json_t *v, const char *field, struct err *e);

/* Parses a stored JSON text for a reply: NULL text is JSON null, a text
 * nested deeper than JSON_READ_DEPTH_MAX is JSON_TOO_DEEP. A new
 * reference, or NULL when out of memory or the text does not parse. */
json_t *json_load_stored(const char *text);

#endif
