/* test_webhooks_fault.c - webhook delivery under faults, against a real
 * PostgreSQL, real tenantryd instances and a real receiver on loopback
 * (webhook_receiver.py checks every signature): an instance killed with
 * SIGKILL while it holds leased deliveries, the delivery workers' database
 * sessions terminated mid-batch, a receiver answering invalid UTF-8 and a
 * huge body, the listener's session terminated, the event_retention job
 * run during deliveries. The suite's tenantryd serves the API only
 * (--webhook-workers 0); the instances that deliver are each test's own. */
#include "rest/webhook_recv.h"

static const char *const api_only[] = { "--webhook-allow-loopback", "1", "--webhook-workers", "0",
					NULL };

/* Each tenant of slugs goes suspended and active again n times: 2n
 * tenant.status_changed events each. */
static void
toggle_status(const char *const slugs[], int n)
{
	char path[128];

	for (int i = 0; i < n; i++)
		for (const char *const *s = slugs; *s; s++) {
			snprintf(path, sizeof path, "/api/tenants/%s/status/suspended", *s);
			json_decref(call(200, "POST", path, platform, NULL));
			snprintf(path, sizeof path, "/api/tenants/%s/status/active", *s);
			json_decref(call(200, "POST", path, platform, NULL));
		}
}

/* The receiver's log for one endpoint (its URL path ends with suffix) and
 * one tenant's events (ids, in the order they happened): every request
 * signed, every event delivered, and none delivered before an earlier one
 * was first delivered (a later repeat of an earlier one is at least once,
 * unless once: then none is repeated). */
static void
check_order(json_t *log, const char *suffix, json_t *ids, bool once)
{
	size_t next = 0, i, j, n = json_array_size(ids), ls = strlen(suffix);
	json_t *x, *id;

	json_array_foreach(log, i, x)
	{
		const char *p = jstr(x, "path");

		ck_assert_msg(json_is_true(json_object_get(x, "verified")), "unsigned: %s",
			      jstr(x, "id"));
		if (strlen(p) < ls || strcmp(p + strlen(p) - ls, suffix) != 0
		    || json_integer_value(json_object_get(x, "status")) != 200)
			continue;
		json_array_foreach(ids, j, id)
		{
			if (strcmp(json_string_value(id), jstr(x, "id")) == 0)
				break;
		}
		if (j == n)
			continue; /* another tenant's */
		ck_assert_msg(j <= next, "%s: %s went out before %s", suffix, jstr(x, "id"),
			      json_string_value(json_array_get(ids, next)));
		ck_assert_msg(!once || j == next, "%s: %s went out twice", suffix, jstr(x, "id"));
		if (j == next)
			next++;
	}
	ck_assert_msg(next == n, "%s: %zu of %zu events delivered", suffix, next, n);
}

/* Deliveries to endpoints a and b not delivered yet. */
static long long
undelivered(PGconn *c, const char *a, const char *b)
{
	return testdb_int(c,
			  "SELECT count(*) FROM tenantry.webhook_deliveries "
			  "WHERE endpoint_id IN ('%s', '%s') AND state <> 'delivered'",
			  a, b);
}

/* Waits up to seconds until both endpoints' deliveries are all made. */
static void
wait_undelivered(PGconn *c, const char *a, const char *b, int seconds)
{
	long long left = -1;

	for (int t = 0; t < seconds * 10 && (left = undelivered(c, a, b)) != 0; t++)
		poll(NULL, 0, 100);
	ck_assert_msg(left == 0, "%lld deliveries still not made after %d s", left, seconds);
}

/* What both endpoints' records say after a fault: no attempt failed (the
 * instances disable an endpoint at its first failure), both enabled with
 * no failure counted. */
static void
check_no_failure(PGconn *c, const char *a, const char *b)
{
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.webhook_attempts "
				    "WHERE endpoint_id IN ('%s', '%s') AND (status IS DISTINCT "
				    "FROM 200 OR error IS NOT NULL)",
				    a, b),
			 0);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.webhook_endpoints "
				    "WHERE id IN ('%s', '%s') AND enabled AND failures = 0",
				    a, b),
			 2);
}

