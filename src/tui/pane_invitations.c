/* pane_invitations.c - a tenant's invitations: create (the token is shown
 * once), resend (a new token, shown once), revoke (confirmed by typing the
 * email); expired ones are marked.
 */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/validate.h"
#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

/* The pane: the invitations of the tenant shown. */
struct invitations {
	struct pane_instance pane;
	struct pane_list list; /* of struct invitation */
};

struct invitation_job {
	struct job job;
	struct invitation inv;
	char token[96];
	char id[ID_LEN], email[EMAIL_LEN];
	enum member_role role;
	enum { INV_CREATE, INV_RESEND, INV_REVOKE } op;
};

static const char *
state_of(const struct invitation *i, enum theme_role *role)
{
	*role = THEME_ROLE_ROW;
	if (i->accepted_at)
		return "accepted";
	if (i->revoked_at) {
		*role = THEME_ROLE_DIM;
		return "revoked";
	}
	if (i->expires_at && i->expires_at < console_now_us()) {
		*role = THEME_ROLE_WARNING;
		return "expired";
	}
	return "pending";
}

static int
inv_run(struct job *j, struct store *st, struct err *e)
{
	struct invitation_job *ij = (struct invitation_job *)j;

	switch (ij->op) {
	case INV_CREATE:
		return store_invitation_create(&ij->inv, ij->token, st, j->tenant, ij->email,
					       ij->role, e);
	case INV_RESEND:
		return store_invitation_resend(&ij->inv, ij->token, st, j->tenant, ij->id, e);
	default:
		return store_invitation_revoke(st, j->tenant, ij->id, e);
	}
}

static void
inv_destroy(struct job *j)
{
	struct invitation_job *ij = (struct invitation_job *)j;

	memset(ij->token, 0, sizeof ij->token);
}

static struct invitation_job *
inv_job(struct console *c, int op, void (*done)(struct console *, struct job *))
{
	struct invitation_job *ij = job_new(sizeof *ij, inv_run, done);

	ij->op = op;
	ij->job.destroy = inv_destroy;
	ij->job.write = true;
	ij->job.what = "saving invitation";
	snprintf(ij->job.tenant, sizeof ij->job.tenant, "%s", c->tenant.id);
	return ij;
}

/* Submits ij, recorded in the journal as `tenantry invite ...`. */
static void
inv_submit(struct console *c, struct invitation_job *ij)
{
	if (ij->op == INV_CREATE)
		job_journal(c, &ij->job, "invite", c->tenant.slug, ij->email,
			    member_role_name(ij->role), NULL);
	else
		job_journal(c, &ij->job, "invite", ij->op == INV_RESEND ? "resend" : "revoke",
			    c->tenant.slug, ij->id, NULL);
	console_submit(c, &ij->job);
}

static int
list_load(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct invitation_list out = { 0 };
	int rc = store_invitation_list(&out, st, j->job.tenant, e);

	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

/* Without a row id, the cursor keeps its place after a reload. */
static const struct pane_list_ops list_ops = {
	.what = "loading invitations",
	.name = "invitations",
	.row_size = sizeof(struct invitation),
	.per_tenant = true,
	.load = list_load,
};

static void
invitations_init(struct pane_instance *p)
{
	pane_list_init(&((struct invitations *)p)->list, &list_ops, p, 1, 0);
}

static void
invitations_open(struct console *c, struct pane_instance *p)
{
	struct invitations *iv = (struct invitations *)p;

	pane_list_sync(&iv->list, c);
	pane_list_load(c, &iv->list, false);
}

static void
invitations_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height,
		 int width)
{
	static const struct column_spec cols[] = {
		{ 16, 40, 3 }, { 8, 8, 0 },   { 12, 30, 1 },
		{ 10, 10, 0 }, { 10, 10, 0 }, { 9, 9, 0 },
	};
	static const char *const head[] = { "EMAIL",   "ROLE",    "INVITED BY",
					    "CREATED", "EXPIRES", "STATE" };
	const struct pane_list *l = &((const struct invitations *)p)->list;
	size_t n = pane_list_shown(l, c);
	int wd[6];

	(void)height;
	layout_columns(cols, 6, width, 1, wd);
	table_draw_header(w, 0, wd, 6, head, width);
	if (!n)
		draw_text(w, 2, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  pane_list_loaded(l, c) ? "no invitations (i invites someone)"
						 : "loading…");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;
		const struct invitation *inv = pane_list_row(l, (size_t)i);
		char made[16], ends[16];
		enum theme_role role;
		const char *state = state_of(inv, &role);
		const char *cell[6] = { inv->email,
					member_role_name(inv->role),
					inv->invited_by,
					console_time(inv->created_at, made, sizeof made),
					console_time(inv->expires_at, ends, sizeof ends),
					state };
		attr_t a = theme_attr(i == l->view.sel ? THEME_ROLE_SELECTED : role);

		table_draw_cells(w, 1 + r, wd, 6, cell, a, width);
	}
}

