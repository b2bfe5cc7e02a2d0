/* pane_platform_history.c - history you can see in the platform pane:
 * tenants by status, sign-ins and audited writes over the last 24 hours,
 * one hourly sparkline each (the shared widget of widget.c), and churn
 * per month (tenants that left, tier upgrades and downgrades) next to the
 * revenue by tier. Counted by the database (store_platform_history).
 */
#include <stdio.h>
#include <string.h>

#include "tui/platform.h"
#include "tui/widget.h"

struct hist_job {
	struct job job;
	struct platform_hist *view;
	struct platform_history h;
};

static int
hist_run(struct job *j, struct store *st, struct err *e)
{
	return store_platform_history(&((struct hist_job *)j)->h, st, e);
}

/* A failure is not shown: the strip stays as it was (or away). */
static void
hist_done(struct console *c, struct job *j)
{
	struct hist_job *hj = (struct hist_job *)j;

	hj->view->loading = false;
	hj->view->loaded_us = console_now_us();
	if (j->rc < 0)
		return;
	hj->view->h = hj->h;
	hj->view->loaded = true;
	c->dirty = true;
}

void
platform_hist_tick(struct console *c, struct platform_hist *v)
{
	struct hist_job *hj;

	if (v->loading || (v->loaded_us && console_now_us() - v->loaded_us < 60000000))
		return;
	hj = job_new(sizeof *hj, hist_run, hist_done);
	hj->job.what = "loading platform history";
	hj->view = v;
	v->loading = true;
	console_submit(c, &hj->job);
}

int
platform_hist_lines(const struct platform_hist *v)
{
	/* heading, one line a status, sign-ins, writes, a blank line */
	return v->loaded ? 1 + TENANT_STATUS_COUNT + 2 + 1 : 0;
}

#define SHOWN(line) ((line) >= top && (line)-top < height)

static void
spark_line(WINDOW *w, int y, int width, const char *label, const int64_t *v, bool total)
{
	char spark[HISTORY_HOURS * 4 + 4], n[32], line[256];
	int64_t sum = 0;

	for (int i = 0; i < HISTORY_HOURS; i++)
		sum += v[i];
	sparkline_format(spark, sizeof spark, v, HISTORY_HOURS, widget_ascii());
	text_thousands(n, sizeof n, total ? sum : v[HISTORY_HOURS - 1]);
	snprintf(line, sizeof line, "%-16s %s %8s %s", label, spark, n, total ? "in 24 h" : "now");
	draw_text(w, y, 1, width - 2, theme_attr(THEME_ROLE_NORMAL), line);
}

void
platform_hist_draw(const struct platform_hist *v, WINDOW *w, int y0, int top, int height, int width)
{
	int y = y0;

	if (!v->loaded)
		return;
	if (SHOWN(y))
		draw_text(w, y - top, 1, width - 2, theme_attr(THEME_ROLE_HEADER),
			  "LAST 24 H         hourly, oldest first");
	y++;
	for (int s = 0; s < TENANT_STATUS_COUNT; s++, y++)
		if (SHOWN(y))
			spark_line(w, y - top, width, tenant_status_name((enum tenant_status)s),
				   v->h.by_status[s], false);
	if (SHOWN(y))
		spark_line(w, y - top, width, "sign-ins", v->h.sign_ins, true);
	y++;
	if (SHOWN(y))
		spark_line(w, y - top, width, "audited writes", v->h.writes, true);
}

void
platform_hist_draw_churn(const struct platform_hist *v, WINDOW *w, int y0, int x, int top,
			 int height, int width, int months)
{
	char line[128];
	int first = HISTORY_MONTHS - (months < HISTORY_MONTHS ? months : HISTORY_MONTHS);

	if (!v->loaded || width - x < 26)
		return;
	if (SHOWN(y0))
		draw_text(w, y0 - top, x, width - x - 1, theme_attr(THEME_ROLE_HEADER),
			  "MONTH    LEFT    UP  DOWN");
	for (int m = first; m < HISTORY_MONTHS; m++) {
		int y = y0 + 1 + m - first;

		snprintf(line, sizeof line, "%-7s %5lld %5lld %5lld", v->h.churn[m].month,
			 (long long)v->h.churn[m].left, (long long)v->h.churn[m].upgrades,
			 (long long)v->h.churn[m].downgrades);
		if (SHOWN(y))
			draw_text(w, y - top, x, width - x - 1, theme_attr(THEME_ROLE_NORMAL),
				  line);
	}
}
