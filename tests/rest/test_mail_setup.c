/* test_mail_setup.c - e-mail's settings, templates and message, and the
 * ways it is on or off: the message smtp_send builds (headers that data
 * cannot add to, Date, Message-ID, the encodings), the SMTP settings
 * refused before anything is sent, the templates checked with file:line,
 * tenantryd refusing to start on a bad template or setting, no smtp-url
 * (no mail, the pending mail left alone, said once), and STARTTLS with a
 * login against the self-signed certificate of tests/data (and refused
 * without its CA). The SMTP servers are on loopback only. */
#include <check.h>
#include <jansson.h>

#include "server/mailer.h"
#include "smtp_peer.h"
#include "testlib.h"

static char problems[4096];

static void
collect(const char *message)
{
	size_t n = strlen(problems);

	snprintf(problems + n, sizeof problems - n, "%s\n", message);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static const char *
tmp_path(const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, 512, "%s/%s-%d", test_env("TENANTRY_TEST_TMP", "/tmp"), name, (int)getpid());
	return p;
}

START_TEST(test_message)
{
	struct smtp_config cfg = { .url = "smtp://127.0.0.1:25",
				   .from = "Tenantry Ops <ops@tenantry.test>",
				   .allow_plain_loopback = true };
	const char *to[] = { "a@x.test", "b@x.test" },
		   *bad[] = { "a@x.test>\r\nRCPT TO:<c@x.test" };
	struct smtp *s = NULL;
	struct err e;
	char *m;

	ck_assert_msg(smtp_open(&s, &cfg, &e) == 0, "%s", e.message);
	m = smtp_message(s, to, 2, "mail-1>\r\nBcc: <evil@x.test", "Hi\r\nBcc: evil@x.test",
			 "line one\n.\nline two", 86400 * 3);
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(strncmp(m, "Date: Sun, 04 Jan 1970 00:00:00 +0000\r\n", 39) == 0, "%s", m);
	ck_assert_msg(strstr(m, "\r\nMessage-ID: <mail-1Bccevilx.test@tenantry.test>\r\n"), "%s",
		      m);
	ck_assert(strstr(m, "\r\nFrom: Tenantry Ops <ops@tenantry.test>\r\n"));
	ck_assert(strstr(m, "\r\nTo: a@x.test,\r\n b@x.test\r\n"));
	/* a line break from data is a space: no header of its own */
	ck_assert(strstr(m, "\r\nSubject: Hi  Bcc: evil@x.test\r\n"));
	ck_assert_ptr_null(strstr(m, "\r\nBcc:"));
	ck_assert(
	    strstr(m, "\r\nContent-Transfer-Encoding: 7bit\r\n\r\nline one\r\n.\r\nline two\r\n"));
	free(m);
	/* non-ASCII: an encoded word, quoted-printable */
	m = smtp_message(s, to, 1, "m", "Grüße", "Grüße = 1\n", 0);
	ck_assert_msg(strstr(m, "\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"), "%s", m);
	ck_assert(strstr(m, "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
			    "Gr=C3=BC=C3=9Fe =3D 1\r\n"));
	free(m);
	smtp_close(&s);
	/* a name with specials is quoted; a long non-ASCII subject is several
	 * encoded words on folded lines, no character cut */
	cfg.from = "Example \"Ops\", Inc. <ops@tenantry.test>";
	ck_assert_msg(smtp_open(&s, &cfg, &e) == 0, "%s", e.message);
	m = smtp_message(s, to, 1, "m", "éééééééééééééééééééééééééééééééééééééééé", "b", 0);
	ck_assert_msg(strstr(m, "\r\nFrom: \"Example Ops, Inc.\" <ops@tenantry.test>\r\n"), "%s",
		      m);
	ck_assert_msg(strstr(m,
			     "\r\nSubject: =?UTF-8?B?"
			     "w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
			     " =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?=\r\n"),
		      "%s", m);
	free(m);
	/* a recipient that would add a command is refused before any
	 * connection (nothing listens on port 25 here) */
	ck_assert_int_eq(smtp_send(s, bad, 1, "m", "s", "b", &e), -1);
	ck_assert_int_eq(e.code, ERR_BAD_REQUEST);
	ck_assert_int_eq(smtp_send(s, to, 0, "m", "s", "b", &e), -1);
	smtp_close(&s);
	ck_assert_ptr_null(s);
}
END_TEST

