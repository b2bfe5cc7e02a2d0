/* placeholder panes until their files land */
#include "tui/console.h"
#include "tui/widget.h"
static void p_open(struct console *c) { (void)c; }
static void p_draw(struct console *c, WINDOW *w, int h, int wd) { (void)c; (void)h; draw_text(w, 1, 1, wd - 2, 0, "pending"); }
static bool p_handle(struct console *c, enum action a) { (void)c; (void)a; return false; }
#define P(name, pid, t) const struct pane_ops name = { .id = pid, .needs_tenant = t, .open = p_open, .draw = p_draw, .handle = p_handle };
P(pane_overview_ops, PANE_OVERVIEW, true)
P(pane_users_ops, PANE_USERS, true)
P(pane_invitations_ops, PANE_INVITATIONS, true)
P(pane_quotas_ops, PANE_QUOTAS, true)
P(pane_audit_ops, PANE_AUDIT, true)
P(pane_platform_ops, PANE_PLATFORM, false)
void invitation_start(struct console *c, const char *email, const char *role) { (void)c; (void)email; (void)role; }
