/* test_json.c - json.h: strict decoding and exact round trips through
 * JSON text for every record and store result. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_text.h"
#include "core/tier.h"

#define T0 INT64_C(1795341600000000) /* 2026-11-22T10:00:00Z */

static json_t *
parse(const char *text)
{
	json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);

	ck_assert_msg(j != NULL, "bad test JSON: %s", text);
	return j;
}

/* Encodes, prints, parses back: what a REST peer would receive. */
static json_t *
through_text(json_t *j)
{
	char *text;
	json_t *back;

	ck_assert_ptr_nonnull(j);
	text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	back = parse(text);
	free(text);
	json_decref(j);
	return back;
}

/* clang-format off */
#define EXPECT_FIELD(decode, type, text, fld, msg)                           \
	do {                                                                 \
		struct type out_;                                            \
		struct err e_;                                               \
		json_t *j_ = parse(text);                                    \
		ck_assert_int_eq(decode(&out_, j_, &e_), -1);                \
		ck_assert_int_eq(e_.code, ERR_INVALID_FIELD);                \
		ck_assert_str_eq(e_.field, fld);                             \
		if (msg)                                                     \
			ck_assert_str_eq(e_.message, (const char *)msg);     \
		json_decref(j_);                                             \
	} while (0)
/* clang-format on */

static const char *
tier_text(const char *name, const char *field_value)
{
	static char buf[1024];

	snprintf(buf, sizeof buf,
		 "{\"name\":\"%s\",\"display_name\":\"X\",\"rank\":1,"
		 "\"price_cents\":0,\"max_users\":%s,\"storage_limit_bytes\":1,"
		 "\"api_calls_per_hour\":1,\"max_api_keys\":1,"
		 "\"invitations_per_day\":1,\"trial_days\":0,"
		 "\"features\":[\"analytics\"]}",
		 name, field_value);
	return buf;
}

START_TEST(wrong_types_name_the_field)
{
	EXPECT_FIELD(tier_from_json, tier, "[]", "body", "body: expected an object");
	EXPECT_FIELD(tier_from_json, tier, tier_text("x", "\"5\""), "max_users",
		     "max_users: expected an integer");
	EXPECT_FIELD(tier_from_json, tier, tier_text("x", "5.0"), "max_users", NULL);
	EXPECT_FIELD(tier_from_json, tier, "{\"name\":\"x\"}", "display_name",
		     "display_name: missing");
	EXPECT_FIELD(tier_from_json, tier, tier_text("a-name-longer-than-thirty-one-bytes", "1"),
		     "name", "name: longer than 31 bytes");
	EXPECT_FIELD(member_from_json, member,
		     "{\"tenant_id\":\"t\",\"user_id\":\"u\",\"email\":\"a@b.c\","
		     "\"full_name\":\"A\",\"role\":\"owner\",\"active\":true,"
		     "\"joined_at\":null,\"last_active_at\":null}",
		     "role", "role: unknown value \"owner\"");
	EXPECT_FIELD(member_from_json, member,
		     "{\"tenant_id\":\"t\",\"user_id\":\"u\",\"email\":\"a@b.c\","
		     "\"full_name\":\"A\",\"role\":\"admin\",\"active\":1,"
		     "\"joined_at\":null,\"last_active_at\":null}",
		     "active", "active: expected true or false");
	EXPECT_FIELD(member_from_json, member,
		     "{\"tenant_id\":\"t\",\"user_id\":\"u\",\"email\":\"a@b.c\","
		     "\"full_name\":\"A\",\"role\":\"admin\",\"active\":true,"
		     "\"joined_at\":\"yesterday\",\"last_active_at\":null}",
		     "joined_at", NULL);
	EXPECT_FIELD(member_from_json, member,
		     "{\"tenant_id\":\"t\",\"user_id\":\"u\",\"email\":\"a@b.c\","
		     "\"full_name\":\"A\",\"role\":\"admin\",\"active\":true,"
		     "\"joined_at\":5,\"last_active_at\":null}",
		     "joined_at", NULL);
}
END_TEST