/* Terminates the sessions of this database whose statement is one of the
 * delivery workers' named in kinds ("claim|attempt_done" or one of them),
 * only those waiting on a lock if waiting; adds how many of each. */
static void
cut_sessions(long long *claims, long long *records, PGconn *c, const char *kinds, bool waiting)
{
	char sql[1024];
	long long n[2] = { 0, 0 };

	snprintf(sql, sizeof sql,
		 "WITH w AS MATERIALIZED (SELECT pid, query FROM pg_stat_activity WHERE datname "
		 "= current_database() AND pid <> pg_backend_pid() AND query ~ "
		 "'tenantry\\.webhook_(%s)\\(' %s), k AS (SELECT query FROM w WHERE "
		 "pg_terminate_backend(pid)) SELECT (SELECT count(*) FROM k WHERE query ~ "
		 "'webhook_claim') || ' ' || (SELECT count(*) FROM k WHERE query ~ "
		 "'webhook_attempt_done')",
		 kinds, waiting ? "AND wait_event_type = 'Lock'" : "");
	ck_assert_int_eq(sscanf(testdb_value(c, sql), "%lld %lld", &n[0], &n[1]), 2);
	*claims += n[0];
	*records += n[1];
}

/* Holds the deliveries locked until one of the workers' statements waits
 * for them, then cuts the sessions waiting (mid-statement: nothing of it
 * committed) and lets go, again until claims and records were both cut:
 * a claim first, then only records (claims waiting go on once the lock is
 * let go, and their attempts' records come to wait in a later round).
 * Each hold is under 2 s, well inside the workers' lease. */
static void
cut_mid_statement(long long *claims, long long *records, PGconn *c)
{
	PGconn *lock = testdb_connect(db, NULL);

	for (int round = 0; round < 60 && (*claims < 1 || *records < 2); round++) {
		long long before = *claims + *records;

		testdb_exec(lock, "BEGIN");
		testdb_exec(lock, "LOCK TABLE tenantry.webhook_deliveries IN EXCLUSIVE MODE");
		for (int t = 0; t < 30 && *claims + *records == before; t++) {
			poll(NULL, 0, 50);
			cut_sessions(claims, records, c,
				     *claims < 1 ? "claim|attempt_done" : "attempt_done", true);
		}
		testdb_exec(lock, "COMMIT");
		poll(NULL, 0, 200);
	}
	PQfinish(lock);
}

static void
delete_endpoint(const char *id)
{
	char path[128];

	snprintf(path, sizeof path, "/api/webhooks/%s", id);
	json_decref(call(204, "DELETE", path, platform, NULL));
}

/* Deletes the endpoints an earlier test left when it failed half-way, so
 * that no event goes to its stopped receiver. */
static void
delete_endpoints(void)
{
	json_t *l = call(200, "GET", "/api/webhooks", platform, NULL), *w;
	size_t i;

	json_array_foreach(json_object_get(l, "items"), i, w) delete_endpoint(jstr(w, "id"));
	json_decref(l);
}

/* An instance killed while its workers hold deliveries (each attempt
 * takes the receiver half a second) leaves them leased; another instance
 * takes them over once the lease (--webhook-lease 12) runs out, not
 * before, and makes the cut attempts again. The receiver gets every event,
 * signed, per endpoint and tenant in order; the cut attempt is no failure
 * (the second instance would disable the endpoint at the first). */
