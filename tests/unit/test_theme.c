/* test_theme.c - theme files: bad lines, colours, bundled themes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/theme.h"

static char reports[4096];

static void
collect(void *ctx, const char *msg)
{
	int *count = ctx;

	(*count)++;
	strncat(reports, msg, sizeof(reports) - strlen(reports) - 2);
	strcat(reports, "\n");
}

static int
load(struct theme *t, const char *text)
{
	int count = 0, errors;

	reports[0] = '\0';
	errors = theme_load_string(t, "t.theme", text, collect, &count);
	ck_assert_int_eq(errors, count);
	return errors;
}

static int
color(const struct theme *t, const char *s)
{
	int c = -99;

	if (theme_color_parse(t, s, &c) < 0)
		return -99;
	return c;
}

START_TEST(test_theme_bad_input)
{
	struct theme t;
	int c = 5;

	theme_default(&t);
	ck_assert_int_eq(theme_load_string(&t, "x", NULL, NULL, NULL), 0);
	ck_assert_int_eq(theme_load_string(NULL, "x", "color", NULL, NULL), 0);
	ck_assert_int_eq(theme_load_file(&t, NULL, NULL, NULL), -1);
	ck_assert_int_eq(theme_color_parse(&t, NULL, &c), -1);
	ck_assert_int_eq(theme_color_parse(&t, "red", NULL), -1);
	ck_assert_int_eq(c, 5);
	ck_assert_int_eq(theme_role_parse(NULL, NULL), -1);
	ck_assert_int_eq(theme_role_parse("Title", NULL), -1);
	ck_assert_str_eq(theme_role_name(THEME_ROLE_COUNT), "?");
	ck_assert_str_eq(theme_role_help(THEME_ROLE_COUNT), "");
	ck_assert_int_eq(theme_load_string(&t, "x", "colour", NULL, NULL), 1);
}
END_TEST

START_TEST(test_theme_colors)
{
	ck_assert_int_eq(color(NULL, "default"), THEME_COLOR_DEFAULT);
	ck_assert_int_eq(color(NULL, "DEFAULT"), THEME_COLOR_DEFAULT);
	ck_assert_int_eq(color(NULL, "black"), 0);
	ck_assert_int_eq(color(NULL, "red"), 1);
	ck_assert_int_eq(color(NULL, "White"), 7);
	ck_assert_int_eq(color(NULL, "bright-black"), 8);
	ck_assert_int_eq(color(NULL, "bright-red"), 9);
	ck_assert_int_eq(color(NULL, "bright-white"), 15);
	ck_assert_int_eq(color(NULL, "color0"), 0);
	ck_assert_int_eq(color(NULL, "color67"), 67);
	ck_assert_int_eq(color(NULL, "color255"), 255);
	ck_assert_int_eq(color(NULL, "#5f87d7"), THEME_RGB | 0x5f87d7);
	ck_assert_int_eq(color(NULL, "#FFFFFF"), THEME_RGB | 0xffffff);
	ck_assert_int_eq(color(NULL, "#000000"), THEME_RGB);
	ck_assert_int_eq(color(NULL, "color256"), -99);
	ck_assert_int_eq(color(NULL, "color-1"), -99);
	ck_assert_int_eq(color(NULL, "color01"), -99);
	ck_assert_int_eq(color(NULL, "color"), -99);
	ck_assert_int_eq(color(NULL, "#12345"), -99);
	ck_assert_int_eq(color(NULL, "#1234567"), -99);
	ck_assert_int_eq(color(NULL, "#12345g"), -99);
	ck_assert_int_eq(color(NULL, "bright-"), -99);
	ck_assert_int_eq(color(NULL, "bright-pink"), -99);
	ck_assert_int_eq(color(NULL, "pink"), -99);
	ck_assert_int_eq(color(NULL, ""), -99);
}
END_TEST

START_TEST(test_theme_palette)
{
	struct theme t;

	theme_default(&t);
	ck_assert_int_eq(load(&t, "palette sky #87afd7\n"
				  "palette Deep color17\n"
				  "palette same sky\n"
				  "color title deep SKY bold underline\n"
				  "palette sky red\n"),
			 0);
	ck_assert_int_eq(t.role[THEME_ROLE_TITLE].fg, 17);
	ck_assert_int_eq(t.role[THEME_ROLE_TITLE].bg, THEME_RGB | 0x87afd7);
	ck_assert_int_eq(t.role[THEME_ROLE_TITLE].attrs, THEME_BOLD | THEME_UNDERLINE);
	ck_assert_int_eq(color(&t, "same"), THEME_RGB | 0x87afd7);
	ck_assert_int_eq(color(&t, "sky"), 1);
	ck_assert_int_eq(color(NULL, "sky"), -99);
}
END_TEST

struct bad_line {
	const char *line;
	const char *report;
};

static const struct bad_line bad_lines[] = {
	{ "color titel white blue", "t.theme:2: unknown role 'titel'\n" },
	{ "color Title white blue", "t.theme:2: unknown role 'Title'\n" },
	{ "color title whyte blue", "t.theme:2: unknown colour or palette name 'whyte'\n" },
	{ "color title white accent2", "t.theme:2: unknown colour or palette name 'accent2'\n" },
	{ "color title color300 blue", "t.theme:2: unknown colour 'color300'\n" },
	{ "color title white #12zz56", "t.theme:2: unknown colour '#12zz56'\n" },
	{ "color title bright-pink blue", "t.theme:2: unknown colour 'bright-pink'\n" },
	{ "color title white blue bold shiny", "t.theme:2: unknown attribute 'shiny'\n" },
	{ "color title white", "t.theme:2: color: too few words, expected <role> <fg> <bg> "
			       "[attribute...]\n" },
	{ "color", "t.theme:2: color: too few words, expected <role> <fg> <bg> "
		   "[attribute...]\n" },
	{ "color title white blue bold bold bold bold bold bold bold bold bold "
	  "bold bold bold bold",
	  "t.theme:2: color: too many words\n" },
	{ "colour title white blue", "t.theme:2: unknown command 'colour'\n" },
	{ "palette accent", "t.theme:2: palette: expected <name> <color>, "
			    "got 1 word\n" },
	{ "palette a b c", "t.theme:2: palette: expected <name> <color>, "
			   "got 3 words\n" },
	{ "palette red #ff0000", "t.theme:2: palette name 'red' is a built-in colour\n" },
	{ "palette color7 #ff0000", "t.theme:2: palette name 'color7' is a built-in colour\n" },
	{ "palette 9lives red", "t.theme:2: bad palette name '9lives'\n" },
	{ "palette accent nocolor", "t.theme:2: unknown colour or palette name 'nocolor'\n" },
};

/* A bad line is reported with file and line, leaves the role as it was,
 * and the lines around it still apply. */
