/* store_ops.c - the operations callers use (store.h): each checks what
 * holds for every backend (a read-only store refuses writes), then runs
 * the backend's. Every slot of a backend's table is filled (a test walks
 * both); what a backend does not do answers ERR_METHOD. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static int
refuse_write(struct err *e, const char *op)
{
	return err_set(e, ERR_FORBIDDEN, "read-only: %s is a write", op);
}

const char *
store_kind(const struct store *st)
{
	return st->ops->kind;
}

int
store_set_context(struct store *st, const struct store_context *ctx, struct err *e)
{
	return st->ops->set_context(st, ctx, e);
}

int
store_ping(struct store *st, struct err *e)
{
	return st->ops->ping(st, e);
}

int
store_tier_list(struct tier_list *out, struct store *st, struct err *e)
{
	return st->ops->tier_list(out, st, e);
}

int
store_tier_put(struct store *st, const struct tier *t, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "tier_put");
	return st->ops->tier_put(st, t, e);
}

int
store_tenant_list(struct tenant_list *out, struct store *st, const struct tenant_query *q,
		  struct err *e)
{
	return st->ops->tenant_list(out, st, q, e);
}

int
store_tenant_get(struct tenant *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->tenant_get(out, st, tenant, e);
}

int
store_tenant_create(struct tenant *out, struct store *st, const struct tenant_new *t, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "tenant_create");
	return st->ops->tenant_create(out, st, t, e);
}

int
store_tenant_update(struct tenant *out, struct store *st, const char *tenant,
		    const struct tenant_patch *p, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "tenant_update");
	return st->ops->tenant_update(out, st, tenant, p, e);
}

int
store_tenant_set_status(struct tenant *out, struct store *st, const char *tenant,
			enum tenant_status status, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "tenant_set_status");
	return st->ops->tenant_set_status(out, st, tenant, status, e);
}

int
store_tenant_set_tier(struct tenant *out, struct tier_conflict *conflict, struct store *st,
		      const char *tenant, const char *tier, bool force, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "tenant_set_tier");
	return st->ops->tenant_set_tier(out, conflict, st, tenant, tier, force, e);
}

int
store_tenant_purge_due(int *purged, struct store *st, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "tenant_purge_due");
	return st->ops->tenant_purge_due(purged, st, e);
}

int
store_member_list(struct member_list *out, struct store *st, const char *tenant,
		  const struct member_query *q, struct err *e)
{
	return st->ops->member_list(out, st, tenant, q, e);
}

int
store_member_update(struct member *out, struct store *st, const char *tenant, const char *user,
		    const enum member_role *role, int active, const struct perm_overrides *over,
		    struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "member_update");
	return st->ops->member_update(out, st, tenant, user, role, active, over, e);
}

int
store_member_remove(struct store *st, const char *tenant, const char *user, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "member_remove");
	return st->ops->member_remove(st, tenant, user, e);
}

int
store_invitation_list(struct invitation_list *out, struct store *st, const char *tenant,
		      struct err *e)
{
	return st->ops->invitation_list(out, st, tenant, e);
}

int
store_invitation_create(struct invitation *out, char token_out[96], struct store *st,
			const char *tenant, const char *email, enum member_role role, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "invitation_create");
	return st->ops->invitation_create(out, token_out, st, tenant, email, role, e);
}

int
store_invitation_resend(struct invitation *out, char token_out[96], struct store *st,
			const char *tenant, const char *invitation, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "invitation_resend");
	return st->ops->invitation_resend(out, token_out, st, tenant, invitation, e);
}

int
store_invitation_revoke(struct store *st, const char *tenant, const char *invitation, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "invitation_revoke");
	return st->ops->invitation_revoke(st, tenant, invitation, e);
}

int
store_invitation_accept(struct member *out, struct store *st, const char *token,
			const char *full_name, const char *password, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "invitation_accept");
	return st->ops->invitation_accept(out, st, token, full_name, password, e);
}

int
store_invitation_bulk(struct invite_row *rows, size_t n, struct store *st, const char *tenant,
		      struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "invitation_bulk");
	if (n > INVITE_BULK_MAX)
		return err_field(e, "invitations", "at most %d rows at once", INVITE_BULK_MAX);
	return st->ops->invitation_bulk(rows, n, st, tenant, e);
}

int
store_quota_list(struct quota_list *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->quota_list(out, st, tenant, e);
}

int
store_quota_set_limit(struct quota *out, struct store *st, const char *tenant, const char *resource,
		      int64_t limit, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "quota_set_limit");
	return st->ops->quota_set_limit(out, st, tenant, resource, limit, e);
}

int
store_quota_check(struct quota_result *out, struct store *st, const char *tenant,
		  const char *resource, int64_t amount, struct err *e)
{
	return st->ops->quota_check(out, st, tenant, resource, amount, e);
}

int
store_usage_increment(struct quota_result *out, struct store *st, const char *tenant,
		      const char *resource, int64_t amount, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "usage_increment");
	return st->ops->usage_increment(out, st, tenant, resource, amount, e);
}

int
store_usage_summary(struct usage_summary *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->usage_summary(out, st, tenant, e);
}

int
store_usage_list(struct usage_day_list *out, struct store *st, const char *tenant, int days,
		 struct err *e)
{
	return st->ops->usage_list(out, st, tenant, days, e);
}

int
store_api_calls_served(struct api_calls_count *rows, size_t n, struct store *st, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "api_calls_served");
	return st->ops->api_calls_served(rows, n, st, e);
}

int
store_activity_seen(const struct activity_mark *rows, size_t n, struct store *st, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "activity_seen");
	return st->ops->activity_seen(rows, n, st, e);
}

int
store_setting_list(struct setting_list *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->setting_list(out, st, tenant, e);
}

int
store_setting_get(struct setting *out, struct store *st, const char *tenant, const char *key,
		  bool reveal, struct err *e)
{
	return st->ops->setting_get(out, st, tenant, key, reveal, e);
}

int
store_setting_put(struct setting *out, struct store *st, const char *tenant, const char *key,
		  enum setting_type type, const char *value, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "setting_put");
	return st->ops->setting_put(out, st, tenant, key, type, value, e);
}

int
store_setting_delete(struct store *st, const char *tenant, const char *key, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "setting_delete");
	return st->ops->setting_delete(st, tenant, key, e);
}

int
store_feature_list(struct feature_state *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->feature_list(out, st, tenant, e);
}

int
store_feature_set(struct feature_state *out, struct store *st, const char *tenant, enum feature f,
		  int state, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "feature_set");
	return st->ops->feature_set(out, st, tenant, f, state, e);
}

int
store_apikey_list(struct api_key_list *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->apikey_list(out, st, tenant, e);
}

int
store_apikey_create(struct api_key *out, char secret_out[128], struct store *st, const char *tenant,
		    const char *name, scope_mask scopes, usec_t expires_at, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "apikey_create");
	return st->ops->apikey_create(out, secret_out, st, tenant, name, scopes, expires_at, e);
}

int
store_apikey_revoke(struct store *st, const char *tenant, const char *key, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "apikey_revoke");
	return st->ops->apikey_revoke(st, tenant, key, e);
}

int
store_audit_list(struct audit_entry_list *out, struct store *st, const char *tenant,
		 const struct audit_query *q, struct err *e)
{
	return st->ops->audit_list(out, st, tenant, q, e);
}

int
store_audit_event(struct store *st, const char *tenant, const char *action,
		  const char *resource_type, const char *resource_id, const char *detail_json,
		  struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "audit_event");
	return st->ops->audit_event(st, tenant, action, resource_type, resource_id, detail_json, e);
}

int
store_audit_verify(struct audit_verdict *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->audit_verify(out, st, tenant, e);
}

int
store_audit_verify_all(struct store *st, audit_chain_fn *fn, void *arg, struct err *e)
{
	return st->ops->audit_verify_all(st, fn, arg, e);
}

int
store_feed_open(struct audit_feed **out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->feed_open(out, st, tenant, e);
}

int
store_feed_fd(struct store *st, struct audit_feed *f)
{
	return st->ops->feed_fd(f);
}

int
store_feed_read(struct store *st, struct audit_feed *f, struct audit_key *keys, int max,
		struct err *e)
{
	return st->ops->feed_read(f, keys, max, e);
}

void
store_feed_close(struct store *st, struct audit_feed *f)
{
	st->ops->feed_close(f);
}

int
store_alert_list(struct alert_list *out, struct store *st, const char *tenant, bool open_only,
		 usec_t since, const char *resource, struct err *e)
{
	enum resource known;

	/* a name of the list, never free text to the database */
	if (resource && strcmp(resource, "trial") != 0 && resource_parse(resource, &known) < 0) {
		memset(out, 0, sizeof *out);
		return err_field(e, "resource",
				 "resource is one of users, storage_bytes, api_calls, api_keys, "
				 "invitations, trial");
	}
	return st->ops->alert_list(out, st, tenant, open_only, since, resource, e);
}

