/* console_cmd.c - the `:` command line (commands, completion, history) and
 * support's "view as tenant".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tui/console.h"
#include "tui/conffile.h"
#include "tui/keyname.h"
#include "tui/platform.h"
#include "tui/widget.h"

/* ---- history ------------------------------------------------------------ */

#define HISTORY_MAX 200
static char *history[HISTORY_MAX];
static int nhistory;

void
command_history_add(const char *line)
{
	if (nhistory && strcmp(history[nhistory - 1], line) == 0)
		return;
	if (nhistory == HISTORY_MAX) {
		free(history[0]);
		memmove(history, history + 1, (HISTORY_MAX - 1) * sizeof *history);
		nhistory--;
	}
	if ((history[nhistory] = strdup(line)))
		nhistory++;
}

const char *
command_history(int back)
{
	return back >= 1 && back <= nhistory ? history[nhistory - back] : NULL;
}

static int
history_path(char *buf, size_t size)
{
	return conf_user_path(buf, size, "history");
}

void
command_history_load(void)
{
	char path[1024], line[LINE_MAX_BYTES];
	FILE *f;

	if (history_path(path, sizeof path) < 0 || !(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			command_history_add(line);
	}
	fclose(f);
}

void
command_history_save(void)
{
	char path[1024], dir[1024];
	FILE *f;

	if (history_path(path, sizeof path) < 0)
		goto cleanup;
	snprintf(dir, sizeof dir, "%s", path);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	mkdir(dir, 0700);
	if ((f = fopen(path, "w"))) {
		for (int i = 0; i < nhistory; i++)
			fprintf(f, "%s\n", history[i]);
		fclose(f);
	}
cleanup:
	for (int i = 0; i < nhistory; i++)
		free(history[i]);
	nhistory = 0;
}

/* ---- commands --------------------------------------------------------------- */

enum complete { C_NONE, C_TENANT, C_TIER, C_ROLE, C_THEME, C_PANE, C_SORT, C_PROFILE };

static void cmd_tenant(struct console *c, char **arg, int n);
static void cmd_tier(struct console *c, char **arg, int n);
static void cmd_lifecycle(struct console *c, char **arg, int n);
static void cmd_invite(struct console *c, char **arg, int n);
static void cmd_theme(struct console *c, char **arg, int n);
static void cmd_pane(struct console *c, char **arg, int n);
static void cmd_sort(struct console *c, char **arg, int n);
static void cmd_view_as(struct console *c, char **arg, int n);
static void cmd_leave(struct console *c, char **arg, int n);
static void cmd_simple(struct console *c, char **arg, int n);
static void cmd_account(struct console *c, char **arg, int n);
static void cmd_sign_in(struct console *c, char **arg, int n);
static void cmd_profile(struct console *c, char **arg, int n);
static void cmd_alerts(struct console *c, char **arg, int n);

/* clang-format off */
static const struct command {
	const char *name;
	void (*run)(struct console *c, char **arg, int n);
	enum complete arg1, arg2;
} commands[] = {
	{ "tenant", cmd_tenant, C_TENANT, C_NONE },   { "tier", cmd_tier, C_TIER, C_NONE },
	{ "suspend", cmd_lifecycle, C_NONE, C_NONE }, { "resume", cmd_lifecycle, C_NONE, C_NONE },
	{ "delete", cmd_lifecycle, C_NONE, C_NONE },  { "restore", cmd_lifecycle, C_NONE, C_NONE },
	{ "invite", cmd_invite, C_NONE, C_ROLE },     { "sort", cmd_sort, C_SORT, C_NONE },
	{ "theme", cmd_theme, C_THEME, C_NONE },      { "pane", cmd_pane, C_PANE, C_NONE },
	{ "view-as", cmd_view_as, C_ROLE, C_NONE },   { "leave", cmd_leave, C_NONE, C_NONE },
	{ "refresh", cmd_simple, C_NONE, C_NONE },    { "help", cmd_simple, C_NONE, C_NONE },
	{ "quit", cmd_simple, C_NONE, C_NONE },       { "q", cmd_simple, C_NONE, C_NONE },
	{ "reset-password", cmd_account, C_NONE, C_NONE },
	{ "mfa-reset", cmd_account, C_NONE, C_NONE }, { "sign-out", cmd_account, C_NONE, C_NONE },
	{ "unlock", cmd_account, C_NONE, C_NONE },    { "sign-in", cmd_sign_in, C_NONE, C_NONE },
	{ "profile", cmd_profile, C_PROFILE, C_NONE }, { "write", cmd_profile, C_NONE, C_NONE },
	{ "journal", cmd_profile, C_NONE, C_NONE },
	{ "alerts", cmd_alerts, C_NONE, C_NONE },
};
/* clang-format on */
#define NCOMMANDS (sizeof commands / sizeof commands[0])

void
command_run(struct console *c, const char *line)
{
	char buf[LINE_MAX_BYTES], *arg[8];
	int n;

	if (strncmp(line, "write ", 6) == 0) { /* the reason is the rest of the line */
		console_write_command(c, line + 6 + strspn(line + 6, " "));
		return;
	}
	snprintf(buf, sizeof buf, "%s", line);
	n = conf_split(buf, arg, 8);
	if (n <= 0)
		return;
	if (n > 8)
		n = 8;
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strcmp(arg[0], commands[k].name) == 0) {
			commands[k].run(c, arg, n);
			c->dirty = true;
			return;
		}
	console_message(c, THEME_ROLE_ERROR, "unknown command: %s (try :help)", arg[0]);
}

