/* widget.h - what the console draws with: safe text, display widths, exact
 * fitting to columns, gauges, table column layout, line-drawing glyphs.
 *
 * Everything but the draw_* wrappers is pure and testable without a
 * terminal; the wrappers only put the result on a window. Text from the
 * database never reaches the terminal unsanitised: control characters
 * (C0, DEL, C1), bidirectional overrides and invalid UTF-8 become U+FFFD,
 * or '?' in ASCII mode (a locale that is not UTF-8).
 * Widths come from wcwidth(3) and so need a UTF-8 LC_CTYPE.
 */
#ifndef TENANTRY_TUI_WIDGET_H
#define TENANTRY_TUI_WIDGET_H

#include <ncurses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/termtext.h"
#include "tui/theme.h"

/* How full a quota is: below 80 %, from 80 %, from 95 %, at or over
 * 100 %, or without a limit (limit < 0). A limit of 0 is full. */
enum gauge_level {
	GAUGE_OK,
	GAUGE_WARN,
	GAUGE_HIGH,
	GAUGE_FULL,
	GAUGE_UNLIMITED,
};

enum gauge_level gauge_level(int64_t used, int64_t limit);

/* used as a whole percentage of limit, rounded down, at most 999; 100 for a
 * limit of 0, -1 when unlimited. */
int gauge_percent(int64_t used, int64_t limit);

/* The theme role of a level. */
enum theme_role gauge_role(enum gauge_level level);

/* Writes a gauge of exactly width columns into buf: "[██████░░░░]  62%",
 * or "[######....]  62%" when ascii. Unlimited is "[          ]    ∞", or
 * "[unlimited ]     " when ascii. Below 8 columns only the percentage is
 * written, right-aligned. buf needs 3 * width + 8 bytes. Returns the
 * level. */
enum gauge_level
gauge_format(char *buf, size_t size, int width, int64_t used, int64_t limit, bool ascii);

/* A table column: at least min columns, at most max (0 = no limit), and a
 * share of the spare room in proportion to weight (0 = fixed at min). */
struct column_spec {
	int min, max, weight;
};

/* Lays n columns out in total columns with gap columns between them,
 * filling widths[n]. Columns that do not fit even at their minimum are
 * dropped from the right (width 0); the first one is always kept, cut to
 * total. The visible widths and gaps add up to exactly total (room left
 * over when every column is at its maximum goes to the last one).
 * Returns the number of visible columns. */
size_t layout_columns(const struct column_spec *specs, size_t n, int total, int gap, int *widths);

/* Draws src sanitised and fitted to width columns at y, x with attr.
 * Returns ERR when nothing could be drawn. Only the UI thread may call
 * the draw functions. */
int draw_text(WINDOW *win, int y, int x, int width, attr_t attr, const char *src);

/* Like draw_text, aligned right. */
int draw_text_right(WINDOW *win, int y, int x, int width, attr_t attr, const char *src);

/* Draws a horizontal line of width columns. */
int draw_hline(WINDOW *win, int y, int x, int width, attr_t attr);

/* Writes v[0..n-1] (oldest first) as a sparkline of n columns into buf:
 * ▁▂▃▄▅▆▇█ scaled to the largest value (.:-=# when ascii), a blank for 0.
 * buf needs 3 * n + 1 bytes; what does not fit is left out. */
void sparkline_format(char *buf, size_t size, const int64_t *v, int n, bool ascii);

/* Draws a gauge (gauge_format in the current glyph mode) in the theme
 * colour of its level. Returns the level. */
enum gauge_level draw_gauge(WINDOW *win, int y, int x, int width, int64_t used, int64_t limit);

#endif
