/* contract.h - the fixtures of the store contract suites
 * (test_contract.c, test_contract_ops.c, test_contract_filter.c): the same
 * tests run on the libpq store and on the REST store against a real
 * tenantryd. */
#ifndef TENANTRY_TEST_CONTRACT_H
#define TENANTRY_TEST_CONTRACT_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"
#include "testlib.h"

/* The staff account acting in both backends (tenantryd's test login). */
#define CT_STAFF "admin@example.com"

extern const char *ct_db;        /* the test's database */
extern struct testd ct_srv;      /* its tenantryd (rest) */
extern bool ct_remote;           /* running on the REST store */
extern struct store *st;         /* the store under test, platform role */
extern struct tenant acme, beta; /* acme-corp (professional), beta (free) */
extern struct err e;

/* Fixtures: a fresh database with acme and beta, through either backend. */
void ct_setup_pg(void);
void ct_setup_rest(void);
/* The libpq store with every statement unnamed (tenantryd's
 * --db-unnamed-statements, for a transaction pooler): the same contract. */
void ct_setup_unnamed(void);
void ct_teardown(void);

/* A new store of the backend under test with role and tenant. */
struct store *ct_open(enum store_role role, const char *tenant);
/* Replaces st by a store with role and tenant. */
void ct_role(enum store_role role, const char *tenant);
/* Audit entries of a tenant, read as the superuser. */
long ct_audit_count(const char *tenant_id);

/* clang-format off */
#define OK(expr) ck_assert_msg((expr) == 0, "%s: %s (%s)", #expr,            \
			       e.message, err_code_name(e.code))
/* clang-format on */
/* clang-format off */
#define FAILS(expr, want)                                                    \
	do {                                                                 \
		err_clear(&e);                                               \
		ck_assert_msg((expr) == -1, "%s succeeded", #expr);          \
		ck_assert_msg(e.code == (want), "%s: %s (%s), want %s", #expr, \
			      err_code_name(e.code), e.message,              \
			      err_code_name(want));                          \
	} while (0)
/* clang-format on */
/* clang-format off */
#define FAILS_FIELD(expr, want_field)                                        \
	do {                                                                 \
		FAILS(expr, ERR_INVALID_FIELD);                              \
		ck_assert_str_eq(e.field, want_field);                       \
	} while (0)
/* clang-format on */

/* Asserts that two JSON texts hold the same value. The libpq store returns
 * embedded texts as PostgreSQL prints jsonb ({"x": 1}), the REST store as
 * the JSON codecs read them back ({"x":1}): same value, other spacing. */
/* clang-format off */
#define CT_JSON_EQ(got, want)                                                \
	do {                                                                 \
		json_t *g_ = json_loads((got), JSON_DECODE_ANY, NULL);       \
		json_t *w_ = json_loads((want), JSON_DECODE_ANY, NULL);      \
		ck_assert_msg(g_ && w_ && json_equal(g_, w_),                \
			      "JSON %s, want %s", (got), (want));            \
		json_decref(g_);                                             \
		json_decref(w_);                                             \
	} while (0)
/* clang-format on */

/* Adds a test to the pg, the rest and the pg-unnamed case of a contract
 * suite. */
/* clang-format off */
#define CT_SUITE(name, ...)                                                  \
	Suite *suite_##name(void)                                            \
	{                                                                    \
		Suite *s = suite_create(#name);                              \
		TCase *tc[3] = { tcase_create("pg"), tcase_create("rest"),   \
				 tcase_create("pg-unnamed") };               \
		const TTest *tests[] = { __VA_ARGS__ };                      \
		tcase_add_checked_fixture(tc[0], ct_setup_pg, ct_teardown);  \
		tcase_add_checked_fixture(tc[1], ct_setup_rest, ct_teardown); \
		tcase_add_checked_fixture(tc[2], ct_setup_unnamed, ct_teardown); \
		for (int i = 0; i < 3; i++) {                                \
			tcase_set_timeout(tc[i], 90);                        \
			for (size_t k = 0; k < sizeof tests / sizeof *tests; k++) \
				tcase_add_test(tc[i], tests[k]);             \
			suite_add_tcase(s, tc[i]);                           \
		}                                                            \
		return s;                                                    \
	}
/* clang-format on */

#endif
