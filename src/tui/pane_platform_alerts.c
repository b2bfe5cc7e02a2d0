/* pane_platform_alerts.c - the platform pane's alerts view for on-call: the
 * alerts raised within an age window (`:alerts 1h`, `:alerts 24h`,
 * `:alerts all`), one row per tenant and resource with the highest
 * threshold reached, how many alerts and how many still open; open rows
 * first. The database folds them (store_alert_groups), so however many
 * alerts there are, every group is there. The ack-alert key acknowledges
 * every open alert of the row under the cursor; Enter opens its tenant.
 */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "tui/platform.h"
#include "tui/widget.h"

struct alerts_job {
	struct job job;
	struct platform_alerts *view;
	unsigned seq;
	usec_t since;
	struct alert_group_list groups;
};

static int
alerts_run(struct job *j, struct store *st, struct err *e)
{
	struct alerts_job *aj = (struct alerts_job *)j;

	return store_alert_groups(&aj->groups, st, aj->since, e);
}

static bool
same_group(const struct alert_group *g, const struct alert *a)
{
	return strcmp(g->tenant_id, a->tenant_id) == 0 && strcmp(g->kind, a->kind) == 0
	       && strcmp(g->resource, a->resource) == 0;
}

static void
alerts_done(struct console *c, struct job *j)
{
	struct alerts_job *aj = (struct alerts_job *)j;
	struct platform_alerts *v = aj->view;

	if (aj->seq != v->seq)
		return;
	v->loading = false;
	if (console_failed(c, j, "alerts"))
		return;
	alert_group_list_free(&v->groups);
	v->groups = aj->groups;
	memset(&aj->groups, 0, sizeof aj->groups);
	v->loaded = true;
	v->loaded_us = console_now_us();
	v->view.n = (int)v->groups.n;
	list_clamp(&v->view);
	/* what every frame shows, summed once here */
	v->slug_w = 12;
	v->open = 0;
	v->total = 0;
	for (size_t i = 0; i < v->groups.n; i++) {
		const struct alert_group *g = &v->groups.rows[i];
		int w = text_width(g->slug);

		v->slug_w = w > v->slug_w ? w : v->slug_w;
		v->open += g->open ? 1 : 0;
		v->total += g->count;
		if (g->slug[0])
			console_remember_slug(c, g->tenant_id, g->slug);
	}
}

static void
alerts_destroy(struct job *j)
{
	alert_group_list_free(&((struct alerts_job *)j)->groups);
}

void
platform_alerts_load(struct console *c, struct platform_alerts *v)
{
	struct alerts_job *aj = job_new(sizeof *aj, alerts_run, alerts_done);

	aj->job.destroy = alerts_destroy;
	aj->job.what = "loading alerts";
	aj->view = v;
	aj->seq = ++v->seq;
	aj->since = v->since = v->age ? console_now_us() - v->age : 0;
	v->loading = true;
	console_submit(c, &aj->job);
}

void
platform_alerts_free(struct platform_alerts *v)
{
	alert_group_list_free(&v->groups);
}

static void
draw_group(const struct console *c, WINDOW *w, int y, int width, int sw,
	   const struct alert_group *g, bool selected)
{
	attr_t a = theme_attr(selected              ? THEME_ROLE_SELECTED
			      : !g->open            ? THEME_ROLE_DIM
			      : g->threshold >= 100 ? THEME_ROLE_GAUGE_FULL
			      : g->threshold >= 95  ? THEME_ROLE_GAUGE_HIGH
						    : THEME_ROLE_GAUGE_WARN);
	char who[SLUG_LEN], at[16], line[512], state[EMAIL_LEN + 16];

	if (g->open == g->count)
		snprintf(state, sizeof state, "open");
	else if (!g->open)
		snprintf(state, sizeof state, "acked %s", g->acked_by);
	else
		snprintf(state, sizeof state, "%d open", g->open);
	/* a quota's threshold is a percentage, a trial_end's the days left */
	snprintf(line, sizeof line, "%-*s %-14s %3d%s %5d  %-8s  %s", sw,
		 g->slug[0] ? g->slug : console_tenant_label(c, g->tenant_id, who, sizeof who),
		 g->resource, g->threshold, strcmp(g->kind, "quota") == 0 ? "%" : "d", g->count,
		 console_time(g->latest, at, sizeof at), state);
	draw_text(w, y, 1, width - 2, a, line);
}

