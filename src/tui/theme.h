/* theme.h - colour themes of the console.
 *
 * A theme gives every role (a kind of thing on screen: title bar, selected
 * row, gauge above 80 %, ...) a foreground, a background and attributes.
 * Themes are small text files (tenantry-theme(5)):
 *
 *	palette accent #5f87d7
 *	color   title  white accent bold
 *
 * Parsing is pure: colours are stored as written (a terminal colour number
 * or 24-bit RGB) and reduced to what the terminal has only by theme_apply().
 * A bad line is reported as "file:line: message" and skipped.
 */
#ifndef TENANTRY_TUI_THEME_H
#define TENANTRY_TUI_THEME_H

#include <ncurses.h>
#include <stdbool.h>
#include <stddef.h>

/* X(enum suffix, name in theme files, what it colours) */
/* clang-format off */
#define THEME_ROLES(X)                                                       \
	X(NORMAL, "normal", "Everything without a role of its own")          \
	X(TITLE, "title", "The title bar at the top")                        \
	X(STATUS, "status", "The status and key hint line at the bottom")    \
	X(TAB, "tab", "Pane names in the tab bar")                           \
	X(TAB_ACTIVE, "tab-active", "The current pane in the tab bar")       \
	X(HEADER, "header", "Column headings of tables")                     \
	X(ROW, "row", "Table rows")                                          \
	X(ROW_ALT, "row-alt", "Every other table row")                       \
	X(SELECTED, "selected", "The row under the cursor")                  \
	X(CURSOR, "cursor", "The text cursor in prompts and forms")          \
	X(BORDER, "border", "Lines between panes")                           \
	X(DIM, "dim", "Less important text: ids, times, hints")              \
	X(ERROR, "error", "Error messages")                                  \
	X(WARNING, "warning", "Warnings")                                     \
	X(OK, "ok", "Success messages")                                      \
	X(GAUGE_OK, "gauge-ok", "Gauges below 80 %")                         \
	X(GAUGE_WARN, "gauge-warn", "Gauges from 80 %")                      \
	X(GAUGE_HIGH, "gauge-high", "Gauges from 95 %")                      \
	X(GAUGE_FULL, "gauge-full", "Gauges at or over 100 %")               \
	X(TIER, "tier", "Tier names")                                        \
	X(STATUS_TRIAL, "status-trial", "Tenants in trial")                  \
	X(STATUS_ACTIVE, "status-active", "Active tenants")                  \
	X(STATUS_SUSPENDED, "status-suspended", "Suspended tenants")         \
	X(STATUS_PENDING, "status-pending", "Tenants pending deletion")      \
	X(STATUS_DELETED, "status-deleted", "Deleted tenants")               \
	X(AUDIT_CREATE, "audit-create", "Audit entries that create")         \
	X(AUDIT_UPDATE, "audit-update", "Audit entries that change")         \
	X(AUDIT_DELETE, "audit-delete", "Audit entries that delete")         \
	X(SECRET, "secret", "Masked and revealed secrets")                   \
	X(BANNER, "banner", "The banner shown while viewing as a member")    \
	X(PROMPT, "prompt", "The command line and prompts")                  \
	X(HELP_KEY, "help-key", "Key names in the help screen")              \
	X(HELP_TEXT, "help-text", "Descriptions in the help screen")         \
	X(SEARCH_MATCH, "search-match", "Text matching the filter")          \
	X(SPINNER, "spinner", "The busy and reconnecting indicator")
/* clang-format on */

enum theme_role {
#define X(e, s, d) THEME_ROLE_##e,
	THEME_ROLES(X)
#undef X
	    THEME_ROLE_COUNT
};

/* X(enum suffix, name in theme files) */
/* clang-format off */
#define THEME_ATTRS(X)                                                       \
	X(BOLD, "bold") X(DIM, "dim") X(UNDERLINE, "underline")              \
	X(REVERSE, "reverse") X(ITALIC, "italic") X(BLINK, "blink")          \
	X(STANDOUT, "standout")
/* clang-format on */

enum {
#define X(e, s) THEME_ATTR_BIT_##e,
	THEME_ATTRS(X)
#undef X
};
#define X(e, s) THEME_##e = 1u << THEME_ATTR_BIT_##e,
enum theme_attr_bits { THEME_ATTRS(X) };
#undef X

