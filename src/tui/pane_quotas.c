/* pane_quotas.c - quota gauges of one tenant: used against limit in the
 * colour of its level (80 / 95 / 100 %), when it is projected to reach
 * the next level and 100 % (forecast.h), the window the quota counts in,
 * and the last 14 days of usage as a sparkline. Platform staff change a
 * limit with `edit`.
 */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "core/forecast.h"
#include "core/text.h"
#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

#define DAYS 14

/* The pane: the quotas of the tenant shown (its list) and their usage by
 * day. */
struct quotas {
	struct pane_instance pane;
	struct pane_list list; /* of struct quota */
	struct usage_day_list days;
	int64_t loaded_us;
};

/* A load: the quotas (the list's rows) and the days with them. */
struct quota_load {
	struct pane_list_job lj;
	struct usage_day_list days;
};

/* A limit change. */
struct quota_job {
	struct job job;
	char resource[RESOURCE_LEN];
	int64_t limit;
	struct quota set;
};

static int
quota_run(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct quota_load *ql = (struct quota_load *)j;
	struct quota_list quotas = { 0 };
	struct err ignore = { 0 };

	if (store_quota_list(&quotas, st, j->job.tenant, e) < 0) {
		quota_list_free(&quotas);
		return -1;
	}
	j->rows = quotas.rows;
	j->n = quotas.n;
	if (store_usage_list(&ql->days, st, j->job.tenant, DAYS, &ignore) < 0)
		memset(&ql->days, 0, sizeof ql->days);
	return 0;
}

/* The days came with the quotas. */
static void
quota_took(struct console *c, struct pane_instance *p, struct pane_list_job *j, size_t first)
{
	struct quotas *qp = (struct quotas *)p;
	struct quota_load *ql = (struct quota_load *)j;

	(void)c, (void)first;
	usage_day_list_free(&qp->days);
	qp->loaded_us = console_now_us();
	qp->days = ql->days;
	memset(&ql->days, 0, sizeof ql->days);
}

static void
quota_load_clear(struct pane_list_job *j)
{
	usage_day_list_free(&((struct quota_load *)j)->days);
}

/* Without a row id, the cursor keeps its place after a reload. */
static const struct pane_list_ops list_ops = {
	.what = "loading quotas",
	.name = "quotas",
	.row_size = sizeof(struct quota),
	.job_size = sizeof(struct quota_load),
	.per_tenant = true,
	.load = quota_run,
	.took = quota_took,
	.job_clear = quota_load_clear,
};

static void
quotas_init(struct pane_instance *p)
{
	pane_list_init(&((struct quotas *)p)->list, &list_ops, p, 1, 1);
}

static void
quotas_open(struct console *c, struct pane_instance *p)
{
	struct quotas *qp = (struct quotas *)p;

	if (pane_list_sync(&qp->list, c))
		usage_day_list_free(&qp->days);
	pane_list_load(c, &qp->list, false);
}

/* The daily amounts of resource, oldest first, as a sparkline. */
static void
sparkline(char *buf, size_t size, const struct quotas *qp, const char *resource)
{
	int64_t v[DAYS] = { 0 };
	int64_t today = console_now_us() / 1000000 / 86400;

	for (size_t i = 0; i < qp->days.n; i++) {
		const struct usage_day *d = &qp->days.rows[i];
		usec_t at;
		int64_t day;

		if (strcmp(d->resource, resource) != 0 || time_parse(&at, d->day, "day", NULL) < 0)
			continue;
		day = at / USEC_PER_DAY;
		if (today - day >= 0 && today - day < DAYS)
			v[DAYS - 1 - (today - day)] += d->amount;
	}
	sparkline_format(buf, size, v, DAYS, widget_ascii());
}

static void
quotas_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height,
	    int width)
{
	static const struct column_spec cols[] = {
		/* at 80 columns: resource, gauge, used, forecast and window */
		{ 13, 16, 0 }, { 12, 0, 3 },  { 20, 24, 0 },     { 25, 25, 0 },
		{ 6, 6, 0 },   { 10, 10, 0 }, { DAYS, DAYS, 0 },
	};
	static const char *const head[] = { "RESOURCE", "GAUGE", "USED / LIMIT", "FORECAST",
					    "WINDOW",   "SINCE", "14 DAYS" };
	const struct quotas *qp = (const struct quotas *)p;
	const struct pane_list *l = &qp->list;
	size_t n = pane_list_shown(l, c);
	int wd[7], x = 0;

	(void)height;
	layout_columns(cols, 7, width, 1, wd);
	table_draw_header(w, 0, wd, 7, head, width);
	if (!pane_list_loaded(l, c)) {
		draw_text(w, 2, 1, width - 2, theme_attr(THEME_ROLE_DIM), "loading…");
		return;
	}
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r, y = 1 + r;
		const struct quota *q = pane_list_row(l, (size_t)i);
		char used[32], lim[32], nums[80], since[16], spark[DAYS * 4 + 4], fc[64];
		attr_t a = theme_attr(i == l->view.sel ? THEME_ROLE_SELECTED : THEME_ROLE_ROW);

		quota_amount(used, sizeof used, q->resource, q->used);
		if (q->limit < 0)
			snprintf(lim, sizeof lim, "unlimited");
		else
			quota_amount(lim, sizeof lim, q->resource, q->limit);
		snprintf(nums, sizeof nums, "%s / %s", used, lim);
		sparkline(spark, sizeof spark, qp, q->resource);
		x = 0;
		draw_text(w, y, x, wd[0] + 1, a, q->resource);
		x += wd[0] + 1;
		if (wd[1])
			draw_gauge(w, y, x, wd[1], q->used, q->limit);
		x += wd[1] ? wd[1] + 1 : 0;
		if (wd[2])
			draw_text_right(w, y, x, wd[2], a, nums);
		x += wd[2] ? wd[2] + 1 : 0;
		if (wd[3]) {
			/* durations from when it was made: reloaded every 3 s */
			forecast_describe_fit(fc, sizeof fc, q, q->forecast.as_of, wd[3]);
			draw_text(w, y, x, wd[3] + 1, a, fc);
		}
		x += wd[3] ? wd[3] + 1 : 0;
		if (wd[4])
			draw_text(w, y, x, wd[4] + 1, a, quota_window_name(q->window));
		x += wd[4] ? wd[4] + 1 : 0;
		if (wd[5])
			draw_text(w, y, x, wd[5] + 1, theme_attr(THEME_ROLE_DIM),
				  q->window == WINDOW_NONE
				      ? "-"
				      : console_time(q->window_start, since, sizeof since));
		x += wd[5] ? wd[5] + 1 : 0;
		if (wd[6])
			draw_text(w, y, x, wd[6], theme_attr(THEME_ROLE_OK), spark);
	}
}

