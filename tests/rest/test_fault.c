/* test_fault.c - what a write's answer promises under faults, against a
 * real tenantryd and a real PostgreSQL: a session cut during the commit
 * (REST, the command line, the REST store), idempotent retries of every
 * write route, an immediate restart under several writers (fsync on, with
 * a ledger of every acknowledged write), and a server started while its
 * database is down. The audit streams' faults are in test_stream.c. */
#include <check.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static struct testsrv srv;
static const char *db;
static char *staff;
static char tenant[ID_LEN];

/* ---- helpers ----------------------------------------------------------------- */

/* One request as the staff member, with an optional Idempotency-Key. */
static int
send_req(const struct testsrv *s, const char *method, const char *path, const char *body,
	 const char *key, char **out, bool *replayed)
{
	return testhttp_key(s, staff, method, path, body, key, out, replayed);
}

/* One request as the staff member that must answer want. */
static json_t *
call(int want, const char *method, const char *path, const char *body)
{
	return testhttp_json(&srv, staff, want, method, path, body);
}

/* Sends a whole request on a connection of its own and returns the fd. */
static int
send_raw(int port, const char *method, const char *path, const char *body, const char *key)
{
	char req[8192];
	int n, fd = testnet_connect(port);

	n = snprintf(req, sizeof req,
		     "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n%s%s%s\r\n%s",
		     method, path, staff, strlen(body), key ? "Idempotency-Key: " : "",
		     key ? key : "", key ? "\r\n" : "", body);
	ck_assert(write(fd, req, (size_t)n) == n);
	return fd;
}

/* The status of the reply on fd (its body in buf), or -1. */
static int
read_status(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t len = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	buf[0] = '\0';
	while (test_ms_since(&t0) < timeout_ms && len + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((n = read(fd, buf + len, cap - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") && strstr(buf, "}"))
			break;
	}
	return strncmp(buf, "HTTP/1.1 ", 9) == 0 ? atoi(buf + 9) : -1;
}

/* The backend of login `who` that sleeps in the commit's trigger. */
static void
terminate_sleeper(PGconn *c, const char *who)
{
	for (int i = 0; i < 100; i++) {
		if (testdb_int(c,
			       "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
			       "WHERE usename = '%s' AND wait_event = 'PgSleep' "
			       "AND pid <> pg_backend_pid()",
			       who)
		    > 0)
			return;
		poll(NULL, 0, 50);
	}
	ck_abort_msg("no backend was sleeping in the commit");
}

/* A deferred trigger that sleeps in the commit of a setting "slow-%"
 * while tenantry.test_slow has a row. */
static void
slow_commits(PGconn *c)
{
	testdb_exec(c, "CREATE TABLE IF NOT EXISTS tenantry.test_slow (on_ boolean)");
	testdb_exec(c, "CREATE OR REPLACE FUNCTION tenantry.test_sleep() RETURNS trigger "
		       "LANGUAGE plpgsql AS $$ BEGIN IF NEW.key LIKE 'slow-%' AND EXISTS "
		       "(SELECT 1 FROM tenantry.test_slow) THEN PERFORM pg_sleep(3); END IF; "
		       "RETURN NULL; END $$");
	testdb_exec(c, "DROP TRIGGER IF EXISTS test_sleep ON tenantry.tenant_settings");
	testdb_exec(c, "CREATE CONSTRAINT TRIGGER test_sleep AFTER INSERT OR UPDATE ON "
		       "tenantry.tenant_settings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
		       "EXECUTE FUNCTION tenantry.test_sleep()");
	testdb_exec(c, "GRANT SELECT ON tenantry.test_slow TO PUBLIC");
	testdb_exec(c, "INSERT INTO tenantry.test_slow VALUES (true)");
}

static void
setup(void)
{
	db = testdb_create();
	testsrv_start(&srv, db, NULL);
	staff = testsrv_staff_token(&srv, "root@fault.test", "platform_admin");
	testsrv_tenant(&srv, staff, tenant, "Fault Co", "boss@fault.test");
}

static void
teardown(void)
{
	testsrv_stop(&srv);
	free(staff);
	staff = NULL;
}

/* ---- a session cut during the commit -------------------------------------------- */

START_TEST(test_commit_cut)
{
	PGconn *c = testdb_connect(db, NULL);
	char path[256], buf[8192], *out = NULL;
	const char *body = "{\"type\":\"string\",\"value\":\"cut\"}";
	bool replayed;
	int fd, st;

	slow_commits(c);
	snprintf(path, sizeof path, "/api/tenants/%s/settings/slow-1", tenant);
	fd = send_raw(srv.port, "PUT", path, body, "cut-key-1");
	terminate_sleeper(c, "tenantry_app");
	st = read_status(fd, buf, sizeof buf, 10000);
	close(fd);
	/* Never 2xx for a commit that was not confirmed. */
	ck_assert_msg(st == 503, "status %d: %s", st, buf);
	ck_assert_ptr_nonnull(strstr(buf, "\"outcome_unknown\""));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings "
				       "WHERE key = 'slow-1'"),
			 0);

	/* The same key again: it did not commit, so it runs now... */
	testdb_exec(c, "DELETE FROM tenantry.test_slow");
	st = send_req(&srv, "PUT", path, body, "cut-key-1", &out, &replayed);
	ck_assert_msg(st == 200 && !replayed, "%d %s", st, out);
	free(out);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings "
				       "WHERE key = 'slow-1'"),
			 1);
	/* ...and once it has, the answer is kept. */
	st = send_req(&srv, "PUT", path, body, "cut-key-1", &out, &replayed);
	ck_assert_msg(st == 200 && replayed, "%d %s", st, out);
	free(out);

	/* A second request with a key whose first is still running: 409. */
	testdb_exec(c, "INSERT INTO tenantry.test_slow VALUES (true)");
	snprintf(path, sizeof path, "/api/tenants/%s/settings/slow-2", tenant);
	fd = send_raw(srv.port, "PUT", path, body, "busy-key");
	poll(NULL, 0, 500);
	st = send_req(&srv, "PUT", path, body, "busy-key", &out, &replayed);
	ck_assert_msg(st == 409 && strstr(out, "idempotency_in_progress"), "%d %s", st, out);
	free(out);
	ck_assert_int_eq(read_status(fd, buf, sizeof buf, 10000), 200);
	close(fd);
	PQfinish(c);
}
END_TEST

