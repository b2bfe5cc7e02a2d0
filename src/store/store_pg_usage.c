/* store_pg_usage.c - quotas and usage over libpq; quota lists, a changed
 * limit and the usage summary carry each quota's forecast (forecast.h),
 * computed here from the daily usage the same statement reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "store/store_pg.h"

_Static_assert(FORECAST_DAYS == 14, "PG_FORECAST_DAYS reads 14 days");

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";

/* clang-format off */
#define RESULT_COLS                                                          \
	"r.resource, r.quota_limit, r.used, r.period, " US("r.period_start") ", r.allowed"
/* clang-format on */

void
pg_quota_row(struct quota *q, const PGresult *r, int row, int col)
{
	enum quota_window w = WINDOW_NONE;

	pg_cpy(q->resource, r, row, col);
	q->limit = pg_i64(r, row, col + 1);
	q->used = pg_i64(r, row, col + 2);
	quota_window_parse(pg_s(r, row, col + 3), &w);
	q->window = w;
	q->window_start = pg_i64(r, row, col + 4);
}

void
pg_forecast(struct quota *q, const PGresult *r, int row, int col)
{
	int64_t days[FORECAST_DAYS] = { 0 };
	const char *p = pg_s(r, row, col);

	while (*p) {
		char *end;
		long ago = strtol(p, &end, 10);
		int64_t amount = *end == ':' ? strtoll(end + 1, &end, 10) : 0;

		if (ago >= 1 && ago <= FORECAST_DAYS)
			days[FORECAST_DAYS - ago] = amount;
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
	forecast_quota(&q->forecast, q, forecast_rate(days), pg_i64(r, row, col + 1));
}

static int
check_resource(const char *resource, struct err *e)
{
	enum resource res;

	if (!resource || resource_parse(resource, &res) < 0)
		return err_field(e, "resource", "unknown resource %s",
				 resource ? resource : "(none)");
	return 0;
}

/* A tenant's quotas with their forecasts, by resource. */
static const char QUOTA_LIST[] = "SELECT " PG_QUOTA_FORECAST_COLS " FROM tenantry.quotas q "
				 "WHERE q.tenant_id = tenantry.tenant_ref($1) ORDER BY q.resource";

static int
pg_quota_list(struct quota_list *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP(QUOTA_LIST, &r, tenant),
	};

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		pg_quota_row(&out->rows[i], r, (int)i, 0);
		pg_forecast(&out->rows[i], r, (int)i, 5);
	}
	PQclear(r);
	return 0;
}

static int
pg_quota_set_limit(struct quota *out, struct store *st, const char *tenant, const char *resource,
		   int64_t limit, struct err *e)
{
	char lim[24];
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("UPDATE tenantry.quotas q SET quota_limit = $3 "
			"WHERE q.tenant_id = tenantry.tenant_ref($1) AND q.resource = $2 "
			"RETURNING " PG_QUOTA_FORECAST_COLS,
			&r, tenant, resource, lim),
	};
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (check_resource(resource, e) < 0)
		return -1;
	if (limit < -1)
		return err_field(e, "limit", "limit must be -1 (unlimited) or more");
	snprintf(lim, sizeof lim, "%lld", (long long)limit);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	if (PQntuples(r) == 0)
		rc = err_set(e, ERR_NOT_FOUND, "no quota %s", resource);
	else {
		pg_quota_row(out, r, 0, 0);
		pg_forecast(out, r, 0, 5);
	}
	PQclear(r);
	if (rc == 0) /* the tenant's usage peak moves with the limit */
		pg_health_refresh_tenant(st, tenant);
	return rc;
}

/* quota_check and usage_increment share their result shape. */
static int
quota_call(struct quota_result *out, struct store *st, const char *sql, const char *tenant,
	   const char *resource, int64_t amount, struct err *e)
{
	char n[24];
	PGresult *r = NULL;
	struct pgstep step = PG_STEP(sql, &r, tenant, resource, n);
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (check_resource(resource, e) < 0)
		return -1;
	snprintf(n, sizeof n, "%lld", (long long)amount);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		rc = err_set(e, ERR_NOT_FOUND, "no tenant %s", tenant);
	} else {
		pg_quota_row(&out->quota, r, 0, 0);
		out->allowed = pg_b(r, 0, 5);
	}
	PQclear(r);
	return rc;
}

static int
pg_quota_check(struct quota_result *out, struct store *st, const char *tenant, const char *resource,
	       int64_t amount, struct err *e)
{
	if (amount < 0)
		return err_field(e, "amount", "amount must not be negative");
	return quota_call(out, st,
			  "SELECT " RESULT_COLS " FROM tenantry.quota_check("
			  "tenantry.tenant_ref($1), $2, $3) r",
			  tenant, resource, amount, e);
}

