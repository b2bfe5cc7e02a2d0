/* theme.c - theme files, colour parsing and reduction, and turning a theme
 * into ncurses colour pairs (see theme.h).
 *
 * Everything but theme_apply() is pure and works without a terminal. The
 * built-in default and mono themes are copies of themes/default.theme and
 * themes/mono.theme; a unit test keeps them in step.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/theme.h"
#include "tui/conffile.h"
/* The built-in keymap and themes: keymaps/default.keys, themes/default.theme
 * and themes/mono.theme, embedded by src/sql/embed.sh --text. */
#include "conf_embed.h"

#define MAX_WORDS 16

static const char *const role_names[THEME_ROLE_COUNT] = {
#define X(e, s, d) [THEME_ROLE_##e] = s,
	THEME_ROLES(X)
#undef X
};

static const char *const role_helps[THEME_ROLE_COUNT] = {
#define X(e, s, d) [THEME_ROLE_##e] = d,
	THEME_ROLES(X)
#undef X
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
#define X(e, s) { s, THEME_##e },
	THEME_ATTRS(X)
#undef X
	    { "normal", 0 },
};

static const char *const basic_colors[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const char *const bundled[] = { "default", "light", "high-contrast", "mono" };

/* The 16 colours of xterm, for reducing to 16 or 8 colours. */
static const int ansi_rgb[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

static const int cube_level[6] = { 0, 95, 135, 175, 215, 255 };

const char *
theme_role_name(enum theme_role r)
{
	return (unsigned)r < THEME_ROLE_COUNT ? role_names[r] : "?";
}

const char *
theme_role_help(enum theme_role r)
{
	return (unsigned)r < THEME_ROLE_COUNT ? role_helps[r] : "";
}

int
theme_role_parse(const char *s, enum theme_role *out)
{
	if (!s)
		return -1;
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		if (strcmp(s, role_names[r]) == 0) {
			if (out)
				*out = (enum theme_role)r;
			return 0;
		}
	}
	return -1;
}

static int
parse_attr(const char *s, unsigned *bits)
{
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (strcasecmp(s, attr_names[i].name) == 0) {
			*bits |= attr_names[i].bit;
			return 0;
		}
	}
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The syntax of built-in colours, palette names aside. */
static int
parse_builtin_color(const char *s, int *color)
{
	if (strcasecmp(s, "default") == 0) {
		*color = THEME_COLOR_DEFAULT;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(s, basic_colors[i]) == 0) {
			*color = i;
			return 0;
		}
		if (strncasecmp(s, "bright-", 7) == 0 && strcasecmp(s + 7, basic_colors[i]) == 0) {
			*color = i + 8;
			return 0;
		}
	}
	if (strncasecmp(s, "color", 5) == 0 && isdigit((unsigned char)s[5])) {
		char *end;
		long n = strtol(s + 5, &end, 10);
		if (*end || n > 255 || (s[5] == '0' && s[6]))
			return -1;
		*color = (int)n;
		return 0;
	}
	if (s[0] == '#' && strlen(s) == 7) {
		int rgb = 0;
		for (int i = 1; i < 7; i++) {
			int v = hexval((unsigned char)s[i]);
			if (v < 0)
				return -1;
			rgb = rgb << 4 | v;
		}
		*color = THEME_RGB | rgb;
		return 0;
	}
	return -1;
}

/* True for words that can only mean a built-in colour (so an unknown one
 * is a malformed colour, not an unknown palette name). */
static bool
looks_builtin(const char *s)
{
	return s[0] == '#' || strncasecmp(s, "bright-", 7) == 0
	       || (strncasecmp(s, "color", 5) == 0 && isdigit((unsigned char)s[5]));
}

static int
palette_find(const struct theme *t, const char *s)
{
	for (size_t i = 0; t && i < t->npalette; i++) {
		if (strcasecmp(s, t->palette[i].name) == 0)
			return (int)i;
	}
	return -1;
}

