/* action.h - every console action and every pane, as X-macro lists.
 *
 * One list feeds the action enum, the names used in keymap files, the help
 * text shown by `?`, and the manual page tenantry-keys(5) (a unit test checks
 * that the page names every action). Panes are a second list; "global" is the
 * pseudo-pane whose bindings apply everywhere.
 */
#ifndef TENANTRY_TUI_ACTION_H
#define TENANTRY_TUI_ACTION_H

#include <stdbool.h>

/* The panes, in cycling order. A row is
 *   A(X, enum suffix, file, name in keymap files, title shown on the pane
 *     tab, help text of the action that goes to it):
 * pane FILE is src/tui/pane_FILE.c, whose ops table pane_FILE_ops the
 * console's pane table takes from this list (a pane without one does not
 * link), and the row makes the action pane-NAME (ACTION_PANE_ENUM) too.
 * PANES(X) calls X(enum suffix, file, name, title, help) for each row. */
/* clang-format off */
#define PANES_WITH(A, X)                                                       \
	A(X, TENANTS, tenants, "tenants", "Tenants",                           \
	  "Go to the tenant list")                                             \
	A(X, OVERVIEW, overview, "overview", "Overview",                       \
	  "Go to the tenant overview")                                         \
	A(X, USERS, users, "users", "Users",                                   \
	  "Go to the members and their roles")                                 \
	A(X, INVITATIONS, invitations, "invitations", "Invitations",           \
	  "Go to the invitations")                                             \
	A(X, QUOTAS, quotas, "quotas", "Quotas",                               \
	  "Go to the quota gauges")                                            \
	A(X, SETTINGS, settings, "settings", "Settings",                       \
	  "Go to the settings editor")                                         \
	A(X, AUDIT, audit, "audit", "Audit",                                   \
	  "Go to the audit log")                                               \
	A(X, APIKEYS, apikeys, "apikeys", "Keys",                              \
	  "Go to the API keys")                                                \
	A(X, PLATFORM, platform, "platform", "Platform",                       \
	  "Go to the platform overview")                                       \
	A(X, JOBS, jobs, "jobs", "Jobs",                                       \
	  "Go to the background jobs")                                         \
	A(X, WEBHOOKS, webhooks, "webhooks", "Hooks",                          \
	  "Go to the webhook endpoints")
#define PANE_ROW_(X, e, f, s, t, h) X(e, f, s, t, h)
#define PANES(X) PANES_WITH(PANE_ROW_, X)
/* A pane's row as a row of ACTIONS: X(PANE_ENUM, READS, "pane-NAME", help). */
#define PANE_ACTION_(X, e, f, s, t, h) X(PANE_##e, READS, "pane-" s, h)
/* clang-format on */

/* X(enum suffix, WRITES or READS, name in keymap files, help text). The
 * actions that go to a pane (pane-tenants, ...) come from the PANES list
 * below. */