/* A colour: THEME_COLOR_DEFAULT (the terminal's own), 0..255 (a terminal
 * colour number), or THEME_RGB | 0xrrggbb. */
#define THEME_COLOR_DEFAULT (-1)
#define THEME_RGB 0x01000000

#define THEME_PALETTE_MAX 64
#define THEME_NAME_MAX 32
#define THEME_LINE_MAX 1024
#define THEME_FILE_MAX (1 << 20)

#ifndef THEMES_DIR
#define THEMES_DIR "themes"
#endif

struct theme_style {
	int fg, bg;
	unsigned attrs; /* THEME_BOLD | ... */
	bool set;       /* named by the theme (else inherited) */
};

struct theme {
	char name[THEME_NAME_MAX];
	struct theme_style role[THEME_ROLE_COUNT];
	size_t npalette;
	struct {
		char name[THEME_NAME_MAX];
		int color;
	} palette[THEME_PALETTE_MAX];
};

/* Receives one complaint, already formatted as "file:line: message". */
typedef void (*theme_report_fn)(void *ctx, const char *message);

/* Name of a role ("gauge-warn"); "?" when out of range. */
const char *theme_role_name(enum theme_role r);

/* What a role colours, for the manual; "" when out of range. */
const char *theme_role_help(enum theme_role r);

/* Parses a role name. Returns 0 and sets *out, or -1. */
int theme_role_parse(const char *s, enum theme_role *out);

/* Parses a colour: "default", "red" ... "white", "bright-red" ...,
 * "color0" ... "color255", "#rrggbb", or a palette name of t (t may be
 * NULL). Case-insensitive. Returns 0 and sets *color, -1 when unknown. */
int theme_color_parse(const struct theme *t, const char *s, int *color);

/* The built-in default theme (a copy of themes/default.theme); every role
 * is set. */
void theme_default(struct theme *t);

/* The built-in copy of themes/default.theme. */
const char *theme_default_text(void);

/* A theme without colours for NO_COLOR and --no-color: attributes only. */
void theme_mono(struct theme *t);

/* Applies the lines of text on top of t (roles it does not name keep their
 * style); name is used in reports, report may be NULL. Returns the number
 * of bad lines. */
int theme_load_string(struct theme *t, const char *name, const char *text, theme_report_fn report,
		      void *ctx);

/* Like theme_load_string for the file at path. Returns the number of bad
 * lines, or -1 (reported as "path: message") when it cannot be read. */
int theme_load_file(struct theme *t, const char *path, theme_report_fn report, void *ctx);

/* Finds the theme NAME: $XDG_CONFIG_HOME/tenantry/themes/NAME.theme (or
 * ~/.config/...), then $TENANTRY_THEMES_DIR/NAME.theme, then the installed
 * data directory (TENANTRY_DATADIR/themes), then
 * THEMES_DIR/NAME.theme. A name with a '/' is taken as a path; other names
 * may not start with '.'. Returns 0 with the path in buf, or -1. */
int theme_find(const char *name, char *buf, size_t size);

/* Loads theme NAME on top of the built-in default: "default" without a
 * file of that name is the built-in one. Returns the number of bad lines,
 * or -1 (reported as "theme 'NAME' not found") when there is no such
 * theme; t is then the default theme. */
int theme_load_name(struct theme *t, const char *name, theme_report_fn report, void *ctx);

/* The bundled theme after current ("default", "light", "high-contrast",
 * "mono", then "default" again). */
const char *theme_next_name(const char *current);

/* True when the NO_COLOR environment variable asks for no colours. */
bool theme_no_color(void);

/* Nearest colour to rgb (0xrrggbb) among the 256 of xterm (16..255). */
int theme_rgb_to_256(int rgb);

/* Reduces color to what a terminal with ncolors colours shows: the same
 * number, the nearest one, or (8 colours) the basic one with *bold set for
 * a bright foreground. THEME_COLOR_DEFAULT stays itself. */
int theme_color_reduce(int color, int ncolors, bool *bold);

/* Initialises colour pairs for t (when the terminal has colours and
 * want_color) and computes each role's ncurses attributes. Call after
 * initscr() and start_color(). Only the UI thread may call it. */
void theme_apply(const struct theme *t, bool want_color);

/* The ncurses attributes (colour pair included) of role, as computed by
 * the last theme_apply; A_NORMAL before. */
attr_t theme_attr(enum theme_role role);

#endif
