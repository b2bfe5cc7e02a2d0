/* test_history.c - the platform's history: its JSON both ways (and
 * replies of the wrong shape), and the sparkline widget that draws it. */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "core/json_history.h"
#include "tui/widget.h"

START_TEST(test_sparkline)
{
	int64_t v[] = { 0, 1, 7, 14, -3 };
	char buf[64];

	sparkline_format(buf, sizeof buf, v, 5, false);
	ck_assert_str_eq(buf, " ▁▄█ ");
	sparkline_format(buf, sizeof buf, v, 5, true);
	ck_assert_str_eq(buf, " .:# ");
	/* all zero: blanks; too small a buffer: what fits, terminated */
	sparkline_format(buf, sizeof buf, (int64_t[]){ 0, 0 }, 2, false);
	ck_assert_str_eq(buf, "  ");
	sparkline_format(buf, 6, v + 1, 3, false);
	ck_assert_str_eq(buf, "▁");
	sparkline_format(buf, 0, v, 5, false); /* writes nothing */
}
END_TEST

START_TEST(test_history_json)
{
	struct platform_history h, back;
	struct err e;
	json_t *j;

	memset(&h, 0, sizeof h);
	h.by_status[TENANT_ACTIVE][23] = 5;
	h.by_status[TENANT_SUSPENDED][0] = 2;
	h.sign_ins[3] = 7;
	h.writes[23] = 1000;
	snprintf(h.churn[5].month, sizeof h.churn[5].month, "2026-12");
	h.churn[5].left = 1;
	h.churn[5].upgrades = 2;
	h.churn[5].downgrades = 3;
	j = platform_history_to_json(&h);
	ck_assert_int_eq(platform_history_from_json(&back, j, &e), 0);
	ck_assert_int_eq(memcmp(&h, &back, sizeof h), 0);
	/* a count array of the wrong length names its field */
	json_array_remove(json_object_get(j, "writes"), 0);
	ck_assert_int_eq(platform_history_from_json(&back, j, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.field[0] ? e.field : e.message, "writes"));
	json_decref(j);
	j = json_pack("{s:s}", "by_status", "x");
	ck_assert_int_eq(platform_history_from_json(&back, j, &e), -1);
	json_decref(j);
	ck_assert_int_eq(platform_history_from_json(&back, NULL, &e), -1);
}
END_TEST

Suite *
suite_history(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");

	tcase_add_test(tc, test_sparkline);
	tcase_add_test(tc, test_history_json);
	suite_add_tcase(s, tc);
	return s;
}
