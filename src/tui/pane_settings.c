/* pane_settings.c - a tenant's typed settings: the table, one form to add
 * or edit a setting that checks the value against its type before anything
 * is sent, delete confirmed by typing the key, and the audited reveal of a
 * secret, whose plaintext stays on its row until the pane is reopened or
 * the tenant changes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "tui/console.h"
#include "tui/journal.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

/* A revealed secret: the key and its plaintext (owned, wiped when freed). */
struct reveal {
	char key[KEY_LEN];
	char *plain;
};

/* The pane: the settings of the tenant shown, and the secrets revealed
 * since it was opened (the list's tenant's too). */
struct settings {
	struct pane_instance pane;
	struct pane_list list; /* of struct setting */
	struct reveal *reveal;
	size_t nreveal;
};

static struct settings *
settings_of(struct console *c)
{
	return (struct settings *)c->panes[PANE_SETTINGS];
}

/* ---- state ---------------------------------------------------------------- */

static void
wipe_free(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void
reveals_free(struct settings *sp)
{
	for (size_t i = 0; i < sp->nreveal; i++)
		wipe_free(sp->reveal[i].plain);
	free(sp->reveal);
	sp->reveal = NULL;
	sp->nreveal = 0;
}

static const struct reveal *
reveal_find(const struct settings *sp, const char *key)
{
	for (size_t i = 0; i < sp->nreveal; i++)
		if (strcmp(sp->reveal[i].key, key) == 0)
			return &sp->reveal[i];
	return NULL;
}

/* Forgets the plaintext of key (it was changed or deleted). */
static void
reveal_drop(struct settings *sp, const char *key)
{
	const struct reveal *found = reveal_find(sp, key);
	struct reveal *r;

	if (!found)
		return;
	r = &sp->reveal[found - sp->reveal];
	wipe_free(r->plain);
	*r = sp->reveal[--sp->nreveal];
}

/* Keeps plain (taking it over) as the plaintext of key. */
static void
reveal_add(struct settings *sp, const char *key, char *plain)
{
	struct reveal *r;

	reveal_drop(sp, key);
	if (!(r = realloc(sp->reveal, (sp->nreveal + 1) * sizeof *r)))
		abort();
	sp->reveal = r;
	r = &sp->reveal[sp->nreveal++];
	snprintf(r->key, sizeof r->key, "%s", key);
	r->plain = plain;
}

/* The rows and reveals belong to one tenant: forget them when it changed. */
static void
sync_tenant(struct console *c, struct settings *sp)
{
	if (pane_list_sync(&sp->list, c))
		reveals_free(sp);
}

static bool
is_secret(const struct setting *s)
{
	return s->encrypted || s->type == SETTING_SECRET;
}

/* A reply about another tenant than the one shown is dropped. */
static bool
stale(struct console *c, const struct job *j)
{
	return !c->have_tenant || strcmp(j->tenant, c->tenant.id) != 0;
}

/* The store answers ERR_UNAVAILABLE both for a lost connection and for a
 * secret it cannot seal or open without the master key. The worker waits
 * out the first and runs a read again, which would never end for the
 * second: when the store still answers, it is a plain failure. */
static int
unless_answering(struct store *st, struct err *e)
{
	struct err ping = { 0 };

	if (e->code == ERR_UNAVAILABLE && store_ping(st, &ping) == 0) {
		e->code = ERR_BAD_REQUEST;
		e->status = err_code_status(ERR_BAD_REQUEST);
	}
	return -1;
}

/* ---- load ------------------------------------------------------------------- */

static int
list_load(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct setting_list out = { 0 };
	int rc = store_setting_list(&out, st, j->job.tenant, e);

	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

static void
row_clear(void *row)
{
	setting_clear(row);
}

static const char *
row_id(const void *row)
{
	return ((const struct setting *)row)->key;
}

static const struct pane_list_ops list_ops = {
	.what = "loading settings",
	.name = "settings",
	.row_size = sizeof(struct setting),
	.per_tenant = true,
	.load = list_load,
	.row_clear = row_clear,
	.row_id = row_id,
};

static void
settings_init(struct pane_instance *p)
{
	pane_list_init(&((struct settings *)p)->list, &list_ops, p, 2, 0);
}

static void
settings_open(struct console *c, struct pane_instance *p)
{
	struct settings *sp = (struct settings *)p;

	sync_tenant(c, sp);
	reveals_free(sp); /* a reveal lasts until the pane is reopened */
	pane_list_load(c, &sp->list, false);
}

/* ---- put, delete, reveal ------------------------------------------------------ */

enum setting_op { OP_PUT, OP_DELETE, OP_REVEAL };

struct setting_job {
	struct job job;
	enum setting_op op;
	char key[KEY_LEN];
	enum setting_type type;
	char value[LINE_MAX_BYTES]; /* wiped when freed: it may be a secret */
	struct setting out;         /* a revealed plaintext, wiped too */
};

static int
setting_run(struct job *j, struct store *st, struct err *e)
{
	struct setting_job *sj = (struct setting_job *)j;
	int rc;

	if (sj->op == OP_DELETE)
		return store_setting_delete(st, j->tenant, sj->key, e);
	if (sj->op == OP_PUT)
		rc = store_setting_put(&sj->out, st, j->tenant, sj->key, sj->type, sj->value, e);
	else
		rc = store_setting_get(&sj->out, st, j->tenant, sj->key, true, e);
	return rc < 0 ? unless_answering(st, e) : 0;
}

static void
put_done(struct console *c, struct job *j)
{
	struct setting_job *sj = (struct setting_job *)j;

	if (c->modal.kind == MODAL_FORM && c->modal.busy)
		form_finish(c, j);
	else if (console_failed(c, j, sj->key))
		return;
	if (j->rc < 0 || stale(c, j))
		return;
	reveal_drop(settings_of(c), sj->key);
	if (sj->op == OP_PUT)
		pane_list_keep(&settings_of(c)->list, sj->key);
	console_message(c, THEME_ROLE_OK, "%s %s", sj->op == OP_PUT ? "saved" : "deleted", sj->key);
	pane_list_load(c, &settings_of(c)->list, false);
}

static void
reveal_done(struct console *c, struct job *j)
{
	struct setting_job *sj = (struct setting_job *)j;

	if (stale(c, j) || console_failed(c, j, "reveal"))
		return;
	if (!sj->out.revealed) {
		console_message(c, THEME_ROLE_WARNING, "%s is no longer a secret", sj->key);
		pane_list_load(c, &settings_of(c)->list, false);
		return;
	}
	reveal_add(settings_of(c), sj->key, sj->out.value);
	sj->out.value = NULL; /* moved */
	console_message(c, THEME_ROLE_WARNING, "revealed %s (audited)", sj->key);
}

static void
setting_destroy(struct job *j)
{
	struct setting_job *sj = (struct setting_job *)j;

	explicit_bzero(sj->value, sizeof sj->value);
	wipe_free(sj->out.value);
	sj->out.value = NULL;
}

/* `tenantry settings set|delete|get ...`; a secret's value is not
 * written down: the line takes it from TENANTRY_SECRET (and stops, saying
 * so, when it is not set). */
static void
setting_journal(struct console *c, struct setting_job *sj)
{
	const char *t = strcmp(sj->job.tenant, c->tenant.id) == 0 ? c->tenant.slug : sj->job.tenant;

	if (sj->op == OP_DELETE) {
		job_journal(c, &sj->job, "settings", "delete", t, sj->key, NULL);
		return;
	}
	if (sj->op == OP_REVEAL) {
		job_journal(c, &sj->job, "settings", "get", t, sj->key, "--reveal", NULL);
		return;
	}
	job_journal(c, &sj->job, "settings", "set", t, sj->key, NULL);
	if (sj->type == SETTING_SECRET)
		journal_add_raw(&sj->job.journal,
				"\"${TENANTRY_SECRET:?the value of the secret}\"");
	else
		job_journal_more(&sj->job, sj->value, NULL);
	job_journal_more(&sj->job, "--type", setting_type_name(sj->type), NULL);
}

static void
setting_job_submit(struct console *c, enum setting_op op, const char *tenant, const char *key,
		   enum setting_type type, const char *value)
{
	static const char *const what[] = { "saving setting", "deleting setting",
					    "revealing secret" };
	struct setting_job *sj =
	    job_new(sizeof *sj, setting_run, op == OP_REVEAL ? reveal_done : put_done);

	sj->job.destroy = setting_destroy;
	sj->job.write = op != OP_REVEAL;
	sj->job.what = what[op];
	snprintf(sj->job.tenant, sizeof sj->job.tenant, "%s", tenant);
	snprintf(sj->key, sizeof sj->key, "%s", key);
	sj->op = op;
	sj->type = type;
	snprintf(sj->value, sizeof sj->value, "%s", value ? value : "");
	setting_journal(c, sj);
	console_submit(c, &sj->job);
}

/* ---- the setting form -------------------------------------------------------------- */

enum { F_KEY, F_TYPE, F_VALUE };

static int
form_fail(struct modal *m, int field, const char *message)
{
	snprintf(m->error, sizeof m->error, "%s", message);
	m->focus = field;
	return -1;
}

/* Checks everything here so that nothing invalid is sent. The form's
 * m->ref is the tenant, m->ref2 the key being edited ("" for a new one). */
static int
setting_submit(struct console *c, struct modal *m)
{
	const char *key = form_value(m, F_KEY), *value = form_value(m, F_VALUE);
	enum setting_type type;
	struct err e = { 0 };

	const struct pane_list *l = &settings_of(c)->list;

	if (validate_setting_key(key, &e) < 0)
		return form_fail(m, F_KEY, e.message);
	if (!m->ref2[0])
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(((const struct setting *)pane_list_row(l, i))->key, key) == 0)
				return form_fail(m, F_KEY, "this key exists: edit it instead (e)");
	if (setting_type_parse(form_value(m, F_TYPE), &type) < 0)
		return form_fail(m, F_TYPE, "unknown type");
	if (validate_setting(type, value, &e) < 0)
		return form_fail(m, F_VALUE, e.message);
	setting_job_submit(c, OP_PUT, m->ref, key, type, value);
	return 0;
}

/* The value is typed masked while the chosen type is secret: when the
 * form opens and after each key it takes (its `changed`). */
static void
form_sync(struct modal *m)
{
	if (m->kind != MODAL_FORM || m->submit != setting_submit)
		return;
	m->field[F_VALUE].kind =
	    strcmp(form_value(m, F_TYPE), setting_type_name(SETTING_SECRET)) == 0 ? FIELD_SECRET
										  : FIELD_TEXT;
}

/* The text the value field starts with: the value, a revealed secret's
 * plaintext, or nothing for a masked secret. NULL when it does not fit. */
static const char *
form_initial(const struct settings *sp, const struct setting *s)
{
	const struct reveal *r;

	if (!s)
		return "";
	if (is_secret(s))
		return (r = reveal_find(sp, s->key)) ? r->plain : "";
	return s->value && strlen(s->value) < LINE_MAX_BYTES ? s->value : NULL;
}

/* Opens the form on s, or on a new setting when s is NULL. */
static void
setting_form(struct console *c, const struct setting *s)
{
	const struct settings *sp = settings_of(c);
	const char *types[SETTING_TYPE_COUNT], *initial = form_initial(sp, s);
	char title[KEY_LEN + 16];
	struct modal *m;

	if (!initial) {
		console_message(c, THEME_ROLE_ERROR,
				"%s is longer than the form holds: use tenantry settings set",
				s->key);
		return;
	}
	for (int t = 0; t < SETTING_TYPE_COUNT; t++)
		types[t] = setting_type_name((enum setting_type)t);
	snprintf(title, sizeof title, s ? "Setting %s" : "New setting", s ? s->key : "");
	m = form_open(c, title, setting_submit);
	snprintf(m->ref, sizeof m->ref, "%s", c->tenant.id);
	snprintf(m->ref2, sizeof m->ref2, "%s", s ? s->key : "");
	form_add_text(m, "key", s ? s->key : "")->readonly = s != NULL;
	form_add_choice(m, "type", types, SETTING_TYPE_COUNT, s ? (int)s->type : SETTING_STRING);
	form_add_text(m, "value", initial);
	m->changed = form_sync;
	form_sync(m);
	if (s && is_secret(s) && !reveal_find(sp, s->key))
		form_note(m, "The secret is not shown: type the new value.");
	else if (!s)
		form_note(m, "Key: a-z 0-9 _ . - starting with a letter. The value is\n"
			     "checked against the type before it is saved.");
	m->focus = s ? F_VALUE : F_KEY;
}

static int
delete_submit(struct console *c, struct modal *m)
{
	if (strcmp(form_value(m, 0), m->ref2) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	setting_job_submit(c, OP_DELETE, m->ref, m->ref2, SETTING_STRING, NULL);
	return 0;
}

static void
delete_confirm(struct console *c, const struct setting *s)
{
	char title[KEY_LEN + 24];
	struct modal *m;

	snprintf(title, sizeof title, "Delete setting %s", s->key);
	m = form_open(c, title, delete_submit);
	snprintf(m->ref, sizeof m->ref, "%s", c->tenant.id);
	snprintf(m->ref2, sizeof m->ref2, "%s", s->key);
	form_note(m, "The setting is removed for good.\nType its key (%s) to confirm.", s->key);
	form_add_text(m, "key", "");
}

static void
reveal_start(struct console *c, const struct setting *s)
{
	if (!is_secret(s)) {
		console_message(c, THEME_ROLE_WARNING, "%s is not a secret", s->key);
		return;
	}
	if (reveal_find(settings_of(c), s->key)) {
		console_message(c, THEME_ROLE_WARNING, "%s is already shown", s->key);
		return;
	}
	setting_job_submit(c, OP_REVEAL, c->tenant.id, s->key, s->type, NULL);
}

/* ---- draw ------------------------------------------------------------------------- */

static const struct column_spec cols[] = {
	{ 12, 40, 2 }, /* key */
	{ 8, 8, 0 },   /* type */
	{ 16, 0, 5 },  /* value */
	{ 10, 10, 0 }, /* updated at */
	{ 12, 32, 1 }, /* updated by */
};
#define NCOLS (sizeof cols / sizeof cols[0])

/* A JSON text on one line: every run of white space that holds a line
 * break or a tab (never inside a JSON string) becomes one space, or none
 * after an opening or before a closing bracket. */
static void
json_one_line(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (const char *s = src; *s && n + 1 < size; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t') {
			while (s[1] == ' ' || s[1] == '\n' || s[1] == '\r' || s[1] == '\t')
				s++;
			if (n && !strchr("[{", dst[n - 1]) && s[1] && !strchr("]}", s[1]))
				dst[n++] = ' ';
			continue;
		}
		dst[n++] = *s;
	}
	dst[n] = '\0';
}

/* One cell and the gap after it (already painted with the row). */
static void
draw_cell(WINDOW *w, int y, int *x, int width, attr_t a, const char *text)
{
	if (!width)
		return;
	draw_text(w, y, *x, width, a, text);
	*x += width + 1;
}

static void
draw_row(WINDOW *w, int y, int width, const int *wd, const struct settings *sp,
	 const struct setting *s, bool sel, bool alt)
{
	attr_t base = theme_attr(sel   ? THEME_ROLE_SELECTED
				 : alt ? THEME_ROLE_ROW_ALT
				       : THEME_ROLE_ROW);
	const struct reveal *r = is_secret(s) ? reveal_find(sp, s->key) : NULL;
	char value[1024], at[32];
	int x = 0;

	if (r)
		snprintf(value, sizeof value, "%s", r->plain);
	else if (s->type == SETTING_JSON)
		json_one_line(value, sizeof value, s->value ? s->value : "");
	else
		snprintf(value, sizeof value, "%s", s->value ? s->value : "");
	console_time(s->updated_at, at, sizeof at);
	draw_text(w, y, 0, width, base, "");
	draw_cell(w, y, &x, wd[0], base, s->key);
	draw_cell(w, y, &x, wd[1], sel ? base : theme_attr(THEME_ROLE_DIM),
		  setting_type_name(s->type));
	draw_cell(w, y, &x, wd[2], is_secret(s) && !sel ? theme_attr(THEME_ROLE_SECRET) : base,
		  value);
	draw_cell(w, y, &x, wd[3], base, at);
	draw_cell(w, y, &x, wd[4], base, s->updated_by);
	explicit_bzero(value, sizeof value);
}

static void
draw_head(WINDOW *w, int width, const int *wd, const struct settings *sp, size_t n, bool current)
{
	static const char *const head[NCOLS] = { "KEY", "TYPE", "VALUE", "UPDATED", "UPDATED BY" };
	char info[160];
	int x = 0;

	snprintf(info, sizeof info, " %zu settings%s%s", n,
		 sp->nreveal && current ? "  (revealed secrets are shown until you leave the pane)"
					: "",
		 sp->list.loading ? "  loading…" : "");
	draw_text(w, 0, 0, width, theme_attr(THEME_ROLE_DIM), info);
	draw_text(w, 1, 0, width, theme_attr(THEME_ROLE_HEADER), "");
	for (size_t k = 0; k < NCOLS; k++)
		draw_cell(w, 1, &x, wd[k], theme_attr(THEME_ROLE_HEADER), head[k]);
}

static void
settings_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int h, int width)
{
	const struct settings *sp = (const struct settings *)p;
	const struct pane_list *l = &sp->list;
	size_t n = pane_list_shown(l, c);
	int wd[NCOLS];

	(void)h;
	layout_columns(cols, NCOLS, width, 1, wd);
	draw_head(w, width, wd, sp, n, pane_list_current(l, c));
	if (!n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  l->loading || !pane_list_loaded(l, c) ? "loading…" : "no settings yet");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;

		draw_row(w, 2 + r, width, wd, sp, pane_list_row(l, (size_t)i), i == l->view.sel,
			 i % 2);
	}
}

