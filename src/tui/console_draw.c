/* console_draw.c - the screen's frame around the current pane: title line
 * (target, role, counts, spinner, clock), pane tabs, the view-as banner,
 * the live audit strip, and the bottom line (hints from the keymap, a
 * message, the filter or the command line); or, below the minimum size,
 * what size is needed.
 */
#include <string.h>

#include "tui/console.h"
#include "tui/keyname.h"
#include "tui/widget.h"

/* ---- layout ------------------------------------------------------------------ */

/* The first screen line of the body: under the title and the tabs, and
 * the view-as banner when it is shown. */
static int
body_top(const struct console *c)
{
	return c->view_as ? 3 : 2;
}

/* The lines of the live audit strip under pane p's body (none in the audit
 * log itself, nor on a short terminal). */
static int
strip_lines(enum pane p)
{
	if (p == PANE_AUDIT || LINES < 24)
		return 0;
	return LINES >= 40 ? 8 : 5;
}

/* The body of pane p: from body_top down to the strip, above the bottom
 * line. */
static int
body_height(const struct console *c, enum pane p)
{
	return LINES - 1 - body_top(c) - strip_lines(p);
}

void
console_layout(struct console *c)
{
	for (int k = 0; k < PANE_GLOBAL; k++) {
		struct pane_instance *p = c->panes[k];
		int h = body_height(c, (enum pane)k);

		if (!p || (p->height == h && p->width == COLS))
			continue;
		p->height = h;
		p->width = COLS;
		if (p->ops->resize)
			p->ops->resize(p);
	}
	c->dirty = true;
}

/* The label of pane p's tab (" 3 Users "; the tenth is " 0 Jobs ", its key),
 * or only its key (" 3 ") when short. */
static void
tab_label(enum pane p, bool shortened, char *buf, size_t size)
{
	if (shortened)
		snprintf(buf, size, " %d ", ((int)p + 1) % 10);
	else
		snprintf(buf, size, " %d %s ", ((int)p + 1) % 10, pane_title(p));
}

/* The tenant's slug at the end of the tab line ("▸ acme-console"). */
static void
tab_slug(const struct console *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s", widget_ascii() ? ">" : "▸", c->tenant.slug);
}

/* Are the tabs other than the current one shortened to their key? When
 * the whole labels and the tenant's slug do not fit on the line. */
static bool
tabs_short(const struct console *c)
{
	char label[SLUG_LEN + 16];
	int w = 0;

	for (int p = 0; p < PANE_GLOBAL; p++) {
		tab_label((enum pane)p, false, label, sizeof label);
		w += text_width(label);
	}
	if (c->have_tenant) {
		tab_slug(c, label, sizeof label);
		w += 1 + text_width(label);
	}
	return w > COLS;
}

static void
draw_title(struct console *c)
{
	static const char *const role[] = { "session", "tenant", "platform",
					    "support", "oncall", "auth" };
	char left[4900], rest[600], target[4200], right[96], n1[32], n2[32], clock[16];
	char prof[PROFILE_NAME_LEN + 160];
	const char *dot = widget_ascii() ? "|" : "·";
	attr_t a = console_frame_attr(c, THEME_ROLE_TITLE);
	int64_t now = console_now_us();
	int room;

	text_thousands(n1, sizeof n1, c->tenants_total);
	text_thousands(n2, sizeof n2, c->open_alerts);
	console_profile_label(c, prof, sizeof prof);
	snprintf(rest, sizeof rest, " %s %s%s%s %s %s tenants %s %s alerts%s", dot, prof,
		 c->view_as ? "view as " : role[c->opt.ctx.role],
		 c->view_as ? member_role_name(c->view_role) : "", dot, n1, dot, n2,
		 c->opt.read_only ? "  [read-only]" : "");
	console_time(now, clock, sizeof clock);
	if (worker_reconnecting(c->worker))
		snprintf(right, sizeof right, "reconnecting… %s ", clock);
	else if (c->busy > 0 && now - c->busy_since_us > 150000)
		snprintf(right, sizeof right, "%s %s ",
			 widget_glyphs()->spinner[(now / 120000) % 4], clock);
	else
		snprintf(right, sizeof right, "%s ", clock);
	/* the counts stay whole: the target gives way (cut, then dropped) */
	room = COLS - text_width(right) - 1 - text_width(" tenantry  ") - text_width(dot)
	       - text_width(rest);
	if (room >= 8) {
		text_fit(target, sizeof target, c->opt.target, room, true);
		/* no padding: the counts follow the target */
		for (size_t n = strlen(target); n && target[n - 1] == ' ';)
			target[--n] = '\0';
		snprintf(left, sizeof left, " tenantry %s %s%s", dot, target, rest);
	} else
		snprintf(left, sizeof left, " tenantry%s", rest);
	draw_text(stdscr, 0, 0, COLS, a, left);
	draw_text_right(
	    stdscr, 0, COLS - text_width(right), text_width(right),
	    worker_reconnecting(c->worker) || c->busy ? theme_attr(THEME_ROLE_SPINNER) | A_BOLD : a,
	    right);
}

