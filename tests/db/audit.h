/* audit.h - helpers of the audit suites (test_audit.c,
 * test_audit_chain.c): a fresh database, stores and tenants on it,
 * audited changes of several kinds, verifying a chain through the store
 * and through `tenantry audit verify`, and tampering with the log as the
 * superuser. Each suite that includes it has a database name of its own. */
#ifndef TENANTRY_TEST_AUDIT_H
#define TENANTRY_TEST_AUDIT_H

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "../testlib.h"
#include "store/store.h"

/* The test's database: new_db() makes a fresh one. */
static char dbname[64];

static inline const char *
fmt(const char *f, va_list ap)
{
	static char sql[4096];

	vsnprintf(sql, sizeof sql, f, ap);
	return sql;
}

/* Text of the first value (copied into out, "" for NULL). */
static inline void __attribute__((format(printf, 4, 5)))
xtext(char *out, size_t n, PGconn *c, const char *f, ...)
{
	va_list ap;
	const char *v;

	va_start(ap, f);
	v = testdb_value(c, fmt(f, ap));
	va_end(ap);
	snprintf(out, n, "%s", v ? v : "");
}

static inline struct store *
open_store(enum store_role role, const char *tenant)
{
	return teststore_open(dbname, NULL, role, tenant);
}

static inline void
new_db(void)
{
	snprintf(dbname, sizeof dbname, "%s", testdb_create());
}

static inline void
create_tenant(struct store *st, const char *slug, const char *tier, bool trial, char id[ID_LEN])
{
	char email[128];
	struct tenant_new n = { .name = slug,
				.slug = slug,
				.tier = tier,
				.admin_email = email,
				.trial = trial };
	struct tenant t;
	struct err e = { 0 };

	snprintf(email, sizeof email, "admin@%s.example", slug);
	ck_assert_msg(testtenant_create(&t, st, &n, &e) == 0, "%s: %s", slug, e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
}

/* A handful of audited changes of different kinds. */
static inline void
some_changes(struct store *st, const char *id)
{
	struct setting s;
	struct invitation inv;
	struct api_key k;
	struct tenant t;
	struct tenant_patch p = { .name = "Renamed", .billing_email = "bill@x.example" };
	char token[96], secret[128];
	struct err e = { 0 };

	ck_assert_msg(store_setting_put(&s, st, id, "site.title", SETTING_STRING, "Hello", &e) == 0,
		      "%s", e.message);
	setting_clear(&s);
	ck_assert_msg(store_setting_put(&s, st, id, "site.title", SETTING_STRING, "Hello again", &e)
			  == 0,
		      "%s", e.message);
	setting_clear(&s);
	ck_assert_msg(
	    store_invitation_create(&inv, token, st, id, "guest@x.example", ROLE_VIEWER, &e) == 0,
	    "%s", e.message);
	ck_assert_msg(store_apikey_create(&k, secret, st, id, "ci", 1u << SCOPE_AUDIT_READ, 0, &e)
			  == 0,
		      "%s", e.message);
	ck_assert_msg(store_tenant_update(&t, st, id, &p, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	ck_assert_msg(
	    store_audit_event(st, id, "report.export", "report", "q3", "{\"rows\": 12}", &e) == 0,
	    "%s", e.message);
}

static inline void
verify(struct audit_verdict *v, struct store *st, const char *tenant)
{
	struct err e = { 0 };

	ck_assert_msg(store_audit_verify(v, st, tenant, &e) == 0, "%s", e.message);
}

/* Runs the CLI's `audit verify SLUG` as the superuser; returns the exit
 * status and stdout (owned). */
static inline int
cli_verify(char **out, const char *slug)
{
	char conninfo[512];
	char *err = NULL;
	int rc;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(dbname, NULL));
	{
		const char *const argv[] = { "--db", conninfo, "audit", "verify", slug, NULL };

		rc = testcli_run(out, &err, argv);
	}
	ck_assert_msg(rc >= 0, "could not run the tenantry binary");
	ck_assert_ptr_nonnull(*out);
	free(err);
	return rc;
}

/* Superuser edit of the log with the append-only trigger disabled. */
static inline void
tamper(PGconn *su, const char *sql)
{
	testdb_exec(su, "SET session_replication_role = replica");
	testdb_exec(su, sql);
	testdb_exec(su, "RESET session_replication_role");
}

#endif
