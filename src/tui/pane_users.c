/* pane_users.c - a tenant's members and their roles: change a role,
 * deactivate or reactivate, remove (confirmed by typing the email), invite.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/widget.h"

static struct {
	char tenant[ID_LEN];
	struct member_list rows;
	struct list_view view;
	bool loaded;
} us;

struct member_job {
	struct job job;
	struct member_list out;
	char user[ID_LEN], email[EMAIL_LEN];
	enum member_role role;
	bool set_role;
	int active; /* -1 unchanged */
	bool remove;
	struct member m;
};

static int
list_run(struct job *j, struct store *st, struct err *e)
{
	struct member_query q = { .role = -1, .active = -1 };

	return store_member_list(&((struct member_job *)j)->out, st, j->tenant, &q, e);
}

static void
list_done(struct console *c, struct job *j)
{
	struct member_job *mj = (struct member_job *)j;

	if (!console_for_current(c, j) || console_failed(c, j, "members"))
		return;
	member_list_free(&us.rows);
	us.rows = mj->out;
	memset(&mj->out, 0, sizeof mj->out);
	snprintf(us.tenant, sizeof us.tenant, "%s", j->tenant);
	us.loaded = true;
	us.view.n = (int)us.rows.n;
	list_clamp(&us.view);
}

static void
member_destroy(struct job *j)
{
	member_list_free(&((struct member_job *)j)->out);
}

static void
users_open(struct console *c)
{
	struct member_job *mj = job_new(sizeof *mj, list_run, list_done);

	if (strcmp(us.tenant, c->tenant.id) != 0) {
		member_list_free(&us.rows);
		us.loaded = false;
		us.view.sel = us.view.top = 0;
	}
	mj->job.destroy = member_destroy;
	mj->job.what = "loading members";
	snprintf(mj->job.tenant, sizeof mj->job.tenant, "%s", c->tenant.id);
	console_submit(c, &mj->job);
}

static void
users_draw(struct console *c, WINDOW *w, int height, int width)
{
	static const struct column_spec cols[] = {
		{ 16, 40, 3 }, { 10, 30, 2 }, { 8, 8, 0 },
		{ 8, 8, 0 },   { 10, 10, 0 }, { 10, 10, 0 },
	};
	static const char *const head[] = { "EMAIL", "NAME", "ROLE", "STATE", "JOINED", "ACTIVE" };
	int wd[6];

	(void)c;
	layout_columns(cols, 6, width, 1, wd);
	table_draw_header(w, 0, wd, 6, head, width);
	us.view.height = height - 1;
	us.view.n = (int)us.rows.n;
	list_clamp(&us.view);
	if (!us.rows.n)
		draw_text(w, 2, 2, width - 4, theme_attr(THEME_ROLE_DIM),
			  us.loaded ? "no members" : "loading…");
	for (int r = 0; r < us.view.height && us.view.top + r < (int)us.rows.n; r++) {
		int i = us.view.top + r;
		const struct member *m = &us.rows.rows[i];
		char joined[16], seen[16];
		const char *cell[6] = { m->email,
					m->full_name,
					member_role_name(m->role),
					m->active ? "active" : "inactive",
					console_time(m->joined_at, joined, sizeof joined),
					console_time(m->last_active_at, seen, sizeof seen) };
		attr_t a = theme_attr(i == us.view.sel ? THEME_ROLE_SELECTED
				      : !m->active     ? THEME_ROLE_DIM
						       : THEME_ROLE_ROW);

		table_draw_cells(w, 1 + r, wd, 6, cell, a, width);
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
				   mj->active, e);
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
		users_open(c);
}

static struct member_job *
write_job(struct console *c, const struct member *m)
{
	struct member_job *mj = job_new(sizeof *mj, write_run, write_done);

	mj->job.destroy = member_destroy;
	mj->job.write = true;
	mj->job.what = "saving member";
	mj->active = -1;
	snprintf(mj->job.tenant, sizeof mj->job.tenant, "%s", c->tenant.id);
	snprintf(mj->user, sizeof mj->user, "%s", m->user_id);
	snprintf(mj->email, sizeof mj->email, "%s", m->email);
	return mj;
}

static const struct member *
find(const char *user)
{
	for (size_t i = 0; i < us.rows.n; i++)
		if (strcmp(us.rows.rows[i].user_id, user) == 0)
			return &us.rows.rows[i];
	return NULL;
}

static int
role_submit(struct console *c, struct modal *m)
{
	const struct member *mem = find(m->ref);
	struct member_job *mj;

	if (!mem) {
		snprintf(m->error, sizeof m->error, "the member is gone; reload with R");
		return -1;
	}
	mj = write_job(c, mem);
	mj->set_role = member_role_parse(form_value(m, 0), &mj->role) == 0;
	console_submit(c, &mj->job);
	return 0;
}

static int
remove_submit(struct console *c, struct modal *m)
{
	const struct member *mem = find(m->ref);
	struct member_job *mj;

	if (!mem || strcmp(form_value(m, 0), mem->email) != 0) {
		snprintf(m->error, sizeof m->error, "type %s exactly to confirm", m->ref2);
		return -1;
	}
	mj = write_job(c, mem);
	mj->remove = true;
	console_submit(c, &mj->job);
	return 0;
}

static void
show_member(struct console *c, const struct member *m)
{
	char text[1024], joined[16], seen[16];

	snprintf(text, sizeof text, "%s\n%s\nrole %s, %s\njoined %s, last active %s\nuser id %s",
		 m->full_name, m->email, member_role_name(m->role),
		 m->active ? "active" : "inactive",
		 console_time(m->joined_at, joined, sizeof joined),
		 console_time(m->last_active_at, seen, sizeof seen), m->user_id);
	console_show_text(c, "Member", text);
}

static bool
users_handle(struct console *c, enum action a)
{
	static const char *const roles[] = { "admin", "manager", "member", "viewer" };
	const struct member *m = us.view.sel < (int)us.rows.n ? &us.rows.rows[us.view.sel] : NULL;
	struct modal *f;
	char title[EMAIL_LEN + 32];

	if (list_move(&us.view, a))
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
users_click(struct console *c, int row, bool twice)
{
	if (list_click(&us.view, row, 1) && twice)
		users_handle(c, ACTION_SELECT);
}

static void
users_done(struct console *c)
{
	(void)c;
	member_list_free(&us.rows);
	memset(&us, 0, sizeof us);
}

const struct pane_ops pane_users_ops = {
	.id = PANE_USERS,
	.needs_tenant = true,
	.open = users_open,
	.draw = users_draw,
	.handle = users_handle,
	.click = users_click,
	.done = users_done,
};
