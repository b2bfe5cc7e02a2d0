/* store_stub.c - a store without a database, for the HTTP fuzz target:
 * one const struct store_ops (store.h) whose every operation returns an
 * empty result (set_context, ping, the lists, idem_begin) or an error
 * (ERR_NOT_FOUND for reads of one record and credential lookups,
 * ERR_UNAVAILABLE for writes), with its out-parameters zeroed as the
 * store's conventions say. Handlers thus parse their whole request and
 * answer from what a store may return, without PostgreSQL.
 */
#include <string.h>

#include "fuzz/store_stub.h"

#define ZERO(p) memset((p), 0, sizeof *(p))

static int
none(struct err *e)
{
	return err_set(e, ERR_NOT_FOUND, "nothing in the fuzz store");
}

static int
down(struct err *e)
{
	return err_set(e, ERR_UNAVAILABLE, "the fuzz store writes nothing");
}

static void
s_close(struct store *st)
{
	(void)st;
}

static int
s_set_context(struct store *st, const struct store_context *ctx, struct err *e)
{
	(void)e;
	st->ctx = *ctx;
	return 0;
}

static int
s_ping(struct store *st, struct err *e)
{
	(void)st, (void)e;
	return 0;
}

static int
s_tier_list(struct tier_list *out, struct store *st, struct err *e)
{
	(void)st, (void)e;
	ZERO(out);
	return 0;
}
static int
s_tier_put(struct store *st, const struct tier *t, struct err *e)
{
	(void)st, (void)t;
	return down(e);
}
static int
s_tenant_list(struct tenant_list *out, struct store *st, const struct tenant_query *q,
	      struct err *e)
{
	(void)st, (void)q, (void)e;
	ZERO(out);
	return 0;
}
static int
s_tenant_get(struct tenant *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	ZERO(out);
	return none(e);
}
static int
s_tenant_create(struct tenant *out, struct store *st, const struct tenant_new *t, struct err *e)
{
	(void)st, (void)t;
	ZERO(out);
	return down(e);
}
static int
s_tenant_update(struct tenant *out, struct store *st, const char *tenant,
		const struct tenant_patch *p, struct err *e)
{
	(void)st, (void)tenant, (void)p;
	ZERO(out);
	return down(e);
}
static int
s_tenant_set_status(struct tenant *out, struct store *st, const char *tenant,
		    enum tenant_status status, struct err *e)
{
	(void)st, (void)tenant, (void)status;
	ZERO(out);
	return down(e);
}
static int
s_tenant_set_tier(struct tenant *out, struct tier_conflict *conflict, struct store *st,
		  const char *tenant, const char *tier, bool force, struct err *e)
{
	(void)st, (void)tenant, (void)tier, (void)force;
	ZERO(out);
	ZERO(conflict);
	return down(e);
}
static int
s_tenant_purge_due(int *purged, struct store *st, struct err *e)
{
	(void)st;
	*purged = 0;
	return down(e);
}
static int
s_member_list(struct member_list *out, struct store *st, const char *tenant,
	      const struct member_query *q, struct err *e)
{
	(void)st, (void)tenant, (void)q, (void)e;
	ZERO(out);
	return 0;
}
static int
s_member_update(struct member *out, struct store *st, const char *tenant, const char *user,
		const enum member_role *role, int active, const struct perm_overrides *over,
		struct err *e)
{
	(void)over, (void)st, (void)tenant, (void)user, (void)role, (void)active;
	ZERO(out);
	return down(e);
}
static int
s_member_remove(struct store *st, const char *tenant, const char *user, struct err *e)
{
	(void)st, (void)tenant, (void)user;
	return down(e);
}
static int
s_invitation_list(struct invitation_list *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant, (void)e;
	ZERO(out);
	return 0;
}
static int
s_invitation_create(struct invitation *out, char token_out[96], struct store *st,
		    const char *tenant, const char *email, enum member_role role, struct err *e)
{
	(void)st, (void)tenant, (void)email, (void)role;
	ZERO(out);
	token_out[0] = '\0';
	return down(e);
}
static int
s_invitation_resend(struct invitation *out, char token_out[96], struct store *st,
		    const char *tenant, const char *invitation, struct err *e)
{
	(void)st, (void)tenant, (void)invitation;
	ZERO(out);
	token_out[0] = '\0';
	return down(e);
}
static int
s_invitation_revoke(struct store *st, const char *tenant, const char *invitation, struct err *e)
{
	(void)st, (void)tenant, (void)invitation;
	return down(e);
}
static int
s_invitation_accept(struct member *out, struct store *st, const char *token, const char *full_name,
		    const char *password, struct err *e)
{
	(void)st, (void)token, (void)full_name, (void)password;
	ZERO(out);
	return none(e);
}
static int
s_quota_list(struct quota_list *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant, (void)e;
	ZERO(out);
	return 0;
}
static int
s_quota_set_limit(struct quota *out, struct store *st, const char *tenant, const char *resource,
		  int64_t limit, struct err *e)
{
	(void)st, (void)tenant, (void)resource, (void)limit;
	ZERO(out);
	return down(e);
}
static int
s_quota_take(struct quota_result *out, struct store *st, const char *tenant, const char *resource,
	     int64_t amount, struct err *e)
{
	(void)st, (void)tenant, (void)resource, (void)amount;
	ZERO(out);
	return down(e);
}
static int
s_usage_summary(struct usage_summary *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	ZERO(out);
	return none(e);
}
static int
s_api_calls_served(struct api_calls_count *rows, size_t n, struct store *st, struct err *e)
{
	(void)rows, (void)n, (void)st, (void)e;
	return 0;
}

