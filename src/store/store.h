/* store.h - the one interface the console, the CLI and tenantryd use.
 *
 * A store is a versioned table of operations (like libgit2's config
 * backends): store_pg.c fills one over libpq, store_rest.c one over libcurl.
 * Nothing above src/store/ includes libpq or libcurl headers.
 *
 * Conventions for every operation:
 *  - returns 0 on success, -1 on failure with `e` filled (status, code,
 *    message); out-parameters come first and are zeroed on entry;
 *  - tenant arguments accept a tenant id (uuid) or a slug;
 *  - another tenant's ids answer ERR_NOT_FOUND, exactly like unknown ids;
 *  - lists are owned by the caller and released with the matching *_free.
 * A store is not thread-safe: one thread owns it.
 */
#ifndef TENANTRY_STORE_H
#define TENANTRY_STORE_H

#include "core/err.h"
#include "core/jobs.h"
#include "core/types.h"
#include "core/webhooks.h"
#include "store/mail.h"     /* the outbox's e-mail (tenantryd's mailer) */
#include "store/outbound.h" /* webhook requests: tenantryd */
#include "store/secret.h"   /* passwords, sealed secrets: part of this interface */
#include "store/store_server.h"

#define STORE_OPS_VERSION 7

/* Who is acting and with which rights; applied to every transaction. */
enum store_role {
	STORE_ROLE_SESSION,  /* the login role's own grants (direct mode) */
	STORE_ROLE_TENANT,   /* tenantry_tenant: exactly one tenant */
	STORE_ROLE_PLATFORM, /* tenantry_platform */
	STORE_ROLE_SUPPORT,  /* tenantry_support */
	STORE_ROLE_ONCALL,   /* tenantry_oncall */
	STORE_ROLE_AUTH,     /* tenantry_auth: credential lookups only */
};

struct store_context {
	enum store_role role;
	char tenant_id[ID_LEN]; /* required for STORE_ROLE_TENANT */
	/* STORE_ROLE_TENANT for staff viewing as a member: the member role
	 * tenantryd applies (X-View-As-Role); the database role is the same
	 * for every member role. */
	enum member_role view_role;
	/* the member's permission overrides (042_member_overrides), with it */
	struct perm_overrides view_over;
	/* Its support access session (store_view_as_start): the REST store
	 * sends it as X-View-As; "" = none. */
	char view_session[ID_LEN];
	char actor[EMAIL_LEN]; /* "" = session user */
	char actor_kind[16];   /* user | staff | api_key | system */
	char ip[46];
	char user_agent[128];
	/* A credential tenantryd verified, re-checked inside every
	 * transaction so that a revocation applies at once (ERR_UNAUTHORIZED):
	 * a token of user auth_user issued at auth_issued_us (tenant_id set
	 * for a tenant user, with auth_member), or API key auth_key of
	 * tenant_id. "" = none. */
	char auth_user[ID_LEN];
	int64_t auth_issued_us;
	char auth_key[ID_LEN];
	bool auth_member; /* the user must be an active member */
	/* What the token claims (auth_user): "user" with the member role, or
	 * "staff" with the staff role; the database refuses a claim beyond
	 * its row (claims may only narrow). */
	char auth_kind[8];
	char auth_role[16];
};

struct store_config {
	const char *conninfo;        /* direct mode: libpq conninfo, may be "" */
	const char *url;             /* remote mode: tenantryd base URL */
	const char *token;           /* remote mode: bearer token */
	const char *master_key_file; /* for encrypted settings; may be NULL */
	bool read_only;              /* refuse every write (console --read-only) */
	/* direct mode: open even when the database cannot be reached now (a
	 * conninfo that does not parse is still refused); the first operation
	 * connects, and fails with ERR_UNAVAILABLE until it can. */
	bool lazy;
	/* direct mode, for a transaction pooler (PgBouncer before 1.21 keeps
	 * no prepared statement of a client): every statement unnamed, parsed
	 * each time, none prepared; and the conninfo of the sessions that must
	 * be the client's own (the live feed's LISTEN), NULL for conninfo. */
	bool unnamed;
	const char *direct_conninfo;
};

/* Sorting of the tenant list. */
/* clang-format off */
#define TENANT_SORTS(X)                                                      \
	X(NAME, "name") X(TIER, "tier") X(STATUS, "status")                  \
	X(HEALTH, "health") X(USAGE, "usage") X(CREATED, "created")
/* clang-format on */
enum tenant_sort {
#define X(e, s) TENANT_SORT_##e,
	TENANT_SORTS(X)
#undef X
	    TENANT_SORT_COUNT
};
const char *tenant_sort_name(enum tenant_sort s);
int tenant_sort_parse(const char *s, enum tenant_sort *out);

