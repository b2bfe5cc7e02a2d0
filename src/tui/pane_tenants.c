/* pane_tenants.c - the tenant list: filter as you type, sort by any column,
 * keyset paging (a page at a time, fetched as the cursor nears the end, so
 * it stays instant at any number of tenants).
 */
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/widget.h"

#define PAGE 100

static struct {
	struct tenant *rows;
	size_t n, cap;
	char next[CURSOR_LEN];
	struct list_view view;
	char filter[LINE_MAX_BYTES];
	enum tenant_sort sort;
	bool desc;
	unsigned seq; /* of the newest query; older replies are dropped */
	bool loading, loaded;
	char keep_id[ID_LEN]; /* reselect this row after a reload */
} tl;

struct list_job {
	struct job job;
	unsigned seq;
	bool append;
	char filter[LINE_MAX_BYTES];
	char after[CURSOR_LEN];
	enum tenant_sort sort;
	bool desc;
	struct tenant_list out;
};

static int
list_run(struct job *j, struct store *st, struct err *e)
{
	struct list_job *lj = (struct list_job *)j;
	struct tenant_query q = {
		.filter = lj->filter[0] ? lj->filter : NULL,
		.status = -1,
		.sort = lj->sort,
		.desc = lj->desc,
		.after = lj->after[0] ? lj->after : NULL,
		.limit = PAGE,
	};

	return store_tenant_list(&lj->out, st, &q, e);
}

static void
rows_free(void)
{
	for (size_t i = 0; i < tl.n; i++)
		tenant_clear(&tl.rows[i]);
	tl.n = 0;
}

static void
list_done(struct console *c, struct job *j)
{
	struct list_job *lj = (struct list_job *)j;

	if (lj->seq != tl.seq)
		return; /* a newer filter or sort is on its way */
	tl.loading = false;
	if (console_failed(c, j, "tenants"))
		return;
	if (!lj->append) {
		if (tl.view.sel < (int)tl.n)
			snprintf(tl.keep_id, sizeof tl.keep_id, "%s", tl.rows[tl.view.sel].id);
		rows_free();
		tl.view.sel = 0;
	}
	if (tl.n + lj->out.n > tl.cap) {
		tl.cap = (tl.n + lj->out.n) * 2;
		if (!(tl.rows = realloc(tl.rows, tl.cap * sizeof *tl.rows)))
			abort();
	}
	for (size_t i = 0; i < lj->out.n; i++) {
		struct tenant *t = &lj->out.rows[i];

		console_remember_slug(c, t->id, t->slug);
		if (!lj->append && tl.keep_id[0] && strcmp(t->id, tl.keep_id) == 0)
			tl.view.sel = (int)(tl.n + i);
	}
	memcpy(tl.rows + tl.n, lj->out.rows, lj->out.n * sizeof *lj->out.rows);
	tl.n += lj->out.n;
	lj->out.n = 0; /* the rows moved */
	snprintf(tl.next, sizeof tl.next, "%s", lj->out.next);
	tl.view.n = (int)tl.n;
	list_clamp(&tl.view);
	if (!tl.loaded)
		console_trace("first-data", "%zu tenants", tl.n);
	tl.loaded = true;
	console_trace("list", "%s %zu", lj->filter, tl.n);
}

static void
list_destroy(struct job *j)
{
	struct list_job *lj = (struct list_job *)j;

	if (lj->out.n)
		tenant_list_free(&lj->out); /* a reply nobody waited for */
	free(lj->out.rows);
	lj->out.rows = NULL;
}

static void
load(struct console *c, bool append)
{
	struct list_job *lj;

	if (append && (!tl.next[0] || tl.loading))
		return;
	lj = job_new(sizeof *lj, list_run, list_done);
	lj->job.destroy = list_destroy;
	lj->job.what = "loading tenants";
	lj->seq = ++tl.seq;
	lj->append = append;
	lj->sort = tl.sort;
	lj->desc = tl.desc;
	snprintf(lj->filter, sizeof lj->filter, "%s", tl.filter);
	if (append)
		snprintf(lj->after, sizeof lj->after, "%s", tl.next);
	tl.loading = true;
	console_submit(c, &lj->job);
}