static int
pg_usage_increment(struct quota_result *out, struct store *st, const char *tenant,
		   const char *resource, int64_t amount, struct err *e)
{
	enum resource res;

	if (amount == 0 || amount > INT64_C(1) << 50 || amount < -(INT64_C(1) << 50))
		return err_field(e, "amount", "amount must be non-zero and reasonable");
	/* Members, API keys and the day's invitations are counted by the
	 * database from their own rows; an increment would only make the
	 * count (and tenants.members) disagree with them. */
	if (resource && resource_parse(resource, &res) == 0
	    && (res == RESOURCE_USERS || res == RESOURCE_API_KEYS || res == RESOURCE_INVITATIONS))
		return err_field(e, "resource", "%s are counted from their rows, not incremented",
				 resource);
	if (quota_call(out, st,
		       "SELECT " RESULT_COLS " FROM tenantry.usage_increment("
		       "tenantry.tenant_ref($1), $2, $3) r",
		       tenant, resource, amount, e)
	    < 0)
		return -1;
	if (!out->allowed)
		return err_set(e, ERR_QUOTA_EXCEEDED,
			       "quota %s exhausted: %lld of %lld used, %lld more refused", resource,
			       (long long)out->quota.used, (long long)out->quota.limit,
			       (long long)amount);
	return 0;
}

/* The summary's forecasts: those of its three quotas (rows of QUOTA_LIST). */
static void
summary_forecasts(struct usage_summary *out, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct quota q;

		memset(&q, 0, sizeof q);
		pg_quota_row(&q, r, i, 0);
		pg_forecast(&q, r, i, 5);
		if (strcmp(q.resource, "users") == 0)
			out->users_forecast = q.forecast;
		else if (strcmp(q.resource, "storage_bytes") == 0)
			out->storage_forecast = q.forecast;
		else if (strcmp(q.resource, "api_calls") == 0)
			out->api_calls_forecast = q.forecast;
	}
}

static int
pg_usage_summary(struct usage_summary *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL, *quotas = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT "
			"max(q.used) FILTER (WHERE q.resource = 'users'), "
			"max(q.quota_limit) FILTER (WHERE q.resource = 'users'), "
			"max(q.used) FILTER (WHERE q.resource = 'storage_bytes'), "
			"max(q.quota_limit) FILTER (WHERE q.resource = 'storage_bytes'), "
			"(SELECT coalesce(sum(u.amount), 0) FROM tenantry.usage_daily u "
			" WHERE u.tenant_id = tenantry.tenant_ref($1) "
			" AND u.resource = 'api_calls' "
			" AND u.day = (now() AT TIME ZONE 'UTC')::date), "
			"max(q.quota_limit) FILTER (WHERE q.resource = 'api_calls') "
			"FROM tenantry.quotas q WHERE q.tenant_id = tenantry.tenant_ref($1)",
			&r, tenant),
		PG_STEP(QUOTA_LIST, &quotas, tenant),
	};
	const double gb = 1024.0 * 1024.0 * 1024.0;
	int64_t lim;

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 3, e) < 0)
		return -1;
	out->users_current = pg_i64(r, 0, 0);
	out->users_limit = pg_i64(r, 0, 1);
	out->storage_used_gb = (double)pg_i64(r, 0, 2) / gb;
	lim = pg_i64(r, 0, 3);
	out->storage_limit_gb = lim < 0 ? -1 : (double)lim / gb;
	out->api_calls_today = pg_i64(r, 0, 4);
	out->api_calls_limit = pg_i64(r, 0, 5);
	PQclear(r);
	summary_forecasts(out, quotas);
	PQclear(quotas);
	return 0;
}

static int
pg_usage_list(struct usage_day_list *out, struct store *st, const char *tenant, int days,
	      struct err *e)
{
	char d[16];
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT u.resource, u.day::text, u.amount FROM tenantry.usage_daily u "
			"WHERE u.tenant_id = tenantry.tenant_ref($1) "
			"AND u.day > (now() AT TIME ZONE 'UTC')::date - $2::int "
			"ORDER BY u.day, u.resource",
			&r, tenant, d),
	};

	memset(out, 0, sizeof *out);
	if (days < 1 || days > 366)
		return err_field(e, "days", "days must be between 1 and 366");
	snprintf(d, sizeof d, "%d", days);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		pg_cpy(out->rows[i].resource, r, (int)i, 0);
		pg_cpy(out->rows[i].day, r, (int)i, 1);
		out->rows[i].amount = pg_i64(r, (int)i, 2);
	}
	PQclear(r);
	return 0;
}

/* A uuid in its text form: the array literal can hold nothing else. */
static bool
is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	}
	return s[36] == '\0';
}