struct tenant_query {
	const char *filter; /* substring of name, slug or domain; NULL = all */
	const char *tier;   /* NULL = any */
	int status;         /* enum tenant_status, or -1 = any */
	enum tenant_sort sort;
	bool desc;
	const char *after; /* cursor from a previous page, NULL = first */
	int limit;         /* 1..500 */
};

struct member_query {
	int role;   /* enum member_role or -1 */
	int active; /* 1, 0, or -1 = any */
};

struct audit_query {
	int64_t after_seq;  /* entries with seq > after_seq, 0 = from start */
	int64_t before_seq; /* entries with seq < before_seq, 0 = no bound */
	int limit;          /* 1..1000; the newest `limit` when before_seq
	                            is set or after_seq is 0 and newest is true */
	bool newest;        /* newest first */
	const char *action; /* prefix match, NULL = any */
	const char *actor;  /* exact, NULL = any */
	/* Commit order: entries after this audit cursor ("0-0" = from the
	 * start), oldest first, over every chain the context sees (or the
	 * tenant's), and only those of finished transactions, so that no
	 * entry can later appear before a cursor already handed out. Takes
	 * the place of after_seq, before_seq and newest. */
	const char *cursor;
	usec_t since; /* at or after this time, 0 = any */
};

/* clang-format off */
#define STORE_LIST(T)                                                        \
	struct T##_list {                                                    \
		struct T *rows;                                              \
		size_t n;                                                    \
		char next[CURSOR_LEN]; /* cursor of the next page, "" = end */ \
	}
/* clang-format on */
STORE_LIST(tier);
STORE_LIST(tenant);
STORE_LIST(member);
STORE_LIST(invitation);
STORE_LIST(quota);
STORE_LIST(usage_day);
STORE_LIST(setting);
STORE_LIST(api_key);
STORE_LIST(view_session);
STORE_LIST(audit_entry);
STORE_LIST(alert);
STORE_LIST(alert_group);
STORE_LIST(job_info);

/* What a live feed announces: one committed audit entry (store_rest, from
 * tenantryd's stream), or a wake-up that something may have committed,
 * with tenant_id "" and seq 0 (store_pg: the database's notifications
 * carry nothing). Either way the consumer reads with its own context. */
struct audit_key {
	char tenant_id[ID_LEN];
	int64_t seq;
};

/* A live feed of audit entries committed after it opened (LISTEN on its
 * own session in store_pg, Server-Sent Events in store_rest). */
struct audit_feed;

/* The platform's own audit chain (purges, staff logins, events). */
#define PLATFORM_CHAIN "00000000-0000-0000-0000-000000000000"

/* One chain's verdict from audit_verify_all (PLATFORM_CHAIN for the
 * platform's); a nonzero return stops the walk and is returned by it. */
typedef int audit_chain_fn(void *arg, const char *tenant_id, const struct audit_verdict *v);

struct store;

struct store_ops {
	int version;      /* STORE_OPS_VERSION */
	const char *kind; /* "pg" or "rest" */
	void (*close)(struct store *st);
	int (*set_context)(struct store *st, const struct store_context *ctx, struct err *e);
	/* 0 if the backend answers, -1 with ERR_UNAVAILABLE otherwise. */
	int (*ping)(struct store *st, struct err *e);

	/* tiers */
	int (*tier_list)(struct tier_list *out, struct store *st, struct err *e);
	int (*tier_put)(struct store *st, const struct tier *t, struct err *e);

	/* tenants */
	int (*tenant_list)(struct tenant_list *out, struct store *st, const struct tenant_query *q,
			   struct err *e);
	int (*tenant_get)(struct tenant *out, struct store *st, const char *tenant, struct err *e);
	/* Creates the tenant, its quotas from the tier, and an invitation
	 * (role admin) for t->admin_email, returned in t->invitation and
	 * t->invitation_token when set: no account is made here; accepting
	 * it makes or joins one (invitation_accept). */
	int (*tenant_create)(struct tenant *out, struct store *st, const struct tenant_new *t,
			     struct err *e);
	int (*tenant_update)(struct tenant *out, struct store *st, const char *tenant,
			     const struct tenant_patch *p, struct err *e);
	/* Lifecycle transition; ERR_INVALID_TRANSITION when not allowed. */
	int (*tenant_set_status)(struct tenant *out, struct store *st, const char *tenant,
				 enum tenant_status status, struct err *e);
	/* Tier change; a downgrade below current usage fails with
	 * ERR_DOWNGRADE_BLOCKED and fills `conflict` unless force. */
	int (*tenant_set_tier)(struct tenant *out, struct tier_conflict *conflict, struct store *st,
			       const char *tenant, const char *tier, bool force, struct err *e);
	/* Purges tenants whose deletion grace has passed; *purged = count. */
	int (*tenant_purge_due)(int *purged, struct store *st, struct err *e);