int
theme_color_parse(const struct theme *t, const char *s, int *color)
{
	int i;

	if (!s || !color)
		return -1;
	if (parse_builtin_color(s, color) == 0)
		return 0;
	if ((i = palette_find(t, s)) < 0)
		return -1;
	*color = t->palette[i].color;
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

static int
color_word(const struct theme *t, struct conf_reader *ld, const char *s, int *color)
{
	if (theme_color_parse(t, s, color) == 0)
		return 0;
	if (looks_builtin(s))
		conf_complain(ld, "unknown colour '%s'", s);
	else
		conf_complain(ld, "unknown colour or palette name '%s'", s);
	return -1;
}

static void
load_color(struct theme *t, struct conf_reader *ld, char **word, int n)
{
	struct theme_style st = { .set = true };
	enum theme_role role;

	if (n < 4) {
		conf_complain(ld, "color: too few words, expected "
				  "<role> <fg> <bg> [attribute...]");
		return;
	}
	if (n > MAX_WORDS) {
		conf_complain(ld, "color: too many words");
		return;
	}
	if (theme_role_parse(word[1], &role) < 0) {
		conf_complain(ld, "unknown role '%s'", word[1]);
		return;
	}
	if (color_word(t, ld, word[2], &st.fg) < 0 || color_word(t, ld, word[3], &st.bg) < 0)
		return;
	for (int i = 4; i < n; i++) {
		if (parse_attr(word[i], &st.attrs) < 0) {
			conf_complain(ld, "unknown attribute '%s'", word[i]);
			return;
		}
	}
	t->role[role] = st;
}

static bool
valid_palette_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= THEME_NAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_")
	       == len;
}

static void
load_palette(struct theme *t, struct conf_reader *ld, char **word, int n)
{
	int color, i;

	if (n != 3) {
		conf_complain(ld, "palette: expected <name> <color>, got %d word%s", n - 1,
			      n == 2 ? "" : "s");
		return;
	}
	if (!valid_palette_name(word[1])) {
		conf_complain(ld, "bad palette name '%s'", word[1]);
		return;
	}
	if (parse_builtin_color(word[1], &color) == 0 || looks_builtin(word[1])) {
		conf_complain(ld, "palette name '%s' is a built-in colour", word[1]);
		return;
	}
	if (color_word(t, ld, word[2], &color) < 0)
		return;
	if ((i = palette_find(t, word[1])) < 0) {
		if (t->npalette >= THEME_PALETTE_MAX) {
			conf_complain(ld, "too many palette names (at most %d)", THEME_PALETTE_MAX);
			return;
		}
		i = (int)t->npalette++;
		snprintf(t->palette[i].name, THEME_NAME_MAX, "%s", word[1]);
	}
	t->palette[i].color = color;
}

static void
load_line(struct theme *t, struct conf_reader *ld, char *line)
{
	char *word[MAX_WORDS];
	int n = conf_split(line, word, MAX_WORDS);

	if (n == 0 || word[0][0] == '#')
		return;
	if (strcmp(word[0], "color") == 0)
		load_color(t, ld, word, n);
	else if (strcmp(word[0], "palette") == 0)
		load_palette(t, ld, word, n);
	else
		conf_complain(ld, "unknown command '%s'", word[0]);
}

static void
load_one(void *t, struct conf_reader *r, char *line)
{
	load_line(t, r, line);
}

int
theme_load_string(struct theme *t, const char *name, const char *text, theme_report_fn report,
		  void *ctx)
{
	if (!t)
		return 0;
	return conf_load_string(name, text, load_one, t, report, ctx);
}

int
theme_load_file(struct theme *t, const char *path, theme_report_fn report, void *ctx)
{
	return conf_load_file(path, load_one, t, report, ctx);
}

static void
theme_clear(struct theme *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		t->role[r].fg = THEME_COLOR_DEFAULT;
		t->role[r].bg = THEME_COLOR_DEFAULT;
	}
}

const char *
theme_default_text(void)
{
	return conf_default_theme;
}

void
theme_default(struct theme *t)
{
	theme_clear(t, "default");
	theme_load_string(t, "default.theme", conf_default_theme, NULL, NULL);
}

void
theme_mono(struct theme *t)
{
	theme_clear(t, "mono");
	theme_load_string(t, "mono.theme", conf_mono_theme, NULL, NULL);
}

/* ---- finding themes ------------------------------------------------------ */

int
theme_find(const char *name, char *buf, size_t size)
{
	return conf_find(name, "themes", ".theme", "TENANTRY_THEMES_DIR", THEMES_DIR, buf, size);
}

int
theme_load_name(struct theme *t, const char *name, theme_report_fn report, void *ctx)
{
	char path[4096], msg[300];
	int errors;

	theme_default(t);
	if (!name)
		return 0;
	if (theme_find(name, path, sizeof(path)) < 0) {
		if (strcmp(name, "default") == 0)
			return 0;
		if (report) {
			snprintf(msg, sizeof(msg), "theme '%.200s' not found", name);
			report(ctx, msg);
		}
		return -1;
	}
	errors = theme_load_file(t, path, report, ctx);
	if (errors >= 0)
		snprintf(t->name, sizeof(t->name), "%s", name);
	return errors;
}