static void
cmd_simple(struct console *c, char **arg, int n)
{
	(void)n;
	if (strcmp(arg[0], "refresh") == 0)
		console_refresh(c);
	else if (strcmp(arg[0], "help") == 0)
		console_help(c);
	else
		c->quit = true;
}

static void
cmd_sign_in(struct console *c, char **arg, int n)
{
	(void)arg, (void)n;
	console_signin_open(c);
}

/* :profile NAME, :write REASON (the rest of the line), :journal
 * (console_profile.c). */
static void
cmd_profile(struct console *c, char **arg, int n)
{
	if (strcmp(arg[0], "profile") == 0)
		console_profile_command(c, n > 1 ? arg[1] : NULL);
	else if (strcmp(arg[0], "write") == 0)
		console_write_command(c, NULL);
	else
		console_journal_show(c);
}

/* :alerts [1h|24h|7d|all] (pane_platform.c). */
static void
cmd_alerts(struct console *c, char **arg, int n)
{
	platform_alerts_command(c, n > 1 ? arg[1] : NULL);
}

static bool
need_tenant(struct console *c)
{
	if (!c->have_tenant)
		console_message(c, THEME_ROLE_ERROR, "no tenant selected (:tenant SLUG)");
	return c->have_tenant;
}

struct tenant_job {
	struct job job;
	struct tenant t;
};

static int
tenant_get_run(struct job *j, struct store *st, struct err *e)
{
	return store_tenant_get(&((struct tenant_job *)j)->t, st, j->tenant, e);
}

static void
tenant_get_done(struct console *c, struct job *j)
{
	struct tenant_job *tj = (struct tenant_job *)j;

	if (console_failed(c, j, j->tenant))
		return;
	console_set_tenant(c, &tj->t);
	console_goto(c,
		     c->pane == PANE_TENANTS || c->pane == PANE_PLATFORM ? PANE_OVERVIEW : c->pane);
	console_open(c);
}

static void
tenant_job_destroy(struct job *j)
{
	tenant_clear(&((struct tenant_job *)j)->t);
}

static void
cmd_tenant(struct console *c, char **arg, int n)
{
	struct tenant_job *tj;

	if (n < 2) {
		console_message(c, THEME_ROLE_ERROR, "usage: :tenant SLUG");
		return;
	}
	tj = job_new(sizeof *tj, tenant_get_run, tenant_get_done);
	tj->job.destroy = tenant_job_destroy;
	snprintf(tj->job.tenant, sizeof tj->job.tenant, "%s", arg[1]);
	tj->job.what = "opening tenant";
	console_submit(c, &tj->job);
}

static void
cmd_tier(struct console *c, char **arg, int n)
{
	if (!need_tenant(c))
		return;
	if (!console_may(c, ACTION_CHANGE_TIER, PERM_TENANT_TIER))
		return;
	tenant_change_tier(c, &c->tenant, n > 1 ? arg[1] : NULL);
}