	/* members */
	int (*member_list)(struct member_list *out, struct store *st, const char *tenant,
			   const struct member_query *q, struct err *e);
	/* role NULL = unchanged; active -1 = unchanged */
	int (*member_update)(struct member *out, struct store *st, const char *tenant,
			     const char *user, const enum member_role *role, int active,
			     const struct perm_overrides *over, struct err *e);
	int (*member_remove)(struct store *st, const char *tenant, const char *user, struct err *e);

	/* invitations; the token (tni_…) is returned once in token_out */
	int (*invitation_list)(struct invitation_list *out, struct store *st, const char *tenant,
			       struct err *e);
	int (*invitation_create)(struct invitation *out, char token_out[96], struct store *st,
				 const char *tenant, const char *email, enum member_role role,
				 struct err *e);
	int (*invitation_resend)(struct invitation *out, char token_out[96], struct store *st,
				 const char *tenant, const char *invitation, struct err *e);
	int (*invitation_revoke)(struct store *st, const char *tenant, const char *invitation,
				 struct err *e);
	/* Accepts with the token; creates the user when new (password may be
	 * NULL for an existing user). Fills the membership. */
	int (*invitation_accept)(struct member *out, struct store *st, const char *token,
				 const char *full_name, const char *password, struct err *e);
	int (*invitation_bulk)(struct invite_row *rows, size_t n, struct store *st,
			       const char *tenant, struct err *e);

	/* quotas and usage */
	int (*quota_list)(struct quota_list *out, struct store *st, const char *tenant,
			  struct err *e);
	int (*quota_set_limit)(struct quota *out, struct store *st, const char *tenant,
			       const char *resource, int64_t limit, struct err *e);
	/* Would `amount` more fit? Changes nothing. */
	int (*quota_check)(struct quota_result *out, struct store *st, const char *tenant,
			   const char *resource, int64_t amount, struct err *e);
	/* Consumes in one statement; over the limit fails with
	 * ERR_QUOTA_EXCEEDED and changes nothing. Also counts usage_daily. */
	int (*usage_increment)(struct quota_result *out, struct store *st, const char *tenant,
			       const char *resource, int64_t amount, struct err *e);
	int (*usage_summary)(struct usage_summary *out, struct store *st, const char *tenant,
			     struct err *e);
	int (*usage_list)(struct usage_day_list *out, struct store *st, const char *tenant,
			  int days, struct err *e);
	/* API calls served (tenantryd's rate limits): adds each row's calls
	 * to its tenant's api_calls quota and day of usage, never refused at
	 * the limit (they were served), and fills the row with the quota as
	 * it is then. Rows of tenants the context does not see come back
	 * with found false. ERR_BAD_REQUEST for a negative count. */
	int (*api_calls_served)(struct api_calls_count *rows, size_t n, struct store *st,
				struct err *e);
	/* last_active_at / last_used_at, in batches (tenantryd, as the platform) */
	int (*activity_seen)(const struct activity_mark *rows, size_t n, struct store *st,
			     struct err *e);

	/* settings; secrets come back masked unless reveal (audited) */
	int (*setting_list)(struct setting_list *out, struct store *st, const char *tenant,
			    struct err *e);
	int (*setting_get)(struct setting *out, struct store *st, const char *tenant,
			   const char *key, bool reveal, struct err *e);
	int (*setting_put)(struct setting *out, struct store *st, const char *tenant,
			   const char *key, enum setting_type type, const char *value,
			   struct err *e);
	int (*setting_delete)(struct store *st, const char *tenant, const char *key, struct err *e);

	/* features; state: 1 on, 0 off, -1 back to the tier's default */
	int (*feature_list)(struct feature_state *out, struct store *st, const char *tenant,
			    struct err *e);
	int (*feature_set)(struct feature_state *out, struct store *st, const char *tenant,
			   enum feature f, int state, struct err *e);

	/* API keys; the key (tnt_…) is returned once in secret_out */
	int (*apikey_list)(struct api_key_list *out, struct store *st, const char *tenant,
			   struct err *e);
	int (*apikey_create)(struct api_key *out, char secret_out[128], struct store *st,
			     const char *tenant, const char *name, scope_mask scopes,
			     usec_t expires_at, struct err *e);
	int (*apikey_revoke)(struct store *st, const char *tenant, const char *key, struct err *e);

