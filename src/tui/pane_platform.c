/* pane_platform.c - the platform at a glance for staff and on-call:
 * tenants by status and by tier, monthly recurring revenue by tier, the
 * tenants nearest their quotas (soonest full first, with when) and the
 * open alerts, in one body that scrolls with the cursor (the counts scroll
 * away above the rows). Enter on a tenant opens it. Refreshed every few
 * seconds while shown. The alerts key (or `:alerts AGE`) switches to the
 * alerts view of pane_platform_alerts.c and back.
 */
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "core/text.h"
#include "tui/platform.h"
#include "tui/widget.h"

enum platform_view { VIEW_OVERVIEW, VIEW_ALERTS, VIEW_AUDIT };

/* The pane: the latest metrics and open alerts, and its other views. */
struct platform {
	struct pane_instance pane;
	struct platform_metrics m;
	struct alert_list alerts;
	bool loaded, loading;
	int64_t loaded_us;
	/* The cursor over nearest, then alerts (view.height: the body's);
	 * top is the first body line shown, counted over every line (counts,
	 * headings, rows). */
	struct list_view view;
	int top;
	enum platform_view shown;
	struct platform_alerts alerts_view;
	struct platform_audit audit_view;
	struct platform_hist hist;
};

struct platform_job {
	struct job job;
	struct platform_metrics m;
	struct alert_list alerts;
};

static int
platform_run(struct job *j, struct store *st, struct err *e)
{
	struct platform_job *pj = (struct platform_job *)j;
	struct err ignore = { 0 };

	if (store_metrics(&pj->m, st, e) < 0)
		return -1;
	if (store_alert_list(&pj->alerts, st, NULL, true, 0, NULL, &ignore) < 0)
		memset(&pj->alerts, 0, sizeof pj->alerts);
	return 0;
}

static void keep_in_view(struct platform *pl, bool home);

static void
platform_done(struct console *c, struct job *j)
{
	struct platform_job *pj = (struct platform_job *)j;
	struct platform *pl = (struct platform *)c->panes[PANE_PLATFORM];

	pl->loading = false;
	if (console_failed(c, j, "platform overview"))
		return;
	alert_list_free(&pl->alerts);
	pl->m = pj->m;
	pl->alerts = pj->alerts;
	memset(&pj->alerts, 0, sizeof pj->alerts);
	pl->loaded = true;
	pl->loaded_us = console_now_us();
	pl->view.n = (int)(pl->m.nnearest + pl->alerts.n);
	list_clamp(&pl->view);
	keep_in_view(pl, false);
	c->tenants_total = pl->m.tenants_total;
	c->open_alerts = pl->m.open_alerts;
	for (size_t i = 0; i < pl->m.nnearest; i++)
		console_remember_slug(c, pl->m.nearest[i].tenant_id, pl->m.nearest[i].slug);
}

static void
platform_destroy(struct job *j)
{
	alert_list_free(&((struct platform_job *)j)->alerts);
}

static void
platform_init(struct pane_instance *p)
{
	((struct platform *)p)->view.height = 1;
}

static void
platform_open(struct console *c, struct pane_instance *p)
{
	struct platform_job *pj = job_new(sizeof *pj, platform_run, platform_done);
	struct platform *pl = (struct platform *)p;

	pj->job.destroy = platform_destroy;
	pj->job.what = "loading platform overview";
	pl->loading = true;
	console_submit(c, &pj->job);
	platform_hist_tick(c, &pl->hist);
}

/* The pane shown again: its view loads too (the live audit view missed
 * what committed while another pane was shown). */
static void
platform_show(struct console *c, struct pane_instance *p)
{
	struct platform *pl = (struct platform *)p;

	platform_open(c, p);
	if (pl->shown == VIEW_ALERTS && !pl->alerts_view.loading)
		platform_alerts_load(c, &pl->alerts_view);
	if (pl->shown == VIEW_AUDIT && !pl->audit_view.loading)
		platform_audit_load(c, &pl->audit_view);
}

static void
platform_tick(struct console *c, struct pane_instance *p)
{
	struct platform *pl = (struct platform *)p;
	struct platform_alerts *v = &pl->alerts_view;

	if (!pl->loading && console_now_us() - pl->loaded_us > 5000000)
		platform_open(c, p);
	platform_hist_tick(c, &pl->hist);
	if (pl->shown == VIEW_ALERTS && !v->loading && console_now_us() - v->loaded_us > 10000000)
		platform_alerts_load(c, v);
}

