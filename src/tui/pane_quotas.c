/* pane_quotas.c - quota gauges of one tenant: used against limit in the
 * colour of its level (80 / 95 / 100 %), the window the quota counts in,
 * and the last 14 days of usage as a sparkline. Platform staff change a
 * limit with `edit`.
 */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "core/text.h"
#include "tui/console.h"
#include "tui/widget.h"

#define DAYS 14

static struct {
	char tenant[ID_LEN];
	struct quota_list quotas;
	struct usage_day_list days;
	struct list_view view;
	bool loaded, loading;
	int64_t loaded_us;
} qp;

struct quota_job {
	struct job job;
	struct quota_list quotas;
	struct usage_day_list days;
	char resource[RESOURCE_LEN];
	int64_t limit;
	struct quota set;
};

static int
quota_run(struct job *j, struct store *st, struct err *e)
{
	struct quota_job *qj = (struct quota_job *)j;
	struct err ignore = { 0 };

	if (store_quota_list(&qj->quotas, st, j->tenant, e) < 0)
		return -1;
	if (store_usage_list(&qj->days, st, j->tenant, DAYS, &ignore) < 0)
		memset(&qj->days, 0, sizeof qj->days);
	return 0;
}

static void
quota_clear(void)
{
	quota_list_free(&qp.quotas);
	usage_day_list_free(&qp.days);
	qp.loaded = false;
}

static void
quota_done(struct console *c, struct job *j)
{
	struct quota_job *qj = (struct quota_job *)j;

	qp.loading = false;
	if (!console_for_current(c, j) || console_failed(c, j, "quotas"))
		return;
	quota_clear();
	qp.loaded_us = console_now_us();
	snprintf(qp.tenant, sizeof qp.tenant, "%s", j->tenant);
	qp.quotas = qj->quotas;
	qp.days = qj->days;
	memset(&qj->quotas, 0, sizeof qj->quotas);
	memset(&qj->days, 0, sizeof qj->days);
	qp.loaded = true;
	qp.view.n = (int)qp.quotas.n;
	list_clamp(&qp.view);
}

static void
quota_destroy(struct job *j)
{
	struct quota_job *qj = (struct quota_job *)j;

	quota_list_free(&qj->quotas);
	usage_day_list_free(&qj->days);
}

static void
quotas_open(struct console *c)
{
	struct quota_job *qj = job_new(sizeof *qj, quota_run, quota_done);

	qj->job.destroy = quota_destroy;
	qj->job.what = "loading quotas";
	snprintf(qj->job.tenant, sizeof qj->job.tenant, "%s", c->tenant.id);
	if (strcmp(qp.tenant, c->tenant.id) != 0) {
		quota_clear();
		qp.view.sel = qp.view.top = 0;
	}
	qp.loading = true;
	console_submit(c, &qj->job);
}

/* The daily amounts of resource, oldest first, as ▁▂▃▄▅▆▇█ (or .:-=#). */
static void
sparkline(char *buf, size_t size, const char *resource)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char *const ascii[] = { ".", ".", ":", ":", "-", "=", "#", "#" };
	int64_t v[DAYS] = { 0 }, max = 0;
	int64_t today = console_now_us() / 1000000 / 86400;
	size_t n = 0;

	for (size_t i = 0; i < qp.days.n; i++) {
		const struct usage_day *d = &qp.days.rows[i];
		usec_t at;
		int64_t day;

		if (strcmp(d->resource, resource) != 0 || time_parse(&at, d->day, "day", NULL) < 0)
			continue;
		day = at / USEC_PER_DAY;
		if (today - day >= 0 && today - day < DAYS)
			v[DAYS - 1 - (today - day)] += d->amount;
	}
	for (int i = 0; i < DAYS; i++)
		max = v[i] > max ? v[i] : max;
	buf[0] = '\0';
	for (int i = 0; i < DAYS && n + 4 < size; i++) {
		int k = max ? (int)(v[i] * 7 / max) : 0;
		const char *g = widget_ascii() ? ascii[k] : bars[k];

		if (!v[i])
			g = widget_ascii() ? " " : " ";
		n += (size_t)snprintf(buf + n, size - n, "%s", g);
	}
}

