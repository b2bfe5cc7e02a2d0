/* pane_platform_audit.c - the platform pane's live audit view: the audit
 * entries of every tenant the console sees, as they commit (the newest
 * ones loaded first), with pause (new entries held back and counted),
 * follow (the cursor stays on the newest), a filter as you type over the
 * tenant, actor, action and resource, and a cursor that scrolls. Enter
 * opens the entry's tenant.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/platform.h"
#include "tui/widget.h"

#define LOAD 300
#define KEEP 2000

struct audit_load_job {
	struct job job;
	struct platform_audit *view;
	unsigned seq;
	struct audit_entry_list entries;
};

static int
load_run(struct job *j, struct store *st, struct err *e)
{
	struct audit_load_job *lj = (struct audit_load_job *)j;
	struct audit_query q = { .limit = LOAD, .newest = true };

	return store_audit_list(&lj->entries, st, NULL, &q, e);
}

static void
rows_clear(struct audit_entry *rows, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		audit_entry_clear(&rows[i]);
	*n = 0;
}

static bool
keeps(const struct console *c, const struct platform_audit *v, const struct audit_entry *e)
{
	char who[SLUG_LEN];

	if (!v->filter[0])
		return true;
	return strcasestr(console_tenant_label(c, e->tenant_id, who, sizeof who), v->filter)
	       || strcasestr(e->actor, v->filter) || strcasestr(e->action, v->filter)
	       || strcasestr(e->resource_type, v->filter) || strcasestr(e->resource_id, v->filter);
}

/* Rebuilds the shown rows from the filter; the cursor stays on its entry
 * where it can, on the newest when following. */
static void
reshow(const struct console *c, struct platform_audit *v)
{
	size_t was = v->view.sel >= 0 && (size_t)v->view.sel < v->nshown ? v->shown[v->view.sel]
									 : (size_t)-1;

	free(v->shown);
	if (!(v->shown = calloc(v->n ? v->n : 1, sizeof *v->shown)))
		abort();
	v->nshown = 0;
	v->view.sel = 0;
	for (size_t i = 0; i < v->n; i++)
		if (keeps(c, v, &v->rows[i])) {
			if (i == was)
				v->view.sel = (int)v->nshown;
			v->shown[v->nshown++] = i;
		}
	v->view.n = (int)v->nshown;
	if (v->follow)
		v->view.sel = v->view.n - 1;
	list_clamp(&v->view);
}

/* Appends e (copied), dropping the oldest past KEEP. */
static void
push(struct platform_audit *v, const struct audit_entry *e)
{
	if (v->n == KEEP) {
		audit_entry_clear(&v->rows[0]);
		memmove(v->rows, v->rows + 1, (KEEP - 1) * sizeof *v->rows);
		v->n--;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 512;
		if (!(v->rows = realloc(v->rows, v->cap * sizeof *v->rows)))
			abort();
	}
	audit_entry_copy(&v->rows[v->n++], e);
}

static void
load_done(struct console *c, struct job *j)
{
	struct audit_load_job *lj = (struct audit_load_job *)j;
	struct platform_audit *v = lj->view;

	if (lj->seq != v->seq)
		return;
	v->loading = false;
	if (console_failed(c, j, "live audit"))
		return;
	rows_clear(v->rows, &v->n);
	rows_clear(v->held, &v->nheld);
	for (size_t i = lj->entries.n; i-- > 0;) /* newest first: oldest first */
		push(v, &lj->entries.rows[i]);
	v->loaded = true;
	reshow(c, v);
}

static void
load_destroy(struct job *j)
{
	audit_entry_list_free(&((struct audit_load_job *)j)->entries);
}

void
platform_audit_load(struct console *c, struct platform_audit *v)
{
	struct audit_load_job *lj = job_new(sizeof *lj, load_run, load_done);

	lj->job.destroy = load_destroy;
	lj->job.what = "loading the live audit log";
	lj->view = v;
	lj->seq = ++v->seq;
	if (!v->loaded)
		v->follow = true;
	v->loading = true;
	console_submit(c, &lj->job);
}

static bool
known(const struct platform_audit *v, const struct audit_entry *e)
{
	for (size_t i = v->n; i-- > 0 && i + 64 > v->n;)
		if (v->rows[i].seq == e->seq && strcmp(v->rows[i].tenant_id, e->tenant_id) == 0)
			return true;
	return false;
}