/* Shows view (the overview when it is shown already), loading it. */
static void
show_view(struct console *c, struct platform *pl, enum platform_view view)
{
	pl->shown = pl->shown == view ? VIEW_OVERVIEW : view;
	if (pl->shown == VIEW_ALERTS)
		platform_alerts_load(c, &pl->alerts_view);
	if (pl->shown == VIEW_AUDIT)
		platform_audit_load(c, &pl->audit_view);
	c->dirty = true;
}

void
platform_alerts_command(struct console *c, const char *age)
{
	struct platform *pl = (struct platform *)c->panes[PANE_PLATFORM];
	struct err e = { 0 };
	usec_t d = 0;

	if (age && strcmp(age, "all") != 0 && duration_parse(&d, age, "age", &e) < 0) {
		console_message(c, THEME_ROLE_ERROR, "usage: :alerts [1h|24h|7d|all] (%s)",
				e.message);
		return;
	}
	if (age)
		pl->alerts_view.age = d;
	pl->alerts_view.view.sel = pl->alerts_view.view.top = 0;
	console_goto(c, PANE_PLATFORM);
	pl->shown = VIEW_OVERVIEW;
	show_view(c, pl, VIEW_ALERTS);
}

/* The body is tall enough for the 24-hour strip above the lists (at
 * 80x24 the lists come first: the strip is left out). */
#define HISTORY_ROOM 30

static bool
hist_room(const struct platform *pl)
{
	return pl->pane.height >= HISTORY_ROOM;
}

/* Rows of the tier table, with churn per month beside it (as many
 * months as tiers, all of them where there is room). */
static int
tier_rows(const struct platform *pl)
{
	int n = (int)pl->m.ntiers;

	return pl->hist.loaded && hist_room(pl) && n < HISTORY_MONTHS ? HISTORY_MONTHS : n;
}

/* Lines of the counts: tenants by status, the tier table's heading and
 * rows (churn beside them), a blank line, the 24-hour strip. */
static int
counts_lines(const struct platform *pl)
{
	return 3 + tier_rows(pl) + (hist_room(pl) ? platform_hist_lines(&pl->hist) : 0);
}

/* The body line of row `row` (nearest, then alerts): after the counts,
 * the NEAREST heading, and for alerts the blank line and OPEN ALERTS. */
static int
row_line(const struct platform *pl, int row)
{
	int n = (int)pl->m.nnearest;

	return counts_lines(pl) + 1 + row + (row >= n ? 2 : 0);
}

/* Scrolls so that the cursor's row is in view, with its section's
 * heading (and the counts, on the first row) when the row is the first
 * of one; home (or the first row while the top is shown) shows the top,
 * the counts and the history, even when the first row is below it. */
static void
keep_in_view(struct platform *pl, bool home)
{
	int h = pl->pane.height > 0 ? pl->pane.height : 1, sel = pl->view.sel;
	int line = row_line(pl, sel > 0 ? sel : 0), want = line;

	if (home || (sel <= 0 && pl->top == 0)) {
		pl->top = 0;
		return;
	}
	if (sel <= 0)
		want = 0;
	else if (sel == (int)pl->m.nnearest)
		want = line - 2;
	if (want < pl->top)
		pl->top = want;
	if (line >= pl->top + h)
		pl->top = line - h + 1;
	if (pl->top < 0)
		pl->top = 0;
}

static void
platform_resize(struct pane_instance *p)
{
	struct platform *pl = (struct platform *)p;

	pl->view.height = p->height > 1 ? p->height : 1;
	pl->alerts_view.view.height = pl->audit_view.view.height =
	    p->height > 3 ? p->height - 2 : 1;
	keep_in_view(pl, false);
	list_clamp(&pl->alerts_view.view);
	list_clamp(&pl->audit_view.view);
}

/* Body line `line` at screen row line - top, when that is on screen. */
#define SHOWN(line) ((line) >= top && (line)-top < height)

static void
draw_counts(WINDOW *w, int top, int height, int width, const struct platform *pl)
{
	int y = 0;
	char line[512] = "", n[32];

	text_thousands(n, sizeof n, pl->m.tenants_total);
	snprintf(line, sizeof line, "%s tenants:", n);
	for (int s = 0; s < TENANT_STATUS_COUNT; s++) {
		text_thousands(n, sizeof n, pl->m.by_status[s]);
		snprintf(line + strlen(line), sizeof line - strlen(line), "  %s %s",
			 tenant_status_name((enum tenant_status)s), n);
	}
	if (SHOWN(y))
		draw_text(w, y - top, 1, width - 2, theme_attr(THEME_ROLE_HEADER), line);
	y++;
	if (SHOWN(y))
		draw_text(w, y - top, 1, width - 2, theme_attr(THEME_ROLE_HEADER),
			  "TIER            TENANTS        MRR");
	y++;
	for (size_t i = 0; i < pl->m.ntiers; i++) {
		char t[32], mrr[48];

		text_thousands(t, sizeof t, pl->m.tiers[i].tenants);
		text_thousands(n, sizeof n, pl->m.tiers[i].mrr_cents / 100);
		snprintf(mrr, sizeof mrr, "$%s", n);
		snprintf(line, sizeof line, "%-14s %8s %10s", pl->m.tiers[i].tier, t, mrr);
		if (SHOWN(y))
			draw_text(w, y - top, 1, width - 2, theme_attr(THEME_ROLE_NORMAL), line);
		y++;
	}
	platform_hist_draw_churn(&pl->hist, w, 1, 40, top, height, width, tier_rows(pl));
	if (hist_room(pl))
		platform_hist_draw(&pl->hist, w, 3 + tier_rows(pl), top, height, width);
}