static int
limit_run(struct job *j, struct store *st, struct err *e)
{
	struct quota_job *qj = (struct quota_job *)j;

	return store_quota_set_limit(&qj->set, st, j->tenant, qj->resource, qj->limit, e);
}

static void
limit_done(struct console *c, struct job *j)
{
	struct quota_job *qj = (struct quota_job *)j;

	form_finish(c, j);
	if (j->rc < 0)
		return;
	console_message(c, THEME_ROLE_OK, "%s limit set to %lld", qj->resource,
			(long long)qj->limit);
	if (c->pane == PANE_QUOTAS)
		quotas_open(c, c->panes[PANE_QUOTAS]);
}

static int
limit_submit(struct console *c, struct modal *m)
{
	struct quota_job *qj;
	char *end;
	long long v = strtoll(form_value(m, 0), &end, 10);

	if (!form_value(m, 0)[0] || *end || v < -1) {
		snprintf(m->error, sizeof m->error, "limit: a whole number, -1 for unlimited");
		return -1;
	}
	qj = job_new(sizeof *qj, limit_run, limit_done);
	qj->job.write = true;
	qj->job.what = "setting limit";
	qj->limit = v;
	snprintf(qj->resource, sizeof qj->resource, "%.31s", m->ref2);
	snprintf(qj->job.tenant, sizeof qj->job.tenant, "%s", c->tenant.id);
	job_journal(c, &qj->job, "quota", "set", c->tenant.slug, qj->resource, form_value(m, 0),
		    NULL);
	console_submit(c, &qj->job);
	return 0;
}

static bool
quotas_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct pane_list *l = &((struct quotas *)p)->list;
	const struct quota *q;
	struct modal *m;
	char title[160], v[32];

	if (pane_list_sync(l, c))
		usage_day_list_free(&((struct quotas *)p)->days);
	q = pane_list_selected(l);
	if (pane_list_move(l, a))
		return true;
	if ((a != ACTION_EDIT && a != ACTION_SELECT) || !q)
		return false;
	if (!console_may(c, ACTION_EDIT, PERM_QUOTAS_SET))
		return true;
	snprintf(title, sizeof title, "Limit of %s for %s", q->resource, c->tenant.slug);
	snprintf(v, sizeof v, "%lld", (long long)q->limit);
	m = form_open(c, title, limit_submit);
	snprintf(m->ref2, sizeof m->ref2, "%s", q->resource);
	form_note(m, "-1 is unlimited. Usage above a lower limit is refused from now on.");
	form_add_text(m, "limit", v);
	return true;
}

static void
quotas_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	if (pane_list_click(&((struct quotas *)p)->list, row) && twice)
		quotas_handle(c, p, ACTION_EDIT);
}

static void
quotas_audit(struct console *c, struct pane_instance *p, const struct audit_entry *e, size_t n)
{
	/* Usage moves without audit entries; a limit change is one. */
	for (size_t i = 0; i < n; i++)
		if (c->have_tenant && strcmp(e[i].tenant_id, c->tenant.id) == 0
		    && strncmp(e[i].action, "quota.", 6) == 0) {
			quotas_open(c, p);
			return;
		}
}

/* Usage counters have no feed: poll them every few seconds. */
static void
quotas_tick(struct console *c, struct pane_instance *p)
{
	struct quotas *qp = (struct quotas *)p;

	if (!qp->list.loading && console_now_us() - qp->loaded_us > 3000000)
		quotas_open(c, p);
}

static void
quotas_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct quotas *)p)->list);
}

static void
quotas_done(struct console *c, struct pane_instance *p)
{
	struct quotas *qp = (struct quotas *)p;

	(void)c;
	pane_list_free(&qp->list);
	usage_day_list_free(&qp->days);
}

static bool
quotas_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	    char *value, size_t vsize)
{
	const struct pane_list *l = &((const struct quotas *)p)->list;
	const struct quota *q = pane_list_current(l, c) ? pane_list_selected(l) : NULL;

	if (!q)
		return false;
	snprintf(what, wsize, "resource");
	snprintf(value, vsize, "%s", q->resource);
	return true;
}

const struct pane_ops pane_quotas_ops = {
	.id = PANE_QUOTAS,
	.needs_tenant = true,
	.size = sizeof(struct quotas),
	.init = quotas_init,
	.open = quotas_open,
	.resize = quotas_resize,
	.draw = quotas_draw,
	.handle = quotas_handle,
	.copy = quotas_copy,
	.click = quotas_click,
	.audit = quotas_audit,
	.tick = quotas_tick,
	.done = quotas_done,
};
