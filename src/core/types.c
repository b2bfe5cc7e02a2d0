/* types.c - names of the domain enums (types.h) and the text forms of
 * text.h: feature and scope lists, ISO-8601 times, days and durations. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/types.h"

/* name and parse for one X-macro list with two-argument entries */
#define NAMES(type, list, count)                                     \
	static const char *const type##_names[] = {                          \
		list(NAME_ENTRY)                                             \
	};                                                                   \
	const char *type##_name(enum type v)                                 \
	{                                                                    \
		return (unsigned)v < count ? type##_names[v] : "?";          \
	}                                                                    \
	int type##_parse(const char *s, enum type *out)                      \
	{                                                                    \
		for (int i = 0; s && i < count; i++) {                       \
			if (!strcmp(s, type##_names[i])) {                   \
				*out = (enum type)i;                         \
				return 0;                                    \
			}                                                    \
		}                                                            \
		return -1;                                                   \
	}
#define NAME_ENTRY(e, s) s,

NAMES(tenant_status, TENANT_STATUSES, TENANT_STATUS_COUNT)
NAMES(member_role, MEMBER_ROLES, ROLE_COUNT)
NAMES(staff_role, STAFF_ROLES, STAFF_ROLE_COUNT)
NAMES(quota_window, QUOTA_WINDOWS, WINDOW_COUNT)
NAMES(setting_type, SETTING_TYPES, SETTING_TYPE_COUNT)
NAMES(feature, FEATURES, FEATURE_COUNT)
NAMES(resource, RESOURCES, RESOURCE_COUNT)
NAMES(scope, SCOPES, SCOPE_COUNT)

/* ---- comma lists ------------------------------------------------------- */

/* snprintf that tracks the length; -1 once anything did not fit */
static int append(char *buf, size_t size, int len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len < 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - (size_t)len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - (size_t)len)
		return -1;
	return len + n;
}

static int mask_format(char *buf, size_t size, uint32_t m, int count,
		       const char *const names[])
{
	int len = 0;

	if (!buf || !size)
		return -1;
	buf[0] = '\0';
	for (int i = 0; i < count; i++)
		if (m & (UINT32_C(1) << i))
			len = append(buf, size, len, "%s%s", len ? "," : "",
				     names[i]);
	return len;
}

static int mask_parse(uint32_t *out, const char *s, const char *field,
		      struct err *e, int count, const char *const names[])
{
	*out = 0;
	if (!s)
		return err_field(e, field, "%s: missing", field);
	while (*s) {
		const char *end;
		size_t len;
		int i;

		while (*s == ' ')
			s++;
		end = s + strcspn(s, ",");
		len = (size_t)(end - s);
		while (len && s[len - 1] == ' ')
			len--;
		for (i = 0; i < count; i++)
			if (strlen(names[i]) == len && !memcmp(names[i], s, len))
				break;
		if (i == count)
			return err_field(e, field, "%s: unknown name \"%.*s\"",
					 field, (int)len, s);
		if (*out & (UINT32_C(1) << i))
			return err_field(e, field, "%s: \"%s\" named twice",
					 field, names[i]);
		*out |= UINT32_C(1) << i;
		if (!*end)
			break;
		s = end + 1;
		if (!*s)
			return err_field(e, field, "%s: trailing comma", field);
	}
	return 0;
}

int feature_mask_format(char *buf, size_t size, feature_mask m)
{
	return mask_format(buf, size, m, FEATURE_COUNT, feature_names);
}

int feature_mask_parse(feature_mask *out, const char *s, const char *field,
		       struct err *e)
{
	return mask_parse(out, s, field, e, FEATURE_COUNT, feature_names);
}

int scope_mask_format(char *buf, size_t size, scope_mask m)
{
	return mask_format(buf, size, m, SCOPE_COUNT, scope_names);
}

int scope_mask_parse(scope_mask *out, const char *s, const char *field,
		     struct err *e)
{
	return mask_parse(out, s, field, e, SCOPE_COUNT, scope_names);
}