/* The width of the slug column: the longest slug of the rows, whole. */
static int
slug_width(const struct console *c, const struct platform *pl)
{
	int sw = 12;

	for (size_t i = 0; i < pl->m.nnearest; i++) {
		int n = text_width(pl->m.nearest[i].slug);

		sw = n > sw ? n : sw;
	}
	for (size_t i = 0; i < pl->alerts.n; i++) {
		char who[SLUG_LEN];
		int n = text_width(
		    console_tenant_label(c, pl->alerts.rows[i].tenant_id, who, sizeof who));

		sw = n > sw ? n : sw;
	}
	return sw;
}

static void
draw_nearest(WINDOW *w, int y, int row, int width, int sw, const struct platform *pl, size_t i)
{
	attr_t a = theme_attr(row == pl->view.sel ? THEME_ROLE_SELECTED : THEME_ROLE_ROW);
	char nums[64], u[32], l[32], full[32];
	/* slug, resource (14), gauge, used/limit (14), and the forecast's 12
	 * columns at the end: "full in 3 d" (the list comes ordered by it) */
	int res = 1 + sw + 1, gauge = res + 15, gw = width - gauge - 1 - 14 - 1 - 12;

	if (gw > 30)
		gw = 30;
	if (gw < 8)
		gw = -1; /* no room for a gauge */
	quota_amount(u, sizeof u, pl->m.nearest[i].resource, pl->m.nearest[i].used);
	quota_amount(l, sizeof l, pl->m.nearest[i].resource, pl->m.nearest[i].limit);
	snprintf(nums, sizeof nums, "%s/%s", u, l);
	draw_text(w, y, 1, sw, a, pl->m.nearest[i].slug);
	draw_text(w, y, res, 14, a, pl->m.nearest[i].resource);
	if (gw > 0)
		draw_gauge(w, y, gauge, gw, pl->m.nearest[i].used, pl->m.nearest[i].limit);
	draw_text_right(w, y, gauge + gw + 1, 14, a, nums);
	forecast_describe_full(full, sizeof full, &pl->m.nearest[i].forecast,
			       pl->m.nearest[i].forecast.as_of);
	draw_text(w, y, gauge + gw + 16, 12, theme_attr(THEME_ROLE_DIM), full);
}

static void
draw_alert(const struct console *c, WINDOW *w, int y, int row, int width, int sw,
	   const struct platform *pl, size_t i)
{
	const struct alert *al = &pl->alerts.rows[i];
	attr_t a = theme_attr(row == pl->view.sel    ? THEME_ROLE_SELECTED
			      : al->threshold >= 100 ? THEME_ROLE_GAUGE_FULL
			      : al->threshold >= 95  ? THEME_ROLE_GAUGE_HIGH
						     : THEME_ROLE_GAUGE_WARN);
	char who[SLUG_LEN], at[16], line[256];

	/* a quota's threshold is a percentage, a trial_end's the days left */
	snprintf(line, sizeof line, "%-*s %-14s %3d%s  %s", sw,
		 console_tenant_label(c, al->tenant_id, who, sizeof who), al->resource,
		 al->threshold, strcmp(al->kind, "quota") == 0 ? "%" : "d",
		 console_time(al->at, at, sizeof at));
	draw_text(w, y, 1, width - 2, a, line);
}

