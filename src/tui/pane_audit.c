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
#include "tui/widget.h"

#define LOAD 300
#define KEEP 2000

static struct {
	char tenant[ID_LEN];
	struct audit_entry *rows; /* oldest first */
	size_t n, cap;
	size_t held; /* live entries not shown while paused */
	struct audit_entry *pending;
	size_t npending, pending_cap;
	struct list_view view;
	bool follow, paused, loaded;
	char action[64], actor[EMAIL_LEN];
	unsigned seq;
} au = { .follow = true };

struct audit_job {
	struct job job;
	unsigned seq;
	char action[64], actor[EMAIL_LEN];
	struct audit_entry_list out;
};

static void
entries_free(struct audit_entry *rows, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		audit_entry_clear(&rows[i]);
	*n = 0;
}

static void
push(struct audit_entry **rows, size_t *n, size_t *cap, const struct audit_entry *e, bool copy)
{
	if (*n == KEEP) {
		audit_entry_clear(&(*rows)[0]);
		memmove(*rows, *rows + 1, (KEEP - 1) * sizeof **rows);
		(*n)--;
		if (au.view.sel > 0)
			au.view.sel--;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if (!(*rows = realloc(*rows, *cap * sizeof **rows)))
			abort();
	}
	if (copy)
		audit_entry_copy(&(*rows)[(*n)++], e);
	else
		(*rows)[(*n)++] = *e;
}

static int
audit_run(struct job *j, struct store *st, struct err *e)
{
	struct audit_job *aj = (struct audit_job *)j;
	struct audit_query q = { .limit = LOAD,
				 .newest = true,
				 .action = aj->action[0] ? aj->action : NULL,
				 .actor = aj->actor[0] ? aj->actor : NULL };

	return store_audit_list(&aj->out, st, j->tenant, &q, e);
}

static void
audit_done(struct console *c, struct job *j)
{
	struct audit_job *aj = (struct audit_job *)j;

	if (aj->seq != au.seq || !c->have_tenant || strcmp(j->tenant, c->tenant.id) != 0)
		return;
	if (console_failed(c, j, "audit log"))
		return;
	entries_free(au.rows, &au.n);
	entries_free(au.pending, &au.npending);
	au.held = 0;
	/* newest first from the store: reverse into oldest first */
	for (size_t i = aj->out.n; i-- > 0;)
		push(&au.rows, &au.n, &au.cap, &aj->out.rows[i], false);
	free(aj->out.rows);
	aj->out.rows = NULL;
	aj->out.n = 0;
	au.loaded = true;
	au.view.n = (int)au.n;
	if (au.follow)
		au.view.sel = au.view.n - 1;
	list_clamp(&au.view);
}

static void
audit_destroy(struct job *j)
{
	audit_entry_list_free(&((struct audit_job *)j)->out);
}

static void
audit_open(struct console *c)
{
	struct audit_job *aj = job_new(sizeof *aj, audit_run, audit_done);

	if (strcmp(au.tenant, c->tenant.id) != 0) {
		entries_free(au.rows, &au.n);
		entries_free(au.pending, &au.npending);
		au.loaded = false;
		au.follow = true;
		snprintf(au.tenant, sizeof au.tenant, "%s", c->tenant.id);
	}
	aj->job.destroy = audit_destroy;
	aj->job.what = "loading audit log";
	aj->seq = ++au.seq;
	snprintf(aj->action, sizeof aj->action, "%s", au.action);
	snprintf(aj->actor, sizeof aj->actor, "%s", au.actor);
	snprintf(aj->job.tenant, sizeof aj->job.tenant, "%s", c->tenant.id);
	console_submit(c, &aj->job);
}

static bool
matches(const struct audit_entry *e)
{
	return strcmp(e->tenant_id, au.tenant) == 0
	       && (!au.action[0] || strncmp(e->action, au.action, strlen(au.action)) == 0)
	       && (!au.actor[0] || strcmp(e->actor, au.actor) == 0);
}

static void
audit_live(struct console *c, const struct audit_entry *e, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++) {
		if (!au.loaded || !matches(&e[i]))
			continue;
		if (au.n && e[i].seq <= au.rows[au.n - 1].seq)
			continue; /* already loaded */
		if (au.paused) {
			push(&au.pending, &au.npending, &au.pending_cap, &e[i], true);
			au.held++;
			continue;
		}
		push(&au.rows, &au.n, &au.cap, &e[i], true);
	}
	au.view.n = (int)au.n;
	if (au.follow && !au.paused)
		au.view.sel = au.view.n - 1;
	list_clamp(&au.view);
}

