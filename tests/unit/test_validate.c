/* test_validate.c - validate.h: what each rule accepts and refuses. */
#include <check.h>
#include <string.h>

#include "core/validate.h"

/* clang-format off */
#define REJECT(call, fld)                                                    \
	do {                                                                 \
		struct err e_;                                               \
		err_clear(&e_);                                              \
		ck_assert_msg((call) == -1, "accepted: %s", #call);          \
		ck_assert_int_eq(e_.code, ERR_INVALID_FIELD);                \
		ck_assert_str_eq(e_.field, fld);                             \
	} while (0)
/* clang-format on */
/* clang-format off */
#define ACCEPT(call)                                                         \
	do {                                                                 \
		struct err e_;                                               \
		ck_assert_msg((call) == 0, "refused: %s: %s", #call,         \
			      e_.message);                                   \
	} while (0)
/* clang-format on */

START_TEST(utf8_bad)
{
	static const char *bad[] = {
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong, 3 bytes */
		"\xf0\x80\x80\xaf", /* overlong, 4 bytes */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xed\xbf\xbf",     /* surrogate U+DFFF */
		"\xf4\x90\x80\x80", /* U+110000 */
		"\xf8\x88\x80\x80\x80",
		"\x80",
		"\xc3",
		"abc\xe2\x82",
		"\xff",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!utf8_valid(bad[i], strlen(bad[i])), "%zu", i);
	ck_assert(!utf8_valid("a\0b", 3));
	ck_assert(!utf8_valid(NULL, 0));
	REJECT(validate_utf8("\xc0\xaf", "name", &e_), "name");
	REJECT(validate_utf8(NULL, NULL, &e_), "value");
}
END_TEST

START_TEST(slug_bad)
{
	static const char *bad[] = { "ab",     "Acme",      "acme_corp", "-acme", "acme-",
				     "ac--me", "acme corp", "acmé",      "" };
	char sixty_four[65];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		REJECT(validate_slug(bad[i], NULL, &e_), "slug");
	memset(sixty_four, 'a', 64);
	sixty_four[64] = '\0';
	REJECT(validate_slug(sixty_four, "tenant", &e_), "tenant");
	REJECT(validate_slug(NULL, NULL, &e_), "slug");
}
END_TEST

START_TEST(slug_from_name_bad)
{
	char out[SLUG_LEN];

	REJECT(slug_from_name(out, "A!", &e_), "name");
	ck_assert_str_eq(out, "");
	REJECT(slug_from_name(out, "日本語", &e_), "name");
	REJECT(slug_from_name(out, "x\xc0\xafy", &e_), "name");
	REJECT(slug_from_name(out, NULL, &e_), "name");
}
END_TEST

START_TEST(name_bad)
{
	char big[NAME_LEN + 1];

	REJECT(validate_name("   ", NULL, &e_), "name");
	REJECT(validate_name("", NULL, &e_), "name");
	REJECT(validate_name("a\tb", NULL, &e_), "name");
	REJECT(validate_name("a\x7f", NULL, &e_), "name");
	memset(big, 'n', NAME_LEN);
	big[NAME_LEN] = '\0';
	REJECT(validate_name(big, "full_name", &e_), "full_name");
}
END_TEST

START_TEST(email_bad)
{
	static const char *bad[] = {
		"",
		"alice",
		"@acme.com",
		"alice@",
		"alice@@acme.com",
		"a@b@acme.com",
		".alice@acme.com",
		"alice.@acme.com",
		"al..ice@acme.com",
		"al ice@acme.com",
		"alice@acme",
		"alice@-acme.com",
		"alice@acme-.com",
		"alice@acme..com",
		"alice@1.2.3.4",
		"alice@[1.2.3.4]",
		"\"al\"@acme.com",
		"alice@acme.com.",
	};
	char local65[100];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		REJECT(validate_email(bad[i], "billing_email", &e_), "billing_email");
	memset(local65, 'a', 65);
	strcpy(local65 + 65, "@acme.com");
	REJECT(validate_email(local65, NULL, &e_), "email");
}
END_TEST

START_TEST(domain_bad)
{
	static const char *bad[] = { "",          "localhost", "acme..com", ".acme.com",
				     "acme.com.", "-acme.com", "ac_me.com", "10.0.0.1",
				     "acme.123",  "ac me.com", "[::1]" };
	char label64[80], long_name[300];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		REJECT(validate_domain(bad[i], NULL, &e_), "domain");
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".com");
	REJECT(validate_domain(label64, NULL, &e_), "domain");
	for (int i = 0; i < 50; i++)
		memcpy(long_name + i * 6, "abcde.", 6);
	strcpy(long_name + 300 - 6, "com");
	REJECT(validate_domain(long_name, NULL, &e_), "domain");
}
END_TEST

