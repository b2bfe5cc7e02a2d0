/* test_mail.c - e-mail end to end, against a real SMTP server on loopback
 * (tests/smtpd.py: Debian's aiosmtpd writing each message to a file) and a
 * real tenantryd: an invitation's mail carries a working accept link (and
 * a resent one a new link), a password reset's mail a working reset link,
 * a quota alert reaches the tenant's admins and billing address, a trial
 * that ends soon is mailed; with the SMTP server down a mail is retried
 * and sent once when it is back; a mail a day old when first claimed is
 * skipped; STARTTLS with a login against a self-signed certificate; no
 * smtp-url, no mail; bad templates and settings stop tenantryd at start.
 * The message itself (headers that cannot be injected, the encodings) and
 * the templates' rendering are checked without a server. No traffic ever
 * leaves 127.0.0.0/8. */
#include "rest.h"
#include "smtp_peer.h"

#define LINK "https://app.example.test"
#define FROM "Tenantry <noreply@tenantry.test>"

static struct peer smtpd;
static char smtp_url[64], tmpl_dir[600];

static void
mail_setup(void)
{
	static const char *extra[24];
	int n = 0;

	snprintf(smtpd.dir, sizeof smtpd.dir, "%s/mail-%d", test_env("TENANTRY_TEST_TMP", "/tmp"),
		 (int)getpid());
	peer_start(&smtpd, 0, NULL, NULL);
	snprintf(smtp_url, sizeof smtp_url, "smtp://127.0.0.1:%d", smtpd.port);
	snprintf(tmpl_dir, sizeof tmpl_dir, "src/dist/mail");
	extra[n++] = "--smtp-url";
	extra[n++] = smtp_url;
	extra[n++] = "--smtp-allow-plain-loopback";
	extra[n++] = "1";
	extra[n++] = "--smtp-from";
	extra[n++] = FROM;
	extra[n++] = "--mail-link-base";
	extra[n++] = LINK "/";
	extra[n++] = "--mail-templates";
	extra[n++] = tmpl_dir;
	extra[n++] = "--mail-poll";
	extra[n++] = "1";
	extra[n++] = "--mail-retry-base";
	extra[n++] = "1";
	extra[n] = NULL;
	srv_extra = extra;
	setup();
}

static void
mail_teardown(void)
{
	teardown();
	peer_stop(&smtpd);
}

/* ---- with a server -------------------------------------------------------------------- */

