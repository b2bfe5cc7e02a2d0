/* test_perm.c - perm.h: the role and scope matrix. */
#include <check.h>
#include <string.h>

#include "core/perm.h"

START_TEST(out_of_range)
{
	enum perm p;

	ck_assert_int_eq(perm_parse(NULL, &p), -1);
	ck_assert_int_eq(perm_parse("tenant.delete", &p), -1);
	ck_assert_int_eq(perm_parse("TENANT.READ", &p), -1);
	ck_assert_str_eq(perm_name(PERM_COUNT), "?");
	ck_assert(!perm_member(ROLE_COUNT, PERM_TENANT_READ));
	ck_assert(!perm_member(ROLE_ADMIN, PERM_COUNT));
	ck_assert(!perm_staff((enum staff_role) - 1, PERM_TENANT_READ));
	ck_assert(!perm_staff(STAFF_PLATFORM_ADMIN, (enum perm)99));
	ck_assert(!perm_scope(0xffffffffu, PERM_COUNT));
	ck_assert(!perm_is_platform(PERM_COUNT));
	ck_assert_int_eq(perm_table(NULL, 10), -1);
}
END_TEST

START_TEST(nobody_without_a_role)
{
	for (int p = 0; p < PERM_COUNT; p++) {
		ck_assert(!perm_staff(STAFF_NONE, p));
		ck_assert(!perm_scope(0, p));
	}
}
END_TEST

START_TEST(names)
{
	enum perm p;

	for (int i = 0; i < PERM_COUNT; i++) {
		ck_assert_int_eq(perm_parse(perm_name(i), &p), 0);
		ck_assert_int_eq(p, i);
	}
	ck_assert_str_eq(perm_name(PERM_SECRETS_REVEAL), "secrets.reveal");
	ck_assert_str_eq(perm_name(PERM_VIEW_AS), "view_as");
}
END_TEST

START_TEST(members)
{
	for (int p = 0; p < PERM_COUNT; p++) {
		/* no tenant role holds a platform permission */
		if (perm_is_platform(p)) {
			for (int r = 0; r < ROLE_COUNT; r++)
				ck_assert(!perm_member(r, p));
			continue;
		}
		ck_assert(perm_member(ROLE_ADMIN, p));
	}
	ck_assert(perm_member(ROLE_MANAGER, PERM_MEMBERS_MANAGE));
	ck_assert(perm_member(ROLE_MANAGER, PERM_INVITATIONS_MANAGE));
	ck_assert(perm_member(ROLE_MANAGER, PERM_AUDIT_READ));
	ck_assert(!perm_member(ROLE_MANAGER, PERM_SETTINGS_WRITE));
	ck_assert(!perm_member(ROLE_MANAGER, PERM_SECRETS_REVEAL));
	ck_assert(!perm_member(ROLE_MANAGER, PERM_TENANT_LIFECYCLE));
	ck_assert(!perm_member(ROLE_MANAGER, PERM_TENANT_TIER));
	ck_assert(!perm_member(ROLE_MANAGER, PERM_APIKEYS_MANAGE));
	ck_assert(perm_member(ROLE_MEMBER, PERM_USAGE_WRITE));
	ck_assert(perm_member(ROLE_MEMBER, PERM_QUOTAS_READ));
	ck_assert(!perm_member(ROLE_MEMBER, PERM_MEMBERS_MANAGE));
	ck_assert(!perm_member(ROLE_MEMBER, PERM_AUDIT_READ));
	ck_assert(perm_member(ROLE_VIEWER, PERM_TENANT_READ));
	ck_assert(perm_member(ROLE_VIEWER, PERM_SETTINGS_READ));
	ck_assert(!perm_member(ROLE_VIEWER, PERM_USAGE_WRITE));
	ck_assert(!perm_member(ROLE_VIEWER, PERM_TENANT_UPDATE));
}
END_TEST

START_TEST(staff)
{
	for (int p = 0; p < PERM_COUNT; p++)
		ck_assert(perm_staff(STAFF_PLATFORM_ADMIN, p));
	ck_assert(perm_staff(STAFF_SUPPORT, PERM_VIEW_AS));
	ck_assert(perm_staff(STAFF_SUPPORT, PERM_SECRETS_REVEAL));
	ck_assert(perm_staff(STAFF_SUPPORT, PERM_AUDIT_READ));
	ck_assert(perm_staff(STAFF_SUPPORT, PERM_MEMBERS_READ));
	ck_assert(!perm_staff(STAFF_SUPPORT, PERM_TENANT_LIFECYCLE));
	ck_assert(!perm_staff(STAFF_SUPPORT, PERM_TENANT_TIER));
	ck_assert(!perm_staff(STAFF_SUPPORT, PERM_SETTINGS_WRITE));
	ck_assert(!perm_staff(STAFF_SUPPORT, PERM_TENANTS_CREATE));
	ck_assert(perm_staff(STAFF_ONCALL, PERM_QUOTAS_SET));
	ck_assert(perm_staff(STAFF_ONCALL, PERM_PLATFORM_METRICS));
	ck_assert(perm_staff(STAFF_ONCALL, PERM_TENANTS_LIST_ALL));
	ck_assert(!perm_staff(STAFF_ONCALL, PERM_MEMBERS_READ));
	ck_assert(!perm_staff(STAFF_ONCALL, PERM_MEMBERS_MANAGE));
	ck_assert(!perm_staff(STAFF_ONCALL, PERM_SETTINGS_READ));
	ck_assert(!perm_staff(STAFF_ONCALL, PERM_SECRETS_REVEAL));
	ck_assert(!perm_staff(STAFF_ONCALL, PERM_VIEW_AS));
}
END_TEST

