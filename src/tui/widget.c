/* widget.c - safe text, widths, fitting, gauges, column layout, glyphs, and
 * the thin ncurses wrappers that draw them (see widget.h). */
#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "core/quota.h"
#include "tui/widget.h"

#define REPLACEMENT_UTF8 "\xef\xbf\xbd" /* U+FFFD */
#define DRAW_MAX 1024                   /* widest text drawn at once */

static const struct widget_glyphs glyphs_utf8 = {
	.hline = "─",
	.vline = "│",
	.cross = "┼",
	.tee_down = "┬",
	.tee_up = "┴",
	.ellipsis = "…",
	.bar_full = "█",
	.bar_empty = "░",
	.pointer = "▸",
	.infinity = "∞",
	.sort_up = "▲",
	.sort_down = "▼",
	.replacement = REPLACEMENT_UTF8,
	.spinner = { "⠋", "⠙", "⠸", "⠴" },
};

static const struct widget_glyphs glyphs_ascii = {
	.hline = "-",
	.vline = "|",
	.cross = "+",
	.tee_down = "+",
	.tee_up = "+",
	.ellipsis = "~",
	.bar_full = "#",
	.bar_empty = ".",
	.pointer = ">",
	.infinity = "inf",
	.sort_up = "^",
	.sort_down = "v",
	.replacement = "?",
	.spinner = { "|", "/", "-", "\\" },
};

static bool ascii_mode;

void
widget_set_ascii(bool ascii)
{
	ascii_mode = ascii;
}

bool
widget_ascii(void)
{
	return ascii_mode;
}

bool
widget_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

const struct widget_glyphs *
widget_glyphs(void)
{
	return ascii_mode ? &glyphs_ascii : &glyphs_utf8;
}

/* ---- text ---------------------------------------------------------------- */

/* Decodes one strictly valid UTF-8 character at s. Returns its length and
 * sets *cp, or 0 when the sequence is invalid (overlong, surrogate, beyond
 * U+10FFFF, truncated). */