START_TEST(test_invitation_mail)
{
	char token[96], body[512], path[256], *mail, *tok;
	json_t *inv, *again;

	/* the fixture's first admins were invited by mail too */
	free(mail_wait(smtpd.dir, "alice@alpha.test", "/accept?token=tni_"));
	inv = call(201, "POST", "/api/tenants/alpha-labs/invitations", platform,
		   "{\"email\":\"carol@alpha.test\",\"role\":\"manager\"}");
	mail = mail_wait(smtpd.dir, "carol@alpha.test", NULL);
	/* the message: its headers, the accept link with the token */
	ck_assert_msg(strstr(mail, "\r\nSubject: You are invited to Alpha Labs\r\n"), "%s", mail);
	ck_assert(strstr(mail, "\r\nFrom: Tenantry <noreply@tenantry.test>\r\n"));
	ck_assert(strstr(mail, "\r\nTo: carol@alpha.test\r\n"));
	ck_assert(strstr(mail, "\r\nDate: "));
	ck_assert(strstr(mail, "\r\nMessage-ID: <mail-"));
	ck_assert(strstr(mail, "@tenantry.test>\r\n"));
	ck_assert(strstr(mail, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert(strstr(mail, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	ck_assert(strstr(mail, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	ck_assert(strstr(mail, "X-TLS: no"));
	ck_assert_msg(strstr(mail, "as manager"), "%s", mail);
	ck_assert_msg(strstr(mail, " UTC)"), "the expiry: %s", mail);
	token_of(token, mail, LINK "/accept?token=");
	ck_assert_str_eq(token, jstr(inv, "token"));
	free(mail);
	/* a resent invitation's mail carries the new token; the old one ends */
	snprintf(path, sizeof path, "/api/tenants/alpha-labs/invitations/%s/resend",
		 jstr(inv, "id"));
	again = call(200, "POST", path, platform, NULL);
	snprintf(token, sizeof token, "%s", jstr(again, "token"));
	snprintf(body, sizeof body, LINK "/accept?token=%s\r\n", token);
	free(mail_wait(smtpd.dir, "carol@alpha.test", body));
	ck_assert_str_ne(token, jstr(inv, "token"));
	ck_assert_int_eq(mail_scan(smtpd.dir, "carol@alpha.test", NULL, NULL), 2);
	snprintf(body, sizeof body,
		 "{\"token\":\"%s\",\"full_name\":\"Carol\",\"password\":\"%s\"}",
		 jstr(inv, "token"), PW);
	json_decref(call(404, "POST", "/api/invitations/accept", NULL, body));
	/* the token from the mail accepts it */
	snprintf(body, sizeof body,
		 "{\"token\":\"%s\",\"full_name\":\"Carol\",\"password\":\"%s\"}", token, PW);
	json_decref(call(200, "POST", "/api/invitations/accept", NULL, body));
	tok = testsrv_login(&srv, "carol@alpha.test", PW, "alpha-labs");
	ck_assert_msg(tok, "carol cannot sign in");
	free(tok);
	json_decref(inv);
	json_decref(again);
}
END_TEST

/* The reset link in the newest mail to email sets password, which then
 * signs in: the token, in token. */
static void
reset_from_mail(char token[96], const char *email, const char *password)
{
	char body[512], *mail = mail_wait(smtpd.dir, email, "/reset?token="), *tok;

	ck_assert(strstr(mail, "\r\nSubject: Reset your password\r\n"));
	token_of(token, mail, LINK "/reset?token=");
	ck_assert(strncmp(token, "tnr_", 4) == 0);
	free(mail);
	snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", token, password);
	json_decref(call(204, "POST", "/api/auth/password-reset/confirm", NULL, body));
	tok = testsrv_login(&srv, email, password, "alpha-labs");
	ck_assert_msg(tok, "the new password does not sign in");
	free(tok);
}

START_TEST(test_reset_mail)
{
	char token[96], *mail;
	json_t *j;
	PGconn *c = testdb_connect(db, NULL);

	j = call(202, "POST", "/api/auth/password-reset", NULL, "{\"email\":\"alice@alpha.test\"}");
	ck_assert_str_eq(jstr(j, "detail"),
			 "if an account has this e-mail, a reset link is sent to it");
	json_decref(j);
	mail = mail_wait(smtpd.dir, "alice@alpha.test", "/reset?token=");
	ck_assert(strstr(mail, "the account\r\nalice@alpha.test."));
	free(mail);
	reset_from_mail(token, "alice@alpha.test", "a new and longer passphrase");
	/* the same answer for no account, and no mail */
	json_decref(call(202, "POST", "/api/auth/password-reset", NULL,
			 "{\"email\":\"nobody@alpha.test\"}"));
	/* a sent mail no longer holds its token */
	wait_sql(c,
		 "SELECT count(*) FROM tenantry.outbox WHERE type = "
		 "'user.password_reset_requested' AND mail_state = 'sent' AND sealed IS NULL",
		 "1");
	ck_assert_int_eq(mail_scan(smtpd.dir, "nobody@alpha.test", NULL, NULL), 0);
	PQfinish(c);
}
END_TEST

/* A reset staff issue with "mail": the link goes to the account, and the
 * token to nobody else (not the reply, not the audit log); without it the
 * token is the staff member's and nothing is mailed. */
START_TEST(test_staff_reset_mailed)
{
	char token[96];
	json_t *j;
	PGconn *c = testdb_connect(db, NULL);

	j = call(201, "POST", "/api/users/manager@alpha.test/password-reset", platform,
		 "{\"mail\":true}");
	ck_assert(json_is_true(json_object_get(j, "mailed")));
	ck_assert_ptr_null(json_object_get(j, "token"));
	ck_assert_str_eq(jstr(j, "email"), "manager@alpha.test");
	json_decref(j);
	reset_from_mail(token, "manager@alpha.test", "a manager's new passphrase");
	ck_assert_int_eq(
	    testdb_int(c,
		       "SELECT count(*) FROM tenantry.audit_log WHERE "
		       "coalesce(new::text, '') || coalesce(old::text, '') LIKE '%%%s%%'",
		       token + 4),
	    0);
	/* not a webhook event: mail only */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.webhook_deliveries d JOIN "
				       "tenantry.outbox o ON (o.tenant_id, o.seq, o.type) = "
				       "(d.event_tenant, d.seq, d.type) WHERE o.actor = "
				       "'root@ops.test' AND o.type = "
				       "'user.password_reset_requested'"),
			 0);
	/* without mail: the token is the caller's, and no second mail comes */
	j = call(201, "POST", "/api/users/manager@alpha.test/password-reset", platform, NULL);
	ck_assert(json_is_false(json_object_get(j, "mailed")));
	ck_assert(strncmp(jstr(j, "token"), "tnr_", 4) == 0);
	json_decref(j);
	/* a bad "mail" is refused, naming it */
	j = call(422, "POST", "/api/users/manager@alpha.test/password-reset", platform,
		 "{\"mail\":\"yes\"}");
	ck_assert_str_eq(jstr(j, "field"), "mail");
	json_decref(j);
	poll(NULL, 0, 2500);
	ck_assert_int_eq(mail_scan(smtpd.dir, "manager@alpha.test", "/reset?token=", NULL), 1);
	PQfinish(c);
}
END_TEST

START_TEST(test_quota_alert_mail)
{
	test_clear_of_hour(30); /* api_calls counts by the hour */
	char *mail, path[256];
	PGconn *c = testdb_connect(db, NULL);

	/* beta-works: admin bob, a billing address, a small quota */
	json_decref(call(200, "PUT", "/api/tenants/beta-works", platform,
			 "{\"billing_email\":\"billing@beta.test\"}"));
	testdb_execf(c,
		     "UPDATE tenantry.quotas SET quota_limit = 10 WHERE tenant_id = '%s' "
		     "AND resource = 'api_calls'",
		     beta);
	snprintf(path, sizeof path, "/api/tenants/%s/usage/increment", beta);
	json_decref(call(200, "POST", path, platform, "{\"resource\":\"api_calls\",\"amount\":9}"));
	mail = mail_wait(smtpd.dir, "billing@beta.test", "api_calls at 80 %");
	/* one mail to both, each once */
	ck_assert_msg(strstr(mail, "X-Envelope-To: billing@beta.test,bob@beta.test\r\n"), "%s",
		      mail);
	ck_assert(strstr(mail, "\r\nTo: billing@beta.test,\r\n bob@beta.test\r\n"));
	ck_assert(strstr(mail, "\r\nSubject: Beta Works: api_calls at 80 % of its quota\r\n"));
	ck_assert(strstr(mail, "Beta Works (beta-works) has used 80 %"));
	free(mail);
	ck_assert_int_eq(mail_scan(smtpd.dir, "bob@beta.test", "api_calls", NULL), 1);
	PQfinish(c);
}
END_TEST

START_TEST(test_trial_mail)
{
	char *mail, *out = NULL, *errout = NULL, conninfo[512];
	PGconn *c = testdb_connect(db, NULL);
	int rc;

	/* alpha-labs' billing address is its admin's in other letters: once */
	json_decref(call(200, "PUT", "/api/tenants/alpha-labs", platform,
			 "{\"billing_email\":\"ALICE@alpha.test\"}"));
	testdb_exec(c, "SET TIME ZONE 'Asia/Tokyo'"); /* times in mails are UTC whatever this */
	testdb_exec(c, "SET tenantry.actor = 'test'");
	testdb_execf(c,
		     "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
		     "period_start) VALUES ('%s', 'trial_end', 'trial', 3, "
		     "'2031-05-06 07:08:00+00')",
		     alpha);
	mail = mail_wait(smtpd.dir, "alice@alpha.test", "trial ends");
	ck_assert_msg(strstr(mail, "\r\nSubject: Alpha Labs: the trial ends in 3 days\r\n"), "%s",
		      mail);
	ck_assert_msg(strstr(mail, "ends on 2031-05-06 07:08 UTC."), "%s", mail);
	ck_assert(strstr(mail, "X-Envelope-To: "));
	ck_assert_msg(strstr(mail, "admin2@alpha.test"), "the other admin: %s", mail);
	ck_assert_int_eq(mail_scan(smtpd.dir, "alice@alpha.test", "trial ends", NULL), 1);
	ck_assert_int_eq(mail_scan(smtpd.dir, "ALICE@alpha.test", "trial ends", NULL), 0);
	free(mail);
	/* the trial job's own alert goes out the same way; a tenant whose
	 * admin has not joined yet: to its billing address */
	json_decref(call(201, "POST", "/api/tenants", platform,
			 "{\"name\":\"Gamma Trial\",\"admin_email\":\"gina@gamma.test\","
			 "\"billing_email\":\"pay@gamma.test\",\"trial\":true,"
			 "\"subscription_tier\":\"professional\"}"));
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	testdb_exec(c, "UPDATE tenantry.tenants SET trial_ends_at = now() + interval '2 days' "
		       "WHERE slug = 'gamma-trial'");
	rc = testcli_run(&out, &errout,
			 (const char *const[]){ "--db", conninfo, "jobs", "run", "--once", "--job",
						"trial_end", "--force", NULL });
	ck_assert_msg(rc == 0, "%s %s", out ? out : "", errout ? errout : "");
	free(out);
	free(errout);
	mail = mail_wait(smtpd.dir, "pay@gamma.test", "Gamma Trial: the trial ends in 3 days");
	ck_assert_msg(strstr(mail, "X-Envelope-To: pay@gamma.test\r\n"), "%s", mail);
	free(mail);
	PQfinish(c);
}
END_TEST

START_TEST(test_old_mail_skipped)
{
	PGconn *c = testdb_connect(db, NULL);
	int before;

	json_decref(call(201, "POST", "/api/tenants/alpha-labs/invitations", platform,
			 "{\"email\":\"old@alpha.test\",\"role\":\"viewer\"}"));
	free(mail_wait(smtpd.dir, "old@alpha.test", NULL));
	before = mail_scan(smtpd.dir, "old@alpha.test", NULL, NULL);
	/* as if it had waited two days for a mailer: never tried, a day old */
	testdb_exec(c, "UPDATE tenantry.outbox SET mail_state = 'pending', mail_attempts = 0, "
		       "at = now() - interval '2 days', mail_next_at = now(), "
		       "mail_leased_by = NULL, sealed = 'v1:x' "
		       "WHERE data -> 'object' ->> 'email' = 'old@alpha.test'");
	wait_sql(c,
		 "SELECT mail_state || ' ' || (sealed IS NULL) || ' ' || (mail_error LIKE "
		 "'older than 24 h%') FROM tenantry.outbox WHERE data -> 'object' ->> 'email' = "
		 "'old@alpha.test'",
		 "skipped true true");
	poll(NULL, 0, 1500);
	ck_assert_int_eq(mail_scan(smtpd.dir, "old@alpha.test", NULL, NULL), before);
	PQfinish(c);
}
END_TEST

/* Two tenantryd on the database: each mail is sent once, at the first
 * attempt. */
START_TEST(test_two_instances)
{
	struct testsrv second;
	char body[256], addr[64];
	PGconn *c = testdb_connect(db, NULL);

	testsrv_start(&second, db, srv_extra);
	for (int i = 0; i < 12; i++) {
		snprintf(body, sizeof body, "{\"email\":\"pair%d@alpha.test\",\"role\":\"member\"}",
			 i);
		json_decref(
		    call(201, "POST", "/api/tenants/alpha-labs/invitations", platform, body));
	}
	for (int i = 0; i < 12; i++) {
		snprintf(addr, sizeof addr, "pair%d@alpha.test", i);
		free(mail_wait(smtpd.dir, addr, NULL));
	}
	poll(NULL, 0, 2500);
	for (int i = 0; i < 12; i++) {
		snprintf(addr, sizeof addr, "pair%d@alpha.test", i);
		ck_assert_int_eq(mail_scan(smtpd.dir, addr, NULL, NULL), 1);
	}
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.outbox WHERE data -> "
				       "'object' ->> 'email' LIKE 'pair%%' AND mail_state = 'sent' "
				       "AND mail_attempts = 1"),
			 12);
	testsrv_stop(&second);
	PQfinish(c);
}
END_TEST

/* Last of its case: it restarts the SMTP server in this test's process. */
START_TEST(test_retry_until_back)
{
	PGconn *c = testdb_connect(db, NULL);
	const char *q =
	    "SELECT mail_state || ' ' || (mail_attempts >= 2) || ' ' || "
	    "(mail_error IS NOT NULL) || ' ' || (sealed IS NOT NULL) FROM tenantry.outbox "
	    "WHERE data -> 'object' ->> 'email' = 'late@alpha.test'";
	char *metrics = NULL;

	peer_stop(&smtpd);
	json_decref(call(201, "POST", "/api/tenants/alpha-labs/invitations", platform,
			 "{\"email\":\"late@alpha.test\",\"role\":\"member\"}"));
	wait_sql(c, q, "pending true true true");
	ck_assert_int_eq(mail_scan(smtpd.dir, "late@alpha.test", NULL, NULL), 0);
	peer_start(&smtpd, smtpd.port, NULL, NULL);
	free(mail_wait(smtpd.dir, "late@alpha.test", "/accept?token=tni_"));
	wait_sql(c,
		 "SELECT mail_state || ' ' || (sealed IS NULL) || ' ' || (mail_error IS NULL) "
		 "FROM tenantry.outbox WHERE data -> 'object' ->> 'email' = 'late@alpha.test'",
		 "sent true true");
	poll(NULL, 0, 2500); /* nothing more comes */
	ck_assert_int_eq(mail_scan(smtpd.dir, "late@alpha.test", NULL, NULL), 1);
	ck_assert_int_eq(testhttp(&srv, "GET", "/metrics", platform, NULL, &metrics), 200);
	ck_assert_msg(strstr(metrics, "# TYPE tenantryd_mail_sent_total counter"), "%s", metrics);
	ck_assert(!strstr(metrics, "tenantryd_mail_failed_total 0\n"));
	ck_assert(!strstr(metrics, "tenantryd_mail_failed_total 1\n"));
	free(metrics);
	PQfinish(c);
}
END_TEST

Suite *
suite_mail(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, mail_setup, mail_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_invitation_mail);
	tcase_add_test(tc, test_reset_mail);
	tcase_add_test(tc, test_staff_reset_mailed);
	tcase_add_test(tc, test_quota_alert_mail);
	tcase_add_test(tc, test_trial_mail);
	tcase_add_test(tc, test_old_mail_skipped);
	tcase_add_test(tc, test_two_instances);
	tcase_add_test(tc, test_retry_until_back);
	suite_add_tcase(s, tc);
	return s;
}