	/* audit; tenant NULL = every chain the role can see */
	int (*audit_list)(struct audit_entry_list *out, struct store *st, const char *tenant,
			  const struct audit_query *q, struct err *e);
	/* An entry for an event that touches no row (export, reveal, login). */
	int (*audit_event)(struct store *st, const char *tenant, const char *action,
			   const char *resource_type, const char *resource_id,
			   const char *detail_json, struct err *e);
	int (*audit_verify)(struct audit_verdict *out, struct store *st, const char *tenant,
			    struct err *e);
	/* Every chain the context can see: the platform's, then each
	 * tenant's (in id order over libpq); fn gets each verdict. */
	int (*audit_verify_all)(struct store *st, audit_chain_fn *fn, void *arg, struct err *e);
	/* Live audit: opens a feed for one tenant (NULL = every chain the
	 * context can see). The feed is independent of the store's own
	 * connection and is used by the same thread. */
	int (*feed_open)(struct audit_feed **out, struct store *st, const char *tenant,
			 struct err *e);
	/* Descriptor that becomes readable when keys may have arrived. */
	int (*feed_fd)(struct audit_feed *f);
	/* Drains without blocking: up to max keys into keys, returns the
	 * count (0 = nothing yet). -1 with ERR_UNAVAILABLE when the feed's
	 * connection is lost: close it, reopen (with backoff) and backfill
	 * with audit_list(after_seq = last seen), since entries committed
	 * while disconnected are not announced. */
	int (*feed_read)(struct audit_feed *f, struct audit_key *keys, int max, struct err *e);
	void (*feed_close)(struct audit_feed *f);

	/* alerts; tenant, resource NULL = all visible; since: raised at or after
	 * it (0 = any); groups: all visible per tenant, kind, resource, open first */
	int (*alert_list)(struct alert_list *out, struct store *st, const char *tenant,
			  bool open_only, usec_t since, const char *resource, struct err *e);
	int (*alert_ack)(struct store *st, const char *tenant, const char *alert, struct err *e);
	int (*alert_groups)(struct alert_group_list *out, struct store *st, usec_t since,
			    struct err *e);

	/* support access (032, 053): staff start a session in a tenant as a
	 * role, or as one active member (e-mail or id: their role, overrides),
	 * for a reason, for 1..240 minutes; its start and end are audited. view_as_get is the caller's own open session
	 * (ERR_NOT_FOUND when ended or not theirs); list is the open ones the
	 * caller may see (platform admins: all); end is the caller's own or,
	 * for platform admins, anyone's. */
	int (*view_as_start)(struct view_session *out, struct store *st, const char *tenant,
			     enum member_role role, const char *member, const char *reason,
			     int minutes, struct err *e);
	int (*view_as_get)(struct view_session *out, struct store *st, const char *session,
			   struct err *e);
	int (*view_as_list)(struct view_session_list *out, struct store *st, struct err *e);
	int (*view_as_end)(struct store *st, const char *session, struct err *e);

	/* health, metrics, export */
	int (*health_get)(struct health *out, struct store *st, const char *tenant, struct err *e);
	/* Recomputes the stored health and usage peak of every tenant. */
	int (*health_refresh)(int *updated, struct store *st, struct err *e);
	int (*metrics)(struct platform_metrics *out, struct store *st, struct err *e);
	/* the platform over time (struct platform_history); platform.metrics */
	int (*platform_history)(struct platform_history *out, struct store *st, struct err *e);
	/* background jobs (034_jobs.sql). job_list: each job's state (staff).
	 * job_run: claims one run of the first due job (o->name: that one;
	 * o->force: due or not) that no other runner holds, does it as the
	 * system actor and records it (the jobs table, one job.run audit
	 * entry); out->ran false when there was none. A failed job is still
	 * 0, with out->ok false and out->error. store_pg only (ERR_METHOD in
	 * store_rest). deletion_certificate: a purged tenant's certificate
	 * (by its id or slug) as a JSON document (owned, free()); staff. */
	int (*job_list)(struct job_info_list *out, struct store *st, struct err *e);
	int (*job_run)(struct job_result *out, struct store *st, const struct job_run_opts *o,
		       struct err *e);
	int (*deletion_certificate)(char **json_out, struct store *st, const char *tenant,
				    struct err *e);