static int
s_invitation_bulk(struct invite_row *rows, size_t n, struct store *st, const char *tenant,
		  struct err *e)
{
	(void)rows, (void)n, (void)st, (void)tenant;
	return none(e);
}

static int
s_activity_seen(const struct activity_mark *rows, size_t n, struct store *st, struct err *e)
{
	(void)rows, (void)n, (void)st, (void)e;
	return 0;
}

static int
s_view_as_start(struct view_session *out, struct store *st, const char *tenant,
		enum member_role role, const char *member, const char *reason, int minutes,
		struct err *e)
{
	(void)st, (void)tenant, (void)role, (void)member, (void)reason, (void)minutes;
	ZERO(out);
	return down(e);
}
static int
s_view_as_get(struct view_session *out, struct store *st, const char *session, struct err *e)
{
	(void)st, (void)session;
	ZERO(out);
	return none(e);
}
static int
s_view_as_list(struct view_session_list *out, struct store *st, struct err *e)
{
	(void)st, (void)e;
	ZERO(out);
	return 0;
}
static int
s_view_as_end(struct store *st, const char *session, struct err *e)
{
	(void)st, (void)session;
	return none(e);
}
static int
s_tenant_of_host(char out[ID_LEN], struct store *st, const char *host, struct err *e)
{
	(void)st, (void)host;
	out[0] = '\0';
	return none(e);
}