static void
draw_tabs(struct console *c)
{
	int x = 0;
	char label[SLUG_LEN + 16];
	bool shortened = tabs_short(c);

	draw_text(stdscr, 1, 0, COLS, console_frame_attr(c, THEME_ROLE_TAB), "");
	for (int p = 0; p < PANE_GLOBAL; p++) {
		int w;

		tab_label((enum pane)p, shortened && p != (int)c->pane, label, sizeof label);
		w = text_width(label);
		if (x + w > COLS)
			w = COLS - x;
		if (w > 0)
			draw_text(
			    stdscr, 1, x, w,
			    theme_attr(p == (int)c->pane ? THEME_ROLE_TAB_ACTIVE : THEME_ROLE_TAB),
			    label);
		x += w;
	}
	if (c->have_tenant && x + 4 < COLS) {
		tab_slug(c, label, sizeof label);
		draw_text_right(stdscr, 1, x + 1, COLS - x - 1, theme_attr(THEME_ROLE_TAB) | A_BOLD,
				label);
	}
}

/* The first key that runs action in the current pane, as hints show it
 * ("tab", "⏎", "C-x"); false when no key runs it. */
static bool
key_label(const struct console *c, enum action action, char *buf, size_t size)
{
	int key;

	if (keymap_keys_for(&c->keys, c->pane, action, &key, 1) == 0
	    || keyname_format(key, buf, size) < 0)
		return false;
	if (strcmp(buf, "<Tab>") == 0)
		snprintf(buf, size, "tab");
	else if (strcmp(buf, "<Enter>") == 0)
		snprintf(buf, size, "%s", widget_ascii() ? "enter" : "⏎");
	return true;
}

const char *
console_key_hint(const struct console *c, enum action action, const char *cmd, char *buf,
		 size_t size)
{
	if (!key_label(c, action, buf, size))
		snprintf(buf, size, ":%s", cmd);
	return buf;
}

static void
draw_banner(struct console *c, int y)
{
	char buf[1400], kn[KEYNAME_MAX + 8], who[EMAIL_LEN + 600] = "", over[512] = "";
	int64_t left = (c->view_until_us - console_now_us()) / 1000000;

	if (left < 0)
		left = 0;
	/* a member: their e-mail, role and overrides */
	if (c->view_member[0]) {
		if (perm_overrides_format(over, sizeof over, &c->view_over) < 0)
			over[0] = '\0';
		snprintf(who, sizeof who, "%s (%s%s%s)", c->view_member,
			 member_role_name(c->view_role), over[0] ? "; " : "", over);
	} else
		snprintf(who, sizeof who, "%s", member_role_name(c->view_role));
	snprintf(buf, sizeof buf,
		 " Viewing %s as %s (tenant database role) - %lld:%02lld left - reason: %s - "
		 "%s leaves",
		 c->view_slug, who, (long long)(left / 60), (long long)(left % 60), c->view_reason,
		 console_key_hint(c, ACTION_LEAVE_VIEW_AS, "leave", kn, sizeof kn));
	draw_text(stdscr, y, 0, COLS, theme_attr(THEME_ROLE_BANNER), buf);
}

static enum theme_role
audit_role(const char *action)
{
	const char *verb = strrchr(action, '.');

	verb = verb ? verb + 1 : action;
	if (strstr(verb, "create") || strstr(verb, "add") || strstr(verb, "accept"))
		return THEME_ROLE_AUDIT_CREATE;
	if (strstr(verb, "delete") || strstr(verb, "remove") || strstr(verb, "revoke")
	    || strstr(verb, "purge"))
		return THEME_ROLE_AUDIT_DELETE;
	return THEME_ROLE_AUDIT_UPDATE;
}

int
console_audit_tenant_width(const struct console *c, const struct audit_entry *e)
{
	char who[SLUG_LEN];

	return text_width(console_tenant_label(c, e->tenant_id, who, sizeof who));
}

void
console_audit_layout(struct audit_cols *ac, int width, int longest)
{
	/* the tenant's slug whole; the actor gives way first, the action
	 * keeps about 30 columns */
	ac->tenant = longest < 6 ? 6 : longest > SLUG_LEN ? SLUG_LEN : longest;
	ac->actor = width - 9 - (ac->tenant + 1) - 1 - 30;
	if (ac->actor > 22)
		ac->actor = 22;
	if (ac->actor < 10)
		ac->actor = 10;
}

