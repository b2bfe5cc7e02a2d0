/* console.h - the full-screen console: its state, the pane interface, the
 * worker thread that owns the store, and the modal forms.
 *
 * Only the UI thread calls ncurses. Everything that talks to the store is a
 * job: the UI thread submits it, the worker thread runs job->run against
 * the store, and the UI thread gets it back through a pipe it polls with
 * the terminal and calls job->done. A pane is one file: its own struct
 * beginning with a struct pane_instance, and a const struct pane_ops (like tig's
 * views); adding a pane is that file and one row in the PANES list of
 * action.h (the pane table of console.c and the pane-NAME action follow
 * from it; the unit suite names the key binding and the manual's lines to
 * add).
 */
#ifndef TENANTRY_TUI_CONSOLE_H
#define TENANTRY_TUI_CONSOLE_H

#include <ncurses.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/perm.h"
#include "store/store.h"
#include "tui/action.h"
#include "tui/keymap.h"
#include "tui/theme.h"
#include "tui/tui.h"

/* The smallest terminal the console draws in. */
#define CONSOLE_MIN_COLS 60
#define CONSOLE_MIN_ROWS 14

struct console;
struct worker;

/* ---- jobs --------------------------------------------------------------- */

/* A request to the store. Panes embed it first in their own struct and
 * allocate it; the console frees it after done (destroy, when set, frees
 * what it owns first). */
struct job {
	/* Worker thread: runs against the store; returns 0 or -1 with e. */
	int (*run)(struct job *j, struct store *st, struct err *e);
	/* UI thread: the result is in rc and err. */
	void (*done)(struct console *c, struct job *j);
	void (*destroy)(struct job *j);
	const char *what;    /* shown while it runs ("saving setting") */
	bool write;          /* not retried after a lost connection */
	char tenant[ID_LEN]; /* the tenant it is about, "" none */
	unsigned gen;        /* console generation when submitted */
	int rc;
	struct err err;
	int64_t submitted_us;
	/* After a successful run, reopen the live feed: on every chain the
	 * context sees (FEED_ALL) or on j->tenant only (FEED_TENANT). */
	enum { FEED_KEEP, FEED_ALL, FEED_TENANT } feed_target;
	/* After a successful run, the worker takes this store in place of its
	 * own (a sign-in's new token), closing the old one and reopening the
	 * feed; left here (to be closed by destroy) when the run failed. */
	struct store *swap;
	bool signing_in; /* the sign-in's own: a 401 is wrong credentials */
	/* The `tenantry` command line(s) that do the same (job_journal),
	 * recorded in the journal with the outcome once done; NULL: none. */
	char *journal;
};

/* Allocates a zeroed job of size bytes (at least sizeof(struct job));
 * aborts after restoring the terminal when memory runs out. */
void *job_new(size_t size, int (*run)(struct job *, struct store *, struct err *),
	      void (*done)(struct console *, struct job *));

/* Hands j to the worker. The UI thread owns it again in j->done. */
void console_submit(struct console *c, struct job *j);

/* ---- worker ------------------------------------------------------------- */

/* Starts the worker thread on st (which it owns from now on). Completed
 * jobs are written to done_fd; live audit entries arrive as jobs too.
 * Returns NULL with e on failure. */
struct worker *worker_start(struct store *st, int done_fd, bool feed, struct err *e);
/* Queues j. Thread-safe. */
void worker_submit(struct worker *w, struct job *j);
/* Stops the thread, closes the store and the feed, frees w. */
void worker_stop(struct worker **w);
/* True while the worker is waiting for a lost connection to come back. */
bool worker_reconnecting(struct worker *w);

/* A batch of live (or backfilled) audit entries, delivered as a job. */
struct feed_job {
	struct job job;
	struct audit_entry_list entries; /* oldest first */
	bool backfill;                   /* after a reconnect */
	/* Slugs of the tenants in entries the worker had not named before. */
	struct {
		char id[ID_LEN];
		char slug[SLUG_LEN];
	} names[32];
	int nnames;
};

/* ---- line editor -------------------------------------------------------- */

#define LINE_MAX_BYTES 512
struct line_edit {
	char buf[LINE_MAX_BYTES];
	size_t len, cur; /* bytes; cur is on a character boundary */
};

