/* time_text.c - times, calendar days and durations as text: the one
 * module for time (text.h and time_text.h), on top of libc's UTC
 * conversions (gmtime_r, timegm). ISO-8601 formatting is written out by
 * hand, since every reply and export line carries several. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"

/* ---- calendar, on libc's UTC conversions --------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void
time_to_civil(struct civil *out, usec_t t)
{
	int64_t secs = floor_div(t, USEC_PER_SEC);
	time_t s = (time_t)secs;
	struct tm tm;

	memset(out, 0, sizeof *out);
	if (!gmtime_r(&s, &tm))
		return;
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->min = tm.tm_min;
	out->sec = tm.tm_sec;
	out->usec = (int)(t - secs * USEC_PER_SEC);
}

usec_t
time_from_civil(const struct civil *c)
{
	struct tm tm = { .tm_year = c->year - 1900,
			 .tm_mon = c->month - 1,
			 .tm_mday = c->day,
			 .tm_hour = c->hour,
			 .tm_min = c->min,
			 .tm_sec = c->sec };

	/* timegm normalises fields out of range (month 13 = next January) */
	return (usec_t)timegm(&tm) * USEC_PER_SEC + c->usec;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* ---- times ------------------------------------------------------------- */

/* n as `width` digits at p. */
static char *
put_digits(char *p, int n, int width)
{
	for (int i = width - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
	return p + width;
}

int
time_format(char *buf, size_t size, usec_t t)
{
	struct civil c;
	int len;

	if (!buf || !size)
		return -1;
	time_to_civil(&c, t);
	if (c.year >= 0 && c.year <= 9999 && size >= 28) {
		/* by hand: every reply and export line carries several */
		char *p = put_digits(buf, c.year, 4);

		*p++ = '-';
		p = put_digits(p, c.month, 2);
		*p++ = '-';
		p = put_digits(p, c.day, 2);
		*p++ = 'T';
		p = put_digits(p, c.hour, 2);
		*p++ = ':';
		p = put_digits(p, c.min, 2);
		*p++ = ':';
		p = put_digits(p, c.sec, 2);
		if (c.usec && c.usec % 1000 == 0) {
			*p++ = '.';
			p = put_digits(p, c.usec / 1000, 3);
		} else if (c.usec) {
			*p++ = '.';
			p = put_digits(p, c.usec, 6);
		}
		*p++ = 'Z';
		*p = '\0';
		return (int)(p - buf);
	}
	len = text_append(buf, size, 0, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day,
			  c.hour, c.min, c.sec);
	if (c.usec && c.usec % 1000 == 0)
		len = text_append(buf, size, len, ".%03d", c.usec / 1000);
	else if (c.usec)
		len = text_append(buf, size, len, ".%06d", c.usec);
	return text_append(buf, size, len, "Z");
}

int
day_format(char *buf, size_t size, usec_t t)
{
	struct civil c;

	if (!buf || !size)
		return -1;
	time_to_civil(&c, t);
	return text_append(buf, size, 0, "%04d-%02d-%02d", c.year, c.month, c.day);
}

int
time_format_minutes(char *buf, size_t size, usec_t t)
{
	struct civil c;

	if (!buf || !size)
		return -1;
	time_to_civil(&c, t);
	return text_append(buf, size, 0, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour,
			   c.min);
}

int
time_format_local(char *buf, size_t size, usec_t t, usec_t now)
{
	time_t s = (time_t)floor_div(t, USEC_PER_SEC), n = (time_t)floor_div(now, USEC_PER_SEC);
	struct tm tm, today;
	const char *fmt = "%Y-%m-%d";

	if (!buf || !size || !localtime_r(&s, &tm) || !localtime_r(&n, &today))
		return -1;
	if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
		fmt = "%H:%M:%S";
	else if (tm.tm_year == today.tm_year)
		fmt = "%b %d";
	return strftime(buf, size, fmt, &tm) ? (int)strlen(buf) : -1;
}

/* Exactly n digits at *s; advances *s. -1 when not. */
static int
digits(const char **s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		v = v * 10 + (*s)[i] - '0';
	}
	*s += n;
	return v;
}

/* Parses ".frac" (optional) into microseconds. */
static int
parse_fraction(const char **s, int *usec)
{
	int n = 0;

	*usec = 0;
	if (**s != '.')
		return 0;
	for ((*s)++; isdigit((unsigned char)**s); (*s)++, n++)
		if (n < 6)
			*usec = *usec * 10 + **s - '0';
	if (n == 0 || n > 9)
		return -1;
	for (; n < 6; n++)
		*usec *= 10;
	return 0;
}