static void
audit_draw(struct console *c, WINDOW *w, int height, int width)
{
	char info[512];

	snprintf(info, sizeof info, " %zu entries%s%s%s%s%s%s  %s", au.n,
		 au.action[0] ? "  action " : "", au.action, au.actor[0] ? "  actor " : "",
		 au.actor, au.paused ? "  PAUSED" : "", au.follow ? "  following" : "",
		 au.held ? "new entries held (p continues)" : "");
	draw_text(w, 0, 0, width, theme_attr(au.paused ? THEME_ROLE_WARNING : THEME_ROLE_DIM),
		  info);
	if (au.held) {
		snprintf(info, sizeof info, "%zu new", au.held);
		draw_text_right(w, 0, width - 12, 12, theme_attr(THEME_ROLE_WARNING), info);
	}
	draw_text(w, 1, 0, width, theme_attr(THEME_ROLE_HEADER),
		  "TIME     TENANT         ACTOR                  ACTION / RESOURCE");
	au.view.height = height - 2;
	au.view.n = (int)au.n;
	list_clamp(&au.view);
	if (!au.n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  au.loaded ? "no entries" : "loading…");
	for (int r = 0; r < au.view.height && au.view.top + r < (int)au.n; r++) {
		int i = au.view.top + r;

		console_audit_line(c, w, 2 + r, width, &au.rows[i], i == au.view.sel);
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
	fprintf(f, "seq %lld  at %s  tenant %s\nactor %s (%s)  ip %s\naction %s  on %s %s\n",
		(long long)e->seq, console_time(e->at, at, sizeof at),
		console_tenant_label(c, e->tenant_id, who, sizeof who), e->actor, e->actor_kind,
		e->ip[0] ? e->ip : "-", e->action, e->resource_type, e->resource_id);
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
	if (strcmp(m->ref2, "action") == 0)
		snprintf(au.action, sizeof au.action, "%s", form_value(m, 0));
	else
		snprintf(au.actor, sizeof au.actor, "%s", form_value(m, 0));
	modal_close(c);
	audit_open(c);
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
	form_add_text(m, what, strcmp(what, "action") == 0 ? au.action : au.actor);
}

static bool
audit_handle(struct console *c, enum action a)
{
	if (list_move(&au.view, a)) {
		au.follow = au.view.sel == au.view.n - 1;
		return true;
	}
	switch (a) {
	case ACTION_FOLLOW:
		au.follow = !au.follow;
		if (au.follow)
			au.view.sel = au.view.n - 1;
		list_clamp(&au.view);
		return true;
	case ACTION_PAUSE:
		au.paused = !au.paused;
		if (!au.paused) {
			for (size_t i = 0; i < au.npending; i++)
				push(&au.rows, &au.n, &au.cap, &au.pending[i], false);
			au.npending = au.held = 0;
			au.view.n = (int)au.n;
			if (au.follow)
				au.view.sel = au.view.n - 1;
			list_clamp(&au.view);
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
		if (au.view.sel < (int)au.n)
			show_detail(c, &au.rows[au.view.sel]);
		return true;
	default:
		return false;
	}
}

/* `/` filters by action prefix as you type. */
static void
audit_filter(struct console *c, const char *text)
{
	snprintf(au.action, sizeof au.action, "%s", text);
	audit_open(c);
}

static void
audit_click(struct console *c, int row, bool twice)
{
	if (row < 2 || au.view.top + row - 2 >= (int)au.n)
		return;
	au.view.sel = au.view.top + row - 2;
	au.follow = au.view.sel == au.view.n - 1;
	if (twice)
		show_detail(c, &au.rows[au.view.sel]);
}

static void
audit_pane_done(struct console *c)
{
	(void)c;
	entries_free(au.rows, &au.n);
	entries_free(au.pending, &au.npending);
	free(au.rows);
	free(au.pending);
	au.rows = au.pending = NULL;
	au.cap = au.pending_cap = 0;
}

const struct pane_ops pane_audit_ops = {
	.id = PANE_AUDIT,
	.needs_tenant = true,
	.open = audit_open,
	.draw = audit_draw,
	.handle = audit_handle,
	.click = audit_click,
	.audit = audit_live,
	.filter = audit_filter,
	.done = audit_pane_done,
};