	/* Webhooks (048_webhooks.sql). webhook_list: tenant's endpoints, or
	 * with tenant NULL every one the caller sees (the platform's too).
	 * webhook_create: the signing secret ("whsec_…") in secret_out, shown
	 * once; the URL is checked (webhook_url_parse) and, by tenantryd, its
	 * address. The others take an endpoint id: another tenant's is
	 * ERR_NOT_FOUND. webhook_test: a webhook.test event for that endpoint
	 * only, its id in event_out. webhook_attempts: the newest attempts
	 * first. webhook_redeliver: the event (its id) again, as a new
	 * delivery. */
	int (*webhook_list)(struct webhook_list *out, struct store *st, const char *tenant,
			    struct err *e);
	int (*webhook_create)(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN],
			      struct store *st, const struct webhook_new *n, struct err *e);
	int (*webhook_delete)(struct store *st, const char *id, struct err *e);
	int (*webhook_set_enabled)(struct webhook *out, struct store *st, const char *id,
				   bool enabled, struct err *e);
	int (*webhook_test)(char event_out[ID_LEN], struct store *st, const char *id,
			    struct err *e);
	int (*webhook_attempts)(struct webhook_attempt_list *out, struct store *st, const char *id,
				int limit, struct err *e);
	int (*webhook_redeliver)(struct store *st, const char *id, const char *event,
				 struct err *e);
	/* tenantryd's delivery (store_pg only): claims up to limit due
	 * deliveries for runner, each held lease_s seconds; records one
	 * attempt's outcome (state_out "" when the claim was lost). */
	int (*webhook_claim)(struct webhook_claim_list *out, struct store *st, const char *runner,
			     int limit, int lease_s, struct err *e);
	int (*webhook_attempt_done)(char state_out[WEBHOOK_STATE_LEN], struct store *st,
				    const struct webhook_outcome *o, struct err *e);
	/* A feed (feed_fd, _read, _close) of wake-ups: a delivery came due. */
	int (*webhook_feed_open)(struct audit_feed **out, struct store *st, struct err *e);
	/* All of a tenant's data as one JSON document (owned, free()). */
	int (*tenant_export)(char **json_out, struct store *st, const char *tenant, struct err *e);

	/* Credentials, for tenantryd and `tenantry staff add` (store_pg only;
	 * ERR_METHOD in store_rest). Run under STORE_ROLE_AUTH except staff_add
	 * (platform). Unknown email, id or prefix -> ERR_NOT_FOUND. */
	int (*auth_user)(struct auth_account *out, struct store *st, const char *email_or_id,
			 struct err *e);
	/* Active memberships of usable tenants, by slug; *n = count. */
	int (*auth_memberships)(struct auth_membership *out, size_t max, size_t *n,
				struct store *st, const char *user, struct err *e);
	/* Records a login, in the audit log too (tenant's chain; NULL: the
	 * platform's, for staff); rehash (NULL = keep) replaces the password
	 * hash. */
	int (*auth_login_ok)(struct store *st, const char *user, const char *tenant,
			     const char *rehash, struct err *e);
	/* Sets the second factor; sealed NULL keeps the stored secret. */
	int (*auth_mfa_set)(struct store *st, const char *user, const char *sealed, bool enabled,
			    struct err *e);
	int (*auth_api_key)(struct auth_key *out, struct store *st, const char *prefix,
			    struct err *e);
	/* Credentials (037_credentials.sql). The sign-in ones are tenantryd's
	 * own (STORE_ROLE_AUTH; ERR_METHOD in store_rest); the others are
	 * routes too. user: an id or an e-mail.
	 * auth_throttle: seconds before email may sign in again from ip
	 * (0 = now), shared by every tenantryd on the database. */
	int (*auth_throttle)(int *retry_after, struct store *st, const char *email, const char *ip,
			     struct err *e);
	/* A failed sign-in (reason: unknown_account, wrong_password,
	 * wrong_code, ...), counted against the e-mail and the address and
	 * audited; *retry_after as for auth_throttle, after it. */
	int (*auth_login_failed)(int *retry_after, struct store *st, const char *email,
				 const char *ip, const char *tenant, const char *reason,
				 struct err *e);
	/* New MFA recovery codes for user (NULL over REST: the caller),
	 * replacing the old ones; shown once, stored hashed. */
	int (*auth_recovery_new)(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
				 const char *user, struct err *e);
	/* Spends one of user's recovery codes: *ok false when it is unknown
	 * or used (audited on tenant's chain when it is a member's). */
	int (*auth_recovery_use)(bool *ok, struct store *st, const char *user, const char *code,
				 const char *tenant, struct err *e);
	/* Self-service reset: a token for the account of email when there is
	 * one, in token_out ("" when there is none, and always "" over REST:
	 * the answer must not tell). The one place reset tokens are made,
	 * with user_password_reset; a mailer sends token_out. */
	int (*password_reset_request)(char token_out[96], struct store *st, const char *email,
				      struct err *e);
	/* Sets the password (password.h policy: ERR_INVALID_FIELD "password")
	 * with a reset token: unknown ERR_NOT_FOUND, used or expired
	 * ERR_GONE. Ends the account's older tokens. */
	int (*password_reset_confirm)(struct store *st, const char *token, const char *password,
				      struct err *e);
	/* Staff: a reset token for user, shown once, or mailed (059). */
	int (*user_password_reset)(struct password_reset *out, char token_out[96], struct store *st,
				   const char *user, bool mail, struct err *e);
	/* Staff: turns user's second factor off, drops its recovery codes. */
	int (*user_mfa_reset)(struct store *st, const char *user, struct err *e);
	/* Ends every token of user issued until now (NULL over REST: the
	 * caller's own account); staff for others. */
	int (*user_sign_out)(struct store *st, const char *user, struct err *e);
	/* Staff: lifts user's sign-in block (its e-mail's failures). */
	int (*user_unlock)(struct store *st, const char *user, struct err *e);
	/* The tenant whose verified domain (050_tenant_hosts.sql) is host, in
	 * out; ERR_NOT_FOUND for an unverified or unknown domain. Across
	 * tenants; only tenantryd resolving a request's Host asks. */
	int (*tenant_of_host)(char out[ID_LEN], struct store *st, const char *host, struct err *e);
	/* Creates a staff account or replaces its role and password. */
	int (*staff_add)(char id_out[ID_LEN], struct store *st, const char *email,
			 const char *full_name, enum staff_role role, const char *password_hash,
			 struct err *e);

	/* Idempotent writes (store_pg only; ERR_METHOD in store_rest, whose
	 * idem_end of nothing is a no-op). idem_begin
	 * opens a transaction with the context's role and claims key for
	 * caller in the context's tenant (the platform's outside one):
	 *  - 0 with out->status 0: a new key; every operation until idem_end
	 *    runs in that one transaction;
	 *  - 0 with out->status set: the answer kept for the same request
	 *    (body owned by the caller, free()); no transaction is open;
	 *  - -1 with ERR_IN_PROGRESS (a request with the key is running),
	 *    ERR_KEY_REUSED (the key answered another request) or another
	 *    error; no transaction is open. */
	int (*idem_begin)(struct idem_answer *out, struct store *st, const char *caller,
			  const char *key, const char *fingerprint, struct err *e);
	/* Ends the transaction of idem_begin: with an answer, keeps it with
	 * the key and commits (ERR_OUTCOME_UNKNOWN when the session was lost
	 * before the commit was confirmed); with NULL, rolls back. */
	int (*idem_end)(struct store *st, const struct idem_answer *answer, struct err *e);
};

