/* pane_audit.c - one tenant's audit log, live: the newest entries at the
 * bottom, new ones appended as they commit (follow keeps the cursor on the
 * newest, pause holds them back and counts them), filters by action prefix
 * and by actor (run in the database), and the detail of an entry with its
 * old -> new values side by side.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

#define LOAD 300
#define KEEP 2000

/* The pane: the tenant's entries, oldest first (the list's rows), the
 * live ones held back while paused, and the filters. */
struct audit {
	struct pane_instance pane;
	struct pane_list list; /* of struct audit_entry, at most KEEP */
	size_t held;           /* live entries not shown while paused */
	struct audit_entry *pending;
	size_t npending, pending_cap;
	bool follow, paused;
	char action[64], actor[EMAIL_LEN];
};

static struct audit *
audit_of(struct console *c)
{
	return (struct audit *)c->panes[PANE_AUDIT];
}

/* A load with the filters it was sent with. */
struct audit_job {
	struct pane_list_job lj;
	char action[64], actor[EMAIL_LEN];
};

static void
pending_free(struct audit *au)
{
	for (size_t i = 0; i < au->npending; i++)
		audit_entry_clear(&au->pending[i]);
	au->npending = 0;
}

static void
pending_push(struct audit *au, const struct audit_entry *e)
{
	if (au->npending == KEEP) {
		audit_entry_clear(&au->pending[0]);
		memmove(au->pending, au->pending + 1, (KEEP - 1) * sizeof *au->pending);
		au->npending--;
		if (au->list.view.sel > 0)
			au->list.view.sel--;
	}
	if (au->npending == au->pending_cap) {
		au->pending_cap = au->pending_cap ? au->pending_cap * 2 : 256;
		if (!(au->pending = realloc(au->pending, au->pending_cap * sizeof *au->pending)))
			abort();
	}
	audit_entry_copy(&au->pending[au->npending++], e);
}

/* Newest first from the store, turned into oldest first. */
static int
audit_run(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct audit_job *aj = (struct audit_job *)j;
	struct audit_entry_list out = { 0 };
	struct audit_query q = { .limit = LOAD,
				 .newest = true,
				 .action = aj->action[0] ? aj->action : NULL,
				 .actor = aj->actor[0] ? aj->actor : NULL };
	int rc = store_audit_list(&out, st, j->job.tenant, &q, e);

	for (size_t i = 0; i < out.n / 2; i++) {
		struct audit_entry t = out.rows[i];

		out.rows[i] = out.rows[out.n - 1 - i];
		out.rows[out.n - 1 - i] = t;
	}
	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

static void
audit_query(const struct pane_instance *p, struct pane_list_job *j)
{
	const struct audit *au = (const struct audit *)p;
	struct audit_job *aj = (struct audit_job *)j;

	snprintf(aj->action, sizeof aj->action, "%s", au->action);
	snprintf(aj->actor, sizeof aj->actor, "%s", au->actor);
}

/* A reload shows everything: nothing is held any more. */
static void
audit_took(struct console *c, struct pane_instance *p, struct pane_list_job *j, size_t first)
{
	struct audit *au = (struct audit *)p;

	(void)c, (void)j, (void)first;
	pending_free(au);
	au->held = 0;
	if (au->follow)
		au->list.view.sel = au->list.view.n - 1;
}

static void
row_clear(void *row)
{
	audit_entry_clear(row);
}

/* Without a row id, the cursor keeps its place after a reload. */
static const struct pane_list_ops list_ops = {
	.what = "loading audit log",
	.name = "audit log",
	.row_size = sizeof(struct audit_entry),
	.job_size = sizeof(struct audit_job),
	.per_tenant = true,
	.load = audit_run,
	.query = audit_query,
	.took = audit_took,
	.row_clear = row_clear,
	.max_rows = KEEP,
};

static void
audit_init(struct pane_instance *p)
{
	struct audit *au = (struct audit *)p;

	pane_list_init(&au->list, &list_ops, p, 2, 0);
	au->follow = true;
}

static void
audit_open(struct console *c, struct pane_instance *p)
{
	struct audit *au = (struct audit *)p;

	if (pane_list_sync(&au->list, c)) {
		pending_free(au);
		au->follow = true;
	}
	pane_list_load(c, &au->list, false);
}

static bool
matches(const struct audit *au, const struct audit_entry *e)
{
	return strcmp(e->tenant_id, au->list.tenant) == 0
	       && (!au->action[0] || strncmp(e->action, au->action, strlen(au->action)) == 0)
	       && (!au->actor[0] || strcmp(e->actor, au->actor) == 0);
}

static const struct audit_entry *
entry(const struct audit *au, size_t i)
{
	return pane_list_row(&au->list, i);
}

static void
audit_live(struct console *c, struct pane_instance *p, const struct audit_entry *e, size_t n)
{
	struct audit *au = (struct audit *)p;
	struct pane_list *l = &au->list;

	(void)c;
	for (size_t i = 0; i < n; i++) {
		struct audit_entry copy;

		if (!l->loaded || !matches(au, &e[i]))
			continue;
		if (l->n && e[i].seq <= entry(au, l->n - 1)->seq)
			continue; /* already loaded */
		if (au->paused) {
			pending_push(au, &e[i]);
			au->held++;
			continue;
		}
		audit_entry_copy(&copy, &e[i]);
		pane_list_append(l, &copy);
	}
	l->view.n = (int)l->n;
	if (au->follow && !au->paused)
		l->view.sel = l->view.n - 1;
	list_clamp(&l->view);
}

static void
audit_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height, int width)
{
	const struct audit *au = (const struct audit *)p;
	const struct pane_list *l = &au->list;
	size_t n = pane_list_shown(l, c);
	char info[512];
	struct audit_cols ac;
	int longest = 0;

	(void)height;
	snprintf(info, sizeof info, " %zu entries%s%s%s%s%s%s  %s", n,
		 au->action[0] ? "  action " : "", au->action, au->actor[0] ? "  actor " : "",
		 au->actor, au->paused ? "  PAUSED" : "", au->follow ? "  following" : "",
		 au->held ? "new entries held (p continues)" : "");
	draw_text(w, 0, 0, width, theme_attr(au->paused ? THEME_ROLE_WARNING : THEME_ROLE_DIM),
		  info);
	if (au->held) {
		snprintf(info, sizeof info, "%zu new", au->held);
		draw_text_right(w, 0, width - 12, 12, theme_attr(THEME_ROLE_WARNING), info);
	}
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int tw = console_audit_tenant_width(c, entry(au, (size_t)(l->view.top + r)));

		longest = tw > longest ? tw : longest;
	}
	console_audit_layout(&ac, width, longest);
	snprintf(info, sizeof info, "%-8s %-*s %-*s %s", "TIME", ac.tenant, "TENANT", ac.actor,
		 "ACTOR", "ACTION / RESOURCE");
	draw_text(w, 1, 0, width, theme_attr(THEME_ROLE_HEADER), info);
	if (!n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  pane_list_loaded(l, c) ? "no entries" : "loading…");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;

		console_audit_line(c, w, 2 + r, width, entry(au, (size_t)i), i == l->view.sel, &ac);
	}
}