/* ---- writes ------------------------------------------------------------- */

static void
show_token(struct console *c, const struct invitation_job *ij)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "%s is invited to %s as %s.\n\nToken (shown once, it cannot be shown again):\n\n"
		 "  %s\n\nThey accept with:\n  tenantry invite accept %s",
		 ij->inv.email, c->tenant.slug, member_role_name(ij->inv.role), ij->token,
		 ij->token);
	console_show_secret(c, "Invitation token (shown once)", text, "invitation token",
			    ij->token);
}

static void
write_done(struct console *c, struct job *j)
{
	struct invitation_job *ij = (struct invitation_job *)j;

	form_finish(c, j);
	if (j->rc < 0) {
		if (c->modal.kind == MODAL_NONE)
			console_failed(c, j, "invitation");
		return;
	}
	if (ij->op == INV_REVOKE)
		console_message(c, THEME_ROLE_OK, "revoked the invitation of %s", ij->email);
	else {
		show_token(c, ij);
		console_message(c, THEME_ROLE_OK, "invited %s", ij->inv.email);
	}
	if (c->pane == PANE_INVITATIONS && c->have_tenant && strcmp(c->tenant.id, j->tenant) == 0)
		invitations_open(c, c->panes[PANE_INVITATIONS]);
}

static int
invite_submit(struct console *c, struct modal *m)
{
	struct invitation_job *ij = inv_job(c, INV_CREATE, write_done);

	snprintf(ij->email, sizeof ij->email, "%s", form_value(m, 0));
	member_role_parse(form_value(m, 1), &ij->role);
	inv_submit(c, ij);
	return 0;
}

void
invitation_start(struct console *c, const char *email, const char *role)
{
	static const char *const roles[] = { "member", "viewer", "manager", "admin" };
	enum member_role r;
	struct modal *m;
	int sel = 0;

	if (email && role && member_role_parse(role, &r) == 0) {
		struct invitation_job *ij = inv_job(c, INV_CREATE, write_done);

		snprintf(ij->email, sizeof ij->email, "%s", email);
		ij->role = r;
		inv_submit(c, ij);
		return;
	}
	for (int i = 0; role && i < 4; i++)
		if (strcmp(role, roles[i]) == 0)
			sel = i;
	m = form_open(c, "Invite someone", invite_submit);
	form_note(m, "The invitation's token is shown once; it expires after 7 days.");
	form_add_text(m, "email", email);
	form_add_choice(m, "role", roles, 4, sel);
}

