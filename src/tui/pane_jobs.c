/* pane_jobs.c - the background jobs (tenantry jobs list): each job's
 * interval, last and next run, duration, outcome and count, and the runner
 * holding a run. Read-only: tenantryd or `tenantry jobs run` runs them.
 * Refreshed every few seconds while shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

/* The pane: the jobs as last read. */
struct jobs {
	struct pane_instance pane;
	struct pane_list list; /* of struct job_info */
	int64_t loaded_us;
};

static int
list_load(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct job_info_list out = { 0 };
	int rc = store_job_list(&out, st, e);

	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

static const char *
row_id(const void *row)
{
	return ((const struct job_info *)row)->name;
}

static void
took(struct console *c, struct pane_instance *p, struct pane_list_job *j, size_t first)
{
	(void)c;
	(void)j;
	(void)first;
	((struct jobs *)p)->loaded_us = console_now_us();
}

static const struct pane_list_ops list_ops = {
	.what = "loading jobs",
	.name = "jobs",
	.row_size = sizeof(struct job_info),
	.load = list_load,
	.took = took,
	.row_id = row_id,
};

static void
jobs_init(struct pane_instance *p)
{
	pane_list_init(&((struct jobs *)p)->list, &list_ops, p, 1, 2);
}

static void
jobs_open(struct console *c, struct pane_instance *p)
{
	struct jobs *jb = (struct jobs *)p;

	jb->loaded_us = console_now_us(); /* no second load while this one runs */
	pane_list_load(c, &jb->list, false);
}

static void
jobs_tick(struct console *c, struct pane_instance *p)
{
	const struct jobs *jb = (const struct jobs *)p;

	if (!jb->list.loading && console_now_us() - jb->loaded_us > 5000000)
		jobs_open(c, p);
}

static const char *
every(char *buf, size_t size, int s)
{
	if (s % 86400 == 0)
		snprintf(buf, size, "%dd", s / 86400);
	else if (s % 3600 == 0)
		snprintf(buf, size, "%dh", s / 3600);
	else if (s % 60 == 0)
		snprintf(buf, size, "%dm", s / 60);
	else
		snprintf(buf, size, "%ds", s);
	return buf;
}

static void
jobs_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height, int width)
{
	static const struct column_spec cols[] = {
		{ 17, 17, 0 }, { 5, 5, 0 },  { 10, 12, 0 }, { 10, 12, 0 },
		{ 8, 10, 0 },  { 9, 40, 3 }, { 6, 8, 0 },   { 8, 30, 1 },
	};
	static const char *const head[] = { "JOB",      "EVERY",   "LAST RUN", "NEXT RUN",
					    "DURATION", "OUTCOME", "COUNT",    "RUNNING" };
	const struct pane_list *l = &((const struct jobs *)p)->list;
	size_t n = pane_list_shown(l, c);
	int64_t now = console_now_us();
	int wd[8];

	layout_columns(cols, 8, width, 1, wd);
	table_draw_header(w, 0, wd, 8, head, width);
	if (!n)
		draw_text(w, 2, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  pane_list_loaded(l, c) ? "no jobs (is the schema migrated?)"
						 : "loading…");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;
		const struct job_info *j = pane_list_row(l, (size_t)i);
		char iv[16], last[16], next[16], dur[24], count[24], outcome[300];
		bool failed = strcmp(j->last_outcome, "failed") == 0;
		bool late = j->next_run_at && j->next_run_at < now - 3600 * 1000000LL;
		const char *cell[8];
		enum theme_role role = failed || late        ? THEME_ROLE_WARNING
				       : !j->last_outcome[0] ? THEME_ROLE_DIM
							     : THEME_ROLE_ROW;

		snprintf(dur, sizeof dur, "%lld ms", (long long)j->last_duration_ms);
		snprintf(count, sizeof count, "%lld", (long long)j->last_count);
		if (failed)
			snprintf(outcome, sizeof outcome, "failed: %s", j->last_error);
		else
			snprintf(outcome, sizeof outcome, "%s",
				 j->last_outcome[0] ? j->last_outcome : "never run");
		cell[0] = j->name;
		cell[1] = every(iv, sizeof iv, j->interval_s);
		cell[2] = j->last_run_at ? console_time(j->last_run_at, last, sizeof last) : "-";
		cell[3] = console_time(j->next_run_at, next, sizeof next);
		cell[4] = j->last_outcome[0] ? dur : "-";
		cell[5] = outcome;
		cell[6] = j->last_outcome[0] ? count : "-";
		cell[7] = j->running_by[0] ? j->running_by : "-";
		table_draw_cells(w, 1 + r, wd, 8, cell,
				 theme_attr(i == l->view.sel ? THEME_ROLE_SELECTED : role), width);
	}
	if (height > 3)
		draw_text(w, height - 1, 1, width - 2, theme_attr(THEME_ROLE_DIM),
			  "run by tenantryd (--jobs) or `tenantry jobs run`; each run is claimed "
			  "once across runners");
}

static bool
jobs_handle(struct console *c, struct pane_instance *p, enum action a)
{
	(void)c;
	return pane_list_move(&((struct jobs *)p)->list, a);
}

static void
jobs_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	(void)twice;
	(void)c;
	pane_list_click(&((struct jobs *)p)->list, row);
}

static void
jobs_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct jobs *)p)->list);
}

static void
jobs_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	pane_list_free(&((struct jobs *)p)->list);
}

static bool
jobs_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	  char *value, size_t vsize)
{
	const struct job_info *ji = pane_list_selected(&((const struct jobs *)p)->list);

	(void)c;
	if (!ji)
		return false;
	snprintf(what, wsize, "job");
	snprintf(value, vsize, "%s", ji->name);
	return true;
}

const struct pane_ops pane_jobs_ops = {
	.id = PANE_JOBS,
	.needs_tenant = false,
	.size = sizeof(struct jobs),
	.init = jobs_init,
	.open = jobs_open,
	.resize = jobs_resize,
	.draw = jobs_draw,
	.handle = jobs_handle,
	.copy = jobs_copy,
	.click = jobs_click,
	.tick = jobs_tick,
	.done = jobs_done,
};
