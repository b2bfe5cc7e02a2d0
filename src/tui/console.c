/* console.c - the console's main loop: terminal set-up, the screen's frame
 * (title, tabs, banner, live audit strip, bottom line), input dispatch and
 * resizing. Panes draw the body; console_state.c holds the shared state
 * helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/console.h"
#include "tui/keyname.h"
#include "tui/widget.h"

static const struct pane_ops *const panes[] = {
	[PANE_TENANTS] = &pane_tenants_ops,
	[PANE_OVERVIEW] = &pane_overview_ops,
	[PANE_USERS] = &pane_users_ops,
	[PANE_INVITATIONS] = &pane_invitations_ops,
	[PANE_QUOTAS] = &pane_quotas_ops,
	[PANE_SETTINGS] = &pane_settings_ops,
	[PANE_AUDIT] = &pane_audit_ops,
	[PANE_APIKEYS] = &pane_apikeys_ops,
	[PANE_PLATFORM] = &pane_platform_ops,
};

/* Where the last frame put things, for mouse clicks. */
static struct {
	int tab_x[PANE_GLOBAL + 1];
	int body_y, body_h;
} frame;

const struct pane_ops *
console_pane(struct console *c)
{
	return panes[c->pane];
}

static void
open_pane(struct console *c)
{
	const struct pane_ops *p = panes[c->pane];

	if (p->needs_tenant && !c->have_tenant)
		return;
	p->open(c);
}

void
console_goto(struct console *c, enum pane p)
{
	if (p >= PANE_GLOBAL)
		return;
	if (p != c->pane)
		c->back = c->pane;
	c->pane = p;
	c->filtering = false;
	open_pane(c);
	c->dirty = true;
}

void
console_set_tenant(struct console *c, const struct tenant *t)
{
	tenant_clear(&c->tenant);
	memset(&c->tenant, 0, sizeof c->tenant);
	c->have_tenant = t != NULL;
	if (t) {
		c->tenant = *t;
		c->tenant.settings_json = NULL;
		c->tenant.branding_json = NULL;
		console_remember_slug(c, t->id, t->slug);
	}
	c->gen++;
	c->dirty = true;
}

/* ---- the frame ---------------------------------------------------------- */

static void
draw_title(struct console *c)
{
	static const char *const role[] = { "session", "tenant", "platform", "support",
					    "oncall", "auth" };
	char left[1400], right[96], n1[32], n2[32], clock[16];
	attr_t a = theme_attr(THEME_ROLE_TITLE);
	int64_t now = console_now_us();

	text_thousands(n1, sizeof n1, c->tenants_total);
	text_thousands(n2, sizeof n2, c->open_alerts);
	snprintf(left, sizeof left, " tenantry %s %s %s %s%s%s %s tenants %s %s alerts%s",
		 widget_ascii() ? "|" : "·", c->opt.target, widget_ascii() ? "|" : "·",
		 c->view_as ? "view as " : role[c->opt.ctx.role],
		 c->view_as ? member_role_name(c->view_role) : "",
		 widget_ascii() ? " |" : " ·", n1, widget_ascii() ? "|" : "·", n2,
		 c->opt.read_only ? "  [read-only]" : "");
	console_time(now, clock, sizeof clock);
	if (worker_reconnecting(c->worker))
		snprintf(right, sizeof right, "reconnecting… %s ", clock);
	else if (c->busy > 0 && now - c->busy_since_us > 150000)
		snprintf(right, sizeof right, "%s %s ",
			 widget_glyphs()->spinner[(now / 120000) % 4], clock);
	else
		snprintf(right, sizeof right, "%s ", clock);
	draw_text(stdscr, 0, 0, COLS, a, left);
	draw_text_right(stdscr, 0, COLS - text_width(right), text_width(right),
			worker_reconnecting(c->worker) || c->busy ? theme_attr(THEME_ROLE_SPINNER) | A_BOLD
								  : a,
			right);
}