static int
s_usage_list(struct usage_day_list *out, struct store *st, const char *tenant, int days,
	     struct err *e)
{
	(void)st, (void)tenant, (void)days, (void)e;
	ZERO(out);
	return 0;
}
static int
s_setting_list(struct setting_list *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant, (void)e;
	ZERO(out);
	return 0;
}
static int
s_setting_get(struct setting *out, struct store *st, const char *tenant, const char *key,
	      bool reveal, struct err *e)
{
	(void)st, (void)tenant, (void)key, (void)reveal;
	ZERO(out);
	return none(e);
}
static int
s_setting_put(struct setting *out, struct store *st, const char *tenant, const char *key,
	      enum setting_type type, const char *value, struct err *e)
{
	(void)st, (void)tenant, (void)key, (void)type, (void)value;
	ZERO(out);
	return down(e);
}
static int
s_setting_delete(struct store *st, const char *tenant, const char *key, struct err *e)
{
	(void)st, (void)tenant, (void)key;
	return down(e);
}
static int
s_feature_list(struct feature_state *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	ZERO(out);
	return none(e);
}
static int
s_feature_set(struct feature_state *out, struct store *st, const char *tenant, enum feature f,
	      int state, struct err *e)
{
	(void)st, (void)tenant, (void)f, (void)state;
	ZERO(out);
	return down(e);
}
static int
s_apikey_list(struct api_key_list *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant, (void)e;
	ZERO(out);
	return 0;
}
static int
s_apikey_create(struct api_key *out, char secret_out[128], struct store *st, const char *tenant,
		const char *name, scope_mask scopes, usec_t expires_at, struct err *e)
{
	(void)st, (void)tenant, (void)name, (void)scopes, (void)expires_at;
	ZERO(out);
	secret_out[0] = '\0';
	return down(e);
}
static int
s_apikey_revoke(struct store *st, const char *tenant, const char *key, struct err *e)
{
	(void)st, (void)tenant, (void)key;
	return down(e);
}
static int
s_audit_list(struct audit_entry_list *out, struct store *st, const char *tenant,
	     const struct audit_query *q, struct err *e)
{
	(void)st, (void)tenant, (void)q, (void)e;
	ZERO(out);
	return 0;
}
static int
s_audit_event(struct store *st, const char *tenant, const char *action, const char *resource_type,
	      const char *resource_id, const char *detail_json, struct err *e)
{
	(void)st, (void)tenant, (void)action, (void)resource_type, (void)resource_id,
	    (void)detail_json;
	return down(e);
}
static int
s_audit_verify(struct audit_verdict *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	ZERO(out);
	return none(e);
}
static int
s_audit_verify_all(struct store *st, audit_chain_fn *fn, void *arg, struct err *e)
{
	(void)st, (void)fn, (void)arg;
	return none(e);
}
static int
s_feed_open(struct audit_feed **out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	*out = NULL;
	return down(e);
}
static int
s_feed_fd(struct audit_feed *f)
{
	(void)f;
	return -1;
}
static int
s_feed_read(struct audit_feed *f, struct audit_key *keys, int max, struct err *e)
{
	(void)f, (void)keys, (void)max;
	return down(e);
}
static void
s_feed_close(struct audit_feed *f)
{
	(void)f;
}
static int
s_alert_list(struct alert_list *out, struct store *st, const char *tenant, bool open_only,
	     usec_t since, const char *resource, struct err *e)
{
	(void)st, (void)tenant, (void)open_only, (void)since, (void)resource, (void)e;
	ZERO(out);
	return 0;
}
static int
s_alert_ack(struct store *st, const char *tenant, const char *alert, struct err *e)
{
	(void)st, (void)tenant, (void)alert;
	return down(e);
}
static int
s_health_get(struct health *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	ZERO(out);
	return none(e);
}
static int
s_health_refresh(int *updated, struct store *st, struct err *e)
{
	(void)st;
	*updated = 0;
	return down(e);
}
static int
s_metrics(struct platform_metrics *out, struct store *st, struct err *e)
{
	(void)st;
	ZERO(out);
	return none(e);
}
static int
s_job_list(struct job_info_list *out, struct store *st, struct err *e)
{
	(void)st;
	return ZERO(out), down(e);
}
static int
s_job_run(struct job_result *out, struct store *st, const struct job_run_opts *o, struct err *e)
{
	(void)st, (void)o;
	return ZERO(out), down(e);
}
static int
s_deletion_certificate(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	return *json_out = NULL, none(e);
}
static int
s_tenant_export(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant;
	*json_out = NULL;
	return none(e);
}
/* Credential lookups find nothing (never ERR_NOT_FOUND for auth_user: a
 * login would then check a password hash, which is slow by design). */
static int
s_auth_user(struct auth_account *out, struct store *st, const char *email_or_id, struct err *e)
{
	(void)st, (void)email_or_id;
	ZERO(out);
	return down(e);
}
static int
s_auth_memberships(struct auth_membership *out, size_t max, size_t *n, struct store *st,
		   const char *user, struct err *e)
{
	(void)out, (void)max, (void)st, (void)user;
	*n = 0;
	return down(e);
}
static int
s_auth_login_ok(struct store *st, const char *user, const char *tenant, const char *rehash,
		struct err *e)
{
	(void)st, (void)user, (void)tenant, (void)rehash;
	return down(e);
}
static int
s_auth_mfa_set(struct store *st, const char *user, const char *sealed, bool enabled, struct err *e)
{
	(void)st, (void)user, (void)sealed, (void)enabled;
	return down(e);
}
static int
s_auth_api_key(struct auth_key *out, struct store *st, const char *prefix, struct err *e)
{
	(void)st, (void)prefix;
	ZERO(out);
	return none(e);
}
static int
s_staff_add(char id_out[ID_LEN], struct store *st, const char *email, const char *full_name,
	    enum staff_role role, const char *password_hash, struct err *e)
{
	(void)st, (void)email, (void)full_name, (void)role, (void)password_hash;
	id_out[0] = '\0';
	return down(e);
}
/* No answer kept for any key: the request runs. */
static int
s_idem_begin(struct idem_answer *out, struct store *st, const char *caller, const char *key,
	     const char *fingerprint, struct err *e)
{
	(void)st, (void)caller, (void)key, (void)fingerprint, (void)e;
	ZERO(out);
	return 0;
}
static int
s_idem_end(struct store *st, const struct idem_answer *answer, struct err *e)
{
	(void)st;
	if (!answer)
		return 0;
	return down(e);
}

