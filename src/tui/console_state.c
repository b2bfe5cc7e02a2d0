/* console_state.c - what the panes share: jobs, messages, write checks,
 * tenant labels, times, the live audit ring, the help screen, the theme and
 * keymap, and the console's first loads and timers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/quota.h"
#include "core/text.h"
#include "tui/console.h"
#include "tui/keyname.h"
#include "tui/widget.h"

/* ---- jobs ------------------------------------------------------------------ */

void *
job_new(size_t size, int (*run)(struct job *, struct store *, struct err *),
	void (*done)(struct console *, struct job *))
{
	struct job *j = calloc(1, size < sizeof *j ? sizeof *j : size);

	if (!j) {
		endwin();
		fputs("tenantry: out of memory\n", stderr);
		abort();
	}
	j->run = run;
	j->done = done;
	return j;
}

void
console_submit(struct console *c, struct job *j)
{
	j->gen = c->gen;
	j->submitted_us = console_now_us();
	console_trace("request", "%s", j->what ? j->what : "-");
	if (c->busy++ == 0)
		c->busy_since_us = j->submitted_us;
	worker_submit(c->worker, j);
	c->dirty = true;
}

/* ---- messages and checks ---------------------------------------------------- */

void
console_message(struct console *c, enum theme_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	c->message_role = role;
	c->message_until_us = console_now_us() + 6000000;
	c->dirty = true;
}

bool
console_for_current(const struct console *c, const struct job *j)
{
	return c->have_tenant && strcmp(j->tenant, c->tenant.id) == 0;
}

bool
console_failed(struct console *c, const struct job *j, const char *doing)
{
	if (j->rc == 0)
		return false;
	console_message(c, THEME_ROLE_ERROR, "%s: %s%s%s", doing, j->err.message,
			j->err.code == ERR_UNAVAILABLE ? " (not saved; try again)" : "",
			j->err.code == ERR_OUTCOME_UNKNOWN ? " (outcome unknown: re-reading)" : "");
	if (j->err.code == ERR_OUTCOME_UNKNOWN)
		console_refresh(c);
	return true;
}

bool
console_may(struct console *c, enum action a, enum perm p)
{
	if (c->opt.read_only && (a == ACTION_NONE || action_writes(a))) {
		console_message(c, THEME_ROLE_ERROR, "read-only console: %s refused",
				a == ACTION_NONE ? "writing" : action_name(a));
		return false;
	}
	if (c->view_as && p < PERM_COUNT && !perm_member_with(c->view_role, &c->view_over, p)) {
		if (c->view_member[0])
			console_message(c, THEME_ROLE_ERROR, "%s (%s of %s) may not do that (%s)",
					c->view_member, member_role_name(c->view_role),
					c->view_slug, perm_name(p));
		else
			console_message(c, THEME_ROLE_ERROR, "a %s of %s may not do that (%s)",
					member_role_name(c->view_role), c->view_slug, perm_name(p));
		return false;
	}
	/* a staff role the console knows: refused before any request */
	if (!c->view_as && p < PERM_COUNT
	    && (c->opt.ctx.role == STORE_ROLE_SUPPORT || c->opt.ctx.role == STORE_ROLE_ONCALL)) {
		enum staff_role r =
		    c->opt.ctx.role == STORE_ROLE_SUPPORT ? STAFF_SUPPORT : STAFF_ONCALL;

		if (!perm_staff(r, p)) {
			console_message(c, THEME_ROLE_ERROR, "%s staff may not do that (%s)",
					staff_role_name(r), perm_name(p));
			return false;
		}
	}
	return true;
}

/* ---- tenant labels ------------------------------------------------------------- */

#define SLUG_CACHE 4096
static struct {
	char id[ID_LEN];
	char slug[SLUG_LEN];
} slug_cache[SLUG_CACHE];

static unsigned
slot_of(const char *id)
{
	return text_hash(id) % SLUG_CACHE;
}

void
console_remember_slug(struct console *c, const char *id, const char *slug)
{
	unsigned k = slot_of(id);

	(void)c;
	snprintf(slug_cache[k].id, sizeof slug_cache[k].id, "%s", id);
	snprintf(slug_cache[k].slug, sizeof slug_cache[k].slug, "%s", slug);
}

const char *
console_tenant_label(const struct console *c, const char *id, char *buf, size_t size)
{
	unsigned k = slot_of(id);

	(void)c;
	if (strcmp(id, PLATFORM_CHAIN) == 0)
		snprintf(buf, size, "(platform)");
	else if (strcmp(slug_cache[k].id, id) == 0)
		snprintf(buf, size, "%s", slug_cache[k].slug);
	else
		snprintf(buf, size, "%.8s", id);
	return buf;
}

void
quota_amount(char *buf, size_t size, const char *resource, int64_t v)
{
	if (strcmp(resource, "storage_bytes") != 0) {
		text_thousands(buf, size, v);
		return;
	}
	quota_format_bytes(buf, size, v); /* binary units, as the CLI */
}