void
platform_alerts_draw(const struct console *c, const struct platform_alerts *v, WINDOW *w,
		     int height, int width)
{
	char head[256], age[32], line[256];
	int sw = v->slug_w ? v->slug_w : 12;

	if (v->age)
		duration_format(age, sizeof age, v->age);
	snprintf(head, sizeof head, "ALERTS %s%s · %zu tenant resources%s, %d open · %lld alerts",
		 v->age ? "last " : "at any time", v->age ? age : "", v->groups.n,
		 v->groups.n >= ALERT_GROUPS_MAX ? " (the most urgent)" : "", v->open, v->total);
	draw_text(w, 0, 1, width - 2, theme_attr(THEME_ROLE_HEADER), head);
	snprintf(line, sizeof line, "%-*s %-14s %4s %5s  %-8s  %s", sw, "TENANT", "RESOURCE", "MAX",
		 "COUNT", "LATEST", "STATE");
	draw_text(w, 1, 1, width - 2, theme_attr(THEME_ROLE_HEADER), line);
	if (!v->groups.n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  v->loaded ? "no alerts in this window (:alerts all shows every one)"
				    : "loading…");
	for (int r = 0; r + 2 < height && v->view.top + r < (int)v->groups.n; r++) {
		int i = v->view.top + r;

		draw_group(c, w, 2 + r, width, sw, &v->groups.rows[i], i == v->view.sel);
	}
}

/* Acknowledging a group: its open alerts in the window the view was
 * loaded with are listed (the newest ALERTS_MAX), then each is
 * acknowledged, a line of the journal each; a full listing is followed by
 * another, until the group has none open. */
struct ack_job {
	struct job job;
	struct platform_alerts *view;
	struct alert_group group;
	usec_t since;
	char slug[SLUG_LEN];
	struct alert_list open; /* the listing's */
	char (*ids)[ID_LEN];
	size_t n, done, total; /* total: acknowledged by the earlier rounds too */
	bool more;             /* the listing was full: list again after */
};

static void ack_list(struct console *c, struct platform_alerts *v, const struct alert_group *g,
		     const char *slug, usec_t since, size_t total);

static int
ack_run(struct job *j, struct store *st, struct err *e)
{
	struct ack_job *aj = (struct ack_job *)j;

	for (; aj->done < aj->n; aj->done++)
		if (store_alert_ack(st, j->tenant, aj->ids[aj->done], e) < 0
		    && e->status != 404) /* acknowledged meanwhile */
			return -1;
	return 0;
}

static void
ack_done(struct console *c, struct job *j)
{
	struct ack_job *aj = (struct ack_job *)j;

	if (console_failed(c, j, "acknowledging alerts")) {
		platform_alerts_load(c, aj->view);
		return;
	}
	if (aj->more) {
		ack_list(c, aj->view, &aj->group, aj->slug, aj->since, aj->total + aj->n);
		return;
	}
	console_message(c, THEME_ROLE_OK, "acknowledged %zu alert%s of %s %s", aj->total + aj->n,
			aj->total + aj->n == 1 ? "" : "s", aj->slug, aj->group.resource);
	platform_alerts_load(c, aj->view);
}

static void
ack_destroy(struct job *j)
{
	struct ack_job *aj = (struct ack_job *)j;

	alert_list_free(&aj->open);
	free(aj->ids);
}

