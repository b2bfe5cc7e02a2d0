/* cmd_tier_preview.c - `tenantry tenants tier TENANT TIER --dry-run`: what
 * the change would do, as the console's tier preview shows it (the usage
 * above the new tier's limits, the features it turns off), changing
 * nothing. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/tier.h"

static void
print_preview(const struct tenant *t, const struct tier *from, const struct tier *to,
	      const struct tier_conflict *k, feature_mask lost)
{
	char names[512];

	printf("%s: %s -> %s%s\n", cli_safe(t->slug), from->name, to->name,
	       tier_is_downgrade(from, to) ? " (downgrade)" : "");
	for (size_t i = 0; i < k->n; i++)
		printf("  would break: %-14s %lld in use, %s allows %lld\n", k->rows[i].resource,
		       (long long)k->rows[i].used, to->name, (long long)k->rows[i].limit);
	if (feature_list_format(names, sizeof names, lost))
		printf("  turns off: %s\n", names);
	else
		printf("  turns off no feature\n");
	printf("nothing changed (--dry-run)%s\n", k->n ? "; the change needs --force" : "");
}

static json_t *
preview_json(const struct tenant *t, const struct tier *from, const struct tier *to,
	     const struct tier_conflict *k, feature_mask lost)
{
	json_t *conflicts = json_array(), *off = json_array();

	for (size_t i = 0; i < k->n; i++)
		json_array_append_new(conflicts,
				      json_pack("{s:s, s:I, s:I}", "resource", k->rows[i].resource,
						"used", (json_int_t)k->rows[i].used, "limit",
						(json_int_t)k->rows[i].limit));
	for (int f = 0; f < FEATURE_COUNT; f++)
		if (lost & ((feature_mask)1 << f))
			json_array_append_new(off, json_string(feature_name((enum feature)f)));
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:b}", "tenant", t->slug, "from",
			 from->name, "to", to->name, "downgrade", tier_is_downgrade(from, to),
			 "conflicts", conflicts, "features_off", off, "changed", 0);
}

int
cli_tier_preview(struct cli *c, const char *tenant, const char *tier)
{
	struct tenant t = { 0 };
	struct tier_list tl = { 0 };
	struct quota_list ql = { 0 };
	struct tier_conflict k = { 0 };
	int64_t used[RESOURCE_COUNT] = { 0 };
	const struct tier *from, *to;
	int rc = 0;

	if (cli_store(c) < 0 || store_tenant_get(&t, c->st, tenant, &c->err) < 0
	    || store_tier_list(&tl, c->st, &c->err) < 0
	    || store_quota_list(&ql, c->st, tenant, &c->err) < 0) {
		rc = cli_fail(c);
		goto cleanup;
	}
	from = tier_find(tl.rows, tl.n, t.tier);
	if (!(to = tier_find(tl.rows, tl.n, tier)) || !from) {
		rc = cli_usage("tenants ", "unknown tier %s", to ? t.tier : tier);
		goto cleanup;
	}
	for (size_t i = 0; i < ql.n; i++) {
		enum resource r;

		if (resource_parse(ql.rows[i].resource, &r) == 0)
			used[r] = ql.rows[i].used;
	}
	if (tier_is_downgrade(from, to))
		tier_conflicts(&k, to, used);
	if (c->json)
		json_print(preview_json(
		    &t, from, to, &k, tier_features_lost(from, to, t.features_on, t.features_off)));
	else
		print_preview(&t, from, to, &k,
			      tier_features_lost(from, to, t.features_on, t.features_off));
cleanup:
	tenant_clear(&t);
	tier_list_free(&tl);
	quota_list_free(&ql);
	return rc;
}
