/* admin.h - operations that need more than a store: schema migration,
 * login roles and bulk demo data. They connect with the given conninfo
 * (usually a superuser or the database owner) and never run in tenantryd.
 */
#ifndef TENANTRY_ADMIN_H
#define TENANTRY_ADMIN_H

#include "core/err.h"
#include "core/types.h"

/* Applies the missing migrations; *applied, *total may be NULL. */
/* A session for the administrative commands (application_name app), with
 * notices below warnings quiet; NULL with ERR_UNAVAILABLE. */
struct pg_conn; /* libpq's PGconn, for the store's own files */
struct pg_conn *admin_connect(const char *conninfo, const char *app, struct err *e);
int admin_migrate(const char *conninfo, int *applied, int *total, struct err *e);

/* Creates (or updates) a login role that is a member of exactly the group
 * role of one staff role (tenantry_platform, tenantry_support or
 * tenantry_oncall) and of no other tenantry role; the password may be
 * NULL (peer, trust or certificate login). */
int admin_operator(const char *conninfo, const char *role, enum staff_role staff,
		   const char *password, struct err *e);
/* "tenantry_platform" ... for a staff role, NULL for STAFF_NONE. */
const char *admin_staff_group(enum staff_role r);

/* Before a direct-mode session switches to group (`--as`): fails with
 * ERR_FORBIDDEN, naming the login and what it may use instead, unless the
 * login is a member of group. The login only narrows its rights, never
 * widens them. */
int admin_role_check(const char *conninfo, const char *group, struct err *e);

/* Demo members: `pool` demo users, then for every tenant a realistic number
 * of memberships within its tier's limit, every role represented, with
 * activity times spread over 60 days. *members = memberships made. */
int admin_demo_members(const char *conninfo, int pool, long *members, struct err *e);

/* Demo ageing: expires a third of the pending invitations, puts some
 * tenants' billing in past_due or unpaid and gives three tenants in four
 * fourteen days of storage and API call history (for quota forecasts). */
int admin_demo_age(const char *conninfo, struct err *e);

#endif