static int
ack_list_run(struct job *j, struct store *st, struct err *e)
{
	struct ack_job *aj = (struct ack_job *)j;

	return store_alert_list(&aj->open, st, j->tenant, true, aj->since, aj->group.resource, e);
}

/* The listing done: the acknowledging, as a job of its own. */
static void
ack_list_done(struct console *c, struct job *j)
{
	struct ack_job *lj = (struct ack_job *)j, *aj;

	if (console_failed(c, j, "listing alerts"))
		return;
	if (!lj->open.n) { /* acknowledged meanwhile */
		console_message(c, THEME_ROLE_OK, "acknowledged %zu alert%s of %s %s", lj->total,
				lj->total == 1 ? "" : "s", lj->slug, lj->group.resource);
		platform_alerts_load(c, lj->view);
		return;
	}
	aj = job_new(sizeof *aj, ack_run, ack_done);
	aj->job.destroy = ack_destroy;
	aj->job.what = "acknowledging alerts";
	aj->job.write = true;
	aj->view = lj->view;
	aj->group = lj->group;
	aj->since = lj->since;
	aj->total = lj->total;
	aj->more = lj->open.n >= ALERTS_MAX;
	snprintf(aj->job.tenant, sizeof aj->job.tenant, "%s", lj->job.tenant);
	snprintf(aj->slug, sizeof aj->slug, "%s", lj->slug);
	if (!(aj->ids = calloc(lj->open.n + 1, sizeof *aj->ids)))
		abort();
	for (size_t i = 0; i < lj->open.n; i++) {
		const struct alert *a = &lj->open.rows[i];

		if (!a->acknowledged_at && same_group(&aj->group, a)) {
			snprintf(aj->ids[aj->n++], ID_LEN, "%s", a->id);
			/* the journal: one `alerts ack` a line */
			job_journal(c, &aj->job, "alerts", "ack", aj->slug, a->id, NULL);
		}
	}
	console_submit(c, &aj->job);
}

static void
ack_list(struct console *c, struct platform_alerts *v, const struct alert_group *g,
	 const char *slug, usec_t since, size_t total)
{
	struct ack_job *lj = job_new(sizeof *lj, ack_list_run, ack_list_done);

	lj->job.destroy = ack_destroy;
	lj->job.what = "listing alerts";
	lj->view = v;
	lj->group = *g;
	lj->since = since;
	lj->total = total;
	snprintf(lj->job.tenant, sizeof lj->job.tenant, "%s", g->tenant_id);
	snprintf(lj->slug, sizeof lj->slug, "%s", slug);
	console_submit(c, &lj->job);
}

static void
ack_group(struct console *c, struct platform_alerts *v, const struct alert_group *g)
{
	char who[SLUG_LEN];

	if (!console_may(c, ACTION_ACK_ALERT, PERM_ALERTS_ACK))
		return;
	if (!g->open) {
		console_message(c, THEME_ROLE_WARNING, "these alerts are acknowledged already");
		return;
	}
	ack_list(c, v, g,
		 g->slug[0] ? g->slug : console_tenant_label(c, g->tenant_id, who, sizeof who),
		 v->since, 0);
}

bool
platform_alerts_handle(struct console *c, struct platform_alerts *v, enum action a)
{
	const struct alert_group *g;
	char cmd[ID_LEN + 16];

	v->view.height = console_pane(c)->height - 2;
	if (list_move(&v->view, a))
		return true;
	g = v->view.sel >= 0 && v->view.sel < (int)v->groups.n ? &v->groups.rows[v->view.sel]
							       : NULL;
	switch (a) {
	case ACTION_ACK_ALERT:
		if (g)
			ack_group(c, v, g);
		return true;
	case ACTION_SELECT:
		if (!g)
			return true;
		snprintf(cmd, sizeof cmd, "tenant %s", g->tenant_id);
		command_run(c, cmd);
		return true;
	case ACTION_REFRESH:
		platform_alerts_load(c, v);
		return true;
	default:
		return false;
	}
}
