/* pane_webhooks.c - the webhook endpoints (tenantry webhooks list): the
 * platform's and every tenant's as staff see them, or the tenant's own in
 * a tenant's context; each one's URL, event filter, state, failed attempts
 * in a row and deliveries waiting; below them, where there is room, the
 * event types a filter may name (EVENT_TYPES). Read-only here: `tenantry webhooks`
 * adds, tests and redelivers. Refreshed every few seconds while shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

struct hooks {
	struct pane_instance pane;
	struct pane_list list; /* of struct webhook */
	int64_t loaded_us;
};

static int
list_load(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct webhook_list out = { 0 };
	int rc = store_webhook_list(&out, st, NULL, e);

	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

static const char *
row_id(const void *row)
{
	return ((const struct webhook *)row)->id;
}

static void
took(struct console *c, struct pane_instance *p, struct pane_list_job *j, size_t first)
{
	(void)c;
	(void)j;
	(void)first;
	((struct hooks *)p)->loaded_us = console_now_us();
}

static const struct pane_list_ops list_ops = {
	.what = "loading webhook endpoints",
	.name = "webhooks",
	.row_size = sizeof(struct webhook),
	.load = list_load,
	.took = took,
	.row_id = row_id,
};

static void
hooks_init(struct pane_instance *p)
{
	pane_list_init(&((struct hooks *)p)->list, &list_ops, p, 1, 2);
}

static void
hooks_open(struct console *c, struct pane_instance *p)
{
	struct hooks *h = (struct hooks *)p;

	h->loaded_us = console_now_us();
	pane_list_load(c, &h->list, false);
}

static void
hooks_tick(struct console *c, struct pane_instance *p)
{
	const struct hooks *h = (const struct hooks *)p;

	if (!h->list.loading && console_now_us() - h->loaded_us > 5000000)
		hooks_open(c, p);
}

static void
hooks_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height, int width)
{
	static const struct column_spec cols[] = {
		{ 8, 20, 0 }, { 20, 60, 4 }, { 6, 30, 2 },  { 8, 30, 1 },
		{ 4, 8, 0 },  { 7, 9, 0 },   { 10, 12, 0 },
	};
	static const char *const head[] = { "OWNER", "URL",     "EVENTS", "STATE",
					    "FAILS", "PENDING", "LAST OK" };
	const struct pane_list *l = &((const struct hooks *)p)->list;
	size_t n = pane_list_shown(l, c);
	int wd[7];

	layout_columns(cols, 7, width, 1, wd);
	table_draw_header(w, 0, wd, 7, head, width);
	if (!n)
		draw_text(w, 2, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  pane_list_loaded(l, c)
			      ? "no webhook endpoints (tenantry webhooks add URL)"
			      : "loading…");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;
		const struct webhook *h = pane_list_row(l, (size_t)i);
		char fails[16], pending[24], ok[16], state[160];
		const char *cell[7];
		enum theme_role role = !h->enabled       ? THEME_ROLE_WARNING
				       : h->failures > 0 ? THEME_ROLE_WARNING
							 : THEME_ROLE_ROW;

		snprintf(fails, sizeof fails, "%d", h->failures);
		snprintf(pending, sizeof pending, "%lld", (long long)h->pending);
		if (h->enabled)
			snprintf(state, sizeof state, "enabled");
		else
			snprintf(state, sizeof state, "disabled%s%s",
				 h->disabled_reason[0] ? ": " : "", h->disabled_reason);
		cell[0] = h->tenant_slug[0] ? h->tenant_slug : "platform";
		cell[1] = h->url;
		cell[2] = h->event_types[0] ? h->event_types : "all";
		cell[3] = state;
		cell[4] = fails;
		cell[5] = pending;
		cell[6] =
		    h->last_success_at ? console_time(h->last_success_at, ok, sizeof ok) : "-";
		table_draw_cells(w, 1 + r, wd, 7, cell,
				 theme_attr(i == l->view.sel ? THEME_ROLE_SELECTED : role), width);
	}
	/* the event types an endpoint's filter may name, where there is room */
	if (height - 3 - (int)n - 2 > EVENT_TYPE_COUNT / 2) {
		int top = height - 2 - (EVENT_TYPE_COUNT + 1) / 2, half = width / 2;

		draw_text(w, top - 1, 1, width - 2, theme_attr(THEME_ROLE_HEADER), "EVENT TYPES");
		for (int i = 0; i < EVENT_TYPE_COUNT; i++)
			draw_text(w, top + i / 2, 1 + (i % 2) * half, half - 2,
				  theme_attr(THEME_ROLE_DIM), event_type_name((enum event_type)i));
	}
	if (height > 3)
		draw_text(w, height - 1, 1, width - 2, theme_attr(THEME_ROLE_DIM),
			  "delivered by tenantryd; `tenantry webhooks add|test|log|redeliver`");
}

static bool
hooks_handle(struct console *c, struct pane_instance *p, enum action a)
{
	(void)c;
	return pane_list_move(&((struct hooks *)p)->list, a);
}

static void
hooks_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	(void)twice;
	(void)c;
	pane_list_click(&((struct hooks *)p)->list, row);
}

static void
hooks_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct hooks *)p)->list);
}

static void
hooks_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	pane_list_free(&((struct hooks *)p)->list);
}

const struct pane_ops pane_webhooks_ops = {
	.id = PANE_WEBHOOKS,
	.needs_tenant = false,
	.size = sizeof(struct hooks),
	.init = hooks_init,
	.open = hooks_open,
	.resize = hooks_resize,
	.draw = hooks_draw,
	.handle = hooks_handle,
	.click = hooks_click,
	.tick = hooks_tick,
	.done = hooks_done,
};