static void
tenants_open(struct console *c)
{
	load(c, false);
}

static const struct column_spec cols[] = {
	{ 12, 32, 2 }, /* slug */
	{ 16, 0, 4 },  /* name */
	{ 10, 14, 0 }, /* tier */
	{ 9, 16, 0 },  /* status */
	{ 6, 6, 0 },   /* health */
	{ 6, 6, 0 },   /* usage */
	{ 7, 7, 0 },   /* members */
	{ 10, 10, 0 }, /* created */
};
#define NCOLS (sizeof cols / sizeof cols[0])

static enum theme_role
status_role(enum tenant_status s)
{
	switch (s) {
	case TENANT_TRIAL:
		return THEME_ROLE_STATUS_TRIAL;
	case TENANT_ACTIVE:
		return THEME_ROLE_STATUS_ACTIVE;
	case TENANT_SUSPENDED:
		return THEME_ROLE_STATUS_SUSPENDED;
	case TENANT_PENDING_DELETION:
		return THEME_ROLE_STATUS_PENDING;
	default:
		return THEME_ROLE_STATUS_DELETED;
	}
}

static void
draw_row(WINDOW *w, int y, const int *wd, const struct tenant *t, bool sel, bool alt)
{
	char cell[NCOLS][64];
	attr_t base = theme_attr(sel   ? THEME_ROLE_SELECTED
				 : alt ? THEME_ROLE_ROW_ALT
				       : THEME_ROLE_ROW);
	int x = 0;

	snprintf(cell[4], sizeof cell[4], t->health < 0 ? "-" : "%d", t->health);
	snprintf(cell[5], sizeof cell[5], "%d%%", (int)(t->usage_peak * 100 + 0.5));
	snprintf(cell[6], sizeof cell[6], "%d", t->members);
	console_time(t->created_at, cell[7], sizeof cell[7]);
	for (size_t k = 0; k < NCOLS; k++) {
		const char *text = k == 0   ? t->slug
				   : k == 1 ? t->name
				   : k == 2 ? t->tier
				   : k == 3 ? tenant_status_name(t->status)
					    : cell[k];
		attr_t a = base;

		if (!wd[k])
			continue;
		if (!sel && k == 3)
			a = theme_attr(status_role(t->status));
		else if (!sel && k == 2)
			a = theme_attr(THEME_ROLE_TIER);
		else if (!sel && k == 5)
			a = theme_attr(
			    gauge_role(gauge_level((int64_t)(t->usage_peak * 1000), 1000)));
		if (k >= 4 && k <= 6)
			draw_text_right(w, y, x, wd[k], a, text);
		else
			draw_text(w, y, x, wd[k], a, text);
		x += wd[k];
		if (x < COLS)
			draw_text(w, y, x, 1, base, " ");
		x++;
	}
	if (x < COLS)
		draw_text(w, y, x, COLS - x, base, "");
}

static void
tenants_draw(struct console *c, WINDOW *w, int h, int width)
{
	static const char *const head[NCOLS] = { "SLUG",   "NAME",  "TIER",    "STATUS",
						 "HEALTH", "USAGE", "MEMBERS", "CREATED" };
	static const int sort_col[TENANT_SORT_COUNT] = { 1, 2, 3, 4, 5, 7 };
	int wd[NCOLS], x = 0;
	char info[600];

	(void)c;
	layout_columns(cols, NCOLS, width, 1, wd);
	snprintf(info, sizeof info, " %zu%s shown%s%s%s  sort %s%s", tl.n, tl.next[0] ? "+" : "",
		 tl.filter[0] ? "  filter /" : "", tl.filter, tl.loading ? "  loading…" : "",
		 tenant_sort_name(tl.sort), tl.desc ? " desc" : "");
	draw_text(w, 0, 0, width, theme_attr(THEME_ROLE_DIM), info);
	for (size_t k = 0; k < NCOLS; k++) {
		char hd[32];
		bool sorted = sort_col[tl.sort] == (int)k;

		if (!wd[k])
			continue;
		snprintf(hd, sizeof hd, "%s%s", head[k],
			 sorted ? (tl.desc ? widget_glyphs()->sort_down : widget_glyphs()->sort_up)
				: "");
		draw_text(w, 1, x, wd[k] + 1, theme_attr(THEME_ROLE_HEADER), hd);
		x += wd[k] + 1;
	}
	if (x < width)
		draw_text(w, 1, x, width - x, theme_attr(THEME_ROLE_HEADER), "");
	tl.view.height = h - 2;
	tl.view.n = (int)tl.n;
	list_clamp(&tl.view);
	if (!tl.n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  tl.loading || !tl.loaded ? "loading…" : "no tenant matches");
	for (int r = 0; r < tl.view.height && tl.view.top + r < (int)tl.n; r++) {
		int i = tl.view.top + r;

		draw_row(w, 2 + r, wd, &tl.rows[i], i == tl.view.sel, i % 2);
	}
}