static void
cmd_lifecycle(struct console *c, char **arg, int n)
{
	static const struct {
		const char *name;
		enum action a;
	} map[] = { { "suspend", ACTION_SUSPEND },
		    { "resume", ACTION_RESUME },
		    { "delete", ACTION_DELETE },
		    { "restore", ACTION_RESTORE } };

	(void)n;
	if (!need_tenant(c))
		return;
	for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
		if (strcmp(arg[0], map[k].name) == 0
		    && console_may(c, map[k].a, PERM_TENANT_LIFECYCLE))
			tenant_action(c, &c->tenant, map[k].a);
}

/* Staff actions on an account (by default, in the users pane, the member
 * under the cursor); the database decides who may. */
static void
cmd_account(struct console *c, char **arg, int n)
{
	if (!console_may(c, ACTION_NONE, PERM_COUNT))
		return;
	account_command(c, arg[0],
			n > 1                   ? arg[1]
			: c->pane == PANE_USERS ? users_selected_email(c)
						: NULL);
}

static void
cmd_invite(struct console *c, char **arg, int n)
{
	if (!need_tenant(c) || !console_may(c, ACTION_INVITE, PERM_INVITATIONS_MANAGE))
		return;
	invitation_start(c, n > 1 ? arg[1] : NULL, n > 2 ? arg[2] : NULL);
}

static void
cmd_theme(struct console *c, char **arg, int n)
{
	const char *name = n > 1 ? arg[1] : "next";

	if (strcmp(name, "next") == 0)
		name = theme_next_name(c->theme.name);
	if (console_theme(c, name) < 0) {
		console_message(c, THEME_ROLE_ERROR, "no theme %s", name);
		return;
	}
	theme_apply(&c->theme, c->color && has_colors());
	bkgdset(theme_attr(THEME_ROLE_NORMAL));
	clearok(curscr, TRUE);
	if (c->config_report) {
		console_show_text(c, "Problems in the theme", c->config_report);
		free(c->config_report);
		c->config_report = NULL;
	} else
		console_message(c, THEME_ROLE_OK, "theme %s", c->theme.name);
}

static void
cmd_pane(struct console *c, char **arg, int n)
{
	enum pane p;

	if (n < 2 || pane_parse(arg[1], &p) < 0 || p == PANE_GLOBAL)
		console_message(c, THEME_ROLE_ERROR, "usage: :pane tenants|overview|users|…");
	else
		console_goto(c, p);
}

static void
cmd_sort(struct console *c, char **arg, int n)
{
	enum tenant_sort s;

	if (n < 2 || tenant_sort_parse(arg[1], &s) < 0) {
		console_message(c, THEME_ROLE_ERROR,
				"usage: :sort name|tier|status|health|usage|created [desc]");
		return;
	}
	tenants_sort(c, s, n > 2 && strcmp(arg[2], "desc") == 0);
	console_goto(c, PANE_TENANTS);
}

/* ---- view as tenant ------------------------------------------------------------ */

struct view_job {
	struct job job;
	struct store_context ctx;
	char session[ID_LEN];
	bool leaving;
	enum member_role role;
	int minutes;
	char reason[128], slug[SLUG_LEN];
	char member[EMAIL_LEN];     /* "" viewing as a role */
	struct perm_overrides over; /* the member's, as the session holds them */
};

static int
view_run(struct job *j, struct store *st, struct err *e)
{
	struct view_job *v = (struct view_job *)j;

	struct view_session s;

	if (v->leaving) {
		/* Leave first, then end the session as the staff member (one
		 * whose time ran out is already ended). */
		if (store_set_context(st, &v->ctx, e) < 0)
			return -1;
		if (store_view_as_end(st, v->session, e) < 0 && e->code != ERR_NOT_FOUND)
			return -1;
		err_clear(e);
		return 0;
	}
	/* as a member: the session has their role and overrides */
	if (store_view_as_start(&s, st, j->tenant, v->role, v->member, v->reason, v->minutes, e)
	    < 0)
		return -1;
	v->role = s.role;
	v->over = s.over;
	snprintf(v->member, sizeof v->member, "%s", s.member);
	v->ctx.view_role = v->role;
	v->ctx.view_over = v->over;
	snprintf(v->session, sizeof v->session, "%s", s.id);
	snprintf(v->ctx.view_session, sizeof v->ctx.view_session, "%s", s.id);
	return store_set_context(st, &v->ctx, e);
}

