/* types.h - the domain of tenantry: tenants, tiers, members, invitations,
 * quotas, usage, settings, features, API keys, audit entries, alerts.
 *
 * Plain structs with fixed-size text fields so that a page of rows is one
 * allocation. Every enum has a name table (X-macro) shared by the database
 * codec, the JSON codec, the CLI and the console.
 * Times are microseconds since the Unix epoch (UTC); 0 means "none".
 */
#ifndef TENANTRY_TYPES_H
#define TENANTRY_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ID_LEN 37 /* uuid text + NUL */
#define SLUG_LEN 64
#define NAME_LEN 256
#define EMAIL_LEN 255
#define DOMAIN_LEN 254
#define TIER_LEN 32
#define RESOURCE_LEN 32
#define KEY_LEN 128
#define CURSOR_LEN 400
#define AUDIT_CURSOR_LEN 48

typedef int64_t usec_t;

/* ---- enums with their names ------------------------------------------ */

/* clang-format off */
#define TENANT_STATUSES(X)                                                   \
	X(TRIAL, "trial") X(ACTIVE, "active") X(SUSPENDED, "suspended")      \
	X(PENDING_DELETION, "pending_deletion") X(DELETED, "deleted")
/* clang-format on */
enum tenant_status {
#define X(e, s) TENANT_##e,
	TENANT_STATUSES(X)
#undef X
	    TENANT_STATUS_COUNT
};

/* clang-format off */
#define MEMBER_ROLES(X)                                                      \
	X(ADMIN, "admin") X(MANAGER, "manager") X(MEMBER, "member")          \
	X(VIEWER, "viewer")
/* clang-format on */
enum member_role {
#define X(e, s) ROLE_##e,
	MEMBER_ROLES(X)
#undef X
	    ROLE_COUNT
};

/* clang-format off */
#define STAFF_ROLES(X)                                                       \
	X(NONE, "none") X(PLATFORM_ADMIN, "platform_admin")                  \
	X(SUPPORT, "support") X(ONCALL, "oncall")
/* clang-format on */
enum staff_role {
#define X(e, s) STAFF_##e,
	STAFF_ROLES(X)
#undef X
	    STAFF_ROLE_COUNT
};

/* clang-format off */
#define QUOTA_WINDOWS(X)                                                     \
	X(NONE, "none") X(HOUR, "hour") X(DAY, "day") X(MONTH, "month")
/* clang-format on */
enum quota_window {
#define X(e, s) WINDOW_##e,
	QUOTA_WINDOWS(X)
#undef X
	    WINDOW_COUNT
};

/* Typed settings: the value is text, validated against its type. */
/* clang-format off */
#define SETTING_TYPES(X)                                                     \
	X(STRING, "string") X(INT, "int") X(BOOL, "bool") X(JSON, "json")    \
	X(EMAIL, "email") X(URL, "url") X(COLOR, "color")                    \
	X(TIMEZONE, "timezone") X(SECRET, "secret")
/* clang-format on */
enum setting_type {
#define X(e, s) SETTING_##e,
	SETTING_TYPES(X)
#undef X
	    SETTING_TYPE_COUNT
};

/* The feature catalog (seed 000's matrix). Bit i of a feature mask is
 * feature i. */
/* clang-format off */
#define FEATURES(X)                                                          \
	X(ANALYTICS, "analytics") X(SOCIAL_COLLABORATION, "social_collaboration") \
	X(AI_INSIGHTS, "ai_insights") X(ADVANCED_ANALYTICS, "advanced_analytics") \
	X(API_ACCESS, "api_access") X(SSO, "sso")                            \
	X(ADVANCED_REPORTING, "advanced_reporting") X(AUDIT_LOGS, "audit_logs") \
	X(CUSTOM_BRANDING, "custom_branding")                                \
	X(PRIORITY_SUPPORT, "priority_support") X(SLA_GUARANTEE, "sla_guarantee")
/* clang-format on */
enum feature {
#define X(e, s) FEATURE_##e,
	FEATURES(X)
#undef X
	    FEATURE_COUNT
};
typedef uint32_t feature_mask;

/* Quota resources every tenant has. */
/* clang-format off */
#define RESOURCES(X)                                                         \
	X(USERS, "users") X(STORAGE, "storage_bytes") X(API_CALLS, "api_calls") \
	X(API_KEYS, "api_keys") X(INVITATIONS, "invitations")