static const struct tenant *
selected(void)
{
	return tl.n && tl.view.sel < (int)tl.n ? &tl.rows[tl.view.sel] : NULL;
}

static bool
tenants_handle(struct console *c, enum action a)
{
	const struct tenant *t = selected();
	char cmd[ID_LEN + 16];

	if (list_move(&tl.view, a)) {
		if (tl.view.sel >= (int)tl.n - tl.view.height && tl.next[0])
			load(c, true);
		return true;
	}
	switch (a) {
	case ACTION_SELECT:
		if (!t)
			return true;
		snprintf(cmd, sizeof cmd, "tenant %s", t->id);
		command_run(c, cmd);
		return true;
	case ACTION_SORT_NEXT:
		tenants_sort(c, (enum tenant_sort)((tl.sort + 1) % TENANT_SORT_COUNT), tl.desc);
		return true;
	case ACTION_SORT_REVERSE:
		tenants_sort(c, tl.sort, !tl.desc);
		return true;
	case ACTION_CREATE_TENANT:
		if (console_may(c, a, PERM_TENANTS_CREATE))
			tenant_create_start(c);
		return true;
	case ACTION_SUSPEND:
	case ACTION_RESUME:
	case ACTION_DELETE:
	case ACTION_RESTORE:
	case ACTION_CHANGE_TIER:
		return t ? tenant_action(c, t, a) : true;
	case ACTION_VIEW_AS:
		if (t && (!c->have_tenant || strcmp(c->tenant.id, t->id) != 0)) {
			console_set_tenant(c, t);
		}
		return false; /* the console opens the form */
	default:
		return false;
	}
}

static void
tenants_filter(struct console *c, const char *text)
{
	snprintf(tl.filter, sizeof tl.filter, "%s", text);
	tl.view.sel = tl.view.top = 0;
	tl.keep_id[0] = '\0';
	load(c, false);
}

static void
tenants_click(struct console *c, int row, bool twice)
{
	if (row < 2 || tl.view.top + row - 2 >= (int)tl.n)
		return;
	tl.view.sel = tl.view.top + row - 2;
	if (twice)
		tenants_handle(c, ACTION_SELECT);
}

void
tenants_sort(struct console *c, enum tenant_sort s, bool desc)
{
	tl.sort = s;
	tl.desc = desc;
	tl.keep_id[0] = '\0';
	tl.view.sel = tl.view.top = 0;
	if (c->pane == PANE_TENANTS)
		load(c, false);
}

int
tenants_slugs(struct console *c, const char **out, int max)
{
	int n = 0;

	(void)c;
	for (size_t i = 0; i < tl.n && n < max; i++)
		out[n++] = tl.rows[i].slug;
	return n;
}

static void
tenants_done(struct console *c)
{
	(void)c;
	rows_free();
	free(tl.rows);
	memset(&tl, 0, sizeof tl);
}

const struct pane_ops pane_tenants_ops = {
	.done = tenants_done,
	.id = PANE_TENANTS,
	.open = tenants_open,
	.draw = tenants_draw,
	.handle = tenants_handle,
	.filter = tenants_filter,
	.click = tenants_click,
};
