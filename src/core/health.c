/* health.c - the health score of health.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/health.h"
#include "core/quota.h"

static const struct {
	const char *name;
	int weight;
} parts[] = {
#define X(e, s, w) { s, w },
	HEALTH_PARTS(X)
#undef X
};

const char *
health_part_name(enum health_part p)
{
	return (unsigned)p < HEALTH_PART_COUNT ? parts[p].name : "?";
}

int
health_part_weight(enum health_part p)
{
	return (unsigned)p < HEALTH_PART_COUNT ? parts[p].weight : 0;
}

int
health_part_parse(const char *s, enum health_part *out)
{
	for (int i = 0; s && i < HEALTH_PART_COUNT; i++) {
		if (!strcmp(s, parts[i].name)) {
			*out = (enum health_part)i;
			return 0;
		}
	}
	return -1;
}

static double
clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double
ratio(int num, int den)
{
	return den > 0 ? clamp01((double)num / den) : 0;
}

/* clang-format off */
#define EXPLAIN(out, p, fmt, ...)                                            \
	snprintf((out)->explain[p], sizeof (out)->explain[p], "%s %.2f: " fmt, \
		 parts[p].name, (out)->part[p], __VA_ARGS__)
/* clang-format on */

static void
engagement(const struct health_inputs *in, struct health *out)
{
	out->part[HEALTH_ENGAGEMENT] = ratio(in->members_active_30d, in->members);
	EXPLAIN(out, HEALTH_ENGAGEMENT, "%d of %d members active in 30 days",
		in->members_active_30d, in->members);
}

static void
adoption(const struct health_inputs *in, struct health *out)
{
	out->part[HEALTH_ADOPTION] = ratio(in->features_enabled, in->features_available);
	EXPLAIN(out, HEALTH_ADOPTION, "%d of %d features enabled", in->features_enabled,
		in->features_available);
}

static void
headroom(const struct health_inputs *in, struct health *out)
{
	double over = in->usage_peak - 0.5;

	over = over < 0 ? 0 : over > 0.5 ? 0.5 : over;
	out->part[HEALTH_HEADROOM] = 1 - over / 0.5;
	EXPLAIN(out, HEALTH_HEADROOM, "busiest quota at %d%%",
		quota_fraction_percent(in->usage_peak));
}

static void
payment(const struct health_inputs *in, struct health *out)
{
	const char *b = in->billing_status;

	out->part[HEALTH_PAYMENT] = !strcmp(b, "ok") ? 1.0 : !strcmp(b, "past_due") ? 0.4 : 0.0;
	EXPLAIN(out, HEALTH_PAYMENT, "billing %s", *b ? b : "unknown");
}

static void
consistency(const struct health_inputs *in, struct health *out)
{
	double sum = 0, var = 0, mean, cv;

	for (int i = 0; i < HEALTH_DAYS; i++)
		sum += (double)in->api_calls[i];
	mean = sum / HEALTH_DAYS;
	if (mean <= 0) {
		out->part[HEALTH_CONSISTENCY] = 0;
		EXPLAIN(out, HEALTH_CONSISTENCY, "no api calls in %d days", HEALTH_DAYS);
		return;
	}
	for (int i = 0; i < HEALTH_DAYS; i++)
		var += ((double)in->api_calls[i] - mean) * ((double)in->api_calls[i] - mean);
	cv = sqrt(var / HEALTH_DAYS) / mean;
	out->part[HEALTH_CONSISTENCY] = 1 - clamp01(cv);
	EXPLAIN(out, HEALTH_CONSISTENCY, "daily api calls vary %.0f%% around %.0f a day", cv * 100,
		mean);
}

int
health_compute(const struct health_inputs *in, struct health *out)
{
	double sum = 0;

	if (!in || !out)
		return -1;
	memset(out, 0, sizeof *out);
	engagement(in, out);
	adoption(in, out);
	headroom(in, out);
	payment(in, out);
	consistency(in, out);
	for (int p = 0; p < HEALTH_PART_COUNT; p++)
		sum += parts[p].weight * out->part[p];
	/* the epsilon keeps 82.5 computed as 82.4999... from rounding down */
	out->score = (int)floor(sum + 0.5 + 1e-9);
	return 0;
}
