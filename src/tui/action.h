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

/* X(enum suffix, name in keymap files, help text) */
#define ACTIONS(X)                                                           \
	X(QUIT, "quit", "Quit the console")                                  \
	X(HELP, "help", "Show the keys of this pane")                        \
	X(COMMAND, "command", "Open the command line (:)")                   \
	X(FILTER, "filter", "Filter the list as you type (/)")               \
	X(NEXT_PANE, "next-pane", "Go to the next pane")                     \
	X(PREV_PANE, "prev-pane", "Go to the previous pane")                 \
	X(PANE_TENANTS, "pane-tenants", "Go to the tenant list")             \
	X(PANE_OVERVIEW, "pane-overview", "Go to the tenant overview")       \
	X(PANE_USERS, "pane-users", "Go to the members and their roles")     \
	X(PANE_INVITATIONS, "pane-invitations", "Go to the invitations")     \
	X(PANE_QUOTAS, "pane-quotas", "Go to the quota gauges")              \
	X(PANE_SETTINGS, "pane-settings", "Go to the settings editor")       \
	X(PANE_AUDIT, "pane-audit", "Go to the audit log")                   \
	X(PANE_APIKEYS, "pane-apikeys", "Go to the API keys")                \
	X(PANE_PLATFORM, "pane-platform", "Go to the platform overview")     \
	X(MOVE_UP, "move-up", "Move the cursor up one line")                 \
	X(MOVE_DOWN, "move-down", "Move the cursor down one line")           \
	X(PAGE_UP, "page-up", "Move the cursor up one page")                 \
	X(PAGE_DOWN, "page-down", "Move the cursor down one page")           \
	X(MOVE_HOME, "move-home", "Move to the first line")                  \
	X(MOVE_END, "move-end", "Move to the last line")                     \
	X(SELECT, "select", "Open the line under the cursor")                \
	X(BACK, "back", "Go back to where you came from")                    \
	X(REFRESH, "refresh", "Reload the data of this pane")                \
	X(SORT_NEXT, "sort-next", "Sort by the next column")                 \
	X(SORT_REVERSE, "sort-reverse", "Reverse the sort order")            \
	X(CREATE_TENANT, "create-tenant", "Create a tenant")                 \
	X(EDIT, "edit", "Edit the item under the cursor")                    \
	X(SAVE, "save", "Save the form being edited")                        \
	X(CANCEL, "cancel", "Cancel the prompt, form or dialog")             \
	X(DELETE, "delete", "Delete the item (tenants: schedule deletion)")  \
	X(SUSPEND, "suspend", "Suspend the tenant")                          \
	X(RESUME, "resume", "Resume a suspended tenant")                     \
	X(RESTORE, "restore", "Restore a tenant pending deletion")           \
	X(CHANGE_TIER, "change-tier", "Change the tenant's tier")            \
	X(CHANGE_ROLE, "change-role", "Change the member's role")            \
	X(DEACTIVATE, "deactivate", "Deactivate or reactivate the member")   \
	X(REMOVE_MEMBER, "remove-member", "Remove the member from the tenant") \
	X(INVITE, "invite", "Invite someone to the tenant")                  \
	X(RESEND, "resend", "Resend the invitation")                         \
	X(REVOKE, "revoke", "Revoke the invitation or API key")              \
	X(CREATE_SETTING, "create-setting", "Add a setting")                 \
	X(REVEAL_SECRET, "reveal-secret", "Reveal a secret setting (audited)") \
	X(FOLLOW, "follow", "Follow the live audit log")                     \
	X(PAUSE, "pause", "Pause or continue the live audit log")            \
	X(FILTER_ACTION, "filter-action", "Filter the audit log by action")  \
	X(FILTER_ACTOR, "filter-actor", "Filter the audit log by actor")     \
	X(DETAIL, "detail", "Show the full entry with old and new values")   \
	X(CREATE_APIKEY, "create-apikey", "Create an API key")               \
	X(VIEW_AS, "view-as", "View the console as a member of the tenant")  \
	X(LEAVE_VIEW_AS, "leave-view-as", "Stop viewing as a member")        \
	X(THEME_NEXT, "theme-next", "Switch to the next bundled theme")      \
	X(REDRAW, "redraw", "Redraw the screen")                             \
	X(TOGGLE_MOUSE, "toggle-mouse", "Turn mouse support on or off")

/* ACTION_NONE is "no action": what an unbound key maps to, and what
 * `bind <pane> <key> none` uses to hide a global binding in one pane. */
enum action {
	ACTION_NONE,
#define X(e, s, h) ACTION_##e,
	ACTIONS(X)
#undef X
	ACTION_COUNT
};

/* X(enum suffix, name in keymap files, title shown on the pane tab) */
#define PANES(X)                                                             \
	X(TENANTS, "tenants", "Tenants")                                     \
	X(OVERVIEW, "overview", "Overview")                                  \
	X(USERS, "users", "Users")                                           \
	X(INVITATIONS, "invitations", "Invitations")                         \
	X(QUOTAS, "quotas", "Quotas")                                        \
	X(SETTINGS, "settings", "Settings")                                  \
	X(AUDIT, "audit", "Audit")                                           \
	X(APIKEYS, "apikeys", "Keys")                                        \
	X(PLATFORM, "platform", "Platform")

/* The real panes come first, so 0 .. PANE_GLOBAL-1 is the cycling order. */
enum pane {
#define X(e, s, t) PANE_##e,
	PANES(X)
#undef X
	PANE_GLOBAL,
	PANE_COUNT
};

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