START_TEST(test_killed_instance_leases_taken_over)
{
	static const char *const first_args[] = { "--webhook-allow-loopback",
						  "1",
						  "--webhook-lease",
						  "12",
						  "--webhook-timeout",
						  "3",
						  "--webhook-retry-base",
						  "100",
						  NULL };
	static const char *const second_args[] = { "--webhook-allow-loopback",
						   "1",
						   "--webhook-lease",
						   "12",
						   "--webhook-timeout",
						   "3",
						   "--webhook-retry-base",
						   "100",
						   "--webhook-disable-after",
						   "1",
						   NULL };
	static const char *const both[] = { "alpha-labs", "beta-works", NULL };
	struct testsrv one, two;
	struct recv r;
	char hook_p[ID_LEN], hook_a[ID_LEN];
	long long since_a = chain_head(alpha), since_b = chain_head(beta), cut = 0;
	json_t *ids_a, *ids_b, *log;
	PGconn *c = testdb_connect(db, NULL);
	int first;

	delete_endpoints();
	recv_start(&r, "killed");
	recv_file(&r, "mode", "slow 0.5", "w");
	endpoint(hook_p, &r, NULL, platform, "tenant.status_changed");
	endpoint(hook_a, &r, "/api/tenants/alpha-labs/webhooks", platform, "tenant.status_changed");
	toggle_status(both, 5);
	ids_a = event_ids(alpha, "tenant.status_changed", since_a);
	ids_b = event_ids(beta, "tenant.status_changed", since_b);
	ck_assert_int_eq(json_array_size(ids_a), 10);
	ck_assert_int_eq(json_array_size(ids_b), 10);
	testsrv_start(&one, db, first_args);
	/* a few delivered, some in flight: killed */
	for (int t = 0; t < 600; t++) {
		json_t *l = recv_log(&r);
		size_t seen = json_array_size(l);

		json_decref(l);
		if (seen >= 3
		    && testdb_int(c,
				  "SELECT count(*) FROM tenantry.webhook_deliveries WHERE state "
				  "= 'pending' AND lease_until > now() AND leased_by LIKE '%%:%d'",
				  one.pid)
			   >= 1)
			break;
		poll(NULL, 0, 20);
	}
	first = one.pid;
	kill(first, SIGKILL);
	waitpid(first, NULL, 0);
	one.pid = 0;
	testdb_exec(c, "DROP TABLE IF EXISTS public.cut");
	testdb_execf(c,
		     "CREATE TABLE public.cut AS SELECT endpoint_id, event_tenant, seq, type, "
		     "attempts, lease_until FROM tenantry.webhook_deliveries WHERE state = "
		     "'pending' AND lease_until > now() AND leased_by LIKE '%%:%d'",
		     first);
	cut = testdb_int(c, "SELECT count(*) FROM public.cut");
	ck_assert_msg(cut >= 1, "the first instance held no delivery when killed");
	ck_assert_int_gt(undelivered(c, hook_p, hook_a), 0);

	testsrv_start(&two, db, second_args);
	wait_undelivered(c, hook_p, hook_a, 120);
	/* each cut attempt left no record, and was made again by the second
	 * instance once the lease had run out */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM public.cut x JOIN "
				       "tenantry.webhook_attempts a USING (endpoint_id, "
				       "event_tenant, seq, type) WHERE a.attempt = x.attempts"),
			 0);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM public.cut x WHERE EXISTS (SELECT 1 "
				    "FROM tenantry.webhook_attempts a WHERE (a.endpoint_id, "
				    "a.event_tenant, a.seq, a.type) = (x.endpoint_id, "
				    "x.event_tenant, x.seq, x.type) AND a.attempt > x.attempts AND "
				    "a.status = 200 AND a.runner LIKE '%%:%d' AND a.at >= "
				    "x.lease_until)",
				    two.pid),
			 cut);
	check_no_failure(c, hook_p, hook_a);
	/* the receiver: everything, signed, in order */
	log = recv_log(&r);
	check_order(log, "platform", ids_a, false);
	check_order(log, "platform", ids_b, false);
	check_order(log, "webhooks", ids_a, false);
	json_decref(log);
	ck_assert_int_eq(testhttp(&two, "GET", "/healthz", NULL, NULL, NULL), 200);
	testdb_exec(c, "DROP TABLE public.cut");
	PQfinish(c);
	delete_endpoint(hook_p);
	delete_endpoint(hook_a);
	json_decref(ids_a);
	json_decref(ids_b);
	testsrv_stop(&two);
	recv_stop(&r);
}
END_TEST

