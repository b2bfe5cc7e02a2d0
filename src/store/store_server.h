/* store_server.h - the records of the store operations that only
 * tenantryd and its background work call: served API calls and activity
 * in batches, credential lookups and checks, password resets, the answers
 * kept for Idempotency-Keys, background job runs (store.h has the
 * operations themselves), and the calls of webhook delivery. */
#ifndef TENANTRY_STORE_SERVER_H
#define TENANTRY_STORE_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/types.h"
#include "core/webhooks.h"

/* One tenant's API calls served by tenantryd (store_api_calls_served). */
struct api_calls_count {
	char tenant_id[ID_LEN];
	int64_t calls; /* in: calls to add, >= 0 (0 only reads) */
	/* out: the tenant's api_calls quota afterwards */
	bool found;
	int64_t limit;        /* -1 = unlimited */
	int64_t used;         /* in the current window */
	int64_t window_start; /* microseconds since the epoch */
};

/* A member or an API key of a tenant seen at a time (store_activity_seen). */
struct activity_mark {
	char tenant_id[ID_LEN];
	char user_id[ID_LEN]; /* a member, or "" */
	char key_id[ID_LEN];  /* an API key, or "" */
	int64_t at;           /* microseconds since the epoch */
};

/* An account as login sees it (tenantryd only). */
struct auth_account {
	char id[ID_LEN];
	char email[EMAIL_LEN];
	char full_name[NAME_LEN];
	char password_hash[128]; /* argon2id, "" = none */
	char mfa_secret[256];    /* sealed (secret.h), "" = none */
	bool mfa_enabled;
	enum staff_role staff_role;
};

#define AUTH_MAX_MEMBERSHIPS 64
struct auth_membership {
	char tenant_id[ID_LEN];
	char slug[SLUG_LEN];
	enum member_role role;
	struct perm_overrides over;
};

/* An API key as the credential check sees it (tenantryd only). */
struct auth_key {
	char tenant_id[ID_LEN];
	char id[ID_LEN];
	char hash_hex[65];
	scope_mask scopes;
	usec_t expires_at;
	usec_t revoked_at;
	enum tenant_status status;
};

/* A password reset token as staff issue it (store_user_password_reset). */
struct password_reset {
	char user_id[ID_LEN];
	char email[EMAIL_LEN];
	usec_t expires_at;
	bool mailed; /* sent to the account (the token is not the caller's) */
};

/* MFA recovery codes: RECOVERY_CODES of "xxxxx-xxxxx" at a time. */
#define RECOVERY_CODES 10
#define RECOVERY_CODE_LEN 16

/* The answer kept for an Idempotency-Key (tenantryd). */
struct idem_answer {
	int status; /* 0: none */
	char content_type[64];
	char *body; /* owned */
};

/* One store_job_run. */
struct job_run_opts {
	const char *runner; /* who holds the run (host:pid), required */
	const char *name;   /* NULL: the first due job */
	bool force;         /* run o->name even when not due */
	/* seconds to the next run after this one, per enum job_kind; NULL
	 * or 0 keeps the table's */
	const int *intervals;
	int lease_s; /* how long the run is held before another may take it */
};

/* A delivery claimed for one attempt (store_webhook_claim). */
struct webhook_claim {
	char tenant_id[ID_LEN]; /* the endpoint's, "" = the platform's */
	char endpoint_id[ID_LEN];
	char event_tenant[ID_LEN]; /* the event's chain */
	int64_t seq;
	char type[48];
	int attempt;
	char event_id[ID_LEN]; /* "" when the event was purged with its tenant */
	usec_t event_at;
	char *data; /* the event's data, JSON text, owned */
	char url[WEBHOOK_URL_LEN];
	char secret[WEBHOOK_SECRET_LEN]; /* opened with the master key */
};
struct webhook_claim_list {
	struct webhook_claim *rows;
	size_t n;
};

/* One attempt's outcome (store_webhook_attempt_done). */
struct webhook_outcome {
	const struct webhook_claim *claim;
	const char *runner;
	bool ok;
	int status; /* 0: no response */
	int latency_ms;
	const char *error;    /* NULL when ok */
	const char *response; /* the start of the body */
	double retry_s;       /* when to try again after a failure */
	int give_up_s;
	int disable_after;
};

struct store;
struct audit_feed;
struct err;

/* Webhook delivery (store_pg only; ERR_METHOD over REST). */
int store_webhook_claim(struct webhook_claim_list *out, struct store *st, const char *runner,
			int limit, int lease_s, struct err *e);
int store_webhook_attempt_done(char state_out[WEBHOOK_STATE_LEN], struct store *st,
			       const struct webhook_outcome *o, struct err *e);
void webhook_claim_list_free(struct webhook_claim_list *l);
/* A feed of wake-ups when a delivery may have come due; read with
 * store_feed_fd and store_feed_read, closed with store_feed_close. */
int store_webhook_feed_open(struct audit_feed **out, struct store *st, struct err *e);

#endif
