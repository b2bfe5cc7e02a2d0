/* test_keyname.c - key names <-> key codes. */
#include <check.h>
#include <ncurses.h>
#include <string.h>

#include "tui/keyname.h"

static int
parse(const char *name)
{
	int key = -12345;

	if (keyname_parse(name, &key) < 0)
		return -1;
	return key;
}

START_TEST(test_keyname_bad_input)
{
	static const char *const bad[] = {
		"",      "ab",    "<>",         "<Nope>", "<F0>",
		"<F13>", "<F1x>", "C-",         "C-1",    "C-ab",
		"^1",    "M-",    "<Enter",     "Enter>", " ",
		"\t",    "é",     "<Up><Down>", "M-M-",   "<ThisNameIsFarTooLong>",
	};
	int key = 7;
	char buf[KEYNAME_MAX];

	ck_assert_int_eq(keyname_parse(NULL, &key), -1);
	ck_assert_int_eq(keyname_parse("j", NULL), -1);
	ck_assert_int_eq(key, 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i]) == -1, "'%s' parsed", bad[i]);
	ck_assert_int_eq(keyname_format(KEY_MOUSE, buf, sizeof(buf)), -1);
	ck_assert_str_eq(buf, "?");
	ck_assert_int_eq(keyname_format('j', NULL, 4), -1);
	ck_assert_int_eq(keyname_format(KEY_BTAB, buf, 4), -1);
	ck_assert_str_eq(buf, "?");
}
END_TEST

START_TEST(test_keyname_printable)
{
	ck_assert_int_eq(parse("j"), 'j');
	ck_assert_int_eq(parse("G"), 'G');
	ck_assert_int_eq(parse("?"), '?');
	ck_assert_int_eq(parse("<"), '<');
	ck_assert_int_eq(parse(">"), '>');
	ck_assert_int_eq(parse("#"), '#');
	ck_assert_int_eq(parse("^"), '^');
	ck_assert_int_eq(parse("1"), '1');
	ck_assert_int_eq(parse("<Lt>"), '<');
}
END_TEST

START_TEST(test_keyname_named)
{
	ck_assert_int_eq(parse("<Enter>"), '\n');
	ck_assert_int_eq(parse("<enter>"), '\n');
	ck_assert_int_eq(parse("<RETURN>"), '\n');
	ck_assert_int_eq(parse("<Esc>"), 27);
	ck_assert_int_eq(parse("<Tab>"), '\t');
	ck_assert_int_eq(parse("<S-Tab>"), KEY_BTAB);
	ck_assert_int_eq(parse("<s-tab>"), KEY_BTAB);
	ck_assert_int_eq(parse("<Space>"), ' ');
	ck_assert_int_eq(parse("<BS>"), KEY_BACKSPACE);
	ck_assert_int_eq(parse("<Up>"), KEY_UP);
	ck_assert_int_eq(parse("<Down>"), KEY_DOWN);
	ck_assert_int_eq(parse("<Left>"), KEY_LEFT);
	ck_assert_int_eq(parse("<Right>"), KEY_RIGHT);
	ck_assert_int_eq(parse("<PgUp>"), KEY_PPAGE);
	ck_assert_int_eq(parse("<PgDn>"), KEY_NPAGE);
	ck_assert_int_eq(parse("<Home>"), KEY_HOME);
	ck_assert_int_eq(parse("<End>"), KEY_END);
	ck_assert_int_eq(parse("<Del>"), KEY_DC);
	ck_assert_int_eq(parse("<Ins>"), KEY_IC);
	ck_assert_int_eq(parse("<F1>"), KEY_F(1));
	ck_assert_int_eq(parse("<f12>"), KEY_F(12));
}
END_TEST

START_TEST(test_keyname_control_meta)
{
	ck_assert_int_eq(parse("C-a"), 1);
	ck_assert_int_eq(parse("C-A"), 1);
	ck_assert_int_eq(parse("c-z"), 26);
	ck_assert_int_eq(parse("^A"), 1);
	ck_assert_int_eq(parse("^f"), 6);
	ck_assert_int_eq(parse("C-i"), '\t');
	ck_assert_int_eq(parse("C-m"), '\n');
	ck_assert_int_eq(parse("C-["), 27);
	ck_assert_int_eq(parse("C-?"), KEY_BACKSPACE);
	ck_assert_int_eq(parse("M-x"), KEY_META | 'x');
	ck_assert_int_eq(parse("m-x"), KEY_META | 'x');
	ck_assert_int_eq(parse("M-X"), KEY_META | 'X');
	ck_assert_int_eq(parse("M-<"), KEY_META | '<');
	ck_assert_int_eq(parse("M->"), KEY_META | '>');
	ck_assert_int_eq(parse("M-C-a"), KEY_META | 1);
	ck_assert_int_eq(parse("M-<Enter>"), KEY_META | '\n');
	ck_assert_int_eq(parse("M--"), KEY_META | '-');
	ck_assert_int_eq(parse("M"), 'M');
	ck_assert_int_eq(parse("C"), 'C');
}
END_TEST

