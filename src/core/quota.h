/* quota.h - quota arithmetic: fractions, alert thresholds, gauge levels,
 * windows and human-readable amounts. A limit of -1 means unlimited.
 */
#ifndef TENANTRY_QUOTA_H
#define TENANTRY_QUOTA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/types.h"

/* The most quota_fraction returns, for usage far past (or with) a 0 limit. */
#define QUOTA_FRACTION_MAX 10.0

/* used / limit, 0 when unlimited (or used <= 0); with limit 0 any use is
 * QUOTA_FRACTION_MAX; never above QUOTA_FRACTION_MAX. */
double quota_fraction(int64_t used, int64_t limit);
/* used as a whole percentage of limit, rounded down (99.9 % is 99: 100
 * only once the limit is reached), at most 999; 100 for any use of a 0
 * limit; -1 when unlimited. The console and the CLI both show this. */
int quota_percent(int64_t used, int64_t limit);
/* A fraction (a tenant's usage peak) as the same whole percentage: rounded
 * down, at least 0, at most 999. */
int quota_fraction_percent(double fraction);

/* How full a quota is, for alerts and gauge colours. The thresholds are
 * reached when used * 100 >= limit * pct (exact integer arithmetic) and
 * used > 0; an unlimited quota is always QUOTA_OK. */
/* clang-format off */
#define QUOTA_LEVELS(X)                                                      \
	X(OK, "ok", 0) X(WARN80, "warn80", 80) X(WARN95, "warn95", 95)       \
	X(FULL, "full", 100)
/* clang-format on */
enum quota_level {
#define X(e, s, pct) QUOTA_##e,
	QUOTA_LEVELS(X)
#undef X
	    QUOTA_LEVEL_COUNT
};

const char *quota_level_name(enum quota_level l); /* "warn80" */
int quota_level_pct(enum quota_level l);          /* 0, 80, 95, 100 */
enum quota_level quota_level(int64_t used, int64_t limit);

/* The thresholds crossed upwards going from `before` to `after` used:
 * bit (1 << level) for each level in WARN80..FULL reached at after and not
 * at before. 0 when nothing was crossed (or usage went down). */
unsigned quota_crossed(int64_t before, int64_t after, int64_t limit);
/* The highest level in a quota_crossed mask, QUOTA_OK for 0. */
enum quota_level quota_highest(unsigned crossed);

/* Start of the UTC window holding now: the hour, the day or the month;
 * 0 for WINDOW_NONE. */
usec_t quota_window_start(enum quota_window w, usec_t now);
/* Start of the next window (exclusive end); 0 for WINDOW_NONE. */
usec_t quota_window_end(enum quota_window w, usec_t now);

/* Would used + amount stay within limit? Unlimited always fits, as does
 * an amount <= 0 (a release); false when the sum would overflow. */
bool quota_would_fit(int64_t used, int64_t limit, int64_t amount);

/* Human amounts into buf (return as snprintf: the length, truncated when
 * >= size). -1 is "unlimited". One decimal below 100 of the unit, none
 * when it is .0: bytes "512 B", "1.5 GiB", "100 GiB"; counts "999",
 * "12.3k", "4.5M", "2G". */
int quota_format_bytes(char *buf, size_t size, int64_t bytes);
int quota_format_count(char *buf, size_t size, int64_t n);
/* Digits grouped by thousands: "4,620", "-1,000,000"; -1 "unlimited". */
int quota_format_grouped(char *buf, size_t size, int64_t n);

#endif