/* ---- input ------------------------------------------------------------------------ */

static bool
settings_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct settings *sp = (struct settings *)p;
	const struct setting *s;

	sync_tenant(c, sp);
	s = pane_list_selected(&sp->list);
	if (pane_list_move(&sp->list, a))
		return true;
	switch (a) {
	case ACTION_SELECT:
	case ACTION_EDIT:
		if (s && console_may(c, ACTION_EDIT, PERM_SETTINGS_WRITE))
			setting_form(c, s);
		return true;
	case ACTION_CREATE_SETTING:
		if (console_may(c, a, PERM_SETTINGS_WRITE))
			setting_form(c, NULL);
		return true;
	case ACTION_DELETE:
		if (s && console_may(c, a, PERM_SETTINGS_WRITE))
			delete_confirm(c, s);
		return true;
	case ACTION_REVEAL_SECRET:
		if (s && console_may(c, a, PERM_SECRETS_REVEAL))
			reveal_start(c, s);
		return true;
	default:
		return false;
	}
}

static void
settings_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	if (pane_list_click(&((struct settings *)p)->list, row) && twice)
		settings_handle(c, p, ACTION_EDIT);
}

static void
settings_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct settings *)p)->list);
}

static void
settings_done(struct console *c, struct pane_instance *p)
{
	struct settings *sp = (struct settings *)p;

	(void)c;
	pane_list_free(&sp->list);
	reveals_free(sp);
}

static bool
settings_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	      char *value, size_t vsize)
{
	const struct pane_list *l = &((const struct settings *)p)->list;
	const struct setting *s = pane_list_current(l, c) ? pane_list_selected(l) : NULL;

	if (!s)
		return false;
	snprintf(what, wsize, "setting key");
	snprintf(value, vsize, "%s", s->key);
	return true;
}

const struct pane_ops pane_settings_ops = {
	.id = PANE_SETTINGS,
	.needs_tenant = true,
	.size = sizeof(struct settings),
	.init = settings_init,
	.open = settings_open,
	.resize = settings_resize,
	.draw = settings_draw,
	.handle = settings_handle,
	.copy = settings_copy,
	.click = settings_click,
	.done = settings_done,
};