START_TEST(test_theme_bad_lines)
{
	const struct bad_line *b = &bad_lines[_i];
	struct theme t, before;
	char text[512];

	theme_default(&t);
	before = t;
	snprintf(text, sizeof(text), "color ok red default\n%s\ncolor error green default\n",
		 b->line);
	ck_assert_int_eq(load(&t, text), 1);
	ck_assert_str_eq(reports, b->report);
	ck_assert_int_eq(t.role[THEME_ROLE_OK].fg, 1);
	ck_assert_int_eq(t.role[THEME_ROLE_ERROR].fg, 2);
	ck_assert(memcmp(&t.role[THEME_ROLE_TITLE], &before.role[THEME_ROLE_TITLE],
			 sizeof(struct theme_style))
		  == 0);
	ck_assert_uint_eq(t.npalette, before.npalette);
}
END_TEST

START_TEST(test_theme_overlong_and_many)
{
	char *text = malloc(3 * THEME_LINE_MAX);
	struct theme t;

	theme_default(&t);
	strcpy(text, "color title red blue ");
	memset(text + 21, ' ', THEME_LINE_MAX);
	strcpy(text + 21 + THEME_LINE_MAX, "\r\n\n# comment\n"
					   "   \t\n"
					   "\tcolor\tok\tgreen\tdefault\tbold\r\n"
					   "color nope red blue\n"
					   "color dim default default dim");
	ck_assert_int_eq(load(&t, text), 2);
	ck_assert_str_eq(reports, "t.theme:1: line too long (more than 1024 "
				  "characters)\n"
				  "t.theme:6: unknown role 'nope'\n");
	ck_assert_int_ne(t.role[THEME_ROLE_TITLE].fg, 1);
	ck_assert_int_eq(t.role[THEME_ROLE_OK].fg, 2);
	ck_assert_int_eq(t.role[THEME_ROLE_OK].attrs, THEME_BOLD);
	ck_assert_int_eq(t.role[THEME_ROLE_DIM].attrs, THEME_DIM);
	free(text);
}
END_TEST

