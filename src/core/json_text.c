/* json_text.c - JSON written straight to text (json_text.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"

static void
grow(struct jtext *j, size_t more)
{
	size_t cap;
	char *p;

	if (j->failed || j->len + more + 1 <= j->cap)
		return;
	cap = j->cap ? j->cap : 1024;
	while (cap < j->len + more + 1)
		cap *= 2;
	if (!(p = realloc(j->buf, cap))) {
		j->failed = true;
		return;
	}
	j->buf = p;
	j->cap = cap;
}

static void
put(struct jtext *j, const char *s, size_t n)
{
	grow(j, n);
	if (j->failed)
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/* The separator before a value or key at the current level. */
static void
sep(struct jtext *j)
{
	if (j->comma)
		put(j, ",", 1);
	j->comma = true;
}

void
jt_open(struct jtext *j, char brace)
{
	sep(j);
	put(j, &brace, 1);
	j->comma = false;
}

void
jt_close(struct jtext *j, char brace)
{
	put(j, &brace, 1);
	j->comma = true;
}

void
jt_key(struct jtext *j, const char *key)
{
	sep(j);
	put(j, "\"", 1);
	put(j, key, strlen(key));
	put(j, "\":", 2);
	j->comma = false; /* the value follows without a comma */
}

void
jt_str(struct jtext *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	sep(j);
	put(j, "\"", 1);
	while (*p && !j->failed) {
		uint32_t cp;
		int n;

		if (*p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) {
			p++;
			continue;
		}
		put(j, (const char *)run, (size_t)(p - run));
		if (*p >= 0x80) {
			/* as jansson: strict UTF-8 or the text fails; a short
			 * sequence stops at the terminating NUL */
			if ((n = utf8_decode(p, 4, &cp)) < 0) {
				j->failed = true;
				return;
			}
			put(j, (const char *)p, (size_t)n);
			p += n;
		} else {
			char esc[8];

			switch (*p) {
			case '"':
				memcpy(esc, "\\\"", 3);
				break;
			case '\\':
				memcpy(esc, "\\\\", 3);
				break;
			case '\b':
				memcpy(esc, "\\b", 3);
				break;
			case '\f':
				memcpy(esc, "\\f", 3);
				break;
			case '\n':
				memcpy(esc, "\\n", 3);
				break;
			case '\r':
				memcpy(esc, "\\r", 3);
				break;
			case '\t':
				memcpy(esc, "\\t", 3);
				break;
			default:
				snprintf(esc, sizeof esc, "\\u%04X", *p);
				break;
			}
			put(j, esc, strlen(esc));
			p++;
		}
		run = p;
	}
	put(j, (const char *)run, (size_t)(p - run));
	put(j, "\"", 1);
}

void
jt_int(struct jtext *j, long long v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", v);

	sep(j);
	put(j, b, (size_t)n);
}

/* As jansson prints a real: 17 significant digits, and a ".0" where that
 * reads as an integer. Not finite: no JSON number, so the text fails. */
void
jt_real(struct jtext *j, double v)
{
	char b[40], *x, *d;
	int n;

	if (!isfinite(v)) {
		j->failed = true;
		return;
	}
	n = snprintf(b, sizeof b, "%.17g", v);
	if ((x = strchr(b, 'e'))) {       /* "1e-07" as "1e-7", "2.5e+300" as "2.5e300" */
		x += x[1] == '-' ? 2 : 1; /* where the exponent's digits go */
		d = *x == '+' ? x + 1 : x;
		while (*d == '0' && d[1])
			d++;
		memmove(x, d, strlen(d) + 1);
		n = (int)strlen(b);
	} else if (!strchr(b, '.')) {
		n += snprintf(b + n, sizeof b - (size_t)n, ".0");
	}
	sep(j);
	put(j, b, (size_t)n);
}

void
jt_time(struct jtext *j, usec_t t)
{
	char b[TIME_LEN];

	if (t == 0) {
		sep(j);
		put(j, "null", 4);
		return;
	}
	if (time_format(b, sizeof b, t) < 0) {
		j->failed = true;
		return;
	}
	jt_str(j, b);
}

void
jt_json(struct jtext *j, const char *json_text)
{
	size_t len = json_text ? strlen(json_text) : 0;

	sep(j);
	if (!json_text)
		put(j, "null", 4);
	else if (json_text_depth(json_text, len, JSON_READ_DEPTH_MAX) > JSON_READ_DEPTH_MAX)
		put(j, JSON_TOO_DEEP, strlen(JSON_TOO_DEEP)); /* as json_load_stored */
	else
		put(j, json_text, len);
}

char *
jt_take(struct jtext *j)
{
	char *s = j->buf;

	if (j->failed || !s) {
		free(s);
		s = NULL;
	} else {
		s[j->len] = '\0';
	}
	memset(j, 0, sizeof *j);
	return s;
}

static void
features(struct jtext *j, feature_mask m)
{
	jt_open(j, '[');
	for (int i = 0; i < FEATURE_COUNT; i++)
		if (m & (UINT32_C(1) << i))
			jt_str(j, feature_name((enum feature)i));
	jt_close(j, ']');
}

void
tenant_json_text(struct jtext *j, const struct tenant *t)
{
	jt_open(j, '{');
	jt_key(j, "id");
	jt_str(j, t->id);
	jt_key(j, "slug");
	jt_str(j, t->slug);
	jt_key(j, "name");
	jt_str(j, t->name);
	jt_key(j, "domain");
	jt_str(j, t->domain);
	jt_key(j, "tier");
	jt_str(j, t->tier);
	jt_key(j, "billing_email");
	jt_str(j, t->billing_email);
	jt_key(j, "billing_status");
	jt_str(j, t->billing_status);
	jt_key(j, "contact_phone");
	jt_str(j, t->contact_phone);
	jt_key(j, "timezone");
	jt_str(j, t->timezone);
	jt_key(j, "locale");
	jt_str(j, t->locale);
	jt_key(j, "status");
	jt_str(j, tenant_status_name(t->status));
	jt_key(j, "trial_ends_at");
	jt_time(j, t->trial_ends_at);
	jt_key(j, "deletion_due_at");
	jt_time(j, t->deletion_due_at);
	jt_key(j, "created_at");
	jt_time(j, t->created_at);
	jt_key(j, "updated_at");
	jt_time(j, t->updated_at);
	jt_key(j, "members");
	jt_int(j, t->members);
	jt_key(j, "health");
	jt_int(j, t->health);
	jt_key(j, "usage_peak");
	jt_real(j, t->usage_peak);
	jt_key(j, "health_as_of");
	jt_time(j, t->health_at);
	jt_key(j, "features_on");
	features(j, t->features_on);
	jt_key(j, "features_off");
	features(j, t->features_off);
	jt_key(j, "settings");
	jt_json(j, t->settings_json);
	jt_key(j, "branding");
	jt_json(j, t->branding_json);
	jt_close(j, '}');
}

void
tenant_page_json_text(struct jtext *j, const struct tenant *rows, size_t n, const char *next)
{
	jt_open(j, '{');
	jt_key(j, "items");
	jt_open(j, '[');
	for (size_t i = 0; i < n; i++)
		tenant_json_text(j, &rows[i]);
	jt_close(j, ']');
	jt_key(j, "next");
	jt_str(j, next ? next : "");
	jt_close(j, '}');
}