static int
utf8_decode(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	int len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	c = c << 6 | (s[1] & 0x3f);
	for (int i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

static bool
unsafe(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e)
	       || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* One character of src, sanitised: its bytes in out (at most 4), their
 * count in *outlen and its columns in *width. Returns how many bytes of src
 * it took (0 at the end). */
static size_t
next_char(const char *src, char out[4], size_t *outlen, int *width)
{
	const struct widget_glyphs *g = widget_glyphs();
	const unsigned char *s = (const unsigned char *)src;
	unsigned cp;
	int len, w;

	if (!*s)
		return 0;
	len = utf8_decode(s, &cp);
	*width = 1;
	if (len == 1 && cp == '\t') {
		out[0] = ' ';
		*outlen = 1;
		return 1;
	}
	if (len == 0 || unsafe(cp) || (ascii_mode && cp >= 0x80)) {
		*outlen = strlen(g->replacement);
		memcpy(out, g->replacement, *outlen);
		return len ? (size_t)len : 1;
	}
	memcpy(out, s, (size_t)len);
	*outlen = (size_t)len;
	if (cp >= 0x80) {
		w = wcwidth((wchar_t)cp);
		*width = w < 0 ? 1 : w;
	}
	return (size_t)len;
}

size_t
text_sanitize(char *dst, size_t size, const char *src)
{
	size_t n = 0, len, used;
	char ch[4];
	int w;

	if (!dst || size == 0)
		return 0;
	while (src && (used = next_char(src, ch, &len, &w)) > 0) {
		if (n + len >= size)
			break;
		memcpy(dst + n, ch, len);
		n += len;
		src += used;
	}
	dst[n] = '\0';
	return n;
}

int
text_width(const char *src)
{
	size_t len, used;
	char ch[4];
	int w, total = 0;

	while (src && (used = next_char(src, ch, &len, &w)) > 0) {
		total += w;
		src += used;
	}
	return total;
}

/* Appends up to width columns of src to buf (no padding); *cols gets the
 * columns written. */
static size_t
fit(char *buf, size_t size, const char *src, int width, bool ellipsis, int *cols)
{
	const char *ell = widget_glyphs()->ellipsis;
	int budget = width, w, used_cols = 0;
	size_t n = 0, len, used;
	char ch[4];

	*cols = 0;
	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	if (text_width(src) > width && ellipsis)
		budget = width - 1;
	while (src && (used = next_char(src, ch, &len, &w)) > 0) {
		if (used_cols + w > budget || n + len >= size)
			break;
		memcpy(buf + n, ch, len);
		n += len;
		used_cols += w;
		src += used;
	}
	if (budget < width && n + strlen(ell) < size) {
		memcpy(buf + n, ell, strlen(ell));
		n += strlen(ell);
		used_cols++;
	}
	buf[n] = '\0';
	*cols = used_cols;
	return n;
}

size_t
text_fit(char *buf, size_t size, const char *src, int width, bool ellipsis)
{
	int cols;
	size_t n = fit(buf, size, src, width, ellipsis, &cols);

	while (cols < width && n + 1 < size) {
		buf[n++] = ' ';
		cols++;
	}
	if (size)
		buf[n] = '\0';
	return n;
}

size_t
text_fit_right(char *buf, size_t size, const char *src, int width, bool ellipsis)
{
	int cols;
	size_t n = fit(buf, size, src, width, ellipsis, &cols);
	size_t pad = width > cols ? (size_t)(width - cols) : 0;

	if (size == 0)
		return 0;
	if (n + pad >= size)
		pad = size - 1 - n;
	memmove(buf + pad, buf, n + 1);
	memset(buf, ' ', pad);
	return n + pad;
}

size_t
text_thousands(char *buf, size_t size, int64_t n)
{
	char digits[32], out[48];
	size_t len, o = 0;
	uint64_t u = n < 0 ? -(uint64_t)n : (uint64_t)n;

	len = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
	if (n < 0)
		out[o++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	if (!buf || size == 0)
		return 0;
	return (size_t)snprintf(buf, size, "%s", out) >= size ? size - 1 : o;
}

/* ---- gauges -------------------------------------------------------------- */

enum gauge_level
gauge_level(int64_t used, int64_t limit)
{
	__int128 u = used < 0 ? 0 : used, l = limit;

	if (limit < 0)
		return GAUGE_UNLIMITED;
	if (u * 100 >= l * 100)
		return GAUGE_FULL;
	if (u * 100 >= l * 95)
		return GAUGE_HIGH;
	if (u * 100 >= l * 80)
		return GAUGE_WARN;
	return GAUGE_OK;
}

int
gauge_percent(int64_t used, int64_t limit)
{
	return quota_percent(used, limit);
}

enum theme_role
gauge_role(enum gauge_level level)
{
	switch (level) {
	case GAUGE_WARN:
		return THEME_ROLE_GAUGE_WARN;
	case GAUGE_HIGH:
		return THEME_ROLE_GAUGE_HIGH;
	case GAUGE_FULL:
		return THEME_ROLE_GAUGE_FULL;
	default:
		return THEME_ROLE_GAUGE_OK;
	}
}

/* Appends s count times to buf at *n, within size. */
static void
repeat(char *buf, size_t size, size_t *n, const char *s, int count)
{
	size_t len = strlen(s);

	for (int i = 0; i < count && *n + len < size; i++) {
		memcpy(buf + *n, s, len);
		*n += len;
	}
	buf[*n] = '\0';
}

enum gauge_level
gauge_format(char *buf, size_t size, int width, int64_t used, int64_t limit, bool ascii)
{
	const struct widget_glyphs *g = ascii ? &glyphs_ascii : &glyphs_utf8;
	enum gauge_level level = gauge_level(used, limit);
	int pct = gauge_percent(used, limit), bar = width - 7, fill;
	char text[16];
	size_t n = 0;

	if (!buf || size == 0)
		return level;
	buf[0] = '\0';
	if (width <= 0)
		return level;
	if (level == GAUGE_UNLIMITED)
		snprintf(text, sizeof(text), "%s", ascii ? "" : g->infinity);
	else
		snprintf(text, sizeof(text), "%d%%", pct);
	if (bar < 1) {
		/* too narrow for a bar: the number alone */
		bool was = ascii_mode;
		ascii_mode = ascii;
		text_fit_right(buf, size, level == GAUGE_UNLIMITED && ascii ? "-" : text, width,
			       true);
		ascii_mode = was;
		return level;
	}
	repeat(buf, size, &n, "[", 1);
	if (level == GAUGE_UNLIMITED) {
		repeat(buf, size, &n, ascii && bar >= 9 ? "unlimited" : "", 1);
		repeat(buf, size, &n, " ", ascii && bar >= 9 ? bar - 9 : bar);
	} else {
		fill = level == GAUGE_FULL ? bar
					   : (int)((__int128)(used < 0 ? 0 : used) * bar / limit);
		repeat(buf, size, &n, g->bar_full, fill);
		repeat(buf, size, &n, g->bar_empty, bar - fill);
	}
	repeat(buf, size, &n, "]", 1);
	repeat(buf, size, &n, " ",
	       5 - (int)(level == GAUGE_UNLIMITED && !ascii ? 1 : strlen(text)));
	repeat(buf, size, &n, text, 1);
	return level;
}

/* ---- layout -------------------------------------------------------------- */

static bool
can_grow(const struct column_spec *c, int w)
{
	return c->weight > 0 && (c->max <= 0 || w < c->max);
}

/* Shares rest among the growable columns by weight, up to their max;
 * returns what is left. */
static int
grow(const struct column_spec *specs, size_t v, int rest, int *widths)
{
	while (rest > 0) {
		long weights = 0;
		int given = 0;

		for (size_t i = 0; i < v; i++)
			weights += can_grow(&specs[i], widths[i]) ? specs[i].weight : 0;
		if (weights == 0)
			break;
		for (size_t i = 0; i < v && given < rest; i++) {
			int share, room;
			if (!can_grow(&specs[i], widths[i]))
				continue;
			share = (int)((long)rest * specs[i].weight / weights);
			if (share == 0 && given == 0)
				share = 1;
			room = specs[i].max > 0 ? specs[i].max - widths[i] : share;
			share = share < room ? share : room;
			share = share < rest - given ? share : rest - given;
			widths[i] += share;
			given += share;
		}
		rest -= given;
	}
	return rest;
}

size_t
layout_columns(const struct column_spec *specs, size_t n, int total, int gap, int *widths)
{
	size_t v = n;
	long need;

	if (!specs || !widths || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		widths[i] = 0;
	if (total <= 0)
		return 0;
	if (gap < 0)
		gap = 0;
	for (;;) {
		need = (long)gap * (long)(v - 1);
		for (size_t i = 0; i < v; i++)
			need += specs[i].min > 0 ? specs[i].min : 0;
		if (need <= total || v == 1)
			break;
		v--;
	}
	if (need > total) {
		widths[0] = total;
		return 1;
	}
	for (size_t i = 0; i < v; i++)
		widths[i] = specs[i].min > 0 ? specs[i].min : 0;
	widths[v - 1] += grow(specs, v, total - (int)need, widths);
	return v;
}

/* ---- drawing ------------------------------------------------------------- */

static int
draw_fitted(WINDOW *win, int y, int x, int width, attr_t attr, const char *src, bool right)
{
	char buf[4 * DRAW_MAX + 8];
	int rc;

	if (!win || width <= 0)
		return ERR;
	if (width > DRAW_MAX)
		width = DRAW_MAX;
	if (right)
		text_fit_right(buf, sizeof(buf), src, width, true);
	else
		text_fit(buf, sizeof(buf), src, width, true);
	wattrset(win, attr);
	rc = mvwaddstr(win, y, x, buf);
	wattrset(win, A_NORMAL);
	return rc;
}

int
draw_text(WINDOW *win, int y, int x, int width, attr_t attr, const char *src)
{
	return draw_fitted(win, y, x, width, attr, src, false);
}

int
draw_text_right(WINDOW *win, int y, int x, int width, attr_t attr, const char *src)
{
	return draw_fitted(win, y, x, width, attr, src, true);
}

int
draw_hline(WINDOW *win, int y, int x, int width, attr_t attr)
{
	char buf[3 * DRAW_MAX + 8];
	size_t n = 0;

	if (!win || width <= 0)
		return ERR;
	repeat(buf, sizeof(buf), &n, widget_glyphs()->hline, width > DRAW_MAX ? DRAW_MAX : width);
	wattrset(win, attr);
	mvwaddstr(win, y, x, buf);
	wattrset(win, A_NORMAL);
	return OK;
}

enum gauge_level
draw_gauge(WINDOW *win, int y, int x, int width, int64_t used, int64_t limit)
{
	char buf[3 * DRAW_MAX + 8];
	enum gauge_level level;

	if (width > DRAW_MAX)
		width = DRAW_MAX;
	level = gauge_format(buf, sizeof(buf), width, used, limit, ascii_mode);
	if (win && width > 0) {
		wattrset(win, theme_attr(gauge_role(level)));
		mvwaddstr(win, y, x, buf);
		wattrset(win, A_NORMAL);
	}
	return level;
}

void
sparkline_format(char *buf, size_t size, const int64_t *v, int n, bool ascii)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char *const dots[] = { ".", ".", ":", ":", "-", "=", "#", "#" };
	int64_t max = 0;
	size_t len = 0;

	if (!size)
		return;
	for (int i = 0; i < n; i++)
		max = v[i] > max ? v[i] : max;
	buf[0] = '\0';
	for (int i = 0; i < n && len + 4 < size; i++) {
		int k = max && v[i] > 0 ? (int)(v[i] * 7 / max) : 0;

		len += (size_t)snprintf(buf + len, size - len, "%s",
					v[i] <= 0 ? " "
					: ascii   ? dots[k]
						  : bars[k]);
	}
}
