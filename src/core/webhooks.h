/* webhooks.h - events and their webhooks: the event types (the one list
 * that 047_outbox.sql, the OpenAPI spec, the docs and the console follow),
 * an endpoint and its deliveries as the store reads them, the check of an
 * endpoint's URL and address (no request may reach the database host, a
 * private or link-local network, or loopback unless allowed), the retry
 * schedule, and the Standard Webhooks signature. */
#ifndef TENANTRY_WEBHOOKS_H
#define TENANTRY_WEBHOOKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/types.h"

struct sockaddr;
struct sockaddr_storage;

/* X(enum suffix, name, what happened) */
/* clang-format off */
#define EVENT_TYPES(X)                                                       \
	X(TENANT_CREATED, "tenant.created", "a tenant was created")          \
	X(TENANT_STATUS_CHANGED, "tenant.status_changed",                    \
	  "a tenant's status changed (suspended, resumed, deletion requested…)") \
	X(TENANT_TIER_CHANGED, "tenant.tier_changed", "a tenant's tier changed") \
	X(TENANT_TRIAL_ENDING, "tenant.trial_ending", "a trial ends within 3 days") \
	X(TENANT_TRIAL_ENDED, "tenant.trial_ended",                          \
	  "a trial ended: the tenant is active or suspended")                 \
	X(TENANT_PURGED, "tenant.purged", "a deleted tenant's data was purged") \
	X(MEMBER_ADDED, "member.added", "a user joined a tenant")             \
	X(MEMBER_REMOVED, "member.removed", "a member left a tenant")         \
	X(MEMBER_ROLE_CHANGED, "member.role_changed", "a member's role changed") \
	X(INVITATION_CREATED, "invitation.created", "an invitation was made") \
	X(INVITATION_ACCEPTED, "invitation.accepted", "an invitation was accepted") \
	X(INVITATION_REVOKED, "invitation.revoked", "an invitation was revoked") \
	X(API_KEY_CREATED, "api_key.created", "an API key was created")       \
	X(API_KEY_REVOKED, "api_key.revoked", "an API key was revoked")       \
	X(QUOTA_ALERT, "quota.alert", "a quota crossed 80, 95 or 100 %")      \
	X(PASSWORD_RESET_REQUESTED, "user.password_reset_requested",         \
	  "a user asked for a password reset")                                \
	X(WEBHOOK_TEST, "webhook.test", "a test of one endpoint")
/* clang-format on */
enum event_type {
#define X(e, s, d) EVENT_##e,
	EVENT_TYPES(X)
#undef X
	    EVENT_TYPE_COUNT
};
const char *event_type_name(enum event_type t);
const char *event_type_description(enum event_type t);
int event_type_parse(const char *s, enum event_type *out);

#define WEBHOOK_URL_LEN 2049
#define WEBHOOK_DESC_LEN 201
#define WEBHOOK_MAX_TYPES 64
#define WEBHOOK_SECRET_LEN 64 /* "whsec_" + base64 of 24 bytes + NUL */
#define WEBHOOK_TYPES_LEN 1024
#define WEBHOOK_STATE_LEN 24 /* an attempt's outcome: "pending+disabled" */

/* An event filter: comma-separated event types or prefixes ("member.*");
 * empty = every event. 0, or -1 with ERR_INVALID_FIELD "events" naming
 * the first unknown one. */
int webhook_filter_check(const char *filter, struct err *e);

/* An endpoint as listed (its secret is never read back). */
struct webhook {
	char tenant_id[ID_LEN]; /* "" = the platform's */
	char tenant_slug[SLUG_LEN];
	char id[ID_LEN];
	char url[WEBHOOK_URL_LEN];
	char description[WEBHOOK_DESC_LEN];
	char event_types[WEBHOOK_TYPES_LEN]; /* comma-separated, "" = all */
	bool enabled;
	usec_t disabled_at;
	char disabled_reason[128];
	int failures; /* failed attempts since the last success */
	usec_t last_success_at;
	int64_t pending; /* deliveries waiting */
	usec_t created_at;
	char created_by[EMAIL_LEN];
};
struct webhook_list {
	struct webhook *rows;
	size_t n;
	char next[64]; /* lists are whole: always "" */
};
void webhook_list_free(struct webhook_list *l);