void line_set(struct line_edit *l, const char *text);
/* Applies an editing key; returns true when the key was used. */
bool line_key(struct line_edit *l, int key);
/* Draws the line in width columns at y, x with the cursor (when focused)
 * kept in view; secret shows stars. */
void line_draw(WINDOW *w, int y, int x, int width, const struct line_edit *l, bool focused,
	       bool secret, attr_t attr);

/* ---- lists ---------------------------------------------------------------- */

/* Cursor and scroll position of a list of n rows shown in height rows. */
struct list_view {
	int n, sel, top, height;
};

/* Moves for the actions MOVE_*, PAGE_*; returns true when a was one. */
bool list_move(struct list_view *v, enum action a);
/* Keeps sel in range and visible. */
void list_clamp(struct list_view *v);
/* A click on body row `row` of a list whose rows start at body row first:
 * selects it and returns true, or false when no row is there. */
bool list_click(struct list_view *v, int row, int first);

/* Table lines: headings, or the cells of a row, in the columns wd[n]
 * (from layout_columns), one column apart, the rest of width cleared. */
void table_draw_header(WINDOW *w, int y, const int *wd, int n, const char *const *head, int width);
void table_draw_cells(WINDOW *w, int y, const int *wd, int n, const char *const *cell, attr_t a,
		      int width);

/* ---- modal forms and boxes --------------------------------------------------- */

enum field_kind { FIELD_TEXT, FIELD_CHOICE, FIELD_SECRET };

#define FORM_FIELDS 8
#define FORM_CHOICES 16
struct form_field {
	const char *label;
	enum field_kind kind;
	struct line_edit text;
	const char *choice[FORM_CHOICES];
	int nchoice, sel;
	bool readonly;
};

enum modal_kind {
	MODAL_NONE,
	MODAL_FORM, /* fields, Enter submits */
	MODAL_TEXT, /* scrollable text (help, detail, a token shown once) */
};

struct modal {
	enum modal_kind kind;
	char title[128];
	char *text; /* MODAL_TEXT body / form note; owned */
	int scroll;
	struct form_field field[FORM_FIELDS];
	int nfield, focus;
	char error[640];
	bool busy; /* submitted, waiting for the reply */
	/* MODAL_FORM: called on Enter; returns 0 when it submitted a job (the
	 * job's done closes the form or sets error), -1 with error set. */
	int (*submit)(struct console *c, struct modal *m);
	char ref[ID_LEN];   /* what the form is about: an id */
	char ref2[KEY_LEN]; /* a slug, a key, an email */
	/* MODAL_FORM: called after each key the form took, and may adjust the
	 * fields to what was typed or chosen (may be NULL). */
	void (*changed)(struct modal *m);
	/* A form of lines: Enter on a filled line goes to the next one, on
	 * an empty or the last line submits. */
	bool lines;
	/* MODAL_TEXT showing a secret once: what `copy` copies (owned, wiped
	 * on close) and what it is ("invitation token"). */
	char *secret;
	char secret_what[48];
};

