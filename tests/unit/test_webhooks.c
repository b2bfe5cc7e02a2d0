/* test_webhooks.c - webhooks.h: the event list, filters, endpoint URLs,
 * the address classes (IPv4, IPv6 and the IPv4 forms inside IPv6), the
 * address check, the retry schedule and the Standard Webhooks signature
 * (the specification's own example). No address here is ever connected
 * to. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>

#include "core/webhooks.h"

START_TEST(test_event_list)
{
	enum event_type t;

	ck_assert_str_eq(event_type_name(EVENT_TENANT_CREATED), "tenant.created");
	ck_assert_int_eq(event_type_parse("quota.alert", &t), 0);
	ck_assert_int_eq(t, EVENT_QUOTA_ALERT);
	ck_assert_int_eq(event_type_parse("quota.alerts", &t), -1);
	ck_assert_int_eq(event_type_parse(NULL, &t), -1);
	ck_assert_str_eq(event_type_name(EVENT_TYPE_COUNT), "?");
	for (int i = 0; i < EVENT_TYPE_COUNT; i++)
		ck_assert(event_type_description((enum event_type)i)[0]);
}
END_TEST

START_TEST(test_filters)
{
	struct err e;

	ck_assert_int_eq(webhook_filter_check(NULL, &e), 0);
	ck_assert_int_eq(webhook_filter_check("", &e), 0);
	ck_assert_int_eq(webhook_filter_check("member.*", &e), 0);
	ck_assert_int_eq(webhook_filter_check("tenant.created,quota.alert", &e), 0);
	ck_assert_int_eq(webhook_filter_check("tenant.create", &e), -1);
	ck_assert_str_eq(e.field, "events");
	ck_assert_int_eq(webhook_filter_check("nothing.*", &e), -1);
	ck_assert_int_eq(webhook_filter_check("tenant.created,", &e), -1);
	ck_assert_int_eq(webhook_filter_check(",tenant.created", &e), -1);
	ck_assert_int_eq(webhook_filter_check("*", &e), -1);
}
END_TEST

START_TEST(test_urls)
{
	struct webhook_target t;
	struct err e;

	ck_assert_int_eq(webhook_url_parse(&t, "https://hooks.example.com/in?x=1", false, &e), 0);
	ck_assert(t.https);
	ck_assert_str_eq(t.host, "hooks.example.com");
	ck_assert_int_eq(t.port, 443);
	ck_assert_int_eq(webhook_url_parse(&t, "https://[2001:db8::1]:8443/x", false, &e), 0);
	ck_assert_str_eq(t.host, "2001:db8::1");
	ck_assert_int_eq(t.port, 8443);
	/* plain http only with the loopback allowance */
	ck_assert_int_eq(webhook_url_parse(&t, "http://127.0.0.1:9/", false, &e), -1);
	ck_assert_str_eq(e.field, "url");
	ck_assert_int_eq(webhook_url_parse(&t, "http://127.0.0.1:9/", true, &e), 0);
	ck_assert(!t.https);
	ck_assert_int_eq(t.port, 9);
	ck_assert_int_eq(webhook_url_parse(&t, "http://[::1]/", true, &e), 0);
	ck_assert_int_eq(webhook_url_parse(&t, "http://hooks.example.com/", true, &e), -1);
	ck_assert_int_eq(webhook_url_parse(&t, "http://10.0.0.1/", true, &e), -1);
	{
		static const char *const bad[] = { "",
						   "ftp://x.example/",
						   "https://",
						   "https:///path",
						   "https://user:pw@x.example/",
						   "https://x.example:0/",
						   "https://x.example:65536/",
						   "https://x.example:80x/",
						   "https://x.example/#frag",
						   "https://x.example/a b",
						   "https://[::1/",
						   "gopher://x.example/",
						   "https://x.exam\xc3\xa9ple/" };

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			ck_assert_msg(webhook_url_parse(&t, bad[i], true, &e) == -1, "%s", bad[i]);
	}
	ck_assert_int_eq(webhook_url_parse(&t, NULL, true, &e), -1);
}
END_TEST