/* "key: old -> new" for every key that differs between two JSON objects;
 * anything else as the two documents. */
static void
write_diff(FILE *f, const char *old_s, const char *new_s)
{
	json_t *o = old_s ? json_loads(old_s, 0, NULL) : NULL;
	json_t *n = new_s ? json_loads(new_s, 0, NULL) : NULL;
	const char *arrow = widget_ascii() ? "->" : "→";
	const char *key;
	json_t *v;

	if ((o && !json_is_object(o)) || (n && !json_is_object(n)) || (!o && !n)) {
		fprintf(f, "old: %s\nnew: %s\n", old_s ? old_s : "-", new_s ? new_s : "-");
		goto cleanup;
	}
	json_object_foreach(n ? n : o, key, v)
	{
		json_t *a = o ? json_object_get(o, key) : NULL,
		       *b = n ? json_object_get(n, key) : NULL;
		char *as = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		char *bs = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

		if (!a || !b || !json_equal(a, b))
			fprintf(f, "  %-20s %s %s %s\n", key, as ? as : "(none)", arrow,
				bs ? bs : "(none)");
		free(as);
		free(bs);
	}
	if (o && n)
		json_object_foreach(o, key, v) if (!json_object_get(n, key))
		{
			char *as = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			fprintf(f, "  %-20s %s %s (removed)\n", key, as ? as : "", arrow);
			free(as);
		}
cleanup:
	json_decref(o);
	json_decref(n);
}

