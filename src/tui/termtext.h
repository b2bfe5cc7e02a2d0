/* termtext.h - text for a terminal, without curses: the glyph set (UTF-8
 * or ASCII), sanitising what came from data, display widths and fitting
 * to columns. The console's widgets draw with it and the command line's
 * plain tables print with it (widget.c holds the code). */
#ifndef TENANTRY_TUI_TERMTEXT_H
#define TENANTRY_TUI_TERMTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Glyphs for lines, bars and marks, in UTF-8 or ASCII. */
struct widget_glyphs {
	const char *hline, *vline, *cross, *tee_down, *tee_up;
	const char *ellipsis;
	const char *bar_full, *bar_empty;
	const char *pointer;  /* marks the selected row */
	const char *infinity; /* unlimited quota */
	const char *sort_up, *sort_down;
	const char *replacement; /* stands for an unprintable character */
	const char *spinner[4];
};

/* Chooses ASCII (true) or UTF-8 (false) glyphs and sanitising. */
void widget_set_ascii(bool ascii);
bool widget_ascii(void);

/* True when the current LC_CTYPE is UTF-8. */
bool widget_locale_utf8(void);

/* The glyphs of the current mode. */
const struct widget_glyphs *widget_glyphs(void);

/* Copies src into dst (size bytes, always NUL-terminated, cut at a
 * character boundary), replacing what must not reach a terminal: a tab
 * becomes a space; other C0 controls, DEL, C1 controls, bidirectional
 * overrides and isolates, line and paragraph separators and invalid UTF-8
 * (each bad byte) become the replacement glyph; in ASCII mode every
 * non-ASCII character does too. Returns the length of dst. src NULL is "". */
size_t text_sanitize(char *dst, size_t size, const char *src);

/* Display columns of src once sanitised: wide (CJK) characters count 2,
 * combining ones 0. */
int text_width(const char *src);

/* Writes src sanitised into buf so that it takes exactly width columns:
 * padded with spaces, or cut (never inside a wide character) and, when
 * ellipsis, ended with the ellipsis glyph ("…", or "~" in ASCII mode).
 * A wide character that does not fit leaves a space. buf needs
 * 4 * width + 4 bytes for the result to be whole; it is always
 * NUL-terminated. Returns the length of buf. */
size_t text_fit(char *buf, size_t size, const char *src, int width, bool ellipsis);

/* Like text_fit, aligned right (the padding goes first). */
size_t text_fit_right(char *buf, size_t size, const char *src, int width, bool ellipsis);

/* n with thousands separators ("1,204", "-5,000"). Returns the length. */
size_t text_thousands(char *buf, size_t size, int64_t n);

#endif
