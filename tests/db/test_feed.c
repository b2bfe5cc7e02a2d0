/* test_feed.c - the libpq live audit feed: keys announced on commit,
 * filtered by tenant, checked against the caller's visibility, and a lost
 * session reported rather than silently waited on. */
#include <check.h>
#include <poll.h>
#include <string.h>

#include "testlib.h"

static struct store *st;
static char a_id[ID_LEN], b_id[ID_LEN];
static const char *db;

static void
make(char id[ID_LEN], const char *name, const char *email)
{
	struct tenant_new n = { .name = name, .admin_email = email, .tier = "basic" };
	struct tenant t;
	struct err e;

	ck_assert_msg(testtenant_create(&t, st, &n, &e) == 0, "%s", e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
}

static void
setup(void)
{
	db = testdb_create();
	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	make(a_id, "Feed Alpha", "a@feed-a.test");
	make(b_id, "Feed Beta", "b@feed-b.test");
}

static void
teardown(void)
{
	store_close(&st);
}

static void
event(const char *tenant)
{
	struct err e;

	ck_assert_msg(store_audit_event(st, tenant, "test.ping", "test", "x", NULL, &e) == 0, "%s",
		      e.message);
}

/* Waits for up to want keys (or timeout) and returns how many arrived. */
static int
collect(struct audit_feed *f, struct audit_key *keys, int want, int timeout_ms)
{
	int got = 0;

	while (got < want) {
		struct pollfd p = { .fd = store_feed_fd(st, f), .events = POLLIN };
		struct err e;
		int n;

		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		n = store_feed_read(st, f, keys + got, want - got, &e);
		ck_assert_msg(n >= 0, "%s", e.message);
		got += n;
	}
	return got;
}

static long long
head(const char *tenant)
{
	PGconn *c = testdb_connect(db, NULL);
	long long seq = testdb_int(c,
				   "SELECT coalesce(max(seq), 0) FROM tenantry.audit_log "
				   "WHERE tenant_id = '%s'",
				   tenant);

	PQfinish(c);
	return seq;
}

START_TEST(test_all_chains)
{
	struct audit_feed *f;
	struct audit_key k[4];
	struct err e;

	ck_assert_msg(store_feed_open(&f, st, NULL, &e) == 0, "%s", e.message);
	event(a_id);
	event(b_id);
	/* one wake-up per transaction, naming nothing */
	ck_assert_int_eq(collect(f, k, 2, 3000), 2);
	ck_assert_str_eq(k[0].tenant_id, "");
	ck_assert_int_eq(k[0].seq, 0);
	ck_assert_str_eq(k[1].tenant_id, "");
	ck_assert_int_eq(k[1].seq, 0);
	/* nothing more is pending */
	ck_assert_int_eq(store_feed_read(st, f, k, 4, &e), 0);
	store_feed_close(st, f);
}
END_TEST

START_TEST(test_one_tenant)
{
	struct audit_feed *f;
	struct audit_key k[4];
	struct err e;

	ck_assert_msg(store_feed_open(&f, st, "feed-beta", &e) == 0, "%s", e.message);
	event(a_id);
	event(b_id);
	event(a_id);
	/* a tenant's feed wakes for every commit: what is its own is then
	 * read through its context */
	ck_assert_int_eq(collect(f, k, 4, 1000), 3);
	ck_assert_str_eq(k[0].tenant_id, "");
	store_feed_close(st, f);
}
END_TEST

/* Any session may notify on the channel: a false payload is a wake-up
 * like any other, naming nothing, and changes nothing. */
START_TEST(test_spoofed_notification)
{
	struct audit_feed *f;
	struct audit_key k[4];
	struct err e;
	PGconn *c = testdb_connect(db, NULL);
	int64_t before = head(b_id);
	char sql[256];

	ck_assert_msg(store_feed_open(&f, st, "feed-alpha", &e) == 0, "%s", e.message);
	snprintf(sql, sizeof sql, "NOTIFY tenantry_audit, '%s:%lld'", b_id, (long long)before + 5);
	testdb_exec(c, sql);
	ck_assert_int_eq(collect(f, k, 1, 3000), 1);
	ck_assert_str_eq(k[0].tenant_id, "");
	ck_assert_int_eq(k[0].seq, 0);
	ck_assert_int_eq(head(b_id), before);
	store_feed_close(st, f);
	PQfinish(c);
}
END_TEST

START_TEST(test_other_tenant_not_found)
{
	struct store *ts = teststore_open(db, NULL, STORE_ROLE_TENANT, a_id);
	struct audit_feed *f = NULL;
	struct err e;

	ck_assert_int_eq(store_feed_open(&f, ts, b_id, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(store_feed_open(&f, ts, "no-such-tenant", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_feed_open(&f, ts, "feed-alpha", &e), 0);
	store_feed_close(ts, f);
	store_close(&ts);
}
END_TEST

START_TEST(test_lost_session)
{
	struct audit_feed *f;
	struct audit_key k[4];
	struct pollfd p;
	struct err e;
	PGconn *c = testdb_connect(db, NULL);
	int n = 0;

	ck_assert_msg(store_feed_open(&f, st, NULL, &e) == 0, "%s", e.message);
	testdb_exec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		       "WHERE application_name = 'tenantry-feed'");
	/* the termination message, then the end of the stream */
	for (int i = 0; i < 30 && n >= 0; i++) {
		p = (struct pollfd){ .fd = store_feed_fd(st, f), .events = POLLIN };
		poll(&p, 1, 100);
		n = store_feed_read(st, f, k, 4, &e);
	}
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(e.code, ERR_UNAVAILABLE);
	store_feed_close(st, f);
	PQfinish(c);
}
END_TEST

Suite *
suite_feed(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = tcase_create("pg");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_all_chains);
	tcase_add_test(tc, test_one_tenant);
	tcase_add_test(tc, test_other_tenant_not_found);
	tcase_add_test(tc, test_spoofed_notification);
	tcase_add_test(tc, test_lost_session);
	suite_add_tcase(s, tc);
	return s;
}