START_TEST(test_theme_too_many_palette_names)
{
	struct theme t;
	char line[64];
	int count = 0;

	theme_default(&t);
	while (t.npalette < THEME_PALETTE_MAX) {
		snprintf(line, sizeof(line), "palette p%zu red", t.npalette);
		ck_assert_int_eq(load(&t, line), 0);
	}
	reports[0] = '\0';
	ck_assert_int_eq(theme_load_string(&t, "f", "palette last red", collect, &count), 1);
	ck_assert_str_eq(reports, "f:1: too many palette names (at most 64)\n");
	/* redefining an existing name still works */
	ck_assert_int_eq(load(&t, "palette accent green"), 0);
	ck_assert_int_eq(color(&t, "accent"), 2);
}
END_TEST

START_TEST(test_theme_every_attribute)
{
	struct theme t;

	theme_default(&t);
	ck_assert_int_eq(load(&t, "color banner default default bold dim "
				  "underline reverse italic blink STANDOUT "
				  "normal\n"),
			 0);
	ck_assert_int_eq(t.role[THEME_ROLE_BANNER].attrs, THEME_BOLD | THEME_DIM | THEME_UNDERLINE
							      | THEME_REVERSE | THEME_ITALIC
							      | THEME_BLINK | THEME_STANDOUT);
}
END_TEST

START_TEST(test_theme_roles)
{
	static const char *const want[] = {
		"title",
		"status",
		"header",
		"row",
		"row-alt",
		"selected",
		"cursor",
		"border",
		"dim",
		"error",
		"warning",
		"ok",
		"gauge-ok",
		"gauge-warn",
		"gauge-high",
		"gauge-full",
		"tier",
		"status-trial",
		"status-active",
		"status-suspended",
		"status-pending",
		"status-deleted",
		"audit-create",
		"audit-update",
		"audit-delete",
		"secret",
		"banner",
		"prompt",
		"help-key",
		"help-text",
		"search-match",
		"spinner",
	};
	enum theme_role r;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(theme_role_parse(want[i], &r) == 0, "%s", want[i]);
	for (int i = 0; i < THEME_ROLE_COUNT; i++) {
		ck_assert_int_eq(theme_role_parse(theme_role_name(i), &r), 0);
		ck_assert_int_eq(r, i);
		ck_assert_int_gt(strlen(theme_role_help(i)), 4);
	}
}
END_TEST

static void
load_bundled(struct theme *t, const char *name)
{
	char path[256];
	int count = 0;

	snprintf(path, sizeof(path), "themes/%s.theme", name);
	memset(t, 0, sizeof(*t));
	reports[0] = '\0';
	ck_assert_int_eq(theme_load_file(t, path, collect, &count), 0);
	ck_assert_str_eq(reports, "");
}

/* Every bundled theme parses cleanly and sets every role. */
START_TEST(test_theme_bundled_files)
{
	static const char *const names[] = { "default", "light", "high-contrast", "mono" };
	struct theme t;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		load_bundled(&t, names[i]);
		for (int r = 0; r < THEME_ROLE_COUNT; r++)
			ck_assert_msg(t.role[r].set, "%s.theme lacks %s", names[i],
				      theme_role_name(r));
	}
}
END_TEST

START_TEST(test_theme_builtin_matches_files)
{
	struct theme builtin, file;

	theme_default(&builtin);
	load_bundled(&file, "default");
	ck_assert(memcmp(builtin.role, file.role, sizeof(file.role)) == 0);
	ck_assert_uint_eq(builtin.npalette, file.npalette);
	ck_assert(memcmp(builtin.palette, file.palette, sizeof(file.palette)) == 0);

	theme_mono(&builtin);
	load_bundled(&file, "mono");
	ck_assert(memcmp(builtin.role, file.role, sizeof(file.role)) == 0);
	ck_assert_str_eq(builtin.name, "mono");
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		ck_assert_int_eq(builtin.role[r].fg, THEME_COLOR_DEFAULT);
		ck_assert_int_eq(builtin.role[r].bg, THEME_COLOR_DEFAULT);
	}
	ck_assert_uint_ne(builtin.role[THEME_ROLE_SELECTED].attrs, 0);
}
END_TEST