static void
quotas_draw(struct console *c, WINDOW *w, int height, int width)
{
	static const struct column_spec cols[] = {
		{ 13, 16, 0 }, { 12, 0, 3 },  { 22, 24, 0 },
		{ 6, 6, 0 },   { 10, 10, 0 }, { DAYS, DAYS, 0 },
	};
	static const char *const head[] = { "RESOURCE", "GAUGE", "USED / LIMIT",
					    "WINDOW",   "SINCE", "14 DAYS" };
	int wd[6], x = 0;

	(void)c;
	layout_columns(cols, 6, width, 1, wd);
	table_draw_header(w, 0, wd, 6, head, width);
	if (!qp.loaded) {
		draw_text(w, 2, 1, width - 2, theme_attr(THEME_ROLE_DIM), "loading…");
		return;
	}
	qp.view.height = height - 2;
	qp.view.n = (int)qp.quotas.n;
	list_clamp(&qp.view);
	for (int r = 0; r < qp.view.height && qp.view.top + r < (int)qp.quotas.n; r++) {
		int i = qp.view.top + r, y = 1 + r;
		const struct quota *q = &qp.quotas.rows[i];
		char used[32], lim[32], nums[80], since[16], spark[DAYS * 4 + 4];
		attr_t a = theme_attr(i == qp.view.sel ? THEME_ROLE_SELECTED : THEME_ROLE_ROW);

		quota_amount(used, sizeof used, q->resource, q->used);
		if (q->limit < 0)
			snprintf(lim, sizeof lim, "unlimited");
		else
			quota_amount(lim, sizeof lim, q->resource, q->limit);
		snprintf(nums, sizeof nums, "%s / %s", used, lim);
		sparkline(spark, sizeof spark, q->resource);
		x = 0;
		draw_text(w, y, x, wd[0] + 1, a, q->resource);
		x += wd[0] + 1;
		if (wd[1])
			draw_gauge(w, y, x, wd[1], q->used, q->limit);
		x += wd[1] ? wd[1] + 1 : 0;
		if (wd[2])
			draw_text_right(w, y, x, wd[2], a, nums);
		x += wd[2] ? wd[2] + 1 : 0;
		if (wd[3])
			draw_text(w, y, x, wd[3] + 1, a, quota_window_name(q->window));
		x += wd[3] ? wd[3] + 1 : 0;
		if (wd[4])
			draw_text(w, y, x, wd[4] + 1, theme_attr(THEME_ROLE_DIM),
				  q->window == WINDOW_NONE
				      ? "-"
				      : console_time(q->window_start, since, sizeof since));
		x += wd[4] ? wd[4] + 1 : 0;
		if (wd[5])
			draw_text(w, y, x, wd[5], theme_attr(THEME_ROLE_OK), spark);
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
		quotas_open(c);
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
	qj->job.destroy = quota_destroy;
	qj->job.write = true;
	qj->job.what = "setting limit";
	qj->limit = v;
	snprintf(qj->resource, sizeof qj->resource, "%.31s", m->ref2);
	snprintf(qj->job.tenant, sizeof qj->job.tenant, "%s", c->tenant.id);
	console_submit(c, &qj->job);
	return 0;
}

static bool
quotas_handle(struct console *c, enum action a)
{
	const struct quota *q =
	    qp.view.sel < (int)qp.quotas.n ? &qp.quotas.rows[qp.view.sel] : NULL;
	struct modal *m;
	char title[160], v[32];

	if (list_move(&qp.view, a))
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
quotas_click(struct console *c, int row, bool twice)
{
	if (list_click(&qp.view, row, 1) && twice)
		quotas_handle(c, ACTION_EDIT);
}

static void
quotas_audit(struct console *c, const struct audit_entry *e, size_t n)
{
	/* Usage moves without audit entries; a limit change is one. */
	for (size_t i = 0; i < n; i++)
		if (c->have_tenant && strcmp(e[i].tenant_id, c->tenant.id) == 0
		    && strncmp(e[i].action, "quota.", 6) == 0) {
			quotas_open(c);
			return;
		}
}

/* Usage counters have no feed: poll them every few seconds. */
static void
quotas_tick(struct console *c)
{
	if (!qp.loading && console_now_us() - qp.loaded_us > 3000000)
		quotas_open(c);
}

static void
quotas_done(struct console *c)
{
	(void)c;
	quota_clear();
}

const struct pane_ops pane_quotas_ops = {
	.id = PANE_QUOTAS,
	.needs_tenant = true,
	.open = quotas_open,
	.draw = quotas_draw,
	.handle = quotas_handle,
	.click = quotas_click,
	.audit = quotas_audit,
	.tick = quotas_tick,
	.done = quotas_done,
};