struct store {
	const struct store_ops *ops;
	struct store_context ctx;
	bool read_only; /* every write refused (ERR_FORBIDDEN) */
};

/* ---- the operations ---------------------------------------------------------
 *
 * What callers use: each runs the backend's operation of the same name
 * (see struct store_ops for what it does and returns). A store opened
 * read-only refuses every write with ERR_FORBIDDEN before the backend is
 * asked; what a backend does not do answers ERR_METHOD. Code
 * outside src/store calls these, never the ops table. The feed's
 * operations take the store that opened the feed. */
int store_set_context(struct store *st, const struct store_context *ctx, struct err *e);
int store_ping(struct store *st, struct err *e);
int store_tier_list(struct tier_list *out, struct store *st, struct err *e);
int store_tier_put(struct store *st, const struct tier *t, struct err *e);
int store_tenant_list(struct tenant_list *out, struct store *st, const struct tenant_query *q,
		      struct err *e);
int store_tenant_get(struct tenant *out, struct store *st, const char *tenant, struct err *e);
int store_tenant_create(struct tenant *out, struct store *st, const struct tenant_new *t,
			struct err *e);
int store_tenant_update(struct tenant *out, struct store *st, const char *tenant,
			const struct tenant_patch *p, struct err *e);
int store_tenant_set_status(struct tenant *out, struct store *st, const char *tenant,
			    enum tenant_status status, struct err *e);
int store_tenant_set_tier(struct tenant *out, struct tier_conflict *conflict, struct store *st,
			  const char *tenant, const char *tier, bool force, struct err *e);
int store_tenant_purge_due(int *purged, struct store *st, struct err *e);
int store_member_list(struct member_list *out, struct store *st, const char *tenant,
		      const struct member_query *q, struct err *e);
/* Changes a member's role, active flag (-1: unchanged) and permission
 * overrides (replaced whole; NULL: unchanged). */
int store_member_update(struct member *out, struct store *st, const char *tenant, const char *user,
			const enum member_role *role, int active, const struct perm_overrides *over,
			struct err *e);
int store_member_remove(struct store *st, const char *tenant, const char *user, struct err *e);
int store_invitation_list(struct invitation_list *out, struct store *st, const char *tenant,
			  struct err *e);
int store_invitation_create(struct invitation *out, char token_out[96], struct store *st,
			    const char *tenant, const char *email, enum member_role role,
			    struct err *e);
int store_invitation_resend(struct invitation *out, char token_out[96], struct store *st,
			    const char *tenant, const char *invitation, struct err *e);
int store_invitation_revoke(struct store *st, const char *tenant, const char *invitation,
			    struct err *e);
int store_invitation_accept(struct member *out, struct store *st, const char *token,
			    const char *full_name, const char *password, struct err *e);
/* Invites each row's address (at most INVITE_BULK_MAX rows; rows already
 * INVITE_INVALID are left alone) and fills each row's outcome: every row
 * is its own write, so one refused row stops none of the others. -1 only
 * when none could be tried (an unknown tenant, not allowed, too many
 * rows); rows after a lost database are INVITE_UNKNOWN or left PENDING. */
int store_invitation_bulk(struct invite_row *rows, size_t n, struct store *st, const char *tenant,
			  struct err *e);
