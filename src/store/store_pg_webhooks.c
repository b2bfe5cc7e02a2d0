/* store_pg_webhooks.c - webhook endpoints and their deliveries over libpq
 * (048_webhooks.sql): list, create (the signing secret sealed with the
 * master key, shown once), delete, enable or disable, test, the delivery
 * log, redelivery; and for tenantryd's delivery threads, claiming due
 * deliveries and recording each attempt. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";
#define PLATFORM_ID "00000000-0000-0000-0000-000000000000"

/* clang-format off */
#define WEBHOOK_COLS                                                         \
	"CASE WHEN w.tenant_id = '" PLATFORM_ID "' THEN '' ELSE w.tenant_id::text END, " \
	"coalesce((SELECT t.slug FROM tenantry.tenants t WHERE t.id = w.tenant_id), ''), " \
	"w.id, w.url, w.description, array_to_string(w.event_types, ','), w.enabled, " \
	US("w.disabled_at") ", coalesce(w.disabled_reason, ''), w.failures, " \
	US("w.last_success_at") ", (SELECT count(*) FROM tenantry.webhook_deliveries d " \
	"WHERE d.tenant_id = w.tenant_id AND d.endpoint_id = w.id AND d.state = 'pending'), " \
	US("w.created_at") ", w.created_by"
/* clang-format on */

static void
webhook_row(struct webhook *w, const PGresult *r, int row)
{
	pg_cpy(w->tenant_id, r, row, 0);
	pg_cpy(w->tenant_slug, r, row, 1);
	pg_cpy(w->id, r, row, 2);
	pg_cpy(w->url, r, row, 3);
	pg_cpy(w->description, r, row, 4);
	pg_cpy(w->event_types, r, row, 5);
	w->enabled = pg_b(r, row, 6);
	w->disabled_at = pg_i64(r, row, 7);
	pg_cpy(w->disabled_reason, r, row, 8);
	w->failures = (int)pg_i64(r, row, 9);
	w->last_success_at = pg_i64(r, row, 10);
	w->pending = pg_i64(r, row, 11);
	w->created_at = pg_i64(r, row, 12);
	pg_cpy(w->created_by, r, row, 13);
}

static int
rows_to_list(struct webhook_list *out, PGresult *r, struct err *e)
{
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		webhook_row(&out->rows[i], r, (int)i);
	PQclear(r);
	return 0;
}

static int
pg_webhook_list(struct webhook_list *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep all[] = { PG_STEP0("SELECT " WEBHOOK_COLS
					 " FROM tenantry.webhook_endpoints w "
					 "ORDER BY w.created_at, w.id",
					 &r) };
	struct pgstep one[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT " WEBHOOK_COLS " FROM tenantry.webhook_endpoints w "
			"WHERE w.tenant_id = tenantry.tenant_ref($1) ORDER BY w.created_at, w.id",
			&r, tenant),
	};

	memset(out, 0, sizeof *out);
	if ((tenant ? pg_run(pg_of(st), one, 2, e) : pg_run(pg_of(st), all, 1, e)) < 0)
		return -1;
	return rows_to_list(out, r, e);
}

/* One endpoint by id, as the caller sees it; ERR_NOT_FOUND when it does
 * not (unknown, or another tenant's). */
static int
fetch_one(struct webhook *out, struct store *st, const char *id, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP("SELECT " WEBHOOK_COLS
					  " FROM tenantry.webhook_endpoints w "
					  "WHERE w.id::text = lower($1)",
					  &r, id) };

	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no webhook endpoint %.40s", id);
	}
	webhook_row(out, r, 0);
	PQclear(r);
	return 0;
}

/* A version 4 uuid from the system's random source. */
static void
new_uuid(char out[ID_LEN])
{
	uint8_t b[16];

	randombytes_buf(b, sizeof b);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, ID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

static int
pg_webhook_create(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN], struct store *st,
		  const struct webhook_new *n, struct err *e)
{
	struct pgstore *s = pg_of(st);
	struct webhook_target target;
	const char *tenant = n->tenant && *n->tenant ? n->tenant : NULL;
	char id[ID_LEN], secret[WEBHOOK_SECRET_LEN], *sealed = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	secret_out[0] = '\0';
	if (webhook_url_parse(&target, n->url, true, e) < 0
	    || webhook_filter_check(n->event_types, e) < 0)
		return -1;
	if (n->description
	    && (strlen(n->description) >= WEBHOOK_DESC_LEN
		|| validate_utf8(n->description, "description", e) < 0))
		return e->code ? -1 : err_field(e, "description", "longer than 200 bytes");
	if (!s->have_key)
		return err_set(
		    e, ERR_UNAVAILABLE,
		    "a webhook's secret is sealed with the master key (--master-key-file)");
	new_uuid(id);
	secret_webhook(secret);
	if (!(sealed = secret_seal(s->key, secret)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	{
		struct pgstep steps[] = {
			PG_STEP(MUST_TENANT, NULL, tenant),
			PG_STEP(
			    "SELECT tenantry.webhook_create($1::uuid, "
			    "CASE WHEN $2::text IS NULL THEN NULL ELSE tenantry.tenant_ref($2) END, "
			    "$3, $4, string_to_array(NULLIF($5, ''), ','), $6)",
			    NULL, id, tenant, n->url, n->description ? n->description : "",
			    n->event_types ? n->event_types : "", sealed),
		};

		rc = tenant ? pg_run(s, steps, 2, e) : pg_run(s, steps + 1, 1, e);
	}
	free(sealed);
	if (rc < 0 || fetch_one(out, st, id, e) < 0) {
		sodium_memzero(secret, sizeof secret);
		return -1;
	}
	memcpy(secret_out, secret, WEBHOOK_SECRET_LEN);
	sodium_memzero(secret, sizeof secret);
	return 0;
}

static int
pg_webhook_delete(struct store *st, const char *id, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP("DELETE FROM tenantry.webhook_endpoints w "
					  "WHERE w.id::text = lower($1) RETURNING w.id",
					  &r, id) };
	int n;

	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "no webhook endpoint %.40s", id);
}

