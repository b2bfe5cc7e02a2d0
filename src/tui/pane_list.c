/* pane_list.c - the rows, cursor and loading of a list pane: one load at a
 * time counts (older replies are dropped), rows are one tenant's, and the
 * row under the cursor is found again after a reload.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/pane_list.h"

static void *
row_at(const struct pane_list *l, size_t i)
{
	return (char *)l->rows + i * l->ops->row_size;
}

static void
rows_clear(const struct pane_list_ops *ops, void *rows, size_t n)
{
	if (ops->row_clear)
		for (size_t i = 0; i < n; i++)
			ops->row_clear((char *)rows + i * ops->row_size);
	free(rows);
}

void
pane_list_init(struct pane_list *l, const struct pane_list_ops *ops, struct pane_instance *p,
	       int above, int below)
{
	memset(l, 0, sizeof *l);
	l->ops = ops;
	l->pane = p;
	l->above = above;
	l->below = below;
}

void
pane_list_free(struct pane_list *l)
{
	rows_clear(l->ops, l->rows, l->n);
	l->rows = NULL;
	l->n = l->cap = 0;
	l->next[0] = '\0';
	l->view.n = l->view.sel = l->view.top = 0;
}

bool
pane_list_sync(struct pane_list *l, const struct console *c)
{
	if (!l->ops->per_tenant || strcmp(l->tenant, c->tenant.id) == 0)
		return false;
	pane_list_free(l);
	l->loaded = false;
	l->keep_id[0] = '\0';
	snprintf(l->tenant, sizeof l->tenant, "%s", c->tenant.id);
	return true;
}

/* ---- loading ------------------------------------------------------------------ */

static int
list_run(struct job *j, struct store *st, struct err *e)
{
	struct pane_list_job *lj = (struct pane_list_job *)j;

	return lj->list->ops->load(lj, st, e);
}

/* Moves the rows of lj into l: after the rows there (append), or in their
 * place with the cursor on the row it was on. */
static void
take(struct console *c, struct pane_list *l, struct pane_list_job *lj)
{
	const struct pane_list_ops *ops = l->ops;
	size_t first = lj->append ? l->n : 0;

	if (!lj->append) {
		const void *sel = pane_list_selected(l);

		if (ops->row_id && !l->keep_id[0] && sel)
			pane_list_keep(l, ops->row_id(sel));
		rows_clear(ops, l->rows, l->n);
		l->rows = NULL;
		l->n = l->cap = 0;
		if (ops->row_id)
			l->view.sel = 0;
	}
	if (!l->rows) {
		l->rows = lj->rows;
		l->n = l->cap = lj->n;
	} else if (lj->n) {
		if (l->n + lj->n > l->cap) {
			l->cap = (l->n + lj->n) * 2;
			if (!(l->rows = realloc(l->rows, l->cap * ops->row_size)))
				abort();
		}
		memcpy(row_at(l, l->n), lj->rows, lj->n * ops->row_size);
		l->n += lj->n;
		free(lj->rows);
	} else
		free(lj->rows);
	lj->rows = NULL; /* the rows moved */
	lj->n = 0;
	snprintf(l->next, sizeof l->next, "%s", lj->next);
	if (!lj->append && ops->row_id && l->keep_id[0])
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(ops->row_id(row_at(l, i)), l->keep_id) == 0)
				l->view.sel = (int)i;
	if (!lj->append)
		l->keep_id[0] = '\0';
	l->view.n = (int)l->n;
	if (ops->took)
		ops->took(c, l->pane, lj, first);
	list_clamp(&l->view);
	l->loaded = true;
}

static void
list_done(struct console *c, struct job *j)
{
	struct pane_list_job *lj = (struct pane_list_job *)j;
	struct pane_list *l = lj->list;

	if (lj->seq != l->seq)
		return; /* a newer load is on its way */
	l->loading = false;
	if (l->ops->per_tenant && !console_for_current(c, j))
		return;
	if (console_failed(c, j, l->ops->name))
		return;
	take(c, l, lj);
}

static void
list_destroy(struct job *j)
{
	struct pane_list_job *lj = (struct pane_list_job *)j;
	const struct pane_list_ops *ops = lj->list->ops;

	rows_clear(ops, lj->rows, lj->n);
	lj->rows = NULL;
	lj->n = 0;
	if (ops->job_clear)
		ops->job_clear(lj);
}

void
pane_list_load(struct console *c, struct pane_list *l, bool append)
{
	const struct pane_list_ops *ops = l->ops;
	struct pane_list_job *lj;

	if (append && (!l->next[0] || l->loading))
		return;
	lj = job_new(ops->job_size ? ops->job_size : sizeof *lj, list_run, list_done);
	lj->job.destroy = list_destroy;
	lj->job.what = ops->what;
	lj->list = l;
	lj->seq = ++l->seq;
	lj->append = append;
	if (append)
		snprintf(lj->after, sizeof lj->after, "%s", l->next);
	if (ops->per_tenant)
		snprintf(lj->job.tenant, sizeof lj->job.tenant, "%s", c->tenant.id);
	if (ops->query)
		ops->query(l->pane, lj);
	l->loading = true;
	console_submit(c, &lj->job);
}

/* ---- the cursor ------------------------------------------------------------------ */

void
pane_list_resize(struct pane_list *l)
{
	l->view.height = l->pane->height - l->above - l->below;
	l->view.n = (int)l->n;
	list_clamp(&l->view);
}

void
pane_list_keep(struct pane_list *l, const char *id)
{
	snprintf(l->keep_id, sizeof l->keep_id, "%s", id);
}

const void *
pane_list_row(const struct pane_list *l, size_t i)
{
	return i < l->n ? row_at(l, i) : NULL;
}

const void *
pane_list_selected(const struct pane_list *l)
{
	return l->view.sel >= 0 ? pane_list_row(l, (size_t)l->view.sel) : NULL;
}

bool
pane_list_current(const struct pane_list *l, const struct console *c)
{
	return !l->ops->per_tenant || strcmp(l->tenant, c->tenant.id) == 0;
}

size_t
pane_list_shown(const struct pane_list *l, const struct console *c)
{
	return pane_list_current(l, c) ? l->n : 0;
}

bool
pane_list_loaded(const struct pane_list *l, const struct console *c)
{
	return l->loaded && pane_list_current(l, c);
}

void
pane_list_append(struct pane_list *l, const void *row)
{
	size_t size = l->ops->row_size;

	if (l->ops->max_rows && l->n == l->ops->max_rows) {
		if (l->ops->row_clear)
			l->ops->row_clear(l->rows);
		memmove(l->rows, row_at(l, 1), (l->n - 1) * size);
		l->n--;
		if (l->view.sel > 0)
			l->view.sel--;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		if (!(l->rows = realloc(l->rows, l->cap * size)))
			abort();
	}
	memcpy(row_at(l, l->n++), row, size);
}

bool
pane_list_move(struct pane_list *l, enum action a)
{
	return list_move(&l->view, a);
}

bool
pane_list_click(struct pane_list *l, int row)
{
	return list_click(&l->view, row, l->above);
}
