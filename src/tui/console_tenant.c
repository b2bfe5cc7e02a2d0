/* console_tenant.c - a tenant's lifecycle from the console: create,
 * suspend/resume, delete/restore (destructive ones confirmed by typing the
 * slug) and tier changes that show first what a downgrade would break.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tier.h"
#include "tui/console.h"

struct status_job {
	struct job job;
	struct tenant t;
	enum tenant_status to;
	char tier[TIER_LEN];
	bool force;
	struct tier_conflict conflict;
	struct quota_list quotas;
};

static void
status_destroy(struct job *j)
{
	struct status_job *sj = (struct status_job *)j;

	tenant_clear(&sj->t);
	quota_list_free(&sj->quotas);
}

static struct status_job *
status_job_new(struct console *c, const struct tenant *t,
	       int (*run)(struct job *, struct store *, struct err *),
	       void (*done)(struct console *, struct job *))
{
	struct status_job *sj = job_new(sizeof *sj, run, done);

	sj->job.destroy = status_destroy;
	sj->job.write = true;
	snprintf(sj->job.tenant, sizeof sj->job.tenant, "%s", t->id);
	(void)c;
	return sj;
}

/* The tenant changed: show it everywhere it is shown. */
static void
tenant_changed(struct console *c, const struct tenant *t, const char *what)
{
	if (c->have_tenant && strcmp(c->tenant.id, t->id) == 0) {
		tenant_clear(&c->tenant);
		c->tenant = *t;
		c->tenant.settings_json = c->tenant.branding_json = NULL;
	}
	console_message(c, THEME_ROLE_OK, "%s: %s", t->slug, what);
	console_refresh(c);
}

static int
status_run(struct job *j, struct store *st, struct err *e)
{
	struct status_job *sj = (struct status_job *)j;

	return store_tenant_set_status(&sj->t, st, j->tenant, sj->to, e);
}

static void
status_done(struct console *c, struct job *j)
{
	struct status_job *sj = (struct status_job *)j;

	form_finish(c, j);
	if (j->rc == 0)
		tenant_changed(c, &sj->t, tenant_status_name(sj->t.status));
	else if (c->modal.kind == MODAL_NONE)
		console_failed(c, j, tenant_status_name(sj->to));
}

/* verb: the `tenantry tenants` subcommand that does the same. */
static void
set_status(struct console *c, const struct tenant *t, enum tenant_status to, const char *verb)
{
	struct status_job *sj = status_job_new(c, t, status_run, status_done);

	job_journal(c, &sj->job, "tenants", verb, t->slug[0] ? t->slug : t->id, NULL);
	sj->to = to;
	sj->job.what = "changing status";
	console_submit(c, &sj->job);
}