/* clang-format on */
enum resource {
#define X(e, s) RESOURCE_##e,
	RESOURCES(X)
#undef X
	    RESOURCE_COUNT
};

/* API key scopes. */
/* clang-format off */
#define SCOPES(X)                                                            \
	X(TENANT_READ, "tenant:read") X(TENANT_WRITE, "tenant:write")        \
	X(USERS_READ, "users:read") X(USERS_WRITE, "users:write")            \
	X(USAGE_READ, "usage:read") X(USAGE_WRITE, "usage:write")            \
	X(SETTINGS_READ, "settings:read") X(SETTINGS_WRITE, "settings:write") \
	X(AUDIT_READ, "audit:read")
/* clang-format on */
enum scope {
#define X(e, s) SCOPE_##e,
	SCOPES(X)
#undef X
	    SCOPE_COUNT
};
typedef uint32_t scope_mask;

/* Name of an enum value ("active"); "?" when out of range. */
const char *tenant_status_name(enum tenant_status s);
const char *member_role_name(enum member_role r);
const char *staff_role_name(enum staff_role r);
const char *quota_window_name(enum quota_window w);
const char *setting_type_name(enum setting_type t);
const char *feature_name(enum feature f);
const char *resource_name(enum resource r);
const char *scope_name(enum scope s);

/* Parse a name; returns 0 and sets *out, or -1 when unknown (or NULL). */
int tenant_status_parse(const char *s, enum tenant_status *out);
int member_role_parse(const char *s, enum member_role *out);
int staff_role_parse(const char *s, enum staff_role *out);
int quota_window_parse(const char *s, enum quota_window *out);
int setting_type_parse(const char *s, enum setting_type *out);
int feature_parse(const char *s, enum feature *out);
int resource_parse(const char *s, enum resource *out);
int scope_parse(const char *s, enum scope *out);

/* ---- records ----------------------------------------------------------- */

struct tier {
	char name[TIER_LEN];
	char display_name[64];
	int rank;            /* order for upgrade/downgrade */
	int64_t price_cents; /* per month */
	int64_t max_users;   /* -1 = unlimited, likewise below */
	int64_t storage_limit_bytes;
	int64_t api_calls_per_hour;
	int64_t max_api_keys;
	int64_t invitations_per_day;
	int trial_days;
	feature_mask features;
};

struct tenant {
	char id[ID_LEN];
	char slug[SLUG_LEN];
	char name[NAME_LEN];
	char domain[DOMAIN_LEN];
	char tier[TIER_LEN];
	enum tenant_status status;
	usec_t trial_ends_at;
	usec_t deletion_due_at;
	usec_t created_at;
	usec_t updated_at;
	int members;       /* active members */
	int health;        /* 0..100, -1 when not computed yet */
	double usage_peak; /* highest quota fraction, 0..1+ */
	usec_t health_at;  /* when health and usage_peak were computed; 0 never */
	char billing_email[EMAIL_LEN];
	char billing_status[16]; /* ok | past_due | unpaid */
	char contact_phone[40];
	char timezone[64];
	char locale[16];
	feature_mask features_on; /* overrides on top of the tier */
	feature_mask features_off;
	char *settings_json; /* owned; only filled by tenant_get */
	char *branding_json; /* owned; only filled by tenant_get */
};

/* Fields for creating a tenant (seed: name, admin_email, admin_name,
 * subscription_tier, domain). slug is derived from name when empty. */
struct tenant_new {
	const char *name;
	const char *slug;
	const char *domain;
	const char *tier;
	const char *admin_email;
	const char *admin_name;
	const char *billing_email;
	const char *contact_phone; /* NULL or "": none */
	const char *timezone;      /* NULL or "": UTC */
	const char *locale;        /* NULL or "": en-US */
	bool trial;                /* start in trial (tier's trial_days) */
	/* Out, when not NULL: the first admin's invitation (the tenant is
	 * created with one for admin_email, never with an account) and its
	 * token (>= 96 bytes), shown once. */
	struct invitation *invitation;
	char *invitation_token;
};