static void
draw_tabs(struct console *c)
{
	int x = 0;
	char label[SLUG_LEN + 16];

	draw_text(stdscr, 1, 0, COLS, theme_attr(THEME_ROLE_TAB), "");
	for (int p = 0; p < PANE_GLOBAL; p++) {
		int w;

		snprintf(label, sizeof label, " %d %s ", p + 1, pane_title((enum pane)p));
		w = text_width(label);
		frame.tab_x[p] = x;
		if (x + w > COLS)
			w = COLS - x;
		if (w > 0)
			draw_text(stdscr, 1, x, w,
				  theme_attr(p == (int)c->pane ? THEME_ROLE_TAB_ACTIVE : THEME_ROLE_TAB),
				  label);
		x += w;
	}
	frame.tab_x[PANE_GLOBAL] = x;
	if (c->have_tenant && x + 4 < COLS) {
		snprintf(label, sizeof label, "%s %s", widget_ascii() ? ">" : "▸", c->tenant.slug);
		draw_text_right(stdscr, 1, x + 1, COLS - x - 1, theme_attr(THEME_ROLE_TAB) | A_BOLD,
				label);
	}
}

static void
draw_banner(struct console *c, int y)
{
	char buf[512];
	int64_t left = (c->view_until_us - console_now_us()) / 1000000;

	if (left < 0)
		left = 0;
	snprintf(buf, sizeof buf,
		 " Viewing %s as %s (tenant database role) - %lld:%02lld left - reason: %s - "
		 "C-x leaves",
		 c->view_slug, member_role_name(c->view_role), (long long)(left / 60),
		 (long long)(left % 60), c->view_reason);
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

/* One audit entry on one line: time, tenant, actor, action, what. */
void
console_audit_line(struct console *c, WINDOW *w, int y, int width, const struct audit_entry *e,
		   bool selected)
{
	char t[16], who[SLUG_LEN], line[1024];
	attr_t base = theme_attr(selected ? THEME_ROLE_SELECTED : THEME_ROLE_ROW);

	console_time(e->at, t, sizeof t);
	console_tenant_label(c, e->tenant_id, who, sizeof who);
	snprintf(line, sizeof line, "%-8s %-14.14s %-22.22s ", t, who, e->actor);
	draw_text(w, y, 0, width, base, line);
	if (width > text_width(line)) {
		int x = text_width(line);
		char rest[512];

		draw_text(w, y, x, width - x, selected ? base : theme_attr(audit_role(e->action)),
			  e->action);
		x += text_width(e->action) + 1;
		snprintf(rest, sizeof rest, "%s %s", e->resource_type, e->resource_id);
		if (x < width)
			draw_text(w, y, x, width - x, selected ? base : theme_attr(THEME_ROLE_DIM), rest);
	}
}

static void
draw_strip(struct console *c, int y, int rows)
{
	char head[64];

	snprintf(head, sizeof head, " live audit ");
	draw_hline(stdscr, y, 0, COLS, theme_attr(THEME_ROLE_BORDER));
	draw_text(stdscr, y, 2, text_width(head), theme_attr(THEME_ROLE_HEADER), head);
	for (int i = 0; i < rows - 1; i++) {
		size_t k = c->ring_n >= (size_t)(rows - 1) ? c->ring_n - (size_t)(rows - 1) + (size_t)i
							 : (size_t)i;

		if (k < c->ring_n)
			console_audit_line(c, stdscr, y + 1 + i, COLS,
					   &c->ring[(c->ring_start + k) % AUDIT_RING], false);
		else
			draw_text(stdscr, y + 1 + i, 0, COLS, theme_attr(THEME_ROLE_NORMAL), "");
	}
}

static const char *
hint_label(enum action a)
{
	switch (a) {
	case ACTION_NEXT_PANE: return "pane";
	case ACTION_SELECT: return "open";
	case ACTION_CREATE_TENANT: return "new";
	case ACTION_CHANGE_TIER: return "tier";
	case ACTION_CHANGE_ROLE: return "role";
	case ACTION_REVEAL_SECRET: return "reveal";
	case ACTION_CREATE_APIKEY: return "new key";
	default: return action_name(a);
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
		    && a != ACTION_PAUSE && a != ACTION_DETAIL && a != ACTION_VIEW_AS)
			continue;
		if (action_writes(a) && c->opt.read_only)
			continue;
		for (size_t k = 0; k < ns; k++)
			dup |= shown[k] == a;
		if (!dup)
			shown[ns++] = a;
	}
	shown[ns++] = ACTION_QUIT;
	for (size_t i = 0; i < ns; i++) {
		int key;
		char kn[KEYNAME_MAX];
		size_t len = strlen(line);

		if (keymap_keys_for(&c->keys, c->pane, shown[i], &key, 1) == 0)
			continue;
		keyname_format(key, kn, sizeof kn);
		if (strcmp(kn, "<Tab>") == 0)
			snprintf(kn, sizeof kn, "tab");
		else if (strcmp(kn, "<Enter>") == 0)
			snprintf(kn, sizeof kn, "%s", widget_ascii() ? "enter" : "⏎");
		snprintf(line + len, sizeof line - len, "%s %s  ", kn, hint_label(shown[i]));
	}
	draw_text(stdscr, y, 0, COLS, theme_attr(THEME_ROLE_STATUS), line);
}

