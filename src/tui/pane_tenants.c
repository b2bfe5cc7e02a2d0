/* pane_tenants.c - the tenant list: filter as you type, sort by any column,
 * keyset paging (a page at a time, fetched as the cursor nears the end, so
 * it stays instant at any number of tenants).
 */
#include <stdlib.h>
#include <string.h>

#include "core/quota.h"
#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

#define PAGE 100

/* The pane: the tenants loaded so far, a page at a time, and the query
 * they answer. */
struct tenants {
	struct pane_instance pane;
	struct pane_list list; /* of struct tenant */
	usec_t health_at;      /* the oldest health figure loaded; 0 none */
	/* the widest slug, tier and status loaded: their columns' widths */
	int w_slug, w_tier, w_status;
	char filter[LINE_MAX_BYTES];
	enum tenant_sort sort;
	bool desc;
};

static struct tenants *
tenants_of(struct console *c)
{
	return (struct tenants *)c->panes[PANE_TENANTS];
}

/* A load with the query it was sent with. */
struct list_job {
	struct pane_list_job lj;
	char filter[LINE_MAX_BYTES];
	enum tenant_sort sort;
	bool desc;
};

static int
list_run(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct list_job *lj = (struct list_job *)j;
	struct tenant_list out = { 0 };
	struct tenant_query q = {
		.filter = lj->filter[0] ? lj->filter : NULL,
		.status = -1,
		.sort = lj->sort,
		.desc = lj->desc,
		.after = j->after[0] ? j->after : NULL,
		.limit = PAGE,
	};
	int rc = store_tenant_list(&out, st, &q, e);

	j->rows = out.rows;
	j->n = out.n;
	snprintf(j->next, sizeof j->next, "%s", out.next);
	return rc;
}

static void
list_query(const struct pane_instance *p, struct pane_list_job *j)
{
	const struct tenants *tl = (const struct tenants *)p;
	struct list_job *lj = (struct list_job *)j;

	lj->sort = tl->sort;
	lj->desc = tl->desc;
	snprintf(lj->filter, sizeof lj->filter, "%s", tl->filter);
}

/* The slugs name tenants everywhere; the first page is traced. */
static void
list_took(struct console *c, struct pane_instance *p, struct pane_list_job *j, size_t first)
{
	struct tenants *tl = (struct tenants *)p;
	const struct pane_list *l = &tl->list;

	if (first == 0)
		tl->health_at = 0, tl->w_slug = tl->w_tier = tl->w_status = 0;
	for (size_t i = first; i < l->n; i++) {
		const struct tenant *t = pane_list_row(l, i);
		int ws = text_width(t->slug), wt = text_width(t->tier),
		    wst = text_width(tenant_status_name(t->status));

		tl->w_slug = ws > tl->w_slug ? ws : tl->w_slug;
		tl->w_tier = wt > tl->w_tier ? wt : tl->w_tier;
		tl->w_status = wst > tl->w_status ? wst : tl->w_status;
		console_remember_slug(c, t->id, t->slug);
		if (t->health_at && (!tl->health_at || t->health_at < tl->health_at))
			tl->health_at = t->health_at;
	}
	if (!l->loaded)
		console_trace("first-data", "%zu tenants", l->n);
	console_trace("list", "%s %zu", ((struct list_job *)j)->filter, l->n);
}

static void
row_clear(void *row)
{
	tenant_clear(row);
}

static const char *
row_id(const void *row)
{
	return ((const struct tenant *)row)->id;
}

static const struct pane_list_ops list_ops = {
	.what = "loading tenants",
	.name = "tenants",
	.row_size = sizeof(struct tenant),
	.job_size = sizeof(struct list_job),
	.load = list_run,
	.query = list_query,
	.took = list_took,
	.row_clear = row_clear,
	.row_id = row_id,
};

static void
tenants_init(struct pane_instance *p)
{
	pane_list_init(&((struct tenants *)p)->list, &list_ops, p, 2, 0);
}

static void
tenants_open(struct console *c, struct pane_instance *p)
{
	pane_list_load(c, &((struct tenants *)p)->list, false);
}

/* Columns sized by what they hold: the slug whole first, then tier and
 * status whole; the name takes what is left (at least 8). Each at least
 * its heading with the sort mark. */
static const struct column_spec cols[] = {
	{ 5, 0, 0 },   /* slug */
	{ 8, 0, 1 },   /* name */
	{ 5, 0, 0 },   /* tier */
	{ 7, 0, 0 },   /* status */
	{ 6, 6, 0 },   /* health */
	{ 6, 6, 0 },   /* usage */
	{ 7, 7, 0 },   /* members */
	{ 10, 10, 0 }, /* created */
};
#define NCOLS (sizeof cols / sizeof cols[0])

