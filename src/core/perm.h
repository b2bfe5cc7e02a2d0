/* perm.h - what each role and each API key scope may do.
 *
 * Three kinds of subject hold permissions: a tenant member by role, a
 * platform staff user by staff role, and an API key by its scopes. The
 * matrix (perm_table prints it):
 *
 *   admin           every tenant permission (all but the platform ones:
 *                   tenant.tier, features.set, quotas.set,
 *                   platform.metrics, tenants.create, tenants.list_all,
 *                   view_as: a tier is billing and a feature override a
 *                   platform decision)
 *   manager         as admin, less settings.write, secrets.reveal,
 *                   tenant.lifecycle, apikeys.manage, webhooks.manage
 *   member          the reads (tenant, members, quotas, settings) and
 *                   usage.write
 *   viewer          the reads
 *   platform_admin  everything
 *   support         every read, secrets.reveal (audited), view_as,
 *                   invitations.manage (resending invitations),
 *                   alerts.ack, listing all tenants and platform
 *                   metrics; no other writes
 *   oncall          tenant.read, quotas.read, audit.read, platform.metrics,
 *                   tenants.list_all, quotas.set and alerts.ack; no
 *                   member or settings access
 *   none            nothing
 *
 * API key scopes grant exactly (a write scope does not imply its read):
 *   tenant:read tenant.read       tenant:write tenant.update
 *   users:read members.read       users:write members.manage,
 *                                             invitations.manage
 *   usage:read quotas.read        usage:write usage.write, alerts.ack
 *   settings:read settings.read   settings:write settings.write
 *   audit:read audit.read
 */
#ifndef TENANTRY_PERM_H
#define TENANTRY_PERM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/types.h"

/* X(enum suffix, name, platform-only) */
/* clang-format off */
#define PERMS(X)                                                             \
	X(TENANT_READ, "tenant.read", false)                                 \
	X(TENANT_UPDATE, "tenant.update", false)                             \
	X(TENANT_LIFECYCLE, "tenant.lifecycle", false)                       \
	X(TENANT_TIER, "tenant.tier", true)                                 \
	X(MEMBERS_READ, "members.read", false)                               \
	X(MEMBERS_MANAGE, "members.manage", false)                           \
	X(INVITATIONS_MANAGE, "invitations.manage", false)                   \
	X(QUOTAS_READ, "quotas.read", false)                                 \
	X(QUOTAS_SET, "quotas.set", true)                                    \
	X(USAGE_WRITE, "usage.write", false)                                 \
	X(SETTINGS_READ, "settings.read", false)                             \
	X(SETTINGS_WRITE, "settings.write", false)                           \
	X(SECRETS_REVEAL, "secrets.reveal", false)                           \
	X(FEATURES_SET, "features.set", true)                               \
	X(APIKEYS_MANAGE, "apikeys.manage", false)                           \
	X(AUDIT_READ, "audit.read", false)                                   \
	X(ALERTS_ACK, "alerts.ack", false)                                   \
	X(PLATFORM_METRICS, "platform.metrics", true)                        \
	X(TENANTS_CREATE, "tenants.create", true)                            \
	X(TENANTS_LIST_ALL, "tenants.list_all", true)                        \
	X(VIEW_AS, "view_as", true)                                         \
	X(WEBHOOKS_MANAGE, "webhooks.manage", false)
/* clang-format on */
enum perm {
#define X(e, s, p) PERM_##e,
	PERMS(X)
#undef X
	    PERM_COUNT
};

const char *perm_name(enum perm p);            /* "tenant.read"; "?" out of range */
int perm_parse(const char *s, enum perm *out); /* 0, or -1 when unknown */

/* True for permissions only platform staff can hold. */
bool perm_is_platform(enum perm p);

bool perm_member(enum member_role r, enum perm p);
/* As perm_member, with a member's overrides (NULL: none): a revoke wins,
 * a grant adds a tenant permission the role lacks. */
bool perm_member_with(enum member_role r, const struct perm_overrides *o, enum perm p);

/* Overrides as text: "+settings.write,-audit.read" in catalog order, ""
 * for none. Returns the length, or -1 when buf is too small. */
int perm_overrides_format(char *buf, size_t size, const struct perm_overrides *o);
/* Parses that form (spaces around items allowed, "" = none). An unknown
 * or platform permission, an item without its sign, or one both granted
 * and revoked is an error naming field. */
int
perm_overrides_parse(struct perm_overrides *out, const char *s, const char *field, struct err *e);
/* Sets the override of p: +1 grant, -1 revoke, 0 none. -1 for a platform
 * permission. */
int perm_overrides_set(struct perm_overrides *o, enum perm p, int how);
bool perm_staff(enum staff_role r, enum perm p);
/* True when any scope in m grants p. */
bool perm_scope(scope_mask m, enum perm p);

/* Prints the role matrix as a plain text table, one permission a line,
 * 'x' granted and '.' not, columns admin manager member viewer |
 * platform_admin support oncall. Returns the length snprintf would (so a
 * result >= size means truncated), -1 on a NULL buffer with size > 0. */
int perm_table(char *buf, size_t size);

#endif