static const struct store_ops stub_ops = {
	.version = STORE_OPS_VERSION,
	.kind = "fuzz",
	.close = s_close,
	.set_context = s_set_context,
	.ping = s_ping,
	.tier_list = s_tier_list,
	.tier_put = s_tier_put,
	.tenant_list = s_tenant_list,
	.tenant_get = s_tenant_get,
	.tenant_create = s_tenant_create,
	.tenant_update = s_tenant_update,
	.tenant_set_status = s_tenant_set_status,
	.tenant_set_tier = s_tenant_set_tier,
	.tenant_purge_due = s_tenant_purge_due,
	.member_list = s_member_list,
	.member_update = s_member_update,
	.member_remove = s_member_remove,
	.invitation_list = s_invitation_list,
	.invitation_create = s_invitation_create,
	.invitation_resend = s_invitation_resend,
	.invitation_revoke = s_invitation_revoke,
	.invitation_accept = s_invitation_accept,
	.quota_list = s_quota_list,
	.quota_set_limit = s_quota_set_limit,
	.quota_check = s_quota_take,
	.usage_increment = s_quota_take,
	.usage_summary = s_usage_summary,
	.usage_list = s_usage_list,
	.api_calls_served = s_api_calls_served,
	.activity_seen = s_activity_seen,
	.invitation_bulk = s_invitation_bulk,
	.setting_list = s_setting_list,
	.setting_get = s_setting_get,
	.setting_put = s_setting_put,
	.setting_delete = s_setting_delete,
	.feature_list = s_feature_list,
	.feature_set = s_feature_set,
	.apikey_list = s_apikey_list,
	.apikey_create = s_apikey_create,
	.apikey_revoke = s_apikey_revoke,
	.audit_list = s_audit_list,
	.audit_event = s_audit_event,
	.audit_verify = s_audit_verify,
	.audit_verify_all = s_audit_verify_all,
	.feed_open = s_feed_open,
	.feed_fd = s_feed_fd,
	.feed_read = s_feed_read,
	.feed_close = s_feed_close,
	.alert_list = s_alert_list,
	.alert_ack = s_alert_ack,
	.health_get = s_health_get,
	.health_refresh = s_health_refresh,
	.metrics = s_metrics,
	.platform_history = stub_platform_history,
	.job_list = s_job_list,
	.job_run = s_job_run,
	.deletion_certificate = s_deletion_certificate,
	.webhook_list = stub_webhook_list,
	.webhook_create = stub_webhook_create,
	.webhook_delete = stub_webhook_id,
	.webhook_set_enabled = stub_webhook_set_enabled,
	.webhook_test = stub_webhook_test,
	.webhook_attempts = stub_webhook_attempts,
	.webhook_redeliver = stub_webhook_redeliver,
	.webhook_claim = stub_webhook_claim,
	.webhook_attempt_done = stub_webhook_attempt_done,
	.webhook_feed_open = stub_webhook_feed_open,
	.alert_groups = stub_alert_groups,
	.tenant_export = s_tenant_export,
	.auth_user = s_auth_user,
	.auth_memberships = s_auth_memberships,
	.auth_login_ok = s_auth_login_ok,
	.auth_mfa_set = s_auth_mfa_set,
	.auth_api_key = s_auth_api_key,
	.auth_throttle = stub_auth_throttle,
	.auth_login_failed = stub_auth_login_failed,
	.auth_recovery_new = stub_auth_recovery_new,
	.auth_recovery_use = stub_auth_recovery_use,
	.password_reset_request = stub_password_reset_request,
	.password_reset_confirm = stub_password_reset_confirm,
	.user_password_reset = stub_user_password_reset,
	.user_mfa_reset = stub_user_call,
	.user_sign_out = stub_user_call,
	.user_unlock = stub_user_call,
	.staff_add = s_staff_add,
	.tenant_of_host = s_tenant_of_host,
	.view_as_start = s_view_as_start,
	.view_as_get = s_view_as_get,
	.view_as_list = s_view_as_list,
	.view_as_end = s_view_as_end,
	.idem_begin = s_idem_begin,
	.idem_end = s_idem_end,
};

void
store_stub_init(struct store *st)
{
	memset(st, 0, sizeof *st);
	st->ops = &stub_ops;
}

bool
store_stub_complete(void)
{
	/* Every member after version and kind is a function pointer. */
	const char *p = (const char *)&stub_ops.close;
	const char *end = (const char *)(&stub_ops + 1);
	void (*fn)(void);

	for (; p + sizeof fn <= end; p += sizeof fn) {
		memcpy(&fn, p, sizeof fn);
		if (!fn)
			return false;
	}
	return true;
}