START_TEST(color_timezone_bad)
{
	static const char *colors[] = { "",        "#",      "#12",      "#1234",
					"#12345g", "123456", "#1234567", "red" };
	static const char *zones[] = { "",
				       "utc",
				       "Mars/Olympus",
				       "Europe",
				       "Europe/",
				       "Europe/berlin",
				       "Europe/Ber lin",
				       "/Berlin",
				       "America/Argentina/Buenos_Aires/X",
				       "Etc/GMT+5/" };

	for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++)
		REJECT(validate_color(colors[i], NULL, &e_), "color");
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		REJECT(validate_timezone(zones[i], NULL, &e_), "timezone");
}
END_TEST

START_TEST(url_bad)
{
	static const char *bad[] = {
		"",
		"ftp://acme.com",
		"acme.com",
		"http://",
		"https://acme",
		"http://user:pw@acme.com/",
		"http://acme.com:0/",
		"http://acme.com:65536",
		"http://acme.com:",
		"http://acme.com:8a",
		"http://acme.com/a b",
		"http://256.1.1.1/",
		"http://[zz]/",
		"http://acme.com/\x01",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		REJECT(validate_url(bad[i], "webhook", &e_), "webhook");
}
END_TEST

START_TEST(setting_key_bad)
{
	char big[KEY_LEN + 1];

	REJECT(validate_setting_key("", &e_), "key");
	REJECT(validate_setting_key("1abc", &e_), "key");
	REJECT(validate_setting_key("_abc", &e_), "key");
	REJECT(validate_setting_key("Theme", &e_), "key");
	REJECT(validate_setting_key("a b", &e_), "key");
	REJECT(validate_setting_key("a/b", &e_), "key");
	REJECT(validate_setting_key(NULL, &e_), "key");
	memset(big, 'k', KEY_LEN);
	big[KEY_LEN] = '\0';
	REJECT(validate_setting_key(big, &e_), "key");
}
END_TEST

START_TEST(audit_actions)
{
	char big[80];

	ACCEPT(validate_audit_action("report.export", &e_));
	ACCEPT(validate_audit_action("support.view_as.end", &e_));
	ACCEPT(validate_audit_action("_x._", &e_));
	REJECT(validate_audit_action(NULL, &e_), "action");
	REJECT(validate_audit_action("", &e_), "action");
	REJECT(validate_audit_action("export", &e_), "action");
	REJECT(validate_audit_action(".export", &e_), "action");
	REJECT(validate_audit_action("report.", &e_), "action");
	REJECT(validate_audit_action("Report.export", &e_), "action");
	REJECT(validate_audit_action("report.ex port", &e_), "action");
	REJECT(validate_audit_action("report-x.export", &e_), "action");
	memset(big, 'a', sizeof big);
	big[1] = '.';
	big[64] = '\0';
	REJECT(validate_audit_action(big, &e_), "action");
	big[63] = '\0';
	ACCEPT(validate_audit_action(big, &e_));
}
END_TEST

START_TEST(setting_values_bad)
{
	char big[SETTING_VALUE_MAX + 2];

	REJECT(validate_setting(SETTING_INT, "", &e_), "value");
	REJECT(validate_setting(SETTING_INT, "-", &e_), "value");
	REJECT(validate_setting(SETTING_INT, "+1", &e_), "value");
	REJECT(validate_setting(SETTING_INT, " 1", &e_), "value");
	REJECT(validate_setting(SETTING_INT, "1.5", &e_), "value");
	REJECT(validate_setting(SETTING_INT, "9223372036854775808", &e_), "value");
	REJECT(validate_setting(SETTING_INT, "-9223372036854775809", &e_), "value");
	REJECT(validate_setting(SETTING_BOOL, "yes", &e_), "value");
	REJECT(validate_setting(SETTING_BOOL, "True", &e_), "value");
	REJECT(validate_setting(SETTING_JSON, "{\"a\":}", &e_), "value");
	REJECT(validate_setting(SETTING_JSON, "", &e_), "value");
	REJECT(validate_setting(SETTING_JSON, "[1,]", &e_), "value");
	REJECT(validate_setting(SETTING_JSON, "{} {}", &e_), "value");
	REJECT(validate_setting(SETTING_EMAIL, "bob", &e_), "value");
	REJECT(validate_setting(SETTING_URL, "javascript:alert(1)", &e_), "value");
	REJECT(validate_setting(SETTING_COLOR, "#ggg", &e_), "value");
	REJECT(validate_setting(SETTING_TIMEZONE, "Nowhere/Land", &e_), "value");
	REJECT(validate_setting(SETTING_SECRET, "", &e_), "value");
	REJECT(validate_setting(SETTING_STRING, "\xed\xa0\x80", &e_), "value");
	REJECT(validate_setting(SETTING_STRING, NULL, &e_), "value");
	REJECT(validate_setting(SETTING_TYPE_COUNT, "x", &e_), "type");
	memset(big, 's', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	REJECT(validate_setting(SETTING_STRING, big, &e_), "value");
	REJECT(validate_setting(SETTING_SECRET, big, &e_), "value");
}
END_TEST

START_TEST(messages_name_the_problem)
{
	struct err e;

	validate_email("alice@acme", "admin_email", &e);
	ck_assert_str_eq(e.message, "admin_email: domain needs at least one dot");
	validate_slug("ac--me", NULL, &e);
	ck_assert_str_eq(e.message, "slug: must not contain \"--\"");
	validate_setting(SETTING_JSON, "[1,", &e);
	ck_assert_ptr_nonnull(strstr(e.message, "value: not JSON at line 1"));
	validate_url("http://acme.com:99999/", NULL, &e);
	ck_assert_str_eq(e.message, "url: bad port");
}
END_TEST

START_TEST(good_values)
{
	char big[SETTING_VALUE_MAX + 1];

	ck_assert(utf8_valid("Zürich 日本 \xf0\x9f\x98\x80", 19));
	ck_assert(utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	ACCEPT(validate_slug("acme-corp", NULL, &e_));
	ACCEPT(validate_slug("a1b", NULL, &e_));
	ACCEPT(validate_name("Acme Corporation 日本", NULL, &e_));
	ACCEPT(validate_email("first.last+tag@mail.acme-corp.co.uk", NULL, &e_));
	ACCEPT(validate_email("o'brien!#$%&*/=?^_`{|}~@x.io", NULL, &e_));
	ACCEPT(validate_domain("Acme-Corp.example.COM", NULL, &e_));
	ACCEPT(validate_domain("x1.io", NULL, &e_));
	ACCEPT(validate_color("#abc", NULL, &e_));
	ACCEPT(validate_color("#1A2b3C", NULL, &e_));
	ACCEPT(validate_timezone("UTC", NULL, &e_));
	ACCEPT(validate_timezone("Europe/Berlin", NULL, &e_));
	ACCEPT(validate_timezone("America/Argentina/Buenos_Aires", NULL, &e_));
	ACCEPT(validate_timezone("Etc/GMT+5", NULL, &e_));
	ACCEPT(validate_timezone("America/Port-au-Prince", NULL, &e_));
	ACCEPT(validate_timezone("US/Eastern", NULL, &e_));
	ACCEPT(validate_url("https://hooks.acme.com/x?y=1#z", NULL, &e_));
	ACCEPT(validate_url("HTTP://localhost:8080", NULL, &e_));
	ACCEPT(validate_url("http://127.0.0.1/", NULL, &e_));
	ACCEPT(validate_url("http://[::1]:65535/a", NULL, &e_));
	ACCEPT(validate_setting_key("branding.primary_color", &e_));
	ACCEPT(validate_setting_key("a", &e_));
	ACCEPT(validate_setting(SETTING_INT, "9223372036854775807", &e_));
	ACCEPT(validate_setting(SETTING_INT, "-9223372036854775808", &e_));
	ACCEPT(validate_setting(SETTING_INT, "0", &e_));
	ACCEPT(validate_setting(SETTING_BOOL, "false", &e_));
	ACCEPT(validate_setting(SETTING_JSON, "{\"a\":[1,2.5,null,true]}", &e_));
	ACCEPT(validate_setting(SETTING_JSON, "\"text\"", &e_));
	ACCEPT(validate_setting(SETTING_JSON, "42", &e_));
	ACCEPT(validate_setting(SETTING_SECRET, "\xff\x01 raw", &e_));
	ACCEPT(validate_setting(SETTING_STRING, "", &e_));
	memset(big, 's', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ACCEPT(validate_setting(SETTING_STRING, big, &e_));
}
END_TEST

START_TEST(slugs_from_names)
{
	char out[SLUG_LEN], name[200];

	ACCEPT(slug_from_name(out, "Acme Corporation", &e_));
	ck_assert_str_eq(out, "acme-corporation");
	ACCEPT(slug_from_name(out, "  Café Zürich — Ærø GmbH!! ", &e_));
	ck_assert_str_eq(out, "cafe-zurich-aero-gmbh");
	ACCEPT(slug_from_name(out, "Straße 1×2", &e_));
	ck_assert_str_eq(out, "strasse-1-2");
	ACCEPT(slug_from_name(out, "日本 ACME 株式会社", &e_));
	ck_assert_str_eq(out, "acme");
	for (int i = 0; i < 20; i++)
		memcpy(name + i * 6, "abcde ", 6);
	name[120] = '\0';
	ACCEPT(slug_from_name(out, name, &e_));
	/* 63 bytes would end inside a word: cut back to the last '-' */
	ck_assert_str_eq(out, "abcde-abcde-abcde-abcde-abcde-abcde-abcde-"
			      "abcde-abcde-abcde");
	ACCEPT(validate_slug(out, NULL, &e_));
	memset(name, 'x', 100);
	name[100] = '\0';
	ACCEPT(slug_from_name(out, name, &e_));
	ck_assert_uint_eq(strlen(out), 63);
}
END_TEST

Suite *
suite_validate(void)
{
	Suite *s = suite_create("validate");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, utf8_bad);
	tcase_add_test(bad, slug_bad);
	tcase_add_test(bad, slug_from_name_bad);
	tcase_add_test(bad, name_bad);
	tcase_add_test(bad, email_bad);
	tcase_add_test(bad, domain_bad);
	tcase_add_test(bad, color_timezone_bad);
	tcase_add_test(bad, url_bad);
	tcase_add_test(bad, setting_key_bad);
	tcase_add_test(bad, audit_actions);
	tcase_add_test(bad, setting_values_bad);
	tcase_add_test(bad, messages_name_the_problem);
	tcase_add_test(good, good_values);
	tcase_add_test(good, slugs_from_names);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