static void
columns(const struct tenants *tl, int width, int *wd)
{
	struct column_spec s[NCOLS];
	const int content[3] = { tl->w_slug, tl->w_tier, tl->w_status };
	const int at[3] = { 0, 2, 3 };

	memcpy(s, cols, sizeof s);
	for (int k = 0; k < 3; k++) {
		int w = content[k] > s[at[k]].min ? content[k] : s[at[k]].min;

		s[at[k]].min = s[at[k]].max = w > SLUG_LEN ? SLUG_LEN : w;
	}
	layout_columns(s, NCOLS, width, 1, wd);
}

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
	snprintf(cell[5], sizeof cell[5], "%d%%", quota_fraction_percent(t->usage_peak));
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
tenants_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int h, int width)
{
	static const char *const head[NCOLS] = { "SLUG",   "NAME",  "TIER",    "STATUS",
						 "HEALTH", "USAGE", "MEMBERS", "CREATED" };
	static const int sort_col[TENANT_SORT_COUNT] = { 1, 2, 3, 4, 5, 7 };
	const struct tenants *tl = (const struct tenants *)p;
	const struct pane_list *l = &tl->list;
	int wd[NCOLS], x = 0;
	char info[600], at[24];

	(void)c, (void)h;
	columns(tl, width, wd);
	snprintf(info, sizeof info, " %zu%s shown%s%s%s  sort %s%s%s%s", l->n,
		 l->next[0] ? "+" : "", tl->filter[0] ? "  filter /" : "", tl->filter,
		 l->loading ? "  loading…" : "", tenant_sort_name(tl->sort),
		 tl->desc ? " desc" : "", tl->health_at ? "  health as of " : "",
		 tl->health_at ? console_time(tl->health_at, at, sizeof at) : "");
	draw_text(w, 0, 0, width, theme_attr(THEME_ROLE_DIM), info);
	for (size_t k = 0; k < NCOLS; k++) {
		char hd[32];
		bool sorted = sort_col[tl->sort] == (int)k;

		if (!wd[k])
			continue;
		snprintf(hd, sizeof hd, "%s%s", head[k],
			 sorted ? (tl->desc ? widget_glyphs()->sort_down : widget_glyphs()->sort_up)
				: "");
		draw_text(w, 1, x, wd[k] + 1, theme_attr(THEME_ROLE_HEADER), hd);
		x += wd[k] + 1;
	}
	if (x < width)
		draw_text(w, 1, x, width - x, theme_attr(THEME_ROLE_HEADER), "");
	if (!l->n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  l->loading || !l->loaded ? "loading…" : "no tenant matches");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)l->n; r++) {
		int i = l->view.top + r;

		draw_row(w, 2 + r, wd, pane_list_row(l, (size_t)i), i == l->view.sel, i % 2);
	}
}

static bool
tenants_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct tenants *tl = (struct tenants *)p;
	struct pane_list *l = &tl->list;
	const struct tenant *t = pane_list_selected(l);
	char cmd[ID_LEN + 16];

	if (pane_list_move(l, a)) {
		if (l->view.sel >= (int)l->n - l->view.height && l->next[0])
			pane_list_load(c, l, true);
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
		tenants_sort(c, (enum tenant_sort)((tl->sort + 1) % TENANT_SORT_COUNT), tl->desc);
		return true;
	case ACTION_SORT_REVERSE:
		tenants_sort(c, tl->sort, !tl->desc);
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
tenants_filter(struct console *c, struct pane_instance *p, const char *text)
{
	struct tenants *tl = (struct tenants *)p;

	snprintf(tl->filter, sizeof tl->filter, "%s", text);
	tl->list.view.sel = tl->list.view.top = 0;
	tl->list.keep_id[0] = '\0';
	pane_list_load(c, &tl->list, false);
}

static void
tenants_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	if (pane_list_click(&((struct tenants *)p)->list, row) && twice)
		tenants_handle(c, p, ACTION_SELECT);
}

void
tenants_sort(struct console *c, enum tenant_sort s, bool desc)
{
	struct tenants *tl = tenants_of(c);

	tl->sort = s;
	tl->desc = desc;
	tl->list.keep_id[0] = '\0';
	tl->list.view.sel = tl->list.view.top = 0;
	if (c->pane == PANE_TENANTS)
		pane_list_load(c, &tl->list, false);
}

int
tenants_slugs(struct console *c, const char **out, int max)
{
	const struct pane_list *l = &tenants_of(c)->list;
	int n = 0;

	for (size_t i = 0; i < l->n && n < max; i++)
		out[n++] = ((const struct tenant *)pane_list_row(l, i))->slug;
	return n;
}

static void
tenants_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct tenants *)p)->list);
}

static void
tenants_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	pane_list_free(&((struct tenants *)p)->list);
}

static bool
tenants_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	     char *value, size_t vsize)
{
	const struct tenant *t = pane_list_selected(&((const struct tenants *)p)->list);

	(void)c;
	if (!t)
		return false;
	snprintf(what, wsize, "tenant id");
	snprintf(value, vsize, "%s", t->id);
	return true;
}

const struct pane_ops pane_tenants_ops = {
	.id = PANE_TENANTS,
	.size = sizeof(struct tenants),
	.init = tenants_init,
	.open = tenants_open,
	.resize = tenants_resize,
	.draw = tenants_draw,
	.handle = tenants_handle,
	.copy = tenants_copy,
	.filter = tenants_filter,
	.click = tenants_click,
	.done = tenants_done,
};
