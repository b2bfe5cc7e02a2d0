/* placeholder panes until their files land */
#include "tui/console.h"
#include "tui/widget.h"
static void p_open(struct console *c) { (void)c; }
static void p_draw(struct console *c, WINDOW *w, int h, int wd) { (void)c; (void)h; draw_text(w, 1, 1, wd - 2, 0, "pending"); }
static bool p_handle(struct console *c, enum action a) { (void)c; (void)a; return false; }
#define P(name, pid, t) const struct pane_ops name = { .id = pid, .needs_tenant = t, .open = p_open, .draw = p_draw, .handle = p_handle };
P(pane_settings_ops, PANE_SETTINGS, true)
P(pane_apikeys_ops, PANE_APIKEYS, true)