/* Opens a form titled title; add fields with form_add_*. */
struct modal *
form_open(struct console *c, const char *title, int (*submit)(struct console *, struct modal *));
struct form_field *form_add_text(struct modal *m, const char *label, const char *value);
struct form_field *
form_add_choice(struct modal *m, const char *label, const char *const *choices, int n, int sel);
/* The text of field i, or the name of its chosen item. */
const char *form_value(const struct modal *m, int i);
/* Sets the form's note (shown above the fields; owned copy). */
void form_note(struct modal *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Shows text (copied) in a scrollable box; Enter or Esc closes it. */
void console_show_text(struct console *c, const char *title, const char *text);
/* Like console_show_text for a secret shown once (a token, a key): the
 * copy key copies secret (what names it: "invitation token"). */
void console_show_secret(struct console *c, const char *title, const char *text, const char *what,
			 const char *secret);
/* The job of a form finished: close on success, else show the error and
 * let the user correct it (the values stay). */
void form_finish(struct console *c, const struct job *j);
void modal_close(struct console *c);
bool modal_key(struct console *c, int key);
void modal_draw(struct console *c);

/* ---- panes ------------------------------------------------------------------- */

/* One pane: what every pane has. A pane's own struct (its state) begins
 * with it; the console allocates one of each (ops->size bytes, zeroed) when
 * it starts, keeps them in c->panes[] by enum pane, and frees them when it
 * closes. Like tig's struct view with its struct view_ops. */
struct pane_instance {
	const struct pane_ops *ops;
	/* The size of its body on screen, set by the console whenever the
	 * layout changes (console_layout), before ops->resize. */
	int height, width;
};

struct pane_ops {
	enum pane id;
	bool needs_tenant; /* shows one tenant's data */
	size_t size;       /* of the pane's struct, which begins with a struct pane_instance */
	/* Sets the first state of a fresh (zeroed) pane; may be NULL. */
	void (*init)(struct pane_instance *p);
	/* The pane became visible or its tenant changed: (re)load. */
	void (*open)(struct console *c, struct pane_instance *p);
	/* p->height or p->width changed (may be NULL). */
	void (*resize)(struct pane_instance *p);
	/* Draws the body; changes nothing (both are const). */
	void (*draw)(const struct console *c, const struct pane_instance *p, WINDOW *w, int height,
		     int width);
	/* An action in this pane; true when handled. */
	bool (*handle)(struct console *c, struct pane_instance *p, enum action a);
	/* A character typed while the pane's filter is being edited changed
	 * the filter text (NULL: the pane has no filter). */
	void (*filter)(struct console *c, struct pane_instance *p, const char *text);
	/* A click on body row (0 = first row under the pane's header). */
	void (*click)(struct console *c, struct pane_instance *p, int row, bool twice);
	/* Live audit entries arrived (NULL: not interested). */
	void (*audit)(struct console *c, struct pane_instance *p, const struct audit_entry *e,
		      size_t n);
	/* About once a second while shown, to poll what has no live feed
	 * (usage counters); may be NULL. */
	void (*tick)(struct console *c, struct pane_instance *p);
	/* What the copy action copies here: the id of the row under the
	 * cursor into value, and what it is ("tenant id") into what; false
	 * when there is none (NULL: nothing to copy in this pane). */
	bool (*copy)(const struct console *c, const struct pane_instance *p, char *what,
		     size_t wsize, char *value, size_t vsize);
	/* The console is closing: free what the pane holds, not p itself (may
	 * be NULL). */
	void (*done)(struct console *c, struct pane_instance *p);
};

/* Each pane of the PANES list (action.h) defines pane_FILE_ops. */
#define X(e, f, s, t, h) extern const struct pane_ops pane_##f##_ops;
PANES(X)
#undef X

/* ---- the console -------------------------------------------------------------- */

#define AUDIT_RING 512

struct console {
	struct console_options opt;
	struct worker *worker;
	int done_pipe[2];
	unsigned gen;
	int busy; /* jobs in flight */
	int64_t busy_since_us;
	bool quit, dirty, mouse;
	enum pane pane;
	enum pane back;                           /* where BACK returns to */
	struct pane_instance *panes[PANE_GLOBAL]; /* each pane's instance, by enum pane */
	struct keymap keys;
	struct theme theme;
	bool color;

	/* The tenant the detail panes show ("" none). */
	struct tenant tenant;
	bool have_tenant;

	/* The tiers, for choices and the downgrade preview. */
	struct tier_list tiers;

	/* Counts for the title bar. */
	int64_t tenants_total, open_alerts;

	/* Live audit ring, oldest first. */
	struct audit_entry ring[AUDIT_RING];
	size_t ring_start, ring_n;

	/* View as tenant. */
	bool view_as;
	enum member_role view_role;
	/* viewing as one member: their e-mail and permission overrides ("" and
	 * none when viewing as a role) */
	char view_member[EMAIL_LEN];
	struct perm_overrides view_over;
	char view_slug[SLUG_LEN];
	char view_reason[128];
	char view_session[ID_LEN]; /* its support access session */
	int64_t view_until_us;
	struct store_context staff_ctx;

	/* Bottom line: a message, the filter or the command line. */
	char message[256];
	enum theme_role message_role;
	int64_t message_until_us;
	bool filtering, commanding;
	struct line_edit filter_line, command_line;

	struct modal modal;

	/* Remote mode: tenantryd refused the token (expired, ended); the
	 * sign-in dialog is offered once (console_signin.c), then :sign-in. */
	bool signed_out, signin_open, signin_dismissed;
	char signed_out_why[160];
	char account[EMAIL_LEN]; /* the e-mail to sign in with again */

	/* A prod profile's writes were allowed (`:write`) for this reason. */
	char write_reason[128];
	enum action confirmed; /* the destructive action the slug was typed for */

	/* Report of bad theme/keymap lines, shown once at start. */
	char *config_report;
	bool stopping;   /* completions after quit are only freed */
	bool first_data; /* traced once */
};

/* Draws the whole screen (console_draw.c); only the UI thread. */
void console_draw(struct console *c);
/* How to run action from the current pane, for hints: the name of its
 * first key ("C-x"), or the command line's ":cmd" when no key runs it. */
const char *console_key_hint(const struct console *c, enum action action, const char *cmd,
			     char *buf, size_t size);
/* The pane whose tab is at column x of the tab line, or -1. */
int console_tab_at(const struct console *c, int x);
/* The body row of the current pane at screen line y, or -1. */
int console_body_row(const struct console *c, int y);

/* Shows a message on the bottom line for a few seconds. */
void console_message(struct console *c, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when j is about the tenant the detail panes show now (a reply for
 * another one is dropped). */
bool console_for_current(const struct console *c, const struct job *j);
/* Puts value on the terminal's clipboard (OSC 52, see clipboard.h) and
 * says so on the bottom line: "copied WHAT VALUE to the clipboard", or,
 * for a secret, without the value. */
void console_copy(struct console *c, const char *what, const char *value, bool secret);
/* The copy action in the current pane: its ops->copy (console_copy.c). */
void console_copy_selected(struct console *c);
/* Shows a failed job's error (and returns true when there was one). */
bool console_failed(struct console *c, const struct job *j, const char *doing);

/* Makes t the tenant of the detail panes (NULL: none) and reopens them. */
void console_set_tenant(struct console *c, const struct tenant *t);
/* Goes to pane p (opening it). */
void console_goto(struct console *c, enum pane p);
/* The pane currently shown. */
struct pane_instance *console_pane(struct console *c);
/* Opens the pane currently shown (when it has what it needs: a tenant). */
void console_open(struct console *c);
/* Works out the body size of every pane from the terminal's size and the
 * frame (the view-as banner, the audit strip) and tells the panes whose
 * size changed. Called when one of those changes. */
void console_layout(struct console *c);
/* Reloads the current pane and the title counts. */
void console_refresh(struct console *c);

/* False (with a message on the bottom line) when a writes and the console
 * is read-only, or when viewing as a member whose role lacks p. */
bool console_may(struct console *c, enum action a, enum perm p);
/* The slug of tenant id when known (from loaded lists), else a short id. */
const char *console_tenant_label(const struct console *c, const char *id, char *buf, size_t size);
/* Remembers id -> slug for console_tenant_label. */
void console_remember_slug(struct console *c, const char *id, const char *slug);

/* An amount of a quota resource for people: bytes as "15.7 GB", counts
 * with thousands separators. */
void quota_amount(char *buf, size_t size, const char *resource, int64_t v);

/* Time as "12:04:31" (today), "Nov 21" (this year) or "2025-11-21";
 * "-" for 0. */
const char *console_time(usec_t t, char *buf, size_t size);
int64_t console_now_us(void);

/* The lifecycle actions shared by the tenant list and the overview. */
bool tenant_action(struct console *c, const struct tenant *t, enum action a);

/* The new-tenant form. */
void tenant_create_start(struct console *c);
/* Tier change with the downgrade preview; tier NULL asks for one. */
void tenant_change_tier(struct console *c, const struct tenant *t, const char *tier);
/* The invitation form, prefilled (either may be NULL). */
void invitation_start(struct console *c, const char *email, const char *role);
/* console_account.c: staff actions on an account (`:reset-password`,
 * `:mfa-reset`, `:unlock`, `:sign-out` named by name) for user (may be
 * NULL: asked). */
void account_command(struct console *c, const char *name, const char *user);
/* pane_users.c: the e-mail of the member under the cursor, or NULL. */
const char *users_selected_email(struct console *c);
/* Tenant list: sort order, and the loaded slugs for completion. */
void tenants_sort(struct console *c, enum tenant_sort s, bool desc);
int tenants_slugs(struct console *c, const char **out, int max);

/* Remote mode, console_signin.c: j failed because tenantryd refused the
 * token (401): the console is signed out and the sign-in dialog opens (now,
 * or once the open form closes). */
void console_token_refused(struct console *c, const struct job *j);
/* Opens the sign-in dialog (`:sign-in`). */
void console_signin_open(struct console *c);
/* Each turn of the main loop: opens the dialog when it is due, notices it
 * was cancelled. */
void console_signin_tick(struct console *c);

/* Commands of the `:` line (console_cmd.c). */
void command_run(struct console *c, const char *line);
/* Completes the command line in place; true when something changed. */
bool command_complete(struct console *c, struct line_edit *l);
void command_history_add(const char *line);
const char *command_history(int back); /* 1 = last; NULL past the end */
void command_history_load(void);
void command_history_save(void);

/* The `?` help of pane p from the active keymap. */
void console_help(struct console *c);

/* Live audit entries arrived (moved out of l into the ring); backfill:
 * fetched after the feed (re)opened rather than announced. */
void console_audit_add(struct console *c, struct audit_entry_list *l, bool backfill);
void console_audit_clear(struct console *c);
/* The columns of audit lines: the tenant's and the actor's. */
struct audit_cols {
	int tenant, actor;
};
/* The display width of e's tenant label (its slug). */
int console_audit_tenant_width(const struct console *c, const struct audit_entry *e);
/* Columns for lines of width columns whose longest tenant label is
 * longest columns wide: that label whole, the actor narrower first. */
void console_audit_layout(struct audit_cols *ac, int width, int longest);
/* Draws one audit entry on one line of w in the columns ac. */
void console_audit_line(const struct console *c, WINDOW *w, int y, int width,
			const struct audit_entry *e, bool selected, const struct audit_cols *ac);
/* Deep copy of an audit entry (dst is overwritten). */
void audit_entry_copy(struct audit_entry *dst, const struct audit_entry *src);

/* Life cycle (console_state.c): theme and keymap, first loads, timers,
 * leaving view-as on quit, freeing. */
void console_config(struct console *c);
void console_start(struct console *c);
void console_tick(struct console *c);
void console_stop(struct console *c);
void console_free(struct console *c);
/* Loads theme name (reporting bad lines on the bottom line) and applies
 * it; -1 when there is no such theme. */
int console_theme(struct console *c, const char *name);

/* Profiles and the journal (console_profile.c). True on a prod profile. */
bool console_prod(const struct console *c);
/* The attribute of the frame's role for the profile's safety level
 * (staging and prod stand out), and the title's profile label ("PROD
 * eu-1 [write: REASON] ", "" without a profile). */
attr_t console_frame_attr(const struct console *c, enum theme_role role);
void console_profile_label(const struct console *c, char *buf, size_t size);
/* In prod, a destructive action a asks for the tenant's slug first (the
 * form runs it once typed): true when it did. */
bool console_prod_guard(struct console *c, enum action a);
/* `:write REASON`, `:profile NAME`, `:journal`. */
void console_write_command(struct console *c, const char *reason);
void console_profile_command(struct console *c, const char *name);
void console_journal_show(struct console *c);
/* Starts one more command line of j's journal: `tenantry`, how to reach
 * the console's store (-p NAME, or --db/--url and --as), then the words
 * (NULL-terminated), each shell-quoted; job_journal_more adds words to
 * it, journal_add_raw(&j->journal, …) shell text as it is. */
void job_journal(struct console *c, struct job *j, ...) __attribute__((sentinel));
void job_journal_more(struct job *j, ...) __attribute__((sentinel));
/* Appends j's journal lines with its outcome (drain_done). */
void console_journal_record(struct console *c, struct job *j);

/* Trace of timings for `make bench` (TENANTRY_TRACE=file). */
void console_trace(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