START_TEST(nested_fields_are_named_by_path)
{
	EXPECT_FIELD(usage_summary_from_json, usage_summary,
		     "{\"users\":{\"current\":1,\"limit\":\"50\"}}", "users.limit",
		     "users.limit: expected an integer");
	EXPECT_FIELD(usage_summary_from_json, usage_summary,
		     "{\"users\":{\"current\":1,\"limit\":5},\"storage\":[]}", "storage",
		     "storage: expected an object");
	EXPECT_FIELD(usage_summary_from_json, usage_summary,
		     "{\"users\":{\"current\":1,\"limit\":5},"
		     "\"storage\":{\"used_gb\":1,\"limit_gb\":true}}",
		     "storage.limit_gb", "storage.limit_gb: expected a number");
	EXPECT_FIELD(platform_metrics_from_json, platform_metrics,
		     "{\"tenants_total\":3,\"by_status\":{\"trial\":1,"
		     "\"active\":1,\"suspended\":0,\"pending_deletion\":0,"
		     "\"deleted\":0},\"tiers\":[{\"tier\":\"free\",\"tenants\":1,"
		     "\"mrr_cents\":0},{\"tier\":\"basic\",\"tenants\":1,"
		     "\"mrr_cents\":\"x\"}],\"open_alerts\":0,\"nearest\":[]}",
		     "tiers[1].mrr_cents", NULL);
	EXPECT_FIELD(platform_metrics_from_json, platform_metrics,
		     "{\"tenants_total\":3,\"by_status\":{\"trial\":1}}", "by_status.active",
		     "by_status.active: missing");
	EXPECT_FIELD(platform_metrics_from_json, platform_metrics,
		     "{\"tenants_total\":0,\"by_status\":{\"trial\":0,"
		     "\"active\":0,\"suspended\":0,\"pending_deletion\":0,"
		     "\"deleted\":0},\"tiers\":[1,2,3,4,5,6,7,8,9]}",
		     "tiers", "tiers: more than 8 elements");
	EXPECT_FIELD(quota_result_from_json, quota_result,
		     "{\"allowed\":true,\"quota\":{\"resource\":\"api_calls\","
		     "\"limit\":1,\"used\":1,\"window\":\"week\","
		     "\"window_start\":null}}",
		     "quota.window", "quota.window: unknown value \"week\"");
	EXPECT_FIELD(quota_from_json, quota,
		     "{\"resource\":\"users\",\"limit\":1,\"used\":1,\"window\":\"none\","
		     "\"window_start\":null,\"forecast\":{\"per_day\":1,\"as_of\":null,"
		     "\"warn80\":{\"state\":\"none\",\"at\":null},"
		     "\"warn95\":{\"state\":\"none\",\"at\":null},"
		     "\"full\":{\"state\":\"soon\",\"at\":null}}}",
		     "forecast.full.state", "forecast.full.state: unknown value \"soon\"");
	EXPECT_FIELD(health_from_json, health,
		     "{\"score\":5,\"parts\":{\"engagement\":{\"value\":1,"
		     "\"explain\":\"x\"}}}",
		     "parts.feature_adoption", NULL);
}
END_TEST

START_TEST(enums_and_masks_are_strict)
{
	struct err e;
	feature_mask f;
	scope_mask s;
	usec_t t;
	json_t *j;

	j = parse("[\"analytics\",\"teleport\"]");
	ck_assert_int_eq(feature_mask_from_json(&f, j, "features", &e), -1);
	ck_assert_str_eq(e.field, "features");
	ck_assert_str_eq(e.message, "features[1]: unknown name");
	json_decref(j);
	j = parse("[\"sso\",\"sso\"]");
	ck_assert_int_eq(feature_mask_from_json(&f, j, "features", &e), -1);
	json_decref(j);
	j = parse("[\"tenant:read\",7]");
	ck_assert_int_eq(scope_mask_from_json(&s, j, "scopes", &e), -1);
	json_decref(j);
	j = parse("\"tenant:read\"");
	ck_assert_int_eq(scope_mask_from_json(&s, j, "scopes", &e), -1);
	ck_assert_str_eq(e.message, "scopes: expected an array of names");
	json_decref(j);
	j = parse("1795341600");
	ck_assert_int_eq(time_from_json(&t, j, "at", &e), -1);
	json_decref(j);
	EXPECT_FIELD(usage_day_from_json, usage_day,
		     "{\"resource\":\"api_calls\",\"day\":\"2026-13-01\","
		     "\"amount\":1}",
		     "day", NULL);
	EXPECT_FIELD(setting_from_json, setting,
		     "{\"key\":\"k\",\"type\":\"float\",\"encrypted\":false,"
		     "\"revealed\":false,\"value\":\"1\",\"updated_at\":null,"
		     "\"updated_by\":\"\"}",
		     "type", NULL);
	EXPECT_FIELD(setting_from_json, setting,
		     "{\"key\":\"k\",\"type\":\"int\",\"encrypted\":false,"
		     "\"revealed\":false,\"value\":1,\"updated_at\":null,"
		     "\"updated_by\":\"\"}",
		     "value", "value: expected a string or null");
}
END_TEST

