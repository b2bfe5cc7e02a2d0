/* text.h - text forms of domain values: feature and scope lists, times,
 * calendar days and durations.
 *
 * Formatting functions write into a caller buffer and return the length
 * written, or -1 when the buffer is too small (it then holds a truncated,
 * NUL-terminated prefix). Parsing functions return 0 and set *out, or -1 and
 * fill e (ERR_INVALID_FIELD naming `field`); *out is zeroed on entry.
 */
#ifndef TENANTRY_TEXT_H
#define TENANTRY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/types.h"

#define USEC_PER_SEC INT64_C(1000000)
#define USEC_PER_MIN (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)

#define TIME_LEN 40 /* "2026-11-22T10:00:00.123456Z" + NUL, with room */
#define DAY_LEN 11  /* "2026-11-22" + NUL */

/* snprintf at buf + len that tracks the length: the new length, or -1
 * once anything did not fit (and from then on). */
int text_append(char *buf, size_t size, int len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* FNV-1a of a string: for hash tables keyed by ids, never for security. */
uint32_t text_hash(const char *s);

/* "analytics,sso" in catalog order; "" for an empty mask. */
int feature_mask_format(char *buf, size_t size, feature_mask m);
/* Comma list of feature names (spaces around names allowed, "" = none);
 * an unknown or repeated name is an error. */
int feature_mask_parse(feature_mask *out, const char *s, const char *field, struct err *e);

/* "tenant:read,users:read" in catalog order; "" for an empty mask. */
int scope_mask_format(char *buf, size_t size, scope_mask m);
int scope_mask_parse(scope_mask *out, const char *s, const char *field, struct err *e);

/* A UTC calendar time broken down; usec is 0..999999. */
struct civil {
	int year, month, day, hour, min, sec, usec;
};

void time_to_civil(struct civil *out, usec_t t);
/* Fields out of range are normalised arithmetically (month 13 = next
 * January), which quota windows use to step months. */
usec_t time_from_civil(const struct civil *c);

/* ISO-8601 UTC: "2026-11-22T10:00:00Z"; fractional seconds only when not
 * whole, as 3 digits when whole milliseconds, else 6 ("...00.250Z"). */
int time_format(char *buf, size_t size, usec_t t);
/* Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm|+hh|+hhmm)", 't' or
 * ' ' as separator, 1..9 fraction digits (beyond microseconds truncated),
 * or a bare "YYYY-MM-DD" (midnight UTC). */
int time_parse(usec_t *out, const char *s, const char *field, struct err *e);

/* "2026-11-22" of the UTC day t falls in. */
int day_format(char *buf, size_t size, usec_t t);
/* "2026-11-22 10:00" (UTC, to the minute), for tables. */
int time_format_minutes(char *buf, size_t size, usec_t t);
/* t for a screen, in local time: "10:00:05" when on now's day, "Nov 22"
 * in now's year, else "2026-11-22". */
int time_format_local(char *buf, size_t size, usec_t t, usec_t now);

/* A positive duration: one or more <digits><unit>, unit s m h d w
 * ("30d", "12h", "90m", "1h30m"). */
int duration_parse(usec_t *out, const char *s, const char *field, struct err *e);
/* Days, hours, minutes, seconds, zero parts left out: "1d2h", 90 s ->
 * "1m30s", 0 -> "0s"; what is below a second is dropped. */
int duration_format(char *buf, size_t size, usec_t d);

#endif