static void
view_done(struct console *c, struct job *j)
{
	struct view_job *v = (struct view_job *)j;

	form_finish(c, j);
	if (console_failed(c, j, v->leaving ? "leaving view-as" : "view as"))
		return;
	c->view_as = !v->leaving;
	console_layout(c); /* the banner comes or goes */
	if (c->view_as) {
		c->view_role = v->role;
		c->view_over = v->over;
		snprintf(c->view_member, sizeof c->view_member, "%s", v->member);
		c->view_until_us = console_now_us() + (int64_t)v->minutes * 60 * 1000000;
		snprintf(c->view_slug, sizeof c->view_slug, "%s", v->slug);
		snprintf(c->view_reason, sizeof c->view_reason, "%s", v->reason);
		snprintf(c->view_session, sizeof c->view_session, "%s", v->session);
		console_message(c, THEME_ROLE_WARNING, "viewing %s as %s%s%s%s", v->slug,
				v->member[0] ? v->member : "", v->member[0] ? " (" : "",
				member_role_name(v->role), v->member[0] ? ")" : "");
	} else
		console_message(c, THEME_ROLE_OK, "back to the staff view");
	console_refresh(c);
}

static int
view_submit(struct console *c, struct modal *m)
{
	struct view_job *v;
	enum member_role role;
	char *end;
	long minutes = strtol(form_value(m, 1), &end, 10);

	/* a refusal puts the cursor on the field it is about */
	if (member_role_parse(form_value(m, 0), &role) < 0)
		return m->focus = 0, snprintf(m->error, sizeof m->error, "pick a role"), -1;
	if (*end || minutes < 1 || minutes > 240)
		return m->focus = 1, snprintf(m->error, sizeof m->error, "minutes: 1 to 240"), -1;
	if (strlen(form_value(m, 2)) < 3)
		return m->focus = 2,
		       snprintf(m->error, sizeof m->error, "give a reason (it is audited)"), -1;
	if (*form_value(m, 3) && !strchr(form_value(m, 3), '@'))
		return m->focus = 3,
		       snprintf(m->error, sizeof m->error, "member: a member's e-mail, or empty"),
		       -1;
	v = job_new(sizeof *v, view_run, view_done);
	v->role = role;
	snprintf(v->member, sizeof v->member, "%s", form_value(m, 3));
	v->minutes = (int)minutes;
	snprintf(v->reason, sizeof v->reason, "%s", form_value(m, 2));
	snprintf(v->slug, sizeof v->slug, "%s", c->tenant.slug);
	snprintf(v->job.tenant, sizeof v->job.tenant, "%s", c->tenant.id);
	v->ctx = c->staff_ctx;
	v->ctx.role = STORE_ROLE_TENANT;
	v->ctx.view_role = role;
	snprintf(v->ctx.tenant_id, sizeof v->ctx.tenant_id, "%s", c->tenant.id);
	v->job.feed_target = FEED_TENANT;
	v->job.what = "switching view";
	console_submit(c, &v->job);
	return 0;
}

static void
cmd_view_as(struct console *c, char **arg, int n)
{
	static const char *const roles[] = { "viewer", "member", "manager", "admin" };
	struct modal *m;
	int sel = 0;
	char title[128];
	const char *member = NULL;

	if (!need_tenant(c))
		return;
	if (c->view_as) {
		char kn[KEYNAME_MAX + 8];

		console_message(c, THEME_ROLE_WARNING, "already viewing %s; %s leaves",
				c->view_slug,
				console_key_hint(c, ACTION_LEAVE_VIEW_AS, "leave", kn, sizeof kn));
		return;
	}
	for (int i = 0; n > 1 && i < 4; i++)
		if (strcmp(arg[1], roles[i]) == 0)
			sel = i;
	/* a member: named, or the one under the cursor in the users pane */
	if (n > 1 && strchr(arg[1], '@'))
		member = arg[1];
	else if (n <= 1 && c->pane == PANE_USERS)
		member = users_selected_email(c);
	snprintf(title, sizeof title, "View %s as a member", c->tenant.slug);
	m = form_open(c, title, view_submit);
	form_note(m, "The console switches to the tenant's own database role: you see\n"
		     "exactly what that member sees. Entering and leaving are audited.\n"
		     "With a member's e-mail, their role and permission overrides apply\n"
		     "(and the role chosen here does not).");
	form_add_choice(m, "role", roles, 4, sel);
	form_add_text(m, "minutes", "30");
	form_add_text(m, "reason", "");
	form_add_text(m, "member", member);
}