/* A new endpoint: tenant NULL or "" for the platform's. */
struct webhook_new {
	const char *tenant;
	const char *url;
	const char *description;
	const char *event_types; /* comma-separated, NULL/"" = all */
};

/* One delivery attempt, as the delivery log shows it. */
struct webhook_attempt {
	char event_id[ID_LEN];
	char event_type[48];
	char event_tenant[ID_LEN];
	int attempt;
	usec_t at;
	int status; /* HTTP status, 0 = none came back */
	int latency_ms;
	char error[256];
	char response[256];
	char state[12]; /* the delivery's state now: pending | delivered | failed */
};
struct webhook_attempt_list {
	struct webhook_attempt *rows;
	size_t n;
	char next[64]; /* always "" */
};
void webhook_attempt_list_free(struct webhook_attempt_list *l);

/* JSON of each (new reference, NULL when out of memory) and back (-1 with
 * e naming the field that is missing or of the wrong type). */
json_t *webhook_to_json(const struct webhook *w);
int webhook_from_json(struct webhook *out, json_t *j, struct err *e);
json_t *webhook_attempt_to_json(const struct webhook_attempt *a);
int webhook_attempt_from_json(struct webhook_attempt *out, json_t *j, struct err *e);

/* ---- the URL and its address ------------------------------------------------ */

/* The parts of an endpoint URL that the check and the connection need. */
struct webhook_target {
	bool https;
	char host[256]; /* without brackets */
	int port;
};

/* Parses and checks an endpoint URL: https, or http only when
 * allow_loopback and only to a loopback address or localhost (the
 * addresses a name resolves to are checked at each attempt); no
 * user:password; a host; a port in 1..65535; no fragment;
 * at most WEBHOOK_URL_LEN - 1 bytes of printable ASCII. -1 with
 * ERR_INVALID_FIELD "url". */
int
webhook_url_parse(struct webhook_target *out, const char *url, bool allow_loopback, struct err *e);

enum webhook_addr_class {
	WEBHOOK_ADDR_PUBLIC,
	WEBHOOK_ADDR_LOOPBACK,
	WEBHOOK_ADDR_PRIVATE,    /* RFC 1918, fc00::/7, 100.64/10 shared */
	WEBHOOK_ADDR_LINK_LOCAL, /* 169.254/16 (cloud metadata), fe80::/10 */
	WEBHOOK_ADDR_RESERVED,   /* unspecified, multicast, broadcast, documentation… */
};
/* The class of an IPv4 or IPv6 address (IPv4-mapped and -compatible
 * IPv6 addresses, NAT64 and 6to4 forms are classed by the IPv4 address
 * they carry). */
enum webhook_addr_class webhook_addr_classify(const struct sockaddr *sa);
/* The same from text ("10.0.0.1", "::ffff:127.0.0.1"); RESERVED when it
 * is no address. */
enum webhook_addr_class webhook_addr_classify_text(const char *addr);

/* May a request go to this address? Only public addresses, and loopback
 * when allow_loopback; never one of the database's (denied, n of them).
 * -1 with ERR_INVALID_FIELD "url" saying why not. */
int webhook_addr_check(const struct sockaddr *sa, bool allow_loopback,
		       const struct sockaddr_storage *denied, size_t n, struct err *e);

/* ---- retries and signatures -------------------------------------------------- */

/* Seconds to wait after failed attempt number attempt (1 = the first):
 * base_ms doubled each time, at most 12 h, with up to 10 % jitter from
 * the caller's random value r in [0, 1). */
double webhook_retry_delay(int attempt, int base_ms, double r);

#define WEBHOOK_SIGNATURE_LEN 128
/* "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>" as Standard
 * Webhooks signs, with key the bytes of the base64 after "whsec_" of
 * secret. -1 with ERR_INTERNAL when the secret is not of that form. */
int webhook_sign(char out[WEBHOOK_SIGNATURE_LEN], const char *secret, const char *msg_id,
		 int64_t timestamp, const char *body, size_t body_len, struct err *e);

#endif