/* clang-format off */
#define ACTIONS(X)                                                           \
	X(QUIT, READS, "quit", "Quit the console")                                  \
	X(HELP, READS, "help", "Show the keys of this pane")                        \
	X(COMMAND, READS, "command", "Open the command line (:)")                   \
	X(FILTER, READS, "filter", "Filter the list as you type (/)")               \
	X(NEXT_PANE, READS, "next-pane", "Go to the next pane")                     \
	X(PREV_PANE, READS, "prev-pane", "Go to the previous pane")                 \
	PANES_WITH(PANE_ACTION_, X) /* pane-NAME for each pane */                  \
	X(MOVE_UP, READS, "move-up", "Move the cursor up one line")                 \
	X(MOVE_DOWN, READS, "move-down", "Move the cursor down one line")           \
	X(PAGE_UP, READS, "page-up", "Move the cursor up one page")                 \
	X(PAGE_DOWN, READS, "page-down", "Move the cursor down one page")           \
	X(MOVE_HOME, READS, "move-home", "Move to the first line")                  \
	X(MOVE_END, READS, "move-end", "Move to the last line")                     \
	X(SELECT, READS, "select", "Open the line under the cursor")                \
	X(BACK, READS, "back", "Go back to where you came from")                    \
	X(REFRESH, READS, "refresh", "Reload the data of this pane")                \
	X(SORT_NEXT, READS, "sort-next", "Sort by the next column")                 \
	X(SORT_REVERSE, READS, "sort-reverse", "Reverse the sort order")            \
	X(CREATE_TENANT, WRITES, "create-tenant", "Create a tenant")                 \
	X(EDIT, WRITES, "edit", "Edit the item under the cursor")                    \
	X(SAVE, READS, "save", "Save the form being edited")                        \
	X(CANCEL, READS, "cancel", "Cancel the prompt, form or dialog")             \
	X(DELETE, WRITES, "delete", "Delete the item (tenants: schedule deletion)")  \
	X(SUSPEND, WRITES, "suspend", "Suspend the tenant")                          \
	X(RESUME, WRITES, "resume", "Resume a suspended tenant")                     \
	X(RESTORE, WRITES, "restore", "Restore a tenant pending deletion")           \
	X(CHANGE_TIER, WRITES, "change-tier", "Change the tenant's tier")            \
	X(CHANGE_ROLE, WRITES, "change-role", "Change the member's role")            \
	X(DEACTIVATE, WRITES, "deactivate", "Deactivate or reactivate the member")   \
	X(REMOVE_MEMBER, WRITES, "remove-member", "Remove the member from the tenant") \
	X(INVITE, WRITES, "invite", "Invite someone to the tenant")                  \
	X(INVITE_MANY, WRITES, "invite-many", "Invite several people, one email,role a line") \
	X(RESEND, WRITES, "resend", "Resend the invitation")                         \
	X(REVOKE, WRITES, "revoke", "Revoke the invitation or API key")              \
	X(CREATE_SETTING, WRITES, "create-setting", "Add a setting")                 \
	X(REVEAL_SECRET, READS, "reveal-secret", "Reveal a secret setting (audited)") \
	X(FOLLOW, READS, "follow", "Follow the live audit log")                     \
	X(PAUSE, READS, "pause", "Pause or continue the live audit log")            \
	X(FILTER_ACTION, READS, "filter-action", "Filter the audit log by action")  \
	X(FILTER_ACTOR, READS, "filter-actor", "Filter the audit log by actor")     \
	X(DETAIL, READS, "detail", "Show the full entry with old and new values")   \
	X(COPY, READS, "copy", "Copy the id under the cursor, or the secret shown once, to the clipboard") \
	X(CREATE_APIKEY, WRITES, "create-apikey", "Create an API key")               \
	X(VIEW_AS, READS, "view-as", "View the console as a member of the tenant")  \
	X(LEAVE_VIEW_AS, READS, "leave-view-as", "Stop viewing as a member")        \
	X(ALERTS, READS, "alerts", "Platform pane: the alerts per tenant and resource, or back") \
	X(LIVE_AUDIT, READS, "live-audit", "Platform pane: every tenant's audit log, live, or back") \
	X(ACK_ALERT, WRITES, "ack-alert", "Acknowledge the open alerts of the row under the cursor") \
	X(THEME_NEXT, READS, "theme-next", "Switch to the next bundled theme")      \
	X(REDRAW, READS, "redraw", "Redraw the screen")                             \
	X(TOGGLE_MOUSE, READS, "toggle-mouse", "Turn mouse support on or off")
/* clang-format on */

/* ACTION_NONE is "no action": what an unbound key maps to, and what
 * `bind <pane> <key> none` uses to hide a global binding in one pane. */
enum action {
	ACTION_NONE,
#define X(e, w, s, h) ACTION_##e,
	ACTIONS(X)
#undef X
	    ACTION_COUNT
};

/* The real panes come first, so 0 .. PANE_GLOBAL-1 is the cycling order. */
enum pane {
#define X(e, f, s, t, h) PANE_##e,
	PANES(X)
#undef X
	    PANE_GLOBAL,
	PANE_COUNT
};

/* Does the action write (the WRITES of its row)? */
bool action_writes(enum action a);

/* Name of an action ("move-down"); "none" for ACTION_NONE, "?" when out of
 * range. */
const char *action_name(enum action a);

/* Help text of an action; "" for ACTION_NONE and out of range. */
const char *action_help(enum action a);

/* Parses an action name (exact, lower case; "none" is ACTION_NONE).
 * Returns 0 and sets *out, or -1 when s is NULL or unknown. */
int action_parse(const char *s, enum action *out);

/* The pane an ACTION_PANE_* action jumps to, or -1 for other actions. */
int action_jump_pane(enum action a);

/* Name of a pane ("audit", "global"); "?" when out of range. */
const char *pane_name(enum pane p);

/* Title of a pane for its tab ("Keys"); "?" when out of range. */
const char *pane_title(enum pane p);

/* Parses a pane name, "global" included. Returns 0 and sets *out, or -1
 * when s is NULL or unknown. */
int pane_parse(const char *s, enum pane *out);

/* The pane after (dir > 0) or before (dir < 0) p in cycling order; never
 * PANE_GLOBAL. */
enum pane pane_cycle(enum pane p, int dir);

#endif