/* The command line says "outcome unknown" with its own exit status. */
struct cut_arg {
	const char *db;
	const char *who; /* the login whose backend is cut */
};

static void *
cut_later(void *arg)
{
	PGconn *c = testdb_connect(((struct cut_arg *)arg)->db, NULL);

	terminate_sleeper(c, ((struct cut_arg *)arg)->who);
	PQfinish(c);
	return NULL;
}

START_TEST(test_cli_outcome_unknown)
{
	PGconn *c = testdb_connect(db, NULL);
	struct cut_arg a = { db, "postgres" };
	char *out = NULL, *err = NULL;
	pthread_t t;
	int rc;

	slow_commits(c);
	pthread_create(&t, NULL, cut_later, &a);
	rc = testcli_run(&out, &err,
			 (const char *const[]){ "--db", testdb_conninfo(db, NULL), "settings",
						"set", "fault-co", "slow-cli", "v", NULL });
	pthread_join(t, NULL);
	ck_assert_msg(rc == 76, "exit %d: %s %s", rc, out, err);
	ck_assert_ptr_nonnull(strstr(err, "may or may not"));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings "
				       "WHERE key = 'slow-cli'"),
			 0);
	free(out);
	free(err);
	PQfinish(c);
}
END_TEST

/* The REST store sends every write with an Idempotency-Key and sends it
 * again when its outcome is unknown: done once. */
START_TEST(test_rest_store_retries)
{
	PGconn *c = testdb_connect(db, NULL);
	struct store_config cfg = { .url = srv.url, .token = staff };
	struct store_context ctx = { .role = STORE_ROLE_PLATFORM };
	struct cut_arg a = { db };
	struct setting set;
	struct store *st;
	struct err e;
	pthread_t t;
	int rc;

	slow_commits(c);
	ck_assert(store_open(&st, &cfg, &e) == 0);
	ck_assert(store_set_context(st, &ctx, &e) == 0);
	a.who = "tenantry_app";
	pthread_create(&t, NULL, cut_later, &a);
	rc = store_setting_put(&set, st, "fault-co", "slow-rest", SETTING_STRING, "once", &e);
	pthread_join(t, NULL);
	ck_assert_msg(rc == 0, "%s", e.message);
	setting_clear(&set);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log WHERE "
				       "action LIKE 'setting.%%' AND resource_id = 'slow-rest'"),
			 1);
	store_close(&st);
	PQfinish(c);
}
END_TEST