START_TEST(failures_own_nothing)
{
	struct audit_entry a;
	struct err e;
	json_t *j = parse("{\"tenant_id\":\"t\",\"seq\":1,\"at\":null,\"actor\":\"a\","
			  "\"actor_kind\":\"user\",\"action\":\"x\",\"resource_type\":\"r\","
			  "\"resource_id\":\"1\",\"ip\":\"\",\"hash\":\"h\","
			  "\"old\":{\"a\":1},\"new\":[2],\"user_agent\":42}");

	ck_assert_int_eq(audit_entry_from_json(&a, j, &e), -1);
	ck_assert_str_eq(e.field, "user_agent");
	ck_assert_ptr_null(a.old_json);
	ck_assert_ptr_null(a.new_json);
	ck_assert_ptr_null(a.user_agent);
	json_decref(j);
	j = parse("[{\"resource\":\"users\",\"used\":1,\"limit\":0},"
		  "{\"resource\":\"users\",\"used\":1,\"limit\":0},"
		  "{\"resource\":\"users\",\"used\":1,\"limit\":0},"
		  "{\"resource\":\"users\",\"used\":1,\"limit\":0},"
		  "{\"resource\":\"users\",\"used\":1,\"limit\":0},"
		  "{\"resource\":\"users\",\"used\":1,\"limit\":0}]");
	struct tier_conflict c;
	ck_assert_int_eq(tier_conflict_from_json(&c, j, &e), -1);
	ck_assert_str_eq(e.field, "conflicts");
	json_decref(j);
	j = parse("[{\"resource\":\"users\",\"used\":\"1\",\"limit\":0}]");
	ck_assert_int_eq(tier_conflict_from_json(&c, j, &e), -1);
	ck_assert_str_eq(e.field, "conflicts[0].used");
	ck_assert_uint_eq(c.n, 0);
	json_decref(j);
}
END_TEST

/* ---- round trips --------------------------------------------------------- */

START_TEST(tier_round_trip)
{
	size_t n;
	const struct tier *cat = tier_default_catalog(&n);
	struct tier back;
	struct err e;

	for (size_t i = 0; i < n; i++) {
		json_t *j = through_text(tier_to_json(&cat[i]));

		ck_assert_int_eq(tier_from_json(&back, j, &e), 0);
		ck_assert_int_eq(memcmp(&back, &cat[i], sizeof back), 0);
		json_decref(j);
	}
}
END_TEST