int store_quota_list(struct quota_list *out, struct store *st, const char *tenant, struct err *e);
int store_quota_set_limit(struct quota *out, struct store *st, const char *tenant,
			  const char *resource, int64_t limit, struct err *e);
int store_quota_check(struct quota_result *out, struct store *st, const char *tenant,
		      const char *resource, int64_t amount, struct err *e);
int store_usage_increment(struct quota_result *out, struct store *st, const char *tenant,
			  const char *resource, int64_t amount, struct err *e);
int
store_usage_summary(struct usage_summary *out, struct store *st, const char *tenant, struct err *e);
int store_usage_list(struct usage_day_list *out, struct store *st, const char *tenant, int days,
		     struct err *e);
int store_api_calls_served(struct api_calls_count *rows, size_t n, struct store *st, struct err *e);
/* Moves the members' last_active_at and the keys' last_used_at forward to
 * the times given (never back, never past the database's clock); unknown
 * ones are skipped. Platform context only. */
int
store_activity_seen(const struct activity_mark *rows, size_t n, struct store *st, struct err *e);
int
store_setting_list(struct setting_list *out, struct store *st, const char *tenant, struct err *e);
int store_setting_get(struct setting *out, struct store *st, const char *tenant, const char *key,
		      bool reveal, struct err *e);
int store_setting_put(struct setting *out, struct store *st, const char *tenant, const char *key,
		      enum setting_type type, const char *value, struct err *e);
int store_setting_delete(struct store *st, const char *tenant, const char *key, struct err *e);
int
store_feature_list(struct feature_state *out, struct store *st, const char *tenant, struct err *e);
int store_feature_set(struct feature_state *out, struct store *st, const char *tenant,
		      enum feature f, int state, struct err *e);
int
store_apikey_list(struct api_key_list *out, struct store *st, const char *tenant, struct err *e);
int
store_apikey_create(struct api_key *out, char secret_out[128], struct store *st, const char *tenant,
		    const char *name, scope_mask scopes, usec_t expires_at, struct err *e);
int store_apikey_revoke(struct store *st, const char *tenant, const char *key, struct err *e);
int store_audit_list(struct audit_entry_list *out, struct store *st, const char *tenant,
		     const struct audit_query *q, struct err *e);
int store_audit_event(struct store *st, const char *tenant, const char *action,
		      const char *resource_type, const char *resource_id, const char *detail_json,
		      struct err *e);
int
store_audit_verify(struct audit_verdict *out, struct store *st, const char *tenant, struct err *e);
int store_audit_verify_all(struct store *st, audit_chain_fn *fn, void *arg, struct err *e);
int store_feed_open(struct audit_feed **out, struct store *st, const char *tenant, struct err *e);
int store_feed_fd(struct store *st, struct audit_feed *f);
int store_feed_read(struct store *st, struct audit_feed *f, struct audit_key *keys, int max,
		    struct err *e);
void store_feed_close(struct store *st, struct audit_feed *f);
int store_alert_list(struct alert_list *out, struct store *st, const char *tenant, bool open_only,
		     usec_t since, const char *resource, struct err *e);
int store_alert_ack(struct store *st, const char *tenant, const char *alert, struct err *e);
int store_alert_groups(struct alert_group_list *out, struct store *st, usec_t since, struct err *e);
int store_view_as_start(struct view_session *out, struct store *st, const char *tenant,
			enum member_role role, const char *member, const char *reason, int minutes,
			struct err *e);
int
store_view_as_get(struct view_session *out, struct store *st, const char *session, struct err *e);
int store_view_as_list(struct view_session_list *out, struct store *st, struct err *e);
int store_view_as_end(struct store *st, const char *session, struct err *e);
int store_health_get(struct health *out, struct store *st, const char *tenant, struct err *e);
int store_health_refresh(int *updated, struct store *st, struct err *e);
int store_metrics(struct platform_metrics *out, struct store *st, struct err *e);
int store_platform_history(struct platform_history *out, struct store *st, struct err *e);
int store_job_list(struct job_info_list *out, struct store *st, struct err *e);
int store_job_run(struct job_result *out, struct store *st, const struct job_run_opts *o,
		  struct err *e);
int
store_deletion_certificate(char **json_out, struct store *st, const char *tenant, struct err *e);
int
store_webhook_list(struct webhook_list *out, struct store *st, const char *tenant, struct err *e);
int store_webhook_create(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN], struct store *st,
			 const struct webhook_new *n, struct err *e);
int store_webhook_delete(struct store *st, const char *id, struct err *e);
int store_webhook_set_enabled(struct webhook *out, struct store *st, const char *id, bool enabled,
			      struct err *e);
int store_webhook_test(char event_out[ID_LEN], struct store *st, const char *id, struct err *e);
int store_webhook_attempts(struct webhook_attempt_list *out, struct store *st, const char *id,
			   int limit, struct err *e);