void
platform_audit_add(struct console *c, struct platform_audit *v, const struct audit_entry *e,
		   size_t n)
{
	for (size_t i = 0; v->loaded && i < n; i++) {
		if (known(v, &e[i]))
			continue;
		if (!v->paused) {
			push(v, &e[i]);
			continue;
		}
		if (v->nheld == v->held_cap) {
			v->held_cap = v->held_cap ? v->held_cap * 2 : 64;
			if (!(v->held = realloc(v->held, v->held_cap * sizeof *v->held)))
				abort();
		}
		if (v->nheld < KEEP)
			audit_entry_copy(&v->held[v->nheld++], &e[i]);
	}
	if (!v->paused)
		reshow(c, v);
}

void
platform_audit_filter(struct console *c, struct platform_audit *v, const char *text)
{
	snprintf(v->filter, sizeof v->filter, "%s", text);
	reshow(c, v);
}

void
platform_audit_free(struct platform_audit *v)
{
	rows_clear(v->rows, &v->n);
	rows_clear(v->held, &v->nheld);
	free(v->rows);
	free(v->held);
	free(v->shown);
	v->rows = v->held = NULL;
	v->shown = NULL;
	v->cap = v->held_cap = v->nshown = 0;
}

void
platform_audit_draw(const struct console *c, const struct platform_audit *v, WINDOW *w, int height,
		    int width)
{
	char info[256];
	struct audit_cols ac;
	int longest = 0, top = v->view.top;

	snprintf(info, sizeof info, "LIVE AUDIT · every tenant · %zu of %zu entries%s%s%s%s",
		 v->nshown, v->n, v->filter[0] ? " · filter " : "", v->filter,
		 v->paused ? " · PAUSED" : "", v->follow && !v->paused ? " · following" : "");
	draw_text(w, 0, 1, width - 2,
		  theme_attr(v->paused ? THEME_ROLE_WARNING : THEME_ROLE_HEADER), info);
	if (v->nheld) {
		snprintf(info, sizeof info, "%zu new held", v->nheld);
		draw_text_right(w, 0, width - 16, 15, theme_attr(THEME_ROLE_WARNING), info);
	}
	for (int r = 0; r + 2 < height && top + r < (int)v->nshown; r++) {
		int tw = console_audit_tenant_width(c, &v->rows[v->shown[top + r]]);

		longest = tw > longest ? tw : longest;
	}
	console_audit_layout(&ac, width, longest);
	snprintf(info, sizeof info, "%-8s %-*s %-*s %s", "TIME", ac.tenant, "TENANT", ac.actor,
		 "ACTOR", "ACTION / RESOURCE");
	draw_text(w, 1, 0, width, theme_attr(THEME_ROLE_HEADER), info);
	if (!v->nshown)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  !v->loaded ? "loading…"
			  : v->n     ? "no entry matches the filter"
				     : "no entries");
	for (int r = 0; r + 2 < height && top + r < (int)v->nshown; r++)
		console_audit_line(c, w, 2 + r, width, &v->rows[v->shown[top + r]],
				   top + r == v->view.sel, &ac);
}

static void
unpause(struct console *c, struct platform_audit *v)
{
	v->paused = false;
	for (size_t i = 0; i < v->nheld; i++)
		push(v, &v->held[i]);
	rows_clear(v->held, &v->nheld);
	reshow(c, v);
}

bool
platform_audit_handle(struct console *c, struct platform_audit *v, enum action a)
{
	char cmd[ID_LEN + 16];

	v->view.height = console_pane(c)->height - 2;
	if (list_move(&v->view, a)) {
		v->follow = v->view.sel == v->view.n - 1;
		return true;
	}
	switch (a) {
	case ACTION_PAUSE:
		if (v->paused)
			unpause(c, v);
		else
			v->paused = true;
		return true;
	case ACTION_FOLLOW:
		v->follow = !v->follow;
		if (v->follow) {
			v->view.sel = v->view.n - 1;
			list_clamp(&v->view);
		}
		return true;
	case ACTION_REFRESH:
		platform_audit_load(c, v);
		return true;
	case ACTION_SELECT:
		if (v->view.sel < 0 || (size_t)v->view.sel >= v->nshown)
			return true;
		if (strcmp(v->rows[v->shown[v->view.sel]].tenant_id, PLATFORM_CHAIN) == 0)
			return true;
		snprintf(cmd, sizeof cmd, "tenant %s", v->rows[v->shown[v->view.sel]].tenant_id);
		command_run(c, cmd);
		return true;
	default:
		return false;
	}
}
