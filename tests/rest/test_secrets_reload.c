/* test_secrets_reload.c - SIGHUP reads tenantryd's secrets files again
 * and says what it reloaded: the same secret is unchanged; a new JWT
 * secret signs the tokens issued from then on while those signed before
 * still pass; a secret file that is no longer usable, or a new master key,
 * changes nothing and is said so. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

/* Whether the server's log holds needle, within 5 s. */
static bool
log_has(const struct testsrv *s, const char *needle)
{
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(s->log_file, "r");
		char *log = calloc(1, 1 << 20);
		bool found = false;

		ck_assert(log);
		if (f) {
			log[fread(log, 1, (1 << 20) - 1, f)] = '\0';
			fclose(f);
			found = strstr(log, needle) != NULL;
		}
		free(log);
		if (found)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

/* path gets len random bytes (hex when hex), mode 0600. */
static void
random_file(const char *path, size_t len, bool hex)
{
	unsigned char raw[64];
	FILE *r = fopen("/dev/urandom", "rb"), *f;

	ck_assert(r && len <= sizeof raw && fread(raw, 1, len, r) == len);
	fclose(r);
	ck_assert((f = fopen(path, "w")));
	for (size_t i = 0; i < len; i++)
		hex ? fprintf(f, "%02x", raw[i]) : fputc(raw[i], f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

/* The JOSE header of a token (its key id, with the same algorithm). */
static char *
header_of(const char *token)
{
	return strndup(token, strcspn(token, "."));
}

START_TEST(test_reload_secrets)
{
	const char *db = testdb_create();
	char mk[256];
	const char *const flags[] = { "--master-key-file", mk, NULL };
	struct testsrv s;
	char *first, *second, *third, *h1, *h2, *h3;
	FILE *f;

	snprintf(mk, sizeof mk, "%s/reload-%d.key", test_env("TENANTRY_TEST_TMP", "/tmp"),
		 (int)getpid());
	random_file(mk, 32, false);
	testsrv_start(&s, db, flags);
	first = testsrv_staff_token(&s, "keys@example.com", "platform_admin");

	/* nothing changed */
	kill(s.pid, SIGHUP);
	ck_assert(log_has(&s, "msg=\"secrets reloaded\" reloaded=nothing "
			      "unchanged=jwt-secret-file,master-key-file\n"));

	/* a new JWT secret: it signs from now on, the old tokens still pass */
	random_file(s.secret_file, 32, true);
	kill(s.pid, SIGHUP);
	ck_assert(log_has(&s, "msg=\"secrets reloaded\" reloaded=jwt-secret-file "
			      "unchanged=master-key-file\n"));
	second = testsrv_login(&s, "keys@example.com", "correct horse battery", NULL);
	ck_assert(first && second);
	h1 = header_of(first);
	h2 = header_of(second);
	ck_assert_str_ne(h1, h2);
	ck_assert_int_eq(testhttp(&s, "GET", "/api/tenants", first, NULL, NULL), 200);
	ck_assert_int_eq(testhttp(&s, "GET", "/api/tenants", second, NULL, NULL), 200);

	/* a secret too short: refused, the last good one still signs */
	ck_assert((f = fopen(s.secret_file, "w")));
	fputs("too short\n", f);
	fclose(f);
	kill(s.pid, SIGHUP);
	ck_assert(log_has(&s, "msg=\"secret not reloaded\" key=jwt-secret-file error="));
	ck_assert(log_has(&s, "reloaded=nothing unchanged=master-key-file "
			      "failed=jwt-secret-file\n"));
	third = testsrv_login(&s, "keys@example.com", "correct horse battery", NULL);
	ck_assert_ptr_nonnull(third);
	h3 = header_of(third);
	ck_assert_str_eq(h2, h3);
	ck_assert_int_eq(testhttp(&s, "GET", "/api/tenants", first, NULL, NULL), 200);

	/* a new master key: what it sealed would no longer open, so it is
	 * reported and not applied */
	random_file(mk, 32, false);
	kill(s.pid, SIGHUP);
	ck_assert(log_has(&s, "level=warn msg=\"secret not reloaded\" key=master-key-file"));
	ck_assert(log_has(&s, "needs_restart=master-key-file failed=jwt-secret-file\n"));
	ck_assert_int_eq(testhttp(&s, "GET", "/api/tenants", third, NULL, NULL), 200);

	ck_assert_int_eq(testsrv_stop(&s), 0);
	unlink(mk);
	free(first);
	free(second);
	free(third);
	free(h1);
	free(h2);
	free(h3);
}
END_TEST

Suite *
suite_secrets_reload(void)
{
	Suite *s = suite_create("secrets_reload");
	TCase *tc = tcase_create("sighup");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reload_secrets);
	suite_add_tcase(s, tc);
	return s;
}