/* One audit entry on one line: time, tenant, actor, action, what. */
void
console_audit_line(const struct console *c, WINDOW *w, int y, int width,
		   const struct audit_entry *e, bool selected, const struct audit_cols *ac)
{
	char t[16], who[SLUG_LEN], line[2048], cell[4 * SLUG_LEN + 8], actor[4 * EMAIL_LEN + 8];
	attr_t base = theme_attr(selected ? THEME_ROLE_SELECTED : THEME_ROLE_ROW);

	console_time(e->at, t, sizeof t);
	console_tenant_label(c, e->tenant_id, who, sizeof who);
	text_fit(cell, sizeof cell, who, ac->tenant, true);
	text_fit(actor, sizeof actor, e->actor, ac->actor, true);
	snprintf(line, sizeof line, "%-8s %s %s ", t, cell, actor);
	draw_text(w, y, 0, width, base, line);
	if (width > text_width(line)) {
		int x = text_width(line);
		char rest[512];

		draw_text(w, y, x, width - x, selected ? base : theme_attr(audit_role(e->action)),
			  e->action);
		x += text_width(e->action) + 1;
		snprintf(rest, sizeof rest, "%s %s", e->resource_type,
			 e->label[0] ? e->label : e->resource_id);
		if (x < width)
			draw_text(w, y, x, width - x, selected ? base : theme_attr(THEME_ROLE_DIM),
				  rest);
	}
}

static void
draw_strip(struct console *c, int y, int rows)
{
	char head[64];

	struct audit_cols ac;
	size_t first = c->ring_n >= (size_t)(rows - 1) ? c->ring_n - (size_t)(rows - 1) : 0;
	int longest = 0;

	snprintf(head, sizeof head, " live audit ");
	draw_hline(stdscr, y, 0, COLS, theme_attr(THEME_ROLE_BORDER));
	draw_text(stdscr, y, 2, text_width(head), theme_attr(THEME_ROLE_HEADER), head);
	for (size_t k = first; k < c->ring_n; k++) {
		int tw = console_audit_tenant_width(c, &c->ring[(c->ring_start + k) % AUDIT_RING]);

		longest = tw > longest ? tw : longest;
	}
	console_audit_layout(&ac, COLS, longest);
	for (int i = 0; i < rows - 1; i++) {
		size_t k = first + (size_t)i;

		if (k < c->ring_n)
			console_audit_line(c, stdscr, y + 1 + i, COLS,
					   &c->ring[(c->ring_start + k) % AUDIT_RING], false, &ac);
		else
			draw_text(stdscr, y + 1 + i, 0, COLS, theme_attr(THEME_ROLE_NORMAL), "");
	}
}

static const char *
hint_label(enum action a)
{
	switch (a) {
	case ACTION_NEXT_PANE:
		return "pane";
	case ACTION_SELECT:
		return "open";
	case ACTION_CREATE_TENANT:
		return "new";
	case ACTION_CHANGE_TIER:
		return "tier";
	case ACTION_CHANGE_ROLE:
		return "role";
	case ACTION_REVEAL_SECRET:
		return "reveal";
	case ACTION_CREATE_APIKEY:
		return "new key";
	default:
		return action_name(a);
	}
}

static void
draw_hints(struct console *c, int y)
{
	static const enum action common[] = { ACTION_HELP, ACTION_FILTER, ACTION_COMMAND,
					      ACTION_NEXT_PANE, ACTION_SELECT };
	struct keymap_binding b[KEYMAP_MAX_BINDINGS * 2];
	size_t n = keymap_list(&c->keys, c->pane, b, sizeof b / sizeof b[0]);
	char line[1024] = " ";
	enum action shown[32];
	size_t ns = 0;

	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		shown[ns++] = common[i];
	for (size_t i = 0; i < n && ns < 30; i++) {
		enum action a = b[i].action;
		bool dup = false;

		if (!action_writes(a) && a != ACTION_REVEAL_SECRET && a != ACTION_FOLLOW
		    && a != ACTION_PAUSE && a != ACTION_DETAIL && a != ACTION_VIEW_AS
		    && a != ACTION_ALERTS && a != ACTION_LIVE_AUDIT)
			continue;
		if (action_writes(a) && c->opt.read_only)
			continue;
		for (size_t k = 0; k < ns; k++)
			dup |= shown[k] == a;
		if (!dup)
			shown[ns++] = a;
	}
	/* what does not fit goes, from the end; help first and quit last stay */
	{
		char kn[KEYNAME_MAX], quit[KEYNAME_MAX + 16] = "";

		if (key_label(c, ACTION_QUIT, kn, sizeof kn))
			snprintf(quit, sizeof quit, "%s %s", kn, hint_label(ACTION_QUIT));
		for (size_t i = 0; i < ns; i++) {
			char item[KEYNAME_MAX + 32];
			size_t len = strlen(line);

			if (!key_label(c, shown[i], kn, sizeof kn))
				continue;
			snprintf(item, sizeof item, "%s %s  ", kn, hint_label(shown[i]));
			if (i > 0 && text_width(line) + text_width(item) + text_width(quit) > COLS)
				break;
			snprintf(line + len, sizeof line - len, "%s", item);
		}
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s", quit);
	}
	draw_text(stdscr, y, 0, COLS, theme_attr(THEME_ROLE_STATUS), line);
}