START_TEST(tenant_round_trip)
{
	struct tenant t, back;
	struct err e;
	json_t *j;

	memset(&t, 0, sizeof t);
	strcpy(t.id, "0b6f8a52-2a0e-4c61-9a0c-6d1c6f3b8a01");
	strcpy(t.slug, "acme-corp");
	strcpy(t.name, "Acme Corporation — Zürich");
	strcpy(t.domain, "acme.com");
	strcpy(t.tier, "professional");
	t.status = TENANT_PENDING_DELETION;
	t.trial_ends_at = T0 + 1;
	t.deletion_due_at = T0 + 30 * INT64_C(86400000000);
	t.created_at = T0 - 123456;
	t.updated_at = T0 + 1000;
	t.members = 37;
	t.health = -1;
	t.usage_peak = 0.924;
	strcpy(t.billing_email, "billing@acme.com");
	strcpy(t.billing_status, "past_due");
	strcpy(t.contact_phone, "+41 44 123 45 67");
	strcpy(t.timezone, "Europe/Zurich");
	strcpy(t.locale, "de_CH");
	t.features_on = 1u << FEATURE_SSO;
	t.features_off = 1u << FEATURE_AI_INSIGHTS | 1u << FEATURE_ANALYTICS;
	t.settings_json = "{\"theme\":\"dark\",\"n\":[1,2.5,null]}";
	t.branding_json = "{\"color\":\"#1a2b3c\"}";

	j = through_text(tenant_to_json(&t));
	ck_assert_str_eq(json_string_value(json_object_get(j, "deletion_due_at")),
			 "2026-12-22T10:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(j, "trial_ends_at")),
			 "2026-11-22T10:00:00.000001Z");
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "pending_deletion");
	ck_assert_int_eq(tenant_from_json(&back, j, &e), 0);
	json_decref(j);
	ck_assert_str_eq(back.settings_json, t.settings_json);
	ck_assert_str_eq(back.branding_json, t.branding_json);
	free(back.settings_json);
	free(back.branding_json);
	back.settings_json = t.settings_json;
	back.branding_json = t.branding_json;
	ck_assert_int_eq(memcmp(&back, &t, sizeof t), 0);

	/* without the owned texts: null, read back as NULL */
	t.settings_json = t.branding_json = NULL;
	t.trial_ends_at = 0;
	j = through_text(tenant_to_json(&t));
	ck_assert(json_is_null(json_object_get(j, "settings")));
	ck_assert(json_is_null(json_object_get(j, "trial_ends_at")));
	ck_assert_int_eq(tenant_from_json(&back, j, &e), 0);
	ck_assert_int_eq(memcmp(&back, &t, sizeof t), 0);
	json_decref(j);
}
END_TEST

/* tenant_json_text writes what json_dumps(tenant_to_json(), JSON_COMPACT)
 * does, byte for byte: strings of every byte that needs escaping, UTF-8,
 * reals of every kind, times, masks, null and compact owned texts; an
 * owned text the database printed with spaces is the same value. Invalid
 * UTF-8 and a real that is not finite fail as tenant_to_json does. */
static void
same_as_jansson(const struct tenant *t)
{
	struct jtext jt = { 0 };
	json_t *j = tenant_to_json(t);
	char *want = json_dumps(j, JSON_COMPACT), *got;

	tenant_json_text(&jt, t);
	got = jt_take(&jt);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	json_decref(j);
}

START_TEST(tenant_text_is_jansson_text)
{
	static const double reals[] = { 0,    1,           0.924,   15.7, 1.0 / 3,
					1e-7, 123456789.0, 2.5e300, -0.5, 0.30000001192092896 };
	struct tenant t;
	struct jtext jt = { 0 };
	json_t *a, *b;
	char *txt;
	uint64_t x = 88172645463325252u;

	memset(&t, 0, sizeof t);
	strcpy(t.id, "0b6f8a52-2a0e-4c61-9a0c-6d1c6f3b8a01");
	strcpy(t.slug, "acme-corp");
	strcpy(t.name, "Acme \"Corp\" \\ — Zürich /\t\n\r\b\f\x01\x1f\x7f 日本 \xf0\x9f\x98\x80");
	strcpy(t.tier, "professional");
	t.status = TENANT_TRIAL;
	t.trial_ends_at = T0 + 1;
	t.created_at = T0 - 123456;
	t.updated_at = T0 + 1000;
	t.members = 37;
	t.health = -1;
	t.features_on = 1u << FEATURE_SSO;
	t.features_off = 1u << FEATURE_AI_INSIGHTS | 1u << FEATURE_ANALYTICS;
	t.settings_json = "{\"theme\":\"dark\",\"n\":[1,2.5,null],\"s\":\"a\\u0001\"}";
	for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
		t.usage_peak = reals[i];
		same_as_jansson(&t);
	}
	t.settings_json = NULL;
	t.branding_json = "[]";
	for (int round = 0; round < 500; round++) { /* random ASCII and control bytes */
		size_t n = 0;

		for (; n < 40; n++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t.domain[n] = (char)(1 + x % 127);
		}
		t.domain[n] = '\0';
		t.usage_peak = (double)(x % 100000) / 997.0;
		t.members = (int)(x % 5000);
		t.features_on = (feature_mask)(x & ((1u << FEATURE_COUNT) - 1));
		same_as_jansson(&t);
	}
	/* The database's spacing of an owned text: the same value. */
	t.settings_json = "{\"x\": 1, \"y\": [true, null]}";
	tenant_json_text(&jt, &t);
	ck_assert_ptr_nonnull(txt = jt_take(&jt));
	a = json_loads(txt, 0, NULL);
	b = tenant_to_json(&t);
	ck_assert(a && b && json_equal(a, b));
	json_decref(a);
	json_decref(b);
	free(txt);
	/* What tenant_to_json refuses, the text refuses too. */
	strcpy(t.name, "\xc0\xaf");
	tenant_json_text(&jt, &t);
	ck_assert_ptr_null(jt_take(&jt));
	strcpy(t.name, "ok \xed\xa0\x80"); /* a surrogate */
	tenant_json_text(&jt, &t);
	ck_assert_ptr_null(jt_take(&jt));
	strcpy(t.name, "ok");
	t.usage_peak = 1.0 / 0.0;
	tenant_json_text(&jt, &t);
	ck_assert_ptr_null(jt_take(&jt));
	ck_assert_ptr_null(tenant_to_json(&t));
}
END_TEST