/* ---- time and trace ----------------------------------------------------------- */

int64_t
console_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *
console_time(usec_t t, char *buf, size_t size)
{
	if (!t || time_format_local(buf, size, t, console_now_us()) < 0)
		snprintf(buf, size, "-");
	return buf;
}

void
console_trace(const char *event, const char *fmt, ...)
{
	static FILE *f;
	static bool tried;
	struct timespec ts;
	va_list ap;

	if (!tried) {
		const char *path = getenv("TENANTRY_TRACE");

		tried = true;
		if (path && *path)
			f = fopen(path, "a");
	}
	if (!f)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(f, "%lld.%06ld %s ", (long long)ts.tv_sec, ts.tv_nsec / 1000, event);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

/* ---- live audit ring ------------------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		abort();
	return d;
}

void
audit_entry_copy(struct audit_entry *dst, const struct audit_entry *src)
{
	*dst = *src;
	dst->old_json = dup_or_null(src->old_json);
	dst->new_json = dup_or_null(src->new_json);
	dst->user_agent = dup_or_null(src->user_agent);
}

/* Forgets the live audit lines: another database's (a profile switch) are
 * not this one's, and its entries may have the same seq on a chain. */
void
console_audit_clear(struct console *c)
{
	for (size_t i = 0; i < c->ring_n; i++)
		audit_entry_clear(&c->ring[(c->ring_start + i) % AUDIT_RING]);
	c->ring_n = 0;
	c->ring_start = 0;
	c->dirty = true;
}

static bool
ring_has(const struct console *c, const struct audit_entry *e)
{
	for (size_t i = 0; i < c->ring_n; i++) {
		const struct audit_entry *r = &c->ring[(c->ring_start + i) % AUDIT_RING];

		if (r->seq == e->seq && strcmp(r->tenant_id, e->tenant_id) == 0)
			return true;
	}
	return false;
}

void
console_audit_add(struct console *c, struct audit_entry_list *l, bool backfill)
{
	struct pane_instance *p = console_pane(c);
	size_t fresh = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct audit_entry *e = &l->rows[i];

		if (ring_has(c, e)) {
			audit_entry_clear(e);
			continue;
		}
		if (c->ring_n == AUDIT_RING) {
			audit_entry_clear(&c->ring[c->ring_start]);
			c->ring_start = (c->ring_start + 1) % AUDIT_RING;
			c->ring_n--;
		}
		c->ring[(c->ring_start + c->ring_n) % AUDIT_RING] = *e;
		c->ring_n++;
		l->rows[fresh++] = *e; /* the pane sees only the new ones */
		/* lag: from the entry's transaction time to now, wall clock */
		console_trace(backfill ? "audit-backfill" : "audit-line", "%s %lld lag_us=%lld",
			      e->tenant_id, (long long)e->seq,
			      (long long)(console_now_us() - e->at));
	}
	if (fresh && p->ops->audit)
		p->ops->audit(c, p, l->rows, fresh);
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
	c->dirty = true;
}

/* ---- help ---------------------------------------------------------------------- */

void
console_help(struct console *c)
{
	struct keymap_binding b[KEYMAP_MAX_BINDINGS * 2];
	size_t n = keymap_list(&c->keys, c->pane, b, sizeof b / sizeof b[0]);
	char *text = NULL, title[64];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	for (enum action a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		char keys[128] = "";

		if (c->opt.read_only && action_writes(a))
			continue;
		for (size_t i = 0; i < n && i < sizeof b / sizeof b[0]; i++) {
			char kn[KEYNAME_MAX];

			if (b[i].action != a)
				continue;
			keyname_format(b[i].key, kn, sizeof kn);
			if (strlen(keys) + strlen(kn) + 2 < sizeof keys)
				snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s",
					 keys[0] ? " " : "", kn);
		}
		if (keys[0])
			fprintf(f, "%-16s %-17s %s\n", keys, action_name(a), action_help(a));
	}
	fprintf(f, "\nCommands (:): tenant SLUG, tier NAME, suspend, resume, delete, restore,\n"
		   "invite EMAIL [ROLE], sort COLUMN, theme NAME|next, pane NAME, view-as,\n"
		   "leave, profile NAME, write REASON, journal, refresh, help, quit.\n"
		   "Tab completes, Up/Down recall history.");
	fclose(f);
	snprintf(title, sizeof title, "Keys: %s", pane_title(c->pane));
	console_show_text(c, title, text);
	free(text);
}

/* ---- theme and keymap -------------------------------------------------------------- */

static void
report(void *ctx, const char *message)
{
	struct console *c = ctx;
	size_t old = c->config_report ? strlen(c->config_report) : 0;
	char *s = realloc(c->config_report, old + strlen(message) + 2);

	if (!s)
		abort();
	snprintf(s + old, strlen(message) + 2, "%s\n", message);
	c->config_report = s;
}

