/* test_resolve.c - the tenant of a request as the seeds describe it (issue
 * "One truth for who may do what", point 7), on a tenantryd started with
 * --tenant-domain tenants.test:
 *   - tenant users and API keys: the credential's tenant; a Host
 *     <slug>.tenants.test or a verified domain naming another tenant is
 *     answered exactly as an unknown tenant (an unknown subdomain the same);
 *   - staff: the tenant in the path; X-Tenant-ID naming another one is
 *     answered as an unknown tenant; /api/tenants/current takes it;
 *   - a domain names its tenant only once platform staff verified it, and
 *     is unverified again when it changes. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

static const char *const extra[] = { "--tenant-domain", "tenants.test", NULL };

static void
resolve_setup(void)
{
	srv_extra = extra;
	setup();
}

/* One request with one extra header line (NULL: none); *j the body. */
static int
with(const char *token, const char *method, const char *path, const char *header, json_t **j)
{
	const char *h[] = { header, NULL };
	char *out = NULL;
	int st = testhttp_full(&srv, method, path, token, header ? h : NULL, NULL, 0, &out, NULL);

	*j = out && *out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	return st;
}

/* Two problems alike: code, title, keys, and the detail with each one's
 * own name for the tenant taken out. */
static void
alike(json_t *a, const char *a_ref, json_t *b, const char *b_ref)
{
	char da[256], db_[256];
	const char *s;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(jstr(a, "code"), jstr(b, "code"));
	ck_assert_str_eq(jstr(a, "title"), jstr(b, "title"));
	ck_assert_int_eq(json_object_size(a), json_object_size(b));
	s = jstr(a, "detail");
	ck_assert_ptr_nonnull(strstr(s, a_ref));
	snprintf(da, sizeof da, "%.*s<>%s", (int)(strstr(s, a_ref) - s), s,
		 strstr(s, a_ref) + strlen(a_ref));
	s = jstr(b, "detail");
	ck_assert_ptr_nonnull(strstr(s, b_ref));
	snprintf(db_, sizeof db_, "%.*s<>%s", (int)(strstr(s, b_ref) - s), s,
		 strstr(s, b_ref) + strlen(b_ref));
	ck_assert_str_eq(da, db_);
}

START_TEST(test_key_host_subdomain)
{
	json_t *a, *b;

	/* its own subdomain: works, and current is its tenant */
	ck_assert_int_eq(
	    with(key_read, "GET", "/api/tenants/current", "Host: alpha-labs.tenants.test", &a),
	    200);
	ck_assert_str_eq(jstr(a, "id"), alpha);
	json_decref(a);
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/alpha-labs",
			      "Host: Alpha-Labs.Tenants.Test:8080", &a),
			 200);
	json_decref(a);
	/* the base domain itself names no tenant */
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/current", "Host: tenants.test", &a),
			 200);
	json_decref(a);
	/* another tenant's subdomain: as unknown as one nobody has */
	ck_assert_int_eq(
	    with(key_read, "GET", "/api/tenants/current", "Host: beta-works.tenants.test", &a),
	    404);
	ck_assert_int_eq(
	    with(key_read, "GET", "/api/tenants/current", "Host: gamma-nowhere.tenants.test", &b),
	    404);
	check_problem(a, 404, "not_found");
	alike(a, "beta-works", b, "gamma-nowhere");
	json_decref(a);
	json_decref(b);
	/* with the tenant in the path: as unknown as a path naming nobody */
	ck_assert_int_eq(
	    with(key_read, "GET", "/api/tenants/alpha-labs", "Host: beta-works.tenants.test", &a),
	    404);
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/gamma-nowhere", NULL, &b), 404);
	alike(a, "alpha-labs", b, "gamma-nowhere");
	json_decref(a);
	json_decref(b);
	/* a tenant user likewise */
	ck_assert_int_eq(with(admin, "GET", "/api/tenants/alpha-labs/users",
			      "Host: beta-works.tenants.test", &a),
			 404);
	ck_assert_int_eq(with(admin, "GET", "/api/tenants/gamma-nowhere/users", NULL, &b), 404);
	alike(a, "alpha-labs", b, "gamma-nowhere");
	json_decref(a);
	json_decref(b);
	ck_assert_int_eq(with(admin, "GET", "/api/tenants/alpha-labs/users",
			      "Host: alpha-labs.tenants.test", &a),
			 200);
	json_decref(a);
}
END_TEST