/* "Z", "+hh", "+hhmm", "+hh:mm" (or '-') into seconds east of UTC. */
static int
parse_offset(const char *s, int *offset)
{
	int sign, h, m = 0;

	if ((s[0] == 'Z' || s[0] == 'z') && !s[1]) {
		*offset = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if ((h = digits(&s, 2)) < 0 || h > 23)
		return -1;
	if (*s == ':')
		s++;
	if (*s && ((m = digits(&s, 2)) < 0 || m > 59))
		return -1;
	if (*s)
		return -1;
	*offset = sign * (h * 3600 + m * 60);
	return 0;
}

static int
parse_date(const char **s, struct civil *c)
{
	if ((c->year = digits(s, 4)) < 0 || *(*s)++ != '-' || (c->month = digits(s, 2)) < 1
	    || c->month > 12 || *(*s)++ != '-' || (c->day = digits(s, 2)) < 1
	    || c->day > days_in_month(c->year, c->month))
		return -1;
	return 0;
}

static int
parse_clock(const char **s, struct civil *c)
{
	if ((c->hour = digits(s, 2)) < 0 || c->hour > 23 || *(*s)++ != ':'
	    || (c->min = digits(s, 2)) < 0 || c->min > 59 || *(*s)++ != ':'
	    || (c->sec = digits(s, 2)) < 0 || c->sec > 59)
		return -1;
	return parse_fraction(s, &c->usec);
}

int
time_parse(usec_t *out, const char *s, const char *field, struct err *e)
{
	struct civil c = { 0 };
	const char *p = s;
	int offset = 0;

	*out = 0;
	if (!s)
		return err_field(e, field, "%s: missing time", field);
	if (parse_date(&p, &c) < 0)
		goto bad;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			goto bad;
		p++;
		if (parse_clock(&p, &c) < 0 || parse_offset(p, &offset) < 0)
			goto bad;
	}
	*out = time_from_civil(&c) - offset * USEC_PER_SEC;
	return 0;
bad:
	return err_field(e, field,
			 "%s: \"%.40s\" is not an ISO-8601 time like "
			 "2026-11-22T10:00:00Z",
			 field, s);
}

/* ---- durations --------------------------------------------------------- */

static const struct {
	char unit;
	usec_t usec;
} units[] = {
	{ 'w', 7 * USEC_PER_DAY }, { 'd', USEC_PER_DAY }, { 'h', USEC_PER_HOUR },
	{ 'm', USEC_PER_MIN },     { 's', USEC_PER_SEC },
};
#define NUNITS (sizeof units / sizeof units[0])

static usec_t
unit_usec(char unit)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (units[i].unit == unit)
			return units[i].usec;
	return 0;
}

int
duration_parse(usec_t *out, const char *s, const char *field, struct err *e)
{
	const char *p = s;
	usec_t total = 0;

	*out = 0;
	if (!s || !*s)
		return err_field(e, field, "%s: missing duration", field);
	while (*p) {
		int64_t n = 0;
		usec_t per;

		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			if (n > (INT64_MAX - 9) / 10)
				goto big;
			n = n * 10 + (*p - '0');
		}
		if (!(per = unit_usec(*p++)))
			goto bad;
		if (n > (INT64_MAX - total) / per)
			goto big;
		total += n * per;
	}
	if (total == 0)
		return err_field(e, field, "%s: duration must be positive", field);
	*out = total;
	return 0;
bad:
	return err_field(e, field, "%s: \"%.40s\" is not a duration like 30d, 12h, 90m", field, s);
big:
	return err_field(e, field, "%s: duration is too long", field);
}

int
duration_format(char *buf, size_t size, usec_t d)
{
	int len = 0;

	if (!buf || !size)
		return -1;
	buf[0] = '\0';
	if (d < 0)
		len = text_append(buf, size, len, "-");
	for (size_t i = 1; i < NUNITS; i++) {
		int64_t n = d / units[i].usec;

		d %= units[i].usec;
		if (n)
			len = text_append(buf, size, len, "%lld%c", (long long)(n < 0 ? -n : n),
					  units[i].unit);
	}
	if (len == 0 || (len == 1 && buf[0] == '-'))
		len = text_append(buf, size, 0, "0s");
	return len;
}

uint32_t
text_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}
