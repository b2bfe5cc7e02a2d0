/* test_err.c - err.h: filling errors, code names and exit statuses. */
#include <check.h>
#include <string.h>

#include "core/err.h"

START_TEST(null_err_is_tolerated)
{
	err_clear(NULL);
	ck_assert_int_eq(err_set(NULL, ERR_NOT_FOUND, "x"), -1);
	ck_assert_int_eq(err_field(NULL, "slug", "x"), -1);
}
END_TEST

START_TEST(unknown_codes_and_names)
{
	ck_assert_int_eq(err_code_from_name(NULL), ERR_INTERNAL);
	ck_assert_int_eq(err_code_from_name("nope"), ERR_INTERNAL);
	ck_assert_int_eq(err_code_from_name(""), ERR_INTERNAL);
	ck_assert_str_eq(err_code_name((enum err_code)99), "internal");
	ck_assert_int_eq(err_code_status((enum err_code) - 1), 500);
	ck_assert_str_eq(err_code_title(ERR_CODE_COUNT), "Internal error");
}
END_TEST

START_TEST(set_out_of_range_code_is_internal)
{
	struct err e;

	err_set(&e, (enum err_code)1234, "boom");
	ck_assert_int_eq(e.code, ERR_INTERNAL);
	ck_assert_int_eq(e.status, 500);
}
END_TEST

START_TEST(set_formats_and_clears_field)
{
	struct err e;

	err_field(&e, "slug", "old");
	ck_assert_int_eq(err_set(&e, ERR_NOT_FOUND, "no tenant %s", "acme"), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(e.status, 404);
	ck_assert_str_eq(e.message, "no tenant acme");
	ck_assert_str_eq(e.field, "");
}
END_TEST

START_TEST(field_sets_invalid_field)
{
	struct err e;
	char longname[100];

	err_field(&e, "billing_email", "billing_email: needs one '@'");
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_int_eq(e.status, 422);
	ck_assert_str_eq(e.field, "billing_email");
	memset(longname, 'f', sizeof longname - 1);
	longname[99] = '\0';
	err_field(&e, longname, "m");
	ck_assert_uint_eq(strlen(e.field), sizeof e.field - 1);
	err_field(&e, NULL, "m");
	ck_assert_str_eq(e.field, "");
}
END_TEST

START_TEST(long_message_is_truncated)
{
	struct err e;
	char big[1000];

	memset(big, 'x', sizeof big - 1);
	big[999] = '\0';
	err_set(&e, ERR_CONFLICT, "%s", big);
	ck_assert_uint_eq(strlen(e.message), sizeof e.message - 1);
}
END_TEST

START_TEST(clear_resets)
{
	struct err e;

	err_field(&e, "x", "y");
	err_clear(&e);
	ck_assert_int_eq(e.code, ERR_OK);
	ck_assert_int_eq(e.status, 200);
	ck_assert_str_eq(e.message, "");
	ck_assert_str_eq(e.field, "");
}
END_TEST

START_TEST(names_round_trip)
{
	for (int i = 0; i < ERR_CODE_COUNT; i++)
		ck_assert_int_eq(err_code_from_name(err_code_name(i)), i);
	ck_assert_str_eq(err_code_name(ERR_DOWNGRADE_BLOCKED), "downgrade_blocked");
	ck_assert_int_eq(err_code_status(ERR_QUOTA_EXCEEDED), 402);
	ck_assert_int_eq(err_code_status(ERR_RATE_LIMITED), 429);
	ck_assert_str_eq(err_code_title(ERR_BAD_JSON), "Malformed JSON");
	ck_assert_str_eq(err_code_name(ERR_METHOD), "method_not_allowed");
}
END_TEST

START_TEST(exit_statuses)
{
	ck_assert_int_eq(err_exit_status(ERR_OK), 0);
	ck_assert_int_eq(err_exit_status(ERR_BAD_REQUEST), 65);
	ck_assert_int_eq(err_exit_status(ERR_BAD_JSON), 65);
	ck_assert_int_eq(err_exit_status(ERR_INVALID_FIELD), 65);
	ck_assert_int_eq(err_exit_status(ERR_TOO_LARGE), 65);
	ck_assert_int_eq(err_exit_status(ERR_UNAUTHORIZED), 77);
	ck_assert_int_eq(err_exit_status(ERR_FORBIDDEN), 77);
	ck_assert_int_eq(err_exit_status(ERR_QUOTA_EXCEEDED), 75);
	ck_assert_int_eq(err_exit_status(ERR_RATE_LIMITED), 75);
	ck_assert_int_eq(err_exit_status(ERR_UNAVAILABLE), 69);
	ck_assert_int_eq(err_exit_status(ERR_INTERNAL), 70);
	ck_assert_int_eq(err_exit_status(ERR_METHOD), 70);
	ck_assert_int_eq(err_exit_status(ERR_NOT_FOUND), 1);
	ck_assert_int_eq(err_exit_status(ERR_CONFLICT), 1);
	ck_assert_int_eq(err_exit_status(ERR_INVALID_TRANSITION), 1);
	ck_assert_int_eq(err_exit_status(ERR_DOWNGRADE_BLOCKED), 1);
	ck_assert_int_eq(err_exit_status(ERR_GONE), 1);
	ck_assert_int_eq(err_exit_status((enum err_code)77), 70);
}
END_TEST

Suite *
suite_err(void)
{
	Suite *s = suite_create("err");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, null_err_is_tolerated);
	tcase_add_test(bad, unknown_codes_and_names);
	tcase_add_test(bad, set_out_of_range_code_is_internal);
	tcase_add_test(good, set_formats_and_clears_field);
	tcase_add_test(good, field_sets_invalid_field);
	tcase_add_test(good, long_message_is_truncated);
	tcase_add_test(good, clear_resets);
	tcase_add_test(good, names_round_trip);
	tcase_add_test(good, exit_statuses);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
