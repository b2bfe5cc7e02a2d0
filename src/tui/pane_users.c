/* pane_users.c - a tenant's members and their roles: change a role,
 * deactivate or reactivate, remove (confirmed by typing the email), invite.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/pane_list.h"
#include "tui/widget.h"

/* The pane: the members of the tenant shown. */
struct users {
	struct pane_instance pane;
	struct pane_list list; /* of struct member */
};

static struct users *
users_of(struct console *c)
{
	return (struct users *)c->panes[PANE_USERS];
}

struct member_job {
	struct job job;
	char user[ID_LEN], email[EMAIL_LEN];
	enum member_role role;
	bool set_role;
	int active; /* -1 unchanged */
	bool remove;
	struct member m;
};

static int
list_load(struct pane_list_job *j, struct store *st, struct err *e)
{
	struct member_query q = { .role = -1, .active = -1 };
	struct member_list out = { 0 };
	int rc = store_member_list(&out, st, j->job.tenant, &q, e);

	j->rows = out.rows;
	j->n = out.n;
	return rc;
}

/* Without a row id, the cursor keeps its place after a reload. */
static const struct pane_list_ops list_ops = {
	.what = "loading members",
	.name = "members",
	.row_size = sizeof(struct member),
	.per_tenant = true,
	.load = list_load,
};

static void
users_init(struct pane_instance *p)
{
	pane_list_init(&((struct users *)p)->list, &list_ops, p, 1, 0);
}

static void
users_open(struct console *c, struct pane_instance *p)
{
	struct users *us = (struct users *)p;

	pane_list_sync(&us->list, c);
	pane_list_load(c, &us->list, false);
}

/* "+settings.write -audit.read", "" for none. */
static const char *
overrides_text(char *buf, size_t size, const struct perm_overrides *o)
{
	if (perm_overrides_format(buf, size, o) < 0)
		buf[0] = '\0';
	for (char *s = buf; *s; s++)
		if (*s == ',')
			*s = ' ';
	return buf;
}

static void
users_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height, int width)
{
	static const struct column_spec cols[] = {
		{ 16, 40, 3 }, { 10, 30, 2 }, { 8, 8, 0 },   { 6, 40, 1 },
		{ 8, 8, 0 },   { 10, 10, 0 }, { 10, 10, 0 },
	};
	static const char *const head[] = { "EMAIL", "NAME",   "ROLE",  "PERMISSIONS",
					    "STATE", "JOINED", "ACTIVE" };
	const struct pane_list *l = &((const struct users *)p)->list;
	size_t n = pane_list_shown(l, c);
	int wd[7];

	(void)height;
	layout_columns(cols, 7, width, 1, wd);
	table_draw_header(w, 0, wd, 7, head, width);
	if (!n)
		draw_text(w, 2, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  pane_list_loaded(l, c) ? "no members" : "loading…");
	for (int r = 0; r < l->view.height && l->view.top + r < (int)n; r++) {
		int i = l->view.top + r;
		const struct member *m = pane_list_row(l, (size_t)i);
		char joined[16], seen[16], over[512];
		const char *cell[7] = { m->email,
					m->full_name,
					member_role_name(m->role),
					overrides_text(over, sizeof over, &m->over),
					m->active ? "active" : "inactive",
					console_time(m->joined_at, joined, sizeof joined),
					console_time(m->last_active_at, seen, sizeof seen) };
		attr_t a = theme_attr(i == l->view.sel ? THEME_ROLE_SELECTED
				      : !m->active     ? THEME_ROLE_DIM
						       : THEME_ROLE_ROW);

		table_draw_cells(w, 1 + r, wd, 7, cell, a, width);
	}
}

/* ---- writes ------------------------------------------------------------- */

static int
write_run(struct job *j, struct store *st, struct err *e)
{
	struct member_job *mj = (struct member_job *)j;

	if (mj->remove)
		return store_member_remove(st, j->tenant, mj->user, e);
	return store_member_update(&mj->m, st, j->tenant, mj->user, mj->set_role ? &mj->role : NULL,
				   mj->active, NULL, e);
}

static void
write_done(struct console *c, struct job *j)
{
	struct member_job *mj = (struct member_job *)j;

	form_finish(c, j);
	if (j->rc < 0) {
		if (c->modal.kind == MODAL_NONE)
			console_failed(c, j, mj->email);
		return;
	}
	if (mj->remove)
		console_message(c, THEME_ROLE_OK, "removed %s", mj->email);
	else
		console_message(c, THEME_ROLE_OK, "%s: %s, %s", mj->m.email,
				member_role_name(mj->m.role), mj->m.active ? "active" : "inactive");
	if (c->pane == PANE_USERS)
		users_open(c, c->panes[PANE_USERS]);
}

static struct member_job *
write_job(struct console *c, const struct member *m)
{
	struct member_job *mj = job_new(sizeof *mj, write_run, write_done);

	mj->job.write = true;
	mj->job.what = "saving member";
	mj->active = -1;
	snprintf(mj->job.tenant, sizeof mj->job.tenant, "%s", c->tenant.id);
	snprintf(mj->user, sizeof mj->user, "%s", m->user_id);
	snprintf(mj->email, sizeof mj->email, "%s", m->email);
	return mj;
}

