/* pane_apikeys.c - a tenant's API keys: the table with each key's state,
 * a form to create one (its secret shown once, then only its hash is
 * kept), revocation confirmed by typing the key's name, and the detail of
 * a key.
 */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/validate.h"
#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

#define EXPIRES_MAX_DAYS 36500

/* The pane: the keys of the tenant shown. */
struct apikeys {
	struct pane_instance pane;
	struct pane_list list;    /* of struct api_key */
	char form_tenant[ID_LEN]; /* the tenant of the open form */
};

static struct apikeys *
apikeys_of(struct console *c)
{
	return (struct apikeys *)c->panes[PANE_APIKEYS];
}

static enum api_key_state
key_state(const struct api_key *k)
{
	return api_key_state(k, console_now_us());
}

/* A reply about another tenant than the one shown is dropped. */
static bool
stale(struct console *c, const struct job *j)
{
	return !c->have_tenant || strcmp(j->tenant, c->tenant.id) != 0;
}

/* ---- load ------------------------------------------------------------------- */

static int
list_load(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct api_key_list out = { 0 };
	int rc = store_apikey_list(&out, st, j->job.tenant, e);

	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

static const char *
row_id(const void *row)
{
	return ((const struct api_key *)row)->id;
}

static const struct pane_list_ops list_ops = {
	.what = "loading API keys",
	.name = "API keys",
	.row_size = sizeof(struct api_key),
	.per_tenant = true,
	.load = list_load,
	.row_id = row_id,
};

static void
apikeys_init(struct pane_instance *p)
{
	pane_list_init(&((struct apikeys *)p)->list, &list_ops, p, 2, 0);
}

static void
apikeys_open(struct console *c, struct pane_instance *p)
{
	struct apikeys *ak = (struct apikeys *)p;

	pane_list_sync(&ak->list, c);
	pane_list_load(c, &ak->list, false);
}

/* ---- detail ----------------------------------------------------------------------- */

static const char *
full_time(usec_t t, char *buf, size_t size, const char *none)
{
	if (!t || time_format(buf, size, t) < 0)
		snprintf(buf, size, "%s", none);
	return buf;
}

static void
detail_show(struct console *c, const struct api_key *k)
{
	char scopes[256], slug[SLUG_LEN], created[TIME_LEN], expires[TIME_LEN], used[TIME_LEN];
	char revoked[TIME_LEN], text[2048], title[96];

	scope_mask_format(scopes, sizeof scopes, k->scopes);
	snprintf(text, sizeof text,
		 "name        %s\nid          %s\ntenant      %s (%s)\nprefix      tnt_%s\n"
		 "scopes      %s\ncreated by  %s\ncreated     %s\nexpires     %s\n"
		 "last used   %s\nrevoked     %s\nstate       %s",
		 k->name[0] ? k->name : "-", k->id,
		 console_tenant_label(c, k->tenant_id, slug, sizeof slug), k->tenant_id, k->prefix,
		 scopes[0] ? scopes : "-", k->created_by[0] ? k->created_by : "-",
		 full_time(k->created_at, created, sizeof created, "-"),
		 full_time(k->expires_at, expires, sizeof expires, "never"),
		 full_time(k->last_used_at, used, sizeof used, "never"),
		 full_time(k->revoked_at, revoked, sizeof revoked, "no"),
		 api_key_state_name(key_state(k)));
	snprintf(title, sizeof title, "API key %s", k->name[0] ? k->name : k->prefix);
	console_show_text(c, title, text);
}

/* ---- create ----------------------------------------------------------------------- */

struct create_job {
	struct job job;
	char name[64];
	scope_mask scopes;
	usec_t expires_at;
	struct api_key out;
	char secret[128]; /* the key itself, wiped when freed */
};

static int
create_run(struct job *j, struct store *st, struct err *e)
{
	struct create_job *cj = (struct create_job *)j;

	return store_apikey_create(&cj->out, cj->secret, st, j->tenant, cj->name, cj->scopes,
				   cj->expires_at, e);
}

/* The key is shown even when the form was left while it was being made:
 * there is no other chance to see it. */
static void
create_done(struct console *c, struct job *j)
{
	struct create_job *cj = (struct create_job *)j;
	char text[1024], scopes[256], expires[TIME_LEN];

	if (c->modal.kind == MODAL_FORM && c->modal.busy)
		form_finish(c, j);
	else if (console_failed(c, j, "new API key"))
		return;
	if (j->rc < 0)
		return;
	scope_mask_format(scopes, sizeof scopes, cj->out.scopes);
	snprintf(text, sizeof text,
		 "Key %s (tnt_%s%s):\n\n  %s\n\nCopy it now. Only its hash is kept: it cannot be "
		 "shown again.\n\nscopes   %s\nexpires  %s",
		 cj->out.name, cj->out.prefix, widget_glyphs()->ellipsis, cj->secret, scopes,
		 full_time(cj->out.expires_at, expires, sizeof expires, "never"));
	console_show_secret(c, "API key (shown once)", text, "API key", cj->secret);
	explicit_bzero(text, sizeof text);
	if (stale(c, j))
		return;
	pane_list_keep(&apikeys_of(c)->list, cj->out.id);
	pane_list_load(c, &apikeys_of(c)->list, false);
}

static void
create_destroy(struct job *j)
{
	struct create_job *cj = (struct create_job *)j;

	explicit_bzero(cj->secret, sizeof cj->secret);
}

/* Scope names separated by commas or spaces. */
static int
scopes_parse(scope_mask *out, const char *s, char *error, size_t size)
{
	char buf[LINE_MAX_BYTES], *save = NULL;

	*out = 0;
	snprintf(buf, sizeof buf, "%s", s);
	for (char *w = strtok_r(buf, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		enum scope sc;

		if (scope_parse(w, &sc) < 0) {
			snprintf(error, size, "scopes: no scope %s (the known ones are above)", w);
			return -1;
		}
		*out |= (scope_mask)1 << sc;
	}
	if (!*out) {
		snprintf(error, size, "scopes: name at least one");
		return -1;
	}
	return 0;
}

/* Whole days from now, 0 = never; sets *out to the expiry time. */
static int
expiry_parse(usec_t *out, const char *s, char *error, size_t size)
{
	char *end;
	long days;

	*out = 0;
	days = strtol(s, &end, 10);
	if (!*s || *end || days < 0 || days > EXPIRES_MAX_DAYS) {
		snprintf(error, size, "expires: whole days from 0 (never) to %d", EXPIRES_MAX_DAYS);
		return -1;
	}
	if (days) /* to the second */
		*out = (console_now_us() / USEC_PER_SEC) * USEC_PER_SEC + days * USEC_PER_DAY;
	return 0;
}

enum { F_NAME, F_SCOPES, F_DAYS };

static int
form_fail(struct modal *m, int field)
{
	m->focus = field;
	return -1;
}

/* `tenantry apikey create TENANT --name N --scopes A,B [--expires Nd]`. */
static void
apikey_journal(struct console *c, struct job *j, const struct modal *m)
{
	char scopes[LINE_MAX_BYTES] = "", buf[LINE_MAX_BYTES], days[32], *save = NULL;
	const char *t = strcmp(j->tenant, c->tenant.id) == 0 ? c->tenant.slug : j->tenant;

	snprintf(buf, sizeof buf, "%s", form_value(m, F_SCOPES));
	for (char *w = strtok_r(buf, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save))
		snprintf(scopes + strlen(scopes), sizeof scopes - strlen(scopes), "%s%s",
			 scopes[0] ? "," : "", w);
	job_journal(c, j, "apikey", "create", t, "--name", form_value(m, F_NAME), "--scopes",
		    scopes, NULL);
	if (atol(form_value(m, F_DAYS)) > 0) {
		snprintf(days, sizeof days, "%ldd", atol(form_value(m, F_DAYS)));
		job_journal_more(j, "--expires", days, NULL);
	}
}

/* Checks everything here so that nothing invalid is sent. */
static int
create_submit(struct console *c, struct modal *m)
{
	const char *name = form_value(m, F_NAME);
	struct create_job *cj;
	scope_mask scopes;
	usec_t expires;
	struct err e = { 0 };

	if (validate_name(name, "name", &e) < 0) {
		snprintf(m->error, sizeof m->error, "%s", e.message);
		return form_fail(m, F_NAME);
	}
	if (strlen(name) >= sizeof cj->name) {
		snprintf(m->error, sizeof m->error, "name: at most %zu bytes", sizeof cj->name - 1);
		return form_fail(m, F_NAME);
	}
	if (scopes_parse(&scopes, form_value(m, F_SCOPES), m->error, sizeof m->error) < 0)
		return form_fail(m, F_SCOPES);
	if (expiry_parse(&expires, form_value(m, F_DAYS), m->error, sizeof m->error) < 0)
		return form_fail(m, F_DAYS);
	cj = job_new(sizeof *cj, create_run, create_done);
	cj->job.destroy = create_destroy;
	cj->job.write = true;
	cj->job.what = "creating API key";
	snprintf(cj->job.tenant, sizeof cj->job.tenant, "%s", apikeys_of(c)->form_tenant);
	snprintf(cj->name, sizeof cj->name, "%s", name);
	cj->scopes = scopes;
	cj->expires_at = expires;
	apikey_journal(c, &cj->job, m);
	console_submit(c, &cj->job);
	return 0;
}

/* The note of the form: every scope, a few to a line. */
static void
create_note(struct modal *m)
{
	char list[512];
	size_t n = 0, line = 0;

	for (int i = 0; i < SCOPE_COUNT && n < sizeof list; i++) {
		const char *name = scope_name((enum scope)i);

		if (line + strlen(name) > 64) {
			n += (size_t)snprintf(list + n, sizeof list - n, "\n");
			line = 0;
		}
		if (n < sizeof list) {
			int w =
			    snprintf(list + n, sizeof list - n, "%s%s", line ? " " : "  ", name);

			n += (size_t)w;
			line += (size_t)w;
		}
	}
	form_note(m,
		  "Scopes, separated by commas or spaces:\n%s\n"
		  "Expiry in days, 0 = never. The key is shown once, when it is made.",
		  list);
}

static void
create_start(struct console *c)
{
	char title[SLUG_LEN + 32];
	struct modal *m;

	snprintf(title, sizeof title, "New API key for %s", c->tenant.slug);
	m = form_open(c, title, create_submit);
	snprintf(apikeys_of(c)->form_tenant, sizeof apikeys_of(c)->form_tenant, "%s", c->tenant.id);
	form_add_text(m, "name", "");
	form_add_text(m, "scopes", "tenant:read");
	form_add_text(m, "expiry (days)", "90");
	create_note(m);
}

/* ---- revoke ----------------------------------------------------------------------- */

struct revoke_job {
	struct job job;
	char id[ID_LEN];
	char label[KEY_LEN];
};

static int
revoke_run(struct job *j, struct store *st, struct err *e)
{
	return store_apikey_revoke(st, j->tenant, ((struct revoke_job *)j)->id, e);
}

static void
revoke_done(struct console *c, struct job *j)
{
	struct revoke_job *rj = (struct revoke_job *)j;

	if (c->modal.kind == MODAL_FORM && c->modal.busy)
		form_finish(c, j);
	else if (console_failed(c, j, "revoke"))
		return;
	if (j->rc < 0 || stale(c, j))
		return;
	console_message(c, THEME_ROLE_OK, "revoked %s", rj->label);
	pane_list_load(c, &apikeys_of(c)->list, false);
}

/* m->ref is the key's id, m->ref2 what has to be typed: its name (or its
 * prefix when it has none). */
static int
revoke_submit(struct console *c, struct modal *m)
{
	struct revoke_job *rj;

	if (strcmp(form_value(m, 0), m->ref2) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	rj = job_new(sizeof *rj, revoke_run, revoke_done);
	rj->job.write = true;
	rj->job.what = "revoking API key";
	snprintf(rj->job.tenant, sizeof rj->job.tenant, "%s", apikeys_of(c)->form_tenant);
	snprintf(rj->id, sizeof rj->id, "%s", m->ref);
	snprintf(rj->label, sizeof rj->label, "%s", m->ref2);
	job_journal(c, &rj->job, "apikey", "revoke",
		    strcmp(rj->job.tenant, c->tenant.id) == 0 ? c->tenant.slug : rj->job.tenant,
		    rj->id, NULL);
	console_submit(c, &rj->job);
	return 0;
}

static void
revoke_confirm(struct console *c, const struct api_key *k)
{
	const char *label = k->name[0] ? k->name : k->prefix;
	char title[96];
	struct modal *m;

	if (key_state(k) == API_KEY_REVOKED) {
		console_message(c, THEME_ROLE_WARNING, "%s is already revoked", label);
		return;
	}
	snprintf(title, sizeof title, "Revoke API key %s", label);
	m = form_open(c, title, revoke_submit);
	snprintf(apikeys_of(c)->form_tenant, sizeof apikeys_of(c)->form_tenant, "%s", c->tenant.id);
	snprintf(m->ref, sizeof m->ref, "%s", k->id);
	snprintf(m->ref2, sizeof m->ref2, "%s", label);
	form_note(m,
		  "Requests made with it are refused from now on; this cannot be undone.\n"
		  "Type its %s (%s) to confirm.",
		  k->name[0] ? "name" : "prefix", label);
	form_add_text(m, k->name[0] ? "name" : "prefix", "");
}

/* ---- draw ------------------------------------------------------------------------- */

static const struct column_spec cols[] = {
	{ 10, 32, 2 }, /* name */
	{ 17, 17, 0 }, /* prefix: tnt_ and 12 hex digits */
	{ 11, 0, 3 },  /* scopes */
	{ 10, 30, 1 }, /* created by */
	{ 10, 10, 0 }, /* created */
	{ 10, 10, 0 }, /* expires */
	{ 10, 10, 0 }, /* last used */
	{ 7, 7, 0 },   /* state */
};
#define NCOLS (sizeof cols / sizeof cols[0])

static void
row_cells(char cell[NCOLS][256], const struct api_key *k)
{
	snprintf(cell[0], sizeof cell[0], "%s", k->name);
	snprintf(cell[1], sizeof cell[1], "tnt_%s%s", k->prefix, widget_glyphs()->ellipsis);
	scope_mask_format(cell[2], sizeof cell[2], k->scopes);
	snprintf(cell[3], sizeof cell[3], "%s", k->created_by);
	console_time(k->created_at, cell[4], sizeof cell[4]);
	if (k->expires_at)
		console_time(k->expires_at, cell[5], sizeof cell[5]);
	else
		snprintf(cell[5], sizeof cell[5], "never");
	if (k->last_used_at)
		console_time(k->last_used_at, cell[6], sizeof cell[6]);
	else
		snprintf(cell[6], sizeof cell[6], "never");
	snprintf(cell[7], sizeof cell[7], "%s", api_key_state_name(key_state(k)));
}

/* Revoked and expired keys are dimmed; the state of an active one is
 * coloured like an active tenant. */
static void
draw_row(WINDOW *w, int y, int width, const int *wd, const struct api_key *k, bool sel, bool alt)
{
	attr_t base = theme_attr(sel   ? THEME_ROLE_SELECTED
				 : alt ? THEME_ROLE_ROW_ALT
				       : THEME_ROLE_ROW);
	enum api_key_state s = key_state(k);
	char cell[NCOLS][256];
	int x = 0;

	if (!sel && s != API_KEY_ACTIVE)
		base = theme_attr(THEME_ROLE_DIM);
	row_cells(cell, k);
	draw_text(w, y, 0, width, base, "");
	for (size_t i = 0; i < NCOLS; i++) {
		attr_t a = base;

		if (!wd[i])
			continue;
		if (i == NCOLS - 1 && !sel && s == API_KEY_ACTIVE)
			a = theme_attr(THEME_ROLE_STATUS_ACTIVE);
		draw_text(w, y, x, wd[i], a, cell[i]);
		x += wd[i] + 1;
	}
}

static void
draw_head(WINDOW *w, int width, const int *wd, const struct pane_list *l, size_t n)
{
	static const char *const head[NCOLS] = { "NAME",    "PREFIX",  "SCOPES",    "CREATED BY",
						 "CREATED", "EXPIRES", "LAST USED", "STATE" };
	size_t active = 0;
	char info[96];
	int x = 0;

	for (size_t i = 0; i < n; i++)
		active += key_state(pane_list_row(l, i)) == API_KEY_ACTIVE;
	snprintf(info, sizeof info, " %zu API keys, %zu active%s", n, active,
		 l->loading ? "  loading…" : "");
	draw_text(w, 0, 0, width, theme_attr(THEME_ROLE_DIM), info);
	draw_text(w, 1, 0, width, theme_attr(THEME_ROLE_HEADER), "");
	for (size_t i = 0; i < NCOLS; i++) {
		if (!wd[i])
			continue;
		draw_text(w, 1, x, wd[i], theme_attr(THEME_ROLE_HEADER), head[i]);
		x += wd[i] + 1;
	}
}

static void
apikeys_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int h, int width)
{
	const struct pane_list *l = &((const struct apikeys *)p)->list;
	size_t n = pane_list_shown(l, c);
	int wd[NCOLS];

	(void)h;
	layout_columns(cols, NCOLS, width, 1, wd);
	draw_head(w, width, wd, l, n);
	if (!n)
		draw_text(w, 3, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  l->loading || !pane_list_loaded(l, c) ? "loading…" : "no API keys yet");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;

		draw_row(w, 2 + r, width, wd, pane_list_row(l, (size_t)i), i == l->view.sel, i % 2);
	}
}

/* ---- input ------------------------------------------------------------------------ */

static bool
apikeys_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct pane_list *l = &((struct apikeys *)p)->list;
	const struct api_key *k;

	pane_list_sync(l, c);
	k = pane_list_selected(l);
	if (pane_list_move(l, a))
		return true;
	switch (a) {
	case ACTION_SELECT:
	case ACTION_DETAIL:
		if (k)
			detail_show(c, k);
		return true;
	case ACTION_CREATE_APIKEY:
		if (console_may(c, a, PERM_APIKEYS_MANAGE))
			create_start(c);
		return true;
	case ACTION_REVOKE:
		if (k && console_may(c, a, PERM_APIKEYS_MANAGE))
			revoke_confirm(c, k);
		return true;
	default:
		return false;
	}
}

static void
apikeys_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	if (pane_list_click(&((struct apikeys *)p)->list, row) && twice)
		apikeys_handle(c, p, ACTION_DETAIL);
}

static void
apikeys_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct apikeys *)p)->list);
}

static void
apikeys_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	pane_list_free(&((struct apikeys *)p)->list);
}

static bool
apikeys_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	     char *value, size_t vsize)
{
	const struct pane_list *l = &((const struct apikeys *)p)->list;
	const struct api_key *k = pane_list_current(l, c) ? pane_list_selected(l) : NULL;

	if (!k)
		return false;
	snprintf(what, wsize, "key id");
	snprintf(value, vsize, "%s", k->id);
	return true;
}

const struct pane_ops pane_apikeys_ops = {
	.id = PANE_APIKEYS,
	.needs_tenant = true,
	.size = sizeof(struct apikeys),
	.init = apikeys_init,
	.open = apikeys_open,
	.resize = apikeys_resize,
	.draw = apikeys_draw,
	.handle = apikeys_handle,
	.copy = apikeys_copy,
	.click = apikeys_click,
	.done = apikeys_done,
};
