/* test_bulk_invite.c - bulk invitations (issue 19, point 5) on a real
 * tenantryd: an array body answers a result per row (sent, already a
 * member, already invited, invalid) and makes exactly the invitations it
 * says; the CLI's `invite TENANT --file F` does the same over REST. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rest.h"

static long long
pending_invitations(const char *email_like)
{
	PGconn *c = testdb_connect(db, NULL);
	long long n =
	    testdb_int(c,
		       "SELECT count(*) FROM tenantry.invitations WHERE tenant_id = '%s' "
		       "AND accepted_at IS NULL AND revoked_at IS NULL AND email LIKE '%s'",
		       alpha, email_like);

	PQfinish(c);
	return n;
}

static const char *
result_of(json_t *items, size_t i)
{
	return json_string_value(json_object_get(json_array_get(items, i), "result"));
}

START_TEST(test_rows_answered_one_by_one)
{
	char path[256];
	json_t *j, *items;
	const char *body = "[{\"email\":\"new1@bulk.test\",\"role\":\"viewer\"},"
			   "{\"email\":\"member@alpha.test\"},"
			   "{\"email\":\"new1@bulk.test\"},"
			   "{\"email\":\"not an address\"},"
			   "{\"email\":\"new2@bulk.test\",\"role\":\"emperor\"},"
			   "{\"email\":\"new3@bulk.test\",\"team\":\"x\"},"
			   "\"new4@bulk.test\","
			   "{\"email\":\"new5@bulk.test\",\"role\":\"manager\"}]";

	snprintf(path, sizeof path, "/api/tenants/%s/invitations/bulk", alpha);
	j = call(200, "POST", path, admin, body);
	items = json_object_get(j, "items");
	ck_assert_uint_eq(json_array_size(items), 8);
	ck_assert_str_eq(result_of(items, 0), "sent");
	ck_assert(strncmp(jstr(json_array_get(items, 0), "token"), "tni_", 4) == 0);
	ck_assert_str_eq(result_of(items, 1), "already_member");
	ck_assert_str_eq(result_of(items, 2), "already_invited");
	ck_assert_str_eq(result_of(items, 3), "invalid");
	ck_assert_str_eq(result_of(items, 4), "invalid");
	ck_assert_ptr_nonnull(strstr(jstr(json_array_get(items, 4), "detail"), "role"));
	ck_assert_str_eq(result_of(items, 5), "invalid");
	ck_assert_ptr_nonnull(strstr(jstr(json_array_get(items, 5), "detail"), "team"));
	ck_assert_str_eq(result_of(items, 6), "invalid");
	ck_assert_str_eq(result_of(items, 7), "sent");
	json_decref(j);
	/* exactly the invitations it says */
	ck_assert_int_eq(pending_invitations("%@bulk.test"), 2);
	/* a viewer may not; another tenant's id is unknown; not an array */
	ck_assert_int_eq(testhttp(&srv, "POST", path, viewer, "[]", NULL), 403);
	snprintf(path, sizeof path, "/api/tenants/%s/invitations/bulk", beta);
	ck_assert_int_eq(testhttp(&srv, "POST", path, admin, "[]", NULL), 404);
	snprintf(path, sizeof path, "/api/tenants/%s/invitations/bulk", alpha);
	ck_assert_int_eq(testhttp(&srv, "POST", path, admin, "{\"email\":\"a@b.test\"}", NULL),
			 400);
	j = call(200, "POST", path, admin, "[]");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
}
END_TEST

/* More rows than one request takes: 422, nothing made. */
START_TEST(test_too_many_rows)
{
	char path[256], *body = malloc(1100 * 40 + 8), *out = NULL;
	size_t at = 0;
	json_t *j;

	body[at++] = '[';
	for (int i = 0; i < 1001; i++)
		at +=
		    (size_t)sprintf(body + at, "%s{\"email\":\"m%d@many.test\"}", i ? "," : "", i);
	strcpy(body + at, "]");
	snprintf(path, sizeof path, "/api/tenants/%s/invitations/bulk", alpha);
	ck_assert_int_eq(testhttp(&srv, "POST", path, admin, body, &out), 422);
	j = json_loads(out, 0, NULL);
	ck_assert_str_eq(jstr(j, "field"), "invitations");
	json_decref(j);
	ck_assert_int_eq(pending_invitations("%@many.test"), 0);
	free(out);
	free(body);
}
END_TEST

/* `tenantry invite alpha-labs --file F` over REST as alpha's admin, F
 * holding csv: its exit status, with its output in out and err. */
static int
invite_file(const char *name, const char *csv, char **out, char **err)
{
	char file[256], tokfile[256];
	FILE *f;

	snprintf(file, sizeof file, "%s/%s.csv", test_env("TENANTRY_TEST_TMP", "/tmp"), name);
	snprintf(tokfile, sizeof tokfile, "%s/%s.token", test_env("TENANTRY_TEST_TMP", "/tmp"),
		 name);
	f = fopen(file, "w");
	fputs(csv, f);
	fclose(f);
	f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	return testcli_run(out, err,
			   (const char *const[]){ "--url", srv.url, "--token-file", tokfile,
						  "invite", "alpha-labs", "--file", file, NULL });
}

/* The CLI reads a CSV file and asks tenantryd once. */
START_TEST(test_cli_file_over_rest)
{
	char *out = NULL, *err = NULL;
	int rc = invite_file("bulk",
			     "email,role\n# the team\ncli1@bulk.test, member\n"
			     "\"cli2@bulk.test\",viewer\n\nviewer@alpha.test\nbroken\n",
			     &out, &err);

	ck_assert_msg(rc == 1, "exit %d: %s", rc, err ? err : "");
	ck_assert_ptr_nonnull(strstr(out, "cli1@bulk.test"));
	ck_assert_int_eq(test_count(out, "sent"), 2);
	ck_assert_ptr_nonnull(strstr(out, "already_member"));
	ck_assert_ptr_nonnull(strstr(out, "invalid"));
	ck_assert_ptr_nonnull(strstr(err, "1 of 4 rows not invited"));
	ck_assert_int_eq(pending_invitations("cli%@bulk.test"), 2);
	free(out);
	free(err);
}
END_TEST

/* A line longer than the command reads (1023 bytes) is one invalid row:
 * its rest, a valid row by itself here, is not read as one. */
START_TEST(test_cli_long_line_is_one_row)
{
	char csv[1200], *out = NULL, *err = NULL;
	int rc;

	snprintf(csv, sizeof csv,
		 "email,role\n%01023dsneaky@bulk.test,member\nafter@bulk.test,member\n", 0);
	rc = invite_file("long", csv, &out, &err);
	ck_assert_msg(rc == 1, "exit %d: %s %s", rc, out ? out : "", err ? err : "");
	ck_assert_ptr_nonnull(strstr(out, "line too long"));
	ck_assert_ptr_nonnull(strstr(err, "1 of 2 rows not invited"));
	ck_assert_int_eq(pending_invitations("sneaky%@bulk.test"), 0);
	ck_assert_int_eq(pending_invitations("after@bulk.test"), 1);
	free(out);
	free(err);
}
END_TEST

Suite *
suite_bulk_invite(void)
{
	Suite *s = suite_create("bulk_invite");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_rows_answered_one_by_one);
	tcase_add_test(tc, test_too_many_rows);
	tcase_add_test(tc, test_cli_file_over_rest);
	tcase_add_test(tc, test_cli_long_line_is_one_row);
	suite_add_tcase(s, tc);
	return s;
}