START_TEST(test_theme_reduce)
{
	bool bold = true;

	ck_assert_int_eq(theme_rgb_to_256(0x000000), 16);
	ck_assert_int_eq(theme_rgb_to_256(0xffffff), 231);
	ck_assert_int_eq(theme_rgb_to_256(0x5f87d7), 68);
	ck_assert_int_eq(theme_rgb_to_256(0x080808), 232);
	ck_assert_int_eq(theme_rgb_to_256(0x777777), 243);

	ck_assert_int_eq(theme_color_reduce(THEME_COLOR_DEFAULT, 256, &bold), THEME_COLOR_DEFAULT);
	ck_assert(!bold);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB | 0x5f87d7, 256, NULL), 68);
	ck_assert_int_eq(theme_color_reduce(200, 256, NULL), 200);
	ck_assert_int_eq(theme_color_reduce(9, 16, NULL), 9);
	ck_assert_int_eq(theme_color_reduce(9, 8, &bold), 1);
	ck_assert(bold);
	ck_assert_int_eq(theme_color_reduce(3, 8, &bold), 3);
	ck_assert(!bold);
	ck_assert_int_eq(theme_color_reduce(196, 16, NULL), 9);
	ck_assert_int_eq(theme_color_reduce(196, 8, &bold), 1);
	ck_assert(bold);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB | 0x0000cc, 16, NULL), 4);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB | 0x101010, 8, NULL), 0);
	ck_assert_int_eq(theme_color_reduce(5, 2, NULL), THEME_COLOR_DEFAULT);
}
END_TEST

START_TEST(test_theme_find)
{
	char dir[] = "/tmp/tenantry-themes-XXXXXX";
	char path[512], found[512], want[600];
	struct theme t;
	int count = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("TENANTRY_THEMES_DIR");

	ck_assert_int_eq(theme_find(NULL, found, sizeof(found)), -1);
	ck_assert_int_eq(theme_find("", found, sizeof(found)), -1);
	ck_assert_int_eq(theme_find(".light", found, sizeof(found)), -1);
	ck_assert_int_eq(theme_find("nope", found, sizeof(found)), -1);
	ck_assert_int_eq(theme_find("light", found, sizeof(found)), 0);
	ck_assert_str_eq(found, THEMES_DIR "/light.theme");

	/* $TENANTRY_THEMES_DIR comes before the installed directory */
	setenv("TENANTRY_THEMES_DIR", dir, 1);
	snprintf(path, sizeof(path), "%s/light.theme", dir);
	f = fopen(path, "w");
	fputs("color title red blue\n", f);
	fclose(f);
	ck_assert_int_eq(theme_find("light", found, sizeof(found)), 0);
	ck_assert_str_eq(found, path);

	/* the user's directory comes first */
	snprintf(path, sizeof(path), "%s/tenantry", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tenantry/themes", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tenantry/themes/light.theme", dir);
	f = fopen(path, "w");
	fputs("color title green blue\ncolor title pink blue\n", f);
	fclose(f);
	ck_assert_int_eq(theme_find("light", found, sizeof(found)), 0);
	ck_assert_str_eq(found, path);

	reports[0] = '\0';
	ck_assert_int_eq(theme_load_name(&t, "light", collect, &count), 1);
	snprintf(want, sizeof(want), "%s:2: unknown colour or palette name 'pink'\n", path);
	ck_assert_str_eq(reports, want);
	ck_assert_str_eq(t.name, "light");
	ck_assert_int_eq(t.role[THEME_ROLE_TITLE].fg, 2);
	ck_assert(t.role[THEME_ROLE_OK].set); /* from the default */

	reports[0] = '\0';
	ck_assert_int_eq(theme_load_name(&t, "missing", collect, &count), -1);
	ck_assert_str_eq(reports, "theme 'missing' not found\n");
	ck_assert_str_eq(t.name, "default");
	ck_assert_int_eq(theme_load_name(&t, "default", NULL, NULL), 0);
	ck_assert_int_eq(theme_find("themes/mono.theme", found, sizeof(found)), 0);

	reports[0] = '\0';
	ck_assert_int_eq(theme_load_file(&t, "/nonexistent/t", collect, &count), -1);
	ck_assert_str_eq(reports, "/nonexistent/t: No such file or directory\n");

	unlink(path);
	snprintf(path, sizeof(path), "%s/light.theme", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/tenantry/themes", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/tenantry", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("TENANTRY_THEMES_DIR");
}
END_TEST

START_TEST(test_theme_next_and_no_color)
{
	ck_assert_str_eq(theme_next_name("default"), "light");
	ck_assert_str_eq(theme_next_name("light"), "high-contrast");
	ck_assert_str_eq(theme_next_name("high-contrast"), "mono");
	ck_assert_str_eq(theme_next_name("mono"), "default");
	ck_assert_str_eq(theme_next_name("custom"), "default");
	ck_assert_str_eq(theme_next_name(NULL), "default");

	unsetenv("NO_COLOR");
	ck_assert(!theme_no_color());
	setenv("NO_COLOR", "", 1);
	ck_assert(!theme_no_color());
	setenv("NO_COLOR", "1", 1);
	ck_assert(theme_no_color());
	unsetenv("NO_COLOR");
}
END_TEST

/* Without theme_apply every role draws plainly. */
START_TEST(test_theme_attr_before_apply)
{
	ck_assert_uint_eq(theme_attr(THEME_ROLE_TITLE), A_NORMAL);
	ck_assert_uint_eq(theme_attr(THEME_ROLE_COUNT), A_NORMAL);
}
END_TEST

/* theme_apply on a real (if invisible) 256-colour terminal. */
START_TEST(test_theme_apply)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr;
	struct theme t;

	ck_assert_ptr_nonnull(out);
	scr = newterm("xterm-256color", out, in);
	ck_assert_ptr_nonnull(scr);
	start_color();
	theme_default(&t);
	theme_apply(&t, true);
	ck_assert_uint_ne(theme_attr(THEME_ROLE_TITLE) & A_COLOR, 0);
	ck_assert_uint_ne(theme_attr(THEME_ROLE_TITLE) & A_BOLD, 0);
	ck_assert_uint_ne(theme_attr(THEME_ROLE_SELECTED) & A_COLOR, 0);
	theme_apply(&t, false);
	ck_assert_uint_eq(theme_attr(THEME_ROLE_TITLE) & A_COLOR, 0);
	ck_assert_uint_ne(theme_attr(THEME_ROLE_TITLE) & A_BOLD, 0);
	theme_mono(&t);
	theme_apply(&t, true);
	ck_assert_uint_ne(theme_attr(THEME_ROLE_SELECTED) & A_REVERSE, 0);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}