static const struct member *
find(struct console *c, const char *user)
{
	const struct pane_list *l = &users_of(c)->list;

	for (size_t i = 0; i < l->n; i++) {
		const struct member *m = pane_list_row(l, i);

		if (strcmp(m->user_id, user) == 0)
			return m;
	}
	return NULL;
}

static int
role_submit(struct console *c, struct modal *m)
{
	const struct member *mem = find(c, m->ref);
	struct member_job *mj;

	if (!mem) {
		snprintf(m->error, sizeof m->error, "the member is gone; reload with R");
		return -1;
	}
	mj = write_job(c, mem);
	mj->set_role = member_role_parse(form_value(m, 0), &mj->role) == 0;
	job_journal(c, &mj->job, "users", "role", c->tenant.slug, mem->email,
		    member_role_name(mj->role), NULL);
	console_submit(c, &mj->job);
	return 0;
}

static int
remove_submit(struct console *c, struct modal *m)
{
	const struct member *mem = find(c, m->ref);
	struct member_job *mj;

	if (!mem || strcmp(form_value(m, 0), mem->email) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	mj = write_job(c, mem);
	mj->remove = true;
	job_journal(c, &mj->job, "users", "remove", c->tenant.slug, mem->email, NULL);
	console_submit(c, &mj->job);
	return 0;
}

static void
show_member(struct console *c, const struct member *m)
{
	char text[1600], joined[16], seen[16], over[512];

	snprintf(text, sizeof text,
		 "%s\n%s\nrole %s, %s\npermissions %s\njoined %s, last active %s\nuser id %s",
		 m->full_name, m->email, member_role_name(m->role),
		 m->active ? "active" : "inactive",
		 *overrides_text(over, sizeof over, &m->over) ? over : "as the role",
		 console_time(m->joined_at, joined, sizeof joined),
		 console_time(m->last_active_at, seen, sizeof seen), m->user_id);
	console_show_text(c, "Member", text);
}

static bool
users_handle(struct console *c, struct pane_instance *p, enum action a)
{
	static const char *const roles[] = { "admin", "manager", "member", "viewer" };
	struct pane_list *l = &((struct users *)p)->list;
	const struct member *m;
	struct modal *f;
	char title[EMAIL_LEN + 32];

	pane_list_sync(l, c);
	m = pane_list_selected(l);
	if (pane_list_move(l, a))
		return true;
	if (a == ACTION_INVITE) {
		if (console_may(c, a, PERM_INVITATIONS_MANAGE))
			invitation_start(c, NULL, NULL);
		return true;
	}
	if (!m
	    || (a != ACTION_CHANGE_ROLE && a != ACTION_DEACTIVATE && a != ACTION_REMOVE_MEMBER
		&& a != ACTION_SELECT && a != ACTION_DETAIL))
		return false;
	if (a == ACTION_SELECT || a == ACTION_DETAIL) {
		show_member(c, m);
		return true;
	}
	if (!console_may(c, a, PERM_MEMBERS_MANAGE))
		return true;
	if (a == ACTION_DEACTIVATE) {
		struct member_job *mj = write_job(c, m);

		mj->active = !m->active;
		job_journal(c, &mj->job, "users", mj->active ? "activate" : "deactivate",
			    c->tenant.slug, m->email, NULL);
		console_submit(c, &mj->job);
		return true;
	}
	if (a == ACTION_CHANGE_ROLE) {
		snprintf(title, sizeof title, "Role of %s", m->email);
		f = form_open(c, title, role_submit);
		form_add_choice(f, "role", roles, 4, (int)m->role);
	} else {
		snprintf(title, sizeof title, "Remove %s", m->email);
		f = form_open(c, title, remove_submit);
		form_note(f, "They lose access to %s at once.\nType their email to confirm.",
			  c->tenant.slug);
		form_add_text(f, "email", "");
	}
	snprintf(f->ref, sizeof f->ref, "%s", m->user_id);
	snprintf(f->ref2, sizeof f->ref2, "%.127s", m->email);
	return true;
}

static void
users_click(struct console *c, struct pane_instance *p, int row, bool twice)
{
	if (pane_list_click(&((struct users *)p)->list, row) && twice)
		users_handle(c, p, ACTION_SELECT);
}

static void
users_resize(struct pane_instance *p)
{
	pane_list_resize(&((struct users *)p)->list);
}

static void
users_done(struct console *c, struct pane_instance *p)
{
	(void)c;
	pane_list_free(&((struct users *)p)->list);
}

static bool
users_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	   char *value, size_t vsize)
{
	const struct pane_list *l = &((const struct users *)p)->list;
	const struct member *m = pane_list_current(l, c) ? pane_list_selected(l) : NULL;

	if (!m)
		return false;
	snprintf(what, wsize, "user id");
	snprintf(value, vsize, "%s", m->user_id);
	return true;
}

const struct pane_ops pane_users_ops = {
	.id = PANE_USERS,
	.needs_tenant = true,
	.size = sizeof(struct users),
	.init = users_init,
	.open = users_open,
	.resize = users_resize,
	.draw = users_draw,
	.handle = users_handle,
	.copy = users_copy,
	.click = users_click,
	.done = users_done,
};

/* The e-mail of the member under the users pane's cursor, or NULL (the
 * console's staff actions on an account default to it). */
const char *
users_selected_email(struct console *c)
{
	const struct member *m =
	    c->panes[PANE_USERS] ? pane_list_selected(&users_of(c)->list) : NULL;

	return m ? m->email : NULL;
}