/* ---- idempotent retries of every write route ---------------------------------- */

struct step {
	const char *method;
	char path[256];
	char body[512];
};

/* Runs s twice with one key: the second answer is the first, marked as
 * kept, and changes nothing (no audit entry, no row). */
static json_t *
twice(const struct step *s, int want)
{
	static int serial;
	char key[64], *a = NULL, *b = NULL;
	bool r1, r2;
	long long before, after;
	PGconn *c = testdb_connect(db, NULL);
	json_t *j;
	int s1, s2;

	snprintf(key, sizeof key, "retry-%d-%d", (int)getpid(), serial++);
	s1 = send_req(&srv, s->method, s->path, s->body[0] ? s->body : NULL, key, &a, &r1);
	ck_assert_msg(s1 == want, "%s %s: %d, wanted %d: %s", s->method, s->path, s1, want,
		      a ? a : "");
	before = testdb_int(c, "SELECT count(*) FROM tenantry.audit_log");
	s2 = send_req(&srv, s->method, s->path, s->body[0] ? s->body : NULL, key, &b, &r2);
	after = testdb_int(c, "SELECT count(*) FROM tenantry.audit_log");
	ck_assert_msg(s2 == s1 && r2 && !r1, "%s %s retried: %d (replayed %d)", s->method, s->path,
		      s2, r2);
	ck_assert_msg(strcmp(a ? a : "", b ? b : "") == 0, "%s %s: %s then %s", s->method, s->path,
		      a, b);
	ck_assert_int_eq(before, after);
	j = a && *a ? json_loads(a, 0, NULL) : NULL;
	free(a);
	free(b);
	PQfinish(c);
	return j;
}

/* clang-format off */
#define STEP(m, b, ...)                                                       \
	do {                                                                  \
		s.method = (m);                                               \
		snprintf(s.path, sizeof s.path, __VA_ARGS__);                 \
		snprintf(s.body, sizeof s.body, "%s", (b));                   \
	} while (0)
/* clang-format on */