static void
refused(const struct smtp_config *cfg, const char *why)
{
	struct smtp *s = NULL;
	struct err e = { 0 };

	ck_assert_msg(smtp_open(&s, cfg, &e) == -1, "%s was accepted", cfg->url);
	ck_assert_int_eq(e.code, ERR_BAD_REQUEST);
	ck_assert_msg(strstr(e.message, why), "%s: %s", why, e.message);
	ck_assert_ptr_null(s);
}

START_TEST(test_settings)
{
	const char *auth = tmp_path("smtp-auth");
	struct smtp_config c = { .url = "smtps://mail.example.test:465", .from = "a@b.test" };
	struct smtp *s = NULL;
	struct err e;

	refused(&(struct smtp_config){ .url = "http://mail.example.test", .from = "a@b.test" },
		"smtp://host");
	refused(
	    &(struct smtp_config){ .url = "smtp://user:pw@mail.example.test", .from = "a@b.test" },
	    "no host");
	/* plain SMTP only to loopback */
	refused(&(struct smtp_config){ .url = "smtp://192.0.2.1",
				       .from = "a@b.test",
				       .allow_plain_loopback = true },
		"not a loopback address");
	refused(&(struct smtp_config){ .url = "smtp://127.0.0.1", .from = "nobody" }, "no address");
	refused(&(struct smtp_config){ .url = "smtp://127.0.0.1", .from = "A <a@b.test> x" },
		"Name <address>");
	/* the login file: the owner's only, two lines */
	write_file(auth, "user\npassword\n", 0644);
	c.auth_file = auth;
	refused(&c, "chmod 600");
	write_file(auth, "user only", 0600);
	refused(&c, ":1: the user name, then the password");
	write_file(auth, "user\n\n", 0600);
	refused(&c, ":2: the password is missing");
	write_file(auth, "user\npass word\n", 0600);
	ck_assert_msg(smtp_open(&s, &c, &e) == 0, "%s", e.message);
	smtp_close(&s);
}
END_TEST

/* A copy of the shipped templates in dir, file name replaced by text. */
static void
templates_copy(const char *dir, const char *name, const char *text)
{
	static const char *files[] = { "invitation", "password-reset", "quota-alert",
				       "trial-ending" };
	char src[256], dst[700], *t;

	mkdir(dir, 0700);
	for (size_t i = 0; i < 4; i++) {
		snprintf(src, sizeof src, "src/dist/mail/%s.txt", files[i]);
		snprintf(dst, sizeof dst, "%s/%s.txt", dir, files[i]);
		t = slurp(src);
		ck_assert(strlen(t) > 10);
		write_file(dst, name && strcmp(name, files[i]) == 0 ? text : t, 0644);
		free(t);
	}
}