/* A partial update: NULL fields are left alone. */
struct tenant_patch {
	const char *name;
	const char *domain;
	const char *billing_email;
	const char *billing_status;
	const char *contact_phone;
	const char *timezone;
	const char *locale;
	const char *settings_json; /* replaces the settings object */
	const char *branding_json; /* replaces the branding object */
	/* "true" verifies the domain now, "false" unverifies it (platform
	 * staff only; 050_tenant_hosts.sql) */
	const char *domain_verified_at;
};

/* Permissions (enum perm bits, core/perm.h) granted or revoked for one
 * member on top of their role; only tenant permissions. */
typedef uint32_t perm_mask;
struct perm_overrides {
	perm_mask grant, revoke;
};

struct member {
	char tenant_id[ID_LEN];
	char user_id[ID_LEN];
	char email[EMAIL_LEN];
	char full_name[NAME_LEN];
	enum member_role role;
	struct perm_overrides over;
	bool active;
	usec_t joined_at;
	usec_t last_active_at;
};

struct invitation {
	char tenant_id[ID_LEN];
	char id[ID_LEN];
	char email[EMAIL_LEN];
	enum member_role role;
	char invited_by[EMAIL_LEN];
	usec_t created_at;
	usec_t expires_at;
	usec_t accepted_at;
	usec_t revoked_at;
};

/* Defines type_name() and type_parse() for one X-macro list of (enum
 * suffix, name) entries; the declarations are the caller's. */