static int
revoke_submit(struct console *c, struct modal *m)
{
	struct invitation_job *ij;

	if (strcmp(form_value(m, 0), m->ref2) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	ij = inv_job(c, INV_REVOKE, write_done);
	snprintf(ij->id, sizeof ij->id, "%s", m->ref);
	snprintf(ij->email, sizeof ij->email, "%s", m->ref2);
	inv_submit(c, ij);
	return 0;
}

/* ---- several at once ------------------------------------------------------ */

/* s without leading and trailing blanks (in place). */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

struct bulk_job {
	struct job job;
	struct invite_row rows[FORM_FIELDS];
	size_t n;
};

static int
bulk_run(struct job *j, struct store *st, struct err *e)
{
	struct bulk_job *bj = (struct bulk_job *)j;

	return store_invitation_bulk(bj->rows, bj->n, st, j->tenant, e);
}

static void
bulk_destroy(struct job *j)
{
	struct bulk_job *bj = (struct bulk_job *)j;

	explicit_bzero(bj->rows, sizeof bj->rows);
}

/* The result of each row; the tokens are shown this once. */
static void
bulk_done(struct console *c, struct job *j)
{
	struct bulk_job *bj = (struct bulk_job *)j;
	char text[4096], tokens[2048] = "";
	int len = 0, sent = 0, tlen = 0;

	form_finish(c, j);
	if (j->rc < 0) {
		if (c->modal.kind == MODAL_NONE)
			console_failed(c, j, "invitations");
		return;
	}
	for (size_t i = 0; i < bj->n && len >= 0; i++) {
		const struct invite_row *r = &bj->rows[i];

		sent += r->outcome == INVITE_SENT;
		len = text_append(text, sizeof text, len, "%s (%s): %s\n  %s\n\n", r->email,
				  member_role_name(r->role), invite_outcome_name(r->outcome),
				  r->outcome == INVITE_SENT ? r->token : r->detail);
		if (r->outcome == INVITE_SENT && tlen >= 0)
			tlen =
			    text_append(tokens, sizeof tokens, tlen, "%s %s\n", r->email, r->token);
	}
	/* copy takes every token sent, one "email token" a line */
	if (sent)
		console_show_secret(c, "Invitations (tokens shown once)", text, "invitation tokens",
				    tokens);
	else
		console_show_text(c, "Invitations (tokens shown once)", text);
	explicit_bzero(tokens, sizeof tokens);
	explicit_bzero(text, sizeof text);
	console_message(c, sent == (int)bj->n ? THEME_ROLE_OK : THEME_ROLE_WARNING,
			"invited %d of %zu", sent, bj->n);
	if (c->pane == PANE_INVITATIONS && c->have_tenant && strcmp(c->tenant.id, j->tenant) == 0)
		invitations_open(c, c->panes[PANE_INVITATIONS]);
}

static int
bulk_submit(struct console *c, struct modal *m)
{
	struct bulk_job *bj = job_new(sizeof *bj, bulk_run, bulk_done);

	bj->job.destroy = bulk_destroy;
	bj->job.write = true;
	bj->job.what = "saving invitations";
	snprintf(bj->job.tenant, sizeof bj->job.tenant, "%s", c->tenant.id);
	for (int i = 0; i < m->nfield; i++) {
		const char *line = form_value(m, i);
		char email[EMAIL_LEN + 64], role[64] = "";
		size_t at = strcspn(line, ",");

		if (!line[0])
			continue;
		snprintf(email, sizeof email, "%.*s", (int)at, line);
		if (line[at])
			snprintf(role, sizeof role, "%s", line + at + 1);
		invite_row_fill(&bj->rows[bj->n++], trim(email), trim(role));
	}
	if (!bj->n) {
		bulk_destroy(&bj->job);
		free(bj);
		snprintf(m->error, sizeof m->error, "type one email,role a line");
		return -1;
	}
	for (size_t i = 0; i < bj->n; i++)
		job_journal(c, &bj->job, "invite", c->tenant.slug, bj->rows[i].email,
			    member_role_name(bj->rows[i].role), NULL);
	console_submit(c, &bj->job);
	return 0;
}

static void
invite_many_start(struct console *c)
{
	static const char *const labels[FORM_FIELDS] = { "1", "2", "3", "4", "5", "6", "7", "8" };
	struct modal *m = form_open(c, "Invite several people", bulk_submit);

	form_note(m, "One email,role a line (role defaults to member). Enter on an empty line "
		     "invites them; each gets a result, and tokens are shown once.");
	for (int i = 0; i < FORM_FIELDS; i++)
		form_add_text(m, labels[i], "");
	m->lines = true;
}

static bool
invitations_handle(struct console *c, struct pane_instance *p, enum action a)
{
	struct pane_list *l = &((struct invitations *)p)->list;
	const struct invitation *inv;
	struct modal *m;
	char title[EMAIL_LEN + 32];

	pane_list_sync(l, c);
	inv = pane_list_selected(l);
	if (pane_list_move(l, a))
		return true;
	if (a == ACTION_INVITE) {
		if (console_may(c, a, PERM_INVITATIONS_MANAGE))
			invitation_start(c, NULL, NULL);
		return true;
	}
	if (a == ACTION_INVITE_MANY) {
		if (console_may(c, a, PERM_INVITATIONS_MANAGE))
			invite_many_start(c);
		return true;
	}
	if (!inv || (a != ACTION_RESEND && a != ACTION_REVOKE))
		return false;
	if (!console_may(c, a, PERM_INVITATIONS_MANAGE))
		return true;
	if (a == ACTION_RESEND) {
		struct invitation_job *ij = inv_job(c, INV_RESEND, write_done);

		snprintf(ij->id, sizeof ij->id, "%s", inv->id);
		inv_submit(c, ij);
		return true;
	}
	snprintf(title, sizeof title, "Revoke the invitation of %s", inv->email);
	m = form_open(c, title, revoke_submit);
	form_note(m, "Its token stops working at once. Type the email to confirm.");
	form_add_text(m, "email", "");
	snprintf(m->ref, sizeof m->ref, "%s", inv->id);
	snprintf(m->ref2, sizeof m->ref2, "%.127s", inv->email);
	return true;
}

static void
invitations_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	(void)twice;
	(void)c;
	pane_list_click(&((struct invitations *)p)->list, row);
}

static void
invitations_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct invitations *)p)->list);
}

static void
invitations_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	pane_list_free(&((struct invitations *)p)->list);
}

static bool
invitations_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
		 char *value, size_t vsize)
{
	const struct pane_list *l = &((const struct invitations *)p)->list;
	const struct invitation *inv = pane_list_current(l, c) ? pane_list_selected(l) : NULL;

	if (!inv)
		return false;
	snprintf(what, wsize, "invitation id");
	snprintf(value, vsize, "%s", inv->id);
	return true;
}

const struct pane_ops pane_invitations_ops = {
	.id = PANE_INVITATIONS,
	.needs_tenant = true,
	.size = sizeof(struct invitations),
	.init = invitations_init,
	.open = invitations_open,
	.resize = invitations_resize,
	.draw = invitations_draw,
	.handle = invitations_handle,
	.copy = invitations_copy,
	.click = invitations_click,
	.done = invitations_done,
};