START_TEST(tenant_bad_settings_text)
{
	struct tenant t;

	memset(&t, 0, sizeof t);
	t.settings_json = "{not json";
	ck_assert_ptr_null(tenant_to_json(&t));
	t.settings_json = NULL;
	strcpy(t.name, "\xc0\xaf");
	ck_assert_ptr_null(tenant_to_json(&t));
}
END_TEST

/* clang-format off */
#define ROUND_TRIP(type, value)                                              \
	do {                                                                 \
		struct type back_;                                           \
		struct err e_;                                               \
		json_t *j_ = through_text(type##_to_json(&(value)));         \
		ck_assert_int_eq(type##_from_json(&back_, j_, &e_), 0);      \
		ck_assert_int_eq(memcmp(&back_, &(value), sizeof back_), 0); \
		json_decref(j_);                                             \
	} while (0)
/* clang-format on */

/* A forecast with every state but none, for the round trips. */
static struct quota_forecast
sample_forecast(void)
{
	struct quota_forecast f;

	memset(&f, 0, sizeof f);
	f.per_day = 1234.5678901234567;
	f.as_of = T0;
	f.state[0] = FORECAST_REACHED;
	f.state[1] = FORECAST_PROJECTED;
	f.at[1] = T0 + 3600000001;
	f.state[2] = FORECAST_RESETS_FIRST;
	return f;
}

START_TEST(member_invitation_quota_round_trip)
{
	struct member m;
	struct invitation v;
	struct quota q;
	struct usage_day d;

	memset(&m, 0, sizeof m);
	strcpy(m.tenant_id, "t1");
	strcpy(m.user_id, "u1");
	strcpy(m.email, "bob@acme.com");
	strcpy(m.full_name, "Bob Ñandú");
	m.role = ROLE_VIEWER;
	m.active = true;
	m.joined_at = T0;
	ROUND_TRIP(member, m);

	memset(&v, 0, sizeof v);
	strcpy(v.tenant_id, "t1");
	strcpy(v.id, "i1");
	strcpy(v.email, "carol@acme.com");
	v.role = ROLE_MANAGER;
	strcpy(v.invited_by, "alice@acme.com");
	v.created_at = T0;
	v.expires_at = T0 + 7 * INT64_C(86400000000);
	v.revoked_at = T0 + 5;
	ROUND_TRIP(invitation, v);

	memset(&q, 0, sizeof q);
	strcpy(q.resource, "api_calls");
	q.limit = -1;
	q.used = INT64_MAX;
	q.window = WINDOW_HOUR;
	q.window_start = T0;
	ROUND_TRIP(quota, q);
	q.forecast = sample_forecast();
	ROUND_TRIP(quota, q);

	memset(&d, 0, sizeof d);
	strcpy(d.resource, "storage_bytes");
	strcpy(d.day, "2026-11-22");
	d.amount = INT64_MIN;
	ROUND_TRIP(usage_day, d);
}
END_TEST

START_TEST(usage_summary_seed_shape)
{
	struct usage_summary u = { 12, 50, 15.5, 100, 1247, 5000 }, back;
	struct err e;
	json_t *j = usage_summary_to_json(&u);
	char *text = json_dumps(j, JSON_COMPACT);

	ck_assert_str_eq(text,
			 "{\"users\":{\"current\":12,\"limit\":50,\"forecast\":null},"
			 "\"storage\":{\"used_gb\":15.5,\"limit_gb\":100.0,\"forecast\":null},"
			 "\"api_calls\":{\"today\":1247,\"limit\":5000,\"forecast\":null}}");
	free(text);
	json_decref(j);
	/* the seed writes limit_gb as an integer; that reads too */
	j = parse("{\"users\":{\"current\":12,\"limit\":50},"
		  "\"storage\":{\"used_gb\":15.5,\"limit_gb\":100},"
		  "\"api_calls\":{\"today\":1247,\"limit\":5000}}");
	ck_assert_int_eq(usage_summary_from_json(&back, j, &e), 0);
	ck_assert_int_eq(memcmp(&back, &u, sizeof u), 0);
	json_decref(j);
	u.storage_used_gb = 0.1 + 0.2; /* needs all 17 digits */
	u.storage_limit_gb = -1;
	ROUND_TRIP(usage_summary, u);
	u.api_calls_forecast = sample_forecast();
	u.users_forecast.as_of = T0;
	ROUND_TRIP(usage_summary, u);
}
END_TEST

START_TEST(setting_api_key_alert_round_trip)
{
	struct setting s, back;
	struct api_key k;
	struct alert a;
	struct err e;
	json_t *j;

	memset(&s, 0, sizeof s);
	strcpy(s.key, "smtp.password");
	s.type = SETTING_SECRET;
	s.encrypted = true;
	s.value = "********";
	s.updated_at = T0;
	strcpy(s.updated_by, "alice@acme.com");
	j = through_text(setting_to_json(&s));
	ck_assert_int_eq(setting_from_json(&back, j, &e), 0);
	ck_assert_str_eq(back.value, "********");
	free(back.value);
	back.value = s.value;
	ck_assert_int_eq(memcmp(&back, &s, sizeof s), 0);
	json_decref(j);
	s.value = NULL;
	j = through_text(setting_to_json(&s));
	ck_assert_int_eq(setting_from_json(&back, j, &e), 0);
	ck_assert_ptr_null(back.value);
	json_decref(j);

	memset(&k, 0, sizeof k);
	strcpy(k.tenant_id, "t1");
	strcpy(k.id, "k1");
	strcpy(k.prefix, "a1b2c3d4");
	strcpy(k.name, "ci deploys");
	k.scopes = 1u << SCOPE_USAGE_WRITE | 1u << SCOPE_TENANT_READ;
	strcpy(k.created_by, "alice@acme.com");
	k.created_at = T0;
	k.last_used_at = T0 + 999999;
	j = through_text(api_key_to_json(&k));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "scopes"), 0)),
			 "tenant:read");
	json_decref(j);
	ROUND_TRIP(api_key, k);

	memset(&a, 0, sizeof a);
	strcpy(a.tenant_id, "t1");
	strcpy(a.id, "a1");
	strcpy(a.kind, "quota");
	strcpy(a.resource, "users");
	a.threshold = 95;
	a.at = T0;
	a.acknowledged_at = T0 + 60000000;
	strcpy(a.acknowledged_by, "oncall@platform");
	ROUND_TRIP(alert, a);
	a.forecast = sample_forecast();
	ROUND_TRIP(alert, a);
}
END_TEST