const char *
theme_next_name(const char *current)
{
	size_t n = sizeof(bundled) / sizeof(bundled[0]);

	for (size_t i = 0; current && i < n; i++) {
		if (strcmp(current, bundled[i]) == 0)
			return bundled[(i + 1) % n];
	}
	return bundled[0];
}

bool
theme_no_color(void)
{
	const char *s = getenv("NO_COLOR");

	return s && s[0];
}

/* ---- colour reduction --------------------------------------------------- */

static long
distance(int a, int b)
{
	long dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
	long dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
	long db = (a & 0xff) - (b & 0xff);

	return dr * dr + dg * dg + db * db;
}

/* The RGB value of xterm colour n (0..255). */
static int
xterm_rgb(int n)
{
	if (n < 16)
		return ansi_rgb[n];
	if (n >= 232) {
		int v = 8 + 10 * (n - 232);
		return v << 16 | v << 8 | v;
	}
	n -= 16;
	return cube_level[n / 36] << 16 | cube_level[n / 6 % 6] << 8 | cube_level[n % 6];
}

int
theme_rgb_to_256(int rgb)
{
	int best = 16;
	long bestd = -1;

	rgb &= 0xffffff;
	for (int i = 16; i < 256; i++) {
		long d = distance(rgb, xterm_rgb(i));
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

static int
nearest_ansi(int rgb, int n)
{
	int best = 0;
	long bestd = -1;

	for (int i = 0; i < n; i++) {
		long d = distance(rgb, ansi_rgb[i]);
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

int
theme_color_reduce(int color, int ncolors, bool *bold)
{
	int rgb;

	if (bold)
		*bold = false;
	if (color == THEME_COLOR_DEFAULT || ncolors < 8)
		return THEME_COLOR_DEFAULT;
	if (color & THEME_RGB) {
		if (ncolors >= 256)
			return theme_rgb_to_256(color);
		rgb = color & 0xffffff;
	} else if (color < ncolors) {
		return color;
	} else {
		rgb = xterm_rgb(color & 0xff);
	}
	color = nearest_ansi(rgb, 16);
	if (color < 8 || ncolors >= 16)
		return color;
	if (bold)
		*bold = true;
	return color - 8;
}

/* ---- applying ------------------------------------------------------------ */

static attr_t role_attr[THEME_ROLE_COUNT];

static attr_t
curses_attrs(unsigned bits)
{
	attr_t a = A_NORMAL;

	a |= bits & THEME_BOLD ? A_BOLD : 0;
	a |= bits & THEME_DIM ? A_DIM : 0;
	a |= bits & THEME_UNDERLINE ? A_UNDERLINE : 0;
	a |= bits & THEME_REVERSE ? A_REVERSE : 0;
	a |= bits & THEME_ITALIC ? A_ITALIC : 0;
	a |= bits & THEME_BLINK ? A_BLINK : 0;
	a |= bits & THEME_STANDOUT ? A_STANDOUT : 0;
	return a;
}

static int
init_role_pair(int pair, int fg, int bg)
{
#if defined(NCURSES_EXT_COLORS) && NCURSES_EXT_COLORS
	return init_extended_pair(pair, fg, bg);
#else
	return init_pair((short)pair, (short)fg, (short)bg);
#endif
}

void
theme_apply(const struct theme *t, bool want_color)
{
	bool color = want_color && has_colors() && COLORS >= 8 && COLOR_PAIRS > THEME_ROLE_COUNT;
	bool defaults = color && use_default_colors() == OK;

	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		const struct theme_style *st = &t->role[r];
		bool bold = false, ignore;
		int fg, bg;

		role_attr[r] = curses_attrs(st->attrs);
		if (!color)
			continue;
		fg = theme_color_reduce(st->fg, COLORS, &bold);
		bg = theme_color_reduce(st->bg, COLORS, &ignore);
		if (!defaults) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		if (init_role_pair(r + 1, fg, bg) == OK)
			role_attr[r] |= COLOR_PAIR(r + 1);
		if (bold)
			role_attr[r] |= A_BOLD;
	}
}

attr_t
theme_attr(enum theme_role role)
{
	if ((unsigned)role >= THEME_ROLE_COUNT)
		return A_NORMAL;
	return role_attr[role];
}