static void
platform_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height,
	      int width)
{
	const struct platform *pl = (const struct platform *)p;
	int top = pl->top, sw, line, nrows = (int)(pl->m.nnearest + pl->alerts.n);
	char head[64];

	if (pl->shown == VIEW_ALERTS) {
		platform_alerts_draw(c, &pl->alerts_view, w, height, width);
		return;
	}
	if (pl->shown == VIEW_AUDIT) {
		platform_audit_draw(c, &pl->audit_view, w, height, width);
		return;
	}
	if (!pl->loaded) {
		draw_text(w, 1, 1, width - 2, theme_attr(THEME_ROLE_DIM), "loading…");
		return;
	}
	draw_counts(w, top, height, width, pl);
	sw = slug_width(c, pl);
	line = counts_lines(pl);
	if (SHOWN(line))
		draw_text(w, line - top, 1, width - 2, theme_attr(THEME_ROLE_HEADER),
			  "NEAREST THEIR QUOTAS");
	line = row_line(pl, (int)pl->m.nnearest) - 1;
	snprintf(head, sizeof head, "OPEN ALERTS (%lld)", (long long)pl->m.open_alerts);
	if (SHOWN(line))
		draw_text(w, line - top, 1, width - 2, theme_attr(THEME_ROLE_HEADER), head);
	for (int row = 0; row < nrows; row++) {
		line = row_line(pl, row);
		if (!SHOWN(line))
			continue;
		if (row < (int)pl->m.nnearest)
			draw_nearest(w, line - top, row, width, sw, pl, (size_t)row);
		else
			draw_alert(c, w, line - top, row, width, sw, pl,
				   (size_t)row - pl->m.nnearest);
	}
}

static const char *
selected_tenant(const struct platform *pl)
{
	size_t k = (size_t)pl->view.sel;

	if (k < pl->m.nnearest)
		return pl->m.nearest[k].tenant_id;
	k -= pl->m.nnearest;
	return k < pl->alerts.n ? pl->alerts.rows[k].tenant_id : NULL;
}

static bool
platform_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct platform *pl = (struct platform *)p;
	const char *id;
	char cmd[ID_LEN + 16];
	bool home;

	if (a == ACTION_ALERTS || a == ACTION_LIVE_AUDIT
	    || (pl->shown != VIEW_OVERVIEW && a == ACTION_BACK)) {
		show_view(c, pl,
			  a == ACTION_ALERTS       ? VIEW_ALERTS
			  : a == ACTION_LIVE_AUDIT ? VIEW_AUDIT
						   : VIEW_OVERVIEW);
		return true;
	}
	if (pl->shown == VIEW_ALERTS)
		return platform_alerts_handle(c, &pl->alerts_view, a);
	if (pl->shown == VIEW_AUDIT)
		return platform_audit_handle(c, &pl->audit_view, a);
	home = a == ACTION_MOVE_HOME || (a == ACTION_MOVE_UP && pl->view.sel <= 0);
	if (list_move(&pl->view, a)) {
		keep_in_view(pl, home);
		return true;
	}
	if (a != ACTION_SELECT || !pl->loaded || !(id = selected_tenant(pl)))
		return false;
	snprintf(cmd, sizeof cmd, "tenant %s", id);
	command_run(c, cmd);
	return true;
}

static void
platform_pane_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	alert_list_free(&((struct platform *)p)->alerts);
	platform_alerts_free(&((struct platform *)p)->alerts_view);
	platform_audit_free(&((struct platform *)p)->audit_view);
}

static void
platform_live(struct console *c, struct pane_instance *p, const struct audit_entry *e, size_t n)
{
	platform_audit_add(c, &((struct platform *)p)->audit_view, e, n);
}

/* `/` filters the live audit view, switching to it. */
static void
platform_filter(struct console *c, struct pane_instance *p, const char *text)
{
	struct platform *pl = (struct platform *)p;

	if (pl->shown != VIEW_AUDIT)
		show_view(c, pl, VIEW_AUDIT);
	platform_audit_filter(c, &pl->audit_view, text);
}

static bool
platform_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	      char *value, size_t vsize)
{
	const struct platform *pl = (const struct platform *)p;
	size_t k = (size_t)pl->view.sel;

	(void)c;
	if (pl->shown != VIEW_OVERVIEW)
		return false;
	if (!pl->loaded || pl->view.sel < 0)
		return false;
	if (k < pl->m.nnearest) {
		snprintf(what, wsize, "tenant id");
		snprintf(value, vsize, "%s", pl->m.nearest[k].tenant_id);
		return true;
	}
	k -= pl->m.nnearest;
	if (k >= pl->alerts.n)
		return false;
	snprintf(what, wsize, "alert id");
	snprintf(value, vsize, "%s", pl->alerts.rows[k].id);
	return true;
}

const struct pane_ops pane_platform_ops = {
	.id = PANE_PLATFORM,
	.size = sizeof(struct platform),
	.init = platform_init,
	.open = platform_show,
	.resize = platform_resize,
	.draw = platform_draw,
	.handle = platform_handle,
	.copy = platform_copy,
	.tick = platform_tick,
	.audit = platform_live,
	.filter = platform_filter,
	.done = platform_pane_done,
};