int
store_alert_groups(struct alert_group_list *out, struct store *st, usec_t since, struct err *e)
{
	return st->ops->alert_groups(out, st, since, e);
}

int
store_alert_ack(struct store *st, const char *tenant, const char *alert, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "alert_ack");
	return st->ops->alert_ack(st, tenant, alert, e);
}

/* Starting and ending support access write audit entries: writes. */
int
store_view_as_start(struct view_session *out, struct store *st, const char *tenant,
		    enum member_role role, const char *member, const char *reason, int minutes,
		    struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "view_as_start");
	return st->ops->view_as_start(out, st, tenant, role, member, reason, minutes, e);
}

int
store_view_as_get(struct view_session *out, struct store *st, const char *session, struct err *e)
{
	return st->ops->view_as_get(out, st, session, e);
}

int
store_view_as_list(struct view_session_list *out, struct store *st, struct err *e)
{
	return st->ops->view_as_list(out, st, e);
}

int
store_view_as_end(struct store *st, const char *session, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "view_as_end");
	return st->ops->view_as_end(st, session, e);
}

int
store_health_get(struct health *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->health_get(out, st, tenant, e);
}

int
store_health_refresh(int *updated, struct store *st, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "health_refresh");
	return st->ops->health_refresh(updated, st, e);
}

