/* json_read.c - the field readers of json_read.h and the small writers
 * shared by the JSON codecs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_read.h"
#include "core/perm.h"
#include "core/text.h"

const char *
rd_field(const struct rd *r, const char *key, char *buf, size_t size)
{
	if (!key)
		snprintf(buf, size, "%s", *r->path ? r->path : "body");
	else if (*r->path)
		snprintf(buf, size, "%s.%s", r->path, key);
	else
		snprintf(buf, size, "%s", key);
	return buf;
}

void
rd_fail(struct rd *r, const char *key, const char *fmt, ...)
{
	char field[64], msg[400];
	va_list ap;

	if (*r->failed)
		return;
	*r->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rd_field(r, key, field, sizeof field);
	err_field(r->e, field, "%s: %s", field, msg);
}

static void
rd_init(struct rd *r, json_t *j, bool *failed, struct err *e)
{
	r->obj = j;
	r->e = e;
	r->own_failed = false;
	r->failed = failed ? failed : &r->own_failed;
}

void
rd_open(struct rd *r, json_t *j, const char *path, struct err *e)
{
	rd_init(r, j, NULL, e);
	snprintf(r->path, sizeof r->path, "%s", path ? path : "");
	if (!json_is_object(j))
		rd_fail(r, NULL, "expected an object");
}

void
rd_child(struct rd *r, struct rd *parent, const char *key)
{
	rd_init(r, rd_get(parent, key), parent->failed, parent->e);
	rd_field(parent, key, r->path, sizeof r->path);
	if (!*r->failed && !json_is_object(r->obj))
		rd_fail(r, NULL, "expected an object");
}

void
rd_element(struct rd *r, struct rd *parent, const char *key, size_t i, json_t *elem)
{
	char base[48];

	rd_init(r, elem, parent->failed, parent->e);
	rd_field(parent, key, base, sizeof base);
	snprintf(r->path, sizeof r->path, "%.24s[%zu]", base, i);
	if (!*r->failed && !json_is_object(elem))
		rd_fail(r, NULL, "expected an object");
}

int
rd_done(const struct rd *r)
{
	return *r->failed ? -1 : 0;
}

json_t *
rd_get(struct rd *r, const char *key)
{
	json_t *v;

	if (*r->failed)
		return NULL;
	if (!(v = json_object_get(r->obj, key)))
		rd_fail(r, key, "missing");
	return v;
}

json_t *
rd_array(struct rd *r, const char *key, size_t max)
{
	json_t *v = rd_get(r, key);

	if (v && !json_is_array(v))
		rd_fail(r, key, "expected an array");
	else if (v && json_array_size(v) > max)
		rd_fail(r, key, "more than %zu elements", max);
	return *r->failed ? NULL : v;
}

const char *
rd_text(struct rd *r, const char *key)
{
	json_t *v = rd_get(r, key);

	if (v && !json_is_string(v))
		rd_fail(r, key, "expected a string");
	return *r->failed ? NULL : json_string_value(v);
}

void
rd_str(struct rd *r, const char *key, char *dst, size_t size)
{
	const char *s = rd_text(r, key);

	if (!s)
		return;
	if (strlen(s) >= size)
		rd_fail(r, key, "longer than %zu bytes", size - 1);
	else
		memcpy(dst, s, strlen(s) + 1);
}

void
rd_i64(struct rd *r, const char *key, int64_t *dst)
{
	json_t *v = rd_get(r, key);

	if (v && !json_is_integer(v))
		rd_fail(r, key, "expected an integer");
	else if (v)
		*dst = (int64_t)json_integer_value(v);
}

void
rd_int(struct rd *r, const char *key, int *dst)
{
	int64_t v = 0;

	rd_i64(r, key, &v);
	if (v < INT32_MIN || v > INT32_MAX)
		rd_fail(r, key, "out of range");
	else if (!*r->failed)
		*dst = (int)v;
}

void
rd_real(struct rd *r, const char *key, double *dst)
{
	json_t *v = rd_get(r, key);

	if (v && !json_is_number(v))
		rd_fail(r, key, "expected a number");
	else if (v)
		*dst = json_number_value(v);
}

void
rd_bool(struct rd *r, const char *key, bool *dst)
{
	json_t *v = rd_get(r, key);

	if (v && !json_is_boolean(v))
		rd_fail(r, key, "expected true or false");
	else if (v)
		*dst = json_is_true(v);
}

void
rd_time(struct rd *r, const char *key, usec_t *dst)
{
	char field[64];
	json_t *v = rd_get(r, key);

	if (!v || *r->failed)
		return;
	rd_field(r, key, field, sizeof field);
	if (time_from_json(dst, v, field, r->e) < 0)
		*r->failed = true;
}

void
rd_features(struct rd *r, const char *key, feature_mask *dst)
{
	char field[64];
	json_t *v = rd_get(r, key);

	if (!v || *r->failed)
		return;
	rd_field(r, key, field, sizeof field);
	if (feature_mask_from_json(dst, v, field, r->e) < 0)
		*r->failed = true;
}

void
rd_scopes(struct rd *r, const char *key, scope_mask *dst)
{
	char field[64];
	json_t *v = rd_get(r, key);

	if (!v || *r->failed)
		return;
	rd_field(r, key, field, sizeof field);
	if (scope_mask_from_json(dst, v, field, r->e) < 0)
		*r->failed = true;
}

void
rd_strdup(struct rd *r, const char *key, char **dst)
{
	json_t *v = *r->failed ? NULL : json_object_get(r->obj, key);

	*dst = NULL;
	if (!v || json_is_null(v))
		return;
	if (!json_is_string(v))
		rd_fail(r, key, "expected a string or null");
	else if (!(*dst = strdup(json_string_value(v))))
		rd_fail(r, key, "out of memory");
}

void
rd_json_text(struct rd *r, const char *key, char **dst)
{
	json_t *v = *r->failed ? NULL : json_object_get(r->obj, key);

	*dst = NULL;
	if (!v || json_is_null(v))
		return;
	*dst = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!*dst)
		rd_fail(r, key, "out of memory");
}

json_t *
jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
jtext_or_null(const char *json_text)
{
	return json_load_stored(json_text);
}

/* ---- times and masks ----------------------------------------------------- */