/* The rows as two array literals, "{id,...}" and "{n,...}"; malloc'd. */
static int
served_arrays(char **ids, char **calls, const struct api_calls_count *rows, size_t n, struct err *e)
{
	size_t a = 0, b = 0;

	*ids = malloc(n * ID_LEN + 3);
	*calls = malloc(n * 21 + 3);
	if (!*ids || !*calls)
		return err_set(e, ERR_INTERNAL, "out of memory");
	(*ids)[a++] = '{';
	(*calls)[b++] = '{';
	for (size_t i = 0; i < n; i++) {
		if (rows[i].calls < 0)
			return err_field(e, "calls", "a count of calls must not be negative");
		if (!is_uuid(rows[i].tenant_id))
			return err_field(e, "tenant_id", "not a tenant id");
		a += (size_t)sprintf(*ids + a, "%s%s", i ? "," : "", rows[i].tenant_id);
		b += (size_t)sprintf(*calls + b, "%s%lld", i ? "," : "", (long long)rows[i].calls);
	}
	strcpy(*ids + a, "}");
	strcpy(*calls + b, "}");
	return 0;
}

static int
pg_api_calls_served(struct api_calls_count *rows, size_t n, struct store *st, struct err *e)
{
	char *ids = NULL, *calls = NULL;
	PGresult *r = NULL;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		rows[i].found = false;
	if (n == 0)
		return 0;
	if (served_arrays(&ids, &calls, rows, n, e) == 0) {
		struct pgstep step =
		    PG_STEP("SELECT r.tenant_id::text, r.quota_limit, r.used, " US(
				"r.period_start") " FROM tenantry.api_calls_served("
						  "$1::uuid[], $2::int8[]) r",
			    &r, ids, calls);

		rc = pg_run(pg_of(st), &step, 1, e);
	}
	free(ids);
	free(calls);
	if (rc < 0)
		return -1;
	for (int row = 0; row < PQntuples(r); row++)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rows[i].tenant_id, pg_s(r, row, 0)) != 0)
				continue;
			rows[i].found = true;
			rows[i].limit = pg_i64(r, row, 1);
			rows[i].used = pg_i64(r, row, 2);
			rows[i].window_start = pg_i64(r, row, 3);
		}
	PQclear(r);
	return 0;
}

/* Appends one uuid (or NULL for "") to an array literal at *at. */
static int
uuid_item(char *buf, size_t *at, const char *id, size_t i, const char *field, struct err *e)
{
	if (id[0] && !is_uuid(id))
		return err_field(e, field, "not an id");
	*at += (size_t)sprintf(buf + *at, "%s%s", i ? "," : "", id[0] ? id : "NULL");
	return 0;
}

/* The marks as four array literals: tenants, users, keys, times; malloc'd. */
static int
seen_arrays(char *arr[4], const struct activity_mark *rows, size_t n, struct err *e)
{
	size_t at[4] = { 1, 1, 1, 1 };

	for (int k = 0; k < 4; k++)
		if (!(arr[k] = malloc(n * ID_LEN + 3)))
			return err_set(e, ERR_INTERNAL, "out of memory");
	for (int k = 0; k < 4; k++)
		arr[k][0] = '{';
	for (size_t i = 0, k = 0; i < n; i++) {
		const struct activity_mark *m = &rows[i];

		/* a mark that is not ids is left out rather than failing the batch */
		if (!is_uuid(m->tenant_id) || (m->user_id[0] && !is_uuid(m->user_id))
		    || (m->key_id[0] && !is_uuid(m->key_id)))
			continue;
		uuid_item(arr[0], &at[0], m->tenant_id, k, "tenant_id", e);
		uuid_item(arr[1], &at[1], m->user_id, k, "user_id", e);
		uuid_item(arr[2], &at[2], m->key_id, k, "key_id", e);
		at[3] +=
		    (size_t)sprintf(arr[3] + at[3], "%s%lld", k++ ? "," : "", (long long)m->at);
	}
	for (int k = 0; k < 4; k++)
		strcpy(arr[k] + at[k], "}");
	return 0;
}

static int
pg_activity_seen(const struct activity_mark *rows, size_t n, struct store *st, struct err *e)
{
	char *arr[4] = { NULL, NULL, NULL, NULL };
	int rc = 0;

	if (n == 0)
		return 0;
	if ((rc = seen_arrays(arr, rows, n, e)) == 0) {
		struct pgstep step = PG_STEP("SELECT tenantry.activity_seen($1::uuid[], "
					     "$2::uuid[], $3::uuid[], $4::int8[])",
					     NULL, arr[0], arr[1], arr[2], arr[3]);

		rc = pg_run(pg_of(st), &step, 1, e);
	}
	for (int k = 0; k < 4; k++)
		free(arr[k]);
	return rc;
}

void
pg_ops_usage(struct store_ops *ops)
{
	ops->activity_seen = pg_activity_seen;
	ops->api_calls_served = pg_api_calls_served;
	ops->quota_list = pg_quota_list;
	ops->quota_set_limit = pg_quota_set_limit;
	ops->quota_check = pg_quota_check;
	ops->usage_increment = pg_usage_increment;
	ops->usage_summary = pg_usage_summary;
	ops->usage_list = pg_usage_list;
}
