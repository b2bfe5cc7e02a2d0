/* json_read.h - reading JSON objects field by field for the codecs of
 * json.h (internal to src/core/json*.c).
 *
 * A reader walks one object; the first problem is recorded in e with the
 * field's full path ("storage.used_gb", "tiers[2].tier") and every later
 * call does nothing, so a decoder reads its fields in a row and checks
 * rd_done() once.
 */
#ifndef TENANTRY_JSON_READ_H
#define TENANTRY_JSON_READ_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "core/types.h"

struct rd {
	json_t *obj;
	struct err *e;
	bool *failed; /* shared by a reader and its children */
	bool own_failed;
	char path[48]; /* "" at the top */
};

/* Starts reading j, which must be an object; path prefixes the fields it
 * names in errors ("" at the top, where the object itself is "body"). */
void rd_open(struct rd *r, json_t *j, const char *path, struct err *e);
/* Starts reading parent's member key (an object). */
void rd_child(struct rd *r, struct rd *parent, const char *key);
/* Starts reading element i of parent's array `key` (an object). */
void rd_element(struct rd *r, struct rd *parent, const char *key, size_t i, json_t *elem);
/* 0 when nothing failed, else -1. */
int rd_done(const struct rd *r);

/* Records a problem with key (NULL = the object itself). */
void
rd_fail(struct rd *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The full path of key in this reader, in buf. */
const char *rd_field(const struct rd *r, const char *key, char *buf, size_t size);

/* The member key, or NULL (recorded) when missing or after a failure. */
json_t *rd_get(struct rd *r, const char *key);
/* The array key (recorded when not an array, or longer than max). */
json_t *rd_array(struct rd *r, const char *key, size_t max);
const char *rd_text(struct rd *r, const char *key);
void rd_str(struct rd *r, const char *key, char *dst, size_t size);
void rd_i64(struct rd *r, const char *key, int64_t *dst);
void rd_int(struct rd *r, const char *key, int *dst);
void rd_real(struct rd *r, const char *key, double *dst);
void rd_bool(struct rd *r, const char *key, bool *dst);
void rd_time(struct rd *r, const char *key, usec_t *dst);
void rd_features(struct rd *r, const char *key, feature_mask *dst);
void rd_scopes(struct rd *r, const char *key, scope_mask *dst);
/* Optional: absent or null is no override. */
void rd_overrides(struct rd *r, const char *key, struct perm_overrides *dst);
/* An optional string: absent or null -> NULL, else a malloc'd copy. */
void rd_strdup(struct rd *r, const char *key, char **dst);
/* An optional embedded JSON value: absent or null -> NULL, else its compact
 * text, malloc'd. */
void rd_json_text(struct rd *r, const char *key, char **dst);

/* The fields of a quota (json.c). */
void rd_quota(struct rd *r, struct quota *out);
/* An optional forecast (json_forecast.c): absent or null reads as none
 * made (as_of 0), as from a server before forecasts. */
void rd_forecast(struct rd *r, const char *key, struct quota_forecast *out);

/* Reads an enum by name with its *_parse function. */
/* clang-format off */
#define RD_ENUM(r, key, parse, dst)                                          \
	do {                                                                 \
		const char *name_ = rd_text(r, key);                         \
		if (name_ && parse(name_, dst) < 0)                          \
			rd_fail(r, key, "unknown value \"%.40s\"", name_);   \
	} while (0)
/* clang-format on */

/* New string/embedded value for a text; NULL text gives null. */
json_t *jstr_or_null(const char *s);
json_t *jtext_or_null(const char *json_text);

#endif
