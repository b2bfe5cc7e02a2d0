/* console_profile.c - the console's connection profile and journal: the
 * safety level in the frame and title, a prod profile read-only until
 * `:write REASON` (audited), the slug asked before a destructive action
 * in prod, switching profile (`:profile NAME`, a new store for the
 * worker), and the command journal (each write recorded as the
 * `tenantry` command line that does the same; `:journal` shows it).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/journal.h"
#include "tui/termtext.h"

bool
console_prod(const struct console *c)
{
	return c->opt.profile && c->opt.profile->safety == PROFILE_PROD;
}

/* ---- the frame ------------------------------------------------------------------ */

attr_t
console_frame_attr(const struct console *c, enum theme_role role)
{
	enum profile_safety s = c->opt.profile ? c->opt.profile->safety : PROFILE_DEV;

	if (s == PROFILE_PROD)
		return theme_attr(THEME_ROLE_ERROR) | A_REVERSE | A_BOLD;
	if (s == PROFILE_STAGING)
		return theme_attr(THEME_ROLE_WARNING) | A_REVERSE;
	return theme_attr(role);
}

void
console_profile_label(const struct console *c, char *buf, size_t size)
{
	const struct profile *p = c->opt.profile;

	buf[0] = '\0';
	if (!p)
		return;
	if (p->safety == PROFILE_PROD) {
		char why[128];

		/* the reason cut short: the title keeps its counts */
		text_fit(why, sizeof why, c->write_reason, 24, true);
		for (size_t n = strlen(why); n && why[n - 1] == ' ';)
			why[--n] = '\0';
		snprintf(buf, size, "PROD %s%s%s%s ", p->name, why[0] ? " [write: " : "", why,
			 why[0] ? "]" : "");
	} else if (p->safety == PROFILE_STAGING)
		snprintf(buf, size, "STAGING %s ", p->name);
	else
		snprintf(buf, size, "%s ", p->name);
}

/* ---- destructive actions in prod -------------------------------------------------- */

static bool
destructive(const struct console *c, enum action a)
{
	switch (a) {
	case ACTION_SUSPEND:
	case ACTION_DELETE:
		/* the tenant's own suspend and delete ask for the slug already */
		return c->pane != PANE_TENANTS && c->pane != PANE_OVERVIEW;
	case ACTION_REMOVE_MEMBER:
	case ACTION_REVOKE:
	case ACTION_DEACTIVATE:
		return true;
	default:
		return false;
	}
}