END_TEST

/* The manual page describes every role. */
START_TEST(test_theme_manual_lists_every_role)
{
	FILE *f = fopen("docs/tenantry-theme.5", "r");
	static char page[65536];
	char want[128];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(page, 1, sizeof(page) - 1, f);
	fclose(f);
	page[n] = '\0';
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		snprintf(want, sizeof(want), "\n.It Cm %s\n", theme_role_name((enum theme_role)r));
		ck_assert_msg(strstr(page, want), "tenantry-theme.5 lacks %s",
			      theme_role_name((enum theme_role)r));
	}
}
END_TEST

Suite *
suite_theme(void)
{
	Suite *s = suite_create("theme");
	TCase *tc = tcase_create("theme");

	tcase_add_test(tc, test_theme_bad_input);
	tcase_add_test(tc, test_theme_colors);
	tcase_add_test(tc, test_theme_palette);
	tcase_add_loop_test(tc, test_theme_bad_lines, 0, sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_theme_overlong_and_many);
	tcase_add_test(tc, test_theme_too_many_palette_names);
	tcase_add_test(tc, test_theme_every_attribute);
	tcase_add_test(tc, test_theme_roles);
	tcase_add_test(tc, test_theme_bundled_files);
	tcase_add_test(tc, test_theme_builtin_matches_files);
	tcase_add_test(tc, test_theme_reduce);
	tcase_add_test(tc, test_theme_find);
	tcase_add_test(tc, test_theme_next_and_no_color);
	tcase_add_test(tc, test_theme_attr_before_apply);
	tcase_add_test(tc, test_theme_apply);
	tcase_add_test(tc, test_theme_manual_lists_every_role);
	suite_add_tcase(s, tc);
	return s;
}
