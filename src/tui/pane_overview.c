/* pane_overview.c - one tenant at a glance: identity, tier, status, trial
 * and deletion dates, the health score with its parts, quota gauges with
 * their forecasts and the features it has. Lifecycle keys work here as in the tenant list.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "core/health.h"
#include "tui/console.h"
#include "tui/widget.h"

/* What the overview shows of one tenant. */
struct overview_data {
	bool loaded;
	char tenant[ID_LEN];
	struct tenant t;
	struct health health;
	bool have_health;
	struct quota_list quotas;
	struct feature_state features;
	bool have_features;
};

/* The pane. */
struct overview {
	struct pane_instance pane;
	struct overview_data ov;
};

struct overview_job {
	struct job job;
	struct tenant t;
	struct health health;
	int health_rc;
	struct quota_list quotas;
	struct feature_state features;
	int features_rc;
};

static int
overview_run(struct job *j, struct store *st, struct err *e)
{
	struct overview_job *oj = (struct overview_job *)j;
	struct err ignore = { 0 };

	if (store_tenant_get(&oj->t, st, j->tenant, e) < 0)
		return -1;
	/* The parts a role may not read are left out, not an error. */
	oj->health_rc = store_health_get(&oj->health, st, j->tenant, &ignore);
	if (store_quota_list(&oj->quotas, st, j->tenant, &ignore) < 0)
		memset(&oj->quotas, 0, sizeof oj->quotas);
	oj->features_rc = store_feature_list(&oj->features, st, j->tenant, &ignore);
	return 0;
}

static void
overview_clear(struct overview_data *ov)
{
	tenant_clear(&ov->t);
	quota_list_free(&ov->quotas);
	memset(ov, 0, sizeof *ov);
}

static void
overview_done(struct console *c, struct job *j)
{
	struct overview_job *oj = (struct overview_job *)j;
	struct overview_data *ov = &((struct overview *)c->panes[PANE_OVERVIEW])->ov;

	if (!console_for_current(c, j) || console_failed(c, j, "overview"))
		return;
	overview_clear(ov);
	ov->loaded = true;
	snprintf(ov->tenant, sizeof ov->tenant, "%s", j->tenant);
	ov->t = oj->t;
	memset(&oj->t, 0, sizeof oj->t);
	ov->have_health = oj->health_rc == 0;
	ov->health = oj->health;
	ov->quotas = oj->quotas;
	memset(&oj->quotas, 0, sizeof oj->quotas);
	ov->have_features = oj->features_rc == 0;
	ov->features = oj->features;
	/* The title and tabs show the fresh record too. */
	tenant_clear(&c->tenant);
	c->tenant = ov->t;
	c->tenant.settings_json = c->tenant.branding_json = NULL;
}

static void
overview_destroy(struct job *j)
{
	struct overview_job *oj = (struct overview_job *)j;

	tenant_clear(&oj->t);
	quota_list_free(&oj->quotas);
}

static void
overview_open(struct console *c, struct pane_instance *p)
{
	struct overview_data *ov = &((struct overview *)p)->ov;
	struct overview_job *oj = job_new(sizeof *oj, overview_run, overview_done);

	oj->job.destroy = overview_destroy;
	oj->job.what = "loading tenant";
	snprintf(oj->job.tenant, sizeof oj->job.tenant, "%s", c->tenant.id);
	if (strcmp(ov->tenant, c->tenant.id) != 0)
		overview_clear(ov);
	console_submit(c, &oj->job);
}