static void
cmd_leave(struct console *c, char **arg, int n)
{
	struct view_job *v;

	(void)arg, (void)n;
	if (!c->view_as) {
		console_message(c, THEME_ROLE_WARNING, "not viewing as a member");
		return;
	}
	v = job_new(sizeof *v, view_run, view_done);
	v->leaving = true;
	v->ctx = c->staff_ctx;
	snprintf(v->job.tenant, sizeof v->job.tenant, "%s", c->tenant.id);
	snprintf(v->session, sizeof v->session, "%s", c->view_session);
	v->job.feed_target = FEED_ALL;
	c->view_as = false; /* no more writes as the member from now on */
	c->view_member[0] = '\0';
	memset(&c->view_over, 0, sizeof c->view_over);
	console_layout(c);
	console_submit(c, &v->job);
}

/* ---- completion ------------------------------------------------------------------ */

/* Candidates for kind that start with prefix, into out (at most max). */
static int
candidates(struct console *c, enum complete kind, const char **out, int max)
{
	static const char *const roles[] = { "admin", "manager", "member", "viewer" };
	static const char *const themes[] = { "default", "light", "high-contrast", "mono", "next" };
	int n = 0;

	switch (kind) {
	case C_TENANT:
		n = tenants_slugs(c, out, max);
		break;
	case C_TIER:
		for (size_t i = 0; i < c->tiers.n && n < max; i++)
			out[n++] = c->tiers.rows[i].name;
		break;
	case C_ROLE:
		for (int i = 0; i < 4 && n < max; i++)
			out[n++] = roles[i];
		break;
	case C_THEME:
		for (int i = 0; i < 5 && n < max; i++)
			out[n++] = themes[i];
		break;
	case C_PANE:
		for (int p = 0; p < PANE_GLOBAL && n < max; p++)
			out[n++] = pane_name((enum pane)p);
		break;
	case C_SORT:
		for (int s = 0; s < TENANT_SORT_COUNT && n < max; s++)
			out[n++] = tenant_sort_name((enum tenant_sort)s);
		break;
	case C_PROFILE:
		n = profile_names(out, max);
		break;
	case C_NONE:
		break;
	}
	return n;
}

/* Replaces the last word of l with the longest common prefix of the
 * matches (and a space when there is one match); lists them when several. */
static bool
complete_word(struct console *c, struct line_edit *l, size_t start, const char **cand, int n)
{
	const char *word = l->buf + start, *match[64];
	size_t wl = strlen(word), common = 0;
	int m = 0;
	char line[LINE_MAX_BYTES], list[256] = "";

	for (int i = 0; i < n && m < 64; i++)
		if (strncmp(cand[i], word, wl) == 0)
			match[m++] = cand[i];
	if (!m)
		return false;
	common = strlen(match[0]);
	for (int i = 1; i < m; i++) {
		size_t k = 0;

		while (k < common && match[i][k] == match[0][k])
			k++;
		common = k;
	}
	snprintf(line, sizeof line, "%.*s%.*s%s", (int)start, l->buf, (int)common, match[0],
		 m == 1 ? " " : "");
	line_set(l, line);
	if (m > 1) {
		for (int i = 0; i < m; i++)
			if (strlen(list) + strlen(match[i]) + 2 < sizeof list)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s ",
					 match[i]);
		console_message(c, THEME_ROLE_DIM, "%s", list);
	}
	return true;
}

bool
command_complete(struct console *c, struct line_edit *l)
{
	const char *cand[256];
	char *sp = strchr(l->buf, ' ');
	size_t start;
	int n = 0, argn = 0;

	l->cur = l->len;
	if (!sp) {
		for (size_t k = 0; k < NCOMMANDS; k++)
			cand[n++] = commands[k].name;
		return complete_word(c, l, 0, cand, n);
	}
	for (const char *p = l->buf; *p; p++)
		argn += *p == ' ' && p[1] != ' ';
	start = strrchr(l->buf, ' ') - l->buf + 1;
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strncmp(l->buf, commands[k].name, (size_t)(sp - l->buf)) == 0
		    && strlen(commands[k].name) == (size_t)(sp - l->buf)) {
			enum complete kind = argn <= 1 ? commands[k].arg1 : commands[k].arg2;

			n = candidates(c, kind, cand, 256);
			return complete_word(c, l, start, cand, n);
		}
	return false;
}