int
store_metrics(struct platform_metrics *out, struct store *st, struct err *e)
{
	return st->ops->metrics(out, st, e);
}

int
store_platform_history(struct platform_history *out, struct store *st, struct err *e)
{
	return st->ops->platform_history(out, st, e);
}

int
store_job_list(struct job_info_list *out, struct store *st, struct err *e)
{
	return st->ops->job_list(out, st, e);
}

int
store_job_run(struct job_result *out, struct store *st, const struct job_run_opts *o, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "job_run");
	return st->ops->job_run(out, st, o, e);
}

int
store_deletion_certificate(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->deletion_certificate(json_out, st, tenant, e);
}

void
job_info_list_free(struct job_info_list *l)
{
	if (!l)
		return;
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
}

int
store_tenant_export(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->tenant_export(json_out, st, tenant, e);
}

int
store_auth_user(struct auth_account *out, struct store *st, const char *email_or_id, struct err *e)
{
	return st->ops->auth_user(out, st, email_or_id, e);
}

int
store_auth_memberships(struct auth_membership *out, size_t max, size_t *n, struct store *st,
		       const char *user, struct err *e)
{
	return st->ops->auth_memberships(out, max, n, st, user, e);
}

int
store_auth_login_ok(struct store *st, const char *user, const char *tenant, const char *rehash,
		    struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "auth_login_ok");
	return st->ops->auth_login_ok(st, user, tenant, rehash, e);
}

int
store_auth_mfa_set(struct store *st, const char *user, const char *sealed, bool enabled,
		   struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "auth_mfa_set");
	return st->ops->auth_mfa_set(st, user, sealed, enabled, e);
}

int
store_auth_api_key(struct auth_key *out, struct store *st, const char *prefix, struct err *e)
{
	return st->ops->auth_api_key(out, st, prefix, e);
}

int
store_auth_throttle(int *retry_after, struct store *st, const char *email, const char *ip,
		    struct err *e)
{
	return st->ops->auth_throttle(retry_after, st, email, ip, e);
}

int
store_auth_login_failed(int *retry_after, struct store *st, const char *email, const char *ip,
			const char *tenant, const char *reason, struct err *e)
{
	return st->ops->auth_login_failed(retry_after, st, email, ip, tenant, reason, e);
}

int
store_auth_recovery_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
			const char *user, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "auth_recovery_new");
	return st->ops->auth_recovery_new(codes, st, user, e);
}

int
store_auth_recovery_use(bool *ok, struct store *st, const char *user, const char *code,
			const char *tenant, struct err *e)
{
	return st->ops->auth_recovery_use(ok, st, user, code, tenant, e);
}

int
store_password_reset_request(char token_out[96], struct store *st, const char *email, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "password_reset_request");
	return st->ops->password_reset_request(token_out, st, email, e);
}

int
store_password_reset_confirm(struct store *st, const char *token, const char *password,
			     struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "password_reset_confirm");
	return st->ops->password_reset_confirm(st, token, password, e);
}

int
store_user_password_reset(struct password_reset *out, char token_out[96], struct store *st,
			  const char *user, bool mail, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "user_password_reset");
	return st->ops->user_password_reset(out, token_out, st, user, mail, e);
}

int
store_user_mfa_reset(struct store *st, const char *user, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "user_mfa_reset");
	return st->ops->user_mfa_reset(st, user, e);
}

int
store_user_sign_out(struct store *st, const char *user, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "user_sign_out");
	return st->ops->user_sign_out(st, user, e);
}

int
store_user_unlock(struct store *st, const char *user, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "user_unlock");
	return st->ops->user_unlock(st, user, e);
}

int
store_tenant_of_host(char out[ID_LEN], struct store *st, const char *host, struct err *e)
{
	return st->ops->tenant_of_host(out, st, host, e);
}

int
store_staff_add(char id_out[ID_LEN], struct store *st, const char *email, const char *full_name,
		enum staff_role role, const char *password_hash, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "staff_add");
	return st->ops->staff_add(id_out, st, email, full_name, role, password_hash, e);
}

int
store_idem_begin(struct idem_answer *out, struct store *st, const char *caller, const char *key,
		 const char *fingerprint, struct err *e)
{
	return st->ops->idem_begin(out, st, caller, key, fingerprint, e);
}

int
store_idem_end(struct store *st, const struct idem_answer *answer, struct err *e)
{
	return st->ops->idem_end(st, answer, e);
}