/* The delivery workers' sessions (known by their statements in
 * pg_stat_activity) terminated again and again while they deliver, some
 * mid-statement (a claim, an attempt's record), some idle or between
 * statements: tenantryd keeps running, its workers reconnect, every event
 * is delivered in order and exactly once (a record cut mid-statement is
 * made again on a new session, not the attempt once the lease runs out),
 * no attempt counts as failed, and /healthz answers ok at the end. */
START_TEST(test_worker_sessions_terminated)
{
	static const char *const args[] = { "--webhook-allow-loopback",
					    "1",
					    "--webhook-lease",
					    "8",
					    "--webhook-timeout",
					    "3",
					    "--webhook-retry-base",
					    "100",
					    "--webhook-disable-after",
					    "1",
					    NULL };
	static const char *const both[] = { "alpha-labs", "beta-works", NULL };
	struct testsrv d;
	struct recv r;
	char hook_p[ID_LEN], hook_a[ID_LEN];
	long long since_a = chain_head(alpha), since_b = chain_head(beta), kills = 0;
	long long mid_records = 0, mid_claims = 0;
	json_t *ids_a, *ids_b, *log;
	PGconn *c = testdb_connect(db, NULL);
	int health = 0, status;

	delete_endpoints();
	recv_start(&r, "terminated");
	recv_file(&r, "mode", "slow 0.5", "w");
	endpoint(hook_p, &r, NULL, platform, "tenant.status_changed");
	endpoint(hook_a, &r, "/api/tenants/alpha-labs/webhooks", platform, "tenant.status_changed");
	toggle_status(both, 6);
	testsrv_start(&d, db, args);
	/* claims and attempts' records cut mid-statement */
	cut_mid_statement(&mid_claims, &mid_records, c);
	ck_assert_int_ge(mid_claims, 1);
	ck_assert_int_ge(mid_records, 2);
	/* then, with as many events again, idle sessions, between or during
	 * attempts */
	toggle_status(both, 6);
	ids_a = event_ids(alpha, "tenant.status_changed", since_a);
	ids_b = event_ids(beta, "tenant.status_changed", since_b);
	ck_assert_int_eq(json_array_size(ids_a), 24);
	for (int t = 0; t < 1200 && undelivered(c, hook_p, hook_a) > 0; t++) {
		if (t % 3 == 0 && kills < 12)
			cut_sessions(&kills, &kills, c, "claim|attempt_done", false);
		health = testhttp(&d, "GET", "/healthz", NULL, NULL, NULL);
		poll(NULL, 0, 100);
	}
	ck_assert_msg(kills >= 3, "only %lld worker sessions were cut", kills);
	ck_assert_int_eq(undelivered(c, hook_p, hook_a), 0);
	ck_assert_int_eq(waitpid(d.pid, &status, WNOHANG), 0);
	/* /healthz ok again, at once or shortly */
	for (int t = 0;
	     t < 100 && (health = testhttp(&d, "GET", "/healthz", NULL, NULL, NULL)) != 200; t++)
		poll(NULL, 0, 100);
	ck_assert_int_eq(health, 200);
	check_no_failure(c, hook_p, hook_a);
	log = recv_log(&r);
	check_order(log, "platform", ids_a, true);
	check_order(log, "platform", ids_b, true);
	check_order(log, "webhooks", ids_a, true);
	json_decref(log);
	PQfinish(c);
	delete_endpoint(hook_p);
	delete_endpoint(hook_a);
	json_decref(ids_a);
	json_decref(ids_b);
	ck_assert_int_eq(testsrv_stop(&d), 0);
	recv_stop(&r);
}
END_TEST

/* The pid of tenantryd's webhook listener (its session LISTENs on
 * tenantry_webhook), waiting up to 10 s for it; 0 when there is none. */
static long long
listener_pid(PGconn *c, long long not )
{
	long long pid = 0;

	for (int t = 0; t < 100 && !pid; t++) {
		pid = testdb_int(
		    c,
		    "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = "
		    "current_database() AND query = 'LISTEN tenantry_webhook' AND pid <> %lld",
		    not );
		if (!pid)
			poll(NULL, 0, 100);
	}
	return pid;
}

