/* test_webhooks_cli.c - the one list of event types as tenantryd serves it,
 * the database and the documents say it; `tenantry webhooks` over the
 * database. */
#include "rest/rest.h"

START_TEST(test_event_types_route)
{
	json_t *x = call(200, "GET", "/api/event-types", viewer, NULL), *items;

	items = json_object_get(x, "items");
	ck_assert_int_eq(json_array_size(items), EVENT_TYPE_COUNT);
	ck_assert_str_eq(jstr(json_array_get(items, 0), "type"), event_type_name(0));
	json_decref(x);
	/* the database's list is the code's */
	{
		PGconn *c = testdb_connect(db, NULL);
		char want[2048] = "{";

		for (int i = 0; i < EVENT_TYPE_COUNT; i++)
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
				 i ? "," : "", event_type_name((enum event_type)i));
		strcat(want, "}");
		ck_assert_str_eq(testdb_value(c, "SELECT tenantry.event_type_names()::text"), want);
		PQfinish(c);
	}
	/* and so is the manual's */
	{
		FILE *f = fopen("docs/tenantry.1", "r");
		static char man[1 << 18];
		size_t n;

		ck_assert_ptr_nonnull(f);
		n = fread(man, 1, sizeof man - 1, f);
		man[n] = '\0';
		fclose(f);
		for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
			char item[80];

			snprintf(item, sizeof item, ".It Li %s\n",
				 event_type_name((enum event_type)i));
			ck_assert_msg(strstr(man, item), "docs/tenantry.1 lacks %s", item);
		}
		/* and the OpenAPI document's EventType enum */
		f = fopen("docs/openapi.yaml", "r");
		ck_assert_ptr_nonnull(f);
		n = fread(man, 1, sizeof man - 1, f);
		man[n] = '\0';
		fclose(f);
		{
			const char *en = strstr(strstr(man, "    EventType:"), "enum: [");
			char want[2048] = "enum: [";

			for (int i = 0; i < EVENT_TYPE_COUNT; i++)
				snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
					 i ? ", " : "", event_type_name((enum event_type)i));
			strcat(want, "]");
			ck_assert_msg(en && strncmp(en, want, strlen(want)) == 0, "%s", want);
		}
	}
}
END_TEST

/* The command line over the database: add, list, disable, remove; bad
 * input is a usage error that changes nothing. */
START_TEST(test_cli)
{
	char conninfo[512], id[ID_LEN], *out = NULL, *err = NULL;
	json_t *j;
	int rc;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "--json", "webhooks", "add",
						"https://hooks.example.com/in", "--tenant",
						"beta-works", "--events", "member.*,quota.alert",
						NULL });
	ck_assert_msg(rc == 0, "%s", err);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(strncmp(jstr(j, "secret"), "whsec_", 6) == 0);
	ck_assert_str_eq(jstr(j, "events"), "member.*,quota.alert");
	snprintf(id, sizeof id, "%s", jstr(j, "id"));
	json_decref(j);
	free(out);
	free(err);
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "webhooks", "list", "--tenant",
						"beta-works", NULL });
	ck_assert_int_eq(rc, 0);
	ck_assert(strstr(out, id) && strstr(out, "https://hooks.example.com/in")
		  && !strstr(out, "whsec_"));
	free(out);
	free(err);
	rc = testcli_run(
	    &out, &err, (const char *const[]){ "--db", conninfo, "webhooks", "disable", id, NULL });
	ck_assert_msg(rc == 0 && strstr(out, "enabled   no"), "%s %s", out, err);
	free(out);
	free(err);
	/* bad input: usage errors, nothing made */
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "webhooks", "add",
						"https://x.example/", "--events", "member.nope",
						NULL });
	ck_assert_int_eq(rc, 64); /* EX_USAGE */
	ck_assert(strstr(err, "unknown event type"));
	free(out);
	free(err);
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "webhooks", "add",
						"http://x.example/", NULL });
	ck_assert_int_ne(rc, 0);
	ck_assert(strstr(err, "https"));
	free(out);
	free(err);
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "webhooks", "remove", id, NULL });
	ck_assert_int_eq(rc, 0);
	free(out);
	free(err);
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "webhooks", "remove", id, NULL });
	ck_assert_int_ne(rc, 0);
	free(out);
	free(err);
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", conninfo, "webhooks", "list", "--tenant",
						"beta-works", "--json", NULL });
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	free(err);
}
END_TEST

Suite *
suite_webhooks_cli(void)
{
	Suite *s = suite_create("webhooks_cli");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_event_types_route);
	tcase_add_test(tc, test_cli);
	suite_add_tcase(s, tc);
	return s;
}