static void
draw_bottom(struct console *c, int y)
{
	if (c->commanding || c->filtering) {
		const char *p = c->commanding ? ":" : "/";

		draw_text(stdscr, y, 0, 1, theme_attr(THEME_ROLE_PROMPT), p);
		line_draw(stdscr, y, 1, COLS - 1,
			  c->commanding ? &c->command_line : &c->filter_line, true, false,
			  theme_attr(THEME_ROLE_PROMPT));
	} else if (c->message[0] && console_now_us() < c->message_until_us)
		draw_text(stdscr, y, 0, COLS, theme_attr(c->message_role), c->message);
	else if (c->signed_out) {
		char line[400], kh[KEYNAME_MAX + 8], kq[KEYNAME_MAX + 8];

		snprintf(line, sizeof line,
			 " signed out (%s): :sign-in signs in again  %s help  %s quit",
			 c->signed_out_why, console_key_hint(c, ACTION_HELP, "help", kh, sizeof kh),
			 console_key_hint(c, ACTION_QUIT, "quit", kq, sizeof kq));
		draw_text(stdscr, y, 0, COLS, theme_attr(THEME_ROLE_WARNING), line);
	} else
		draw_hints(c, y);
}

static void
draw_too_small(void)
{
	char buf[128];

	erase();
	snprintf(buf, sizeof buf, "tenantry needs a terminal of at least %dx%d (this one is %dx%d)",
		 CONSOLE_MIN_COLS, CONSOLE_MIN_ROWS, COLS, LINES);
	for (int y = 0, off = 0; off < (int)strlen(buf) && y < LINES; y++, off += COLS)
		mvaddnstr(y, 0, buf + off, COLS);
}

void
console_draw(struct console *c)
{
	const struct pane_instance *p = console_pane(c);
	int y = body_top(c), strip = strip_lines(c->pane), bottom = LINES - 1;
	int body_h = body_height(c, c->pane);
	WINDOW *body;

	c->dirty = false;
	if (COLS < CONSOLE_MIN_COLS || LINES < CONSOLE_MIN_ROWS) {
		draw_too_small();
		refresh();
		return;
	}
	erase();
	draw_title(c);
	draw_tabs(c);
	if (c->view_as)
		draw_banner(c, 2);
	body = derwin(stdscr, body_h, COLS, y, 0);
	if (body) {
		if (p->ops->needs_tenant && !c->have_tenant)
			draw_text(
			    body, 1, 2, COLS - 4, theme_attr(THEME_ROLE_DIM),
			    "No tenant selected: pick one in the tenant list (1) or :tenant SLUG");
		else
			p->ops->draw(c, p, body, body_h, COLS);
		delwin(body);
	}
	if (strip)
		draw_strip(c, bottom - strip, strip);
	draw_bottom(c, bottom);
	modal_draw(c);
	refresh();
}

int
console_tab_at(const struct console *c, int x)
{
	char label[SLUG_LEN + 16];
	int left = 0;
	bool shortened = tabs_short(c);

	for (int k = 0; k < PANE_GLOBAL; k++) {
		int w;

		tab_label((enum pane)k, shortened && k != (int)c->pane, label, sizeof label);
		w = text_width(label);
		if (left + w > COLS)
			w = COLS - left;
		if (x >= left && x < left + w)
			return k;
		left += w;
	}
	return -1;
}

int
console_body_row(const struct console *c, int y)
{
	int top = body_top(c), h = body_height(c, c->pane);

	return y >= top && y < top + h ? y - top : -1;
}

void
table_draw_header(WINDOW *w, int y, const int *wd, int n, const char *const *head, int width)
{
	table_draw_cells(w, y, wd, n, head, theme_attr(THEME_ROLE_HEADER), width);
}

void
table_draw_cells(WINDOW *w, int y, const int *wd, int n, const char *const *cell, attr_t a,
		 int width)
{
	int x = 0;

	for (int k = 0; k < n; k++) {
		if (!wd[k])
			continue;
		draw_text(w, y, x, wd[k] + 1 <= width - x ? wd[k] + 1 : width - x, a, cell[k]);
		x += wd[k] + 1;
	}
	if (x < width)
		draw_text(w, y, x, width - x, a, "");
}