START_TEST(test_templates)
{
	struct mail_template t[MAIL_TEMPLATE_COUNT];
	const char *dir = tmp_path("templates");
	const struct mail_var vars[] = { { "tenant_name", "Evil\r\nBcc: x" },
					 { "accept_url", "https://a/accept?token=tni_x" } };
	char *out;

	problems[0] = '\0';
	ck_assert_int_eq(mail_templates_load(t, "src/dist/mail", collect), 0);
	ck_assert_msg(strstr(t[MAIL_TEMPLATE_INVITATION].subject, "{{tenant_name}}"), "%s",
		      t[MAIL_TEMPLATE_INVITATION].subject);
	ck_assert(strstr(t[MAIL_TEMPLATE_INVITATION].body, "{{accept_url}}"));
	mail_templates_free(t);
	ck_assert_int_eq(mail_template_of("invitation.resent"), MAIL_TEMPLATE_INVITATION);
	ck_assert_int_eq(mail_template_of("tenant.trial_ending"), MAIL_TEMPLATE_TRIAL);
	ck_assert_int_eq(mail_template_of("invitation"), -1);
	ck_assert_int_eq(mail_template_of("tenant.created"), -1);
	/* values never break a line; unknown names are empty */
	out = mail_render("{{tenant_name}}: {{accept_url}} {{nope}}.", vars, 2);
	ck_assert_str_eq(out, "Evil  Bcc: x: https://a/accept?token=tni_x .");
	free(out);
	/* each problem with its file and line */
	templates_copy(dir, "quota-alert", "Subject: {{resource}}\n\nbody\n\nsee {{nope}}\n");
	ck_assert_int_eq(mail_templates_load(t, dir, collect), 1);
	ck_assert_msg(strstr(problems, "/quota-alert.txt:5: unknown placeholder {{nope}}"), "%s",
		      problems);
	problems[0] = '\0';
	templates_copy(dir, "trial-ending", "Hello {{trial_ends_at}}\n\nbody\n");
	ck_assert_int_eq(mail_templates_load(t, dir, collect), 1);
	ck_assert_msg(strstr(problems, "/trial-ending.txt:1: the first line must be"), "%s",
		      problems);
	problems[0] = '\0';
	templates_copy(dir, "invitation", "Subject: hi\nbody\n");
	ck_assert_int_eq(mail_templates_load(t, dir, collect), 1);
	ck_assert_msg(strstr(problems, "/invitation.txt:2: a blank line"), "%s", problems);
	problems[0] = '\0';
	templates_copy(dir, "invitation", "Subject: hi\n\n{{accept_url}\n");
	ck_assert_int_eq(mail_templates_load(t, dir, collect), 1);
	ck_assert_msg(strstr(problems, "/invitation.txt:3: {{ without }}"), "%s", problems);
	/* a user's copy in $XDG_CONFIG_HOME/tenantry/mail/ replaces one */
	{
		char xdg[600], file[700];

		snprintf(xdg, sizeof xdg, "%s", tmp_path("xdg"));
		snprintf(file, sizeof file, "%s/tenantry", xdg);
		mkdir(xdg, 0700);
		mkdir(file, 0700);
		snprintf(file, sizeof file, "%s/tenantry/mail", xdg);
		mkdir(file, 0700);
		snprintf(file, sizeof file, "%s/tenantry/mail/quota-alert.txt", xdg);
		write_file(file, "Subject: ours: {{resource}}\n\nbody\n", 0600);
		setenv("XDG_CONFIG_HOME", xdg, 1);
		problems[0] = '\0';
		ck_assert_msg(mail_templates_load(t, NULL, collect) == 0, "%s", problems);
		ck_assert_str_eq(t[MAIL_TEMPLATE_QUOTA].subject, "ours: {{resource}}");
		ck_assert_str_eq(t[MAIL_TEMPLATE_QUOTA].path, file);
		ck_assert(strstr(t[MAIL_TEMPLATE_INVITATION].body, "{{accept_url}}"));
		mail_templates_free(t);
	}
	/* a missing one */
	problems[0] = '\0';
	ck_assert_int_eq(mail_templates_load(t, "/nonexistent", collect), MAIL_TEMPLATE_COUNT);
	ck_assert_msg(strstr(problems, "/nonexistent/password-reset.txt: No such file"), "%s",
		      problems);
}
END_TEST

/* Runs tenantryd with args until it exits: its status, its output in *log. */
static int
tenantryd_run(char **log, const char *const args[])
{
	const char *path = tmp_path("tenantryd-start.log");
	const char *argv[40] = { test_env("TENANTRY_SERVER_BIN", "build/tenantryd") };
	int n = 1, status;
	pid_t pid;

	for (int i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert(pid > 0);
	for (int i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) == 0; i++)
		poll(NULL, 0, 10);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ck_abort_msg("tenantryd started");
	}
	*log = slurp(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_refuses_to_start)
{
	const char *dir = tmp_path("bad-templates");
	char *log = NULL;

	templates_copy(dir, "quota-alert", "Subject: {{resource}}\n\nbody\n\nsee {{nope}}\n");
	ck_assert_int_eq(
	    tenantryd_run(
		&log, (const char *const[]){ "--db", "dbname=none", "--smtp-url",
					     "smtp://127.0.0.1:9", "--smtp-allow-plain-loopback",
					     "1", "--smtp-from", "a@b.test", "--mail-link-base",
					     "https://app.test", "--mail-templates", dir, NULL }),
	    64);
	ck_assert_msg(strstr(log, "/quota-alert.txt:5: unknown placeholder {{nope}}"), "%s", log);
	ck_assert(strstr(log, "templates have errors"));
	free(log);
	ck_assert_int_eq(
	    tenantryd_run(&log, (const char *const[]){ "--db", "dbname=none", "--smtp-url",
						       "smtp://127.0.0.1:9", "--smtp-from",
						       "a@b.test", NULL }),
	    64);
	ck_assert_msg(strstr(log, "needs mail-link-base"), "%s", log);
	free(log);
	ck_assert_int_eq(
	    tenantryd_run(&log,
			  (const char *const[]){ "--db", "dbname=none", "--smtp-url",
						 "smtp://192.0.2.1", "--smtp-allow-plain-loopback",
						 "1", "--smtp-from", "a@b.test", "--mail-link-base",
						 "https://app.test", NULL }),
	    64);
	ck_assert_msg(strstr(log, "192.0.2.1 is not a loopback address"), "%s", log);
	free(log);
}
END_TEST

