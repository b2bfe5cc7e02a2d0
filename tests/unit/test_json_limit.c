/* test_json_limit.c - json_limit.h's depth and size checks and
 * validate.h's utf8_copy, bad and NULL inputs first. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_limit.h"
#include "core/validate.h"

/* n opening brackets then n closing ones, malloc'd. */
static char *
brackets(int n)
{
	char *s = malloc((size_t)n * 2 + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, '[', (size_t)n);
	memset(s + n, ']', (size_t)n);
	s[2 * n] = '\0';
	return s;
}

START_TEST(text_depth)
{
	char *deep = brackets(100000);

	ck_assert_int_eq(json_text_depth(NULL, 5, 32), 0);
	ck_assert_int_eq(json_text_depth("1", 1, 32), 0);
	ck_assert_int_eq(json_text_depth("{}", 2, 32), 1);
	ck_assert_int_eq(json_text_depth("{\"a\":[{}]}", 10, 32), 3);
	/* brackets in strings, escaped quotes */
	ck_assert_int_eq(json_text_depth("[\"[[[\\\"[[\"]", 12, 32), 1);
	/* malformed: unbalanced closers do not go below 0 */
	ck_assert_int_eq(json_text_depth("]]]][", 5, 32), 1);
	ck_assert_int_eq(json_text_depth(deep, strlen(deep), 64), 65);
	free(deep);
}
END_TEST

START_TEST(body_check)
{
	struct err e;
	char *body = malloc(200);

	ck_assert_int_eq(json_body_check("{\"a\":[[1]]}", 11, 2, &e), 0);
	ck_assert_int_eq(json_body_check("{\"a\":[[[1]]]}", 13, 2, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_str_eq(e.field, "a");
	/* the member that goes too deep, not the first */
	strcpy(body, "{\"x\":1, \"settings\" : {\"b\":{\"c\":{}}}}");
	ck_assert_int_eq(json_body_check(body, strlen(body), 2, &e), -1);
	ck_assert_str_eq(e.field, "settings");
	/* a top-level array has no member to name */
	ck_assert_int_eq(json_body_check("[[[[]]]]", 8, 2, &e), -1);
	ck_assert_str_eq(e.field, "body");
	free(body);
}
END_TEST

START_TEST(value_depth_and_text)
{
	struct err e;
	char *text, *deep = brackets(JSON_DEPTH_MAX + 1), *at = brackets(JSON_DEPTH_MAX);
	json_t *j = json_loads(deep, 0, NULL), *k = json_loads(at, 0, NULL), *big;

	ck_assert_int_eq(json_value_depth(NULL, 32), 0);
	big = json_integer(1);
	ck_assert_int_eq(json_value_depth(big, 32), 0);
	json_decref(big);
	ck_assert_int_eq(json_value_depth(j, 100), JSON_DEPTH_MAX + 1);
	ck_assert_int_eq(json_value_text(&text, j, "settings", &e), -1);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(e.field, "settings");
	ck_assert_int_eq(json_value_text(&text, k, "settings", &e), 0);
	ck_assert_str_eq(text, at);
	free(text);
	static char kilo[1001];

	memset(kilo, 'x', 1000);
	big = json_object();
	for (int i = 0; i < 40; i++)
		json_object_set_new(big, (char[]){ (char)('a' + i % 26), (char)('a' + i / 26), 0 },
				    json_string(kilo));
	ck_assert_int_eq(json_value_text(&text, big, "branding", &e), -1);
	ck_assert_str_eq(e.field, "branding");
	json_decref(big);
	json_decref(j);
	json_decref(k);
	free(deep);
	free(at);
}
END_TEST

START_TEST(load_stored)
{
	char *deep = brackets(2000);
	json_t *j = json_load_stored(deep), *n = json_load_stored(NULL);

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), "nested_too_deep");
	ck_assert(json_is_null(n));
	json_decref(j);
	j = json_load_stored("{\"a\":[1]}");
	ck_assert_int_eq(json_value_depth(j, 10), 2);
	json_decref(j);
	free(deep);
}
END_TEST

START_TEST(utf8_copy_cuts_whole_characters)
{
	char buf[8];

	ck_assert_uint_eq(utf8_copy(buf, 0, "abc", 3), 0);
	ck_assert_uint_eq(utf8_copy(buf, sizeof buf, NULL, 3), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(utf8_copy(buf, sizeof buf, "abcdefghij", 10), 7);
	ck_assert_str_eq(buf, "abcdefg");
	/* "ab" + U+1F600 (4 bytes) + "c": 7 bytes fit, the emoji does */
	ck_assert_uint_eq(utf8_copy(buf, sizeof buf,
				    "ab\xf0\x9f\x98\x80"
				    "cd",
				    8),
			  7);
	/* "abcde" + é: the cut would split é, so it goes */
	ck_assert_uint_eq(utf8_copy(buf, sizeof buf, "abcdef\xc3\xa9", 8), 6);
	ck_assert_str_eq(buf, "abcdef");
	ck_assert_uint_eq(utf8_copy(buf, 4, "\xe2\x82\xac\xe2\x82\xac", 6), 3);
	ck_assert(utf8_valid(buf, strlen(buf)));
}
END_TEST

Suite *
suite_json_limit(void)
{
	Suite *s = suite_create("json_limit");
	TCase *tc = tcase_create("limits");

	tcase_add_test(tc, text_depth);
	tcase_add_test(tc, body_check);
	tcase_add_test(tc, value_depth_and_text);
	tcase_add_test(tc, load_stored);
	tcase_add_test(tc, utf8_copy_cuts_whole_characters);
	suite_add_tcase(s, tc);
	return s;
}
