/* quota.c - quota arithmetic of quota.h. */
#include <stdio.h>
#include <string.h>

#include "core/quota.h"
#include "core/text.h"

static const struct {
	const char *name;
	int pct;
} levels[] = {
#define X(e, s, pct) { s, pct },
	QUOTA_LEVELS(X)
#undef X
};

double
quota_fraction(int64_t used, int64_t limit)
{
	double f;

	if (limit < 0 || used <= 0)
		return 0.0;
	if (limit == 0)
		return QUOTA_FRACTION_MAX;
	f = (double)used / (double)limit;
	return f > QUOTA_FRACTION_MAX ? QUOTA_FRACTION_MAX : f;
}

int
quota_percent(int64_t used, int64_t limit)
{
	__int128 u = used < 0 ? 0 : used, p;

	if (limit < 0)
		return -1;
	if (limit == 0)
		return 100;
	p = u * 100 / limit;
	return p > 999 ? 999 : (int)p;
}

int
quota_fraction_percent(double fraction)
{
	double p = fraction * 100 + 1e-9; /* 0.29 * 100 is 28.999... */

	if (!(p > 0))
		return 0;
	return p >= 999 ? 999 : (int)p;
}

const char *
quota_level_name(enum quota_level l)
{
	return (unsigned)l < QUOTA_LEVEL_COUNT ? levels[l].name : "?";
}

int
quota_level_pct(enum quota_level l)
{
	return (unsigned)l < QUOTA_LEVEL_COUNT ? levels[l].pct : 0;
}

static bool
reached(int64_t used, int64_t limit, int pct)
{
	return limit >= 0 && used > 0 && (__int128)used * 100 >= (__int128)limit * pct;
}

enum quota_level
quota_level(int64_t used, int64_t limit)
{
	for (int l = QUOTA_LEVEL_COUNT - 1; l > QUOTA_OK; l--)
		if (reached(used, limit, levels[l].pct))
			return (enum quota_level)l;
	return QUOTA_OK;
}

unsigned
quota_crossed(int64_t before, int64_t after, int64_t limit)
{
	unsigned mask = 0;

	for (int l = QUOTA_WARN80; l < QUOTA_LEVEL_COUNT; l++)
		if (reached(after, limit, levels[l].pct) && !reached(before, limit, levels[l].pct))
			mask |= 1u << l;
	return mask;
}

enum quota_level
quota_highest(unsigned crossed)
{
	for (int l = QUOTA_LEVEL_COUNT - 1; l > QUOTA_OK; l--)
		if (crossed & (1u << l))
			return (enum quota_level)l;
	return QUOTA_OK;
}

static usec_t
floor_to(usec_t t, usec_t unit)
{
	usec_t r = t % unit;
	return r < 0 ? t - r - unit : t - r;
}

/* month_step 0: start of now's month; 1: start of the next. */
static usec_t
month_start(usec_t now, int month_step)
{
	struct civil c;

	time_to_civil(&c, now);
	c.month += month_step;
	c.day = 1;
	c.hour = c.min = c.sec = c.usec = 0;
	return time_from_civil(&c);
}

usec_t
quota_window_start(enum quota_window w, usec_t now)
{
	switch (w) {
	case WINDOW_HOUR:
		return floor_to(now, USEC_PER_HOUR);
	case WINDOW_DAY:
		return floor_to(now, USEC_PER_DAY);
	case WINDOW_MONTH:
		return month_start(now, 0);
	default:
		return 0;
	}
}

usec_t
quota_window_end(enum quota_window w, usec_t now)
{
	switch (w) {
	case WINDOW_HOUR:
		return floor_to(now, USEC_PER_HOUR) + USEC_PER_HOUR;
	case WINDOW_DAY:
		return floor_to(now, USEC_PER_DAY) + USEC_PER_DAY;
	case WINDOW_MONTH:
		return month_start(now, 1);
	default:
		return 0;
	}
}

bool
quota_would_fit(int64_t used, int64_t limit, int64_t amount)
{
	if (limit < 0 || amount <= 0)
		return true;
	if (used > INT64_MAX - amount)
		return false;
	return used + amount <= limit;
}

/* n scaled by base until below base, printed with unit suffixes. */
static int
format_scaled(char *buf, size_t size, int64_t n, double base, const char *const units[],
	      size_t nunits, const char *sep)
{
	double v = n < 0 ? -(double)n : (double)n;
	size_t u = 0;

	if (n == -1)
		return snprintf(buf, size, "unlimited");
	while (u + 1 < nunits && v >= base) {
		v /= base;
		u++;
	}
	if (u == 0)
		return snprintf(buf, size, "%lld%s%s", (long long)n, sep, units[0]);
	if (u + 1 < nunits && v >= base - 0.5) {
		v /= base;
		u++;
	}
	if (v < 99.95 && (long long)(v * 10 + 0.5) % 10)
		return snprintf(buf, size, "%s%.1f%s%s", n < 0 ? "-" : "", v, sep, units[u]);
	return snprintf(buf, size, "%s%.0f%s%s", n < 0 ? "-" : "", v, sep, units[u]);
}

int
quota_format_bytes(char *buf, size_t size, int64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	return format_scaled(buf, size, bytes, 1024.0, units, 7, " ");
}

int
quota_format_count(char *buf, size_t size, int64_t n)
{
	static const char *const units[] = { "", "k", "M", "G", "T", "P", "E" };
	return format_scaled(buf, size, n, 1000.0, units, 7, "");
}

int
quota_format_grouped(char *buf, size_t size, int64_t n)
{
	char digits[24], out[32];
	size_t len, o = 0;

	if (n == -1)
		return snprintf(buf, size, "unlimited");
	len = (size_t)snprintf(digits, sizeof digits, "%lld", (long long)n);
	for (size_t i = 0; i < len; i++) {
		size_t left = len - i;
		out[o++] = digits[i];
		if (digits[i] != '-' && left > 1 && (left - 1) % 3 == 0)
			out[o++] = ',';
	}
	out[o] = '\0';
	return snprintf(buf, size, "%s", out);
}
