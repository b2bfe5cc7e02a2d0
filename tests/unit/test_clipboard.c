/* test_clipboard.c - the OSC 52 sequences the console's copy writes. */
#include <check.h>
#include <string.h>

#include "tui/clipboard.h"

START_TEST(test_clipboard_base64)
{
	char b[16];

	ck_assert_uint_eq(clipboard_base64(b, sizeof b, (const unsigned char *)"f", 1), 4);
	ck_assert_str_eq(b, "Zg==");
	clipboard_base64(b, sizeof b, (const unsigned char *)"fo", 2);
	ck_assert_str_eq(b, "Zm8=");
	clipboard_base64(b, sizeof b, (const unsigned char *)"foobar", 6);
	ck_assert_str_eq(b, "Zm9vYmFy");
	/* no room: nothing */
	ck_assert_uint_eq(clipboard_base64(b, 8, (const unsigned char *)"foobar", 6), 0);
}
END_TEST

START_TEST(test_clipboard_osc52)
{
	static char big[CLIPBOARD_MAX + 2];
	char b[CLIPBOARD_MAX * 2];

	ck_assert_uint_eq(clipboard_osc52(b, sizeof b, "tni_x", false), 16);
	ck_assert_str_eq(b, "\033]52;c;dG5pX3g=\a");
	clipboard_osc52(b, sizeof b, "tni_x", true);
	ck_assert_str_eq(b, "\033Ptmux;\033\033]52;c;dG5pX3g=\a\033\\");
	ck_assert_uint_eq(clipboard_osc52(b, sizeof b, "", false), 0);
	ck_assert_uint_eq(clipboard_osc52(b, 8, "tni_x", false), 0);
	ck_assert_str_eq(b, "");
	memset(big, 'a', CLIPBOARD_MAX + 1);
	ck_assert_uint_eq(clipboard_osc52(b, sizeof b, big, false), 0);
}
END_TEST

Suite *
suite_clipboard(void)
{
	Suite *s = suite_create("clipboard");
	TCase *tc = tcase_create("osc52");

	tcase_add_test(tc, test_clipboard_base64);
	tcase_add_test(tc, test_clipboard_osc52);
	suite_add_tcase(s, tc);
	return s;
}
