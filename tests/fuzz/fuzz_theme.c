/* fuzz_theme.c - feeds arbitrary text as a theme file to
 * theme_load_string (src/tui/theme.c), whose lines are split and reported
 * by src/tui/conffile.c, on top of the built-in default theme.
 *
 * Every bad line must be reported once (the count returned equals the
 * reports received), and every colour the theme ends up with must be one
 * the header allows.
 */
#include "fuzz/fuzz.h"
#include "tui/theme.h"

static void
count(void *ctx, const char *message)
{
	(void)message;
	(*(int *)ctx)++;
}

static bool
color_ok(int c)
{
	return c == THEME_COLOR_DEFAULT || (c >= 0 && c <= 255) || (c & ~0xffffff) == THEME_RGB;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t;
	char *text = fuzz_text(data, size);
	int reports = 0, bad;

	theme_default(&t);
	bad = theme_load_string(&t, "fuzz.theme", text, count, &reports);
	if (bad != reports)
		abort();
	for (int r = 0; r < THEME_ROLE_COUNT; r++)
		if (!color_ok(t.role[r].fg) || !color_ok(t.role[r].bg))
			abort();
	if (t.npalette > THEME_PALETTE_MAX)
		abort();
	free(text);
	return 0;
}
