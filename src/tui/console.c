/* console.c - the console's main loop: terminal set-up, the pane table,
 * input dispatch (keys, the command line, the filter, the mouse) and the
 * completions of the worker. console_draw.c draws the frame, the panes
 * their body; console_state.c holds the shared state helpers.
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

/* One row per pane of the PANES list (action.h), indexed by its enum. */
static const struct pane_ops *const panes[PANE_GLOBAL] = {
#define X(e, f, s, t, h) [PANE_##e] = &pane_##f##_ops,
	PANES(X)
#undef X
};
_Static_assert(sizeof panes / sizeof *panes == PANE_GLOBAL, "a pane without its row");

struct pane_instance *
console_pane(struct console *c)
{
	return c->panes[c->pane];
}

void
console_open(struct console *c)
{
	struct pane_instance *p = c->panes[c->pane];

	if (p->ops->needs_tenant && !c->have_tenant)
		return;
	p->ops->open(c, p);
}

/* One instance of each pane, zeroed, then set up by its init. */
static void
panes_create(struct console *c)
{
	for (int k = 0; k < PANE_GLOBAL; k++) {
		struct pane_instance *p = calloc(1, panes[k]->size);

		if (!p)
			abort();
		p->ops = panes[k];
		if (p->ops->init)
			p->ops->init(p);
		c->panes[k] = p;
	}
}

static void
panes_free(struct console *c)
{
	for (int k = 0; k < PANE_GLOBAL; k++) {
		struct pane_instance *p = c->panes[k];

		if (p && p->ops->done)
			p->ops->done(c, p);
		free(p);
		c->panes[k] = NULL;
	}
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
	console_open(c);
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
	case ACTION_QUIT:
		c->quit = true;
		break;
	case ACTION_HELP:
		console_help(c);
		break;
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
	case ACTION_NEXT_PANE:
		console_goto(c, pane_cycle(c->pane, 1));
		break;
	case ACTION_PREV_PANE:
		console_goto(c, pane_cycle(c->pane, -1));
		break;
	case ACTION_BACK:
		console_goto(c, c->back);
		break;
	case ACTION_REFRESH:
		console_refresh(c);
		break;
	case ACTION_THEME_NEXT:
		command_run(c, "theme next");
		break;
	case ACTION_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACTION_TOGGLE_MOUSE:
		c->mouse = !c->mouse;
		mousemask(c->mouse ? ALL_MOUSE_EVENTS : 0, NULL);
		console_message(c, THEME_ROLE_OK, "mouse %s", c->mouse ? "on" : "off");
		break;
	case ACTION_VIEW_AS:
		command_run(c, "view-as");
		break;
	case ACTION_LEAVE_VIEW_AS:
		command_run(c, "leave");
		break;
	case ACTION_CANCEL:
		c->message[0] = '\0';
		break;
	case ACTION_COPY:
		console_copy_selected(c);
		break;
	default:
		break;
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
	struct pane_instance *p = console_pane(c);

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
	if (p->ops->filter)
		p->ops->filter(c, p, c->filter_line.buf);
}

static void
mouse_event(struct console *c)
{
	MEVENT ev;
	struct pane_instance *p = console_pane(c);
	const struct pane_ops *ops = p->ops;
	int row;

	if (getmouse(&ev) != OK || c->modal.kind != MODAL_NONE)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		for (int i = 0; i < 3; i++)
			ops->handle(
			    c, p, ev.bstate & BUTTON4_PRESSED ? ACTION_MOVE_UP : ACTION_MOVE_DOWN);
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return;
	if (ev.y == 1) {
		int k = console_tab_at(c, ev.x);

		if (k >= 0)
			console_goto(c, (enum pane)k);
		return;
	}
	if ((row = console_body_row(c, ev.y)) >= 0 && ops->click
	    && (!ops->needs_tenant || c->have_tenant))
		ops->click(c, p, row, (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0);
}

static void
handle_key(struct console *c, int key)
{
	struct pane_instance *p = console_pane(c);
	enum action a;

	c->dirty = true;
	console_trace("key", "%d", key);
	if (key == KEY_RESIZE) {
		clearok(curscr, TRUE);
		console_layout(c);
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
	if (console_prod_guard(c, a))
		return;
	if ((!p->ops->needs_tenant || c->have_tenant) && p->ops->handle(c, p, a))
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
			console_audit_add(c, &fj->entries, fj->backfill);
		} else {
			c->busy--;
			console_trace("reply", "%s %s %lldus", j->what ? j->what : "-",
				      j->rc == 0 ? "ok" : err_code_name(j->err.code),
				      (long long)(console_now_us() - j->submitted_us));
			if (j->rc < 0 && j->err.code == ERR_UNAUTHORIZED && !j->signing_in
			    && c->opt.store.url)
				console_token_refused(c, j);
			j->done(c, j);
		}
		console_journal_record(c, j);
		free(j->journal);
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

/* Points stderr at /dev/null; returns the old one (or -1). */
static int
quiet_stderr(void)
{
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	return saved;
}

static void
restore_stderr(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
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
	int rc = 0, saved_stderr;

	if (!c)
		return 1;
	c->opt = *opt;
	snprintf(c->account, sizeof c->account, "%s", opt->account ? opt->account : "");
	console_trace("start", "%s", opt->target);
	console_config(c);
	if (store_open(&st, &opt->store, &e) < 0 || store_set_context(st, &opt->ctx, &e) < 0
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
	/* Nothing but ncurses writes to the terminal while it owns it: a
	 * library's stray message on stderr would corrupt the screen. */
	saved_stderr = quiet_stderr();
	panes_create(c);
	screen_start(c);
	console_layout(c);
	command_history_load();
	console_start(c);
	while (!c->quit && !got_signal) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
				       { .fd = c->done_pipe[0], .events = POLLIN } };
		int key, timeout;

		console_tick(c);
		console_signin_tick(c);
		if (c->dirty) {
			console_draw(c);
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
			c->dirty = true; /* the clock, the spinner, the view-as timer */
		if (p[0].revents & (POLLHUP | POLLERR))
			break;
	}
	command_history_save();
	endwin();
	restore_stderr(saved_stderr);
	console_stop(c);
	c->stopping = true;
	worker_stop(&c->worker);
	drain_done(c);
	close(c->done_pipe[0]);
	close(c->done_pipe[1]);
	panes_free(c);
	console_free(c);
	return rc;
}