/* The listener's session terminated: events are delivered all the same
 * (the workers poll meanwhile), the listener is back on a new session,
 * and what comes after is delivered too. */
START_TEST(test_listener_session_terminated)
{
	static const char *const args[] = { "--webhook-allow-loopback", "1", NULL };
	static const char *const alpha_only[] = { "alpha-labs", NULL };
	struct testsrv d;
	struct recv r;
	char hook[ID_LEN];
	long long pid, again;
	PGconn *c = testdb_connect(db, NULL);
	int status;

	delete_endpoints();
	recv_start(&r, "listener");
	endpoint(hook, &r, "/api/tenants/alpha-labs/webhooks", platform, "tenant.status_changed");
	testsrv_start(&d, db, args);
	ck_assert_int_ne(pid = listener_pid(c, 0), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT pg_terminate_backend(%lld)::int", pid), 1);
	for (int round = 0; round < 2; round++) {
		long long since = chain_head(alpha);
		json_t *ids;

		toggle_status(alpha_only, 2);
		ids = event_ids(alpha, "tenant.status_changed", since);
		ck_assert_int_eq(json_array_size(ids), 4);
		json_decref(wait_delivered(&r, ids));
		json_decref(ids);
		if (round == 0)
			ck_assert_int_ne(again = listener_pid(c, pid), 0);
	}
	ck_assert_int_eq(waitpid(d.pid, &status, WNOHANG), 0);
	wait_undelivered(c, hook, hook, 10);
	PQfinish(c);
	delete_endpoint(hook);
	ck_assert_int_eq(testsrv_stop(&d), 0);
	recv_stop(&r);
}
END_TEST

/* The event_retention job run while the workers deliver: it drops a
 * backlog of 20,000 old delivered events (and their deliveries) in one
 * run, and every new event, made as it starts, is delivered once and in
 * order; neither waits on the other. */
START_TEST(test_retention_while_delivering)
{
	static const char *const args[] = { "--webhook-allow-loopback", "1", NULL };
	static const char *const both[] = { "alpha-labs", "beta-works", NULL };
	struct testsrv d;
	struct recv r;
	char hook[ID_LEN], conninfo[512], *out = NULL, *errout = NULL;
	long long since_a = chain_head(alpha), since_b = chain_head(beta);
	PGconn *c = testdb_connect(db, NULL);
	json_t *ids_a, *ids_b, *log;
	int status;

	delete_endpoints();
	recv_start(&r, "retention");
	recv_file(&r, "mode", "slow 0.05", "w");
	endpoint(hook, &r, NULL, platform, "tenant.status_changed");
	testdb_execf(c,
		     "INSERT INTO tenantry.outbox (tenant_id, seq, type, at, actor, data) "
		     "SELECT '" PLATFORM_CHAIN "', -g, 'tenant.created', now() - interval "
		     "'40 days', 'test', '{}' FROM generate_series(1, 20000) g; "
		     "INSERT INTO tenantry.webhook_deliveries (tenant_id, endpoint_id, "
		     "event_tenant, seq, type, state, attempts, created_at, done_at) "
		     "SELECT '" PLATFORM_CHAIN "', '%s', '" PLATFORM_CHAIN "', -g, "
		     "'tenant.created', 'delivered', 1, now() - interval '40 days', "
		     "now() - interval '40 days' FROM generate_series(1, 20000) g",
		     hook);
	testsrv_start(&d, db, args);
	toggle_status(both, 4);
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	ck_assert_msg(
	    testcli_run(&out, &errout,
			(const char *const[]){ "--db", conninfo, "jobs", "run", "--once", "--job",
					       "event_retention", "--force", NULL })
		== 0,
	    "%s %s", out ? out : "", errout ? errout : "");
	free(out);
	free(errout);
	ck_assert_str_eq(
	    testdb_value(c,
			 "SELECT concat_ws(' ', new->'detail'->>'deliveries', "
			 "new->'detail'->>'events') FROM tenantry.audit_log WHERE action = "
			 "'job.run' AND resource_id = 'event_retention' ORDER BY seq DESC LIMIT 1"),
	    "20000 20000");
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.outbox WHERE seq < 0"), 0);
	ids_a = event_ids(alpha, "tenant.status_changed", since_a);
	ids_b = event_ids(beta, "tenant.status_changed", since_b);
	ck_assert_int_eq(json_array_size(ids_a), 8);
	wait_undelivered(c, hook, hook, 60);
	ck_assert_int_eq(waitpid(d.pid, &status, WNOHANG), 0);
	log = recv_log(&r);
	check_order(log, "platform", ids_a, true);
	check_order(log, "platform", ids_b, true);
	json_decref(log);
	json_decref(ids_a);
	json_decref(ids_b);
	PQfinish(c);
	delete_endpoint(hook);
	ck_assert_int_eq(testsrv_stop(&d), 0);
	recv_stop(&r);
}
END_TEST

/* A receiver answering 200 with invalid UTF-8, NUL and control bytes,
 * then with a body of 3 MB: each attempt is delivered and recorded, its
 * response kept as at most 500 printable characters; the delivery log
 * shows it, and tenantryd goes on. */
START_TEST(test_junk_and_huge_responses)
{
	static const char *const args[] = { "--webhook-allow-loopback",
					    "1",
					    "--webhook-retry-base",
					    "100",
					    "--webhook-disable-after",
					    "1",
					    NULL };
	static const char *const alpha_only[] = { "alpha-labs", NULL };
	static const char *const modes[] = { "junk 2000", "junk 3000000" };
	struct testsrv d;
	struct recv r;
	char hook[ID_LEN], path[128];
	PGconn *c = testdb_connect(db, NULL);

	delete_endpoints();
	recv_start(&r, "junk");
	endpoint(hook, &r, "/api/tenants/alpha-labs/webhooks", platform, "tenant.status_changed");
	testsrv_start(&d, db, args);
	for (size_t m = 0; m < 2; m++) {
		long long since = chain_head(alpha);
		json_t *ids;

		recv_file(&r, "mode", modes[m], "w");
		toggle_status(alpha_only, 1);
		ids = event_ids(alpha, "tenant.status_changed", since);
		ck_assert_int_eq(json_array_size(ids), 2);
		json_decref(wait_delivered(&r, ids));
		wait_undelivered(c, hook, hook, 30);
		json_decref(ids);
	}
	/* four attempts, each a success with the start of its response (also
	 * the 3 MB ones, cut after 1 MB) */
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.webhook_attempts WHERE "
				    "endpoint_id = '%s' AND status = 200 AND error IS NULL",
				    hook),
			 4);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.webhook_attempts WHERE "
				    "endpoint_id = '%s' AND response LIKE 'ok %%' AND "
				    "length(response) BETWEEN 3 AND 500 AND response !~ '[^ -~]'",
				    hook),
			 4);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.webhook_attempts WHERE "
				    "endpoint_id = '%s' AND response ~ '[^ -~]'",
				    hook),
			 0);
	/* the delivery log reads them */
	snprintf(path, sizeof path, "/api/webhooks/%s/deliveries", hook);
	{
		json_t *att = call(200, "GET", path, platform, NULL);

		ck_assert_int_eq(json_array_size(json_object_get(att, "items")), 4);
		json_decref(att);
	}
	ck_assert_int_eq(testhttp(&d, "GET", "/healthz", NULL, NULL, NULL), 200);
	PQfinish(c);
	delete_endpoint(hook);
	ck_assert_int_eq(testsrv_stop(&d), 0);
	recv_stop(&r);
}
END_TEST

Suite *
suite_webhooks_fault(void)
{
	Suite *s = suite_create("webhooks_fault");
	TCase *tc = tcase_create("server");

	srv_extra = api_only;
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_killed_instance_leases_taken_over);
	tcase_add_test(tc, test_worker_sessions_terminated);
	tcase_add_test(tc, test_junk_and_huge_responses);
	tcase_add_test(tc, test_listener_session_terminated);
	tcase_add_test(tc, test_retention_while_delivering);
	suite_add_tcase(s, tc);
	return s;
}