START_TEST(test_no_smtp)
{
	const char *dbname = testdb_create();
	struct testsrv s;
	char id[ID_LEN], *tok, *out = NULL, *log;
	PGconn *c;

	testsrv_start(&s, dbname, NULL);
	c = testdb_connect(dbname, NULL);
	tok = testsrv_staff_token(&s, "root@ops.test", "platform_admin");
	testsrv_tenant(&s, tok, id, "Quiet Co", "quiet@quiet.test");
	ck_assert_int_eq(testhttp(&s, "POST", "/api/auth/password-reset", NULL,
				  "{\"email\":\"root@ops.test\"}", &out),
			 202);
	ck_assert_msg(strstr(out, "staff deliver the token"), "%s", out);
	free(out);
	poll(NULL, 0, 1500);
	/* the mails wait, untried, with their tokens */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.outbox WHERE mail_state = "
				       "'pending' AND mail_attempts = 0 AND sealed IS NOT NULL"),
			 2);
	/* only the platform role claims mail; no role reads a sealed token */
	testdb_exec(c, "BEGIN");
	testdb_exec(c, "SET LOCAL ROLE tenantry_support");
	ck_assert_str_eq(testdb_sqlstate(c, "SELECT tenantry.mail_claim('x', 1, 60, 86400)"),
			 "42501");
	testdb_exec(c, "ROLLBACK");
	testdb_exec(c, "BEGIN");
	testdb_exec(c, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_sqlstate(c, "SELECT sealed FROM tenantry.outbox"), "42501");
	testdb_exec(c, "ROLLBACK");
	/* a claim holds a mail: another runner gets the other one, then none;
	 * only the holder records its outcome */
	testdb_exec(c, "SET ROLE tenantry_platform");
	ck_assert_int_eq(
	    testdb_int(c, "SELECT count(*) FROM tenantry.mail_claim('a', 1, 60, 86400)"), 1);
	ck_assert_int_eq(
	    testdb_int(c, "SELECT count(*) FROM tenantry.mail_claim('b', 5, 60, 86400)"), 1);
	ck_assert_int_eq(
	    testdb_int(c, "SELECT count(*) FROM tenantry.mail_claim('c', 5, 60, 86400)"), 0);
	ck_assert_int_eq(
	    testdb_int(c, "SELECT count(*) FROM tenantry.outbox o WHERE "
			  "tenantry.mail_done('c', o.tenant_id, o.seq, o.type, 1, 'sent', "
			  "NULL, 1, 86400) IS NOT NULL"),
	    0);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.outbox o WHERE "
				    "o.mail_state = 'pending' AND tenantry.mail_done('b', "
				    "o.tenant_id, o.seq, o.type, 1, 'failed', 'down', 0, 86400) = "
				    "'pending'"),
			 1);
	testdb_exec(c, "RESET ROLE");
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.outbox WHERE mail_state = "
				       "'pending' AND mail_error = 'down' AND sealed IS NOT NULL"),
			 1);
	ck_assert_int_eq(testhttp(&s, "GET", "/metrics", tok, NULL, &out), 200);
	ck_assert_ptr_null(strstr(out, "tenantryd_mail_"));
	free(out);
	testsrv_stop(&s);
	log = slurp(s.log_file);
	ck_assert_msg(strstr(log, "e-mail is off: no smtp-url"), "%s", log);
	ck_assert_ptr_null(strstr(strstr(log, "e-mail is off") + 1, "e-mail is off"));
	free(log);
	free(tok);
	PQfinish(c);
}
END_TEST