START_TEST(test_idempotent_routes)
{
	test_clear_of_hour(30); /* api_calls counts by the hour */
	struct step s;
	json_t *j, *tiers;
	char user[ID_LEN], inv[ID_LEN], key[ID_LEN], alert[ID_LEN], *out = NULL;
	const char *t = tenant;
	PGconn *c = testdb_connect(db, NULL);
	int st;

	STEP("POST", "{\"name\":\"Twice Co\",\"admin_email\":\"b@twice.test\"}", "/api/tenants");
	json_decref(twice(&s, 201));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenants "
				       "WHERE slug = 'twice-co'"),
			 1);
	STEP("PUT", "{\"name\":\"Fault Company\"}", "/api/tenants/%s", t);
	json_decref(twice(&s, 200));
	STEP("POST", "", "/api/tenants/%s/status/suspended", t);
	json_decref(twice(&s, 200));
	STEP("POST", "", "/api/tenants/%s/status/active", t);
	json_decref(twice(&s, 200));
	STEP("POST", "{\"tier\":\"business\"}", "/api/tenants/%s/tier", t);
	json_decref(twice(&s, 200));
	STEP("POST", "{\"email\":\"inv@fault.test\",\"role\":\"member\"}",
	     "/api/tenants/%s/invitations", t);
	j = twice(&s, 201);
	snprintf(inv, sizeof inv, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.invitations "
				       "WHERE email = 'inv@fault.test'"),
			 1);
	STEP("POST", "", "/api/tenants/%s/invitations/%s/resend", t, inv);
	j = twice(&s, 200);
	STEP("POST", "", "/api/invitations/accept");
	snprintf(s.body, sizeof s.body,
		 "{\"token\":\"%s\",\"full_name\":\"In V\","
		 "\"password\":\"correct horse battery\"}",
		 json_string_value(json_object_get(j, "token")));
	json_decref(j);
	j = twice(&s, 200);
	snprintf(user, sizeof user, "%s", json_string_value(json_object_get(j, "user_id")));
	json_decref(j);
	STEP("PUT", "{\"role\":\"manager\"}", "/api/tenants/%s/users/%s", t, user);
	json_decref(twice(&s, 200));
	STEP("POST", "{\"email\":\"gone@fault.test\",\"role\":\"member\"}",
	     "/api/tenants/%s/invitations", t);
	j = twice(&s, 201);
	snprintf(inv, sizeof inv, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	STEP("DELETE", "", "/api/tenants/%s/invitations/%s", t, inv);
	json_decref(twice(&s, 204));
	STEP("PUT", "{\"limit\":10}", "/api/tenants/%s/quotas/api_calls", t);
	json_decref(twice(&s, 200));
	STEP("POST", "{\"resource\":\"api_calls\",\"amount\":9}", "/api/tenants/%s/usage/increment",
	     t);
	json_decref(twice(&s, 200));
	ck_assert_int_eq(testdb_int(c, "SELECT used FROM tenantry.quotas q JOIN "
				       "tenantry.tenants t ON t.id = q.tenant_id WHERE "
				       "t.slug = 'fault-co' AND resource = 'api_calls'"),
			 9);
	STEP("POST", "{\"resource\":\"api_calls\",\"amount\":1}", "/api/tenants/%s/quotas/check",
	     t);
	json_decref(twice(&s, 200));
	snprintf(alert, sizeof alert, "%s",
		 testdb_value(c, "SELECT id FROM tenantry.alerts ORDER BY at LIMIT 1"));
	STEP("POST", "", "/api/tenants/%s/alerts/%s/ack", t, alert);
	json_decref(twice(&s, 204));
	STEP("PUT", "{\"type\":\"string\",\"value\":\"x\"}", "/api/tenants/%s/settings/motd", t);
	json_decref(twice(&s, 200));
	STEP("DELETE", "", "/api/tenants/%s/settings/motd", t);
	json_decref(twice(&s, 204));
	STEP("PUT", "{\"enabled\":true}", "/api/tenants/%s/features/sso", t);
	json_decref(twice(&s, 200));
	STEP("POST", "{\"name\":\"ci\",\"scopes\":[\"tenant:read\"]}", "/api/tenants/%s/api-keys",
	     t);
	j = twice(&s, 201);
	snprintf(key, sizeof key, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.api_keys WHERE name = 'ci'"),
			 1);
	STEP("DELETE", "", "/api/tenants/%s/api-keys/%s", t, key);
	json_decref(twice(&s, 204));
	STEP("POST", "{\"action\":\"support.note\",\"resource_type\":\"tenant\"}",
	     "/api/tenants/%s/audit-logs", t);
	json_decref(twice(&s, 204));
	STEP("POST", "{\"action\":\"platform.note\"}", "/api/audit-logs");
	json_decref(twice(&s, 204));
	tiers = call(200, "GET", "/api/tiers", NULL);
	STEP("PUT", "", "/api/tiers");
	out = json_dumps(json_array_get(json_object_get(tiers, "items"), 0), JSON_COMPACT);
	snprintf(s.body, sizeof s.body, "%s", out);
	free(out);
	json_decref(tiers);
	json_decref(twice(&s, 200));
	STEP("POST", "", "/api/health/refresh");
	json_decref(twice(&s, 200));
	STEP("POST", "", "/api/tenants/purge-due");
	json_decref(twice(&s, 200));
	STEP("DELETE", "", "/api/tenants/%s/users/%s", t, user);
	json_decref(twice(&s, 204));
	STEP("DELETE", "", "/api/tenants/%s", t);
	json_decref(twice(&s, 200));

	/* The same key for another request: 422, and nothing changes. */
	st = send_req(&srv, "PUT", "/api/tenants/twice-co/settings/a",
		      "{\"type\":\"string\",\"value\":\"1\"}", "reused-key", &out, NULL);
	ck_assert_int_eq(st, 200);
	free(out);
	st = send_req(&srv, "PUT", "/api/tenants/twice-co/settings/a",
		      "{\"type\":\"string\",\"value\":\"2\"}", "reused-key", &out, NULL);
	ck_assert_msg(st == 422 && strstr(out, "idempotency_key_reused"), "%d %s", st, out);
	free(out);
	ck_assert_str_eq(testdb_value(c, "SELECT value FROM tenantry.tenant_settings "
					 "WHERE key = 'a'"),
			 "1");
	/* A failed request keeps nothing: the key may be used again. */
	st = send_req(&srv, "PUT", "/api/tenants/twice-co/settings/b",
		      "{\"type\":\"int\",\"value\":\"x\"}", "failed-key", &out, NULL);
	ck_assert_int_eq(st, 422);
	free(out);
	st = send_req(&srv, "PUT", "/api/tenants/twice-co/settings/b",
		      "{\"type\":\"int\",\"value\":\"x\"}", "failed-key", &out, NULL);
	ck_assert_int_eq(st, 422);
	free(out);
	st = send_req(&srv, "PUT", "/api/tenants/twice-co/settings/b",
		      "{\"type\":\"int\",\"value\":\"x\"}", "bad key with spaces", &out, NULL);
	ck_assert_int_eq(st, 400);
	free(out);
	PQfinish(c);
}
END_TEST

