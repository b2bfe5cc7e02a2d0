/* test_password.c - password.h: the policy refuses what is short, long,
 * not UTF-8 or common (decorated or not), and names the field. */
#include <check.h>
#include <string.h>

#include "core/password.h"

static void
refused(const char *pw)
{
	struct err e;

	err_clear(&e);
	ck_assert_msg(password_check(pw, "password", &e) == -1, "accepted: %s", pw ? pw : "NULL");
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_str_eq(e.field, "password");
}

static void
accepted(const char *pw)
{
	struct err e;

	err_clear(&e);
	ck_assert_msg(password_check(pw, "password", &e) == 0, "refused %s: %s", pw, e.message);
}

START_TEST(bad_inputs)
{
	char big[PASSWORD_MAX_BYTES + 2];

	refused(NULL);
	refused("");
	refused("short1!");
	refused("elevenchars");                                      /* 11 */
	refused("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"); /* 12 bytes, 6 chars */
	refused("abc\xffxyz1234567");                                /* not UTF-8 */
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	refused(big);
}
END_TEST

START_TEST(common_passwords)
{
	static const char *const bad[] = {
		"password1234",   "Password2024!",  "P@ssw0rd123456", "passwordpassword",
		"qwertyuiopasdf", "QwertyQwerty",   "123456789012",   "000000000000",
		"aaaaaaaaaaaa",   "iloveyou1234!!", "Welcome123456",  "1q2w3e4r5t6y",
		"abcdefghijklm",  "letmein!!!!!!!", "Tenantry2026!!", "zyxwvutsrqpo",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(password_is_common(bad[i]), "not common: %s", bad[i]);
		refused(bad[i]);
	}
	ck_assert(password_is_common(NULL));
	ck_assert_uint_gt(password_common_count(), 100);
}
END_TEST

START_TEST(good_passwords)
{
	accepted("correct horse battery staple");
	accepted("Zebra7#Lamp!Quiet");
	accepted("tr0ub4dor&3xylophone");
	accepted("\xc3\xa9t\xc3\xa9 \xc3\xa0 la plage 42"); /* UTF-8, 17 characters */
	accepted("839201748352");
}
END_TEST

Suite *
suite_password(void)
{
	Suite *s = suite_create("password");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, bad_inputs);
	tcase_add_test(bad, common_passwords);
	tcase_add_test(good, good_passwords);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