static void
show_detail(struct console *c, const struct audit_entry *e)
{
	char *text = NULL, at[16], who[SLUG_LEN], title[96];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	fprintf(f, "seq %lld  at %s  tenant %s\nactor %s (%s)  ip %s\naction %s  on %s %s%s%s%s\n",
		(long long)e->seq, console_time(e->at, at, sizeof at),
		console_tenant_label(c, e->tenant_id, who, sizeof who), e->actor, e->actor_kind,
		e->ip[0] ? e->ip : "-", e->action, e->resource_type, e->resource_id,
		e->label[0] ? " (" : "", e->label, e->label[0] ? ")" : "");
	if (e->user_agent)
		fprintf(f, "user agent %s\n", e->user_agent);
	fprintf(f, "hash %.16s…\n\nchanges:\n", e->hash);
	write_diff(f, e->old_json, e->new_json);
	fclose(f);
	snprintf(title, sizeof title, "Audit entry %lld", (long long)e->seq);
	console_show_text(c, title, text);
	free(text);
}

static int
filter_submit(struct console *c, struct modal *m)
{
	struct audit *au = audit_of(c);

	if (strcmp(m->ref2, "action") == 0)
		snprintf(au->action, sizeof au->action, "%s", form_value(m, 0));
	else
		snprintf(au->actor, sizeof au->actor, "%s", form_value(m, 0));
	modal_close(c);
	audit_open(c, &au->pane);
	return 1; /* nothing to wait for */
}

static void
ask_filter(struct console *c, const char *what)
{
	struct modal *m = form_open(
	    c, strcmp(what, "action") == 0 ? "Filter by action" : "Filter by actor", filter_submit);

	snprintf(m->ref2, sizeof m->ref2, "%s", what);
	form_note(m, strcmp(what, "action") == 0
			 ? "An action prefix, e.g. setting. or member.role; empty shows all."
			 : "An actor exactly as logged (an email, a login); empty shows all.");
	form_add_text(m, what,
		      strcmp(what, "action") == 0 ? audit_of(c)->action : audit_of(c)->actor);
}

static bool
audit_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct audit *au = (struct audit *)p;
	struct pane_list *l = &au->list;

	if (pane_list_move(l, a)) {
		au->follow = l->view.sel == l->view.n - 1;
		return true;
	}
	switch (a) {
	case ACTION_FOLLOW:
		au->follow = !au->follow;
		if (au->follow)
			l->view.sel = l->view.n - 1;
		list_clamp(&l->view);
		return true;
	case ACTION_PAUSE:
		au->paused = !au->paused;
		if (!au->paused) {
			for (size_t i = 0; i < au->npending; i++)
				pane_list_append(l, &au->pending[i]);
			au->npending = au->held = 0;
			l->view.n = (int)l->n;
			if (au->follow)
				l->view.sel = l->view.n - 1;
			list_clamp(&l->view);
		}
		return true;
	case ACTION_FILTER_ACTION:
		ask_filter(c, "action");
		return true;
	case ACTION_FILTER_ACTOR:
		ask_filter(c, "actor");
		return true;
	case ACTION_DETAIL:
	case ACTION_SELECT:
		if (l->view.sel < (int)l->n)
			show_detail(c, entry(au, (size_t)l->view.sel));
		return true;
	default:
		return false;
	}
}

/* `/` filters by action prefix as you type. */
static void
audit_filter(struct console *c, struct pane_instance *p, const char *text)
{
	struct audit *au = (struct audit *)p;

	snprintf(au->action, sizeof au->action, "%s", text);
	audit_open(c, p);
}

static void
audit_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	struct audit *au = (struct audit *)p;
	struct pane_list *l = &au->list;

	if (!pane_list_click(l, row))
		return;
	au->follow = l->view.sel == l->view.n - 1;
	if (twice)
		show_detail(c, entry(au, (size_t)l->view.sel));
}

static void
audit_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct audit *)p)->list);
}

static void
audit_pane_done(struct console *c, struct pane_instance *p)
{
	struct audit *au = (struct audit *)p;

	(void)c;
	pane_list_free(&au->list);
	pending_free(au);
	free(au->pending);
	au->pending = NULL;
	au->pending_cap = 0;
}

static bool
audit_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	   char *value, size_t vsize)
{
	const struct audit *au = (const struct audit *)p;
	const struct pane_list *l = &au->list;

	if (!pane_list_current(l, c) || l->view.sel < 0 || l->view.sel >= (int)l->n)
		return false;
	snprintf(what, wsize, "entry hash");
	snprintf(value, vsize, "%s", entry(au, (size_t)l->view.sel)->hash);
	return true;
}

const struct pane_ops pane_audit_ops = {
	.id = PANE_AUDIT,
	.needs_tenant = true,
	.size = sizeof(struct audit),
	.init = audit_init,
	.open = audit_open,
	.resize = audit_resize,
	.draw = audit_draw,
	.handle = audit_handle,
	.copy = audit_copy,
	.click = audit_click,
	.audit = audit_live,
	.filter = audit_filter,
	.done = audit_pane_done,
};