/* Keys live in the database: a second tenantryd on the same database
 * answers a retry with the first one's answer and does nothing again. */
START_TEST(test_idempotency_across_instances)
{
	const char *shared[] = { "--jwt-secret-file", srv.secret_file, NULL };
	const char *body = "{\"email\":\"twice@fault.test\",\"role\":\"member\"}";
	char path[256], *a = NULL, *b = NULL;
	PGconn *c = testdb_connect(db, NULL);
	bool replayed = false;
	struct testsrv s2;

	testsrv_start(&s2, db, shared); /* instances share the signing secret */
	snprintf(path, sizeof path, "/api/tenants/%s/invitations", tenant);
	ck_assert_int_eq(send_req(&srv, "POST", path, body, "two-instances", &a, NULL), 201);
	ck_assert_int_eq(send_req(&s2, "POST", path, body, "two-instances", &b, &replayed), 201);
	ck_assert(replayed);
	ck_assert_str_eq(a, b); /* the same token, shown once, kept with the key */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.invitations "
				       "WHERE email = 'twice@fault.test'"),
			 1);
	free(a);
	free(b);
	testsrv_stop(&s2);
	PQfinish(c);
}
END_TEST

/* ---- an immediate restart under writers --------------------------------------- */

#define WRITERS 4
#define WRITES 30

struct writer {
	const struct testsrv *srv;
	const char *tenant;
	int id;
	int acked;             /* writes answered 2xx */
	int attempts, unknown; /* sent in all; answered 503 outcome_unknown */
	struct timespec t0;
};

static atomic_int progress;

/* Each write is sent with its own Idempotency-Key until it is answered
 * 2xx (the way store_rest retries): a setting, then a usage increment. */
static void *
writer_main(void *arg)
{
	struct writer *w = arg;

	for (int n = 0; n < WRITES; n++) {
		char path[256], body[128], key[64], *out = NULL;
		bool setting = n % 2 == 0;
		int st = -1;

		if (setting) {
			snprintf(path, sizeof path, "/api/tenants/%s/settings/w%d-%d", w->tenant,
				 w->id, n);
			snprintf(body, sizeof body, "{\"type\":\"string\",\"value\":\"%d-%d\"}",
				 w->id, n);
		} else {
			snprintf(path, sizeof path, "/api/tenants/%s/usage/increment", w->tenant);
			snprintf(body, sizeof body, "{\"resource\":\"api_calls\",\"amount\":1}");
		}
		snprintf(key, sizeof key, "ledger-%d-%d", w->id, n);
		while (test_ms_since(&w->t0) < 60000) {
			w->attempts++;
			st =
			    send_req(w->srv, setting ? "PUT" : "POST", path, body, key, &out, NULL);
			if (st == 503 && out && strstr(out, "outcome_unknown"))
				w->unknown++;
			free(out);
			out = NULL;
			if (st >= 200 && st < 300)
				break;
			poll(NULL, 0, 100);
		}
		if (st >= 200 && st < 300)
			w->acked++;
		atomic_fetch_add(&progress, 1);
	}
	return NULL;
}

