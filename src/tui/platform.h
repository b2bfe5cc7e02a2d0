/* platform.h - the platform pane's parts (pane_platform.c): its overview
 * (counts, nearest quotas, open alerts), its alerts view, grouped per
 * tenant and resource (pane_platform_alerts.c), and its live audit view
 * of every tenant (pane_platform_audit.c). Only these files include it,
 * and console_cmd.c for `:alerts`.
 */
#ifndef TENANTRY_TUI_PLATFORM_H
#define TENANTRY_TUI_PLATFORM_H

#include "tui/console.h"

/* The alerts view: the alerts raised within `age` of now (0: any time),
 * open and acknowledged, as groups, open groups first. */
struct platform_alerts {
	struct alert_group_list groups;
	struct list_view view;
	usec_t age;
	usec_t since;     /* the newest load's window: from then on (0: any time) */
	int slug_w, open; /* of the loaded groups: widest slug, how many open */
	long long total;  /* alerts in them */
	unsigned seq;     /* of the newest load; older replies are dropped */
	bool loaded, loading;
	int64_t loaded_us;
};

/* Loads the view (again) with its age. */
void platform_alerts_load(struct console *c, struct platform_alerts *v);
void platform_alerts_draw(const struct console *c, const struct platform_alerts *v, WINDOW *w,
			  int height, int width);
/* An action in the view (cursor moves, select, ack-alert); true when
 * handled. */
bool platform_alerts_handle(struct console *c, struct platform_alerts *v, enum action a);
void platform_alerts_free(struct platform_alerts *v);

/* The live audit view: every tenant's entries (the newest LOAD when it
 * opens, then as they commit), oldest first, at most KEEP; paused, new
 * ones are held back and counted; the filter keeps the lines whose
 * tenant, actor, action or resource contains it (any case). */
struct platform_audit {
	struct audit_entry *rows; /* all, oldest first */
	size_t n, cap;
	struct audit_entry *held; /* while paused */
	size_t nheld, held_cap;
	size_t *shown; /* indexes of the rows the filter keeps */
	size_t nshown;
	struct list_view view; /* over shown */
	bool follow, paused, loaded, loading;
	unsigned seq;
	char filter[64];
};

/* Loads the newest entries again (what is held is dropped). */
void platform_audit_load(struct console *c, struct platform_audit *v);
void platform_audit_draw(const struct console *c, const struct platform_audit *v, WINDOW *w,
			 int height, int width);
bool platform_audit_handle(struct console *c, struct platform_audit *v, enum action a);
/* Live entries arrived. */
void platform_audit_add(struct console *c, struct platform_audit *v, const struct audit_entry *e,
			size_t n);
void platform_audit_filter(struct console *c, struct platform_audit *v, const char *text);
void platform_audit_free(struct platform_audit *v);

/* The platform's history (pane_platform_history.c): loaded once a minute
 * while the pane is shown; nothing is drawn before it first comes (an
 * older tenantryd without it: never). */
struct platform_hist {
	struct platform_history h;
	bool loaded, loading;
	int64_t loaded_us;
};

/* Loads it when it is a minute old (or was never loaded). */
void platform_hist_tick(struct console *c, struct platform_hist *v);
/* Lines the 24-hour strip takes (0 before it is loaded). */
int platform_hist_lines(const struct platform_hist *v);
/* Draws the strip from body line y0, showing lines top..top+height-1 of
 * the body: tenants by status, sign-ins and audited writes, one hourly
 * sparkline each. */
void platform_hist_draw(const struct platform_hist *v, WINDOW *w, int y0, int top, int height,
			int width);
/* Draws churn per month (tenants that left, upgrades, downgrades) of the
 * last `months` months at column x from body line y0 (its heading) on. */
void platform_hist_draw_churn(const struct platform_hist *v, WINDOW *w, int y0, int x, int top,
			      int height, int width, int months);

/* `:alerts [AGE|all]` (console_cmd.c): the platform pane's alerts view,
 * raised within AGE (1h, 24h, 7d...), or at any time. */
void platform_alerts_command(struct console *c, const char *age);

#endif
