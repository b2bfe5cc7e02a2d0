/* pane_list.h - what every list pane shares: its rows and cursor, and
 * loading them. A list owns the rows (an array of one row type), the
 * list_view over them, the generation of the newest load (a reply to an
 * older one is dropped), the loading and loaded flags, the tenant the rows
 * belong to (rows of another one are forgotten, a reply about another one
 * is dropped), and the row to reselect after a reload. A pane embeds a
 * struct pane_list and plugs in a const struct pane_list_ops: how to load
 * (on the worker thread), how to free a row and what a row's id is.
 */
#ifndef TENANTRY_TUI_PANE_LIST_H
#define TENANTRY_TUI_PANE_LIST_H

#include "tui/console.h"

struct pane_list;

/* A load of a list. A pane that needs more in its job (a query, other
 * data fetched with the rows) embeds this first in its own struct and
 * gives that struct's size as ops->job_size. */
struct pane_list_job {
	struct job job; /* job.tenant: whose rows ("" for a list of no tenant) */
	struct pane_list *list;
	unsigned seq;
	bool append;            /* the page after `after`, added at the end */
	char after[CURSOR_LEN]; /* when appending */
	/* Filled by ops->load: rows (malloc'd array of n rows of
	 * ops->row_size bytes) and the cursor of the next page. */
	void *rows;
	size_t n;
	char next[CURSOR_LEN];
};

struct pane_list_ops {
	const char *what; /* shown while it loads ("loading API keys") */
	const char *name; /* in its error message ("API keys") */
	size_t row_size;
	size_t job_size; /* 0: a plain struct pane_list_job */
	/* The rows are one tenant's (the tenant shown): see the header. */
	bool per_tenant;
	/* Worker thread: fills j->rows, j->n (and j->next) for j->job.tenant;
	 * returns 0, or -1 with e. What it leaves in j is freed with j. */
	int (*load)(struct pane_list_job *j, struct store *st, struct err *e);
	/* UI thread, before the load is sent: copies what the pane asks for
	 * (a filter, a sort) into j (may be NULL). */
	void (*query)(const struct pane_instance *p, struct pane_list_job *j);
	/* UI thread: the rows from `first` on just arrived from j (which may
	 * hold more); l->loaded still says whether rows came before (may be
	 * NULL). */
	void (*took)(struct console *c, struct pane_instance *p, struct pane_list_job *j,
		     size_t first);
	/* Frees what a row owns (NULL: nothing). */
	void (*row_clear)(void *row);
	/* A row's id, to reselect it after a reload (NULL: the cursor keeps
	 * its place instead). */
	const char *(*row_id)(const void *row);
	/* Frees what the pane's part of a job holds (may be NULL). */
	void (*job_clear)(struct pane_list_job *j);
	/* At most this many rows: appending one more drops the first (0: no
	 * limit). */
	size_t max_rows;
};

struct pane_list {
	const struct pane_list_ops *ops;
	struct pane_instance *pane; /* whose list it is */
	int above, below;           /* body rows above the list (its headings) and below */
	void *rows;                 /* n rows of ops->row_size bytes; room for cap */
	size_t n, cap;
	char next[CURSOR_LEN]; /* cursor of the next page, "" = no more */
	struct list_view view;
	char tenant[ID_LEN]; /* whose rows these are (per_tenant) */
	unsigned seq;        /* of the newest load; older replies are dropped */
	bool loading, loaded;
	char keep_id[KEY_LEN]; /* reselect this row after the next reload */
};

/* Sets up an empty list of pane p whose rows start `above` body rows
 * down and leave `below` rows under them. */
void pane_list_init(struct pane_list *l, const struct pane_list_ops *ops, struct pane_instance *p,
		    int above, int below);
/* Frees the rows; the list is empty and can be used again. */
void pane_list_free(struct pane_list *l);

/* The rows belong to one tenant: forgets them when the tenant shown is
 * another. Returns true when it did. */
bool pane_list_sync(struct pane_list *l, const struct console *c);
/* Sends a load (of the next page when append, which does nothing while
 * a load runs or when there is no next page). */
void pane_list_load(struct console *c, struct pane_list *l, bool append);
/* The pane's body size changed: the list's height follows and the
 * cursor stays in view. */
void pane_list_resize(struct pane_list *l);
/* Selects the row whose id is id after the next reload. */
void pane_list_keep(struct pane_list *l, const char *id);

/* Row i (i < n), or NULL. */
const void *pane_list_row(const struct pane_list *l, size_t i);
/* The row under the cursor, or NULL. */
const void *pane_list_selected(const struct pane_list *l);
/* True when the rows are the tenant shown's (or of no tenant). */
bool pane_list_current(const struct pane_list *l, const struct console *c);
/* The number of rows to show for the tenant shown now: 0 while the rows
 * are another tenant's (per_tenant). */
size_t pane_list_shown(const struct pane_list *l, const struct console *c);
/* True when rows for the tenant shown now have come (none may have). */
bool pane_list_loaded(const struct pane_list *l, const struct console *c);

/* Appends row (moved in: the list owns what it points to now), dropping
 * the first row past ops->max_rows (the cursor follows its row). */
void pane_list_append(struct pane_list *l, const void *row);
/* Cursor moves (list_move), with the cursor kept in view. */
bool pane_list_move(struct pane_list *l, enum action a);
/* A click on body row `row`: selects the row there (true), or false. */
bool pane_list_click(struct pane_list *l, int row);

#endif