START_TEST(test_keyname_normalize)
{
	ck_assert_int_eq(keyname_normalize('\r'), '\n');
	ck_assert_int_eq(keyname_normalize(KEY_ENTER), '\n');
	ck_assert_int_eq(keyname_normalize(127), KEY_BACKSPACE);
	ck_assert_int_eq(keyname_normalize(KEY_META | '\r'), KEY_META | '\n');
	ck_assert_int_eq(keyname_normalize('x'), 'x');
	ck_assert_int_eq(keyname_from_wch(OK, L'j'), 'j');
	ck_assert_int_eq(keyname_from_wch(OK, L'\r'), '\n');
	ck_assert_int_eq(keyname_from_wch(KEY_CODE_YES, KEY_UP), KEY_UP);
	ck_assert_int_eq(keyname_from_wch(OK, 0x00e9), KEY_WCHAR | 0x00e9);
}
END_TEST

START_TEST(test_keyname_format)
{
	char buf[KEYNAME_MAX];

	ck_assert_int_eq(keyname_format('j', buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "j");
	keyname_format(' ', buf, sizeof(buf));
	ck_assert_str_eq(buf, "<Space>");
	keyname_format('\r', buf, sizeof(buf));
	ck_assert_str_eq(buf, "<Enter>");
	keyname_format(KEY_BTAB, buf, sizeof(buf));
	ck_assert_str_eq(buf, "<S-Tab>");
	keyname_format(6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "C-f");
	keyname_format(KEY_META | 'v', buf, sizeof(buf));
	ck_assert_str_eq(buf, "M-v");
	keyname_format(KEY_META | '<', buf, sizeof(buf));
	ck_assert_str_eq(buf, "M-<");
	keyname_format(KEY_F(5), buf, sizeof(buf));
	ck_assert_str_eq(buf, "<F5>");
	keyname_format(KEY_NPAGE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "<PgDn>");
	keyname_format(127, buf, sizeof(buf));
	ck_assert_str_eq(buf, "<BS>");
	keyname_format(KEY_META | KEY_BTAB, buf, sizeof(buf));
	ck_assert_str_eq(buf, "M-<S-Tab>");
}
END_TEST

/* Every key with a name formats to a name that parses back to it. */
START_TEST(test_keyname_round_trip)
{
	char buf[KEYNAME_MAX];
	int key, n = 0;

	for (int m = 0; m < 2; m++) {
		int meta = m ? KEY_META : 0;

		for (int k = 0; k <= KEY_MAX; k++) {
			if (keyname_format(k | meta, buf, sizeof(buf)) < 0)
				continue;
			n++;
			ck_assert_msg(keyname_parse(buf, &key) == 0, "'%s' does not parse", buf);
			ck_assert_msg(key == keyname_normalize(k | meta),
				      "'%s' parses to %#x, not %#x", buf, key, k | meta);
		}
	}
	/* 95 printable, 32 control, the named keys, 12 function keys. */
	ck_assert_int_gt(n, 2 * 140);
}
END_TEST

/* Every spelling the parser accepts formats to a canonical name that
 * parses to the same key. */
START_TEST(test_keyname_alias_round_trip)
{
	static const char *const names[] = {
		"<Return>",   "<CR>",     "<Escape>", "<BackTab>", "<Backspace>", "<PageUp>",
		"<PageDown>", "<Delete>", "<Insert>", "<Hash>",    "^[",          "C-@",
		"C-\\",       "C-]",      "C-^",      "C-_",       "M-^A",
	};
	char buf[KEYNAME_MAX];
	int a, b;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(keyname_parse(names[i], &a) == 0, "%s", names[i]);
		ck_assert_int_eq(keyname_format(a, buf, sizeof(buf)), 0);
		ck_assert_int_eq(keyname_parse(buf, &b), 0);
		ck_assert_int_eq(a, b);
	}
}
END_TEST

Suite *
suite_keyname(void)
{
	Suite *s = suite_create("keyname");
	TCase *tc = tcase_create("keyname");

	tcase_add_test(tc, test_keyname_bad_input);
	tcase_add_test(tc, test_keyname_printable);
	tcase_add_test(tc, test_keyname_named);
	tcase_add_test(tc, test_keyname_control_meta);
	tcase_add_test(tc, test_keyname_normalize);
	tcase_add_test(tc, test_keyname_format);
	tcase_add_test(tc, test_keyname_round_trip);
	tcase_add_test(tc, test_keyname_alias_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