/* clang-format off */
#define NAMES(type, list, count)                                     \
	static const char *const type##_names[] = {                          \
		list(NAME_ENTRY)                                             \
	};                                                                   \
	const char *type##_name(enum type v)                                 \
	{                                                                    \
		return (unsigned)v < count ? type##_names[v] : "?";          \
	}                                                                    \
	int type##_parse(const char *s, enum type *out)                      \
	{                                                                    \
		for (int i = 0; s && i < count; i++) {                       \
			if (!strcmp(s, type##_names[i])) {                   \
				*out = (enum type)i;                         \
				return 0;                                    \
			}                                                    \
		}                                                            \
		return -1;                                                   \
	}
/* clang-format on */
#define NAME_ENTRY(e, s) s,

/* What became of one row of a bulk invitation. */
#define INVITE_OUTCOMES(X)                                                                         \
	X(PENDING, "pending")                 /* not tried yet */                                  \
	X(SENT, "sent")                       /* made: invitation and token are set */             \
	X(ALREADY_MEMBER, "already_member")   /* the address is a member already */                \
	X(ALREADY_INVITED, "already_invited") /* it has a pending invitation */                    \
	X(INVALID, "invalid")                 /* the row does not read: detail says why */         \
	X(REFUSED, "refused")                 /* not allowed, over quota: detail says why */       \
	X(UNKNOWN, "unknown")                 /* the database went away: it may have been made */
enum invite_outcome {
#define X(e, s) INVITE_##e,
	INVITE_OUTCOMES(X)
#undef X
	    INVITE_OUTCOME_COUNT
};
const char *invite_outcome_name(enum invite_outcome o);
int invite_outcome_parse(const char *s, enum invite_outcome *out);

#define INVITE_BULK_MAX 1000 /* rows in one bulk invitation */

/* One row of a bulk invitation: in, the address and role (rows already
 * INVITE_INVALID are skipped); out, its outcome. */
struct invite_row {
	char email[EMAIL_LEN];
	enum member_role role;
	enum invite_outcome outcome;
	struct invitation invitation; /* INVITE_SENT */
	char token[96];               /* INVITE_SENT: shown once, never stored */
	char detail[160];
};

/* Where a quota threshold stands in a forecast (core/forecast.h). */
/* clang-format off */
#define FORECAST_STATES(X)                                                   \
	X(NONE, "none") X(REACHED, "reached") X(PROJECTED, "projected")      \
	X(RESETS_FIRST, "resets_first")
/* clang-format on */
enum forecast_state {
#define X(e, s) FORECAST_##e,
	FORECAST_STATES(X)
#undef X
	    FORECAST_STATE_COUNT
};

#define FORECAST_LEVELS 3 /* 80, 95 and 100 % (QUOTA_WARN80..QUOTA_FULL) */

/* When a quota is projected to reach 80, 95 and 100 % of its limit from
 * its daily usage (core/forecast.h). as_of 0: no forecast was made. */
struct quota_forecast {
	double per_day; /* least-squares rate of consumption, units a day */
	usec_t as_of;   /* when the projection was made */
	enum forecast_state state[FORECAST_LEVELS];
	usec_t at[FORECAST_LEVELS]; /* FORECAST_PROJECTED: when; else 0 */
};

struct quota {
	char resource[RESOURCE_LEN];
	int64_t limit; /* -1 = unlimited */
	int64_t used;
	enum quota_window window;
	usec_t window_start;
	struct quota_forecast forecast;
};

struct usage_day {
	char resource[RESOURCE_LEN];
	char day[11]; /* YYYY-MM-DD */
	int64_t amount;
};

/* The seed's usage summary: users, storage, api calls today. */
struct usage_summary {
	int64_t users_current, users_limit;
	double storage_used_gb, storage_limit_gb; /* limit -1 = unlimited */
	int64_t api_calls_today, api_calls_limit;
	/* the forecasts of the users, storage_bytes and api_calls quotas */
	struct quota_forecast users_forecast, storage_forecast, api_calls_forecast;
};

struct setting {
	char key[KEY_LEN];
	enum setting_type type;
	bool encrypted;
	bool revealed; /* value holds the plaintext of a secret */
	char *value;   /* owned; "********" for unrevealed secrets */
	usec_t updated_at;
	char updated_by[EMAIL_LEN];
};

struct api_key {
	char tenant_id[ID_LEN];
	char id[ID_LEN];
	char prefix[16];
	char name[64];
	scope_mask scopes;
	char created_by[EMAIL_LEN];
	usec_t created_at;
	usec_t expires_at;
	usec_t last_used_at;
	usec_t revoked_at;
};

/* Where an API key stands at time now: revoked, expired or active (the
 * console and the CLI show this). */
enum api_key_state { API_KEY_ACTIVE, API_KEY_REVOKED, API_KEY_EXPIRED };
enum api_key_state api_key_state(const struct api_key *k, usec_t now);
const char *api_key_state_name(enum api_key_state s);

/* Support access: a staff member viewing a tenant as one of its roles,
 * for a reason, until ends_at (view_as_start in 032_view_as.sql). */
struct view_session {
	char id[ID_LEN];
	char tenant_id[ID_LEN];
	char staff[EMAIL_LEN];
	enum member_role role;
	char reason[512];
	usec_t started_at;
	usec_t ends_at;
	usec_t ended_at; /* 0 while open */
	char ended_by[EMAIL_LEN];
	/* the member viewed as ("" for a bare role), and their permission
	 * overrides when the session started */
	char member[EMAIL_LEN];
	struct perm_overrides over;
};

struct audit_entry {
	char tenant_id[ID_LEN]; /* nil uuid for platform entries */
	int64_t seq;
	usec_t at;
	char actor[EMAIL_LEN];
	char actor_kind[16]; /* user | staff | api_key | system | db */
	char action[64];     /* "tenant.update", "secret.reveal" ... */
	char resource_type[32];
	char resource_id[128];
	/* what the resource is called (052_audit_actions.sql): a slug's name,
	 * an address, a key prefix; "" where the id reads well */
	char label[201];
	char ip[46];
	char *old_json;   /* owned, may be NULL */
	char *new_json;   /* owned, may be NULL */
	char *user_agent; /* owned, may be NULL */
	char hash[65];    /* hex sha256 */
	/* Position in the commit order of every chain ("xid-gseq"): the
	 * all-chains streams resume from it (016_write_outcomes.sql). */
	char cursor[AUDIT_CURSOR_LEN];
};

/* An alert list holds the newest ALERTS_MAX at most (store_alert_groups
 * counts them all, in ALERT_GROUPS_MAX groups at most, the most urgent). */
#define ALERTS_MAX 500
#define ALERT_GROUPS_MAX 2000

struct alert {
	char tenant_id[ID_LEN];
	char slug[SLUG_LEN]; /* the tenant's, "" when unknown */
	char id[ID_LEN];
	char kind[16]; /* quota */
	char resource[RESOURCE_LEN];
	int threshold; /* 80, 95, 100 */
	usec_t at;
	usec_t acknowledged_at;
	char acknowledged_by[EMAIL_LEN];
	struct quota_forecast forecast; /* kind quota: its quota's, as of reading */
};

/* The alerts of one tenant's resource (store_alert_groups): the highest
 * threshold reached, how many, how many still open, the newest. */
struct alert_group {
	char tenant_id[ID_LEN];
	char slug[SLUG_LEN];
	char kind[16];
	char resource[RESOURCE_LEN];
	int threshold, count, open;
	usec_t latest;
	char acked_by[EMAIL_LEN]; /* who acknowledged the newest acknowledged one */
};

/* ---- health and platform overview ---------------------------------------- */

/* The parts of the health score: X(enum suffix, name, weight in percent). */
/* clang-format off */
#define HEALTH_PARTS(X)                                                      \
	X(ENGAGEMENT, "engagement", 30) X(ADOPTION, "feature_adoption", 20)  \
	X(HEADROOM, "quota_headroom", 20) X(PAYMENT, "payment", 20)          \
	X(CONSISTENCY, "usage_consistency", 10)
/* clang-format on */
enum health_part {
#define X(e, s, w) HEALTH_##e,
	HEALTH_PARTS(X)
#undef X
	    HEALTH_PART_COUNT
};

#define HEALTH_DAYS 14

/* What the health score is computed from (gathered by the store). */
struct health_inputs {
	int members;                    /* active members */
	int members_active_30d;         /* active in the last 30 days */
	int features_enabled;           /* effective features of the tenant */
	int features_available;         /* size of the catalog */
	double usage_peak;              /* highest quota fraction */
	char billing_status[16];        /* ok | past_due | unpaid */
	int64_t api_calls[HEALTH_DAYS]; /* daily api calls, oldest first */
};

/* Result of a quota consume or check. */
struct quota_result {
	bool allowed;
	struct quota quota; /* the row after the operation */
};

/* Features of a tenant: what its tier gives and its overrides. */
struct feature_state {
	feature_mask tier;
	feature_mask on;
	feature_mask off;
	feature_mask effective;
};

/* A downgrade refused: the resources over the new tier's limits. */
struct tier_conflict {
	size_t n;
	struct {
		char resource[RESOURCE_LEN];
		int64_t used, limit;
	} rows[RESOURCE_COUNT];
};

/* Verification of one audit chain. */
struct audit_verdict {
	int64_t entries;
	int64_t first_broken; /* 0 when the chain is intact */
	char reason[128];
	char head_hash[65];
};

struct health {
	int score;                           /* 0..100 */
	double part[HEALTH_PART_COUNT];      /* each 0..1 */
	char explain[HEALTH_PART_COUNT][96]; /* one line per part */
};

#define METRICS_TIERS 8
#define METRICS_NEAREST 10

#define HISTORY_HOURS 24
#define HISTORY_MONTHS 6

/* The platform over time, from the database (store_platform_history):
 * hourly counts of the last HISTORY_HOURS hours, oldest first, the last
 * one the hour under way (tenants in each status at the end of each hour,
 * successful sign-ins, audited writes), and churn from the audit log for
 * the last HISTORY_MONTHS months, oldest first ("2026-12"): tenants that
 * left (went to pending_deletion or deleted), tier upgrades and downgrades
 * (by the tiers' prices). */
struct platform_history {
	int64_t by_status[TENANT_STATUS_COUNT][HISTORY_HOURS];
	int64_t sign_ins[HISTORY_HOURS];
	int64_t writes[HISTORY_HOURS];
	struct {
		char month[8];
		int64_t left, upgrades, downgrades;
	} churn[HISTORY_MONTHS];
};

struct platform_metrics {
	int64_t tenants_total;
	int64_t by_status[TENANT_STATUS_COUNT];
	size_t ntiers;
	struct {
		char tier[TIER_LEN];
		int64_t tenants;
		int64_t mrr_cents; /* sum of prices of active tenants */
	} tiers[METRICS_TIERS];
	int64_t open_alerts;
	size_t nnearest;
	struct {
		char tenant_id[ID_LEN];
		char slug[SLUG_LEN];
		char resource[RESOURCE_LEN];
		int64_t used, limit;
		struct quota_forecast forecast;
	} nearest[METRICS_NEAREST];
};

#endif