static void
draw_bottom(struct console *c, int y)
{
	if (c->commanding || c->filtering) {
		const char *p = c->commanding ? ":" : "/";

		draw_text(stdscr, y, 0, 1, theme_attr(THEME_ROLE_PROMPT), p);
		line_draw(stdscr, y, 1, COLS - 1, c->commanding ? &c->command_line : &c->filter_line,
			  true, false, theme_attr(THEME_ROLE_PROMPT));
	} else if (c->message[0] && console_now_us() < c->message_until_us)
		draw_text(stdscr, y, 0, COLS, theme_attr(c->message_role), c->message);
	else
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

static void
draw(struct console *c)
{
	const struct pane_ops *p = panes[c->pane];
	int y = 2, strip = 0, bottom = LINES - 1;
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
		draw_banner(c, y++);
	if (c->pane != PANE_AUDIT && LINES >= 24)
		strip = LINES >= 40 ? 8 : 5;
	frame.body_y = y;
	frame.body_h = bottom - y - strip;
	body = derwin(stdscr, frame.body_h, COLS, frame.body_y, 0);
	if (body) {
		if (p->needs_tenant && !c->have_tenant)
			draw_text(body, 1, 2, COLS - 4, theme_attr(THEME_ROLE_DIM),
				  "No tenant selected: pick one in the tenant list (1) or :tenant SLUG");
		else
			p->draw(c, body, frame.body_h, COLS);
		delwin(body);
	}
	if (strip)
		draw_strip(c, bottom - strip, strip);
	draw_bottom(c, bottom);
	modal_draw(c);
	refresh();
}

/* ---- input -------------------------------------------------------------- */

static void
global_action(struct console *c, enum action a)
{
	int jump = action_jump_pane(a);

	if (jump >= 0) {
		console_goto(c, (enum pane)jump);
		return;
	}
	switch (a) {
	case ACTION_QUIT: c->quit = true; break;
	case ACTION_HELP: console_help(c); break;
	case ACTION_COMMAND:
		c->commanding = true;
		line_set(&c->command_line, "");
		break;
	case ACTION_FILTER:
		if (!panes[c->pane]->filter) {
			console_message(c, THEME_ROLE_WARNING, "this pane has no filter");
			break;
		}
		c->filtering = true;
		break;
	case ACTION_NEXT_PANE: console_goto(c, pane_cycle(c->pane, 1)); break;
	case ACTION_PREV_PANE: console_goto(c, pane_cycle(c->pane, -1)); break;
	case ACTION_BACK: console_goto(c, c->back); break;
	case ACTION_REFRESH: console_refresh(c); break;
	case ACTION_THEME_NEXT: command_run(c, "theme next"); break;
	case ACTION_REDRAW: clearok(curscr, TRUE); break;
	case ACTION_TOGGLE_MOUSE:
		c->mouse = !c->mouse;
		mousemask(c->mouse ? ALL_MOUSE_EVENTS : 0, NULL);
		console_message(c, THEME_ROLE_OK, "mouse %s", c->mouse ? "on" : "off");
		break;
	case ACTION_VIEW_AS: command_run(c, "view-as"); break;
	case ACTION_LEAVE_VIEW_AS: command_run(c, "leave"); break;
	case ACTION_CANCEL: c->message[0] = '\0'; break;
	default: break;
	}
	c->dirty = true;
}

static void
command_key(struct console *c, int key)
{
	static int back;
	const char *h;

	switch (key) {
	case 27:
	case 7: /* C-g */
		c->commanding = false;
		break;
	case '\n':
		c->commanding = false;
		back = 0;
		if (c->command_line.len) {
			command_history_add(c->command_line.buf);
			command_run(c, c->command_line.buf);
		}
		break;
	case '\t':
		command_complete(c, &c->command_line);
		break;
	case KEY_UP:
	case KEY_DOWN:
		back += key == KEY_UP ? 1 : -1;
		if (back < 0)
			back = 0;
		h = back ? command_history(back) : "";
		if (!h)
			h = command_history(--back);
		line_set(&c->command_line, h ? h : "");
		break;
	case KEY_BACKSPACE:
		if (!c->command_line.len) {
			c->commanding = false;
			break;
		}
		/* fallthrough */
	default:
		line_key(&c->command_line, key);
	}
}

static void
filter_key(struct console *c, int key)
{
	const struct pane_ops *p = panes[c->pane];

	if (key == '\n' || key == KEY_DOWN || key == KEY_UP) {
		c->filtering = false;
		return;
	}
	if (key == 27) {
		c->filtering = false;
		line_set(&c->filter_line, "");
	} else if (!line_key(&c->filter_line, key))
		return;
	console_trace("filter-key", "%s", c->filter_line.buf);
	if (p->filter)
		p->filter(c, c->filter_line.buf);
}

static void
mouse_event(struct console *c)
{
	MEVENT ev;
	const struct pane_ops *p = panes[c->pane];

	if (getmouse(&ev) != OK || c->modal.kind != MODAL_NONE)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		for (int i = 0; i < 3; i++)
			p->handle(c, ev.bstate & BUTTON4_PRESSED ? ACTION_MOVE_UP : ACTION_MOVE_DOWN);
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return;
	if (ev.y == 1) {
		for (int k = 0; k < PANE_GLOBAL; k++)
			if (ev.x >= frame.tab_x[k] && ev.x < frame.tab_x[k + 1])
				console_goto(c, (enum pane)k);
		return;
	}
	if (ev.y >= frame.body_y && ev.y < frame.body_y + frame.body_h && p->click
	    && (!p->needs_tenant || c->have_tenant))
		p->click(c, ev.y - frame.body_y, (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0);
}

static void
handle_key(struct console *c, int key)
{
	const struct pane_ops *p = panes[c->pane];
	enum action a;

	c->dirty = true;
	if (key == KEY_RESIZE) {
		clearok(curscr, TRUE);
		return;
	}
	if (key == KEY_MOUSE) {
		mouse_event(c);
		return;
	}
	if (modal_key(c, key))
		return;
	if (c->commanding) {
		command_key(c, key);
		return;
	}
	if (c->filtering) {
		filter_key(c, key);
		return;
	}
	if (COLS < CONSOLE_MIN_COLS || LINES < CONSOLE_MIN_ROWS) {
		if (keymap_lookup(&c->keys, c->pane, key) == ACTION_QUIT)
			c->quit = true;
		return;
	}
	a = keymap_lookup(&c->keys, c->pane, key);
	if (a == ACTION_NONE)
		return;
	if (action_writes(a) && !console_may(c, a, PERM_COUNT))
		return;
	if ((!p->needs_tenant || c->have_tenant) && p->handle(c, a))
		return;
	global_action(c, a);
}

static int
read_key(void)
{
	wint_t wch;
	int r = get_wch(&wch), key;

	if (r == ERR)
		return ERR;
	key = keyname_from_wch(r, wch);
	if (key == 27) {
		int r2 = get_wch(&wch);

		if (r2 != ERR)
			key = KEY_META | keyname_from_wch(r2, wch);
	}
	return key;
}

/* ---- completions --------------------------------------------------------- */

static void
drain_done(struct console *c)
{
	struct job *j;

	while (read(c->done_pipe[0], &j, sizeof j) == (ssize_t)sizeof j) {
		if (c->stopping) {
			/* after quit: only free */
		} else if (!j->done) {
			struct feed_job *fj = (struct feed_job *)j;

			for (int k = 0; k < fj->nnames; k++)
				console_remember_slug(c, fj->names[k].id, fj->names[k].slug);
			console_audit_add(c, &fj->entries);
		} else {
			c->busy--;
			j->done(c, j);
		}
		if (j->destroy)
			j->destroy(j);
		free(j);
		c->dirty = true;
	}
}

/* ---- set-up and the loop --------------------------------------------------- */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
screen_start(struct console *c)
{
	initscr();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (has_colors() && c->color) {
		start_color();
		use_default_colors();
	}
	theme_apply(&c->theme, c->color && has_colors());
	bkgdset(theme_attr(THEME_ROLE_NORMAL));
	c->mouse = !c->opt.no_mouse;
	if (c->mouse)
		mousemask(ALL_MOUSE_EVENTS, NULL);
	mouseinterval(200);
}

int
console_run(const struct console_options *opt)
{
	struct console *c = calloc(1, sizeof *c);
	struct store *st = NULL;
	struct err e = { 0 };
	int rc = 0;

	if (!c)
		return 1;
	c->opt = *opt;
	console_trace("start", "%s", opt->target);
	console_config(c);
	if (store_open(&st, &opt->store, &e) < 0 || st->ops->set_context(st, &opt->ctx, &e) < 0
	    || pipe2(c->done_pipe, O_CLOEXEC) < 0
	    || fcntl(c->done_pipe[0], F_SETFL, O_NONBLOCK) < 0) {
		fprintf(stderr, "tenantry: %s\n", e.message[0] ? e.message : strerror(errno));
		store_close(&st);
		free(c->config_report);
		free(c);
		return err_exit_status(e.code ? e.code : ERR_INTERNAL);
	}
	c->staff_ctx = opt->ctx;
	if (!(c->worker = worker_start(st, c->done_pipe[1], true, &e))) {
		fprintf(stderr, "tenantry: %s\n", e.message);
		store_close(&st);
		free(c);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	screen_start(c);
	command_history_load();
	console_start(c);
	while (!c->quit && !got_signal) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
				       { .fd = c->done_pipe[0], .events = POLLIN } };
		int key, timeout;

		console_tick(c);
		if (c->dirty) {
			draw(c);
			console_trace("draw", "%s", pane_name(c->pane));
		}
		timeout = c->busy || worker_reconnecting(c->worker) ? 100 : 1000;
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			drain_done(c);
		while ((key = read_key()) != ERR)
			handle_key(c, key);
		if (!(p[0].revents | p[1].revents))
			c->dirty = true;  /* the clock, the spinner, the view-as timer */
		if (p[0].revents & (POLLHUP | POLLERR))
			break;
	}
	command_history_save();
	endwin();
	console_stop(c);
	c->stopping = true;
	worker_stop(&c->worker);
	drain_done(c);
	close(c->done_pipe[0]);
	close(c->done_pipe[1]);
	for (int k = 0; k < PANE_GLOBAL; k++)
		if (panes[k]->done)
			panes[k]->done(c);
	console_free(c);
	return rc;
}
