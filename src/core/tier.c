/* tier.c - the default tier catalog and tier arithmetic. */
#include <stdio.h>
#include <string.h>

#include "core/tier.h"

#define F(x) (UINT32_C(1) << FEATURE_##x)
#define FREE_FEATURES F(ANALYTICS)
#define BASIC_FEATURES (FREE_FEATURES | F(SOCIAL_COLLABORATION))
/* clang-format off */
#define PRO_FEATURES                                                         \
	(BASIC_FEATURES | F(AI_INSIGHTS) | F(ADVANCED_ANALYTICS) |           \
	 F(API_ACCESS) | F(CUSTOM_BRANDING) | F(PRIORITY_SUPPORT))
/* clang-format on */
/* clang-format off */
#define BUSINESS_FEATURES                                                    \
	(PRO_FEATURES | F(SSO) | F(AUDIT_LOGS) | F(ADVANCED_REPORTING))
/* clang-format on */
#define ENTERPRISE_FEATURES (BUSINESS_FEATURES | F(SLA_GUARANTEE))

static const struct tier catalog[] = {
	{ "free", "Free", 0, 0, 5, 1 * GIB, 100, 1, 10, 0, FREE_FEATURES },
	{ "basic", "Basic", 1, 2900, 10, 5 * GIB, 1000, 2, 20, 14, BASIC_FEATURES },
	{ "professional", "Professional", 2, 9900, 50, 100 * GIB, 5000, 10, 100, 14, PRO_FEATURES },
	{ "business", "Business", 3, 79900, 500, 100 * GIB, 10000, 25, 500, 14, BUSINESS_FEATURES },
	{ "enterprise", "Enterprise", 4, 199900, -1, 1 * TIB, 25000, -1, -1, 30,
	  ENTERPRISE_FEATURES },
};

const struct tier *
tier_default_catalog(size_t *n)
{
	if (n)
		*n = sizeof catalog / sizeof catalog[0];
	return catalog;
}

const struct tier *
tier_find(const struct tier *list, size_t n, const char *name)
{
	for (size_t i = 0; list && name && i < n; i++)
		if (!strcmp(list[i].name, name))
			return &list[i];
	return NULL;
}

int64_t
tier_limit(const struct tier *t, enum resource r)
{
	switch (r) {
	case RESOURCE_USERS:
		return t->max_users;
	case RESOURCE_STORAGE:
		return t->storage_limit_bytes;
	case RESOURCE_API_CALLS:
		return t->api_calls_per_hour;
	case RESOURCE_API_KEYS:
		return t->max_api_keys;
	case RESOURCE_INVITATIONS:
		return t->invitations_per_day;
	case RESOURCE_COUNT:
		break;
	}
	return 0;
}

enum quota_window
tier_window(enum resource r)
{
	switch (r) {
	case RESOURCE_API_CALLS:
		return WINDOW_HOUR;
	case RESOURCE_INVITATIONS:
		return WINDOW_DAY;
	default:
		return WINDOW_NONE;
	}
}

bool
tier_is_downgrade(const struct tier *from, const struct tier *to)
{
	return to->rank < from->rank;
}

size_t
tier_conflicts(struct tier_conflict *out, const struct tier *to, const int64_t used[RESOURCE_COUNT])
{
	memset(out, 0, sizeof *out);
	for (int r = 0; r < RESOURCE_COUNT; r++) {
		int64_t limit = tier_limit(to, (enum resource)r);

		if (tier_window((enum resource)r) != WINDOW_NONE || limit < 0 || used[r] <= limit)
			continue;
		snprintf(out->rows[out->n].resource, sizeof out->rows[out->n].resource, "%s",
			 resource_name((enum resource)r));
		out->rows[out->n].used = used[r];
		out->rows[out->n].limit = limit;
		out->n++;
	}
	return out->n;
}

feature_mask
feature_effective(feature_mask tier, feature_mask on, feature_mask off)
{
	return ((tier | on) & ~off) & feature_all();
}

feature_mask
feature_all(void)
{
	return (UINT32_C(1) << FEATURE_COUNT) - 1;
}

feature_mask
tier_features_lost(const struct tier *from, const struct tier *to, feature_mask on,
		   feature_mask off)
{
	return feature_effective(from->features, on, off)
	       & ~feature_effective(to->features, on, off);
}

int
feature_list_format(char *buf, size_t size, feature_mask m)
{
	size_t len = 0;
	int n = 0;

	if (size)
		buf[0] = '\0';
	for (int f = 0; f < FEATURE_COUNT; f++) {
		if (!(m & ((feature_mask)1 << f)))
			continue;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", n ? ", " : "",
						feature_name((enum feature)f));
		n++;
	}
	return n;
}