json_t *
time_to_json(usec_t t)
{
	char buf[TIME_LEN];

	if (t == 0)
		return json_null();
	if (time_format(buf, sizeof buf, t) < 0)
		return NULL;
	return json_string(buf);
}

int
time_from_json(usec_t *out, json_t *j, const char *field, struct err *e)
{
	*out = 0;
	if (json_is_null(j))
		return 0;
	if (!json_is_string(j))
		return err_field(e, field, "%s: expected a time string or null", field);
	return time_parse(out, json_string_value(j), field, e);
}

static json_t *
names_to_json(uint32_t m, int count, const char *(*name)(int i))
{
	json_t *a = json_array();

	for (int i = 0; a && i < count; i++) {
		if ((m & (UINT32_C(1) << i))
		    && json_array_append_new(a, json_string(name(i))) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int
names_from_json(uint32_t *out, json_t *j, const char *field, struct err *e,
		int (*parse)(const char *s))
{
	size_t i;
	json_t *v;

	*out = 0;
	if (!json_is_array(j))
		return err_field(e, field, "%s: expected an array of names", field);
	json_array_foreach(j, i, v)
	{
		int bit = json_is_string(v) ? parse(json_string_value(v)) : -1;

		if (bit < 0)
			return err_field(e, field, "%s[%zu]: unknown name", field, i);
		if (*out & (UINT32_C(1) << bit))
			return err_field(e, field, "%s[%zu]: named twice", field, i);
		*out |= UINT32_C(1) << bit;
	}
	return 0;
}

static const char *
feature_at(int i)
{
	return feature_name((enum feature)i);
}

static int
feature_index(const char *s)
{
	enum feature f;
	return feature_parse(s, &f) < 0 ? -1 : (int)f;
}

static const char *
scope_at(int i)
{
	return scope_name((enum scope)i);
}

static int
scope_index(const char *s)
{
	enum scope sc;
	return scope_parse(s, &sc) < 0 ? -1 : (int)sc;
}

json_t *
feature_mask_to_json(feature_mask m)
{
	return names_to_json(m, FEATURE_COUNT, feature_at);
}

int
feature_mask_from_json(feature_mask *out, json_t *j, const char *field, struct err *e)
{
	return names_from_json(out, j, field, e, feature_index);
}

json_t *
scope_mask_to_json(scope_mask m)
{
	return names_to_json(m, SCOPE_COUNT, scope_at);
}

int
scope_mask_from_json(scope_mask *out, json_t *j, const char *field, struct err *e)
{
	return names_from_json(out, j, field, e, scope_index);
}

json_t *
perm_overrides_to_json(const struct perm_overrides *o)
{
	json_t *j = json_object();

	for (int p = 0; j && p < PERM_COUNT; p++) {
		perm_mask b = (perm_mask)1 << p;

		if ((o->grant | o->revoke) & b)
			json_object_set_new(j, perm_name((enum perm)p), json_boolean(o->grant & b));
	}
	return j;
}

int
perm_overrides_from_json(struct perm_overrides *out, json_t *j, const char *field, struct err *e)
{
	const char *key;
	json_t *v;

	memset(out, 0, sizeof *out);
	if (!json_is_object(j))
		return err_field(e, field, "expected an object of permission: true or false");
	json_object_foreach(j, key, v)
	{
		enum perm p;

		if (perm_parse(key, &p) < 0 || perm_is_platform(p))
			return err_field(e, field, "\"%.40s\" is not a tenant permission", key);
		if (!json_is_boolean(v))
			return err_field(e, field, "%s wants true (grant) or false (revoke)", key);
		perm_overrides_set(out, p, json_is_true(v) ? 1 : -1);
	}
	return 0;
}

void
rd_overrides(struct rd *r, const char *key, struct perm_overrides *dst)
{
	char field[64];
	json_t *v = *r->failed ? NULL : json_object_get(r->obj, key);

	if (!v || json_is_null(v))
		return; /* optional: none */
	rd_field(r, key, field, sizeof field);
	if (perm_overrides_from_json(dst, v, field, r->e) < 0)
		*r->failed = true;
}