static int
pg_webhook_set_enabled(struct webhook *out, struct store *st, const char *id, bool enabled,
		       struct err *e)
{
	struct pgstep steps[] = {
		PG_STEP("UPDATE tenantry.webhook_endpoints w SET enabled = $2::bool, "
			"disabled_at = CASE WHEN $2::bool THEN NULL ELSE now() END, "
			"disabled_reason = CASE WHEN $2::bool THEN NULL "
			"ELSE 'disabled by ' || tenantry.current_actor() END, "
			"failures = CASE WHEN $2::bool THEN 0 ELSE w.failures END "
			"WHERE w.id::text = lower($1) AND w.enabled <> $2::bool",
			NULL, id, enabled ? "t" : "f"),
	};

	memset(out, 0, sizeof *out);
	if (fetch_one(out, st, id, e) < 0 || pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	return fetch_one(out, st, id, e);
}

static int
pg_webhook_test(char event_out[ID_LEN], struct store *st, const char *id, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP("SELECT tenantry.webhook_test(w.tenant_id, w.id) "
					  "FROM tenantry.webhook_endpoints w "
					  "WHERE w.id::text = lower($1)",
					  &r, id) };

	event_out[0] = '\0';
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no webhook endpoint %.40s", id);
	}
	pg_copy_text(event_out, ID_LEN, r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_webhook_attempts(struct webhook_attempt_list *out, struct store *st, const char *id, int limit,
		    struct err *e)
{
	struct webhook w;
	PGresult *r = NULL;
	char lim[16];
	struct pgstep steps[] = {
		PG_STEP(
		    "SELECT coalesce(o.id::text, ''), a.type, a.event_tenant, a.attempt, " US(
			"a.at") ", coalesce(a.status, 0), a.latency_ms, coalesce(a.error, ''), "
				"coalesce(a.response, ''), coalesce(d.state, '') "
				"FROM tenantry.webhook_attempts a "
				"LEFT JOIN tenantry.outbox o ON o.tenant_id = a.event_tenant "
				"AND o.seq = a.seq AND o.type = a.type "
				"LEFT JOIN tenantry.webhook_deliveries d ON d.tenant_id = a.tenant_id "
				"AND d.endpoint_id = a.endpoint_id AND d.event_tenant = a.event_tenant "
				"AND d.seq = a.seq AND d.type = a.type "
				"WHERE a.endpoint_id::text = lower($1) "
				"ORDER BY a.at DESC, a.attempt DESC LIMIT $2::int",
		    &r, id, lim),
	};

	memset(out, 0, sizeof *out);
	snprintf(lim, sizeof lim, "%d", limit < 1 || limit > 1000 ? 100 : limit);
	if (fetch_one(&w, st, id, e) < 0 || pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		struct webhook_attempt *a = &out->rows[i];
		int k = (int)i;

		pg_cpy(a->event_id, r, k, 0);
		pg_cpy(a->event_type, r, k, 1);
		pg_cpy(a->event_tenant, r, k, 2);
		a->attempt = (int)pg_i64(r, k, 3);
		a->at = pg_i64(r, k, 4);
		a->status = (int)pg_i64(r, k, 5);
		a->latency_ms = (int)pg_i64(r, k, 6);
		pg_cpy(a->error, r, k, 7);
		pg_cpy(a->response, r, k, 8);
		pg_cpy(a->state, r, k, 9);
	}
	PQclear(r);
	return 0;
}

static int
pg_webhook_redeliver(struct store *st, const char *id, const char *event, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP("SELECT tenantry.webhook_redeliver(w.tenant_id, w.id, "
			"CASE WHEN $2 ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' "
			"THEN $2::uuid END) FROM tenantry.webhook_endpoints w "
			"WHERE w.id::text = lower($1)",
			&r, id, event ? event : ""),
	};
	bool found;

	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no webhook endpoint %.40s", id);
	}
	found = pg_b(r, 0, 0);
	PQclear(r);
	return found ? 0
		     : err_set(e, ERR_NOT_FOUND, "the endpoint has no delivery of event %.40s",
			       event ? event : "");
}

