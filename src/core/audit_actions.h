/* audit_actions.h - the actions tenantry writes to the audit log: one list
 * (052_audit_actions.sql's audit_action_names() says the same; a test
 * compares them, and tenantry(1) documents it). Row changes are named by
 * what they changed (tenant.suspend, member.role, invitation.revoke…);
 * staff may also record events of their own (POST /api/audit-logs), whose
 * actions are theirs. */
#ifndef TENANTRY_AUDIT_ACTIONS_H
#define TENANTRY_AUDIT_ACTIONS_H

/* X(enum suffix, action, what happened) */
/* clang-format off */
#define AUDIT_ACTIONS(X) \
	X(TENANT_CREATE, "tenant.create", "a tenant was created") \
	X(TENANT_UPDATE, "tenant.update", "a tenant's details changed (name, domain, billing, contact, settings, branding)") \
	X(TENANT_SUSPEND, "tenant.suspend", "a tenant was suspended") \
	X(TENANT_RESUME, "tenant.resume", "a suspended tenant was resumed") \
	X(TENANT_ACTIVATE, "tenant.activate", "a trial tenant became active") \
	X(TENANT_DELETE_REQUEST, "tenant.delete_request", "a tenant's deletion was requested (30 days' grace)") \
	X(TENANT_RESTORE, "tenant.restore", "a tenant pending deletion was restored") \
	X(TENANT_STATUS, "tenant.status", "a tenant's status changed otherwise") \
	X(TENANT_TIER, "tenant.tier", "a tenant's tier changed") \
	X(TENANT_FEATURES, "tenant.features", "a tenant's feature overrides changed") \
	X(TENANT_DELETE, "tenant.delete", "a tenant row was deleted (by its purge)") \
	X(TENANT_PURGE, "tenant.purge", "a deleted tenant's data was purged (platform chain)") \
	X(TENANT_EXPORT, "tenant.export", "a tenant's data was exported") \
	X(MEMBER_CREATE, "member.create", "a user joined a tenant") \
	X(MEMBER_UPDATE, "member.update", "a membership changed otherwise") \
	X(MEMBER_ROLE, "member.role", "a member's role changed") \
	X(MEMBER_ACTIVATE, "member.activate", "a member was reactivated") \
	X(MEMBER_DEACTIVATE, "member.deactivate", "a member was deactivated") \
	X(MEMBER_PERMISSIONS, "member.permissions", "a member's permission overrides changed") \
	X(MEMBER_DELETE, "member.delete", "a member was removed") \
	X(INVITATION_CREATE, "invitation.create", "an invitation was made") \
	X(INVITATION_UPDATE, "invitation.update", "an invitation changed otherwise") \
	X(INVITATION_REVOKE, "invitation.revoke", "an invitation was revoked") \
	X(INVITATION_ACCEPT, "invitation.accept", "an invitation was accepted") \
	X(INVITATION_EXPIRE, "invitation.expire", "an invitation expired") \
	X(INVITATION_RESEND, "invitation.resend", "an invitation was sent again with a new token") \
	X(INVITATION_DELETE, "invitation.delete", "an invitation was deleted") \
	X(API_KEY_CREATE, "api_key.create", "an API key was created") \
	X(API_KEY_UPDATE, "api_key.update", "an API key changed otherwise") \
	X(API_KEY_REVOKE, "api_key.revoke", "an API key was revoked") \
	X(API_KEY_EXPIRE, "api_key.expire", "an API key expired") \
	X(API_KEY_DELETE, "api_key.delete", "an API key was deleted") \
	X(SETTING_CREATE, "setting.create", "a setting was created") \
	X(SETTING_UPDATE, "setting.update", "a setting changed") \
	X(SETTING_DELETE, "setting.delete", "a setting was deleted") \
	X(SECRET_REVEAL, "secret.reveal", "a secret setting was revealed") \
	X(QUOTA_CREATE, "quota.create", "a quota was created") \
	X(QUOTA_LIMIT, "quota.limit", "a quota's limit or period changed") \
	X(QUOTA_DELETE, "quota.delete", "a quota was deleted") \
	X(ALERT_CREATE, "alert.create", "an alert was raised (quota, trial end, webhook)") \
	X(ALERT_UPDATE, "alert.update", "an alert changed otherwise") \
	X(ALERT_ACK, "alert.ack", "an alert was acknowledged") \
	X(ALERT_DELETE, "alert.delete", "an alert was deleted") \
	X(WEBHOOK_CREATE, "webhook.create", "a webhook endpoint was added") \
	X(WEBHOOK_UPDATE, "webhook.update", "a webhook endpoint changed otherwise") \
	X(WEBHOOK_ENABLE, "webhook.enable", "a webhook endpoint was enabled") \
	X(WEBHOOK_DISABLE, "webhook.disable", "a webhook endpoint was disabled (by staff, or after failures)") \
	X(WEBHOOK_DELETE, "webhook.delete", "a webhook endpoint was removed") \
	X(WEBHOOK_TEST, "webhook.test", "a test event was sent to an endpoint") \
	X(WEBHOOK_REDELIVER, "webhook.redeliver", "an event was delivered to an endpoint again") \
	X(AUTH_LOGIN, "auth.login", "a user or staff member signed in") \
	X(AUTH_LOGIN_FAILED, "auth.login_failed", "a sign-in failed") \
	X(AUTH_RECOVERY_CODE_USED, "auth.recovery_code_used", "a second-factor recovery code was used") \
	X(USER_PASSWORD_RESET_REQUEST, "user.password_reset_request", "a user asked for a password reset") \
	X(USER_PASSWORD_RESET_ISSUE, "user.password_reset_issue", "staff issued a password reset token") \
	X(USER_PASSWORD_RESET, "user.password_reset", "a password was set with a reset token") \
	X(USER_MFA_RESET, "user.mfa_reset", "staff turned a user's second factor off") \
	X(USER_RECOVERY_CODES, "user.recovery_codes", "a user made new recovery codes") \
	X(USER_SIGN_IN_UNLOCK, "user.sign_in_unlock", "staff lifted a sign-in block") \
	X(USER_SIGN_OUT_EVERYWHERE, "user.sign_out_everywhere", "every token of a user was ended") \
	X(STAFF_ADD, "staff.add", "a staff account was added or changed") \
	X(SUPPORT_VIEW_AS_START, "support.view_as.start", "staff started viewing as a tenant") \
	X(SUPPORT_VIEW_AS_END, "support.view_as.end", "a view-as session ended") \
	X(JOB_RUN, "job.run", "a background job ran (platform chain)")
/* clang-format on */
enum audit_action {
#define X(e, s, d) AUDIT_##e,
	AUDIT_ACTIONS(X)
#undef X
	    AUDIT_ACTION_COUNT
};

/* "tenant.suspend"; "?" out of range. */
const char *audit_action_name(enum audit_action a);
/* What it means; "" out of range. */
const char *audit_action_description(enum audit_action a);
/* 0 and *out, or -1 for an action not in the list. */
int audit_action_parse(const char *s, enum audit_action *out);

#endif