/* ---- calendar ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct civil *c)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(yoe + era * 400 + (c->month <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void time_to_civil(struct civil *out, usec_t t)
{
	int64_t days = floor_div(t, USEC_PER_DAY);
	int64_t rest = t - days * USEC_PER_DAY;

	civil_from_days(days, out);
	out->hour = (int)(rest / USEC_PER_HOUR);
	out->min = (int)(rest / USEC_PER_MIN % 60);
	out->sec = (int)(rest / USEC_PER_SEC % 60);
	out->usec = (int)(rest % USEC_PER_SEC);
}

usec_t time_from_civil(const struct civil *c)
{
	int64_t m0 = (int64_t)c->month - 1;
	int64_t y = c->year + floor_div(m0, 12);
	int64_t m = m0 - floor_div(m0, 12) * 12 + 1;
	int64_t days = days_from_civil(y, m, 1) + c->day - 1;

	return days * USEC_PER_DAY + c->hour * USEC_PER_HOUR +
	       c->min * USEC_PER_MIN + c->sec * USEC_PER_SEC + c->usec;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* ---- times ------------------------------------------------------------- */

/* n as `width` digits at p. */
static char *put_digits(char *p, int n, int width)
{
	for (int i = width - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
	return p + width;
}

int time_format(char *buf, size_t size, usec_t t)
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
	len = append(buf, size, 0, "%04d-%02d-%02dT%02d:%02d:%02d", c.year,
		     c.month, c.day, c.hour, c.min, c.sec);
	if (c.usec && c.usec % 1000 == 0)
		len = append(buf, size, len, ".%03d", c.usec / 1000);
	else if (c.usec)
		len = append(buf, size, len, ".%06d", c.usec);
	return append(buf, size, len, "Z");
}

int day_format(char *buf, size_t size, usec_t t)
{
	struct civil c;

	if (!buf || !size)
		return -1;
	time_to_civil(&c, t);
	return append(buf, size, 0, "%04d-%02d-%02d", c.year, c.month, c.day);
}

/* Exactly n digits at *s; advances *s. -1 when not. */
static int digits(const char **s, int n)
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
static int parse_fraction(const char **s, int *usec)
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
static int parse_offset(const char *s, int *offset)
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

static int parse_date(const char **s, struct civil *c)
{
	if ((c->year = digits(s, 4)) < 0 || *(*s)++ != '-' ||
	    (c->month = digits(s, 2)) < 1 || c->month > 12 ||
	    *(*s)++ != '-' || (c->day = digits(s, 2)) < 1 ||
	    c->day > days_in_month(c->year, c->month))
		return -1;
	return 0;
}

static int parse_clock(const char **s, struct civil *c)
{
	if ((c->hour = digits(s, 2)) < 0 || c->hour > 23 || *(*s)++ != ':' ||
	    (c->min = digits(s, 2)) < 0 || c->min > 59 || *(*s)++ != ':' ||
	    (c->sec = digits(s, 2)) < 0 || c->sec > 59)
		return -1;
	return parse_fraction(s, &c->usec);
}

int time_parse(usec_t *out, const char *s, const char *field, struct err *e)
{
	struct civil c = {0};
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
	{'w', 7 * USEC_PER_DAY}, {'d', USEC_PER_DAY}, {'h', USEC_PER_HOUR},
	{'m', USEC_PER_MIN},     {'s', USEC_PER_SEC},
};
#define NUNITS (sizeof units / sizeof units[0])

static usec_t unit_usec(char unit)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (units[i].unit == unit)
			return units[i].usec;
	return 0;
}

int duration_parse(usec_t *out, const char *s, const char *field,
		   struct err *e)
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
		return err_field(e, field, "%s: duration must be positive",
				 field);
	*out = total;
	return 0;
bad:
	return err_field(e, field,
			 "%s: \"%.40s\" is not a duration like 30d, 12h, 90m",
			 field, s);
big:
	return err_field(e, field, "%s: duration is too long", field);
}

int duration_format(char *buf, size_t size, usec_t d)
{
	int len = 0;

	if (!buf || !size)
		return -1;
	buf[0] = '\0';
	if (d < 0)
		len = append(buf, size, len, "-");
	for (size_t i = 1; i < NUNITS; i++) {
		int64_t n = d / units[i].usec;

		d %= units[i].usec;
		if (n)
			len = append(buf, size, len, "%lld%c",
				     (long long)(n < 0 ? -n : n), units[i].unit);
	}
	if (len == 0 || (len == 1 && buf[0] == '-'))
		len = append(buf, size, 0, "0s");
	return len;
}
