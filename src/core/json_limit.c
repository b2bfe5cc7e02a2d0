/* json_limit.c - nesting and size limits of JSON values (json_limit.h),
 * measured without recursion. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_limit.h"
#include "core/validate.h"

#define STACK_MAX 256 /* json_value_depth counts up to this */

int
json_text_depth(const char *s, size_t len, int stop)
{
	int depth = 0, max = 0;
	bool in_string = false;

	for (size_t i = 0; s && i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max && (max = depth) > stop)
				return stop + 1;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return max;
}

/* The name of the top-level member, for the error: UTF-8 cut to fit, or
 * "body" when it is not text that can be shown. */
static void
body_field(char *out, size_t size, const char *key, size_t len)
{
	if (!key || !len) {
		utf8_copy(out, size, "body", 4);
		return;
	}
	utf8_copy(out, size, key, len);
	if (!utf8_valid(out, strlen(out)) || !*out)
		utf8_copy(out, size, "body", 4);
}

int
json_body_check(const char *s, size_t len, int max, struct err *e)
{
	size_t str_start = 0, key = 0, key_len = 0;
	int depth = 0;
	bool in_string = false;
	char field[sizeof e->field];

	for (size_t i = 0; s && i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
			str_start = i + 1;
		} else if (c == ':' && depth == 1 && str_start) {
			key = str_start; /* the string before ':' names the member */
			key_len = i > key ? i - key : 0;
			while (key_len && s[key + key_len - 1] != '"')
				key_len--; /* spaces between the key and ':' */
			key_len = key_len ? key_len - 1 : 0;
		} else if (c == '[' || c == '{') {
			if (++depth > max + 1) {
				body_field(field, sizeof field, key_len ? s + key : NULL, key_len);
				return err_field(e, field, "%s nests deeper than %d levels", field,
						 max);
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

int
json_value_depth(json_t *v, int stop)
{
	struct level {
		json_t *c;
		size_t i;
		void *it;
	} st[STACK_MAX + 1];
	int n = 0, max = 0;

	if (stop > STACK_MAX - 1)
		stop = STACK_MAX - 1;
	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	st[n++] = (struct level){ v, 0, NULL };
	max = 1;
	while (n > 0) {
		struct level *l = &st[n - 1];
		json_t *child = NULL;

		if (json_is_array(l->c)) {
			if (l->i < json_array_size(l->c))
				child = json_array_get(l->c, l->i++);
		} else {
			l->it =
			    l->i++ ? json_object_iter_next(l->c, l->it) : json_object_iter(l->c);
			if (l->it)
				child = json_object_iter_value(l->it);
		}
		if (!child) {
			n--;
			continue;
		}
		if (!json_is_object(child) && !json_is_array(child))
			continue;
		if (n + 1 > stop)
			return stop + 1;
		st[n++] = (struct level){ child, 0, NULL };
		if (n > max)
			max = n;
	}
	return max;
}

int
json_value_text(char **text, json_t *v, const char *field, struct err *e)
{
	*text = NULL;
	if (json_value_depth(v, JSON_DEPTH_MAX) > JSON_DEPTH_MAX)
		return err_field(e, field, "%s nests deeper than %d levels", field, JSON_DEPTH_MAX);
	if (!(*text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (strlen(*text) > JSON_VALUE_MAX) {
		free(*text);
		*text = NULL;
		return err_field(e, field, "%s is longer than %d bytes", field, JSON_VALUE_MAX);
	}
	return 0;
}

json_t *
json_load_stored(const char *text)
{
	if (!text)
		return json_null();
	if (json_text_depth(text, strlen(text), JSON_READ_DEPTH_MAX) > JSON_READ_DEPTH_MAX)
		return json_loads(JSON_TOO_DEEP, 0, NULL);
	return json_loads(text, JSON_DECODE_ANY, NULL);
}