START_TEST(test_starttls)
{
	const char *dbname = testdb_create(), *auth = tmp_path("smtp-login"),
		   *tls[] = { "--tls",  "tests/data/smtp-test.crt", "tests/data/smtp-test.key",
			      "--auth", "mailer:s3cret word",       NULL };
	struct peer p = { 0 };
	struct testsrv s;
	char url[64], id[ID_LEN], *tok, *mail;
	PGconn *c;
	const char *common[] = {
		"--smtp-url",       url,  "--smtp-from",      "noreply@tenantry.test",
		"--smtp-auth-file", auth, "--mail-link-base", "https://app.test",
		"--mail-poll",      "1",  "--smtp-timeout",   "5"
	};
	const char *with_ca[20], *without_ca[20];
	size_t n = sizeof common / sizeof *common;

	snprintf(p.dir, sizeof p.dir, "%s", tmp_path("tls-mail"));
	peer_start(&p, 0, NULL, tls);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", p.port);
	write_file(auth, "mailer\ns3cret word\n", 0600);
	memcpy(with_ca, common, sizeof common);
	memcpy(without_ca, common, sizeof common);
	with_ca[n] = "--smtp-ca-file";
	with_ca[n + 1] = "tests/data/smtp-test.crt";
	with_ca[n + 2] = NULL;
	without_ca[n] = NULL;
	testsrv_start(&s, dbname, with_ca);
	c = testdb_connect(dbname, NULL);
	tok = testsrv_staff_token(&s, "root@ops.test", "platform_admin");
	testsrv_tenant(&s, tok, id, "Secure Co", "first@secure.test");
	mail = mail_wait(p.dir, "first@secure.test", "https://app.test/accept?token=tni_");
	ck_assert_msg(strstr(mail, "X-TLS: yes\r\n"), "%s", mail);
	free(mail);
	testsrv_stop(&s);
	/* without the CA that signed the server's certificate: not sent */
	testsrv_start(&s, dbname, without_ca);
	free(tok); /* a new server, a new signing secret */
	tok = testsrv_login(&s, "root@ops.test", "correct horse battery", NULL);
	ck_assert_ptr_nonnull(tok);
	json_decref(testhttp_json(&s, tok, 201, "POST", "/api/tenants/secure-co/invitations",
				  "{\"email\":\"second@secure.test\",\"role\":\"member\"}"));
	wait_sql(c,
		 "SELECT mail_state || ' ' || (mail_error ILIKE '%certificate%') FROM "
		 "tenantry.outbox WHERE data -> 'object' ->> 'email' = 'second@secure.test'",
		 "pending true");
	ck_assert_int_eq(mail_scan(p.dir, "second@secure.test", NULL, NULL), 0);
	testsrv_stop(&s);
	peer_stop(&p);
	/* smtps://: TLS from the start */
	tls[0] = "--smtps";
	peer_start(&p, 0, NULL, tls);
	snprintf(url, sizeof url, "smtps://127.0.0.1:%d", p.port);
	testsrv_start(&s, dbname, with_ca);
	free(tok);
	tok = testsrv_login(&s, "root@ops.test", "correct horse battery", NULL);
	ck_assert_ptr_nonnull(tok);
	json_decref(testhttp_json(&s, tok, 201, "POST", "/api/tenants/secure-co/invitations",
				  "{\"email\":\"third@secure.test\",\"role\":\"member\"}"));
	mail = mail_wait(p.dir, "third@secure.test", "https://app.test/accept?token=tni_");
	ck_assert_msg(strstr(mail, "X-TLS: yes\r\n"), "%s", mail);
	free(mail);
	testsrv_stop(&s);
	peer_stop(&p);
	free(tok);
	PQfinish(c);
}
END_TEST

Suite *
suite_mail_setup(void)
{
	Suite *s = suite_create("mail_setup");
	TCase *tc = tcase_create("mail_setup");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_message);
	tcase_add_test(tc, test_settings);
	tcase_add_test(tc, test_templates);
	tcase_add_test(tc, test_refuses_to_start);
	tcase_add_test(tc, test_no_smtp);
	tcase_add_test(tc, test_starttls);
	suite_add_tcase(s, tc);
	return s;
}