static int line(WINDOW *w, int y, int width, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
line(WINDOW *w, int y, int width, enum theme_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	draw_text(w, y, 1, width - 2, theme_attr(role), buf);
	return y + 1;
}

static int
draw_identity(WINDOW *w, int y, int width, const struct tenant *t)
{
	char created[16], trial[16], due[16];
	const char *dot = widget_ascii() ? "|" : "·";

	draw_text(w, y, 1, width - 2, theme_attr(THEME_ROLE_HEADER) | A_BOLD, t->name);
	y++;
	y = line(w, y, width, THEME_ROLE_NORMAL, "%s %s %s %s %s %s %d active members", t->slug,
		 dot, t->tier, dot, tenant_status_name(t->status), dot, t->members);
	y = line(w, y, width, THEME_ROLE_DIM, "id %s  created %s  domain %s", t->id,
		 console_time(t->created_at, created, sizeof created),
		 t->domain[0] ? t->domain : "-");
	y = line(w, y, width, THEME_ROLE_DIM, "billing %s (%s)  timezone %s  locale %s",
		 t->billing_email[0] ? t->billing_email : "-",
		 t->billing_status[0] ? t->billing_status : "-", t->timezone[0] ? t->timezone : "-",
		 t->locale[0] ? t->locale : "-");
	if (t->trial_ends_at)
		y = line(w, y, width, THEME_ROLE_STATUS_TRIAL, "trial ends %s",
			 console_time(t->trial_ends_at, trial, sizeof trial));
	if (t->deletion_due_at)
		y = line(w, y, width, THEME_ROLE_STATUS_PENDING, "deletion due %s (restore with u)",
			 console_time(t->deletion_due_at, due, sizeof due));
	return y + 1;
}

static int
draw_health(WINDOW *w, int y, int width, const struct overview_data *ov)
{
	char head[32];

	if (!ov->have_health)
		return line(w, y, width, THEME_ROLE_DIM, "health: not visible to this role") + 1;
	snprintf(head, sizeof head, "health %3d ", ov->health.score);
	draw_text(w, y, 1, 11, theme_attr(THEME_ROLE_HEADER), head);
	{
		/* Full is good here: the colour follows the score, not the fill. */
		int gw = width / 3 > 12 ? width / 3 : 12;
		char bar[512];
		enum theme_role role = ov->health.score >= 70   ? THEME_ROLE_GAUGE_OK
				       : ov->health.score >= 40 ? THEME_ROLE_GAUGE_WARN
								: THEME_ROLE_GAUGE_FULL;

		gauge_format(bar, sizeof bar, gw, ov->health.score, 100, widget_ascii());
		draw_text(w, y, 12, gw, theme_attr(role), bar);
	}
	y++;
	for (int p = 0; p < HEALTH_PART_COUNT; p++) {
		const char *why = strstr(ov->health.explain[p], ": ");

		y = line(w, y, width, THEME_ROLE_DIM, "  %-18s %3.0f%%  %s",
			 health_part_name((enum health_part)p), ov->health.part[p] * 100,
			 why ? why + 2 : ov->health.explain[p]);
	}
	return y + 1;
}

static int
draw_quotas(WINDOW *w, int y, int height, int width, const struct overview_data *ov)
{
	/* the forecast takes what is left after a gauge of 40, at least 14 */
	int fw = width - 80 > 14 ? width - 80 : 14;
	int gw = width - 40 - fw > 40 ? 40 : width - 40 - fw;

	for (size_t i = 0; i < ov->quotas.n && y < height - 2; i++) {
		const struct quota *q = &ov->quotas.rows[i];
		char used[32], lim[32], nums[80], fc[64];

		quota_amount(used, sizeof used, q->resource, q->used);
		if (q->limit < 0)
			snprintf(lim, sizeof lim, "%s", widget_glyphs()->infinity);
		else
			quota_amount(lim, sizeof lim, q->resource, q->limit);
		snprintf(nums, sizeof nums, "%s/%s", used, lim);
		draw_text(w, y, 1, 14, theme_attr(THEME_ROLE_NORMAL), q->resource);
		if (gw >= 8)
			draw_gauge(w, y, 15, gw, q->used, q->limit);
		draw_text_right(w, y, 16 + (gw >= 8 ? gw : 0), 22, theme_attr(THEME_ROLE_DIM),
				nums);
		forecast_describe_fit(fc, sizeof fc, q, q->forecast.as_of, fw - 1);
		draw_text(w, y, 39 + (gw >= 8 ? gw : 0), fw - 1, theme_attr(THEME_ROLE_DIM), fc);
		y++;
	}
	return y + 1;
}

static void
draw_features(WINDOW *w, int y, int height, int width, const struct overview_data *ov)
{
	char buf[1024] = "";

	if (!ov->have_features || y >= height)
		return;
	for (int f = 0; f < FEATURE_COUNT; f++)
		if (ov->features.effective & (1u << f))
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
				 buf[0] ? ", " : "", feature_name((enum feature)f));
	line(w, y, width, THEME_ROLE_NORMAL, "features: %s", buf[0] ? buf : "none");
}

static void
overview_draw(const struct console *c, const struct pane_instance *p, WINDOW *w, int height,
	      int width)
{
	const struct overview_data *ov = &((const struct overview *)p)->ov;
	const struct tenant *t = ov->loaded ? &ov->t : &c->tenant;
	int y = draw_identity(w, 0, width, t);

	if (!ov->loaded) {
		line(w, y, width, THEME_ROLE_DIM, "loading…");
		return;
	}
	if (y < height)
		y = draw_health(w, y, width, ov);
	if (y < height)
		y = draw_quotas(w, y, height, width, ov);
	draw_features(w, y, height, width, ov);
}

static bool
overview_handle(struct console *c, struct pane_instance *p, enum action a)
{
	(void)p;
	return tenant_action(c, &c->tenant, a);
}

static void
overview_done_pane(struct console *c, struct pane_instance *p)
{
	(void)c;
	overview_clear(&((struct overview *)p)->ov);
}

static bool
overview_copy(const struct console *c, const struct pane_instance *p, char *what, size_t wsize,
	      char *value, size_t vsize)
{
	(void)p;
	snprintf(what, wsize, "tenant id");
	snprintf(value, vsize, "%s", c->tenant.id);
	return true;
}

const struct pane_ops pane_overview_ops = {
	.id = PANE_OVERVIEW,
	.needs_tenant = true,
	.size = sizeof(struct overview),
	.open = overview_open,
	.draw = overview_draw,
	.handle = overview_handle,
	.copy = overview_copy,
	.done = overview_done_pane,
};
