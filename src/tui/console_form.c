/* console_form.c - what the console edits with: the one-line editor, list
 * cursors, and the modal box (a form of fields, or scrollable text such as
 * the help, an audit entry's detail or a token shown once).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/console.h"
#include "tui/keyname.h"
#include "tui/widget.h"

#define CTRL(c) ((c)&0x1f)

/* ---- line editor ------------------------------------------------------- */

void
line_set(struct line_edit *l, const char *text)
{
	snprintf(l->buf, sizeof l->buf, "%s", text ? text : "");
	l->len = l->cur = strlen(l->buf);
}

static size_t
prev_char(const char *s, size_t at)
{
	while (at > 0 && ((unsigned char)s[--at] & 0xc0) == 0x80)
		;
	return at;
}

static size_t
next_char(const char *s, size_t len, size_t at)
{
	if (at < len)
		at++;
	while (at < len && ((unsigned char)s[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void
line_delete(struct line_edit *l, size_t from, size_t to)
{
	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= to - from;
	l->cur = from;
}

static bool
line_insert(struct line_edit *l, int key)
{
	char enc[8];
	size_t n;
	wchar_t wc = (wchar_t)(key & ~KEY_WCHAR);
	mbstate_t st = { 0 };

	if (!(key & KEY_WCHAR) && (key < 32 || key > 126))
		return false;
	if (key & KEY_WCHAR) {
		n = wcrtomb(enc, wc, &st);
		if (n == (size_t)-1)
			return true; /* not representable: ignore the key */
	} else {
		enc[0] = (char)key;
		n = 1;
	}
	if (l->len + n >= sizeof l->buf)
		return true;
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur + 1);
	memcpy(l->buf + l->cur, enc, n);
	l->len += n;
	l->cur += n;
	return true;
}

bool
line_key(struct line_edit *l, int key)
{
	size_t at;

	switch (key) {
	case KEY_BACKSPACE:
	case CTRL('h'):
		if (l->cur > 0)
			line_delete(l, prev_char(l->buf, l->cur), l->cur);
		return true;
	case KEY_DC:
	case CTRL('d'):
		if (l->cur < l->len)
			line_delete(l, l->cur, next_char(l->buf, l->len, l->cur));
		return true;
	case KEY_LEFT:
	case CTRL('b'):
		l->cur = prev_char(l->buf, l->cur);
		return true;
	case KEY_RIGHT:
	case CTRL('f'):
		l->cur = next_char(l->buf, l->len, l->cur);
		return true;
	case KEY_HOME:
	case CTRL('a'):
		l->cur = 0;
		return true;
	case KEY_END:
	case CTRL('e'):
		l->cur = l->len;
		return true;
	case CTRL('u'):
		line_delete(l, 0, l->cur);
		return true;
	case CTRL('k'):
		l->buf[l->cur] = '\0';
		l->len = l->cur;
		return true;
	case CTRL('w'):
		at = l->cur;
		while (at > 0 && l->buf[at - 1] == ' ')
			at--;
		while (at > 0 && l->buf[at - 1] != ' ')
			at--;
		line_delete(l, at, l->cur);
		return true;
	default:
		return line_insert(l, key);
	}
}

void
line_draw(WINDOW *w, int y, int x, int width, const struct line_edit *l, bool focused, bool secret,
	  attr_t attr)
{
	char shown[LINE_MAX_BYTES], head[LINE_MAX_BYTES];
	const char *from;
	int before;

	if (width <= 0)
		return;
	if (secret) {
		size_t n = 0;

		for (size_t i = 0; i < l->len && n + 1 < sizeof shown;
		     i = next_char(l->buf, l->len, i))
			shown[n++] = '*';
		shown[n] = '\0';
		snprintf(head, sizeof head, "%.*s", (int)n, shown);
		for (size_t i = 0, k = 0; i < l->cur; i = next_char(l->buf, l->len, i))
			head[k++] = '*', head[k] = '\0';
		if (!l->cur)
			head[0] = '\0';
	} else {
		snprintf(shown, sizeof shown, "%s", l->buf);
		snprintf(head, sizeof head, "%.*s", (int)l->cur, l->buf);
	}
	/* Scroll so that the cursor stays in view. */
	from = shown;
	before = text_width(head);
	while (before >= width && *from) {
		size_t step = next_char(from, strlen(from), 0);
		char one[8];

		snprintf(one, sizeof one, "%.*s", (int)step, from);
		before -= text_width(one) > 0 ? text_width(one) : 1;
		from += step;
	}
	draw_text(w, y, x, width, attr, from);
	if (focused && before < width) {
		char under[8] = " ";
		size_t rest = strlen(from), off = 0;

		/* The character under the cursor, drawn reversed. */
		for (int col = 0; off < rest;) {
			size_t nx = next_char(from, rest, off);
			char one[8];

			snprintf(one, sizeof one, "%.*s", (int)(nx - off), from + off);
			if (col >= before) {
				snprintf(under, sizeof under, "%s", one);
				break;
			}
			col += text_width(one);
			off = nx;
		}
		draw_text(w, y, x + before, text_width(under) > 1 ? 2 : 1,
			  theme_attr(THEME_ROLE_CURSOR), under);
	}
}

/* ---- list cursor ---------------------------------------------------------- */

void
list_clamp(struct list_view *v)
{
	int h = v->height > 0 ? v->height : 1;

	if (v->sel >= v->n)
		v->sel = v->n - 1;
	if (v->sel < 0)
		v->sel = 0;
	if (v->top > v->sel)
		v->top = v->sel;
	if (v->sel >= v->top + h)
		v->top = v->sel - h + 1;
	if (v->top > v->n - h)
		v->top = v->n - h;
	if (v->top < 0)
		v->top = 0;
}

bool
list_click(struct list_view *v, int row, int first)
{
	if (row < first || v->top + row - first >= v->n)
		return false;
	v->sel = v->top + row - first;
	return true;
}

bool
list_move(struct list_view *v, enum action a)
{
	int page = v->height > 1 ? v->height - 1 : 1;

	switch (a) {
	case ACTION_MOVE_UP:
		v->sel--;
		break;
	case ACTION_MOVE_DOWN:
		v->sel++;
		break;
	case ACTION_PAGE_UP:
		v->sel -= page;
		v->top -= page;
		break;
	case ACTION_PAGE_DOWN:
		v->sel += page;
		v->top += page;
		break;
	case ACTION_MOVE_HOME:
		v->sel = 0;
		break;
	case ACTION_MOVE_END:
		v->sel = v->n - 1;
		break;
	default:
		return false;
	}
	list_clamp(v);
	return true;
}

/* ---- modal box ------------------------------------------------------------- */

struct modal *
form_open(struct console *c, const char *title, int (*submit)(struct console *, struct modal *))
{
	struct modal *m = &c->modal;

	modal_close(c);
	m->kind = MODAL_FORM;
	snprintf(m->title, sizeof m->title, "%s", title);
	m->submit = submit;
	c->dirty = true;
	return m;
}

static struct form_field *
form_add(struct modal *m, const char *label, enum field_kind kind)
{
	struct form_field *f;

	if (m->nfield >= FORM_FIELDS)
		abort();
	f = &m->field[m->nfield++];
	memset(f, 0, sizeof *f);
	f->label = label;
	f->kind = kind;
	return f;
}

struct form_field *
form_add_text(struct modal *m, const char *label, const char *value)
{
	struct form_field *f = form_add(m, label, FIELD_TEXT);

	line_set(&f->text, value);
	return f;
}

struct form_field *
form_add_choice(struct modal *m, const char *label, const char *const *choices, int n, int sel)
{
	struct form_field *f = form_add(m, label, FIELD_CHOICE);

	f->nchoice = n > FORM_CHOICES ? FORM_CHOICES : n;
	for (int i = 0; i < f->nchoice; i++)
		f->choice[i] = choices[i];
	f->sel = sel >= 0 && sel < f->nchoice ? sel : 0;
	return f;
}

const char *
form_value(const struct modal *m, int i)
{
	const struct form_field *f = &m->field[i];

	if (f->kind == FIELD_CHOICE)
		return f->nchoice ? f->choice[f->sel] : "";
	return f->text.buf;
}

void
form_note(struct modal *m, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	free(m->text);
	m->text = s;
}

void
console_show_text(struct console *c, const char *title, const char *text)
{
	struct modal *m = &c->modal;

	modal_close(c);
	m->kind = MODAL_TEXT;
	snprintf(m->title, sizeof m->title, "%s", title);
	m->text = strdup(text);
	if (!m->text)
		abort();
	c->dirty = true;
}

void
console_show_secret(struct console *c, const char *title, const char *text, const char *what,
		    const char *secret)
{
	struct modal *m = &c->modal;

	console_show_text(c, title, text);
	snprintf(m->secret_what, sizeof m->secret_what, "%s", what);
	if (!(m->secret = strdup(secret)))
		abort();
}

void
modal_close(struct console *c)
{
	if (c->modal.text)
		explicit_bzero(c->modal.text, strlen(c->modal.text));
	if (c->modal.secret) {
		explicit_bzero(c->modal.secret, strlen(c->modal.secret));
		free(c->modal.secret);
	}
	free(c->modal.text);
	memset(&c->modal, 0, sizeof c->modal);
	c->dirty = true;
}

void
form_finish(struct console *c, const struct job *j)
{
	struct modal *m = &c->modal;

	if (m->kind != MODAL_FORM)
		return;
	m->busy = false;
	if (j->rc == 0) {
		modal_close(c);
		return;
	}
	/* Messages from the store often name their field already. */
	int prefix = j->err.field[0] && !strstr(j->err.message, j->err.field);

	snprintf(m->error, sizeof m->error, "%s%s%s", prefix ? j->err.field : "",
		 prefix ? ": " : "", j->err.message);
	if (j->err.code == ERR_OUTCOME_UNKNOWN) {
		snprintf(m->error, sizeof m->error,
			 "outcome unknown: the connection was lost before the commit was "
			 "confirmed; the view behind is read again: look before saving again");
		console_refresh(c);
	}
	for (int i = 0; i < m->nfield; i++)
		if (j->err.field[0] && m->field[i].label
		    && strcasestr(m->field[i].label, j->err.field))
			m->focus = i;
	c->dirty = true;
}

static int
text_lines(const char *s)
{
	int n = 1;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static bool
form_key(struct console *c, struct modal *m, int key)
{
	struct form_field *f = &m->field[m->focus];

	if (m->busy)
		return key != 27; /* only Esc leaves while saving */
	switch (key) {
	case '\t':
	case KEY_DOWN:
		m->focus = (m->focus + 1) % m->nfield;
		return true;
	case KEY_BTAB:
	case KEY_UP:
		m->focus = (m->focus + m->nfield - 1) % m->nfield;
		return true;
	case '\n':
		if (m->lines && m->focus < m->nfield - 1 && f->text.len) {
			m->focus++;
			return true;
		}
		if (!m->lines && m->focus < m->nfield - 1 && f->kind == FIELD_TEXT
		    && !f->text.len) {
			m->focus++;
			return true;
		}
		m->error[0] = '\0';
		if (m->submit(c, m) == 0)
			m->busy = true;
		return true;
	}
	if (f->readonly)
		return true;
	if (f->kind == FIELD_CHOICE) {
		if (key == KEY_LEFT || key == '-' || key == 'h')
			f->sel = (f->sel + f->nchoice - 1) % f->nchoice;
		else if (key == KEY_RIGHT || key == ' ' || key == '+' || key == 'l')
			f->sel = (f->sel + 1) % f->nchoice;
		else if (key < 128 && key > 32)
			for (int i = 1; i <= f->nchoice; i++) {
				int k = (f->sel + i) % f->nchoice;

				if (f->choice[k][0] == key) {
					f->sel = k;
					break;
				}
			}
		return true;
	}
	line_key(&f->text, key);
	return true;
}

bool
modal_key(struct console *c, int key)
{
	struct modal *m = &c->modal;

	if (m->kind == MODAL_NONE)
		return false;
	c->dirty = true;
	if (key == 27 || key == CTRL('c') || key == CTRL('g')) {
		modal_close(c);
		return true;
	}
	if (m->kind == MODAL_FORM) {
		bool used = form_key(c, m, key);

		if (m->kind == MODAL_FORM && m->changed)
			m->changed(m);
		return used;
	}
	if (m->secret && keymap_lookup(&c->keys, c->pane, key) == ACTION_COPY) {
		console_copy(c, m->secret_what, m->secret, true);
		return true;
	}
	switch (key) {
	case '\n':
	case 'q':
		modal_close(c);
		break;
	case KEY_UP:
	case 'k':
		m->scroll--;
		break;
	case KEY_DOWN:
	case 'j':
		m->scroll++;
		break;
	case KEY_PPAGE:
		m->scroll -= 10;
		break;
	case KEY_NPAGE:
	case ' ':
		m->scroll += 10;
		break;
	case KEY_HOME:
	case 'g':
		m->scroll = 0;
		break;
	case KEY_END:
	case 'G':
		m->scroll = text_lines(m->text);
		break;
	}
	if (m->scroll < 0)
		m->scroll = 0;
	return true;
}

/* Draws the lines of text from line `from` into the box. */
static void
draw_text_lines(WINDOW *w, int y, int x, int width, int rows, const char *text, int from,
		attr_t attr)
{
	const char *s = text ? text : "";

	for (int line = 0; *s || line == 0; line++) {
		const char *end = strchr(s, '\n');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		char buf[1024];

		if (line >= from && line - from < rows) {
			snprintf(buf, sizeof buf, "%.*s",
				 (int)(n < sizeof buf ? n : sizeof buf - 1), s);
			draw_text(w, y + line - from, x, width, attr, buf);
		}
		if (!end)
			break;
		s = end + 1;
	}
}

static void
draw_box(WINDOW *w, int y, int x, int h, int wd, const char *title)
{
	attr_t b = theme_attr(THEME_ROLE_BORDER), n = theme_attr(THEME_ROLE_NORMAL);
	const struct widget_glyphs *g = widget_glyphs();

	for (int r = 0; r < h; r++)
		draw_text(w, y + r, x, wd, n, "");
	draw_hline(w, y, x, wd, b);
	draw_hline(w, y + h - 1, x, wd, b);
	for (int r = 1; r < h - 1; r++) {
		draw_text(w, y + r, x, 1, b, g->vline);
		draw_text(w, y + r, x + wd - 1, 1, b, g->vline);
	}
	if (title && *title) {
		char t[160];

		snprintf(t, sizeof t, " %s ", title);
		draw_text(w, y, x + 2, text_width(t) < wd - 4 ? text_width(t) : wd - 4,
			  theme_attr(THEME_ROLE_TITLE), t);
	}
}

void
modal_draw(struct console *c)
{
	struct modal *m = &c->modal;
	int rows = LINES, cols = COLS, h, wd, y, x, notes;

	if (m->kind == MODAL_NONE)
		return;
	wd = cols - 4 < 76 ? cols - 4 : 76;
	notes = m->text ? text_lines(m->text) : 0;
	if (m->kind == MODAL_TEXT) {
		h = notes + 3;
		if (h > rows - 2)
			h = rows - 2;
		if (m->scroll > notes - (h - 3))
			m->scroll = notes - (h - 3) > 0 ? notes - (h - 3) : 0;
	} else {
		if (notes > rows - 8 - m->nfield)
			notes = rows - 8 - m->nfield > 0 ? rows - 8 - m->nfield : 0;
		h = m->nfield + notes + (notes ? 1 : 0) + 5;
	}
	y = (rows - h) / 2;
	x = (cols - wd) / 2;
	draw_box(stdscr, y, x, h, wd, m->title);
	if (m->kind == MODAL_TEXT) {
		draw_text_lines(stdscr, y + 1, x + 2, wd - 4, h - 3, m->text, m->scroll,
				theme_attr(THEME_ROLE_NORMAL));
		char foot[96], kn[KEYNAME_MAX + 8] = "";

		if (m->secret)
			snprintf(kn, sizeof kn, "%s copy  ",
				 console_key_hint(c, ACTION_COPY, "copy", foot, sizeof foot));
		snprintf(foot, sizeof foot, "%s%sEnter close", notes > h - 3 ? "j/k scroll  " : "",
			 kn);
		draw_text(stdscr, y + h - 2, x + 2, wd - 4, theme_attr(THEME_ROLE_DIM), foot);
		return;
	}
	if (notes)
		draw_text_lines(stdscr, y + 1, x + 2, wd - 4, notes, m->text, 0,
				theme_attr(THEME_ROLE_WARNING));
	for (int i = 0; i < m->nfield; i++) {
		struct form_field *f = &m->field[i];
		int fy = y + 1 + notes + (notes ? 1 : 0) + i, lw = 14;
		bool focus = i == m->focus && !m->busy;

		draw_text(stdscr, fy, x + 2, lw,
			  theme_attr(focus ? THEME_ROLE_HEADER : THEME_ROLE_DIM), f->label);
		if (f->kind == FIELD_CHOICE) {
			char v[128];

			snprintf(v, sizeof v, "%s %s %s", widget_ascii() ? "<" : "‹",
				 f->nchoice ? f->choice[f->sel] : "", widget_ascii() ? ">" : "›");
			draw_text(stdscr, fy, x + 2 + lw, wd - 4 - lw,
				  theme_attr(focus ? THEME_ROLE_SELECTED : THEME_ROLE_NORMAL), v);
		} else
			line_draw(stdscr, fy, x + 2 + lw, wd - 4 - lw, &f->text, focus,
				  f->kind == FIELD_SECRET,
				  theme_attr(f->readonly ? THEME_ROLE_DIM : THEME_ROLE_PROMPT));
	}
	if (m->error[0])
		draw_text(stdscr, y + h - 3, x + 2, wd - 4, theme_attr(THEME_ROLE_ERROR), m->error);
	draw_text(stdscr, y + h - 2, x + 2, wd - 4, theme_attr(THEME_ROLE_DIM),
		  m->busy ? "saving…" : "Tab next field  ←/→ choose  Enter save  Esc cancel");
}