START_TEST(scopes)
{
	scope_mask users_write = 1u << SCOPE_USERS_WRITE;

	ck_assert(perm_scope(users_write, PERM_MEMBERS_MANAGE));
	ck_assert(perm_scope(users_write, PERM_INVITATIONS_MANAGE));
	/* a write scope does not imply its read */
	ck_assert(!perm_scope(users_write, PERM_MEMBERS_READ));
	ck_assert(perm_scope(1u << SCOPE_USAGE_READ, PERM_QUOTAS_READ));
	ck_assert(perm_scope(1u << SCOPE_TENANT_WRITE, PERM_TENANT_UPDATE));
	ck_assert(!perm_scope(1u << SCOPE_TENANT_WRITE, PERM_TENANT_LIFECYCLE));
	/* no scope reaches the platform, secrets, tiers or keys */
	for (int p = 0; p < PERM_COUNT; p++)
		if (perm_is_platform(p) || p == PERM_SECRETS_REVEAL || p == PERM_TENANT_TIER
		    || p == PERM_APIKEYS_MANAGE)
			ck_assert(!perm_scope(0xffffffffu, p));
}
END_TEST

START_TEST(table)
{
	char buf[8192], small[16];
	int len = perm_table(buf, sizeof buf);
	const char *line;

	ck_assert_int_gt(len, 0);
	ck_assert_int_eq((int)strlen(buf), len);
	ck_assert_ptr_nonnull(strstr(buf, "permission           admin    "
					  "manager  member   viewer   | "
					  "platform_admin support        oncall\n"));
	line = strstr(buf, "\nsecrets.reveal ");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(strncmp(line + 1,
				 "secrets.reveal       x        .   "
				 "     .        .        | x        "
				 "      x              .\n",
				 90),
			 0);
	ck_assert_int_eq(perm_table(small, sizeof small), len);
	ck_assert_uint_eq(strlen(small), sizeof small - 1);
	ck_assert_int_eq(perm_table(NULL, 0), len);
}
END_TEST

START_TEST(bad_overrides)
{
	static const char *const bad[] = { "settings.write", "+quotas.set", "+nope",
					   "+audit.read,-audit.read", "*audit.read" };
	struct perm_overrides o;
	struct err e;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_int_eq(perm_overrides_parse(&o, bad[i], "permissions", &e), -1);
		ck_assert_str_eq(e.field, "permissions");
	}
	ck_assert_int_eq(perm_overrides_set(&o, PERM_VIEW_AS, 1), -1);
	ck_assert_int_eq(perm_overrides_set(&o, PERM_COUNT, 1), -1);
}
END_TEST

START_TEST(overrides)
{
	struct perm_overrides o;
	struct err e;
	char buf[256];

	ck_assert_int_eq(perm_overrides_parse(&o, " -audit.read , +settings.write,", "p", &e), 0);
	ck_assert(perm_member_with(ROLE_MEMBER, &o, PERM_SETTINGS_WRITE));
	ck_assert(!perm_member(ROLE_MEMBER, PERM_SETTINGS_WRITE));
	ck_assert(!perm_member_with(ROLE_ADMIN, &o, PERM_AUDIT_READ));
	ck_assert(perm_member_with(ROLE_ADMIN, &o, PERM_TENANT_READ));
	ck_assert(perm_member_with(ROLE_VIEWER, NULL, PERM_TENANT_READ));
	/* catalog order, signs kept */
	ck_assert_int_eq(perm_overrides_format(buf, sizeof buf, &o),
			 (int)strlen("+settings.write,-audit.read"));
	ck_assert_str_eq(buf, "+settings.write,-audit.read");
	ck_assert_int_eq(perm_overrides_format(buf, 8, &o), -1);
	/* a platform bit set by hand is never granted */
	o.grant |= (perm_mask)1 << PERM_QUOTAS_SET;
	ck_assert(!perm_member_with(ROLE_ADMIN, &o, PERM_QUOTAS_SET));
	ck_assert_int_eq(perm_overrides_parse(&o, "", "p", &e), 0);
	ck_assert_int_eq(perm_overrides_format(buf, sizeof buf, &o), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

Suite *
suite_perm(void)
{
	Suite *s = suite_create("perm");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, out_of_range);
	tcase_add_test(bad, nobody_without_a_role);
	tcase_add_test(bad, bad_overrides);
	tcase_add_test(good, overrides);
	tcase_add_test(good, names);
	tcase_add_test(good, members);
	tcase_add_test(good, staff);
	tcase_add_test(good, scopes);
	tcase_add_test(good, table);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