int store_webhook_redeliver(struct store *st, const char *id, const char *event, struct err *e);
/* The TCP hosts (names or addresses, not socket directories) a libpq
 * conninfo names, at most max; the number written. */
size_t store_conninfo_hosts(char hosts[][256], size_t max, const char *conninfo);
int store_tenant_export(char **json_out, struct store *st, const char *tenant, struct err *e);
int
store_auth_user(struct auth_account *out, struct store *st, const char *email_or_id, struct err *e);
int store_auth_memberships(struct auth_membership *out, size_t max, size_t *n, struct store *st,
			   const char *user, struct err *e);
int store_auth_login_ok(struct store *st, const char *user, const char *tenant, const char *rehash,
			struct err *e);
int store_auth_mfa_set(struct store *st, const char *user, const char *sealed, bool enabled,
		       struct err *e);
int store_auth_api_key(struct auth_key *out, struct store *st, const char *prefix, struct err *e);
int store_auth_throttle(int *retry_after, struct store *st, const char *email, const char *ip,
			struct err *e);
int store_auth_login_failed(int *retry_after, struct store *st, const char *email, const char *ip,
			    const char *tenant, const char *reason, struct err *e);
int store_auth_recovery_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
			    const char *user, struct err *e);
int store_auth_recovery_use(bool *ok, struct store *st, const char *user, const char *code,
			    const char *tenant, struct err *e);
int store_password_reset_request(char token_out[96], struct store *st, const char *email,
				 struct err *e);
int store_password_reset_confirm(struct store *st, const char *token, const char *password,
				 struct err *e);
int store_user_password_reset(struct password_reset *out, char token_out[96], struct store *st,
			      const char *user, bool mail, struct err *e);
int store_user_mfa_reset(struct store *st, const char *user, struct err *e);
int store_user_sign_out(struct store *st, const char *user, struct err *e);
int store_user_unlock(struct store *st, const char *user, struct err *e);
int store_tenant_of_host(char out[ID_LEN], struct store *st, const char *host, struct err *e);
int store_staff_add(char id_out[ID_LEN], struct store *st, const char *email, const char *full_name,
		    enum staff_role role, const char *password_hash, struct err *e);
int store_idem_begin(struct idem_answer *out, struct store *st, const char *caller, const char *key,
		     const char *fingerprint, struct err *e);
int store_idem_end(struct store *st, const struct idem_answer *answer, struct err *e);

/* The backend's name: "pg" or "rest". */
const char *store_kind(const struct store *st);

/* Opens a store: cfg->url set -> REST, else libpq with cfg->conninfo.
 * *out is owned by the caller; release with store_close. */
int store_open(struct store **out, const struct store_config *cfg, struct err *e);
/* Closes and clears *st; accepts NULL. */
void store_close(struct store **st);
/* How the database store waits for a reply: when set and wait(fd, write)
 * returns 0, it has waited for the socket (tenantryd's event loops run
 * other requests meanwhile); -1 means block as usual. Set it once, before
 * any store runs. */
typedef int store_wait_fn(int fd, bool write);
void store_wait_hook(store_wait_fn *wait);
/* Where the stores run what would hold up the caller: password hashing
 * (tens of milliseconds of CPU) and what libpq only does blocking (opening
 * a session, which lasts up to its connect_timeout, and preparing its
 * context statement). When set, run(fn, arg) must call fn(arg) and return
 * when it has; tenantryd hands it to a helper thread while the request's
 * task waits. Unset, fn runs in the caller. Set it once, at start. */
typedef void store_run_fn(void (*fn)(void *), void *arg);
void store_offload_hook(store_run_fn *run);
/* fn(arg) where the hook says. */
void store_offload(void (*fn)(void *), void *arg);
/* audit_verify_all as one audit_verify per chain: the platform's, then
 * each tenant of the list (for a backend without a bulk walk). */
int store_verify_each(struct store *st, audit_chain_fn *fn, void *arg, struct err *e);

void tier_list_free(struct tier_list *l);
void tenant_list_free(struct tenant_list *l);
void member_list_free(struct member_list *l);
void invitation_list_free(struct invitation_list *l);
void quota_list_free(struct quota_list *l);
void usage_day_list_free(struct usage_day_list *l);
void setting_list_free(struct setting_list *l);
void api_key_list_free(struct api_key_list *l);
void view_session_list_free(struct view_session_list *l);
void audit_entry_list_free(struct audit_entry_list *l);
void alert_list_free(struct alert_list *l);
void alert_group_list_free(struct alert_group_list *l);
void job_info_list_free(struct job_info_list *l);
/* Release what a record owns (not the record itself). */
void tenant_clear(struct tenant *t);
void setting_clear(struct setting *s);
void audit_entry_clear(struct audit_entry *a);

#endif