START_TEST(test_address_classes)
{
	static const struct {
		const char *addr;
		enum webhook_addr_class want;
	} cases[] = {
		{ "8.8.8.8", WEBHOOK_ADDR_PUBLIC },
		{ "127.0.0.1", WEBHOOK_ADDR_LOOPBACK },
		{ "127.255.0.9", WEBHOOK_ADDR_LOOPBACK },
		{ "10.1.2.3", WEBHOOK_ADDR_PRIVATE },
		{ "172.16.0.1", WEBHOOK_ADDR_PRIVATE },
		{ "172.31.255.255", WEBHOOK_ADDR_PRIVATE },
		{ "172.32.0.1", WEBHOOK_ADDR_PUBLIC },
		{ "192.168.1.1", WEBHOOK_ADDR_PRIVATE },
		{ "100.64.0.1", WEBHOOK_ADDR_PRIVATE },
		{ "169.254.169.254", WEBHOOK_ADDR_LINK_LOCAL },
		{ "0.0.0.0", WEBHOOK_ADDR_RESERVED },
		{ "224.0.0.1", WEBHOOK_ADDR_RESERVED },
		{ "255.255.255.255", WEBHOOK_ADDR_RESERVED },
		{ "192.0.2.10", WEBHOOK_ADDR_RESERVED },
		{ "198.18.0.1", WEBHOOK_ADDR_RESERVED },
		{ "::1", WEBHOOK_ADDR_LOOPBACK },
		{ "::", WEBHOOK_ADDR_RESERVED },
		{ "::ffff:127.0.0.1", WEBHOOK_ADDR_LOOPBACK },
		{ "::ffff:10.0.0.1", WEBHOOK_ADDR_PRIVATE },
		{ "::ffff:169.254.169.254", WEBHOOK_ADDR_LINK_LOCAL },
		{ "::ffff:8.8.8.8", WEBHOOK_ADDR_PUBLIC },
		{ "::127.0.0.1", WEBHOOK_ADDR_LOOPBACK },
		{ "64:ff9b::a9fe:a9fe", WEBHOOK_ADDR_LINK_LOCAL },
		{ "2002:7f00:1::", WEBHOOK_ADDR_LOOPBACK },
		{ "2002:c0a8:101::1", WEBHOOK_ADDR_PRIVATE },
		{ "fc00::1", WEBHOOK_ADDR_PRIVATE },
		{ "fd12:3456::1", WEBHOOK_ADDR_PRIVATE },
		{ "fe80::1", WEBHOOK_ADDR_LINK_LOCAL },
		{ "febf::1", WEBHOOK_ADDR_LINK_LOCAL },
		{ "fec0::1", WEBHOOK_ADDR_PRIVATE },
		{ "ff02::1", WEBHOOK_ADDR_RESERVED },
		{ "2001:db8::1", WEBHOOK_ADDR_RESERVED },
		{ "2606:4700::1111", WEBHOOK_ADDR_PUBLIC },
		{ "not an address", WEBHOOK_ADDR_RESERVED },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(webhook_addr_classify_text(cases[i].addr) == cases[i].want,
			      "%s: class %d, wanted %d", cases[i].addr,
			      webhook_addr_classify_text(cases[i].addr), cases[i].want);
}
END_TEST

START_TEST(test_address_check)
{
	struct sockaddr_in pub = { .sin_family = AF_INET }, lo = { .sin_family = AF_INET },
			   db = { .sin_family = AF_INET };
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage denied[1];
	struct err e;

	inet_pton(AF_INET, "93.184.216.34", &pub.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &lo.sin_addr);
	inet_pton(AF_INET, "93.184.216.35", &db.sin_addr);
	inet_pton(AF_INET6, "::1", &lo6.sin6_addr);
	memset(denied, 0, sizeof denied);
	memcpy(&denied[0], &db, sizeof db);
	ck_assert_int_eq(webhook_addr_check((struct sockaddr *)&pub, false, denied, 1, &e), 0);
	ck_assert_int_eq(webhook_addr_check((struct sockaddr *)&lo, false, denied, 1, &e), -1);
	ck_assert(strstr(e.message, "loopback"));
	ck_assert_int_eq(webhook_addr_check((struct sockaddr *)&lo, true, denied, 1, &e), 0);
	ck_assert_int_eq(webhook_addr_check((struct sockaddr *)&lo6, false, NULL, 0, &e), -1);
	ck_assert_int_eq(webhook_addr_check((struct sockaddr *)&lo6, true, NULL, 0, &e), 0);
	/* the database's own address, public or not */
	ck_assert_int_eq(webhook_addr_check((struct sockaddr *)&db, false, denied, 1, &e), -1);
	ck_assert(strstr(e.message, "database"));
}
END_TEST

START_TEST(test_retry_schedule)
{
	ck_assert(webhook_retry_delay(1, 5000, 0) == 5.0);
	ck_assert(webhook_retry_delay(2, 5000, 0) == 10.0);
	ck_assert(webhook_retry_delay(3, 5000, 0.5) == 20.0 * 1.05);
	ck_assert(webhook_retry_delay(40, 5000, 0) == 43200.0);
	/* the default schedule retries for more than 3 days before 30 attempts */
	{
		double total = 0;

		for (int a = 1; a < 30; a++)
			total += webhook_retry_delay(a, 5000, 0);
		ck_assert(total > 3 * 86400.0);
	}
}
END_TEST

START_TEST(test_signature)
{
	/* the example of the Standard Webhooks specification */
	const char *body = "{\"test\": 2432232314}";
	char sig[WEBHOOK_SIGNATURE_LEN];
	struct err e;

	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_int_eq(webhook_sign(sig, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
				      "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body,
				      strlen(body), &e),
			 0);
	ck_assert_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	ck_assert_int_eq(webhook_sign(sig, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "", 0, &e),
			 -1);
	ck_assert_int_eq(webhook_sign(sig, "whsec_!!!", "m", 1, "", 0, &e), -1);
}
END_TEST

Suite *
suite_webhooks(void)
{
	Suite *s = suite_create("webhooks");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_event_list);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_urls);
	tcase_add_test(tc, test_address_classes);
	tcase_add_test(tc, test_address_check);
	tcase_add_test(tc, test_retry_schedule);
	tcase_add_test(tc, test_signature);
	suite_add_tcase(s, tc);
	return s;
}