START_TEST(test_staff_x_tenant_id)
{
	char h[128];
	json_t *a, *b;

	/* X-Tenant-ID naming another tenant than the path: unknown tenant */
	ck_assert_int_eq(
	    with(platform, "GET", "/api/tenants/alpha-labs/users", "X-Tenant-ID: beta-works", &a),
	    404);
	ck_assert_int_eq(with(platform, "GET", "/api/tenants/gamma-nowhere/users", NULL, &b), 404);
	alike(a, "alpha-labs", b, "gamma-nowhere");
	json_decref(a);
	json_decref(b);
	snprintf(h, sizeof h, "X-Tenant-ID: %s", beta);
	ck_assert_int_eq(with(support, "GET", "/api/tenants/alpha-labs", h, &a), 404);
	check_problem(a, 404, "not_found");
	json_decref(a);
	/* naming one that does not exist: the same */
	ck_assert_int_eq(
	    with(platform, "GET", "/api/tenants/alpha-labs", "X-Tenant-ID: gamma-nowhere", &a),
	    404);
	json_decref(a);
	/* the same tenant by slug or id: fine */
	snprintf(h, sizeof h, "X-Tenant-ID: %s", alpha);
	ck_assert_int_eq(with(platform, "GET", "/api/tenants/alpha-labs", h, &a), 200);
	json_decref(a);
	ck_assert_int_eq(
	    with(platform, "GET", "/api/tenants/alpha-labs/users", "X-Tenant-ID: alpha-labs", &a),
	    200);
	json_decref(a);
	/* current for staff is X-Tenant-ID's tenant */
	ck_assert_int_eq(
	    with(support, "GET", "/api/tenants/current", "X-Tenant-ID: beta-works", &a), 200);
	ck_assert_str_eq(jstr(a, "id"), beta);
	json_decref(a);
	ck_assert_int_eq(with(support, "GET", "/api/tenants/current", NULL, &a), 400);
	json_decref(a);
	/* a tenant credential's X-Tenant-ID never moves it */
	ck_assert_int_eq(
	    with(key_read, "GET", "/api/tenants/current", "X-Tenant-ID: beta-works", &a), 200);
	ck_assert_str_eq(jstr(a, "id"), alpha);
	json_decref(a);
}
END_TEST

static const char *
verified_at(const char *slug)
{
	PGconn *c = testdb_connect(db, NULL);
	static char v[64];
	char sql[256];
	const char *s;

	snprintf(sql, sizeof sql,
		 "SELECT coalesce(domain_verified_at::text, '') FROM tenantry.tenants "
		 "WHERE slug = '%s'",
		 slug);
	s = testdb_value(c, sql);
	snprintf(v, sizeof v, "%s", s ? s : "");
	PQfinish(c);
	return v;
}

START_TEST(test_custom_domain)
{
	json_t *a, *b;

	/* unverified: beta.test names no tenant, so it is no mismatch */
	ck_assert_str_eq(verified_at("beta-works"), "");
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/current", "Host: beta.test", &a), 200);
	ck_assert_str_eq(jstr(a, "id"), alpha);
	json_decref(a);
	/* only platform staff verify */
	json_decref(
	    call(403, "PUT", "/api/tenants/alpha-labs", admin, "{\"domain_verified\":true}"));
	json_decref(
	    call(422, "PUT", "/api/tenants/alpha-labs", platform, "{\"domain_verified\":\"yes\"}"));
	json_decref(
	    call(200, "PUT", "/api/tenants/beta-works", platform, "{\"domain_verified\":true}"));
	json_decref(
	    call(200, "PUT", "/api/tenants/alpha-labs", platform, "{\"domain_verified\":true}"));
	ck_assert_str_ne(verified_at("beta-works"), "");
	/* verified: another tenant's domain is an unknown tenant */
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/current", "Host: beta.test", &a), 404);
	ck_assert_int_eq(
	    with(key_read, "GET", "/api/tenants/current", "Host: gamma-nowhere.tenants.test", &b),
	    404);
	alike(a, "beta.test", b, "gamma-nowhere");
	json_decref(a);
	json_decref(b);
	ck_assert_int_eq(with(admin, "GET", "/api/tenants/alpha-labs", "Host: BETA.test", &a), 404);
	json_decref(a);
	/* its own verified domain resolves to it */
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/current", "Host: alpha.test", &a),
			 200);
	ck_assert_str_eq(jstr(a, "id"), alpha);
	json_decref(a);
	/* a tenant admin changing the domain unverifies it; it may not
	 * verify it again */
	json_decref(
	    call(200, "PUT", "/api/tenants/alpha-labs", admin, "{\"domain\":\"alpha-new.test\"}"));
	ck_assert_str_eq(verified_at("alpha-labs"), "");
	json_decref(call(403, "PUT", "/api/tenants/alpha-labs", admin,
			 "{\"domain\":\"alpha.test\",\"domain_verified\":true}"));
	/* platform staff unverify */
	json_decref(
	    call(200, "PUT", "/api/tenants/beta-works", platform, "{\"domain_verified\":false}"));
	ck_assert_str_eq(verified_at("beta-works"), "");
	ck_assert_int_eq(with(key_read, "GET", "/api/tenants/current", "Host: beta.test", &a), 200);
	json_decref(a);
}
END_TEST

/* The database refuses a verification from anyone but platform staff,
 * whatever the front end. */
START_TEST(test_verification_is_platform_only_in_database)
{
	PGconn *c = testdb_connect(db, NULL);

	testdb_exec(c, "BEGIN");
	testdb_exec(c, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(c, "SELECT set_config('tenantry.tenant_id', '%s', true)", alpha);
	ck_assert_str_eq(testdb_statef(c,
				       "UPDATE tenantry.tenants SET domain_verified_at = now() "
				       "WHERE id = '%s'",
				       alpha),
			 "42501");
	testdb_exec(c, "ROLLBACK");
	PQfinish(c);
}
END_TEST

Suite *
suite_resolve(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, resolve_setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_key_host_subdomain);
	tcase_add_test(tc, test_staff_x_tenant_id);
	tcase_add_test(tc, test_custom_domain);
	tcase_add_test(tc, test_verification_is_platform_only_in_database);
	suite_add_tcase(s, tc);
	return s;
}