/* ---- delivery ---------------------------------------------------------------------- */

static int
pg_webhook_claim(struct webhook_claim_list *out, struct store *st, const char *runner, int limit,
		 int lease_s, struct err *e)
{
	struct pgstore *s = pg_of(st);
	PGresult *r = NULL;
	char lim[16], lease[16];
	struct pgstep steps[] = {
		PG_STEP(
		    "SELECT tenant_id, endpoint_id, event_tenant, seq, type, attempt, "
		    "event_id, " US("event_at") ", data::text, url, secret "
						"FROM tenantry.webhook_claim($1, $2::int, $3::int)",
		    &r, runner, lim, lease),
	};

	memset(out, 0, sizeof *out);
	if (!s->have_key)
		return err_set(e, ERR_UNAVAILABLE,
			       "delivering webhooks needs the master key (--master-key-file)");
	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(lease, sizeof lease, "%d", lease_s);
	if (pg_run(s, steps, 1, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		struct webhook_claim *c = &out->rows[i];
		int k = (int)i;
		struct err oe = { 0 };
		char *plain;

		pg_cpy(c->tenant_id, r, k, 0);
		pg_cpy(c->endpoint_id, r, k, 1);
		pg_cpy(c->event_tenant, r, k, 2);
		c->seq = pg_i64(r, k, 3);
		pg_cpy(c->type, r, k, 4);
		c->attempt = (int)pg_i64(r, k, 5);
		pg_cpy(c->event_id, r, k, 6);
		c->event_at = pg_i64(r, k, 7);
		pg_cpy(c->url, r, k, 9);
		c->data = strdup(pg_s(r, k, 8));
		plain = secret_open(s->key, pg_s(r, k, 10), &oe);
		if (plain && strlen(plain) < sizeof c->secret)
			memcpy(c->secret, plain, strlen(plain) + 1);
		if (plain)
			sodium_memzero(plain, strlen(plain));
		free(plain); /* an unopenable secret: "" (the attempt fails, saying so) */
		if (!c->data) {
			PQclear(r);
			webhook_claim_list_free(out);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
	}
	PQclear(r);
	return 0;
}

static int
pg_webhook_attempt_done(char state_out[WEBHOOK_STATE_LEN], struct store *st,
			const struct webhook_outcome *o, struct err *e)
{
	const struct webhook_claim *c = o->claim;
	PGresult *r = NULL;
	char seq[24], attempt[16], status[16], latency[16], retry[32], give_up[16], disable[16];
	struct pgstep steps[] = {
		PG_STEP(
		    "SELECT coalesce(tenantry.webhook_attempt_done($1, $2::uuid, $3::uuid, "
		    "$4::uuid, $5::bigint, $6, $7::int, $8::bool, NULLIF($9::int, 0), $10::int, "
		    "$11, $12, $13::float8, $14::int, $15::int), '')",
		    &r, o->runner, c->tenant_id, c->endpoint_id, c->event_tenant, seq, c->type,
		    attempt, o->ok ? "t" : "f", status, latency, o->error, o->response, retry,
		    give_up, disable),
	};

	state_out[0] = '\0';
	snprintf(seq, sizeof seq, "%lld", (long long)c->seq);
	snprintf(attempt, sizeof attempt, "%d", c->attempt);
	snprintf(status, sizeof status, "%d", o->status);
	snprintf(latency, sizeof latency, "%d", o->latency_ms);
	snprintf(retry, sizeof retry, "%.3f", o->retry_s);
	snprintf(give_up, sizeof give_up, "%d", o->give_up_s);
	snprintf(disable, sizeof disable, "%d", o->disable_after);
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	pg_copy_text(state_out, WEBHOOK_STATE_LEN, r, 0, 0);
	PQclear(r);
	return 0;
}

void
pg_ops_webhooks(struct store_ops *ops)
{
	ops->webhook_list = pg_webhook_list;
	ops->webhook_create = pg_webhook_create;
	ops->webhook_delete = pg_webhook_delete;
	ops->webhook_set_enabled = pg_webhook_set_enabled;
	ops->webhook_test = pg_webhook_test;
	ops->webhook_attempts = pg_webhook_attempts;
	ops->webhook_redeliver = pg_webhook_redeliver;
	ops->webhook_claim = pg_webhook_claim;
	ops->webhook_attempt_done = pg_webhook_attempt_done;
}

size_t
store_conninfo_hosts(char hosts[][256], size_t max, const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", NULL);
	size_t n = 0;

	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		const char *p = o->val;

		if (!p || (strcmp(o->keyword, "host") != 0 && strcmp(o->keyword, "hostaddr") != 0))
			continue;
		while (*p && n < max) {
			size_t len = strcspn(p, ",");

			if (len > 0 && len < 256 && p[0] != '/' && p[0] != '@') {
				memcpy(hosts[n], p, len);
				hosts[n++][len] = '\0';
			}
			p += len + (p[len] == ',');
		}
	}
	PQconninfoFree(opts);
	return n;
}