static int
guard_submit(struct console *c, struct modal *m)
{
	enum action a;
	struct pane_instance *p = console_pane(c);

	if (strcmp(form_value(m, 0), m->ref2) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	a = (enum action)atoi(m->ref);
	modal_close(c);
	c->confirmed = a;
	if (!p->ops->handle(c, p, a))
		console_message(c, THEME_ROLE_WARNING, "nothing to %s here", action_name(a));
	c->confirmed = ACTION_NONE;
	return -1; /* not busy: closed, or the action's own form is open */
}

bool
console_prod_guard(struct console *c, enum action a)
{
	struct modal *m;
	char title[160];

	if (!console_prod(c) || !c->have_tenant || !console_pane(c)->ops->needs_tenant
	    || c->confirmed == a || !destructive(c, a))
		return false;
	snprintf(title, sizeof title, "%s in %s (prod)", action_name(a), c->tenant.slug);
	m = form_open(c, title, guard_submit);
	snprintf(m->ref, sizeof m->ref, "%d", (int)a);
	snprintf(m->ref2, sizeof m->ref2, "%s", c->tenant.slug);
	form_note(m, "Profile %s is production.\n%s: type the tenant's slug (%s) to go on.",
		  c->opt.profile->name, action_help(a), c->tenant.slug);
	form_add_text(m, "slug", "");
	return true;
}

/* ---- :write REASON ------------------------------------------------------------------ */

struct write_job {
	struct job job;
	char reason[128], profile[PROFILE_NAME_LEN];
};

static int
write_run(struct job *j, struct store *st, struct err *e)
{
	struct write_job *wj = (struct write_job *)j;
	json_t *d = json_pack("{s:s, s:s}", "reason", wj->reason, "profile", wj->profile);
	char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
	int rc;

	st->read_only = false;
	rc = detail
		 ? store_audit_event(st, NULL, "console.write", "profile", wj->profile, detail, e)
		 : err_set(e, ERR_INTERNAL, "out of memory");
	if (rc < 0)
		st->read_only = true;
	free(detail);
	json_decref(d);
	return rc;
}

static void
write_done(struct console *c, struct job *j)
{
	struct write_job *wj = (struct write_job *)j;

	if (console_failed(c, j, "write"))
		return;
	c->opt.read_only = c->opt.store.read_only = false;
	snprintf(c->write_reason, sizeof c->write_reason, "%s", wj->reason);
	console_message(c, THEME_ROLE_WARNING, "writes on %s allowed: %s", wj->profile, wj->reason);
}

void
console_write_command(struct console *c, const char *reason)
{
	struct write_job *wj;

	if (!c->opt.read_only) {
		console_message(c, THEME_ROLE_WARNING, "writes are allowed already");
		return;
	}
	if (!reason || strlen(reason) < 3) {
		console_message(c, THEME_ROLE_ERROR,
				"usage: :write REASON (why you write here; it is audited)");
		return;
	}
	if (!console_prod(c)) {
		console_message(c, THEME_ROLE_ERROR,
				"read-only console (--read-only): start it without to write");
		return;
	}
	wj = job_new(sizeof *wj, write_run, write_done);
	snprintf(wj->reason, sizeof wj->reason, "%s", reason);
	snprintf(wj->profile, sizeof wj->profile, "%s", c->opt.profile->name);
	wj->job.what = "allowing writes";
	wj->job.write = true;
	journal_add_raw(&wj->job.journal, "");
	console_submit(c, &wj->job);
}

/* ---- :profile NAME ----------------------------------------------------------------- */

struct switch_job {
	struct job job;
	struct console_options opt;
	char name[PROFILE_NAME_LEN];
};

static int
switch_run(struct job *j, struct store *st, struct err *e)
{
	struct switch_job *sj = (struct switch_job *)j;
	struct store *fresh = NULL;

	(void)st;
	if (sj->opt.profile_open(&sj->opt, sj->name, e) < 0)
		return -1;
	if (store_open(&fresh, &sj->opt.store, e) < 0)
		return -1;
	if (store_set_context(fresh, &sj->opt.ctx, e) < 0) {
		store_close(&fresh);
		return -1;
	}
	j->swap = fresh;
	return 0;
}

static void
switch_destroy(struct job *j)
{
	store_close(&j->swap);
}

static void
switch_done(struct console *c, struct job *j)
{
	struct switch_job *sj = (struct switch_job *)j;

	if (console_failed(c, j, sj->name))
		return;
	c->opt = sj->opt;
	c->staff_ctx = c->opt.ctx;
	c->write_reason[0] = '\0';
	c->view_as = false;
	if (c->opt.theme && console_theme(c, c->opt.theme) == 0) {
		theme_apply(&c->theme, c->color && has_colors());
		bkgdset(theme_attr(THEME_ROLE_NORMAL));
	}
	clearok(curscr, TRUE);
	console_audit_clear(c); /* the other database's lines */
	console_set_tenant(c, NULL);
	console_layout(c);
	console_goto(c, PANE_TENANTS);
	console_refresh(c);
	console_message(c, console_prod(c) ? THEME_ROLE_WARNING : THEME_ROLE_OK,
			"profile %s (%s%s)", sj->name, profile_safety_name(c->opt.profile->safety),
			c->opt.read_only ? ", read-only: :write REASON to write" : "");
}

void
console_profile_command(struct console *c, const char *name)
{
	struct switch_job *sj;

	if (!name) {
		console_message(c, THEME_ROLE_ERROR, "usage: :profile NAME (in %s)",
				"~/.config/tenantry/profiles");
		return;
	}
	if (!c->opt.profile_open || !profile_find(name)) {
		console_message(c, THEME_ROLE_ERROR, "no profile %s", name);
		return;
	}
	sj = job_new(sizeof *sj, switch_run, switch_done);
	sj->job.destroy = switch_destroy;
	sj->job.what = "switching profile";
	sj->job.write = true; /* not tried again by itself */
	sj->job.feed_target = FEED_ALL;
	sj->opt = c->opt;
	snprintf(sj->name, sizeof sj->name, "%s", name);
	console_submit(c, &sj->job);
}

/* ---- the journal ----------------------------------------------------------------- */

static bool
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Is the console where its profile points (not somewhere --db or --url
 * given with it point)? */
static bool
on_profile(const struct console *c)
{
	const struct profile *p = c->opt.profile;

	return p
	       && ((!p->db && !p->url)
		   || (same(p->db, c->opt.store.conninfo) && same(p->url, c->opt.store.url)));
}

/* `tenantry` and how to reach what the console is on: the profile, else
 * --url or --db (without a password= word) and --as. */
static void
journal_prefix(const struct console *c, char **line)
{
	static const char *const as[] = { [STORE_ROLE_PLATFORM] = "platform",
					  [STORE_ROLE_SUPPORT] = "support",
					  [STORE_ROLE_ONCALL] = "oncall" };
	const struct store_config *s = &c->opt.store;

	journal_add_word(line, "tenantry");
	if (on_profile(c)) {
		journal_add_word(line, "-p");
		journal_add_word(line, c->opt.profile->name);
		return;
	}
	if (s->url && *s->url) {
		journal_add_word(line, "--url");
		journal_add_word(line, s->url);
	} else if (s->conninfo && *s->conninfo) {
		char copy[2048], *w[64], *kept = NULL;
		int n;

		snprintf(copy, sizeof copy, "%s", s->conninfo);
		n = conf_split(copy, w, 64);
		for (int k = 0; k < n && k < 64; k++)
			if (strncmp(w[k], "password=", 9) != 0)
				journal_add_raw(&kept, w[k]);
		journal_add_word(line, "--db");
		journal_add_word(line, kept ? kept : "");
		free(kept);
	}
	if (c->opt.ctx.role == STORE_ROLE_TENANT) {
		char t[ID_LEN + 8];

		snprintf(t, sizeof t, "tenant:%s", c->opt.ctx.tenant_id);
		journal_add_word(line, "--as");
		journal_add_word(line, t);
	} else if (c->opt.ctx.role < sizeof as / sizeof *as && as[c->opt.ctx.role]) {
		journal_add_word(line, "--as");
		journal_add_word(line, as[c->opt.ctx.role]);
	}
}

static void
add_words(struct job *j, va_list ap)
{
	const char *w;

	while ((w = va_arg(ap, const char *)))
		journal_add_word(&j->journal, w);
}

void
job_journal(struct console *c, struct job *j, ...)
{
	va_list ap;
	char *line = NULL;

	journal_prefix(c, &line);
	if (j->journal && *j->journal) {
		size_t a = strlen(j->journal), b = strlen(line);
		char *s = realloc(j->journal, a + b + 2);

		if (!s)
			abort();
		s[a] = '\n'; /* one command line more, for the same action */
		memcpy(s + a + 1, line, b + 1);
		j->journal = s;
		free(line);
	} else {
		free(j->journal);
		j->journal = line;
	}
	va_start(ap, j);
	add_words(j, ap);
	va_end(ap);
}

void
job_journal_more(struct job *j, ...)
{
	va_list ap;

	va_start(ap, j);
	add_words(j, ap);
	va_end(ap);
}

void
console_journal_record(struct console *c, struct job *j)
{
	char outcome[sizeof j->err.message + 32];

	if (!j->journal)
		return;
	if (j->rc == 0 && j->journal[0])
		snprintf(outcome, sizeof outcome, "ok");
	else if (j->rc == 0)
		snprintf(outcome, sizeof outcome, "write: %s", c->write_reason);
	else
		snprintf(outcome, sizeof outcome, "error: %s", j->err.message);
	if (journal_append(j->journal, c->opt.profile ? c->opt.profile->name : NULL, outcome) < 0
	    && !c->stopping)
		console_message(c, THEME_ROLE_WARNING, "the journal could not be written");
}

void
console_journal_show(struct console *c)
{
	char *text = journal_tail(1000), path[1024], title[1100];
	char *out, *end;
	size_t len;

	if (journal_path(path, sizeof path) < 0)
		snprintf(path, sizeof path, "no journal: set HOME or XDG_STATE_HOME");
	snprintf(title, sizeof title, "Journal, newest first (%s)", path);
	if (!text || !*text) {
		console_show_text(c, title, "Nothing yet: the console's writes are recorded here.");
		free(text);
		return;
	}
	/* newest first */
	len = strlen(text);
	if (!(out = malloc(len + 2)))
		abort();
	out[0] = '\0';
	end = text + len;
	while (end > text) {
		char *start = end;

		if (end[-1] == '\n')
			end--;
		start = end;
		while (start > text && start[-1] != '\n')
			start--;
		strncat(out, start, (size_t)(end - start));
		strcat(out, "\n");
		end = start;
	}
	console_show_text(c, title, out);
	free(out);
	free(text);
}