START_TEST(test_crash_ledger)
{
	test_clear_of_hour(30); /* api_calls counts by the hour */
	struct testcluster pgc = { .fsync = true };
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	struct testsrv s2;
	char id[ID_LEN], *saved = staff, *out = NULL, *err = NULL;
	int acked = 0, attempts = 0;
	PGconn *c;

	testcluster_start(&pgc, "fault-crash");
	testsrv_start(&s2, pgc.conninfo, NULL);
	staff = testsrv_staff_token(&s2, "root@crash.test", "platform_admin");
	testsrv_tenant(&s2, staff, id, "Crash Co", "boss@crash.test");
	atomic_store(&progress, 0);
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ .srv = &s2, .tenant = id, .id = i };
		clock_gettime(CLOCK_MONOTONIC, &w[i].t0);
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	while (atomic_load(&progress) < WRITERS * WRITES / 3)
		poll(NULL, 0, 5);
	testcluster_crash(&pgc); /* writes in flight are cut */
	testcluster_start(&pgc, "fault-crash");
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		acked += w[i].acked;
		attempts += w[i].attempts;
	}
	ck_assert_int_eq(acked, WRITERS * WRITES);
	ck_assert_int_gt(attempts, acked); /* the crash did cut some */
	/* The ledger: every acknowledged write is there, none twice. */
	c = PQconnectdb(pgc.conninfo);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings "
				       "WHERE key LIKE 'w%%-%%' AND value = substr(key, 2)"),
			 WRITERS * WRITES / 2);
	ck_assert_int_eq(testdb_int(c, "SELECT sum(amount) FROM tenantry.usage_daily "
				       "WHERE resource = 'api_calls'"),
			 WRITERS * WRITES / 2);
	PQfinish(c);
	ck_assert_int_eq(
	    testcli_run(&out, &err,
			(const char *const[]){ "--db", pgc.conninfo, "audit", "verify", NULL }),
	    0);
	free(out);
	free(err);
	free(staff);
	staff = saved;
	testsrv_stop(&s2);
	testcluster_stop(&pgc);
}
END_TEST

/* ---- a database that takes no writes ------------------------------------------ */

/* A standby answering, as after a failover before the pooler or the
 * address has moved: a write is 503 and says so, nothing of it is kept;
 * the sessions that met it are dropped, so the first write after the
 * database takes writes again is made. */
START_TEST(test_standby_refuses_writes)
{
	PGconn *c = testdb_connect(db, NULL);
	const char *body = "{\"type\":\"string\",\"value\":\"x\"}";
	char path[128], *out = NULL;
	long long before = testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings");

	snprintf(path, sizeof path, "/api/tenants/%s/settings/standby-1", tenant);
	testdb_execf(c, "ALTER DATABASE %s SET default_transaction_read_only = on", db);
	/* tenantryd's sessions start again, read-only */
	testdb_execf(c,
		     "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
		     "datname = '%s' AND pid <> pg_backend_pid()",
		     db);
	ck_assert_int_eq(send_req(&srv, "PUT", path, body, NULL, &out, NULL), 503);
	ck_assert_msg(out && strstr(out, "read-only"), "%s", out ? out : "");
	free(out);
	out = NULL;
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings"), before);
	/* and with an Idempotency-Key (an explicit transaction) */
	ck_assert_int_eq(send_req(&srv, "PUT", path, body, "standby-key", NULL, NULL), 503);
	testdb_execf(c, "ALTER DATABASE %s RESET default_transaction_read_only", db);
	ck_assert_int_eq(send_req(&srv, "PUT", path, body, "standby-key", &out, NULL), 200);
	free(out);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_settings"),
			 before + 1);
	PQfinish(c);
}
END_TEST

/* ---- the database down at start ------------------------------------------------ */

START_TEST(test_start_database_down)
{
	struct testcluster pgc = { 0 };
	struct testsrv s2;
	struct timespec t0;
	int st = 0;

	testcluster_start(&pgc, "fault-down");
	testcluster_stop(&pgc);
	testsrv_start(&s2, pgc.conninfo, NULL); /* listens, answers /healthz */
	ck_assert_int_eq(testhttp(&s2, "GET", "/readyz", NULL, NULL, NULL), 503);
	ck_assert_int_eq(testhttp(&s2, "GET", "/healthz", NULL, NULL, NULL), 200);
	testcluster_start(&pgc, "fault-down");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (test_ms_since(&t0) < 15000
	       && (st = testhttp(&s2, "GET", "/readyz", NULL, NULL, NULL)) != 200)
		poll(NULL, 0, 200);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(testsrv_stop(&s2), 0);
	testcluster_stop(&pgc);
}
END_TEST

Suite *
suite_fault(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("writes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_commit_cut);
	tcase_add_test(tc, test_cli_outcome_unknown);
	tcase_add_test(tc, test_rest_store_retries);
	tcase_add_test(tc, test_idempotent_routes);
	tcase_add_test(tc, test_idempotency_across_instances);
	tcase_add_test(tc, test_standby_refuses_writes);
	suite_add_tcase(s, tc);
	tc = tcase_create("restarts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_start_database_down);
	tcase_add_test(tc, test_crash_ledger);
	suite_add_tcase(s, tc);
	return s;
}
