/* store_pg_tiers.c - the subscription tiers over libpq: list and put. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

static void
tier_features(struct tier *t, const char *json)
{
	feature_mask on = 0, off = 0;

	pg_features(json, &on, &off);
	t->features = on;
}

static int
pg_tier_list(struct tier_list *out, struct store *st, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP0(
	    "SELECT name, display_name, rank, price_cents, max_users, "
	    "storage_limit_bytes, api_calls_per_hour, max_api_keys, "
	    "invitations_per_day, trial_days, features::text "
	    "FROM tenantry.tiers ORDER BY rank",
	    &r) };

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	out->n = (size_t)PQntuples(r);
	out->rows = calloc(out->n + 1, sizeof *out->rows);
	for (size_t i = 0; out->rows && i < out->n; i++) {
		struct tier *t = &out->rows[i];
		int row = (int)i;

		pg_cpy(t->name, r, row, 0);
		pg_cpy(t->display_name, r, row, 1);
		t->rank = (int)pg_i64(r, row, 2);
		t->price_cents = pg_i64(r, row, 3);
		t->max_users = pg_i64(r, row, 4);
		t->storage_limit_bytes = pg_i64(r, row, 5);
		t->api_calls_per_hour = pg_i64(r, row, 6);
		t->max_api_keys = pg_i64(r, row, 7);
		t->invitations_per_day = pg_i64(r, row, 8);
		t->trial_days = (int)pg_i64(r, row, 9);
		tier_features(t, pg_s(r, row, 10));
	}
	PQclear(r);
	if (!out->rows)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

static int
pg_tier_put(struct store *st, const struct tier *t, struct err *e)
{
	char num[8][24], feats[1024] = "{";
	size_t len = 1;
	const char *p[11];
	struct pgstep steps[1];

	for (int f = 0; f < FEATURE_COUNT; f++)
		if (t->features & (1u << f))
			len += (size_t)snprintf(feats + len, sizeof feats - len, "%s\"%s\": true",
						len > 1 ? ", " : "", feature_name((enum feature)f));
	snprintf(feats + len, sizeof feats - len, "}");
	snprintf(num[0], 24, "%d", t->rank);
	snprintf(num[1], 24, "%lld", (long long)t->price_cents);
	snprintf(num[2], 24, "%lld", (long long)t->max_users);
	snprintf(num[3], 24, "%lld", (long long)t->storage_limit_bytes);
	snprintf(num[4], 24, "%lld", (long long)t->api_calls_per_hour);
	snprintf(num[5], 24, "%lld", (long long)t->max_api_keys);
	snprintf(num[6], 24, "%lld", (long long)t->invitations_per_day);
	snprintf(num[7], 24, "%d", t->trial_days);
	p[0] = t->name;
	p[1] = t->display_name;
	for (int i = 0; i < 8; i++)
		p[2 + i] = num[i];
	p[10] = feats;
	steps[0] = (struct pgstep){
		.n = 11,
		.params = p,
		.sql = "INSERT INTO tenantry.tiers (name, display_name, rank, price_cents, "
		       "max_users, storage_limit_bytes, api_calls_per_hour, max_api_keys, "
		       "invitations_per_day, trial_days, features) VALUES ($1, $2, $3, $4, "
		       "$5, $6, $7, $8, $9, $10, $11) ON CONFLICT (name) DO UPDATE SET "
		       "display_name = excluded.display_name, rank = excluded.rank, "
		       "price_cents = excluded.price_cents, max_users = excluded.max_users, "
		       "storage_limit_bytes = excluded.storage_limit_bytes, "
		       "api_calls_per_hour = excluded.api_calls_per_hour, "
		       "max_api_keys = excluded.max_api_keys, "
		       "invitations_per_day = excluded.invitations_per_day, "
		       "trial_days = excluded.trial_days, features = excluded.features"
	};
	return pg_run(pg_of(st), steps, 1, e);
}

void
pg_ops_tiers(struct store_ops *ops)
{
	ops->tier_list = pg_tier_list;
	ops->tier_put = pg_tier_put;
}