/* Destructive: the form asks for the slug. ref = tenant id, ref2 = slug. */
static int
confirm_submit(struct console *c, struct modal *m)
{
	struct tenant t = { 0 };
	enum tenant_status to;

	if (strcmp(form_value(m, 0), m->ref2) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	to = strncmp(m->title, "Suspend", 7) == 0 ? TENANT_SUSPENDED : TENANT_PENDING_DELETION;
	snprintf(t.id, sizeof t.id, "%s", m->ref);
	snprintf(t.slug, sizeof t.slug, "%.*s", (int)sizeof t.slug - 1, m->ref2);
	set_status(c, &t, to, to == TENANT_SUSPENDED ? "suspend" : "delete");
	return 0;
}

static void
confirm_slug(struct console *c, const struct tenant *t, const char *verb, const char *note)
{
	char title[160];
	struct modal *m;

	snprintf(title, sizeof title, "%s %s", verb, t->slug);
	m = form_open(c, title, confirm_submit);
	snprintf(m->ref, sizeof m->ref, "%s", t->id);
	snprintf(m->ref2, sizeof m->ref2, "%s", t->slug);
	form_note(m, "%s\nType the tenant's slug (%s) to confirm.", note, t->slug);
	form_add_text(m, "slug", "");
}

bool
tenant_action(struct console *c, const struct tenant *t, enum action a)
{
	switch (a) {
	case ACTION_SUSPEND:
		if (!console_may(c, a, PERM_TENANT_LIFECYCLE))
			return true;
		confirm_slug(c, t, "Suspend",
			     "Its members, API keys and tokens stop working until it is resumed.");
		return true;
	case ACTION_DELETE:
		if (!console_may(c, a, PERM_TENANT_LIFECYCLE))
			return true;
		confirm_slug(c, t, "Delete",
			     "The tenant goes to pending deletion; its data is purged when the\n"
			     "grace period ends unless it is restored.");
		return true;
	case ACTION_RESUME:
		if (console_may(c, a, PERM_TENANT_LIFECYCLE))
			set_status(c, t, TENANT_ACTIVE, "resume");
		return true;
	case ACTION_RESTORE:
		if (console_may(c, a, PERM_TENANT_LIFECYCLE))
			set_status(c, t, TENANT_ACTIVE, "restore");
		return true;
	case ACTION_CHANGE_TIER:
		if (console_may(c, a, PERM_TENANT_TIER))
			tenant_change_tier(c, t, NULL);
		return true;
	default:
		return false;
	}
}

/* ---- tier change ------------------------------------------------------------- */

static int
tier_run(struct job *j, struct store *st, struct err *e)
{
	struct status_job *sj = (struct status_job *)j;

	return store_tenant_set_tier(&sj->t, &sj->conflict, st, j->tenant, sj->tier, sj->force, e);
}

static void
tier_done(struct console *c, struct job *j)
{
	struct status_job *sj = (struct status_job *)j;

	if (j->rc < 0 && j->err.code == ERR_DOWNGRADE_BLOCKED && c->modal.kind == MODAL_FORM) {
		c->modal.busy = false;
		snprintf(c->modal.error, sizeof c->modal.error,
			 "over %s's limits: type the slug to force it", sj->tier);
		return;
	}
	form_finish(c, j);
	if (j->rc == 0)
		tenant_changed(c, &sj->t, sj->t.tier);
	else if (c->modal.kind == MODAL_NONE)
		console_failed(c, j, "tier");
}

/* In prod a downgrade needs the slug typed in the confirm field too
 * (field 2; force is field 1). ref = tenant id, ref2 = slug, title
 * "Tier of SLUG (now TIER)". */
static bool
prod_downgrade_refused(struct console *c, struct modal *m)
{
	const char *now = strstr(m->title, "(now ");
	char cur[TIER_LEN] = "";
	const struct tier *from, *to = tier_find(c->tiers.rows, c->tiers.n, form_value(m, 0));

	if (!console_prod(c) || m->nfield < 3 || !now)
		return false;
	snprintf(cur, sizeof cur, "%.*s", (int)strcspn(now + 5, ")"), now + 5);
	from = tier_find(c->tiers.rows, c->tiers.n, cur);
	if (!from || !to || !tier_is_downgrade(from, to) || strcmp(form_value(m, 2), m->ref2) == 0)
		return false;
	m->focus = 2;
	snprintf(m->error, sizeof m->error, "prod: type %s to confirm the downgrade", m->ref2);
	return true;
}

static int
tier_submit(struct console *c, struct modal *m)
{
	struct tenant t = { 0 };
	struct status_job *sj;

	if (prod_downgrade_refused(c, m))
		return -1;
	snprintf(t.id, sizeof t.id, "%s", m->ref);
	sj = status_job_new(c, &t, tier_run, tier_done);
	snprintf(sj->tier, sizeof sj->tier, "%s", form_value(m, 0));
	sj->force = m->nfield > 1 && strcmp(form_value(m, 1), m->ref2) == 0;
	job_journal(c, &sj->job, "tenants", "tier", m->ref2, sj->tier, NULL);
	if (sj->force)
		job_journal_more(&sj->job, "--force", NULL);
	sj->job.what = "changing tier";
	console_submit(c, &sj->job);
	return 0;
}

static int
quotas_run(struct job *j, struct store *st, struct err *e)
{
	return store_quota_list(&((struct status_job *)j)->quotas, st, j->tenant, e);
}

/* The features a move to `to` turns off for t (its overrides counted). */
static void
preview_features(FILE *f, const struct tier *cur, const struct tier *to, const struct tenant *t)
{
	char names[512];

	if (feature_list_format(names, sizeof names,
				tier_features_lost(cur, to, t->features_on, t->features_off)))
		fprintf(f, "%s turns off: %s\n", to->name, names);
}

/* What each lower tier would break, from the tenant's current usage, and
 * the features it would turn off. */
static void
preview_done(struct console *c, struct job *j)
{
	struct status_job *sj = (struct status_job *)j;
	const struct tier *cur = tier_find(c->tiers.rows, c->tiers.n, sj->t.tier);
	int64_t used[RESOURCE_COUNT] = { 0 };
	const char *names[FORM_CHOICES];
	char *note = NULL, title[160];
	size_t len = 0;
	FILE *f;
	struct modal *m;
	int n = 0, sel = 0;

	if (console_failed(c, j, "quotas"))
		return;
	for (size_t i = 0; i < sj->quotas.n; i++) {
		enum resource r;

		if (resource_parse(sj->quotas.rows[i].resource, &r) == 0)
			used[r] = sj->quotas.rows[i].used;
	}
	if (!(f = open_memstream(&note, &len)))
		abort();
	for (size_t i = 0; i < c->tiers.n && n < FORM_CHOICES; i++) {
		const struct tier *to = &c->tiers.rows[i];
		struct tier_conflict k;

		names[n] = to->name;
		if (strcmp(to->name, sj->tier[0] ? sj->tier : sj->t.tier) == 0)
			sel = n;
		n++;
		if (!cur || !tier_is_downgrade(cur, to))
			continue;
		preview_features(f, cur, to, &sj->t);
		if (!tier_conflicts(&k, to, used))
			continue;
		fprintf(f, "%s would break:", to->name);
		for (size_t r = 0; r < k.n; r++) {
			char u[32], l[32];

			quota_amount(u, sizeof u, k.rows[r].resource, k.rows[r].used);
			quota_amount(l, sizeof l, k.rows[r].resource, k.rows[r].limit);
			fprintf(f, " %s %s > %s%s", k.rows[r].resource, u, l,
				r + 1 < k.n ? "," : "");
		}
		fputc('\n', f);
	}
	fclose(f);
	snprintf(title, sizeof title, "Tier of %s (now %s)", sj->t.slug, sj->t.tier);
	m = form_open(c, title, tier_submit);
	snprintf(m->ref, sizeof m->ref, "%s", sj->t.id);
	snprintf(m->ref2, sizeof m->ref2, "%s", sj->t.slug);
	if (len)
		form_note(m, "%sA blocked downgrade needs the slug typed below.", note);
	else
		form_note(m, "No tier below this one conflicts with the current usage.");
	free(note);
	form_add_choice(m, "tier", names, n, sel);
	form_add_text(m, "force (slug)", "");
	if (console_prod(c))
		form_add_text(m, "confirm (slug)", ""); /* a downgrade in prod */
	m->focus = 0;
}

void
tenant_change_tier(struct console *c, const struct tenant *t, const char *tier)
{
	struct status_job *sj = status_job_new(c, t, quotas_run, preview_done);

	sj->job.write = false;
	sj->t = *t;
	sj->t.settings_json = sj->t.branding_json = NULL;
	snprintf(sj->tier, sizeof sj->tier, "%s", tier ? tier : "");
	sj->job.what = "reading usage";
	console_submit(c, &sj->job);
}

/* ---- create ------------------------------------------------------------------ */

struct create_job {
	struct job job;
	struct tenant t;
	char name[NAME_LEN], slug[SLUG_LEN], domain[DOMAIN_LEN], tier[TIER_LEN];
	char email[EMAIL_LEN], admin[NAME_LEN];
	bool trial;
	struct invitation inv; /* the first admin's, with its token */
	char token[96];
};

static int
create_run(struct job *j, struct store *st, struct err *e)
{
	struct create_job *cj = (struct create_job *)j;
	struct tenant_new n = {
		.name = cj->name,
		.slug = cj->slug[0] ? cj->slug : NULL,
		.domain = cj->domain[0] ? cj->domain : NULL,
		.tier = cj->tier,
		.admin_email = cj->email,
		.admin_name = cj->admin[0] ? cj->admin : NULL,
		.trial = cj->trial,
		.invitation = &cj->inv,
		.invitation_token = cj->token,
	};

	return store_tenant_create(&cj->t, st, &n, e);
}

static void
create_done(struct console *c, struct job *j)
{
	struct create_job *cj = (struct create_job *)j;

	form_finish(c, j);
	if (j->rc < 0)
		return;
	console_set_tenant(c, &cj->t);
	console_message(c, THEME_ROLE_OK, "created %s", cj->t.slug);
	console_goto(c, PANE_OVERVIEW);
	/* The first admin is invited: the token is shown this once. */
	{
		char text[1024];

		snprintf(text, sizeof text,
			 "%s is invited to %s as admin.\n\nToken (shown once, it cannot be shown "
			 "again):\n\n  %s\n\nThey accept with:\n  tenantry invite accept %s",
			 cj->inv.email, cj->t.slug, cj->token, cj->token);
		console_show_secret(c, "First admin's invitation (shown once)", text,
				    "invitation token", cj->token);
	}
	memset(cj->token, 0, sizeof cj->token);
}

static void
create_destroy(struct job *j)
{
	tenant_clear(&((struct create_job *)j)->t);
}

static int
create_submit(struct console *c, struct modal *m)
{
	struct create_job *cj = job_new(sizeof *cj, create_run, create_done);

	cj->job.destroy = create_destroy;
	cj->job.write = true;
	cj->job.what = "creating tenant";
	snprintf(cj->name, sizeof cj->name, "%s", form_value(m, 0));
	snprintf(cj->email, sizeof cj->email, "%s", form_value(m, 1));
	snprintf(cj->admin, sizeof cj->admin, "%s", form_value(m, 2));
	snprintf(cj->tier, sizeof cj->tier, "%s", form_value(m, 3));
	cj->trial = strcmp(form_value(m, 4), "yes") == 0;
	snprintf(cj->slug, sizeof cj->slug, "%s", form_value(m, 5));
	snprintf(cj->domain, sizeof cj->domain, "%s", form_value(m, 6));
	job_journal(c, &cj->job, "tenants", "create", "--name", cj->name, "--admin-email",
		    cj->email, "--tier", cj->tier, NULL);
	if (cj->admin[0])
		job_journal_more(&cj->job, "--admin-name", cj->admin, NULL);
	if (cj->trial)
		job_journal_more(&cj->job, "--trial", NULL);
	if (cj->slug[0])
		job_journal_more(&cj->job, "--slug", cj->slug, NULL);
	if (cj->domain[0])
		job_journal_more(&cj->job, "--domain", cj->domain, NULL);
	console_submit(c, &cj->job);
	return 0;
}

void
tenant_create_start(struct console *c)
{
	static const char *const yesno[] = { "yes", "no" };
	const char *tiers[FORM_CHOICES];
	int n = 0;
	struct modal *m;

	for (size_t i = 0; i < c->tiers.n && n < FORM_CHOICES; i++)
		tiers[n++] = c->tiers.rows[i].name;
	if (!n) {
		console_message(c, THEME_ROLE_ERROR, "the tiers are not loaded yet");
		return;
	}
	m = form_open(c, "New tenant", create_submit);
	form_add_text(m, "name", "");
	form_add_text(m, "admin email", "");
	form_add_text(m, "admin name", "");
	form_add_choice(m, "tier", tiers, n, 0);
	form_add_choice(m, "trial", yesno, 2, 0);
	form_add_text(m, "slug", "");
	form_add_text(m, "domain", "");
	form_note(m, "The slug is made from the name when left empty.");
}