START_TEST(audit_entry_round_trip)
{
	struct audit_entry a, back;
	struct err e;
	json_t *j;

	memset(&a, 0, sizeof a);
	strcpy(a.tenant_id, "t1");
	a.seq = 42;
	a.at = T0 + 7;
	strcpy(a.actor, "alice@acme.com");
	strcpy(a.actor_kind, "user");
	strcpy(a.action, "tenant.update");
	strcpy(a.resource_type, "tenant");
	strcpy(a.resource_id, "t1");
	strcpy(a.ip, "2001:db8::1");
	a.old_json = "{\"name\":\"Acme\"}";
	a.new_json = "{\"name\":\"Acme Corp\"}";
	a.user_agent = "tenantry/1.0";
	strcpy(a.hash, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	j = through_text(audit_entry_to_json(&a));
	ck_assert_int_eq(audit_entry_from_json(&back, j, &e), 0);
	json_decref(j);
	ck_assert_str_eq(back.old_json, a.old_json);
	ck_assert_str_eq(back.new_json, a.new_json);
	ck_assert_str_eq(back.user_agent, a.user_agent);
	free(back.old_json);
	free(back.new_json);
	free(back.user_agent);
	back.old_json = a.old_json;
	back.new_json = a.new_json;
	back.user_agent = a.user_agent;
	ck_assert_int_eq(memcmp(&back, &a, sizeof a), 0);
}
END_TEST

START_TEST(health_metrics_round_trip)
{
	struct health h;
	struct platform_metrics m;
	json_t *j;

	memset(&h, 0, sizeof h);
	h.score = 59;
	for (int p = 0; p < HEALTH_PART_COUNT; p++) {
		h.part[p] = 1.0 / (p + 3);
		snprintf(h.explain[p], sizeof h.explain[p], "part %d", p);
	}
	j = health_to_json(&h);
	ck_assert_int_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(j, "parts"), "engagement"), "weight")),
			 30);
	json_decref(j);
	ROUND_TRIP(health, h);

	memset(&m, 0, sizeof m);
	m.tenants_total = 1204;
	for (int s = 0; s < TENANT_STATUS_COUNT; s++)
		m.by_status[s] = s * 10;
	m.ntiers = 2;
	strcpy(m.tiers[0].tier, "free");
	m.tiers[0].tenants = 900;
	strcpy(m.tiers[1].tier, "enterprise");
	m.tiers[1].tenants = 4;
	m.tiers[1].mrr_cents = 4 * 199900;
	m.open_alerts = 3;
	m.nnearest = 1;
	strcpy(m.nearest[0].tenant_id, "t1");
	strcpy(m.nearest[0].slug, "acme-corp");
	strcpy(m.nearest[0].resource, "api_calls");
	m.nearest[0].used = 4620;
	m.nearest[0].limit = 5000;
	ROUND_TRIP(platform_metrics, m);
	m.nearest[0].forecast = sample_forecast();
	ROUND_TRIP(platform_metrics, m);
}
END_TEST

