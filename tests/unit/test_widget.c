/* test_widget.c - sanitising, widths, fitting, gauges, layout. */
#include <check.h>
#include <locale.h>
#include <string.h>

#include "tui/widget.h"

#define FFFD "\xef\xbf\xbd"

static void
setup(void)
{
	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	widget_set_ascii(false);
}

static void
teardown(void)
{
	widget_set_ascii(false);
}

static const char *
san(const char *src)
{
	static char buf[256];

	text_sanitize(buf, sizeof(buf), src);
	return buf;
}

static const char *
fit(const char *src, int width, bool ellipsis)
{
	static char buf[256];

	text_fit(buf, sizeof(buf), src, width, ellipsis);
	ck_assert_int_eq(text_width(buf), width < 0 ? 0 : width);
	return buf;
}

static const char *
gauge(int width, int64_t used, int64_t limit, bool ascii, enum gauge_level *level)
{
	static char buf[256];

	*level = gauge_format(buf, sizeof(buf), width, used, limit, ascii);
	ck_assert_int_eq(text_width(buf), width);
	return buf;
}

START_TEST(test_sanitize_bad_input)
{
	char buf[8] = "xxxxxxx";

	ck_assert_uint_eq(text_sanitize(NULL, 8, "a"), 0);
	ck_assert_uint_eq(text_sanitize(buf, 0, "a"), 0);
	ck_assert_str_eq(buf, "xxxxxxx");
	ck_assert_uint_eq(text_sanitize(buf, sizeof(buf), NULL), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(text_width(NULL), 0);
	ck_assert_int_eq(text_width(""), 0);
	ck_assert_uint_eq(text_fit(buf, 0, "a", 3, true), 0);
	ck_assert_uint_eq(text_fit(buf, sizeof(buf), "abc", 0, true), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(text_fit(buf, sizeof(buf), NULL, 3, true), 3);
	ck_assert_str_eq(buf, "   ");
}
END_TEST

START_TEST(test_sanitize_escapes)
{
	ck_assert_str_eq(san("plain text"), "plain text");
	ck_assert_str_eq(san("acme\x1b[2J\x1b]0;owned\x07"),
			 "acme" FFFD "[2J" FFFD "]0;owned" FFFD);
	ck_assert_str_eq(san("a\tb"), "a b");
	ck_assert_str_eq(san("line\nbreak\r"), "line" FFFD "break" FFFD);
	ck_assert_str_eq(san("del\x7f"), "del" FFFD);
	ck_assert_str_eq(san("\x01\x1f"), FFFD FFFD);
	/* C1 controls as UTF-8 (U+009B is CSI) and as raw bytes */
	ck_assert_str_eq(san("x\xc2\x9b"
			     "31m"),
			 "x" FFFD "31m");
	ck_assert_str_eq(san("x\x9b"
			     "31m"),
			 "x" FFFD "31m");
	ck_assert_str_eq(san("\xc2\x85"), FFFD);
	/* bidi override, isolate and line separator */
	ck_assert_str_eq(san("a\xe2\x80\xae"
			     "b"),
			 "a" FFFD "b");
	ck_assert_str_eq(san("a\xe2\x81\xa6"
			     "b"),
			 "a" FFFD "b");
	ck_assert_str_eq(san("a\xe2\x80\xa8"
			     "b"),
			 "a" FFFD "b");
	/* valid text passes */
	ck_assert_str_eq(san("Zoë 東京 é"), "Zoë 東京 é");
	ck_assert_str_eq(san("\xc2\xa0"), "\xc2\xa0");
}
END_TEST

START_TEST(test_sanitize_invalid_utf8)
{
	ck_assert_str_eq(san("\xff"), FFFD);
	ck_assert_str_eq(san("a\xc3"), "a" FFFD);     /* truncated */
	ck_assert_str_eq(san("\xc3(x"), FFFD "(x");   /* bad continuation */
	ck_assert_str_eq(san("\xc0\xaf"), FFFD FFFD); /* overlong '/' */
	ck_assert_str_eq(san("\xe0\x80\xaf"), FFFD FFFD FFFD);
	ck_assert_str_eq(san("\xed\xa0\x80"), FFFD FFFD FFFD); /* surrogate */
	ck_assert_str_eq(san("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD);
	ck_assert_str_eq(san("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
	ck_assert_str_eq(san("\xe2\x82"), FFFD FFFD);
}
END_TEST

START_TEST(test_sanitize_ascii_mode)
{
	widget_set_ascii(true);
	ck_assert(widget_ascii());
	ck_assert_str_eq(san("Zoë 東京"), "Zo? ??");
	ck_assert_str_eq(san("\x1b[1m\xff"), "?[1m?");
	ck_assert_int_eq(text_width("東京"), 2);
	ck_assert_str_eq(widget_glyphs()->ellipsis, "~");
	ck_assert_str_eq(fit("abcdef", 4, true), "abc~");
	widget_set_ascii(false);
	ck_assert_str_eq(widget_glyphs()->ellipsis, "…");
}
END_TEST

START_TEST(test_sanitize_truncates_whole_chars)
{
	char buf[6];

	ck_assert_uint_eq(text_sanitize(buf, sizeof(buf), "ab東京"), 5);
	ck_assert_str_eq(buf, "ab東");
	ck_assert_uint_eq(text_sanitize(buf, 5, "ab東京"), 2);
	ck_assert_str_eq(buf, "ab");
	ck_assert_uint_eq(text_sanitize(buf, 4, "\x1b\x1b"), 3);
	ck_assert_str_eq(buf, FFFD);
}
END_TEST

START_TEST(test_width)
{
	ck_assert_int_eq(text_width("acme"), 4);
	ck_assert_int_eq(text_width("東京"), 4);
	ck_assert_int_eq(text_width("e\xcc\x81"), 1); /* e + U+0301 */
	ck_assert_int_eq(text_width("Zoë"), 3);
	ck_assert_int_eq(text_width("\xf0\x9f\x98\x80"), 2); /* emoji */
	ck_assert_int_eq(text_width("a\x1b[31m"), 6);        /* ESC shows as 1 */
	ck_assert_int_eq(text_width("\xff\xfe"), 2);
	ck_assert_int_eq(text_width("a\tb"), 3);
}
END_TEST

START_TEST(test_fit)
{
	ck_assert_str_eq(fit("acme", 6, true), "acme  ");
	ck_assert_str_eq(fit("acme", 4, true), "acme");
	ck_assert_str_eq(fit("acme-corp", 6, true), "acme-…");
	ck_assert_str_eq(fit("acme-corp", 6, false), "acme-c");
	ck_assert_str_eq(fit("acme", 1, true), "…");
	ck_assert_str_eq(fit("a", 1, true), "a");
	/* wide characters are never split */
	ck_assert_str_eq(fit("東京都", 4, false), "東京");
	ck_assert_str_eq(fit("東京都", 5, false), "東京 ");
	ck_assert_str_eq(fit("東京都", 5, true), "東京…");
	ck_assert_str_eq(fit("東京都", 4, true), "東… ");
	ck_assert_str_eq(fit("東京都", 1, false), " ");
	ck_assert_str_eq(fit("東京都", 6, true), "東京都");
	/* combining marks stay with their base */
	ck_assert_str_eq(fit("e\xcc\x81"
			     "e\xcc\x81"
			     "e",
			     2, false),
			 "e\xcc\x81"
			 "e\xcc\x81");
	ck_assert_str_eq(fit("e\xcc\x81"
			     "e\xcc\x81"
			     "e",
			     2, true),
			 "e\xcc\x81…");
	/* control characters are replaced, not sent */
	ck_assert_str_eq(fit("\x1b[2Jx", 4, true), FFFD "[2…");
}
END_TEST

START_TEST(test_fit_right_and_small_buffer)
{
	char buf[8];

	text_fit_right(buf, sizeof(buf), "42", 5, true);
	ck_assert_str_eq(buf, "   42");
	text_fit_right(buf, sizeof(buf), "123456", 4, true);
	ck_assert_str_eq(buf, "123…");
	text_fit_right(buf, sizeof(buf), "東", 3, true);
	ck_assert_str_eq(buf, " 東");
	/* too small a buffer: cut whole, still terminated */
	ck_assert_uint_eq(text_fit(buf, 4, "東京", 4, false), 3);
	ck_assert_str_eq(buf, "東");
	ck_assert_uint_eq(text_fit(buf, 4, "abcdef", 10, false), 3);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

START_TEST(test_thousands)
{
	char buf[32];

	text_thousands(buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "0");
	text_thousands(buf, sizeof(buf), 999);
	ck_assert_str_eq(buf, "999");
	text_thousands(buf, sizeof(buf), 1204);
	ck_assert_str_eq(buf, "1,204");
	text_thousands(buf, sizeof(buf), -5000);
	ck_assert_str_eq(buf, "-5,000");
	text_thousands(buf, sizeof(buf), 100000);
	ck_assert_str_eq(buf, "100,000");
	text_thousands(buf, sizeof(buf), INT64_MIN);
	ck_assert_str_eq(buf, "-9,223,372,036,854,775,808");
	ck_assert_uint_eq(text_thousands(buf, 4, 1204), 3);
	ck_assert_str_eq(buf, "1,2");
}
END_TEST

START_TEST(test_gauge_levels)
{
	ck_assert_int_eq(gauge_level(0, 100), GAUGE_OK);
	ck_assert_int_eq(gauge_level(79, 100), GAUGE_OK);
	ck_assert_int_eq(gauge_level(80, 100), GAUGE_WARN);
	ck_assert_int_eq(gauge_level(94, 100), GAUGE_WARN);
	ck_assert_int_eq(gauge_level(95, 100), GAUGE_HIGH);
	ck_assert_int_eq(gauge_level(99, 100), GAUGE_HIGH);
	ck_assert_int_eq(gauge_level(100, 100), GAUGE_FULL);
	ck_assert_int_eq(gauge_level(150, 100), GAUGE_FULL);
	ck_assert_int_eq(gauge_level(3999, 5000), GAUGE_OK); /* 79.98 % */
	ck_assert_int_eq(gauge_level(4000, 5000), GAUGE_WARN);
	ck_assert_int_eq(gauge_level(4749, 5000), GAUGE_WARN);
	ck_assert_int_eq(gauge_level(4750, 5000), GAUGE_HIGH);
	ck_assert_int_eq(gauge_level(4, 5), GAUGE_WARN);
	ck_assert_int_eq(gauge_level(5, 0), GAUGE_FULL);
	ck_assert_int_eq(gauge_level(0, 0), GAUGE_FULL);
	ck_assert_int_eq(gauge_level(-3, 10), GAUGE_OK);
	ck_assert_int_eq(gauge_level(5, -1), GAUGE_UNLIMITED);
	ck_assert_int_eq(gauge_level(INT64_MAX, INT64_MAX), GAUGE_FULL);
	ck_assert_int_eq(gauge_level(INT64_MAX / 10 * 8, INT64_MAX), GAUGE_OK);
	ck_assert_int_eq(gauge_percent(62, 100), 62);
	ck_assert_int_eq(gauge_percent(799, 1000), 79);
	ck_assert_int_eq(gauge_percent(50000, 100), 999);
	ck_assert_int_eq(gauge_percent(1, 0), 100);
	ck_assert_int_eq(gauge_percent(1, -1), -1);
	ck_assert_int_eq(gauge_role(GAUGE_OK), THEME_ROLE_GAUGE_OK);
	ck_assert_int_eq(gauge_role(GAUGE_WARN), THEME_ROLE_GAUGE_WARN);
	ck_assert_int_eq(gauge_role(GAUGE_HIGH), THEME_ROLE_GAUGE_HIGH);
	ck_assert_int_eq(gauge_role(GAUGE_FULL), THEME_ROLE_GAUGE_FULL);
	ck_assert_int_eq(gauge_role(GAUGE_UNLIMITED), THEME_ROLE_GAUGE_OK);
}
END_TEST

START_TEST(test_gauge_format)
{
	enum gauge_level l;

	ck_assert_str_eq(gauge(17, 62, 100, false, &l), "[██████░░░░]  62%");
	ck_assert_int_eq(l, GAUGE_OK);
	ck_assert_str_eq(gauge(17, 62, 100, true, &l), "[######....]  62%");
	ck_assert_str_eq(gauge(17, 79, 100, true, &l), "[#######...]  79%");
	ck_assert_int_eq(l, GAUGE_OK);
	ck_assert_str_eq(gauge(17, 80, 100, true, &l), "[########..]  80%");
	ck_assert_int_eq(l, GAUGE_WARN);
	ck_assert_str_eq(gauge(17, 95, 100, true, &l), "[#########.]  95%");
	ck_assert_int_eq(l, GAUGE_HIGH);
	ck_assert_str_eq(gauge(17, 99, 100, true, &l), "[#########.]  99%");
	ck_assert_str_eq(gauge(17, 100, 100, true, &l), "[##########] 100%");
	ck_assert_int_eq(l, GAUGE_FULL);
	ck_assert_str_eq(gauge(17, 250, 100, true, &l), "[##########] 250%");
	ck_assert_int_eq(l, GAUGE_FULL);
	ck_assert_str_eq(gauge(17, 1, 0, true, &l), "[##########] 100%");
	ck_assert_str_eq(gauge(17, 0, 100, false, &l), "[░░░░░░░░░░]   0%");
	ck_assert_str_eq(gauge(17, 5, -1, false, &l), "[          ]    ∞");
	ck_assert_int_eq(l, GAUGE_UNLIMITED);
	ck_assert_str_eq(gauge(17, 5, -1, true, &l), "[unlimited ]     ");
	ck_assert_str_eq(gauge(12, 5, -1, true, &l), "[     ]     ");
	ck_assert_str_eq(gauge(8, 50, 100, true, &l), "[.]  50%");
	ck_assert_str_eq(gauge(7, 50, 100, true, &l), "    50%");
	ck_assert_str_eq(gauge(2, 50, 100, true, &l), "5~");
	ck_assert_str_eq(gauge(3, 5, -1, false, &l), "  ∞");
	ck_assert_str_eq(gauge(3, 5, -1, true, &l), "  -");
	ck_assert_str_eq(gauge(0, 5, 10, true, &l), "");
	ck_assert_int_eq(l, GAUGE_OK);
}
END_TEST

static void
check_layout(const struct column_spec *specs, size_t n, int total, int gap, size_t want_visible)
{
	int widths[16];
	size_t v = layout_columns(specs, n, total, gap, widths);
	long sum = 0;

	ck_assert_uint_eq(v, want_visible);
	for (size_t i = 0; i < n; i++) {
		if (i < v) {
			sum += widths[i];
			if (v > 1 || total >= specs[0].min)
				ck_assert_int_ge(widths[i], specs[i].min);
		} else {
			ck_assert_int_eq(widths[i], 0);
		}
	}
	if (v > 0)
		ck_assert_int_eq(sum + gap * (long)(v - 1), total);
}

START_TEST(test_layout)
{
	static const struct column_spec tenants[] = {
		{ .min = 8, .max = 40, .weight = 3 }, /* slug */
		{ .min = 4, .max = 12, .weight = 1 }, /* tier */
		{ .min = 3, .max = 10, .weight = 0 }, /* status */
		{ .min = 10, .max = 0, .weight = 2 }, /* name */
	};
	static const struct column_spec fixed[] = {
		{ .min = 5, .max = 5 },
		{ .min = 7, .max = 7 },
	};
	int widths[4];

	for (int total = 0; total <= 200; total++) {
		size_t want = total >= 28 ? 4 : total >= 17 ? 3 : total > 0 ? 1 : 0;
		if (total >= 13 && total < 17)
			want = 2;
		check_layout(tenants, 4, total, 1, want);
	}
	check_layout(fixed, 2, 20, 2, 2);
	ck_assert_uint_eq(layout_columns(fixed, 2, 20, 2, widths), 2);
	ck_assert_int_eq(widths[0], 5);
	ck_assert_int_eq(widths[1], 13); /* leftover goes to the last */

	ck_assert_uint_eq(layout_columns(tenants, 4, 80, 1, widths), 4);
	ck_assert_int_eq(widths[2], 3);
	ck_assert_int_le(widths[0], 40);
	ck_assert_int_le(widths[1], 12);
	ck_assert_int_gt(widths[0], widths[1]);
	ck_assert_int_eq(widths[0] + widths[1] + widths[2] + widths[3] + 3, 80);

	ck_assert_uint_eq(layout_columns(NULL, 4, 80, 1, widths), 0);
	ck_assert_uint_eq(layout_columns(tenants, 0, 80, 1, widths), 0);
	ck_assert_uint_eq(layout_columns(tenants, 4, -5, 1, widths), 0);
	ck_assert_int_eq(widths[0], 0);
	ck_assert_uint_eq(layout_columns(tenants, 4, 5, 1, widths), 1);
	ck_assert_int_eq(widths[0], 5);
}
END_TEST

START_TEST(test_glyphs)
{
	const struct widget_glyphs *g = widget_glyphs();

	ck_assert_str_eq(g->hline, "─");
	ck_assert_str_eq(g->bar_full, "█");
	ck_assert_str_eq(g->infinity, "∞");
	ck_assert(widget_locale_utf8());
	widget_set_ascii(true);
	g = widget_glyphs();
	ck_assert_str_eq(g->hline, "-");
	ck_assert_str_eq(g->bar_full, "#");
	ck_assert_str_eq(g->pointer, ">");
	for (size_t i = 0; i < sizeof(*g) / sizeof(char *); i++) {
		const char *s = ((const char *const *)g)[i];
		for (; *s; s++)
			ck_assert_int_lt((unsigned char)*s, 0x80);
	}
	setlocale(LC_ALL, "C");
	ck_assert(!widget_locale_utf8());
	setlocale(LC_ALL, "C.UTF-8");
}
END_TEST

/* The draw wrappers refuse what they cannot draw without a terminal. */
START_TEST(test_draw_without_window)
{
	ck_assert_int_eq(draw_text(NULL, 0, 0, 10, A_NORMAL, "x"), ERR);
	ck_assert_int_eq(draw_text_right(NULL, 0, 0, 10, A_NORMAL, "x"), ERR);
	ck_assert_int_eq(draw_hline(NULL, 0, 0, 10, A_NORMAL), ERR);
	ck_assert_int_eq(draw_gauge(NULL, 0, 0, 17, 96, 100), GAUGE_HIGH);
}
END_TEST

Suite *
suite_widget(void)
{
	Suite *s = suite_create("widget");
	TCase *tc = tcase_create("widget");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sanitize_bad_input);
	tcase_add_test(tc, test_sanitize_escapes);
	tcase_add_test(tc, test_sanitize_invalid_utf8);
	tcase_add_test(tc, test_sanitize_ascii_mode);
	tcase_add_test(tc, test_sanitize_truncates_whole_chars);
	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_fit);
	tcase_add_test(tc, test_fit_right_and_small_buffer);
	tcase_add_test(tc, test_thousands);
	tcase_add_test(tc, test_gauge_levels);
	tcase_add_test(tc, test_gauge_format);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_glyphs);
	tcase_add_test(tc, test_draw_without_window);
	suite_add_tcase(s, tc);
	return s;
}