int
console_theme(struct console *c, const char *name)
{
	struct theme t;
	char *before = c->config_report;
	int rc;

	c->config_report = NULL;
	if (c->opt.no_color || theme_no_color()) {
		theme_mono(&t);
		c->color = false;
		rc = 0;
	} else {
		rc = theme_load_name(&t, name, report, c);
		c->color = true;
	}
	if (rc >= 0)
		c->theme = t;
	if (c->config_report && before) {
		/* keep earlier reports */
		size_t a = strlen(before), b = strlen(c->config_report);
		char *s = realloc(before, a + b + 1);

		if (!s)
			abort();
		memcpy(s + a, c->config_report, b + 1);
		free(c->config_report);
		c->config_report = s;
	} else if (before)
		c->config_report = before;
	return rc < 0 ? -1 : 0;
}

void
console_config(struct console *c)
{
	char path[1024];

	console_theme(c, c->opt.theme ? c->opt.theme : "default");
	keymap_default(&c->keys);
	if (c->opt.keymap) {
		if (keymap_find(c->opt.keymap, path, sizeof path) == 0)
			keymap_load_file(&c->keys, path, report, c);
		else {
			char msg[300];

			snprintf(msg, sizeof msg, "keymap '%s' not found", c->opt.keymap);
			report(c, msg);
		}
	}
	keymap_load_user(&c->keys, report, c);
	if (c->opt.profile_problems) { /* the profiles file's bad lines */
		char copy[4096];

		snprintf(copy, sizeof copy, "%s", c->opt.profile_problems);
		if (strlen(copy) && copy[strlen(copy) - 1] == '\n')
			copy[strlen(copy) - 1] = '\0';
		report(c, copy);
	}
}

/* ---- first loads and timers ------------------------------------------------------------ */

struct counts_job {
	struct job job;
	struct platform_metrics m;
	struct tier_list tiers;
};

static int
counts_run(struct job *j, struct store *st, struct err *e)
{
	struct counts_job *cj = (struct counts_job *)j;
	struct err ignore = { 0 };

	if (!cj->tiers.rows && store_tier_list(&cj->tiers, st, &ignore) < 0)
		memset(&cj->tiers, 0, sizeof cj->tiers);
	return store_metrics(&cj->m, st, e);
}

static void
counts_done(struct console *c, struct job *j)
{
	struct counts_job *cj = (struct counts_job *)j;

	if (cj->tiers.n) {
		tier_list_free(&c->tiers);
		c->tiers = cj->tiers;
		memset(&cj->tiers, 0, sizeof cj->tiers);
	}
	if (j->rc == 0) {
		c->tenants_total = cj->m.tenants_total;
		c->open_alerts = cj->m.open_alerts;
	}
}

static void
counts_destroy(struct job *j)
{
	tier_list_free(&((struct counts_job *)j)->tiers);
}

static void
load_counts(struct console *c)
{
	struct counts_job *cj = job_new(sizeof *cj, counts_run, counts_done);

	cj->job.destroy = counts_destroy;
	cj->job.what = "counting tenants";
	console_submit(c, &cj->job);
}

void
console_refresh(struct console *c)
{
	load_counts(c);
	console_open(c);
}

void
console_start(struct console *c)
{
	/* The first page first: the platform counts scan every tenant. */
	c->pane = PANE_TENANTS;
	console_open(c);
	load_counts(c);
	if (c->opt.tenant) {
		char cmd[300];

		snprintf(cmd, sizeof cmd, "tenant %s", c->opt.tenant);
		command_run(c, cmd);
	}
	if (c->config_report)
		console_show_text(c, "Problems in the configuration files", c->config_report);
	c->dirty = true;
}

void
console_tick(struct console *c)
{
	struct pane_instance *p = console_pane(c);
	int64_t now = console_now_us();
	static int64_t last;

	if (p->ops->tick && now - last >= 1000000 && (!p->ops->needs_tenant || c->have_tenant)
	    && c->modal.kind == MODAL_NONE) {
		last = now;
		p->ops->tick(c, p);
	}
	if (c->view_as && now >= c->view_until_us) {
		command_run(c, "leave");
		console_message(c, THEME_ROLE_WARNING, "the time to view as %s is up",
				c->view_slug);
	}
	if (c->message[0] && now >= c->message_until_us) {
		c->message[0] = '\0';
		c->dirty = true;
	}
}

void
console_stop(struct console *c)
{
	if (c->view_as)
		command_run(c, "leave");
}

void
console_free(struct console *c)
{
	for (size_t i = 0; i < c->ring_n; i++)
		audit_entry_clear(&c->ring[(c->ring_start + i) % AUDIT_RING]);
	tier_list_free(&c->tiers);
	tenant_clear(&c->tenant);
	modal_close(c);
	free(c->config_report);
	free(c);
}