START_TEST(store_results_round_trip)
{
	struct feature_state f = { 1, 2, 4, 3 };
	struct tier_conflict c;
	struct audit_verdict v;
	struct quota_result q;
	int64_t used[RESOURCE_COUNT] = { 37, 15 * GIB, 0, 3, 0 };
	size_t n;
	const struct tier *cat = tier_default_catalog(&n);
	json_t *j;

	ROUND_TRIP(feature_state, f);
	tier_conflicts(&c, tier_find(cat, n, "basic"), used);
	j = tier_conflict_to_json(&c);
	ck_assert(json_is_array(j));
	ck_assert_uint_eq(json_array_size(j), 3);
	json_decref(j);
	ROUND_TRIP(tier_conflict, c);
	memset(&v, 0, sizeof v);
	v.entries = 1000;
	v.first_broken = 17;
	strcpy(v.reason, "hash mismatch at seq 17");
	strcpy(v.head_hash, "ab");
	ROUND_TRIP(audit_verdict, v);
	memset(&q, 0, sizeof q);
	q.allowed = false;
	strcpy(q.quota.resource, "invitations");
	q.quota.limit = 20;
	q.quota.used = 20;
	q.quota.window = WINDOW_DAY;
	q.quota.window_start = T0 - 36000000000;
	ROUND_TRIP(quota_result, q);
}
END_TEST

Suite *
suite_json(void)
{
	Suite *s = suite_create("json");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, wrong_types_name_the_field);
	tcase_add_test(bad, nested_fields_are_named_by_path);
	tcase_add_test(bad, enums_and_masks_are_strict);
	tcase_add_test(bad, failures_own_nothing);
	tcase_add_test(bad, tenant_bad_settings_text);
	tcase_add_test(good, tier_round_trip);
	tcase_add_test(good, tenant_round_trip);
	tcase_add_test(good, tenant_text_is_jansson_text);
	tcase_add_test(good, member_invitation_quota_round_trip);
	tcase_add_test(good, usage_summary_seed_shape);
	tcase_add_test(good, setting_api_key_alert_round_trip);
	tcase_add_test(good, audit_entry_round_trip);
	tcase_add_test(good, health_metrics_round_trip);
	tcase_add_test(good, store_results_round_trip);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
